-- The resources of the library that a search, the library's own filters and the shared filter
-- set select, newest first. $terms: lower-case words that must all appear in the title or the
-- summary (an empty list: no search). $kinds, $languages: empty lists for no restriction.
-- $agency, $country: one publishing agency / one country concerned (directly or through a
-- region it lies in), NULL for any. Of the shared filters, the ones that describe a resource
-- apply: agencies (publishing), themes, target groups, forms of exploitation, places
-- (countries, or regions holding them) and the period (year of publication; undated
-- resources are left out when a period is set).
WITH places AS (
    SELECT list(iso3) AS iso3s, list(DISTINCT region) || list(DISTINCT sub_region) AS regions
    FROM countries
    WHERE list_contains(struct_extract($filters, 'iso3'), iso3)
)
SELECT r.resource_id, r.title, r.agencies, r.kind, r.year, r.languages, r.themes, r.target_groups,
       r.exploitation_forms, r.countries, r.regions, r.link, r.file_name, r.summary, r.source, r.is_synthetic
FROM resources AS r, places AS p
WHERE len(list_filter($terms, lambda t: contains(lower(r.title || ' ' || coalesce(r.summary, '')), t))) = len($terms)
  AND (len($kinds) = 0 OR list_contains($kinds, r.kind))
  AND (len($languages) = 0 OR list_has_any(r.languages, $languages))
  AND ($agency IS NULL OR list_contains(r.agencies, $agency))
  AND ($country IS NULL OR list_contains(r.countries, $country)
       OR list_has_any(r.regions, (SELECT list_value(region, sub_region) FROM countries WHERE iso3 = $country)))
  AND (struct_extract($filters, 'agencies') IS NULL
       OR list_has_any(r.agencies, struct_extract($filters, 'agencies')))
  AND (struct_extract($filters, 'themes') IS NULL OR list_has_any(r.themes, struct_extract($filters, 'themes')))
  AND (struct_extract($filters, 'target_groups') IS NULL
       OR list_has_any(r.target_groups, struct_extract($filters, 'target_groups')))
  AND (struct_extract($filters, 'exploitation_forms') IS NULL
       OR list_has_any(r.exploitation_forms, struct_extract($filters, 'exploitation_forms')))
  AND (struct_extract($filters, 'iso3') IS NULL
       OR list_has_any(r.countries, p.iso3s) OR list_has_any(r.regions, p.regions))
  AND (struct_extract($filters, 'year_from') IS NULL
       OR r.year BETWEEN struct_extract($filters, 'year_from') AND struct_extract($filters, 'year_to'))
ORDER BY r.year DESC NULLS LAST, r.title, r.resource_id
