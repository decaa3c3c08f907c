-- The events of the calendar that the calendar's own filters and the shared filter set select,
-- in date order. $kinds: empty list for any kind. $agency: one organising agency, $country: one
-- place (an ISO3 code), NULL for any. Of the shared filters, the ones that describe an event
-- apply: agencies (organising), themes, places (an online event is in no country) and the
-- period (an event that overlaps the years).
SELECT e.event_id, e.title, e.kind, e.start_date, coalesce(e.end_date, e.start_date) AS end_date, e.place, e.city,
       e.agencies, e.themes, e.link, e.summary, e.source, e.is_synthetic
FROM events AS e
WHERE (len($kinds) = 0 OR list_contains($kinds, e.kind))
  AND ($agency IS NULL OR list_contains(e.agencies, $agency))
  AND ($country IS NULL OR e.place = $country)
  AND (struct_extract($filters, 'agencies') IS NULL
       OR list_has_any(e.agencies, struct_extract($filters, 'agencies')))
  AND (struct_extract($filters, 'themes') IS NULL OR list_has_any(e.themes, struct_extract($filters, 'themes')))
  AND (struct_extract($filters, 'iso3') IS NULL OR list_contains(struct_extract($filters, 'iso3'), e.place))
  AND (struct_extract($filters, 'year_from') IS NULL
       OR (year(coalesce(e.end_date, e.start_date)) >= struct_extract($filters, 'year_from')
           AND year(e.start_date) <= struct_extract($filters, 'year_to')))
ORDER BY e.start_date, e.title, e.event_id
