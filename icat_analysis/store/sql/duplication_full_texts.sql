-- Title and description of the given activities as one text, for text similarity; a missing
-- title or description is empty (not the word "nan" a missing value would become in pandas).
SELECT w.activity_id, coalesce(a.title, '') || ' ' || coalesce(a.description, '') AS text
FROM (SELECT unnest($ids) AS activity_id) AS w
JOIN activities AS a ON a.activity_id = w.activity_id
