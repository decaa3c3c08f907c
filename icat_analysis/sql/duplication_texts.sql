-- Titles and descriptions of the given activities (for text similarity and for showing a pair).
SELECT activity_id, title, description
FROM activities
WHERE list_contains($ids, activity_id)
