"""The bare Streamlit page ``bench_map`` times the map against: a title and nothing else.

    streamlit run benchmarks/bare_page.py      # from the repository root

Served by ``streamlit run`` exactly as the app is (the repository's
``.streamlit/config.toml``), so its first paint is Streamlit's own start: the page,
its JavaScript, the websocket and one script run.
"""
from __future__ import annotations

import streamlit as st

TITLE = "Bare page"

st.title(TITLE)
