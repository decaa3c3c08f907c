-- How many pairs of the activities a search compares share a country: the search compares
-- activities country by country, so its time follows this number, not the number of
-- activities (analyses/duplication.py, too_many_to_search; docs/DUPLICATION.md, "Scale").
-- $filters: the activities compared. With an agency filter that is every agency's activities
-- (a pair needs one of that agency's, and the other side may be any agency's), so the caller
-- binds the filters without the agencies (duplicate_search.compared_activities).
-- export_activities: every activity of the export, whose texts a search reads once to weigh
-- each concept by how rare it is (duplicate_text.concept_rarity).
SELECT coalesce(sum(n * (n - 1) // 2), 0)::BIGINT AS country_pairs,
       (SELECT count(*) FROM activities) AS export_activities
FROM (
    SELECT ac.iso3, count(*) AS n
    FROM activity_countries AS ac
    WHERE ac.rid IN (SELECT rid FROM selected_activities($filters))
    GROUP BY ac.iso3
) AS per_country
