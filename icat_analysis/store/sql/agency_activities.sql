-- One agency's selected activities (as lead or partner), newest first: the full download of
-- its profile (the page shows one page of them at a time with agency_activities_page).
SELECT a.activity_id, a.title, aa.role, a.lead_agency, a.partner_agencies, a.scope, a.countries,
       a.start_date, a.end_date, a.status, a.budget_usd, a.themes,
       d.* EXCLUDE (rid)
FROM selected_activities($filters) AS a
JOIN activity_agencies AS aa ON aa.rid = a.rid AND aa.agency = $agency
JOIN activity_detail AS d ON d.rid = a.rid
ORDER BY a.start_date DESC, a.activity_id
