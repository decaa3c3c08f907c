-- Activities active in each year from $year_from to $year_to, among those the shared filters
-- select, that work in the area (any of their countries in $iso3; every activity when $iso3
-- is NULL, the world). An activity is active in a year its start-end span touches; an open
-- end runs to today. Cancelled activities did not run and are left out.
WITH chosen AS (
    SELECT a.rid, a.start_date, coalesce(a.end_date, current_date) AS end_date
    FROM selected_activities($filters) AS a
    WHERE coalesce(a.status, '') <> 'cancelled'
      AND ($iso3 IS NULL
           OR EXISTS (SELECT 1 FROM activity_countries AS ac
                      WHERE ac.rid = a.rid AND list_contains($iso3, ac.iso3)))
),
years AS (
    SELECT unnest(generate_series($year_from::INTEGER, $year_to::INTEGER)) AS year
)
SELECT y.year, count(c.rid) AS activities
FROM years AS y
LEFT JOIN chosen AS c
       ON year(c.start_date) <= y.year AND year(c.end_date) >= y.year
GROUP BY y.year
ORDER BY y.year
