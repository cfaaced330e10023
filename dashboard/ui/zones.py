"""The No-fly zones page (``/zones``): draw and build zones, compare them, keep scenarios.

Run by ``st.navigation`` from ``dashboard/app.py`` after the shared sidebar.
The widgets live in :mod:`dashboard.ui.zone_page`.
"""
import streamlit as st

from dashboard.ui.zone_page import render_zones_page

render_zones_page(st.session_state)
