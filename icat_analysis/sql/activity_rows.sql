-- The selected activities themselves, one row each, for tables and downloads.
SELECT a.* EXCLUDE (source_file, imported_at)
FROM selected_activities($filters) AS a
ORDER BY a.start_date DESC, a.activity_id
