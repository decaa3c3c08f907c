-- Activities started per year and theme. An activity with several themes counts once under
-- each of them, so the bars of one year may add up to more than the activities started; one
-- with no theme is under 'unclassified' (shown_themes).
SELECT
    year(a.start_date)::INTEGER AS year,
    t.theme,
    count(*) AS activities
FROM selected_activities($filters) AS a,
     unnest(shown_themes(a.themes)) AS t(theme)
WHERE a.start_date IS NOT NULL
GROUP BY ALL
ORDER BY year, theme
