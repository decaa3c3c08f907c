-- Macros the resource and event rules share: one message for codes that are not in a list, and one
-- for a sharing level.
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
