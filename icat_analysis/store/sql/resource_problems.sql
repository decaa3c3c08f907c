-- Every row-level rule of the resource template (docs/SCHEMA.md, section 4), checked on the
-- table `checked`: the resources of an export, or of a submission being imported, with _file,
-- _row (the row a person sees) and _ord (reading order). `validate` and `import-resources` both
-- run this one query, so they never disagree about what a valid resource is. The rules a
-- resource shares with an event (identifier, title, kind, link, codes, sharing level) are the
-- macros of code_rules.sql; unique ids are repeated_ids.sql.
SELECT
    _file AS file, _row AS row, _ord AS ord, p.col AS "column", p.msg AS message
FROM (
    SELECT
        _file, _row, _ord,
        unnest(list_filter(record_problems('resource', 'resource_id', resource_id, title, kind, $kinds, link) || [
            code_problem('agencies', 'agency code(s)', agencies, $agencies, 'use codes of ' || array_to_string($agencies, ', ')),
            CASE WHEN year < 1800 OR year > year(current_date) + 5 THEN
                {'col': 'year', 'msg': year || ' is not a plausible year of publication'} END,
            code_problem('languages', 'language code(s)', languages, $languages, 'use ' || array_to_string($languages, ', ')),
            code_problem('themes', 'theme(s)', themes, $themes, 'use ' || array_to_string($themes, ', ')),
            code_problem('target_groups', 'target group(s)', target_groups, $target_groups,
                'use ' || array_to_string($target_groups, ', ')),
            code_problem('exploitation_forms', 'exploitation form(s)', exploitation_forms, $exploitation_forms,
                'use ' || array_to_string($exploitation_forms, ', ')),
            code_problem('countries', 'country code(s)', countries, $countries,
                'use ISO 3166-1 alpha-3 (THA) or alpha-2 (TH) codes'),
            code_problem('regions', 'region(s)', regions, $regions,
                'use UN M49 names such as ' || array_to_string($regions[1:4], ', ')),
            level_problem('visibility', visibility, $visibilities)
        ], lambda p: p IS NOT NULL)) AS p
    FROM checked
)
ORDER BY ord
