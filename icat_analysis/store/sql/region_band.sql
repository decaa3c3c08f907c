-- The selected activities placed in a named region and in no country (an IATI recipient
-- region): one row per region, with its activities, lead agencies and known budget, and the
-- number of such activities in all (an activity in two regions counts once in each region).
-- Pages show them in a band of their own beside the country figures; they are never spread
-- onto the region's countries.
WITH placed AS (
    SELECT a.rid, unnest(a.regions) AS region, a.lead_agency, a.budget_usd
    FROM selected_activities($filters) AS a
    WHERE len(coalesce(a.countries, [])) = 0 AND len(coalesce(a.regions, [])) > 0
)
SELECT p.region,
       count(*) AS activities,
       list_sort(list_distinct(list(p.lead_agency))) AS agencies,
       sum(p.budget_usd) AS budget_usd,
       count(p.budget_usd) AS with_budget,
       (SELECT count(DISTINCT rid) FROM placed) AS region_only
FROM placed AS p
GROUP BY p.region
ORDER BY activities DESC, p.region
