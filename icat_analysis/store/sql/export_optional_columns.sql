-- Which of the optional activity columns (docs/SCHEMA.md, section 2) the export fills at all:
-- downloads leave out a group of columns that no activity of the export has anything in.
SELECT count(a.iati_publisher) > 0 AS iati,
       count(*) FILTER (WHERE len(coalesce(a.regions, [])) > 0) > 0 AS regions,
       count(*) FILTER (WHERE len(coalesce(a.implementing_partners, [])) > 0) > 0 AS implementing_partners,
       count(a.budget_currency) > 0 AS budget_currency,
       count(a.start_date_kind) + count(a.end_date_kind) > 0 AS date_kinds
FROM activities AS a
