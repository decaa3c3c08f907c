-- Who one agency works with: for each other agency, the selected activities they share, and
-- who led them.
WITH mine AS (
    SELECT DISTINCT a.rid, a.lead_agency
    FROM selected_activities($filters) AS a
    JOIN activity_agencies AS aa ON aa.rid = a.rid AND aa.agency = $agency
)
SELECT o.agency AS partner,
       count(DISTINCT m.rid) AS joint_activities,
       count(DISTINCT m.rid) FILTER (WHERE m.lead_agency = $agency) AS led_by_this_agency,
       count(DISTINCT m.rid) FILTER (WHERE m.lead_agency = o.agency) AS led_by_partner
FROM mine AS m
JOIN activity_agencies AS o ON o.rid = m.rid AND o.agency <> $agency
GROUP BY o.agency
ORDER BY joint_activities DESC, partner
