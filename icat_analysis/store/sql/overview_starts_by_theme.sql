-- Activities started per year and theme. An activity with several themes counts once under
-- each of them, so the bars of one year may add up to more than the activities started; one
-- with no theme is under 'unclassified' (shown_themes). The themes are unnested in the select
-- list: unnested in FROM (a lateral join) the query took 4.6 s at 1,000,000 activities, 0.1 s so.
SELECT year, theme, count(*) AS activities
FROM (
    SELECT year(a.start_date)::INTEGER AS year,
           unnest(shown_themes(a.themes)) AS theme
    FROM selected_activities($filters) AS a
    WHERE a.start_date IS NOT NULL
)
GROUP BY ALL
ORDER BY year, theme
