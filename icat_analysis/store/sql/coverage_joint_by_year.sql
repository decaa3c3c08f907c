-- Joint work over time: selected activities started each year, and how many of them are joint
-- (at least one partner agency besides the lead).
SELECT year(a.start_date) AS year,
       count(*) AS activities,
       count(*) FILTER (WHERE len(coalesce(a.partner_agencies, [])) > 0) AS joint
FROM selected_activities($filters) AS a
GROUP BY ALL
ORDER BY year
