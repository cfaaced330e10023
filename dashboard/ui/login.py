"""An optional sign-in gate: Streamlit's OpenID Connect login (``st.login``), off by default.

The app has no accounts of its own.  When ``.streamlit/secrets.toml`` has an
``[auth]`` section (``redirect_uri``, ``cookie_secret``, ``client_id``,
``client_secret``, ``server_metadata_url`` of any OIDC provider), every page
asks the visitor to sign in with that provider first, and the sidebar shows who
is signed in with a "Log out" button.  Without that section nothing changes.
``st.login`` needs Authlib (``pip install -e ".[auth]"``).
"""
from __future__ import annotations

import streamlit as st

from dashboard.ui.widgets import md

__all__ = ["login_configured", "signed_in"]


def login_configured() -> bool:
    """True when ``st.secrets`` has an ``[auth]`` section (no secrets file: False)."""
    try:
        return "auth" in st.secrets
    except Exception:
        return False


def signed_in() -> bool:
    """True when the page may be shown: no login configured, or the visitor signed in.

    Otherwise draw the sign-in screen (a "Log in" button that starts the
    provider's flow) and return False; the caller stops the script.
    """
    if not login_configured():
        return True
    if st.user.get("is_logged_in", False):
        who = st.user.get("email") or st.user.get("name") or "signed in"
        st.sidebar.caption(f"Signed in as {md(who)}")
        st.sidebar.button("Log out", key="logout", on_click=st.logout)
        return True
    st.title("NATO eastern flank – incident map")
    st.write("This deployment asks you to sign in first.")
    st.button("Log in", key="login", type="primary", on_click=st.login)
    return False
