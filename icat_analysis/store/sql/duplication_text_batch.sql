-- Title and description as one text of the activities numbered $first to $last (rid), for
-- counting how many activities of the export name each concept, a batch at a time; a missing
-- title or description is empty.
SELECT coalesce(title, '') || ' ' || coalesce(description, '') AS text
FROM activities
WHERE rid BETWEEN $first AND $last
ORDER BY rid
