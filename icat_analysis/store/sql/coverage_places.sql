-- Agency x place cells: the selected activities each agency works on in each place, by role.
-- $place names the places (from coverage.DIMENSIONS, never a person's text): 'country',
-- 'sub_region' or 'region', or a code list of the template ('themes', 'target_groups',
-- 'exploitation_forms'); any other value selects nothing.
-- * A regional activity counts once in each of its countries, and once (not once per country)
--   in its sub-region or region. Only the agencies and places the filters name are kept, so a
--   regional activity reaching outside the chosen region does not add columns outside it.
-- * An activity with two codes counts once under each; one without a theme is under
--   'unclassified'. When the filters name codes of that list, only those are kept.
WITH reached AS NOT MATERIALIZED (  -- one row per activity, country, agency and role
    SELECT a.rid, a.budget_usd, x.agency, x.role, x.iso3
    FROM selected_activities($filters) AS a
    JOIN activity_places_agencies AS x USING (rid)
    WHERE $place IN ('country', 'sub_region', 'region')
      AND (struct_extract($filters, 'agencies') IS NULL
           OR list_contains(struct_extract($filters, 'agencies'), x.agency))
      AND (struct_extract($filters, 'iso3') IS NULL
           OR list_contains(struct_extract($filters, 'iso3'), x.iso3))
),
wanted AS (
    SELECT CASE $place
               WHEN 'themes' THEN struct_extract($filters, 'themes')
               WHEN 'target_groups' THEN struct_extract($filters, 'target_groups')
               WHEN 'exploitation_forms' THEN struct_extract($filters, 'exploitation_forms')
           END AS codes
),
cells AS (
    SELECT rid, budget_usd, agency, role, iso3 AS place
    FROM reached
    WHERE $place = 'country'
    UNION ALL
    -- two countries of one region reached by one activity make one cell row, not two
    SELECT DISTINCT r.rid, r.budget_usd, r.agency, r.role,
           CASE $place WHEN 'region' THEN c.region ELSE c.sub_region END AS place
    FROM reached AS r
    JOIN countries AS c ON c.iso3 = r.iso3
    WHERE $place IN ('region', 'sub_region')
    UNION ALL
    SELECT DISTINCT a.rid, a.budget_usd, aa.agency, aa.role, v.place
    FROM selected_activities($filters) AS a
    JOIN activity_agencies AS aa USING (rid)
    CROSS JOIN (SELECT unnest(CASE $place
                                  WHEN 'themes' THEN shown_themes(a.themes)
                                  WHEN 'target_groups' THEN a.target_groups
                                  WHEN 'exploitation_forms' THEN a.exploitation_forms
                              END) AS place) AS v
    CROSS JOIN wanted AS w
    WHERE $place IN ('themes', 'target_groups', 'exploitation_forms')
      AND (struct_extract($filters, 'agencies') IS NULL
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
