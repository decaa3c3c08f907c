-- One page of agency_activities: its rows $offset+1 .. $offset+$limit, newest first. The page's
-- IDs are sorted first and only those rows read in full (see activity_rows_page).
WITH page AS (
    SELECT a.rid, a.activity_id, aa.role, a.start_date
    FROM selected_activities($filters) AS a
    JOIN activity_agencies AS aa ON aa.rid = a.rid AND aa.agency = $agency
    ORDER BY a.start_date DESC, a.activity_id
    LIMIT $limit OFFSET $offset
)
SELECT a.activity_id, a.title, page.role, a.lead_agency, a.partner_agencies, a.scope, a.countries,
       a.start_date, a.end_date, a.status, a.budget_usd, a.themes,
       d.* EXCLUDE (rid)
FROM page
JOIN activities AS a ON a.rid = page.rid
JOIN activity_detail AS d ON d.rid = page.rid
ORDER BY a.start_date DESC, a.activity_id
