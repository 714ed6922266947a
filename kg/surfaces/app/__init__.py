"""The Streamlit app's helpers and pages (``kg/surfaces/app/pages/*.py``, run by ``app.py``)."""
