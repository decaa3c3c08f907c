-- Candidate duplicate pairs at a high threshold (from 0.86 up): the same rows as
-- duplication_candidates.sql finds at that threshold, formed from far smaller blocks.
--
-- Why the blocks lose no pair. Weights add up to 1 and the text is at best 1, so a pair reaches
-- $threshold only if the weighted losses of its structured parts, w x (1 - part), add up to at
-- most $can_lose = 1 - $threshold (0.08 at the default 0.92). For a code list (activity types,
-- target groups, forms of exploitation) with A's codes x and B's codes y, the Jaccard part is
-- |x & y| / |x | y| <= |x & y| / |x|, so A alone knows a least loss for each possible shared set
-- S = x & y: w x (1 - |S| / |x|) (a whole weight when S is empty; for forms, nothing when A
-- names none, since both naming none is agreement). Each activity therefore lists, per country,
-- every triple (S types, S groups, S forms) of subsets of its own codes whose least losses add
-- up to at most $can_lose, and two activities meet only on a triple equal to what they really
-- share. A pair reaching the threshold has real losses of at most $can_lose, so both sides list
-- the triple they share and the pair meets, exactly once per shared country. Themes are not
-- scored: sharing one is checked on the pairs that meet.
--
-- Parameters: as duplication_candidates.sql, plus $can_lose; $n_types, $n_groups, $n_forms (the
-- sizes of the code lists, for enumerating subsets).
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
-- The codes each activity names, as distinct bit masks (few: most name one to three codes).
masks AS MATERIALIZED (
    SELECT DISTINCT type_bits, group_bits, form_bits FROM sel
),
-- Subsets of each mask with their least loss (see the top); one table per code list.
type_sub AS (
    SELECT m.type_bits, s.sub AS s_type,
           $w_activity_types * coalesce(1 - bit_count(s.sub) / nullif(bit_count(m.type_bits), 0), 1) AS lose
    FROM (SELECT DISTINCT type_bits FROM masks) AS m
    CROSS JOIN (SELECT range::BIGINT AS sub FROM range(0, 1::BIGINT << $n_types)) AS s
    WHERE s.sub & m.type_bits = s.sub
),
group_sub AS (
    SELECT m.group_bits, s.sub AS s_group,
           $w_target_groups * coalesce(1 - bit_count(s.sub) / nullif(bit_count(m.group_bits), 0), 1) AS lose
    FROM (SELECT DISTINCT group_bits FROM masks) AS m
    CROSS JOIN (SELECT range::BIGINT AS sub FROM range(0, 1::BIGINT << $n_groups)) AS s
    WHERE s.sub & m.group_bits = s.sub
),
form_sub AS (
    SELECT m.form_bits, s.sub AS s_form,
           $w_exploitation_forms * coalesce(1 - bit_count(s.sub) / nullif(bit_count(m.form_bits), 0), 0) AS lose
    FROM (SELECT DISTINCT form_bits FROM masks) AS m
    CROSS JOIN (SELECT range::BIGINT AS sub FROM range(0, 1::BIGINT << $n_forms)) AS s
    WHERE s.sub & m.form_bits = s.sub
),
mask_keys AS MATERIALIZED (  -- per mask triple, the shared triples it could reach the threshold with
    SELECT m.type_bits, m.group_bits, m.form_bits, t.s_type, g.s_group, f.s_form
    FROM masks AS m
    JOIN type_sub AS t ON t.type_bits = m.type_bits AND t.lose <= $can_lose + 1e-9
    JOIN group_sub AS g ON g.group_bits = m.group_bits AND g.lose <= $can_lose + 1e-9
    JOIN form_sub AS f ON f.form_bits = m.form_bits AND f.lose <= $can_lose + 1e-9
    WHERE t.lose + g.lose + f.lose <= $can_lose + 1e-9
),
block AS MATERIALIZED (  -- only narrow columns: this is the big side of the join
    SELECT
        s.activity_id, s.lead_agency, s.start_date, s.end_day,
        s.theme_bits, s.type_bits, s.group_bits, s.form_bits,
        ac.iso3, k.s_type, k.s_group, k.s_form,
        -- one integer key per block: a join on it is several times faster than on four columns
        hash(ac.iso3, k.s_type, k.s_group, k.s_form) AS block_key
    FROM sel AS s
    JOIN activity_countries AS ac ON ac.activity_id = s.activity_id
    JOIN mask_keys AS k
      ON k.type_bits = s.type_bits AND k.group_bits = s.group_bits AND k.form_bits = s.form_bits
    WHERE $iso3 IS NULL OR ac.iso3 = $iso3
),
met AS (  -- pairs that meet on the triple they really share, once each per shared country
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
      AND a.theme_bits & b.theme_bits <> 0
      -- the triple they really share (this also makes a hash collision harmless)
      AND a.iso3 = b.iso3
      AND a.s_type = a.type_bits & b.type_bits AND b.s_type = a.s_type
      AND a.s_group = a.group_bits & b.group_bits AND b.s_group = a.s_group
      AND a.s_form = a.form_bits & b.form_bits AND b.s_form = a.s_form
      -- the time part alone must not cost more than the pair can lose ($min_time from the threshold)
      AND (least(a.end_day, b.end_day) - greatest(a.start_date, b.start_date) + 1)
          >= $min_time * (least(a.end_day - a.start_date, b.end_day - b.start_date) + 1)
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
