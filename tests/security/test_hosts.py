"""Promise: the app renders nothing for a Host name it was not told to answer to (a DNS
rebinding page cannot read it through the browser of someone in the practice)."""

from __future__ import annotations

import pytest
import streamlit.runtime.context as st_context
from streamlit.testing.v1 import AppTest

from metdash import hosts

from .conftest import PAGES


@pytest.mark.parametrize("host, ok", [
    ("localhost:8501", True), ("127.0.0.1:8501", True), ("[::1]:8501", True),
    ("LOCALHOST:8501", True), (None, True),
    ("localhost:9999", False), ("evil.example:8501", False), ("evil.example", False),
    ("127.0.0.1.evil.example:8501", False), ("", False),
])
def test_default_hosts_are_the_local_names_on_the_apps_port(host, ok):
    assert hosts.host_allowed(host, hosts.allowed_hosts(8501, env={})) is ok


def test_allowed_hosts_from_the_environment():
    allowed = hosts.allowed_hosts(8501, env={hosts.ENV: "metdash.office.lan, 10.0.0.5:8501"})
    assert hosts.host_allowed("metdash.office.lan", allowed)
    assert hosts.host_allowed("metdash.office.lan:443", allowed)
    assert hosts.host_allowed("10.0.0.5:8501", allowed)
    assert not hosts.host_allowed("10.0.0.5:8502", allowed)
    assert not hosts.host_allowed("localhost:8501", allowed)  # the list replaces the default


def _with_host(monkeypatch, host: str) -> None:
    headers = st_context.StreamlitHeaders([("Host", host), ("Accept", "*/*")])
    monkeypatch.setattr(st_context.ContextProxy, "headers", property(lambda self: headers))


def test_a_page_opened_under_another_name_renders_nothing(demo_db_path, monkeypatch):
    monkeypatch.setenv("METDASH_DB", str(demo_db_path))  # the open demo: no sign-in to stop it
    _with_host(monkeypatch, "rebind.evil.example:8501")
    at = AppTest.from_file(str(PAGES / "overview.py"), default_timeout=60).run()
    assert not at.exception
    assert "rebind.evil.example" in at.error[0].value
    assert not (at.metric or at.dataframe or at.get("plotly_chart") or at.text_input)
    _with_host(monkeypatch, "localhost:8501")
    at = AppTest.from_file(str(PAGES / "overview.py"), default_timeout=60).run()
    assert not at.exception and not at.error and at.metric
