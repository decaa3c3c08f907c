-- One page of activity_rows: the rows $offset+1 .. $offset+$limit in the order of the activity ID.
-- The page's IDs are found first, sorting the IDs alone, and only then are those rows read in
-- full, joined on the dense row id: a sort that carried every column would hold $offset rows of
-- descriptions, which took two seconds on the last page of a million activities (under half a
-- second this way).
WITH page AS (
    SELECT a.rid, a.activity_id
    FROM selected_activities($filters) AS a
    ORDER BY a.activity_id
    LIMIT $limit OFFSET $offset
)
SELECT a.activity_id, a.title, a.description, a.lead_agency, a.partner_agencies, a.scope, a.countries,
       a.start_date, a.end_date, a.status, a.budget_usd, a.themes, a.activity_types, a.target_groups,
       a.exploitation_forms, a.donors, a.last_updated, a.visibility, a.budget_visibility, a.is_joint,
       d.* EXCLUDE (rid)
FROM page
JOIN activities AS a ON a.rid = page.rid
JOIN activity_detail AS d ON d.rid = page.rid
ORDER BY a.activity_id
