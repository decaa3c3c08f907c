-- One country's profile header: the selected activities working there, their known budget and
-- how many of them also work elsewhere (regional or global).
SELECT count(*) AS activities,
       coalesce(sum(a.budget_usd), 0) AS known_budget_usd,
       count(a.budget_usd) AS activities_with_budget,
       count(*) FILTER (WHERE a.scope IN ('regional', 'global')) AS regional_or_global
FROM selected_activities($filters) AS a
WHERE a.rid IN (SELECT rid FROM activity_countries WHERE iso3 = $iso3)
