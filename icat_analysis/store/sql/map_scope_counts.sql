-- How the selected activities reach the map: national ones in their country, regional and
-- global ones with a country list in each listed country, global ones without a list nowhere.
SELECT
    count(*) AS activities,
    count(*) FILTER (WHERE a.scope = 'national') AS national,
    count(*) FILTER (WHERE a.scope = 'regional') AS regional,
    count(*) FILTER (WHERE a.scope = 'global' AND len(coalesce(a.countries, [])) > 0) AS global_with_countries,
    count(*) FILTER (WHERE len(coalesce(a.countries, [])) = 0) AS without_countries
FROM selected_activities($filters) AS a
