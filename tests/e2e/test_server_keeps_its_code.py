"""A running server keeps the code it started with (found by a new-user trial, stop 46).

Streamlit's file watcher drops every module of the project from ``sys.modules`` when any of
its source files changes, and the pages then import metdash again on their next run. The
gate in front of the server (serve.py: ``metdash.ui.gate``) was built once, from the modules
the server started with, so the sessions the pages registered as signed in (or open, on the
demo) went to the new modules' registry while the gate read the old one: every download
was refused ("Sign in to download this file") for every browser until a restart. A source
file changes under a running server whenever a practice updates metdash with ``git pull``.
The project's config turns the watcher off; this runs the server exactly as ``make run``
does, on a copy of the project, and changes one of its files while a browser uses it.
"""

from __future__ import annotations

import shutil

from tests.e2e.conftest import ROOT, RunningApp, wait_for_page

PROJECT = ("app.py", "serve.py", "pages", "metdash", ".streamlit")


def _download_csv(page, url: str) -> str | None:
    """Open Work lists at ``url`` and download its open list's CSV: the failure, or None."""
    page.goto(f"{url}/worklists")
    wait_for_page(page, "Work lists")
    button = page.get_by_role("button", name="Download CSV").first
    button.wait_for(timeout=60_000)
    with page.expect_download(timeout=30_000) as download:
        button.click()
    return download.value.failure()


def test_a_source_file_changed_under_the_server_leaves_downloads_working(
        demo_db_path, tmp_path, browser):
    project = tmp_path / "project"
    for name in PROJECT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            project.mkdir(exist_ok=True)
            shutil.copy(source, project / name)
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, db)
    app = RunningApp(db, root=project, make_run=True)
    context = browser.new_context(accept_downloads=True)
    try:
        page = context.new_page()
        assert _download_csv(page, app.url) is None
        # An update lands (a changed module), and the open page runs again in its session.
        changed = project / "metdash" / "chart_labels.py"
        changed.write_text(changed.read_text() + "\n# updated\n")
        page.wait_for_timeout(2_000)
        page.get_by_role("link", name="Overview", exact=True).click()
        wait_for_page(page, "Gross charges")
        assert _download_csv(page, app.url) is None
        other = browser.new_context(accept_downloads=True)
        try:
            assert _download_csv(other.new_page(), app.url) is None
        finally:
            other.close()
    finally:
        context.close()
        app.stop()
