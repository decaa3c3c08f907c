-- Pairs from the hot-spot index stored with the export (duplicate_pairs.parquet, built at
-- import: store/duplicate_index.py), one row per pair and shared country, as the live search
-- (duplication_candidates.sql) lists them: both activities pass $filters (the activities
-- compared), and with $anchored one of them passes $anchor (an agency's pairs with any other
-- agency); $iso3 NULL = every country; only pairs scoring at least $threshold.
SELECT p.*
FROM duplicate_pairs AS p
WHERE p.score >= $threshold - 1e-9
  AND ($iso3 IS NULL OR p.iso3 = $iso3)
  AND p.activity_id_a IN (SELECT activity_id FROM selected_activities($filters))
  AND p.activity_id_b IN (SELECT activity_id FROM selected_activities($filters))
  AND (NOT $anchored
       OR p.activity_id_a IN (SELECT activity_id FROM selected_activities($anchor))
       OR p.activity_id_b IN (SELECT activity_id FROM selected_activities($anchor)))
ORDER BY p.activity_id_a, p.activity_id_b, p.iso3
