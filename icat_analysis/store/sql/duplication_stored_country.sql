-- One country's pairs (every country when $iso3 is NULL) scoring at least $threshold, read
-- straight from a version's stored hot-spot index ($path, duplicate_pairs.parquet) without
-- loading the export: the `duplicates` command. Every activity of the version passes the
-- command's filters, so these are the rows duplication_stored_pairs.sql gives, in its order.
SELECT p.*
FROM read_parquet($path) AS p
WHERE p.score >= $threshold - 1e-9
  AND ($iso3 IS NULL OR p.iso3 = $iso3)
ORDER BY p.activity_id_a, p.activity_id_b, p.iso3
