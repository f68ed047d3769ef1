"""What a new browser session no longer waits for (issue 17, item 14; benchmarks/ttfc.py):
a sign-in keeps every session's cached figures, the sign-in form has the browser load the
pages' code while a password is typed, and a new server imports the pages' modules before
its first visitor asks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metdash import auth, figures, ui
from metdash.errors import AuthError
from metdash.store import Database
from metdash.ui import warmup
from tests.test_figures import PERIOD

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def practice(small_db_path, tmp_path) -> Database:
    path = tmp_path / "practice.duckdb"
    path.write_bytes(small_db_path.read_bytes())
    db = Database(path)
    auth.add_user(db, "olive", "olive-owner-pass-1", "owner", by="setup")
    return db


def test_a_sign_in_keeps_the_cached_figures_and_a_real_write_does_not(practice):
    calls = []

    def counted(db: Database, f: figures.Filters) -> int:
        calls.append(f)
        return figures.kpis(db, f)["gross_charges"]

    fn = ui.cached(counted)
    assert fn(practice, PERIOD) == 1100 and len(calls) == 1
    stamp = ui.file_stamp(practice.path)
    auth.authenticate(practice, "olive", "olive-owner-pass-1", client="test-1")
    with pytest.raises(AuthError):  # a wrong password writes its audit row too
        auth.authenticate(practice, "olive", "wrong-password-x", client="test-2")
    assert ui.file_stamp(practice.path) == stamp
    assert fn(practice, PERIOD) == 1100 and len(calls) == 1  # served from the cache
    # ... while the sign-ins are on record (the audit log and Settings read them uncached).
    actions = practice.query("SELECT action FROM audit_log WHERE table_name = 'users' "
                             "ORDER BY audit_id").action.tolist()
    assert actions[-2:] == ["login", "login_failed"]
    # Any other write changes the stamp: the figure is computed again.
    with practice.transaction() as con:
        con.execute("UPDATE claims SET total_charge = total_charge + 50 WHERE claim_id = 'C1'")
        from metdash.store import facts
        facts.touch(con, ["C1"])
    assert ui.file_stamp(practice.path) != stamp
    assert fn(practice, PERIOD) == 1150 and len(calls) == 2


def test_a_user_added_still_changes_the_stamp(practice):
    stamp = ui.file_stamp(practice.path)
    auth.add_user(practice, "bill", "bill-biller-pass-2", "biller", by="olive")
    assert ui.file_stamp(practice.path) != stamp


def test_the_warm_up_names_the_installed_streamlits_modules():
    files = warmup.module_files()
    # Every module is found: a Streamlit whose front end is laid out otherwise says so here.
    assert [f.split(".")[0] for f in files] == list(warmup.MODULES)
    static = Path(__import__("streamlit").__file__).parent / "static" / "static" / "js"
    assert all((static / f).is_file() for f in files)
    assert warmup.MODULES[-1] == "PlotlyChart"  # last: see the comment on MODULES
    styles = warmup.style_files()  # the tables' style sheet, loaded before the click too
    assert [f.split(".")[0] for f in styles] == ["DataFrame"] and styles[0].endswith(".css")
    assert (static.parent / "css" / styles[0]).is_file()
    script = warmup.script(files, styles)
    assert script.startswith("<script>") and all(f in script for f in files + styles)


def test_a_folder_without_the_modules_warms_nothing(tmp_path):
    assert warmup.module_files(tmp_path) == ()
    assert warmup.module_files(tmp_path / "missing") == ()
    assert warmup.style_files(tmp_path) == ()


def test_the_sign_in_form_warms_the_browser_and_shows_no_figure(practice, monkeypatch):
    monkeypatch.setenv("METDASH_DB", str(practice.path))
    monkeypatch.setattr("metdash.ui.session.session_user", lambda db: None)
    at = AppTest.from_file(str(ROOT / "pages" / "overview.py"), default_timeout=60).run()
    assert [t.value for t in at.title] == ["Sign in"]
    html = [h.proto.body for h in at.get("html")]
    assert any("DataFrame" in body and "import(" in body for body in html)
    assert not (at.metric or at.get("plotly_chart") or at.dataframe)


def test_the_pages_modules_are_named_and_import_without_kaleido():
    names = warmup.page_imports(ROOT / "pages")
    assert {"metdash.charts", "metdash.figures", "metdash.x12.post835",
            "metdash.scenario_charts"} <= set(names)
    # A fresh process: what the server's warm-up imports never starts kaleido's browser.
    code = ("import sys, pathlib; from metdash.ui import warmup; "
            f"warmup._warm(pathlib.Path({str(ROOT / 'pages')!r})); "
            "print('kaleido' in sys.modules, 'plotly.graph_objects' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout.split()
    assert out == ["False", "True"]


def test_no_pages_folder_routing_sets_streamlits_flag(monkeypatch):
    from streamlit.runtime.pages_manager import PagesManager

    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    warmup.no_pages_folder_routing()
    assert PagesManager.uses_pages_directory is False


def test_the_first_element_of_a_server_process_walks_no_stack(monkeypatch):
    # Streamlit's once-per-process "not run with `streamlit run`" check walks the script
    # thread's stack with inspect.stack(): 133 ms of the first visit after a restart.
    import inspect

    from streamlit import delta_generator

    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)

    def no_stack(*args, **kwargs):
        raise AssertionError("inspect.stack() was called")

    monkeypatch.setattr(inspect, "stack", no_stack)
    warmup.no_direct_run_check()
    delta_generator._maybe_print_use_warning()  # the call the first element makes
    assert "warmup.no_direct_run_check()" in (ROOT / "serve.py").read_text(encoding="utf-8")


def test_without_it_the_first_element_walks_the_stack(monkeypatch):
    # The test above is not vacuous: this Streamlit does walk it.
    import inspect

    from streamlit import delta_generator

    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    called = []
    monkeypatch.setattr(inspect, "stack", lambda *a, **k: called.append(1) or [
        inspect.FrameInfo(None, "x.py", 1, "f", None, None)])
    delta_generator._maybe_print_use_warning()
    assert called


def test_the_server_loads_the_emoji_table_before_it_listens():
    """app.py's page icon is an emoji; Streamlit checks it against a table whose module
    compiles a regex of every emoji (~0.1 s) on a process's first run: the first visitor
    after a restart waited for it in the sign-in form. serve.py loads it before serving."""
    import os
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", "import sys, serve; print('streamlit.emojis' in sys.modules)"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.strip().splitlines()[-1] == "True", out.stderr[-2000:]
