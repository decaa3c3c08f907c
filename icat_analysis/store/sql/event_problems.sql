-- Every row-level rule of the event template (docs/SCHEMA.md, section 5), checked on the table
-- `checked`: the events of an export, or of a submission being imported, with _file, _row and
-- _ord. `validate` and `import-events` both run this one query.
SELECT
    _file AS file, _row AS row, _ord AS ord, p.col AS "column", p.msg AS message
FROM (
    SELECT
        _file, _row, _ord,
        unnest(list_filter([
            CASE WHEN event_id IS NULL OR trim(event_id) = '' THEN
                {'col': 'event_id', 'msg': 'is blank; every event needs an identifier'} END,
            CASE WHEN length(event_id) > 100 THEN
                {'col': 'event_id', 'msg': 'is ' || length(event_id) || ' characters long; at most 100 are allowed'} END,
            CASE WHEN title IS NULL OR trim(title) = '' THEN
                {'col': 'title', 'msg': 'is blank; every event needs a title'} END,
            CASE WHEN kind IS NULL OR trim(kind) = '' THEN
                {'col': 'kind', 'msg': 'is blank; use ' || array_to_string($kinds, ', ')} END,
            CASE WHEN trim(kind) <> '' AND NOT list_contains($kinds, kind) THEN
                {'col': 'kind', 'msg': 'unknown kind ''' || kind || '''; use ' || array_to_string($kinds, ', ')} END,
            CASE WHEN start_date IS NULL THEN
                {'col': 'start_date', 'msg': 'is blank; give the first day as YYYY-MM-DD'} END,
            CASE WHEN end_date < start_date THEN
                {'col': 'end_date', 'msg': strftime(end_date, '%Y-%m-%d') || ' is before start_date '
                    || strftime(start_date, '%Y-%m-%d')} END,
            CASE WHEN place IS NULL OR trim(place) = '' THEN
                {'col': 'place', 'msg': 'is blank; give the country code (ISO 3166-1) or online'} END,
            CASE WHEN trim(place) <> '' AND place <> 'online' AND NOT list_contains($countries, place) THEN
                {'col': 'place', 'msg': 'unknown place ''' || place
                    || '''; give an ISO 3166-1 alpha-3 (AUT) or alpha-2 (AT) country code, or online'} END,
            code_problem('agencies', 'agency code(s)', agencies, $agencies, 'use codes of ' || array_to_string($agencies, ', ')),
            code_problem('themes', 'theme(s)', themes, $themes, 'use ' || array_to_string($themes, ', ')),
            -- Only web addresses: a javascript: or data: link must never reach a page as a link.
            CASE WHEN link IS NOT NULL AND NOT regexp_matches(link, '^(?i)https?://[^\s<>"'']+$') THEN
                {'col': 'link', 'msg': '''' || left(link, 60) || ''' is not an http:// or https:// web address'} END,
            level_problem('visibility', visibility, $visibilities)
        ], lambda p: p IS NOT NULL)) AS p
    FROM checked
)
ORDER BY ord
