-- The Overview's headline figures for the selected activities. `$today` is bound (not
-- current_date) so a cached result is keyed by the day it describes.
WITH a AS (
    SELECT * FROM selected_activities($filters) AS a
),
involved AS (
    SELECT count(DISTINCT x.agency) AS n
    FROM activity_agencies AS x
    SEMI JOIN a ON a.activity_id = x.activity_id
),
places AS (
    SELECT count(DISTINCT iso3) AS n
    FROM (SELECT unnest(countries) AS iso3 FROM a)
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
