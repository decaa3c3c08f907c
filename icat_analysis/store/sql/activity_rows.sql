-- Every selected activity, one row each, in the order of the activity ID: the full download of
-- the Data page (the page shows one page of these rows at a time with activity_rows_page).
SELECT a.activity_id, a.title, a.description, a.lead_agency, a.partner_agencies, a.scope, a.countries,
       a.start_date, a.end_date, a.status, a.budget_usd, a.themes, a.activity_types, a.target_groups,
       a.exploitation_forms, a.donors, a.last_updated, a.visibility, a.budget_visibility, a.is_joint,
       d.* EXCLUDE (rid)
FROM selected_activities($filters) AS a
JOIN activity_detail AS d ON d.rid = a.rid
ORDER BY a.activity_id
