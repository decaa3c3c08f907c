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
-- Tables (built by duplicate_search._text_bound): bound_pairs(pid, a, b), bound_tokens(k, tok, w)
-- (exact tokens), bound_figures(k, v, w) (figures compared approximately), bound_totals(k, total).
WITH exact AS (
    SELECT p.pid, sum(ta.w) AS shared
    FROM bound_pairs AS p
    JOIN bound_tokens AS ta ON ta.k = p.a
    JOIN bound_tokens AS tb ON tb.k = p.b AND tb.tok = ta.tok
    GROUP BY p.pid
),
close AS (  -- each figure of either side with every figure of the other side it may be matched to
    SELECT p.pid, fa.v AS va, fb.v AS vb, (fa.w + fb.w) / 2 AS adds
    FROM bound_pairs AS p
    JOIN bound_figures AS fa ON fa.k = p.a
    JOIN bound_figures AS fb ON fb.k = p.b
    -- a little wider than the tolerance: a bound may only be too high, never too low
    WHERE abs(fa.v - fb.v) <= $tolerance * greatest(fa.v, fb.v) * (1 + 1e-9)
),
side_a AS (
    SELECT pid, sum(adds) AS adds FROM (SELECT pid, va, max(adds) AS adds FROM close GROUP BY pid, va) GROUP BY pid
),
side_b AS (
    SELECT pid, sum(adds) AS adds FROM (SELECT pid, vb, max(adds) AS adds FROM close GROUP BY pid, vb) GROUP BY pid
),
shared AS (
    SELECT p.pid,
           coalesce(e.shared, 0) + coalesce(least(sa.adds, sb.adds), 0) AS most_shared,
           ta.total + tb.total AS both_totals
    FROM bound_pairs AS p
    JOIN bound_totals AS ta ON ta.k = p.a
    JOIN bound_totals AS tb ON tb.k = p.b
    LEFT JOIN exact AS e ON e.pid = p.pid
    LEFT JOIN side_a AS sa ON sa.pid = p.pid
    LEFT JOIN side_b AS sb ON sb.pid = p.pid
)
SELECT pid,
       CASE WHEN most_shared >= both_totals - most_shared THEN 1.0
            ELSE most_shared / (both_totals - most_shared) END AS most
FROM shared
ORDER BY pid
