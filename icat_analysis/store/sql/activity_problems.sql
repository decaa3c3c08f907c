-- Every row-level rule of the activity template (docs/SCHEMA.md, section 1), checked on the
-- table `checked`: the activities of an export, or of a submission being imported, with
-- _file, _row (the row a person sees) and _ord (reading order). `validate` and
-- `import-activities` both run this one query, so they never disagree about what a valid
-- activity is. One scan: each rule yields a {column, message} struct or NULL; uniqueness
-- needs a window and runs apart on the id columns alone (sorting whole rows is slow), in
-- repeated_ids.sql, which every template shares.
WITH a AS (
    SELECT
        *,
        coalesce(partner_agencies, []) AS _partners,
        coalesce(countries, []) AS _countries,
        coalesce(themes, []) AS _themes,
        list_filter(coalesce(partner_agencies, []), lambda x: NOT list_contains($agencies, x)) AS _bad_partners,
        list_filter(coalesce(countries, []), lambda x: NOT list_contains($countries, x)) AS _bad_countries,
        list_filter(coalesce(themes, []), lambda x: NOT list_contains($themes, x)) AS _bad_themes,
        list_filter(coalesce(activity_types, []), lambda x: NOT list_contains($activity_types, x)) AS _bad_types,
        list_filter(coalesce(target_groups, []), lambda x: NOT list_contains($target_groups, x)) AS _bad_groups,
        list_filter(coalesce(exploitation_forms, []), lambda x: NOT list_contains($exploitation_forms, x))
            AS _bad_forms,
        -- the first control character (C0, DEL, C1) or invisible bidirectional mark or override
        -- in the id: it would make two ids that look the same differ, or one read backwards
        regexp_extract(activity_id,
            '[\x00-\x1f\x7f-\x{9f}\x{61c}\x{200e}\x{200f}\x{202a}-\x{202e}\x{2066}-\x{2069}]') AS _hidden
    FROM checked
),
found AS (
    SELECT
        _file, _row, _ord,
        unnest(list_filter([
            CASE WHEN activity_id IS NULL OR trim(activity_id) = '' THEN
                {'col': 'activity_id', 'msg': 'is blank; every activity needs an identifier'} END,
            CASE WHEN length(activity_id) > 100 THEN
                {'col': 'activity_id', 'msg': 'is ' || length(activity_id) || ' characters long; at most 100 are allowed'} END,
            CASE WHEN activity_id <> trim(activity_id) THEN
                {'col': 'activity_id', 'msg': 'has blanks around it'} END,
            CASE WHEN _hidden <> '' THEN
                {'col': 'activity_id', 'msg': 'holds an invisible or control character ('
                    || printf('U+%04X', unicode(_hidden)) || ' at character '
                    || (strpos(activity_id, _hidden)) || '); an activity_id is plain visible text'} END,
            CASE WHEN title IS NULL OR trim(title) = '' THEN
                {'col': 'title', 'msg': 'is blank; every activity needs a title'} END,
            CASE WHEN lead_agency IS NULL OR trim(lead_agency) = '' THEN
                {'col': 'lead_agency', 'msg': 'is blank; give the code of the leading agency'} END,
            CASE WHEN trim(lead_agency) <> '' AND NOT list_contains($agencies, lead_agency) THEN
                {'col': 'lead_agency', 'msg': 'unknown agency code ''' || lead_agency || '''; use one of '
                    || array_to_string($agencies, ', ')} END,
            CASE WHEN len(_bad_partners) > 0 THEN
                {'col': 'partner_agencies', 'msg': 'unknown agency code(s) '
                    || array_to_string(list_transform(_bad_partners, lambda x: '''' || x || ''''), ', ')
                    || '; use codes of ' || array_to_string($agencies, ', ')} END,
            CASE WHEN list_contains(_partners, lead_agency) THEN
                {'col': 'partner_agencies', 'msg': 'lists the lead agency ''' || lead_agency
                    || ''' as a partner too; the lead is never its own partner'} END,
            CASE WHEN scope IS NULL OR trim(scope) = '' THEN
                {'col': 'scope', 'msg': 'is blank; use ' || array_to_string($scopes, ', ')} END,
            CASE WHEN trim(scope) <> '' AND NOT list_contains($scopes, scope) THEN
                {'col': 'scope', 'msg': 'unknown scope ''' || scope || '''; use ' || array_to_string($scopes, ', ')} END,
            CASE WHEN len(_bad_countries) > 0 THEN
                {'col': 'countries', 'msg': 'unknown country code(s) '
                    || array_to_string(list_transform(_bad_countries, lambda x: '''' || x || ''''), ', ')
                    || '; use ISO 3166-1 alpha-3 (THA) or alpha-2 (TH) codes'} END,
            CASE WHEN scope = 'national' AND len(_countries) <> 1 THEN
                {'col': 'countries', 'msg': 'a national activity needs exactly one country; '
                    || len(_countries) || ' given'} END,
            CASE WHEN scope = 'regional' AND len(_countries) = 0 AND len(coalesce(regions, [])) = 0 THEN
                {'col': 'countries', 'msg': 'a regional activity needs one or more countries (or regions); none given'} END,
            CASE WHEN start_date IS NULL THEN
                {'col': 'start_date', 'msg': 'is blank; give the start date as YYYY-MM-DD'} END,
            CASE WHEN year(start_date) NOT BETWEEN $first_year AND $last_year THEN
                {'col': 'start_date', 'msg': 'year ' || year(start_date) || ' is outside ' || $first_year || '-'
                    || $last_year || ', the years an activity may start (docs/SCHEMA.md); check the date'} END,
            CASE WHEN year(end_date) NOT BETWEEN $first_year AND $last_year THEN
                {'col': 'end_date', 'msg': 'year ' || year(end_date) || ' is outside ' || $first_year || '-'
                    || $last_year || ', the years an activity may end (docs/SCHEMA.md); check the date'} END,
            CASE WHEN end_date < start_date THEN
                {'col': 'end_date', 'msg': strftime(end_date, '%Y-%m-%d') || ' is before start_date '
                    || strftime(start_date, '%Y-%m-%d')} END,
            CASE WHEN status IS NULL OR trim(status) = '' THEN
                {'col': 'status', 'msg': 'is blank; use ' || array_to_string($statuses, ', ')} END,
            CASE WHEN trim(status) <> '' AND NOT list_contains($statuses, status) THEN
                {'col': 'status', 'msg': 'unknown status ''' || status || '''; use '
                    || array_to_string($statuses, ', ')} END,
            CASE WHEN budget_usd < 0 THEN
                {'col': 'budget_usd', 'msg': 'is negative (' || budget_usd || '); a budget is 0 or more'} END,
            CASE WHEN isnan(budget_usd) OR isinf(budget_usd) THEN
                {'col': 'budget_usd', 'msg': 'is not a finite number'} END,
            -- An imported IATI activity with no evidence for a theme stays unclassified (empty).
            CASE WHEN len(_themes) = 0 AND iati_publisher IS NULL THEN
                {'col': 'themes', 'msg': 'is empty; give one or more of ' || array_to_string($themes, ', ')} END,
            CASE WHEN len(_bad_themes) > 0 THEN
                {'col': 'themes', 'msg': 'unknown theme(s) '
                    || array_to_string(list_transform(_bad_themes, lambda x: '''' || x || ''''), ', ')
                    || '; use ' || array_to_string($themes, ', ')} END,
            CASE WHEN len(_bad_types) > 0 THEN
                {'col': 'activity_types', 'msg': 'unknown activity type(s) '
                    || array_to_string(list_transform(_bad_types, lambda x: '''' || x || ''''), ', ')
                    || '; use ' || array_to_string($activity_types, ', ')} END,
            CASE WHEN len(_bad_groups) > 0 THEN
                {'col': 'target_groups', 'msg': 'unknown target group(s) '
                    || array_to_string(list_transform(_bad_groups, lambda x: '''' || x || ''''), ', ')
                    || '; use ' || array_to_string($target_groups, ', ')} END,
            CASE WHEN len(_bad_forms) > 0 THEN
                {'col': 'exploitation_forms', 'msg': 'unknown exploitation form(s) '
                    || array_to_string(list_transform(_bad_forms, lambda x: '''' || x || ''''), ', ')
                    || '; use ' || array_to_string($exploitation_forms, ', ')} END,
            CASE WHEN visibility IS NULL OR trim(visibility) = '' THEN
                {'col': 'visibility', 'msg': 'is blank; use ' || array_to_string($visibilities, ' or ')} END,
            CASE WHEN trim(visibility) <> '' AND NOT list_contains($visibilities, visibility) THEN
                {'col': 'visibility', 'msg': 'unknown sharing level ''' || visibility || '''; use '
                    || array_to_string($visibilities, ' or ')} END,
            CASE WHEN budget_visibility IS NULL OR trim(budget_visibility) = '' THEN
                {'col': 'budget_visibility', 'msg': 'is blank; use ' || array_to_string($visibilities, ' or ')} END,
            CASE WHEN trim(budget_visibility) <> '' AND NOT list_contains($visibilities, budget_visibility) THEN
                {'col': 'budget_visibility', 'msg': 'unknown sharing level ''' || budget_visibility || '''; use '
                    || array_to_string($visibilities, ' or ')} END,
            CASE WHEN budget_visibility = 'public' AND visibility = 'members' THEN
                {'col': 'budget_visibility', 'msg': 'is public but the activity is shared with members only; '
                    || 'a budget is never shared more widely than its activity'} END,
            CASE WHEN is_joint IS DISTINCT FROM (len(_partners) > 0) THEN
                {'col': 'is_joint', 'msg': 'is ' || coalesce(CAST(is_joint AS VARCHAR), 'empty')
                    || ' but the activity has ' || len(_partners) || ' partner agencies'} END
        ], lambda p: p IS NOT NULL)) AS p
    FROM a
)
SELECT _file AS file, _row AS row, _ord AS ord, p.col AS "column", p.msg AS message
FROM found
ORDER BY ord
