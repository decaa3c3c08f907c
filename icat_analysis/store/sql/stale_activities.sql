-- The activities that look stale, and why: active while their end date has passed, or last
-- updated before $stale_before. $agency narrows them to one lead agency ('' for all).
SELECT lead_agency AS agency,
       activity_id,
       title,
       status,
       end_date,
       last_updated,
       concat_ws('; ',
           CASE WHEN status = 'active' AND end_date < $today
                THEN 'active, but its end date ' || strftime(end_date, '%Y-%m-%d') || ' has passed' END,
           CASE WHEN last_updated < $stale_before
                THEN 'last updated ' || strftime(last_updated, '%Y-%m-%d') END) AS why
FROM activities
WHERE ((status = 'active' AND end_date < $today) OR last_updated < $stale_before)
  AND ($agency = '' OR lead_agency = $agency)
ORDER BY agency, activity_id
