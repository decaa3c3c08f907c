-- Agencies present in one country through the selected activities, by role.
SELECT aa.agency,
       count(DISTINCT aa.activity_id) FILTER (WHERE aa.role = 'lead') AS as_lead,
       count(DISTINCT aa.activity_id) FILTER (WHERE aa.role = 'partner') AS as_partner,
       count(DISTINCT aa.activity_id) AS activities
FROM selected_activities($filters) AS a
JOIN activity_agencies AS aa USING (activity_id)
WHERE list_contains(a.countries, $iso3)
GROUP BY aa.agency
ORDER BY activities DESC, aa.agency
