-- The given activities in full, to show the two sides of a pair.
SELECT a.activity_id, a.title, a.description, a.lead_agency, a.partner_agencies, a.scope, a.countries,
       a.start_date, a.end_date, a.status, a.budget_usd, a.themes, a.activity_types, a.target_groups,
       a.exploitation_forms, a.donors, a.last_updated
FROM (SELECT unnest($ids) AS activity_id) AS wanted
JOIN activities AS a ON a.activity_id = wanted.activity_id
