-- Agency x country cells: the selected activities each agency works on in each country, by role.
-- A regional activity counts once in each of its countries. Cells keep only the agencies and
-- places the filters name, so a regional activity reaching outside the chosen region does not
-- add columns outside it.
WITH cells AS (
    SELECT DISTINCT a.activity_id, a.budget_usd, aa.agency, aa.role, ac.iso3 AS place
    FROM selected_activities($filters) AS a
    JOIN activity_agencies AS aa ON aa.activity_id = a.activity_id
    JOIN activity_countries AS ac ON ac.activity_id = a.activity_id
    WHERE (struct_extract($filters, 'agencies') IS NULL
           OR list_contains(struct_extract($filters, 'agencies'), aa.agency))
      AND (struct_extract($filters, 'iso3') IS NULL
           OR list_contains(struct_extract($filters, 'iso3'), ac.iso3))
)
SELECT agency, role, place,
       count(*) AS activities,
       sum(budget_usd) AS budget,
       count(budget_usd) AS with_budget
FROM cells
GROUP BY ALL
ORDER BY agency, role, place
