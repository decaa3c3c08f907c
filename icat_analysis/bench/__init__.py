"""The benchmark: page data work, the pandas baseline and browser render times (``python -m
icat_analysis bench``). Tooling: it may import every room, and nothing imports it."""
