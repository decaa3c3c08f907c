-- How recent the data is: over the whole export, not the filters, because freshness is a
-- property of what agencies have sent.
SELECT
    max(last_updated) AS newest_update,
    min(last_updated) AS oldest_update,
    count(*) FILTER (WHERE last_updated IS NULL) AS without_update_date,
    max(imported_at) AS last_import,
    count(*) AS activities
FROM activities
