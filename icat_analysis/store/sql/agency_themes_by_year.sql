-- One agency's selected activities started each year, by theme (an activity with two themes
-- counts under each; one with no theme under 'unclassified').
SELECT year(a.start_date) AS year, t.theme, count(DISTINCT a.rid) AS activities
FROM selected_activities($filters) AS a
JOIN activity_agencies AS aa ON aa.rid = a.rid AND aa.agency = $agency
CROSS JOIN (SELECT unnest(shown_themes(a.themes)) AS theme) AS t
GROUP BY ALL
ORDER BY year, t.theme
