-- Macros the resource and event rules share: one message for codes that are not in a list.
-- `code_problem` yields {col, msg} when any value of `vals` is not in `allowed`, else NULL.
CREATE OR REPLACE TEMP MACRO unknown_codes(vals, allowed) AS
    list_filter(coalesce(vals, []), lambda x: NOT list_contains(allowed, x));
CREATE OR REPLACE TEMP MACRO code_problem(col, what, vals, allowed, hint) AS
    CASE WHEN len(unknown_codes(vals, allowed)) > 0 THEN
        {'col': col, 'msg': 'unknown ' || what || ' '
            || array_to_string(list_transform(unknown_codes(vals, allowed), lambda x: '''' || x || ''''), ', ')
            || '; ' || hint} END;
