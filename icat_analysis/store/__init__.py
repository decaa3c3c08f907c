"""The store: the data contract, the parquet export and its writer, validation, reviews, and the
DuckDB connection with its named queries (``sql/``). Imports only the package's base modules."""
