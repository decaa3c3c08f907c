-- Agency x target group cells: the selected activities each agency works on for each target group,
-- by role. An activity with two target groups counts once under each. When the filters name
-- target groups, only those columns are kept.
WITH cells AS (
    SELECT DISTINCT a.activity_id, a.budget_usd, aa.agency, aa.role, v.place
    FROM selected_activities($filters) AS a
    JOIN activity_agencies AS aa ON aa.activity_id = a.activity_id
    CROSS JOIN (SELECT unnest(a.target_groups) AS place) AS v
    WHERE (struct_extract($filters, 'agencies') IS NULL
           OR list_contains(struct_extract($filters, 'agencies'), aa.agency))
      AND (struct_extract($filters, 'target_groups') IS NULL
           OR list_contains(struct_extract($filters, 'target_groups'), v.place))
)
SELECT agency, role, place,
       count(*) AS activities,
       sum(budget_usd) AS budget,
       count(budget_usd) AS with_budget
FROM cells
GROUP BY ALL
ORDER BY agency, role, place
