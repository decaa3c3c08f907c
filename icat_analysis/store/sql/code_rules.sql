-- Macros the resource and event rules share: one message for codes that are not in a list, one
-- for a sharing level, and the rules on the identifier, title, kind and link of a row.
-- `code_problem` yields {col, msg} when any value of `vals` is not in `allowed`, else NULL.
CREATE OR REPLACE TEMP MACRO unknown_codes(vals, allowed) AS
    list_filter(coalesce(vals, []), lambda x: NOT list_contains(allowed, x));
CREATE OR REPLACE TEMP MACRO code_problem(col, what, vals, allowed, hint) AS
    CASE WHEN len(unknown_codes(vals, allowed)) > 0 THEN
        {'col': col, 'msg': 'unknown ' || what || ' '
            || array_to_string(list_transform(unknown_codes(vals, allowed), lambda x: '''' || x || ''''), ', ')
            || '; ' || hint} END;
-- `level_problem` yields {col, msg} when the sharing level `val` is blank or not one of `levels`.
CREATE OR REPLACE TEMP MACRO level_problem(col, val, levels) AS
    CASE WHEN val IS NULL OR trim(val) = '' THEN
            {'col': col, 'msg': 'is blank; use ' || array_to_string(levels, ' or ')}
        WHEN NOT list_contains(levels, val) THEN
            {'col': col, 'msg': 'unknown sharing level ''' || val || '''; use ' || array_to_string(levels, ' or ')}
    END;
-- `record_problems` yields the rules every resource and event keeps, as a list of {col, msg}
-- (NULL where a rule holds): an identifier (`id_col`, `id_val`) of at most 100 characters, a
-- title, a `kind_val` of the list `kinds`, and a `link_val` that is a web address. `what` names
-- the row: 'resource', 'event'.
CREATE OR REPLACE TEMP MACRO record_problems(what, id_col, id_val, title_val, kind_val, kinds, link_val) AS [
    CASE WHEN id_val IS NULL OR trim(id_val) = '' THEN
        {'col': id_col, 'msg': 'is blank; every ' || what || ' needs an identifier'} END,
    CASE WHEN length(id_val) > 100 THEN
        {'col': id_col, 'msg': 'is ' || length(id_val) || ' characters long; at most 100 are allowed'} END,
    CASE WHEN title_val IS NULL OR trim(title_val) = '' THEN
        {'col': 'title', 'msg': 'is blank; every ' || what || ' needs a title'} END,
    CASE WHEN kind_val IS NULL OR trim(kind_val) = '' THEN
        {'col': 'kind', 'msg': 'is blank; use ' || array_to_string(kinds, ', ')} END,
    CASE WHEN trim(kind_val) <> '' AND NOT list_contains(kinds, kind_val) THEN
        {'col': 'kind', 'msg': 'unknown kind ''' || kind_val || '''; use ' || array_to_string(kinds, ', ')} END,
    -- Only web addresses: a javascript: or data: link must never reach a page as a link.
    CASE WHEN link_val IS NOT NULL AND NOT regexp_matches(link_val, '^(?i)https?://[^\s<>"'']+$') THEN
        {'col': 'link', 'msg': '''' || left(link_val, 60) || ''' is not an http:// or https:// web address'} END
];
