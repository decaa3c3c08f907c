"""Analyses: the questions the dashboard answers (coverage, duplication, indicators, need,
overview, agencies, country profiles) as DataFrames, read from the store. No figures, no Streamlit."""
