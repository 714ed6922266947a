"""The Streamlit app's helpers and pages (``kg/app/pages/*.py``, run by ``app.py``)."""
