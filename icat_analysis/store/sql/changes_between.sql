-- The activities that differ between two versions of the export (views old_acts and new_acts,
-- each with the compared columns packed in `cmp`): new, removed, or changed in any column.
SELECT coalesce(n.activity_id, o.activity_id) AS activity_id,
       coalesce(n.lead_agency, o.lead_agency) AS agency,
       coalesce(n.countries, o.countries) AS countries,
       coalesce(n.title, o.title) AS title,
       o.cmp AS old,
       n.cmp AS new
FROM old_acts AS o
FULL JOIN new_acts AS n ON o.activity_id = n.activity_id
WHERE o.activity_id IS NULL OR n.activity_id IS NULL OR o.cmp IS DISTINCT FROM n.cmp
ORDER BY agency, activity_id
