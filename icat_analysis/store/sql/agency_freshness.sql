-- Each lead agency's scorecard: its last submission, the share of its activities with each
-- detail filled in, and how many look stale (active with the end date passed, or last updated
-- before $stale_before). Over the whole export: a scorecard is about the agency, not a view.
SELECT lead_agency AS agency,
       count(*) AS activities,
       max(imported_at)::DATE AS last_submission,
       avg((budget_usd IS NOT NULL)::INTEGER) AS with_budget,
       avg((coalesce(trim(description), '') <> '')::INTEGER) AS with_description,
       avg((end_date IS NOT NULL)::INTEGER) AS with_end_date,
       avg((len(coalesce(target_groups, [])) > 0)::INTEGER) AS with_target_groups,
       avg((len(coalesce(exploitation_forms, [])) > 0)::INTEGER) AS with_exploitation_forms,
       count(*) FILTER (WHERE (status = 'active' AND end_date < $today) OR last_updated < $stale_before) AS stale
FROM activities
GROUP BY lead_agency
ORDER BY lead_agency
