-- Titles and descriptions of the given activities (for text similarity and for showing a pair).
SELECT a.activity_id, a.title, a.description
FROM (SELECT unnest($ids) AS activity_id) AS wanted
JOIN activities AS a ON a.activity_id = wanted.activity_id
