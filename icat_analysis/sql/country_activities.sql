-- The selected activities working in one country (regional and global ones included).
SELECT a.activity_id,
       a.title,
       a.lead_agency,
       a.partner_agencies,
       a.scope,
       a.start_date,
       a.end_date,
       a.status,
       a.themes,
       a.budget_usd
FROM selected_activities($filters) AS a
WHERE list_contains(a.countries, $iso3)
ORDER BY a.start_date, a.activity_id
