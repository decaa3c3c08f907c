-- The countries named by most selected activities (global activities without countries do
-- not count towards any country). Countries come from the link table: unnesting every
-- activity's country list took seconds at 1,000,000 activities.
WITH counted AS (
    SELECT ac.iso3,
           count(*) AS activities,
           count(*) FILTER (WHERE a.is_joint) AS joint,
           count(DISTINCT a.lead_agency) AS lead_agencies
    FROM selected_activities($filters) AS a
    JOIN activity_countries AS ac USING (rid)
    GROUP BY ac.iso3
)
SELECT c.iso3,
       coalesce(r.name, c.iso3) AS country,
       r.region,
       c.activities,
       c.joint,
       c.lead_agencies
FROM counted AS c
LEFT JOIN countries AS r ON r.iso3 = c.iso3
ORDER BY c.activities DESC, country
LIMIT $limit
