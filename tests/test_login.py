"""The optional OpenID Connect gate: off without ``[auth]`` secrets, in front of every page with them."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from conftest import APP

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "nfz", "client_secret": "secret",
        "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}


def _maps(at: AppTest) -> int:
    return len(at.get("component_instance"))


def test_without_auth_secrets_the_map_opens_at_once() -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    assert _maps(at) == 1
    assert not [b for b in at.button if b.label == "Log in"]


def test_with_auth_secrets_every_page_asks_to_sign_in_first() -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.run()
    assert not at.exception, at.exception
    assert [b.label for b in at.button] == ["Log in"]
    assert _maps(at) == 0  # nothing of the app: no map, no sidebar, no data
    assert "sign in" in " ".join(m.value for m in at.markdown)
    assert not at.get("file_uploader") and not at.get("selectbox")
