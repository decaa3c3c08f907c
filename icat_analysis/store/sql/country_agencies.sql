-- Agencies present in one country through the selected activities, by role.
SELECT aa.agency,
       count(DISTINCT aa.rid) FILTER (WHERE aa.role = 'lead') AS as_lead,
       count(DISTINCT aa.rid) FILTER (WHERE aa.role = 'partner') AS as_partner,
       count(DISTINCT aa.rid) AS activities
FROM selected_activities($filters) AS a
JOIN activity_agencies AS aa USING (rid)
WHERE a.rid IN (SELECT rid FROM activity_countries WHERE iso3 = $iso3)
GROUP BY aa.agency
ORDER BY activities DESC, aa.agency
