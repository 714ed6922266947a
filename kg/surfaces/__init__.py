"""Surfaces: the `kg` command line, its sub-commands and the Streamlit app."""
