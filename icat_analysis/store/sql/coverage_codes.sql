-- Agency x code cells for one of the template's code lists ($code_list: 'themes',
-- 'target_groups' or 'exploitation_forms', from coverage.DIMENSIONS, never a person's text):
-- the selected activities each agency works on for each code, by role. An activity with two
-- codes counts once under each; one without a theme is under 'unclassified'. When the filters
-- name codes of that list, only those columns are kept.
WITH wanted AS (
    SELECT CASE $code_list
               WHEN 'themes' THEN struct_extract($filters, 'themes')
               WHEN 'target_groups' THEN struct_extract($filters, 'target_groups')
               WHEN 'exploitation_forms' THEN struct_extract($filters, 'exploitation_forms')
           END AS codes
),
cells AS (
    SELECT DISTINCT a.rid, a.budget_usd, aa.agency, aa.role, v.place
    FROM selected_activities($filters) AS a
    JOIN activity_agencies AS aa USING (rid)
    CROSS JOIN (SELECT unnest(CASE $code_list
                                  WHEN 'themes' THEN shown_themes(a.themes)
                                  WHEN 'target_groups' THEN a.target_groups
                                  WHEN 'exploitation_forms' THEN a.exploitation_forms
                              END) AS place) AS v
    CROSS JOIN wanted AS w
    WHERE (struct_extract($filters, 'agencies') IS NULL
           OR list_contains(struct_extract($filters, 'agencies'), aa.agency))
      AND (w.codes IS NULL OR list_contains(w.codes, v.place))
)
SELECT agency, role, place,
       count(*) AS activities,
       sum(budget_usd) AS budget,
       count(budget_usd) AS with_budget
FROM cells
GROUP BY ALL
ORDER BY agency, role, place
