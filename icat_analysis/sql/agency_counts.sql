-- For the agency directory: how many selected activities each agency leads, joins as a partner,
-- and in how many countries it works.
WITH involved AS (
    SELECT aa.agency, aa.role, a.rid
    FROM selected_activities($filters) AS a
    JOIN activity_agencies AS aa USING (rid)
),
places AS (
    SELECT i.agency, count(DISTINCT ac.iso3) AS countries
    FROM involved AS i
    JOIN activity_countries AS ac ON ac.rid = i.rid
    GROUP BY ALL
)
SELECT i.agency,
       count(DISTINCT i.rid) FILTER (WHERE i.role = 'lead') AS lead_activities,
       count(DISTINCT i.rid) FILTER (WHERE i.role = 'partner') AS partner_activities,
       coalesce(any_value(p.countries), 0) AS countries
FROM involved AS i
LEFT JOIN places AS p ON p.agency = i.agency
GROUP BY i.agency
ORDER BY i.agency
