-- The activities that differ between two versions of the export (views old_acts and new_acts,
-- each with the compared columns packed in `cmp`): new, removed, or changed in any column.
-- Rows are matched on a 64-bit hash of `cmp` first (one cheap pass over each version); only
-- the few that differ are read whole.
WITH o AS (SELECT activity_id, hash(cmp) AS h FROM old_acts),
     n AS (SELECT activity_id, hash(cmp) AS h FROM new_acts),
     diff AS MATERIALIZED (
         SELECT coalesce(n.activity_id, o.activity_id) AS activity_id
         FROM o FULL JOIN n ON o.activity_id = n.activity_id
         WHERE o.activity_id IS NULL OR n.activity_id IS NULL OR o.h <> n.h
     ),
     od AS (SELECT * FROM old_acts WHERE activity_id IN (SELECT activity_id FROM diff)),
     nw AS (SELECT * FROM new_acts WHERE activity_id IN (SELECT activity_id FROM diff))
SELECT coalesce(nw.activity_id, od.activity_id) AS activity_id,
       coalesce(nw.lead_agency, od.lead_agency) AS agency,
       coalesce(nw.countries, od.countries) AS countries,
       coalesce(nw.title, od.title) AS title,
       od.cmp AS old,
       nw.cmp AS new
FROM od FULL JOIN nw ON od.activity_id = nw.activity_id
ORDER BY agency, activity_id
