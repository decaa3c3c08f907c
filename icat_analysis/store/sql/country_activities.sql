-- The selected activities working in one country (regional and global ones included), by start
-- date, or by lead agency and start date for the timeline ($by_lead). $limit rows at most
-- (NULL: all, for the download): a busy country has tens of thousands at 1,000,000 activities,
-- and the page shows only the first ones.
SELECT a.activity_id,
       a.title,
       a.lead_agency,
       a.partner_agencies,
       a.scope,
       a.start_date,
       a.end_date,
       a.status,
       a.themes,
       a.budget_usd,
       d.iati_identifier,
       d.publisher,
       d.relevance,
       d.relevance_reason
FROM selected_activities($filters) AS a
JOIN activity_detail AS d ON d.rid = a.rid
WHERE a.rid IN (SELECT rid FROM activity_countries WHERE iso3 = $iso3)
ORDER BY CASE WHEN $by_lead THEN a.lead_agency END, a.start_date, a.activity_id
LIMIT $limit
