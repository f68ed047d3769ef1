"""The running app in headless Chromium (Debian's, driven by Playwright's Python client).

The browser tests skip with a clear message on a machine without /usr/bin/chromium, except
under CI=true, where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from metdash.ui.later import BOX_KEY

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("METDASH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _need_chromium() -> None:
    if Path(CHROMIUM).exists() and shutil.which(CHROMIUM):
        return
    message = (f"Chromium not found at {CHROMIUM}: install it with "
               "`apt-get install -y chromium chromium-driver` to run the browser tests.")
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


OWNER, PASSWORD = "olive", "olive-owner-pass-1"


def practice_with_owner(source: Path, directory: Path,
                        change: Callable[[Any], None] | None = None) -> Path:
    """A copy of the store ``source`` in ``directory`` with an owner, :data:`OWNER`, to sign
    in as (:data:`PASSWORD`); ``change(con)`` alters its data first, in a transaction whose
    commit keeps the facts up to date."""
    from metdash import auth
    from metdash.store import Database

    path = directory / "practice.duckdb"
    shutil.copy(source, path)
    db = Database(path)
    if change is not None:
        with db.transaction() as con:
            change(con)
    auth.add_user(db, OWNER, PASSWORD, "owner", by="setup", display_name="Olive")
    db.release()
    return path


class RunningApp:
    """``streamlit run serve.py`` (app.py behind metdash's gate, as ``make run`` starts it)
    in its own process group, on a free loopback port."""

    def __init__(self, db_path: Path, env: dict[str, str] | None = None,
                 script: str = "serve.py", root: Path = ROOT,
                 make_run: bool = False) -> None:
        """``root``: the project to run (a copy, to change its files while it runs);
        ``make_run``: exactly ``make run``'s flags, the project's .streamlit/config.toml
        deciding the rest (else its file watcher is off whatever the config says)."""
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = db_path.with_suffix(".server.log")
        full_env = {**os.environ, "METDASH_DB": str(db_path), **(env or {})}
        watcher = [] if make_run else ["--server.fileWatcherType=none"]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(root / script),
             "--server.headless=true", f"--server.port={self.port}",
             "--server.address=127.0.0.1", *watcher, "--browser.gatherUsageStats=false"],
            cwd=root, env=full_env, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"streamlit did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture(scope="session")
def browser():
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def wait_for_page(page, marker: str | None = None, timeout: float = 60_000) -> None:
    """Wait for the app to render a page and finish running its script."""
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=timeout)
    if marker:
        page.get_by_text(marker, exact=False).first.wait_for(timeout=timeout)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
                 && !document.querySelector('[data-testid="stSkeleton"]')""",
        timeout=timeout)
    wait_for_charts(page, timeout)
    page.wait_for_timeout(800)  # plotly draws after the script finishes


def sign_in(page, url: str, user: str, password: str) -> None:
    """Open ``url`` (a page behind the sign-in form) and sign in there as ``user``."""
    page.goto(url)
    wait_for_page(page, "Sign in")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def wait_for_charts(page, timeout: float = 60_000) -> None:
    """Wait until no chart's place has been held for it for a second (metdash.ui.later: a
    page just opened draws its charts after the rest; the boxes may still be on their way
    when the page's text is, and the charts come one by one)."""
    page.evaluate("() => { window.__boxSeen = performance.now(); }")
    page.wait_for_function(
        """(key) => {
          const now = performance.now();
          if (document.querySelector(`[class*="st-key-${key}"]`)) {
            window.__boxSeen = now; return false; }
          return now - window.__boxSeen > 1000; }""",
        arg=BOX_KEY, timeout=timeout, polling=100)


def elsewhere(urls: list[str], app_url: str) -> list[str]:
    """The requests of ``urls`` (a context's or page's ``request`` events) made to any
    server but the app at ``app_url``: none should be (data: and blob: URLs stay in the
    browser)."""
    # the slash too: the app at :8501 is not another server at :85010
    own = (app_url + "/", app_url.replace("http", "ws", 1) + "/")
    return [u for u in urls if u.startswith(("http:", "https:", "ws:", "wss:"))
            and not u.startswith(own)]


def full_screenshot(page, path: Path) -> None:
    """Resize the viewport to the main area's height, then shoot the whole page."""
    height = page.evaluate(
        """() => { const m = document.querySelector('[data-testid="stMain"]');
                   return m ? m.scrollHeight : document.body.scrollHeight; }""")
    page.set_viewport_size({"width": 1400, "height": max(900, min(int(height) + 40, 12000))})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path), full_page=True)
