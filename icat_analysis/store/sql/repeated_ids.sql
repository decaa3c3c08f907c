-- Identifiers given more than once, for every template (activities, resources, events): run on
-- the view `ids` (id, _file, _row, _ord) made from `checked`, after the template's own row rules.
-- $column names the id column and $what says it in words ("an activity_id").
SELECT _file AS file, _row AS row, _ord AS ord, $column AS "column",
    '''' || id || '''' || ' appears more than once (first at '
    || CASE WHEN first_file = _file THEN 'row ' ELSE first_file || ':' END || first_row
    || '); ' || $what || ' must be unique' AS message
FROM (
    SELECT
        id, _file, _row, _ord,
        row_number() OVER w AS occurrence,
        first_value(_file) OVER w AS first_file,
        first_value(_row) OVER w AS first_row
    FROM ids
    WHERE id IS NOT NULL AND trim(id) <> ''
    WINDOW w AS (PARTITION BY id ORDER BY _ord)
)
WHERE occurrence > 1
ORDER BY ord
