-- How the selected activities reach the map: national ones in their country, regional and
-- global ones with a country list in each listed country, those without a list nowhere (the
-- ones placed in a named region stand in the Regions band).
SELECT
    count(*) AS activities,
    count(*) FILTER (WHERE a.scope = 'national') AS national,
    count(*) FILTER (WHERE a.scope = 'regional' AND len(coalesce(a.countries, [])) > 0) AS regional,
    count(*) FILTER (WHERE a.scope = 'global' AND len(coalesce(a.countries, [])) > 0) AS global_with_countries,
    count(*) FILTER (WHERE len(coalesce(a.countries, [])) = 0) AS without_countries,
    -- placed in a named region and in no country: the Regions band beside the map shows them
    count(*) FILTER (WHERE len(coalesce(a.countries, [])) = 0 AND len(coalesce(a.regions, [])) > 0) AS region_only
FROM selected_activities($filters) AS a
