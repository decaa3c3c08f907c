-- The selected activities in one country per theme (an activity with two themes counts under
-- both; one with no theme under 'unclassified').
SELECT t.theme, count(*) AS activities
FROM (
    SELECT unnest(list_distinct(shown_themes(a.themes))) AS theme
    FROM selected_activities($filters) AS a
    WHERE a.rid IN (SELECT rid FROM activity_countries WHERE iso3 = $iso3)
) AS t
GROUP BY t.theme
