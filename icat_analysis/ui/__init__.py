"""Presentation: figures, the map, downloads, the briefing pack, presentation mode, the data
dictionary and the one Streamlit adapter (``st_adapter``). Reads analyses and the store."""
