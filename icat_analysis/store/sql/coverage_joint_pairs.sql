-- Joint work: for each pair of agencies, the selected activities both take part in (as lead or
-- partner). One row per unordered pair (agency_a < agency_b); the matrix mirrors it.
WITH involved AS (
    SELECT DISTINCT aa.rid, aa.agency
    FROM selected_activities($filters) AS a
    JOIN activity_agencies AS aa USING (rid)
    -- only an activity with a partner has a second agency; the rest cannot form a pair
    WHERE len(a.partner_agencies) > 0
)
SELECT x.agency AS agency_a, y.agency AS agency_b, count(*) AS activities
FROM involved AS x
JOIN involved AS y ON x.rid = y.rid AND x.agency < y.agency
GROUP BY ALL
ORDER BY agency_a, agency_b
