-- The activities a filter set selects. Every page query reads activities through this macro,
-- so a filter means the same thing everywhere. `f` is a STRUCT bound from Filters.as_sql_param();
-- a NULL field means "no restriction".
CREATE OR REPLACE MACRO selected_activities(f) AS TABLE
SELECT a.*
FROM activities AS a
WHERE (struct_extract(f, 'year_from') IS NULL
       OR coalesce(a.end_date, current_date) >= make_date(struct_extract(f, 'year_from'), 1, 1))
  AND (struct_extract(f, 'year_to') IS NULL
       OR a.start_date <= make_date(struct_extract(f, 'year_to'), 12, 31))
  AND (struct_extract(f, 'agencies') IS NULL
       OR (struct_extract(f, 'role') IN ('any', 'lead')
           AND list_contains(struct_extract(f, 'agencies'), a.lead_agency))
       OR (struct_extract(f, 'role') IN ('any', 'partner')
           AND list_has_any(a.partner_agencies, struct_extract(f, 'agencies'))))
  AND (struct_extract(f, 'themes') IS NULL OR list_has_any(a.themes, struct_extract(f, 'themes')))
  AND (struct_extract(f, 'activity_types') IS NULL
       OR list_has_any(a.activity_types, struct_extract(f, 'activity_types')))
  AND (struct_extract(f, 'target_groups') IS NULL
       OR list_has_any(a.target_groups, struct_extract(f, 'target_groups')))
  AND (struct_extract(f, 'exploitation_forms') IS NULL
       OR list_has_any(a.exploitation_forms, struct_extract(f, 'exploitation_forms')))
  -- places through the link table: a semi-join is about four times faster than list_has_any
  -- over every activity's country list
  AND (struct_extract(f, 'iso3') IS NULL
       OR a.rid IN (SELECT ac.rid FROM activity_countries AS ac
                    WHERE list_contains(struct_extract(f, 'iso3'), ac.iso3)))
  AND (struct_extract(f, 'scopes') IS NULL OR list_contains(struct_extract(f, 'scopes'), a.scope))
  AND (struct_extract(f, 'statuses') IS NULL OR list_contains(struct_extract(f, 'statuses'), a.status))
  AND (NOT struct_extract(f, 'joint_only') OR a.is_joint)
