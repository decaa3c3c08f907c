-- Where the people counted in one country of detection come from: the 'by citizenship'
-- dimension, one row per year and citizenship (category, as UNODC names it; 'Nationals' are
-- citizens of the detecting country). Rows repeated in the source are parts of one cell, so
-- they are added; censored parts are counted, never summed.
SELECT
    i.year,
    i.category AS origin,
    sum(i.value) AS value,
    count(*) FILTER (WHERE i.is_censored) AS censored_cells,
    count(i.value) AS numeric_cells
FROM indicators AS i
WHERE i.indicator = $indicator
  AND i.dimension = 'by citizenship'
  AND i.iso3 = $iso3
  AND i.sex = 'Total'
  AND i.age = 'Total'
GROUP BY i.year, i.category
ORDER BY i.year, i.category
