-- UNODC GLOTIP's total of detected victims (all forms, sexes and ages), one row per country
-- or aggregate code and year, as published. The map's country profile and its need ranking
-- read this view, so "detected victims" means the same cells in both. Censored values
-- (published as "<5") keep value NULL and is_censored true.
CREATE OR REPLACE VIEW detected_victims_totals AS
SELECT iso3, year, value, value_text, is_censored, source
FROM indicators
WHERE indicator = 'Detected trafficking victims'
  AND dimension = 'Total'
  AND category = 'Total'
  AND sex = 'Total'
  AND age = 'Total'
