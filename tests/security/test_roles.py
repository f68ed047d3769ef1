"""Promise: each role gets what it needs and nothing more, checked on the server side (a page
refused renders no data at all); a viewer never sees columns that identify a client."""

from __future__ import annotations

import ast
import time

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from metdash import auth

from .conftest import PAGES, ROLES

# The permission each page must ask for (the brief's table).
PAGE_PERMISSIONS = {
    "overview": "view", "revenue": "view", "days_to_payment": "view", "denials": "view",
    "referrers": "view", "clients": "front_desk", "referrals": "front_desk",
    "sessions": "front_desk", "claims": "billing", "payments": "billing",
    "remittances": "billing", "settings": "owner", "audit": "owner", "worklists": "work",
}


def signed_in(at: AppTest, username: str) -> AppTest:
    """Put ``username`` in the session as the sign-in form would (the store is re-read)."""
    at.session_state["_auth_user"] = {"username": username, "role": ROLES[username],
                                      "display_name": username.capitalize()}
    at.session_state["_auth_seen"] = time.time()
    return at


def open_page(name: str, username: str) -> AppTest:
    at = signed_in(AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60), username)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_role_permission_map():
    assert auth.ROLE_PERMISSIONS["owner"] == frozenset(auth.PERMISSIONS)
    assert auth.ROLE_PERMISSIONS["biller"] == {"view", "phi", "work", "billing", "imports",
                                               "exports"}
    assert auth.ROLE_PERMISSIONS["front_desk"] == {"phi", "front_desk", "work"}
    assert auth.ROLE_PERMISSIONS["viewer"] == {"view"}
    with pytest.raises(ValueError):
        auth.can("owner", "launch_missiles")
    assert not auth.can("intruder", "view")


@pytest.mark.parametrize("page,permission", sorted(PAGE_PERMISSIONS.items()))
def test_every_page_asks_for_its_permission(page, permission):
    tree = ast.parse((PAGES / f"{page}.py").read_text())
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
             and getattr(n.func, "attr", None) == "page_start"]
    assert len(calls) == 1
    kw = {k.arg: k.value.value for k in calls[0].keywords}
    assert kw.get("permission") == permission


def test_front_desk_is_refused_the_claims_page_and_sees_no_data(practice):
    at = open_page("claims", "fran")
    assert "Front desk" in at.error[0].value and "billing" in at.error[0].value
    assert not at.dataframe and not at.tabs and not at.metric and not at.text_input
    assert [t.value for t in at.title] == []  # the page stopped before its own title


@pytest.mark.parametrize("username,page", [("vic", "settings"), ("vic", "clients"),
                                           ("bill", "audit"), ("fran", "overview"),
                                           ("bill", "sessions")])
def test_refused_pages(practice, username, page):
    at = open_page(page, username)
    assert at.error and "may not open this page" in at.error[0].value
    assert not at.dataframe and not at.metric and not at.get("plotly_chart")


@pytest.mark.parametrize("username,page", [("bill", "claims"), ("fran", "clients"),
                                           ("vic", "overview"), ("olive", "audit"),
                                           ("olive", "settings")])
def test_allowed_pages(practice, username, page):
    at = open_page(page, username)
    assert not any("may not open" in e.value for e in at.error)


def _table_app():
    import pandas as pd

    from metdash import ui

    ui.page_start("PHI check", permission="view")
    frame = pd.DataFrame({"client_id": ["C1"], "last_name": ["Doe"], "first_name": ["Jane"],
                          "dob": ["1950-02-03"], "member_id": ["1EG4TE5MK72"],
                          "address_line1": ["1 Elm St"], "city": ["Springfield"],
                          "zip": ["62701"], "phone": ["217-555-0100"], "payer": ["Medicare"],
                          "charge": [80.0]})
    ui.table(frame, key="phi")
    ui.require("phi")
    import streamlit as st

    st.write("after require")


def test_viewer_sees_no_phi_columns(practice):
    at = signed_in(AppTest.from_function(_table_app, default_timeout=60), "vic").run()
    assert not at.exception
    assert list(at.dataframe[0].value.columns) == ["client_id", "payer", "charge"]
    # ui.require("phi") stops the viewer before anything that follows.
    assert not [m for m in at.markdown if m.value == "after require"]
    assert "may not" in at.error[0].value


def test_biller_sees_the_whole_table(practice):
    at = signed_in(AppTest.from_function(_table_app, default_timeout=60), "bill").run()
    assert not at.exception
    assert "last_name" in at.dataframe[0].value.columns
    assert [m for m in at.markdown if m.value == "after require"]


def test_phi_columns_rule():
    frame = pd.DataFrame(columns=["client_id", "client", "client_name", "subscriber_last_name",
                                  "dob", "subscriber_dob", "member_id", "address_line1", "city",
                                  "state", "zip", "phone", "email", "payer", "referrer",
                                  "paid_amount", "claim_id"])
    assert auth.phi_columns(frame) == ["client", "client_name", "subscriber_last_name", "dob",
                                       "subscriber_dob", "member_id", "address_line1", "city",
                                       "zip", "phone", "email"]
    assert list(auth.without_phi(frame).columns) == ["client_id", "state", "payer", "referrer",
                                                     "paid_amount", "claim_id"]
