"""Streamlit app: browse the mechanism modules, explore and explain paths, query in Cypher, export.

Run with ``streamlit run app.py``. Settings come from the environment (KG_STORE, KG_HOME, NEO4J_*)
or the sidebar; the app never writes to the graph and holds no graph logic of its own: the pages
in ``kg/surfaces/app/pages/`` call the same Python API as the ``kg`` command.
"""
from __future__ import annotations

import streamlit as st

from kg.surfaces.app.common import sidebar_settings

st.set_page_config(page_title="LDH resorption KG", page_icon=":material/biotech:", layout="wide")

PAGES = [
    st.Page("kg/surfaces/app/pages/overview.py", title="Overview", icon=":material/hub:", default=True),
    st.Page("kg/surfaces/app/pages/paths.py", title="Path explorer", icon=":material/route:", url_path="paths"),
    st.Page("kg/surfaces/app/pages/entity.py", title="Entity", icon=":material/biotech:", url_path="entity"),
    st.Page("kg/surfaces/app/pages/cypher.py", title="Cypher console", icon=":material/terminal:", url_path="cypher"),
    st.Page("kg/surfaces/app/pages/hypotheses.py", title="Hypotheses", icon=":material/lightbulb:", url_path="hypotheses"),
    st.Page("kg/surfaces/app/pages/exports.py", title="Exports", icon=":material/download:", url_path="exports"),
]

nav = st.navigation(PAGES)
sidebar_settings()
nav.run()
