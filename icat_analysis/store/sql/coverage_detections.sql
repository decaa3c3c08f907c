-- Where UNODC reports detected trafficking victims: per country, the latest year with a detected
-- count above zero, that count, and the latest year the country reported at all (so "detected in
-- its latest reported year" can be told apart from "detected at some point"). The largest figure
-- of a country-year is its total (breakdowns by sex, age or form never exceed it). Censored
-- values ("<5") have no number and do not count as detections. GLOTIP's regional aggregates
-- (codes that are not countries of the reference list) are left out.
WITH victims AS (
    SELECT iso3, year, value, is_censored
    FROM indicators
    WHERE lower(indicator) LIKE '%detected%victim%'
      AND iso3 IN (SELECT iso3 FROM countries)
),
by_year AS (
    SELECT iso3, year, max(value) AS victims
    FROM victims
    GROUP BY ALL
)
SELECT iso3,
       max(year) AS latest_reported_year,
       max(year) FILTER (WHERE victims > 0) AS latest_detection_year,
       arg_max(victims, year) FILTER (WHERE victims > 0) AS latest_detected_victims,
       count(*) FILTER (WHERE victims > 0) AS years_with_detections
FROM by_year
GROUP BY iso3
HAVING count(*) FILTER (WHERE victims > 0) > 0
ORDER BY iso3
