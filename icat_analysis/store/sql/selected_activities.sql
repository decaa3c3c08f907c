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
  -- An activity placed only in a region (an IATI recipient region) is in a chosen region or
  -- sub-region by its name: it is never spread onto the region's countries.
  AND (struct_extract(f, 'iso3') IS NULL
       OR a.rid IN (SELECT ac.rid FROM activity_countries AS ac
                    WHERE list_contains(struct_extract(f, 'iso3'), ac.iso3))
       OR (struct_extract(f, 'region_names') IS NOT NULL
           AND list_has_any(a.regions, struct_extract(f, 'region_names'))))
  AND (struct_extract(f, 'scopes') IS NULL OR list_contains(struct_extract(f, 'scopes'), a.scope))
  AND (struct_extract(f, 'statuses') IS NULL OR list_contains(struct_extract(f, 'statuses'), a.status))
  AND (NOT struct_extract(f, 'joint_only') OR a.is_joint);

-- The themes an activity is shown under: its own, or 'unclassified' when it has none (an
-- imported activity whose text gave no evidence for a theme appears as such, never hidden).
CREATE OR REPLACE MACRO shown_themes(themes) AS
    CASE WHEN len(coalesce(themes, [])) = 0 THEN ['unclassified'] ELSE themes END
;

-- How an activity names its IATI publisher: "International Organization for Migration (IOM,
-- XM-DAC-47066)", "UNICEF (XM-DAC-41122)"; NULL for an activity not read from IATI.
CREATE OR REPLACE MACRO activity_publisher(ref, name) AS
    CASE WHEN ref IS NULL THEN NULL
         WHEN name IS NULL OR name = ref THEN ref
         WHEN ends_with(name, ')') THEN left(name, length(name) - 1) || ', ' || ref || ')'
         ELSE name || ' (' || ref || ')' END;

-- What an activity's detail shows beside the template's columns (the optional columns of
-- docs/SCHEMA.md, section 2): for one read from IATI its identifier there, its publisher and
-- why it was kept; regions, implementing partners, date kinds and the budget in its currency.
-- Row queries join it on rid.
CREATE OR REPLACE VIEW activity_detail AS
SELECT a.rid,
       a.regions,
       a.implementing_partners,
       CASE WHEN a.iati_publisher IS NOT NULL THEN a.activity_id END AS iati_identifier,
       activity_publisher(a.iati_publisher, a.iati_publisher_name) AS publisher,
       a.relevance,
       a.relevance_reason,
       a.start_date_kind,
       a.end_date_kind,
       a.budget_value,
       a.budget_currency,
       a.inferred_from
FROM activities AS a
