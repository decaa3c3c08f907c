-- One indicator and dimension, summed over an area's countries: one row per year and cell
-- (category, sex, age). Only rows whose code is a country of the reference table count, so
-- UNODC's regional aggregates (CAR, SAM ...) and 'Aruba/Curacao' are never added to the
-- countries they may already contain. A censored cell (<5) is never summed as a number: it
-- is counted in censored_cells, and `value` is NULL when every cell of the row is censored.
-- $iso3: the area's countries (a list), or NULL for the world.
SELECT
    i.year,
    i.category,
    i.sex,
    i.age,
    sum(i.value) AS value,
    count(*) FILTER (WHERE i.is_censored) AS censored_cells,
    count(i.value) AS numeric_cells,
    count(DISTINCT i.iso3) AS reporting_countries
FROM indicators AS i
JOIN countries AS c ON c.iso3 = i.iso3
WHERE i.indicator = $indicator
  AND i.dimension = $dimension
  AND ($iso3 IS NULL OR list_contains($iso3, i.iso3))
GROUP BY i.year, i.category, i.sex, i.age
ORDER BY i.year, i.category, i.sex, i.age
