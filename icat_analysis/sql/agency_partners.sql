-- Who one agency works with: for each other agency, the selected activities they share, and
-- who led them.
WITH mine AS (
    SELECT DISTINCT a.activity_id, a.lead_agency
    FROM selected_activities($filters) AS a
    JOIN activity_agencies AS aa ON aa.activity_id = a.activity_id AND aa.agency = $agency
)
SELECT o.agency AS partner,
       count(DISTINCT m.activity_id) AS joint_activities,
       count(DISTINCT m.activity_id) FILTER (WHERE m.lead_agency = $agency) AS led_by_this_agency,
       count(DISTINCT m.activity_id) FILTER (WHERE m.lead_agency = o.agency) AS led_by_partner
FROM mine AS m
JOIN activity_agencies AS o ON o.activity_id = m.activity_id AND o.agency <> $agency
GROUP BY o.agency
ORDER BY joint_activities DESC, partner
