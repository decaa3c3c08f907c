-- Candidate duplicate pairs, one row per pair and shared country, with the structured parts
-- of the score. Two activities are candidates when their lead agencies differ, neither lead
-- is a partner of the other, and they share a country, a theme and some time. Pairs that
-- could not reach the threshold even with identical texts are left out.
--
-- No pair of a large export is formed unless it could reach the threshold: activities meet
-- only inside a block (an exact integer key), and a pair meets in exactly one block per shared
-- country. The proof that no pair reaching the threshold is lost is in docs/DUPLICATION.md
-- ("Scale"); in short, the weights add up to 1, so a pair reaches the threshold only if the
-- weighted losses w x (1 - part) of its parts add up to at most $can_lose = 1 - threshold.
-- A code part (activity types, target groups, forms) is above 0 only if the two share a code
-- or a related one, so they share a class of related codes (a connected group of
-- duplication_related_codes.csv; naming no form is a class of its own). The lists a pair
-- shares no class in cost their whole weights, which must add up to at most $can_lose; so a
-- pair shares a class in every list of at least one *kind* ($kinds: the smallest sets of lists
-- that leave at most $can_lose to the others, as bit masks: 1 types, 2 groups, 4 forms). Each
-- activity is listed under every kind; the key holds the kind, the lowest class both share of
-- each list of the kind, the lowest theme both share, the
-- country and the period bucket of the later start (both activities are listed in every
-- bucket they span, and both span the later start); a pair meets only under the first kind
-- it qualifies for, so once per country.
--
-- Parameters: $filters (the activities compared); $anchored and $anchor (filters one side
-- of every pair must pass: an agency's pairs with any other agency); $iso3 (NULL = every country); $ids (NULL = every activity); the
-- weights (w_ and a part's name); $can_lose; $credit (a related code's share of
-- an exact one); $full_overlap; $theme_codes, $type_codes, $group_codes, $form_codes (code order = bit
-- order); $type_rel, $group_rel, $form_rel (per code, the bit mask of its related codes);
-- $type_class, $group_class, $form_class (per code, its class) and $n_form_classes;
-- $kinds; $n_themes; $period_days; $today (the day an activity with no end date runs until).
WITH sel AS MATERIALIZED (  -- only narrow columns: a million rows on a large export
    SELECT
        a.rid,
        a.lead_agency,
        a.start_date,
        greatest(coalesce(a.end_date, $today), a.start_date) AS end_day,
        greatest(len(a.countries), 1) AS n_countries,
        -- with an agency chosen, pairs must involve one of its activities (the other side may be any agency's)
        (NOT $anchored OR a.rid IN (SELECT rid FROM selected_activities($anchor))) AS anchor,
        -- codes as bit masks (bit_or ignores a code listed twice)
        coalesce(list_aggregate(list_transform(a.themes,
            lambda c: 1::BIGINT << (list_position($theme_codes, c) - 1)), 'bit_or'), 0) AS theme_bits,
        coalesce(list_aggregate(list_transform(a.activity_types,
            lambda c: 1::BIGINT << (list_position($type_codes, c) - 1)), 'bit_or'), 0) AS type_bits,
        coalesce(list_aggregate(list_transform(a.target_groups,
            lambda c: 1::BIGINT << (list_position($group_codes, c) - 1)), 'bit_or'), 0) AS group_bits,
        coalesce(list_aggregate(list_transform(a.exploitation_forms,
            lambda c: 1::BIGINT << (list_position($form_codes, c) - 1)), 'bit_or'), 0) AS form_bits,
        -- the codes related to any code listed
        coalesce(list_aggregate(list_transform(a.activity_types,
            lambda c: $type_rel[list_position($type_codes, c)]), 'bit_or'), 0) AS type_rel,
        coalesce(list_aggregate(list_transform(a.target_groups,
            lambda c: $group_rel[list_position($group_codes, c)]), 'bit_or'), 0) AS group_rel,
        coalesce(list_aggregate(list_transform(a.exploitation_forms,
            lambda c: $form_rel[list_position($form_codes, c)]), 'bit_or'), 0) AS form_rel,
        -- the classes of related codes listed; naming no form of exploitation is a class too
        coalesce(list_aggregate(list_transform(a.activity_types,
            lambda c: 1::BIGINT << $type_class[list_position($type_codes, c)]), 'bit_or'), 0) AS type_cls,
        coalesce(list_aggregate(list_transform(a.target_groups,
            lambda c: 1::BIGINT << $group_class[list_position($group_codes, c)]), 'bit_or'), 0) AS group_cls,
        coalesce(list_aggregate(list_transform(a.exploitation_forms,
            lambda c: 1::BIGINT << $form_class[list_position($form_codes, c)]), 'bit_or'),
            1::BIGINT << $n_form_classes) AS form_cls
    FROM selected_activities($filters) AS a
    WHERE ($iso3 IS NULL OR a.rid IN (SELECT rid FROM activity_countries WHERE iso3 = $iso3))
      AND ($ids IS NULL OR list_contains($ids, a.activity_id))
),
-- The class sets activities name (few distinct ones), and the keys each is listed under:
-- one per shared theme, and per class of each list that must share one.
masks AS MATERIALIZED (
    SELECT DISTINCT theme_bits, type_cls, group_cls, form_cls FROM sel
),
k_theme AS (  -- (unnest in the select list: a lateral unnest is slow)
    SELECT *, unnest(list_filter(range($n_themes), lambda i: (theme_bits >> i) & 1 = 1)) AS kt
    FROM masks
),
k_kind AS (  -- one row per kind of block: the lists a pair meeting there shares a class in
    SELECT *, unnest(range(len($kinds))) AS kk
    FROM k_theme
),
k_type AS (
    SELECT *, unnest(CASE WHEN $kinds[kk + 1] & 1 = 1
        THEN list_filter(range(63), lambda i: (type_cls >> i) & 1 = 1) ELSE [0::BIGINT] END) AS ky
    FROM k_kind
),
k_group AS (
    SELECT *, unnest(CASE WHEN $kinds[kk + 1] & 2 = 2
        THEN list_filter(range(63), lambda i: (group_cls >> i) & 1 = 1) ELSE [0::BIGINT] END) AS kg
    FROM k_type
),
mask_keys AS MATERIALIZED (
    SELECT *, unnest(CASE WHEN $kinds[kk + 1] & 4 = 4
        THEN list_filter(range(63), lambda i: (form_cls >> i) & 1 = 1) ELSE [0::BIGINT] END) AS kf
    FROM k_group
),
country_ids AS (  -- a small integer per country, for the key
    SELECT iso3, (row_number() OVER (ORDER BY iso3) - 1)::BIGINT AS iso_id
    FROM (SELECT DISTINCT iso3 FROM activity_countries WHERE $iso3 IS NULL OR iso3 = $iso3)
),
places AS MATERIALIZED (  -- one row per activity and country (joined before the keys multiply rows)
    SELECT s.rid, s.lead_agency AS lead, s.anchor, s.start_date AS s0, s.end_day AS s1,
           s.theme_bits, s.type_cls, s.group_cls, s.form_cls, c.iso_id
    FROM sel AS s
    JOIN activity_countries AS ac ON ac.rid = s.rid
    JOIN country_ids AS c ON c.iso3 = ac.iso3
    WHERE $iso3 IS NULL OR ac.iso3 = $iso3
),
block AS MATERIALIZED (  -- only narrow columns: this is both sides of the join
    SELECT
        p.rid, p.lead, p.anchor, p.s0, p.s1, p.theme_bits, p.type_cls, p.group_cls, p.form_cls,
        k.kk, k.kt, k.ky, k.kg, k.kf,
        -- theme, classes, country and period bucket packed in one exact integer (no hash: no collision)
        (((((((k.kk * 8 + k.kt) * 64 + k.ky) * 64 + k.kg) * 64 + k.kf) * 1024
            + CASE WHEN p.iso_id < 1024 THEN p.iso_id ELSE error('more than 1,024 countries') END) * 1024)
            + unnest(range(least(greatest((p.s0 - DATE '1900-01-01') // $period_days, 0), 1023),
                           least(greatest((p.s1 - DATE '1900-01-01') // $period_days, 0), 1023) + 1))) AS bkey
    FROM places AS p
    JOIN mask_keys AS k
      ON k.theme_bits = p.theme_bits AND k.type_cls = p.type_cls AND k.group_cls = p.group_cls
     AND k.form_cls = p.form_cls
),
met AS MATERIALIZED (  -- pairs that meet, once each per shared country
    SELECT x.rid AS rid_x, y.rid AS rid_y, (x.bkey // 1024) % 1024 AS iso_id,
           least(x.s1, y.s1) - greatest(x.s0, y.s0) + 1 AS overlap_days,
           least(x.s1 - x.s0, y.s1 - y.s0) + 1 AS shorter_days
    FROM block AS x
    JOIN block AS y ON x.bkey = y.bkey
    WHERE x.rid < y.rid
      AND x.lead <> y.lead
      AND (x.anchor OR y.anchor)
      AND x.s0 <= y.s1 AND y.s0 <= x.s1
      -- the block the pair really belongs to: the bucket of the later start, the lowest shared
      -- theme and the lowest shared class of each list that must share one
      AND x.bkey % 1024 = least(greatest((greatest(x.s0, y.s0) - DATE '1900-01-01') // $period_days, 0), 1023)
      AND (1::BIGINT << x.kt) = (x.theme_bits & y.theme_bits) & -(x.theme_bits & y.theme_bits)
      AND ($kinds[x.kk + 1] & 1 = 0 OR (1::BIGINT << x.ky) = (x.type_cls & y.type_cls) & -(x.type_cls & y.type_cls))
      AND ($kinds[x.kk + 1] & 2 = 0 OR (1::BIGINT << x.kg) = (x.group_cls & y.group_cls) & -(x.group_cls & y.group_cls))
      AND ($kinds[x.kk + 1] & 4 = 0 OR (1::BIGINT << x.kf) = (x.form_cls & y.form_cls) & -(x.form_cls & y.form_cls))
      -- and the first kind of block whose lists the pair all shares a class in: it meets once
      AND list_position(list_transform($kinds, lambda k: (k & ~(
              ((x.type_cls & y.type_cls) <> 0)::BIGINT
              | (((x.group_cls & y.group_cls) <> 0)::BIGINT << 1)
              | (((x.form_cls & y.form_cls) <> 0)::BIGINT << 2))) = 0), true) = x.kk + 1
      -- time alone must not cost more than the pair can lose
      AND $w_time * (1 - least(1.0, (least(x.s1, y.s1) - greatest(x.s0, y.s0) + 1)
                                    / ($full_overlap * (least(x.s1 - x.s0, y.s1 - y.s0) + 1))))
          <= $can_lose + 1e-9
),
parts AS (  -- the shared codes of each list, and the code parts of the score
    SELECT
        m.rid_x, m.rid_y, m.iso_id, m.overlap_days, m.shorter_days,
        -- running together over $full_overlap of the shorter one is the same period
        least(1.0, m.overlap_days / ($full_overlap * m.shorter_days)) AS time_overlap,
        x.theme_bits & y.theme_bits AS shared_theme_bits,
        x.type_bits & y.type_bits AS shared_type_bits,
        x.group_bits & y.group_bits AS shared_group_bits,
        x.form_bits & y.form_bits AS shared_form_bits,
        -- related, not the same: a code of one side related to a code of the other
        ((x.type_bits & ~y.type_bits & y.type_rel) | (y.type_bits & ~x.type_bits & x.type_rel)) AS related_type_bits,
        ((x.group_bits & ~y.group_bits & y.group_rel) | (y.group_bits & ~x.group_bits & x.group_rel))
            AS related_group_bits,
        -- the share of each side's codes the other names (a related code counts $credit), the
        -- better side: a list contained in the other's is full agreement
        coalesce(greatest(
            (bit_count(x.type_bits & y.type_bits) + $credit * bit_count(x.type_bits & ~y.type_bits & y.type_rel))
                / nullif(bit_count(x.type_bits), 0),
            (bit_count(x.type_bits & y.type_bits) + $credit * bit_count(y.type_bits & ~x.type_bits & x.type_rel))
                / nullif(bit_count(y.type_bits), 0)), 0) AS activity_types,
        coalesce(greatest(
            (bit_count(x.group_bits & y.group_bits) + $credit * bit_count(x.group_bits & ~y.group_bits & y.group_rel))
                / nullif(bit_count(x.group_bits), 0),
            (bit_count(x.group_bits & y.group_bits) + $credit * bit_count(y.group_bits & ~x.group_bits & x.group_rel))
                / nullif(bit_count(y.group_bits), 0)), 0) AS target_groups,
        -- neither naming a form of exploitation is agreement: both work on trafficking in general
        CASE WHEN x.form_bits = 0 AND y.form_bits = 0 THEN 1.0 ELSE coalesce(greatest(
            (bit_count(x.form_bits & y.form_bits) + $credit * bit_count(x.form_bits & ~y.form_bits & y.form_rel))
                / nullif(bit_count(x.form_bits), 0),
            (bit_count(x.form_bits & y.form_bits) + $credit * bit_count(y.form_bits & ~x.form_bits & x.form_rel))
                / nullif(bit_count(y.form_bits), 0)), 0) END AS exploitation_forms
    FROM met AS m
    JOIN sel AS x ON x.rid = m.rid_x
    JOIN sel AS y ON y.rid = m.rid_y
),
hopeful AS (  -- could still reach the threshold with the best place and identical texts
    SELECT *
    FROM parts
    WHERE $w_time * (1 - time_overlap) + $w_activity_types * (1 - activity_types)
          + $w_target_groups * (1 - target_groups) + $w_exploitation_forms * (1 - exploitation_forms)
          <= $can_lose + 1e-9
),
scored AS (
    SELECT
        -- a pair is listed with the smaller activity_id first
        CASE WHEN x.activity_id < y.activity_id THEN x.activity_id ELSE y.activity_id END AS activity_id_a,
        CASE WHEN x.activity_id < y.activity_id THEN y.activity_id ELSE x.activity_id END AS activity_id_b,
        c.iso3,
        m.shared_theme_bits, m.shared_type_bits, m.shared_group_bits, m.shared_form_bits,
        m.related_type_bits, m.related_group_bits,
        m.overlap_days, m.shorter_days, m.time_overlap, m.activity_types, m.target_groups, m.exploitation_forms,
        CASE WHEN x.activity_id < y.activity_id THEN x.lead_agency ELSE y.lead_agency END AS lead_a,
        CASE WHEN x.activity_id < y.activity_id THEN y.lead_agency ELSE x.lead_agency END AS lead_b,
        CASE WHEN x.activity_id < y.activity_id THEN x.budget_usd ELSE y.budget_usd END AS budget_a,
        CASE WHEN x.activity_id < y.activity_id THEN y.budget_usd ELSE x.budget_usd END AS budget_b,
        -- shared countries / countries of the smaller footprint: 1 for two national activities in
        -- one country, and for a national activity inside a regional one's countries
        len(list_intersect(x.countries, y.countries))
            / least(greatest(len(x.countries), 1), greatest(len(y.countries), 1)) AS place
    FROM hopeful AS m
    JOIN activities AS x ON x.rid = m.rid_x
    JOIN activities AS y ON y.rid = m.rid_y
    JOIN country_ids AS c ON c.iso_id = m.iso_id
    WHERE x.activity_id <> y.activity_id
      AND NOT list_contains(x.partner_agencies, y.lead_agency)
      AND NOT list_contains(y.partner_agencies, x.lead_agency)
),
final AS (
    SELECT
        *,
        -- the weighted losses of the structured parts: the text can make up at most w_text
        $w_time * (1 - time_overlap) + $w_place * (1 - place) + $w_activity_types * (1 - activity_types)
            + $w_target_groups * (1 - target_groups) + $w_exploitation_forms * (1 - exploitation_forms)
            AS structured_loss
    FROM scored
)
SELECT *
FROM final
-- the best a pair could reach is its score with identical texts; below the threshold even then, drop it
WHERE structured_loss <= $can_lose + 1e-9
ORDER BY activity_id_a, activity_id_b, iso3
