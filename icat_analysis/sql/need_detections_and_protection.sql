-- Detected victims in each country's latest reported year (UNODC GLOTIP, totals), set against
-- the selected protection-themed activities working there in that year or now.
WITH victims AS (
    SELECT iso3, year, value, value_text, is_censored
    FROM indicators
    WHERE indicator = 'Detected trafficking victims'
      AND dimension = 'Total'
      AND category = 'Total'
      AND sex = 'Total'
      AND age = 'Total'
),
latest AS (
    SELECT iso3, max(year) AS year FROM victims GROUP BY iso3
),
detections AS (
    SELECT v.iso3, v.year, v.value, v.value_text, v.is_censored
    FROM victims AS v
    JOIN latest USING (iso3, year)
),
protection AS (
    SELECT ac.iso3, a.activity_id, a.start_date, a.end_date,
           coalesce(a.status, '') NOT IN ('cancelled', 'pipeline', 'completed')
               AND a.start_date <= current_date
               AND coalesce(a.end_date, current_date) >= current_date AS active_now
    FROM selected_activities($filters) AS a
    JOIN activity_countries AS ac USING (activity_id)
    WHERE list_contains(a.themes, 'protection')
      AND coalesce(a.status, '') <> 'cancelled'  -- a cancelled activity protects no one
),
all_here AS (
    SELECT ac.iso3, count(DISTINCT a.activity_id) AS activities
    FROM selected_activities($filters) AS a
    JOIN activity_countries AS ac USING (activity_id)
    GROUP BY ac.iso3
)
SELECT d.iso3,
       d.year AS latest_year,
       d.value AS detected_victims,
       d.value_text,
       d.is_censored,
       count(DISTINCT p.activity_id) FILTER (
           WHERE p.start_date <= make_date(d.year, 12, 31)
             AND coalesce(p.end_date, current_date) >= make_date(d.year, 1, 1)
       ) AS protection_in_latest_year,
       count(DISTINCT p.activity_id) FILTER (WHERE p.active_now) AS protection_now,
       count(DISTINCT p.activity_id) FILTER (
           WHERE p.active_now
              OR (p.start_date <= make_date(d.year, 12, 31)
                  AND coalesce(p.end_date, current_date) >= make_date(d.year, 1, 1))
       ) AS protection_activities,
       coalesce(any_value(h.activities), 0) AS activities_all_themes
FROM detections AS d
LEFT JOIN protection AS p ON p.iso3 = d.iso3
LEFT JOIN all_here AS h ON h.iso3 = d.iso3
GROUP BY d.iso3, d.year, d.value, d.value_text, d.is_censored
ORDER BY d.iso3
