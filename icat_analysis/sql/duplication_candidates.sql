-- Candidate duplicate pairs, one row per pair and shared country, with the structured parts
-- of the score. Two activities are candidates when their lead agencies differ, neither lead
-- is a partner of the other, and they share a country, a theme and some time.
--
-- Blocking: activities meet only inside a (country, theme) block and only when their periods
-- overlap, so a large export never forms every pair. At a high threshold the block is narrower
-- still (a shared activity type, target group, form of exploitation: see $need_type below). A pair sharing several themes meets in
-- several blocks; it is kept only in the block of its lowest shared theme bit (x & -x).
-- A pair sharing several countries keeps one row per country (the hot-spot tables count it
-- in each; duplication.py scores it once).
--
-- Parameters: $filters; $iso3 (NULL = every country); the weights of the parts (w_ and a name);
-- $w_text and $threshold, to drop pairs that could not reach the threshold even with
-- identical texts; $theme_codes, $type_codes, $group_codes, $form_codes (code order = bit order).
WITH sel AS MATERIALIZED (
    SELECT
        a.activity_id,
        a.lead_agency,
        a.partner_agencies,
        a.countries,
        a.themes,
        a.activity_types,
        a.target_groups,
        a.exploitation_forms,
        a.start_date,
        greatest(coalesce(a.end_date, current_date), a.start_date) AS end_day,
        greatest(len(a.countries), 1) AS n_countries,
        a.budget_usd,
        -- codes as bit masks (bit_or ignores a code listed twice, so no list_distinct: it is slow)
        coalesce(list_aggregate(list_transform(a.themes,
            lambda c: 1::BIGINT << (list_position($theme_codes, c) - 1)), 'bit_or'), 0) AS theme_bits,
        coalesce(list_aggregate(list_transform(a.activity_types,
            lambda c: 1::BIGINT << (list_position($type_codes, c) - 1)), 'bit_or'), 0) AS type_bits,
        coalesce(list_aggregate(list_transform(a.target_groups,
            lambda c: 1::BIGINT << (list_position($group_codes, c) - 1)), 'bit_or'), 0) AS group_bits,
        coalesce(list_aggregate(list_transform(a.exploitation_forms,
            lambda c: 1::BIGINT << (list_position($form_codes, c) - 1)), 'bit_or'), 0) AS form_bits
    FROM selected_activities($filters) AS a
    -- one country asked for: only its activities (bit masks cost time on a large export)
    WHERE $iso3 IS NULL OR a.activity_id IN (SELECT activity_id FROM activity_countries WHERE iso3 = $iso3)
),
-- One row per activity, country, theme and, where the threshold demands a shared activity type,
-- target group or form of exploitation ($need_type, $need_group, $need_form), per such code
-- (activities naming no form share the bucket 0). A pair that could not reach the threshold
-- without sharing one never meets. (unnest in the select list: a lateral unnest join is slow.)
by_theme AS (
    SELECT s.activity_id, s.activity_types, s.target_groups, s.exploitation_forms, ac.iso3,
           unnest(list_distinct(s.themes)) AS theme_code
    FROM sel AS s
    JOIN activity_countries AS ac ON ac.activity_id = s.activity_id
    WHERE $iso3 IS NULL OR ac.iso3 = $iso3
),
by_type AS (
    SELECT activity_id, target_groups, exploitation_forms, iso3, theme_code,
           unnest(CASE WHEN $need_type THEN list_distinct(activity_types) ELSE ['*'] END) AS type_code
    FROM by_theme
),
by_group AS (
    SELECT activity_id, exploitation_forms, iso3, theme_code, type_code,
           unnest(CASE WHEN $need_group THEN list_distinct(target_groups) ELSE ['*'] END) AS group_code
    FROM by_type
),
by_form AS (
    SELECT activity_id, iso3, theme_code, type_code, group_code,
           unnest(CASE WHEN $need_form AND len(exploitation_forms) > 0
                       THEN list_distinct(exploitation_forms) ELSE ['*'] END) AS form_code
    FROM by_group
),
block AS MATERIALIZED (  -- only narrow columns: this is the big side of the join
    SELECT
        s.activity_id, s.lead_agency, s.start_date, s.end_day,
        s.theme_bits, s.type_bits, s.group_bits, s.form_bits,
        k.iso3,
        1::BIGINT << (list_position($theme_codes, k.theme_code) - 1) AS block_theme,
        CASE WHEN k.type_code = '*' THEN 0 ELSE 1::BIGINT << (list_position($type_codes, k.type_code) - 1) END
            AS block_type,
        CASE WHEN k.group_code = '*' THEN 0 ELSE 1::BIGINT << (list_position($group_codes, k.group_code) - 1) END
            AS block_group,
        CASE WHEN k.form_code = '*' THEN 0 ELSE 1::BIGINT << (list_position($form_codes, k.form_code) - 1) END
            AS block_form,
        -- one integer key per block: a join on it is several times faster than on five columns
        hash(k.iso3, k.theme_code, k.type_code, k.group_code, k.form_code) AS block_key
    FROM by_form AS k
    JOIN sel AS s ON s.activity_id = k.activity_id
),
met AS (  -- pairs that meet in a block, once each per shared country
    SELECT
        a.activity_id AS activity_id_a,
        b.activity_id AS activity_id_b,
        a.iso3,
        a.theme_bits & b.theme_bits AS shared_theme_bits,
        a.type_bits & b.type_bits AS shared_type_bits,
        a.group_bits & b.group_bits AS shared_group_bits,
        a.form_bits & b.form_bits AS shared_form_bits,
        (least(a.end_day, b.end_day) - greatest(a.start_date, b.start_date) + 1) AS overlap_days,
        (least(a.end_day - a.start_date, b.end_day - b.start_date) + 1) AS shorter_days,
        coalesce(bit_count(a.type_bits & b.type_bits) / nullif(bit_count(a.type_bits | b.type_bits), 0), 0)
            AS activity_types,
        coalesce(bit_count(a.group_bits & b.group_bits) / nullif(bit_count(a.group_bits | b.group_bits), 0), 0)
            AS target_groups,
        -- neither naming a form of exploitation is agreement: both work on trafficking in general
        coalesce(bit_count(a.form_bits & b.form_bits) / nullif(bit_count(a.form_bits | b.form_bits), 0), 1)
            AS exploitation_forms
    FROM block AS a
    JOIN block AS b
      ON a.block_key = b.block_key
     AND a.start_date <= b.end_day
     AND b.start_date <= a.end_day
    WHERE a.activity_id < b.activity_id
      AND a.lead_agency <> b.lead_agency
      -- the same block for certain (a hash can collide)
      AND a.iso3 = b.iso3 AND a.block_theme = b.block_theme AND a.block_type = b.block_type
      AND a.block_group = b.block_group AND a.block_form = b.block_form
      -- the time part alone must not cost more than the pair can lose ($min_time from the threshold)
      AND (least(a.end_day, b.end_day) - greatest(a.start_date, b.start_date) + 1)
          >= $min_time * (least(a.end_day - a.start_date, b.end_day - b.start_date) + 1)
      -- meet once: in the block of the lowest shared theme (and type, group, form where blocked on them)
      AND a.block_theme = ((a.theme_bits & b.theme_bits) & -(a.theme_bits & b.theme_bits))
      AND a.block_type = CASE WHEN $need_type THEN (a.type_bits & b.type_bits) & -(a.type_bits & b.type_bits) ELSE 0 END
      AND a.block_group = CASE WHEN $need_group THEN (a.group_bits & b.group_bits) & -(a.group_bits & b.group_bits) ELSE 0 END
      AND a.block_form = CASE WHEN $need_form THEN (a.form_bits & b.form_bits) & -(a.form_bits & b.form_bits) ELSE 0 END
),
hopeful AS (  -- could still reach the threshold with the best place and identical texts
    SELECT *
    FROM met
    WHERE ($w_time * overlap_days / shorter_days + $w_place
            + $w_activity_types * activity_types + $w_target_groups * target_groups
            + $w_exploitation_forms * exploitation_forms)
          / ($w_time + $w_place + $w_activity_types + $w_target_groups + $w_exploitation_forms) * (1 - $w_text) + $w_text
          >= $threshold - 1e-9  -- a score exactly at the threshold counts (floating point)
),
scored AS (
    SELECT
        m.*,
        a.lead_agency AS lead_a,
        b.lead_agency AS lead_b,
        a.budget_usd AS budget_a,
        b.budget_usd AS budget_b,
        m.overlap_days / m.shorter_days AS time_overlap,
        -- shared countries / sqrt(countries of A x countries of B): 1 for two national activities
        -- in one country or two activities over the same countries, less as the footprints spread
        CASE WHEN a.n_countries = 1 OR b.n_countries = 1 THEN 1
             ELSE len(list_intersect(a.countries, b.countries)) END / sqrt(a.n_countries * b.n_countries) AS place
    FROM hopeful AS m
    JOIN sel AS a ON a.activity_id = m.activity_id_a
    JOIN sel AS b ON b.activity_id = m.activity_id_b
    WHERE NOT list_contains(a.partner_agencies, b.lead_agency)
      AND NOT list_contains(b.partner_agencies, a.lead_agency)
),
final AS (
    SELECT
        *,
        ($w_time * time_overlap + $w_place * place
            + $w_activity_types * activity_types
            + $w_target_groups * target_groups
            + $w_exploitation_forms * exploitation_forms)
        / ($w_time + $w_place + $w_activity_types + $w_target_groups + $w_exploitation_forms) AS structured
    FROM scored
)
SELECT *
FROM final
-- the best a pair could reach is its score with identical texts; below the threshold even then, drop it
WHERE structured + $w_text * (1 - structured) >= $threshold - 1e-9
ORDER BY activity_id_a, activity_id_b, iso3
