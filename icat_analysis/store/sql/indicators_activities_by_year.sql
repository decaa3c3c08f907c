-- Activities active in each year from $year_from to $year_to, among those the shared filters
-- select, that work in the area (any of their countries in $iso3; every activity when $iso3
-- is NULL, the world). An activity is active in a year its start-end span touches; an open
-- end runs to today. Cancelled activities did not run and are left out.
WITH chosen AS (
    SELECT year(a.start_date) AS first_year, year(coalesce(a.end_date, current_date)) AS last_year
    FROM selected_activities($filters) AS a
    WHERE coalesce(a.status, '') <> 'cancelled'
      AND ($iso3 IS NULL
           OR EXISTS (SELECT 1 FROM activity_countries AS ac
                      WHERE ac.rid = a.rid AND list_contains($iso3, ac.iso3)))
),
-- Each activity's span cut to the years asked for. Counted as steps (+1 in its first year,
-- -1 after its last) and summed over the years: one pass over the activities, instead of
-- comparing every activity with every year (a range join, 22 comparisons an activity).
spans AS (
    SELECT greatest(first_year, $year_from::INTEGER) AS first_year,
           least(last_year, $year_to::INTEGER) AS last_year
    FROM chosen
    WHERE first_year <= last_year
      AND first_year <= $year_to::INTEGER
      AND last_year >= $year_from::INTEGER
),
steps AS (
    SELECT first_year AS year, count(*) AS step FROM spans GROUP BY first_year
    UNION ALL
    SELECT last_year + 1, -count(*) FROM spans GROUP BY last_year
),
years AS (
    SELECT unnest(generate_series($year_from::INTEGER, $year_to::INTEGER)) AS year
),
changes AS (
    SELECT y.year, coalesce(sum(s.step), 0) AS step
    FROM years AS y
    LEFT JOIN steps AS s USING (year)
    GROUP BY y.year
)
SELECT year, (sum(step) OVER (ORDER BY year))::BIGINT AS activities
FROM changes
ORDER BY year
