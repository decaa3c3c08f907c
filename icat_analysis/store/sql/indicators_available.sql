-- The indicators of the export, with their years and how many countries report them.
SELECT
    i.indicator,
    min(i.year) AS first_year,
    max(i.year) AS last_year,
    count(DISTINCT i.iso3) FILTER (WHERE c.iso3 IS NOT NULL) AS countries
FROM indicators AS i
LEFT JOIN countries AS c ON c.iso3 = i.iso3
GROUP BY i.indicator
ORDER BY i.indicator
