-- Per country, what the selected activities put there: a regional activity counts in every
-- country it lists (activity_countries has one row per country), so a country's number is
-- "activities working here", not "activities only here". Global activities with no country
-- list have no row here; map_scope_counts reports them so none are dropped in silence.
WITH sel AS (
    SELECT rid, budget_usd FROM selected_activities($filters)
),
here AS (
    SELECT ac.iso3,
           count(*) AS activities,
           -- Only budgets that were reported; a missing budget is unknown, not zero.
           sum(sel.budget_usd) AS known_budget_usd,
           count(sel.budget_usd) AS activities_with_budget
    FROM sel
    JOIN activity_countries AS ac USING (rid)
    GROUP BY ac.iso3
),
agency_lists AS (
    SELECT x.iso3,
           count(DISTINCT x.agency) AS agencies_present,
           list(DISTINCT x.agency ORDER BY x.agency) AS agencies
    -- a join, not `rid IN (SELECT ...)`: sel has one row per activity, and the join lets DuckDB
    -- build its hash table on the smaller side (about half the work at 1,000,000 activities)
    FROM activity_places_agencies AS x
    JOIN sel USING (rid)
    GROUP BY x.iso3
)
SELECT here.iso3,
       here.activities,
       coalesce(al.agencies_present, 0) AS agencies_present,
       here.known_budget_usd,
       here.activities_with_budget,
       al.agencies
FROM here
LEFT JOIN agency_lists AS al USING (iso3)
ORDER BY here.iso3
