-- Where one agency works: its selected activities per country (lead or partner, and each apart).
SELECT ac.iso3,
       count(DISTINCT a.activity_id) AS activities,
       count(DISTINCT a.activity_id) FILTER (WHERE aa.role = 'lead') AS as_lead,
       count(DISTINCT a.activity_id) FILTER (WHERE aa.role = 'partner') AS as_partner
FROM selected_activities($filters) AS a
JOIN activity_agencies AS aa ON aa.activity_id = a.activity_id AND aa.agency = $agency
JOIN activity_countries AS ac ON ac.activity_id = a.activity_id
GROUP BY ac.iso3
ORDER BY activities DESC, ac.iso3
