-- One agency's selected activities (as lead or partner), newest first.
SELECT a.activity_id, a.title, aa.role, a.lead_agency, a.partner_agencies, a.scope, a.countries,
       a.start_date, a.end_date, a.status, a.budget_usd, a.themes
FROM selected_activities($filters) AS a
JOIN activity_agencies AS aa ON aa.activity_id = a.activity_id AND aa.agency = $agency
ORDER BY a.start_date DESC, a.activity_id
