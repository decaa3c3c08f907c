-- Every row-level rule of the event template (docs/SCHEMA.md, section 5), checked on the table
-- `checked`: the events of an export, or of a submission being imported, with _file, _row and
-- _ord. `validate` and `import-events` both run this one query. The rules an event shares with
-- a resource (identifier, title, kind, link, codes, sharing level) are the macros of code_rules.sql.
SELECT
    _file AS file, _row AS row, _ord AS ord, p.col AS "column", p.msg AS message
FROM (
    SELECT
        _file, _row, _ord,
        unnest(list_filter(record_problems('event', 'event_id', event_id, title, kind, $kinds, link) || [
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
            level_problem('visibility', visibility, $visibilities)
        ], lambda p: p IS NOT NULL)) AS p
    FROM checked
)
ORDER BY ord
