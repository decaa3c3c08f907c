-- Agency x region cells (UN M49), by role. The DISTINCT makes a regional activity in two
-- countries of one region count once in that region, not once per country. Only the
-- agencies and places the filters name are kept.
WITH cells AS (
    SELECT DISTINCT a.rid, a.budget_usd, x.agency, x.role, c.region AS place
    FROM selected_activities($filters) AS a
    JOIN activity_places_agencies AS x USING (rid)
    JOIN countries AS c ON c.iso3 = x.iso3
    WHERE (struct_extract($filters, 'agencies') IS NULL
           OR list_contains(struct_extract($filters, 'agencies'), x.agency))
      AND (struct_extract($filters, 'iso3') IS NULL
           OR list_contains(struct_extract($filters, 'iso3'), x.iso3))
)
SELECT agency, role, place,
       count(*) AS activities,
       sum(budget_usd) AS budget,
       count(budget_usd) AS with_budget
FROM cells
GROUP BY ALL
ORDER BY agency, role, place
