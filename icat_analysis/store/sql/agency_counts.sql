-- For the agency directory: how many selected activities each agency leads, joins as a partner,
-- and in how many countries it works.
WITH sel AS (
    SELECT rid FROM selected_activities($filters)
),
involved AS (
    SELECT aa.agency,
           count(DISTINCT aa.rid) FILTER (WHERE aa.role = 'lead') AS lead_activities,
           count(DISTINCT aa.rid) FILTER (WHERE aa.role = 'partner') AS partner_activities
    -- joins, not `rid IN (SELECT ...)`: sel has one row per activity (see map_country_values)
    FROM activity_agencies AS aa
    JOIN sel USING (rid)
    GROUP BY aa.agency
),
places AS (
    SELECT x.agency, count(DISTINCT x.iso3) AS countries
    FROM activity_places_agencies AS x
    JOIN sel USING (rid)
    GROUP BY x.agency
)
SELECT i.agency,
       i.lead_activities,
       i.partner_activities,
       coalesce(p.countries, 0) AS countries
FROM involved AS i
LEFT JOIN places AS p USING (agency)
ORDER BY i.agency
