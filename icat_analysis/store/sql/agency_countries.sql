-- Where one agency works: its selected activities per country (lead or partner, and each apart).
SELECT ac.iso3,
       count(DISTINCT a.rid) AS activities,
       count(DISTINCT a.rid) FILTER (WHERE aa.role = 'lead') AS as_lead,
       count(DISTINCT a.rid) FILTER (WHERE aa.role = 'partner') AS as_partner
FROM selected_activities($filters) AS a
JOIN activity_agencies AS aa ON aa.rid = a.rid AND aa.agency = $agency
JOIN activity_countries AS ac ON ac.rid = a.rid
GROUP BY ac.iso3
ORDER BY activities DESC, ac.iso3
