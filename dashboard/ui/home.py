"""The app's address without a page (``/``): it opens Explore at ``/explore``.

Streamlit serves its default page at ``/`` whatever ``url_path`` it is given, so the
default is this hidden page, and Explore keeps the address it is linked by.
``dashboard/app.py`` already switches to Explore before it draws or computes anything
(a first visit runs the app once, not twice); this script is the page's own fallback.
"""
import streamlit as st

st.switch_page("ui/explore.py", query_params=dict(st.query_params))
