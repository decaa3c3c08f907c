-- The Overview's headline figures for the selected activities. `$today` is bound (not
-- current_date) so a cached result is keyed by the day it describes.
WITH a AS (
    SELECT rid, lead_agency, partner_agencies, is_joint, budget_usd, start_date, end_date, status
    FROM selected_activities($filters) AS a
),
-- agencies from the activities' own lead and partner columns: no join with a link table
involved AS (
    SELECT count(DISTINCT agency) AS n
    FROM (
        SELECT lead_agency AS agency FROM a
        UNION ALL
        SELECT unnest(partner_agencies) AS agency FROM a
    )
),
places AS (
    SELECT count(DISTINCT ac.iso3) AS n
    -- a join, not `rid IN (SELECT ...)`: a has one row per activity (see map_country_values)
    FROM activity_countries AS ac
    JOIN a USING (rid)
)
SELECT
    count(*) AS activities,
    (SELECT n FROM involved) AS agencies,
    (SELECT n FROM places) AS countries,
    count(*) FILTER (WHERE is_joint) AS joint,
    sum(budget_usd) AS known_budget_usd,
    count(budget_usd) AS with_budget,
    count(*) FILTER (
        WHERE start_date <= $today
          AND (end_date IS NULL OR end_date >= $today)
          AND coalesce(status, '') NOT IN ('cancelled', 'pipeline')
    ) AS active_today
FROM a
