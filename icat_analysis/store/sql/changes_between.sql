-- The changes between two versions of the export, one row per new, ended, cancelled or removed
-- activity and per changed field (analyses/changes.py COLUMNS).
-- Views: old_hashes/new_hashes, a 64-bit hash of each activity's compared columns (stored with
-- the version, store/row_hashes.py); old_acts/new_acts, the activities with the compared columns
-- in lists `raw` (to compare) and `shown` (to print), in the order of $fields (their names).
-- Matching on the hashes reads two narrow columns of each version; only the activities whose
-- hash differs are read whole.
WITH differ AS MATERIALIZED (
         SELECT coalesce(n.activity_id, o.activity_id) AS activity_id
         FROM old_hashes AS o FULL JOIN new_hashes AS n ON o.activity_id = n.activity_id
         WHERE o.activity_id IS NULL OR n.activity_id IS NULL OR o.row_hash <> n.row_hash
     ),
     od AS (SELECT * FROM old_acts WHERE activity_id IN (SELECT activity_id FROM differ)),
     nw AS (SELECT * FROM new_acts WHERE activity_id IN (SELECT activity_id FROM differ)),
     pairs AS (
         SELECT coalesce(nw.activity_id, od.activity_id) AS activity_id,
                coalesce(nw.lead_agency, od.lead_agency) AS agency,
                array_to_string(coalesce(nw.countries, od.countries, []::VARCHAR[]), ', ') AS countries,
                coalesce(nw.title, od.title) AS title,
                CASE WHEN od.activity_id IS NULL THEN 'new'
                     WHEN nw.activity_id IS NULL THEN 'removed'
                     WHEN nw.status IS DISTINCT FROM od.status AND nw.status = 'completed' THEN 'ended'
                     WHEN nw.status IS DISTINCT FROM od.status AND nw.status = 'cancelled' THEN 'cancelled'
                     ELSE 'changed'
                END AS change,
                -- 0 stands for the activity itself (new or removed); 1.. for each field that differs
                CASE WHEN od.activity_id IS NULL OR nw.activity_id IS NULL THEN [0]
                     ELSE list_filter(range(1, len($fields) + 1), lambda i: od.raw[i] IS DISTINCT FROM nw.raw[i])
                END AS fields,
                od.shown AS old_shown,
                nw.shown AS new_shown
         FROM od FULL JOIN nw ON od.activity_id = nw.activity_id
     ),
     each_field AS (SELECT * EXCLUDE (fields), unnest(fields) AS i FROM pairs)
SELECT agency,
       countries,
       activity_id,
       title,
       change,
       CASE WHEN i = 0 THEN '' ELSE $fields[i] END AS field,
       CASE WHEN i = 0 THEN '' ELSE old_shown[i] END AS old,
       CASE WHEN i = 0 THEN '' ELSE new_shown[i] END AS new
FROM each_field
ORDER BY agency, activity_id, i
