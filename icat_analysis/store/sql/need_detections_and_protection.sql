-- Detected victims in each country's latest reported year (UNODC GLOTIP, totals), set against
-- the selected protection-themed activities working there in that year or now.
WITH latest AS (
    SELECT iso3, max(year) AS year FROM detected_victims_totals GROUP BY iso3
),
detections AS (
    SELECT v.iso3, v.year, v.value, v.value_text, v.is_censored
    FROM detected_victims_totals AS v
    JOIN latest USING (iso3, year)
),
-- One row per selected protection activity and country it works in (activity_countries has
-- one row per activity and country, so counting rows counts activities).
protection AS (
    SELECT ac.iso3, a.start_date,
           coalesce(a.end_date, current_date) AS end_day,
           coalesce(a.status, '') NOT IN ('cancelled', 'pipeline', 'completed')
               AND a.start_date <= current_date
               AND coalesce(a.end_date, current_date) >= current_date AS active_now
    FROM selected_activities($filters) AS a
    JOIN activity_countries AS ac USING (rid)
    WHERE list_contains(a.themes, 'protection')
      AND coalesce(a.status, '') <> 'cancelled'  -- a cancelled activity protects no one
),
protection_counts AS (
    SELECT p.iso3,
           count(*) FILTER (WHERE p.in_latest_year) AS protection_in_latest_year,
           count(*) FILTER (WHERE p.active_now) AS protection_now,
           count(*) FILTER (WHERE p.active_now OR p.in_latest_year) AS protection_activities
    FROM (
        SELECT p.iso3, p.active_now,
               p.start_date <= make_date(d.year, 12, 31)
                   AND p.end_day >= make_date(d.year, 1, 1) AS in_latest_year
        FROM protection AS p
        JOIN detections AS d USING (iso3)
    ) AS p
    GROUP BY p.iso3
),
all_here AS (
    SELECT ac.iso3, count(*) AS activities
    FROM selected_activities($filters) AS a
    JOIN activity_countries AS ac USING (rid)
    GROUP BY ac.iso3
)
SELECT d.iso3,
       d.year AS latest_year,
       d.value AS detected_victims,
       d.value_text,
       d.is_censored,
       coalesce(pc.protection_in_latest_year, 0) AS protection_in_latest_year,
       coalesce(pc.protection_now, 0) AS protection_now,
       coalesce(pc.protection_activities, 0) AS protection_activities,
       coalesce(h.activities, 0) AS activities_all_themes
FROM detections AS d
LEFT JOIN protection_counts AS pc USING (iso3)
LEFT JOIN all_here AS h USING (iso3)
ORDER BY d.iso3
