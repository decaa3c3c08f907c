-- Candidate duplicate pairs, one row per pair and shared country, with the structured parts
-- of the score. Two activities are candidates when their lead agencies differ, neither lead
-- is a partner of the other, and they share a country, a theme and some time. Pairs that
-- could not reach $threshold even with identical texts are left out.
--
-- No pair of a large export is formed unless it could reach the threshold: activities meet
-- only inside a block (an exact integer key), and a pair meets in exactly one block per
-- shared country. The proof that no pair reaching the threshold is lost is in
-- docs/DUPLICATION.md ("Scale"); in short, with the weights adding up to 1 and the text at
-- best 1, a pair reaches $threshold only if the weighted losses w x (1 - part) of its
-- structured parts add up to at most $can_lose = 1 - $threshold. A block row of an activity
-- carries r, what a partner met there may still lose on time and place, and:
--
-- * codes. From $narrow (0.86) up, each activity lists per country every triple of subsets
--   of its own codes (activity types, target groups, forms) whose least losses
--   w x (1 - |subset| / |own codes|) add up to at most $can_lose, and two activities meet on
--   the triple they really share (both list it when the pair can reach the threshold).
--   Below, on one shared theme and one shared code per list the threshold demands
--   ($need_type, $need_group, $need_form), the lowest shared one, so a pair meets once.
-- * place. Place is at most sqrt(fewer countries / more countries) (1 / sqrt(m) beside a
--   national activity), so a national activity and one over m >= 2 countries lose at least
--   w_place x (1 - 1 / sqrt(m)). The key says which of national-national, national-regional,
--   regional-regional the pair is; a row lists only the kinds it can afford.
-- * period. Of two activities the shorter (by days, then rid) is the probe, the other the
--   host. The time part is overlap / days of the probe; when the probe's row can lose less
--   than w_time / 2 on time, the overlap covers more than half the probe's days, so it
--   contains the probe's middle day, which then lies inside the host. The probe meets only
--   in the period bucket ($period_days wide) of its middle day; the host is listed in every
--   bucket it spans. Otherwise (low thresholds) the probe is listed in every bucket it spans
--   too, and the pair meets only in the bucket of the later start.
--
-- Parameters: $filters; $iso3 (NULL = every country); the weights (w_ and a part's name);
-- $threshold and $can_lose; $narrow; $need_type, $need_group, $need_form; $theme_codes,
-- $type_codes, $group_codes, $form_codes (code order = bit order) and their sizes $n_themes,
-- $n_types, $n_groups, $n_forms; $period_days. duplication.py checks that the key fits 63 bits.
WITH sel AS MATERIALIZED (  -- only narrow columns: a million rows on a large export
    SELECT
        a.rid,
        a.lead_agency,
        a.start_date,
        greatest(coalesce(a.end_date, current_date), a.start_date) AS end_day,
        greatest(len(a.countries), 1) AS n_countries,
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
    -- one country asked for: only its activities
    WHERE $iso3 IS NULL OR a.rid IN (SELECT rid FROM activity_countries WHERE iso3 = $iso3)
),
-- The code sets activities name (few distinct ones: most name one to three codes per list).
masks AS MATERIALIZED (  -- themes only below $narrow, where they are part of the key
    SELECT DISTINCT CASE WHEN $narrow THEN 0 ELSE theme_bits END AS theme_bits, type_bits, group_bits, form_bits
    FROM sel
),
-- From $narrow up: subsets of each mask with their least loss; one table per code list.
type_sub AS (
    SELECT m.type_bits, s.sub AS k_type,
           $w_activity_types * coalesce(1 - bit_count(s.sub) / nullif(bit_count(m.type_bits), 0), 1) AS lose
    FROM (SELECT DISTINCT type_bits FROM masks WHERE $narrow) AS m
    CROSS JOIN (SELECT range::BIGINT AS sub FROM range(0, 1::BIGINT << $n_types)) AS s
    WHERE s.sub & m.type_bits = s.sub
),
group_sub AS (
    SELECT m.group_bits, s.sub AS k_group,
           $w_target_groups * coalesce(1 - bit_count(s.sub) / nullif(bit_count(m.group_bits), 0), 1) AS lose
    FROM (SELECT DISTINCT group_bits FROM masks WHERE $narrow) AS m
    CROSS JOIN (SELECT range::BIGINT AS sub FROM range(0, 1::BIGINT << $n_groups)) AS s
    WHERE s.sub & m.group_bits = s.sub
),
form_sub AS (  -- both naming no form is agreement: an empty form set loses nothing
    SELECT m.form_bits, s.sub AS k_form,
           $w_exploitation_forms * coalesce(1 - bit_count(s.sub) / nullif(bit_count(m.form_bits), 0), 0) AS lose
    FROM (SELECT DISTINCT form_bits FROM masks WHERE $narrow) AS m
    CROSS JOIN (SELECT range::BIGINT AS sub FROM range(0, 1::BIGINT << $n_forms)) AS s
    WHERE s.sub & m.form_bits = s.sub
),
narrow_keys AS (
    SELECT m.theme_bits, m.type_bits, m.group_bits, m.form_bits,
           0::BIGINT AS k_theme, t.k_type, g.k_group, f.k_form, t.lose + g.lose + f.lose AS lose
    FROM masks AS m
    JOIN type_sub AS t ON t.type_bits = m.type_bits AND t.lose <= $can_lose + 1e-7
    JOIN group_sub AS g ON g.group_bits = m.group_bits AND g.lose <= $can_lose + 1e-7
    JOIN form_sub AS f ON f.form_bits = m.form_bits AND f.lose <= $can_lose + 1e-7
    WHERE t.lose + g.lose + f.lose <= $can_lose + 1e-7
),
-- Below $narrow: one row per theme and per code of each list the threshold demands (activities
-- naming no form share the form key 0). (unnest in the select list: a lateral unnest is slow.)
wide_theme AS (
    SELECT *, unnest(list_transform(list_filter(range($n_themes), lambda i: (theme_bits >> i) & 1 = 1),
                                    lambda i: 1::BIGINT << i)) AS k_theme
    FROM masks
    WHERE NOT $narrow
),
wide_type AS (
    SELECT *, unnest(CASE WHEN $need_type
        THEN list_transform(list_filter(range($n_types), lambda i: (type_bits >> i) & 1 = 1), lambda i: 1::BIGINT << i)
        ELSE [0::BIGINT] END) AS k_type
    FROM wide_theme
),
wide_group AS (
    SELECT *, unnest(CASE WHEN $need_group
        THEN list_transform(list_filter(range($n_groups), lambda i: (group_bits >> i) & 1 = 1), lambda i: 1::BIGINT << i)
        ELSE [0::BIGINT] END) AS k_group
    FROM wide_type
),
wide_form AS (
    SELECT *, unnest(CASE WHEN $need_form AND form_bits <> 0
        THEN list_transform(list_filter(range($n_forms), lambda i: (form_bits >> i) & 1 = 1), lambda i: 1::BIGINT << i)
        ELSE [0::BIGINT] END) AS k_form
    FROM wide_group
),
mask_keys AS MATERIALIZED (  -- per code set: the code keys it is listed under, and their least loss
    SELECT theme_bits, type_bits, group_bits, form_bits, k_theme, k_type, k_group, k_form, lose FROM narrow_keys
    UNION ALL
    SELECT theme_bits, type_bits, group_bits, form_bits, k_theme, k_type, k_group, k_form, 0.0 FROM wide_form
),
country_ids AS (  -- a small integer per country, for the key
    SELECT iso3, (row_number() OVER (ORDER BY iso3) - 1)::BIGINT AS iso_id
    FROM (SELECT DISTINCT iso3 FROM activity_countries WHERE $iso3 IS NULL OR iso3 = $iso3)
),
places AS MATERIALIZED (  -- one row per activity and country (joined before the keys multiply rows)
    SELECT s.*, c.iso_id
    FROM sel AS s
    JOIN activity_countries AS ac ON ac.rid = s.rid
    JOIN country_ids AS c ON c.iso3 = ac.iso3
    WHERE $iso3 IS NULL OR ac.iso3 = $iso3
),
rows AS (
    SELECT
        s.rid, s.lead_agency AS lead, s.start_date AS s0, s.end_day AS s1, s.n_countries AS n,
        -- themes, types, groups and forms packed as in the key: a pair's shared codes are one AND
        ((((((s.theme_bits << $n_types) | s.type_bits) << $n_groups) | s.group_bits) << $n_forms) | s.form_bits) AS codes,
        $can_lose - k.lose AS r,
        -- the code keys and the country packed in one exact integer (no hash: no collision)
        ((((((((k.k_theme << $n_types) | k.k_type) << $n_groups) | k.k_group) << $n_forms) | k.k_form) << 10)
            | CASE WHEN s.iso_id < 1024 THEN s.iso_id ELSE error('more than 1,024 countries') END) AS code_key
    FROM places AS s
    JOIN mask_keys AS k
      ON k.theme_bits = CASE WHEN $narrow THEN 0 ELSE s.theme_bits END AND k.type_bits = s.type_bits
     AND k.group_bits = s.group_bits AND k.form_bits = s.form_bits
),
block AS MATERIALIZED (  -- only narrow columns: this is both sides of the join
    SELECT
        lead, s0, s1, n, codes, r,
        -- the shorter of two activities (by days, then rid) is the probe: one comparison
        ((s1 - s0)::BIGINT << 32) | rid AS ord,
        -- national-national 0, national-regional 1, regional-regional 2: the kinds this row can afford
        (((code_key << 2) | unnest(CASE
            WHEN n = 1 AND $w_place * (1 - 1 / sqrt(2)) <= r + 1e-7 THEN [0, 1]
            WHEN n = 1 THEN [0]
            WHEN $w_place * (1 - 1 / sqrt(n)) <= r + 1e-7 THEN [1, 2]
            ELSE [2] END)) << 10) AS key,
        -- period buckets (days since 1900, clamped: a monotone bucket keeps "inside" inside)
        least(greatest((s0 - DATE '1900-01-01') // $period_days, 0), 1023) AS b0,
        least(greatest((s1 - DATE '1900-01-01') // $period_days, 0), 1023) AS b1,
        least(greatest((s0 + ((s1 - s0) // 2)::INTEGER - DATE '1900-01-01') // $period_days, 0), 1023) AS b_mid
    FROM rows
),
probe AS MATERIALIZED (  -- in the bucket of its middle day when it can lose less than w_time / 2 on time
    SELECT ord, lead, s0, s1, n, codes, r,
           key | unnest(CASE WHEN r < $w_time / 2 - 1e-6 THEN [b_mid] ELSE range(b0, b1 + 1) END) AS bkey
    FROM block
),
host AS (  -- in every bucket it spans
    SELECT ord, lead, s0, s1, n, codes, r, key | unnest(range(b0, b1 + 1)) AS bkey
    FROM block
),
met AS MATERIALIZED (  -- pairs that meet, once each per shared country: probe p, host h
    SELECT
        (p.ord & 4294967295)::INTEGER AS rid_p,
        (h.ord & 4294967295)::INTEGER AS rid_h,
        (p.bkey >> 12) & 1023 AS iso_id,
        p.codes & h.codes AS shared,
        p.codes | h.codes AS listed,
        (least(p.s1, h.s1) - greatest(p.s0, h.s0) + 1) AS overlap_days,
        (least(p.s1 - p.s0, h.s1 - h.s0) + 1) AS shorter_days
    -- the probes (one row each at the default threshold) on the build side of the hash join
    FROM host AS h
    JOIN probe AS p ON p.bkey = h.bkey
    WHERE p.ord < h.ord
      AND p.lead <> h.lead
      AND p.s0 <= h.s1 AND h.s0 <= p.s1
      -- a probe listed in every bucket it spans meets its host in the bucket of the later start only
      AND (p.r < $w_time / 2 - 1e-6
           OR (p.bkey & 1023) = least(greatest((greatest(p.s0, h.s0) - DATE '1900-01-01') // $period_days, 0), 1023))
      AND ((p.codes & h.codes) >> ($n_types + $n_groups + $n_forms)) <> 0  -- a shared theme
      -- the block the pair really belongs to: the code keys it shares, and its place kind
      AND (p.bkey >> 22) = CASE WHEN $narrow
          THEN (p.codes & h.codes) & ((1::BIGINT << ($n_types + $n_groups + $n_forms)) - 1)
          ELSE (((((((
              -- the lowest shared theme, and the lowest shared code of each list the threshold demands
              ((p.codes & h.codes) >> ($n_types + $n_groups + $n_forms))
              & -((p.codes & h.codes) >> ($n_types + $n_groups + $n_forms))) << $n_types)
            | CASE WHEN $need_type
                   THEN ((p.codes & h.codes) >> ($n_groups + $n_forms)) & ((1::BIGINT << $n_types) - 1)
                        & -(((p.codes & h.codes) >> ($n_groups + $n_forms)) & ((1::BIGINT << $n_types) - 1))
                   ELSE 0 END) << $n_groups)
            | CASE WHEN $need_group
                   THEN ((p.codes & h.codes) >> $n_forms) & ((1::BIGINT << $n_groups) - 1)
                        & -(((p.codes & h.codes) >> $n_forms) & ((1::BIGINT << $n_groups) - 1))
                   ELSE 0 END) << $n_forms)
            | CASE WHEN $need_form
                   THEN (p.codes & h.codes) & ((1::BIGINT << $n_forms) - 1)
                        & -((p.codes & h.codes) & ((1::BIGINT << $n_forms) - 1))
                   ELSE 0 END)
          END
      AND ((p.bkey >> 10) & 3) = (p.n > 1)::BIGINT + (h.n > 1)::BIGINT
      -- time and the most place can give must not cost more than either side can lose
      AND $w_time * (1 - (least(p.s1, h.s1) - greatest(p.s0, h.s0) + 1) / (p.s1 - p.s0 + 1))
          + $w_place * (1 - sqrt(least(p.n, h.n) / greatest(p.n, h.n))) <= least(p.r, h.r) + 1e-7
),
parts AS (  -- the shared codes of each list, and the code parts of the score
    SELECT
        rid_p, rid_h, iso_id,
        shared >> ($n_types + $n_groups + $n_forms) AS shared_theme_bits,
        (shared >> ($n_groups + $n_forms)) & ((1::BIGINT << $n_types) - 1) AS shared_type_bits,
        (shared >> $n_forms) & ((1::BIGINT << $n_groups) - 1) AS shared_group_bits,
        shared & ((1::BIGINT << $n_forms) - 1) AS shared_form_bits,
        overlap_days,
        shorter_days,
        coalesce(bit_count(shared_type_bits)
                 / nullif(bit_count((listed >> ($n_groups + $n_forms)) & ((1::BIGINT << $n_types) - 1)), 0), 0)
            AS activity_types,
        coalesce(bit_count(shared_group_bits)
                 / nullif(bit_count((listed >> $n_forms) & ((1::BIGINT << $n_groups) - 1)), 0), 0)
            AS target_groups,
        -- neither naming a form of exploitation is agreement: both work on trafficking in general
        coalesce(bit_count(shared_form_bits) / nullif(bit_count(listed & ((1::BIGINT << $n_forms) - 1)), 0), 1)
            AS exploitation_forms
    FROM met
),
hopeful AS (  -- could still reach the threshold with the best place and identical texts
    SELECT *
    FROM parts
    WHERE ($w_time * overlap_days / shorter_days + $w_place
            + $w_activity_types * activity_types + $w_target_groups * target_groups
            + $w_exploitation_forms * exploitation_forms)
          / ($w_time + $w_place + $w_activity_types + $w_target_groups + $w_exploitation_forms) * (1 - $w_text) + $w_text
          >= $threshold - 1e-9  -- a score exactly at the threshold counts (floating point)
),
scored AS (
    SELECT
        -- a pair is listed with the smaller activity_id first
        CASE WHEN x.activity_id < y.activity_id THEN x.activity_id ELSE y.activity_id END AS activity_id_a,
        CASE WHEN x.activity_id < y.activity_id THEN y.activity_id ELSE x.activity_id END AS activity_id_b,
        c.iso3,
        m.shared_theme_bits, m.shared_type_bits, m.shared_group_bits, m.shared_form_bits,
        m.overlap_days, m.shorter_days, m.activity_types, m.target_groups, m.exploitation_forms,
        CASE WHEN x.activity_id < y.activity_id THEN x.lead_agency ELSE y.lead_agency END AS lead_a,
        CASE WHEN x.activity_id < y.activity_id THEN y.lead_agency ELSE x.lead_agency END AS lead_b,
        CASE WHEN x.activity_id < y.activity_id THEN x.budget_usd ELSE y.budget_usd END AS budget_a,
        CASE WHEN x.activity_id < y.activity_id THEN y.budget_usd ELSE x.budget_usd END AS budget_b,
        m.overlap_days / m.shorter_days AS time_overlap,
        -- shared countries / sqrt(countries of A x countries of B): 1 for two national activities
        -- in one country or two activities over the same countries, less as the footprints spread
        CASE WHEN greatest(len(x.countries), 1) = 1 OR greatest(len(y.countries), 1) = 1 THEN 1
             ELSE len(list_intersect(x.countries, y.countries)) END
            / sqrt(greatest(len(x.countries), 1) * greatest(len(y.countries), 1)) AS place
    FROM hopeful AS m
    JOIN activities AS x ON x.rid = m.rid_p
    JOIN activities AS y ON y.rid = m.rid_h
    JOIN country_ids AS c ON c.iso_id = m.iso_id
    WHERE x.activity_id <> y.activity_id
      AND NOT list_contains(x.partner_agencies, y.lead_agency)
      AND NOT list_contains(y.partner_agencies, x.lead_agency)
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
