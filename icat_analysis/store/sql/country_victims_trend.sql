-- UNODC GLOTIP: detected victims in one country, all forms, sexes and ages, by year.
-- Censored values (published as "<5") keep value NULL and is_censored true.
SELECT year, value, value_text, is_censored, source
FROM detected_victims_totals
WHERE iso3 = $iso3
ORDER BY year
