"""The Streamlit shell: the pages (``explore.py``, ``zones.py``, run by
``st.navigation`` from ``dashboard/app.py``) and the widgets they share."""
