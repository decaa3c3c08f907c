-- The most the concept part of each candidate pair could be, worked out from the concepts and
-- figures both activities name without matching figures one by one (TextIndex.similarity in
-- store/duplicate_text.py does that, for the few pairs this leaves). Only pairs whose texts
-- both name something are here (the others compare wording). The text part is
-- shared / (total_a + total_b - shared), which grows with shared, so an upper bound on shared
-- gives one on the part:
-- - concepts, small figures and years count when both name them (their weight);
-- - a figure compared approximately (from 50 up, not a year) adds (w_x + w_y) / 2 when it is
--   matched to one of the other side within $tolerance (an equal one included), each figure
--   used once; so, per figure of one side, the most any figure of the other side within the
--   tolerance adds bounds what it can add, and the smaller of the two sides' sums bounds them all.
-- Tables (built by duplicate_search._text_bound): bound_pairs(pid, a, b); bound_activities(k,
-- toks: exact tokens as numbers into $token_weights, figs and fws: the figures compared
-- approximately and their weights, total). List functions per pair, not joins over tokens: a
-- large export has millions of candidates naming about eight tokens each.
WITH shared AS (
    SELECT
        p.pid,
        coalesce(list_sum(list_transform(list_intersect(x.toks, y.toks), lambda t: $token_weights[t])), 0)
        + least(
            -- per figure of one side, the most a figure of the other side within the tolerance adds
            -- (a little wider than the tolerance: a bound may only be too high, never too low)
            coalesce(list_sum(list_transform(range(1, len(x.figs) + 1), lambda i: coalesce(list_max(list_transform(
                range(1, len(y.figs) + 1), lambda j: CASE
                    WHEN abs(x.figs[i] - y.figs[j]) <= $tolerance * greatest(x.figs[i], y.figs[j]) * (1 + 1e-9)
                    THEN (x.fws[i] + y.fws[j]) / 2 END)), 0))), 0),
            coalesce(list_sum(list_transform(range(1, len(y.figs) + 1), lambda j: coalesce(list_max(list_transform(
                range(1, len(x.figs) + 1), lambda i: CASE
                    WHEN abs(x.figs[i] - y.figs[j]) <= $tolerance * greatest(x.figs[i], y.figs[j]) * (1 + 1e-9)
                    THEN (x.fws[i] + y.fws[j]) / 2 END)), 0))), 0)
        ) AS most_shared,
        x.total + y.total AS both_totals
    FROM bound_pairs AS p
    JOIN bound_activities AS x ON x.k = p.a
    JOIN bound_activities AS y ON y.k = p.b
)
SELECT pid,
       CASE WHEN most_shared >= both_totals - most_shared THEN 1.0
            ELSE most_shared / (both_totals - most_shared) END AS most
FROM shared
ORDER BY pid
