-- The countries named by most selected activities (global activities without countries do
-- not count towards any country).
SELECT
    c.iso3,
    coalesce(r.name, c.iso3) AS country,
    r.region,
    count(*) AS activities,
    count(*) FILTER (WHERE a.is_joint) AS joint,
    count(DISTINCT a.lead_agency) AS lead_agencies
FROM selected_activities($filters) AS a,
     unnest(a.countries) AS c(iso3)
LEFT JOIN countries AS r ON r.iso3 = c.iso3
GROUP BY ALL
ORDER BY activities DESC, country
LIMIT $limit
