-- Rows in each table of the loaded export, for the Data page.
SELECT 'activities' AS "table", count(*) AS "rows" FROM activities
UNION ALL SELECT 'activity_countries', count(*) FROM activity_countries
UNION ALL SELECT 'activity_agencies', count(*) FROM activity_agencies
UNION ALL SELECT 'indicators', count(*) FROM indicators
