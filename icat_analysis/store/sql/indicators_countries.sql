-- Countries (of the reference table) with any figure for one indicator, and how many
-- citizenship figures (origin and year) they publish for it: 0 when they publish none.
SELECT
    i.iso3,
    c.name,
    c.region,
    c.sub_region,
    count(*) FILTER (WHERE i.dimension = 'by citizenship') AS citizenship_cells,
    citizenship_cells > 0 AS has_citizenship
FROM indicators AS i
JOIN countries AS c ON c.iso3 = i.iso3
WHERE i.indicator = $indicator
GROUP BY i.iso3, c.name, c.region, c.sub_region
ORDER BY c.name
