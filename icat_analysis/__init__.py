"""ICAT coordination dashboard: the analysis package.

Everything the dashboard computes lives here, free of Streamlit (except ``st_adapter``),
so it can be tested, benchmarked and used from the command line.
"""

__version__ = "0.1.0"
