-- How many rows agency_activities has for one agency (its selected activities, as lead or as
-- partner), counted without fetching them.
SELECT count(*) AS activities
FROM selected_activities($filters) AS a
JOIN activity_agencies AS aa ON aa.rid = a.rid AND aa.agency = $agency
