-- Agency x country cells: the selected activities each agency works on in each country, by role.
-- A regional activity counts once in each of its countries. Cells keep only the agencies and
-- places the filters name, so a regional activity reaching outside the chosen region does not
-- add columns outside it.
WITH cells AS (  -- activity_places_agencies has one row per activity, country, agency and role
    SELECT a.rid, a.budget_usd, x.agency, x.role, x.iso3 AS place
    FROM selected_activities($filters) AS a
    JOIN activity_places_agencies AS x USING (rid)
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
