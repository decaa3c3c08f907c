-- Per country, what the selected activities put there: a regional activity counts in every
-- country it lists (activity_countries has one row per country), so a country's number is
-- "activities working here", not "activities only here". Global activities with no country
-- list have no row here; map_scope_counts reports them so none are dropped in silence.
WITH sel AS (
    SELECT activity_id, budget_usd FROM selected_activities($filters)
),
here AS (
    SELECT ac.iso3, sel.activity_id, sel.budget_usd
    FROM sel
    JOIN activity_countries AS ac USING (activity_id)
),
present AS (
    SELECT here.iso3, aa.agency, aa.role
    FROM here
    JOIN activity_agencies AS aa USING (activity_id)
),
agency_lists AS (
    SELECT iso3,
           count(DISTINCT agency) AS agencies_present,
           list(DISTINCT agency ORDER BY agency) AS agencies
    FROM present
    GROUP BY iso3
)
SELECT here.iso3,
       count(DISTINCT here.activity_id) AS activities,
       coalesce(any_value(al.agencies_present), 0) AS agencies_present,
       -- Only budgets that were reported; a missing budget is unknown, not zero.
       sum(here.budget_usd) AS known_budget_usd,
       count(here.budget_usd) AS activities_with_budget,
       any_value(al.agencies) AS agencies
FROM here
LEFT JOIN agency_lists AS al USING (iso3)
GROUP BY here.iso3
ORDER BY here.iso3
