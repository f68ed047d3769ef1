"""Time to first content: what a person waits for in a browser (issue 17, item 14).

Starts the real app the way ``make run`` does (``streamlit run serve.py``: app.py behind
the sign-in gate) on a copy of ``--db`` made a practice file (not the open demo) with one
owner, and beside it a minimal reference page (benchmarks/ttfc_reference.py: ten
``st.metric`` tiles and one plotly chart) served by the same install with the same flags.
Headless Chromium (Playwright, ``executable_path``) then times, each in a fresh browser
context (no cookie, a new Streamlit session):

- **sign-in**: navigation start to the sign-in form's Username box visible;
- **each page after sign-in**: navigation start to the page's first content visible, the
  sign-in form and the sign-in itself included, the typing left out: form visible, then
  :data:`TYPING_MS` for a person to type (not timed), then the press on "Sign in" → content;
- **first visit after a restart**: both servers stopped and started again, then the
  Overview (sign-in included) and the reference page, each as the first visitor.

"First content" is the first element matching :data:`CONTENT` that is visible (a metric
tile, a drawn plotly chart's ``.main-svg``, a table, a form, tabs), with the sign-in form
gone. "All drawn" (reported, no budget) is when the script has finished and no chart's
place is still held for it (a page just opened draws its charts after the rest:
:mod:`metdash.ui.later`); the reference page draws its chart with its tiles.

Every time is read in the page's own clock (its navigation start, the press on "Sign in",
the first frame a check holds in), so what Playwright does around them (its click's checks
before the press, its answers' way back) is not counted: :func:`_wait`. Runs are
interleaved (reference, page, reference, page, ...) so the shared machine's noise falls on
both; each line reports medians and the ratio of the page's median to the reference's (all
reference runs of the same kind pooled), against :data:`RATIO_LIMIT`.

    python benchmarks/ttfc.py --db data/demo.duckdb --runs 5
    python benchmarks/ttfc.py --db bench.duckdb --pages overview.py,scenario.py --runs 3
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

RATIO_LIMIT = 1.5
CHROMIUM = os.environ.get("METDASH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
USER, PASSWORD = "bench", "bench-owner-pass-1"
QUERY = "from=2025-07-01&to=2026-06-30"  # run.py's year (its demo's as-of date)
CONTENT = ", ".join([
    '[data-testid="stMain"] [data-testid="stMetric"]',
    '[data-testid="stMain"] .js-plotly-plot .main-svg',
    '[data-testid="stMain"] [data-testid="stDataFrame"]',
    '[data-testid="stMain"] [data-testid="stTable"]',
    '[data-testid="stMain"] [data-testid="stForm"]',
    '[data-testid="stMain"] [data-testid="stTabs"]',
])
# The first content is shown, and it is not the sign-in form (still on screen, faded, while
# the run after "Sign in" starts).
_SHOWN = """(sel) => {
  const h1 = document.querySelector('[data-testid="stMain"] h1');
  if (!h1 || h1.innerText.trim() === 'Sign in') return false;
  if (document.querySelector('input[autocomplete="current-password"]')) return false;
  return [...document.querySelectorAll(sel)].some(e => {
    const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
}"""
# The sign-in form's Username box is drawn.
_FORM_SHOWN = """() => {
  const e = document.querySelector('input[autocomplete="username"]');
  if (!e) return false;
  const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0;
}"""
# The page has finished running and every chart is drawn (none of metdash.ui.later's boxes
# is left). A string literal: the app's modules are not imported here.
_ALL_DRAWN = """() => !document.querySelector('[data-testid="stStatusWidget"]')
  && !document.querySelector('[class*="st-key-metdash_later"]')"""
# Extra variants measured beside the pages: (label, page file, extra query).
VARIANTS = [("scenario.py (presentation mode)", "scenario.py", "present=1")]


# -- arithmetic (no browser) -------------------------------------------------------------
def median_ms(values: list[float]) -> float | None:
    """The median of ``values`` (seconds) in milliseconds, rounded; None for no values."""
    return round(statistics.median(values) * 1000) if values else None


def verdict(page_ms: float | None, ref_ms: float | None,
            limit: float = RATIO_LIMIT) -> dict[str, Any]:
    """{"ratio": page ÷ reference (2 decimals), "pass": ratio ≤ limit}; both None when
    either median is missing."""
    if not page_ms or not ref_ms:
        return {"ratio": None, "pass": None}
    ratio = round(page_ms / ref_ms, 2)
    return {"ratio": ratio, "pass": ratio <= limit}


def url_path(file: str, default: str = "overview.py") -> str:
    """The URL path Streamlit gives app.py's page ``file`` ("" for the default page)."""
    return "" if file == default else Path(file).stem


def app_pages(only: list[str] | None = None) -> list[str]:
    """The page files of app.py's SECTIONS, in menu order (only those in ``only``)."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        target = getattr(node, "target", None) or (getattr(node, "targets", None) or [None])[0]
        if isinstance(node, ast.AnnAssign | ast.Assign) and getattr(target, "id", "") == "SECTIONS":
            files = [f for entries in ast.literal_eval(node.value).values() for f, _, _ in entries]
            return [f for f in files if not only or f in only]
    raise RuntimeError("app.py has no SECTIONS")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True, help="a metdash store (copied; never written)")
    ap.add_argument("--pages", default="",
                    help="page files of app.py, comma separated (default: every page)")
    ap.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    ap.add_argument("--restarts", type=int, default=None,
                    help="first visits after a restart (default: --runs, at most 3)")
    ap.add_argument("--json", default=None, help="also write the results here")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    args.page_list = [p.strip() for p in args.pages.split(",") if p.strip()]
    unknown = set(args.page_list) - set(app_pages())
    if unknown:
        ap.error(f"not a page of app.py: {', '.join(sorted(unknown))}")
    if args.restarts is None:
        args.restarts = min(args.runs, 3)
    return args


def summarize(raw: dict[str, Any]) -> dict[str, Any]:
    """Medians and verdicts from the raw seconds ``raw`` = {"reference": [...],
    "reference_restart": [...], "items": {label: [...]}, "restart": [...]}."""
    ref = median_ms(raw["reference"])
    ref_restart = median_ms(raw["reference_restart"])
    drawn = raw.get("drawn", {})
    rows = []
    for label, runs in raw["items"].items():
        ms = median_ms(runs)
        rows.append({"what": label, "median_ms": ms, "runs": len(runs),
                     "reference_ms": ref, **verdict(ms, ref),
                     "drawn_ms": median_ms(drawn.get(label, []))})
    if raw["restart"]:
        ms = median_ms(raw["restart"])
        rows.append({"what": "first visit after a restart (overview.py)", "median_ms": ms,
                     "runs": len(raw["restart"]), "reference_ms": ref_restart,
                     **verdict(ms, ref_restart)})
    return {"rows": rows, "limit": RATIO_LIMIT}


def render(res: dict[str, Any]) -> str:
    """The Markdown section RESULTS.md shows (run.py) and this script prints."""
    if res.get("skipped"):
        return f"## Time to first content (browser)\n\nNot run: {res['skipped']}\n"
    out = ["## Time to first content (browser)", "",
           f"Headless Chromium, a fresh browser context per run, medians of the runs given; "
           f"the reference is a minimal page (ten metrics, one plotly chart) served by the "
           f"same install, measured interleaved with the pages, each time in the page's own "
           f"clock (from its navigation start; after sign-in, from the press on the "
           f"button). Budget: ≤ {res['limit']}× "
           f"the reference. Load average before / after: {res.get('load_before', '?')} / "
           f"{res.get('load_after', '?')}.", "",
           "The last column, all drawn (no budget), is when the page's run has ended and "
           "its last chart is drawn: a page just opened draws its charts after its tiles "
           f"and tables. The reference page's: {res.get('reference_drawn_ms') or '–'} ms.",
           "", "| what | ms | reference ms | ratio | | all drawn ms |",
           "| --- | --- | --- | --- | --- | --- |"]
    for r in res["rows"]:
        mark = "–" if r["pass"] is None else ("pass" if r["pass"] else "✗ miss")
        ratio = "–" if r["ratio"] is None else f"{r['ratio']:.2f}×"
        out.append(f"| {r['what']} | {r['median_ms'] if r['median_ms'] is not None else '–'} "
                   f"| {r['reference_ms']} | {ratio} | {mark} "
                   f"| {r.get('drawn_ms') or '–'} |")
    for err in res.get("errors", []):
        out.append(f"\n- error: {err}")
    return "\n".join(out) + "\n"


# -- servers and browser -----------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``streamlit run SCRIPT`` as ``make run`` starts it, in its own process group."""

    def __init__(self, script: Path, env: dict[str, str], log: Path) -> None:
        self.script, self.env, self.log = script, env, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> None:
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(self.script),
             "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1",
             "--server.fileWatcherType=none", "--browser.gatherUsageStats=false"],
            cwd=ROOT, env={**os.environ, **self.env}, stdout=self.log.open("a"),
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.script.name} did not start: {self.log.read_text()[-1500:]}")

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc = None


def practice_copy(src: Path, workdir: Path) -> Path:
    """A copy of the store at ``src`` that is a practice file (the sign-in applies) with one
    owner, :data:`USER`."""
    from metdash import auth
    from metdash.store import Database

    path = workdir / "practice.duckdb"
    shutil.copy(src, path)
    wal = Path(str(src) + ".wal")
    if wal.exists():
        shutil.copy(wal, str(path) + ".wal")
    db = Database(path)
    with db.connect() as con:
        con.execute("UPDATE practice SET is_demo = false")
    auth.add_user(db, USER, PASSWORD, "owner", by="bench", display_name="Bench Owner")
    db.release()
    return path


TIMEOUT_MS = 60_000
# Between the sign-in form appearing and the click on "Sign in", a person types a name and a
# password (a few seconds); the browser keeps working meanwhile. Waited, never timed.
TYPING_MS = 1500


# Every time is read in the page's own clock (performance.now(): ms since its navigation
# started), when a check first holds: Playwright's own work is not counted. Its click, before
# the browser sees the press (finding the button by its role, waiting for it to stand still,
# scrolling it into view), took ~50 ms of the ~300 ms timed after "Sign in" (Revenue 58,
# Overview 46, Work lists 52; 5 runs each), and its answers cross a pipe to this process.
_STAMPED = """(arg) => {
  const ok = (%s)(arg);
  if (ok) { window.__ttfc = window.__ttfc || {};
            if (window.__ttfc[%s] === undefined) window.__ttfc[%s] = performance.now(); }
  return ok; }"""
# The moment the person presses the Sign in button (the mouse's press, in the page's clock).
_ON_PRESS = """() => { window.__ttfc = window.__ttfc || {};
  document.addEventListener('pointerdown', () => {
    if (window.__ttfc.press === undefined) window.__ttfc.press = performance.now(); },
    {capture: true}); }"""


def _wait(page: Any, check: str, name: str, arg: Any = None) -> float:
    """Seconds, in the page's own clock, from its navigation start to the first frame in
    which ``check`` (a JavaScript function of ``arg``) holds; checked every frame."""
    key = json.dumps(name)
    page.wait_for_function(_STAMPED % (check, key, key), arg=arg, timeout=TIMEOUT_MS,
                           polling="raf")
    return page.evaluate(f"window.__ttfc[{key}]") / 1000


def time_reference(browser: Any, url: str, drawn: list[float] | None = None) -> float:
    """Seconds from navigation start to the reference page's first metric visible (and,
    appended to ``drawn``, to its run ended with its chart drawn)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.goto(url, wait_until="commit")
        shown = _wait(page, _SHOWN, "shown", CONTENT)
        if drawn is not None:
            drawn.append(_wait(page, _ALL_DRAWN, "drawn"))
        return shown
    finally:
        context.close()


def time_page(browser: Any, url: str, sign_in_only: bool = False,
              drawn: list[float] | None = None) -> float:
    """Seconds from navigation start to the page's first content (or, ``sign_in_only``,
    to the sign-in form), the sign-in included and Playwright's typing left out; appended
    to ``drawn``, the same to the page's run ended with every chart drawn."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.goto(url, wait_until="commit")
        # Checked every frame, as the content is: a locator's own wait checks at growing
        # intervals (up to 500 ms apart), and about half the runs saw a form drawn at ~0.95 s
        # only at ~1.4 s.
        form = _wait(page, _FORM_SHOWN, "form")
        if sign_in_only:
            return form
        page.wait_for_timeout(TYPING_MS)  # a person typing a name and a password: not timed
        page.locator('input[autocomplete="username"]').fill(USER)
        page.locator('input[autocomplete="current-password"]').fill(PASSWORD)
        page.evaluate(_ON_PRESS)
        page.get_by_role("button", name="Sign in").click()
        pressed = page.evaluate("window.__ttfc.press") / 1000
        shown = form + _wait(page, _SHOWN, "shown", CONTENT) - pressed
        if drawn is not None:
            drawn.append(form + _wait(page, _ALL_DRAWN, "drawn") - pressed)
        return shown
    finally:
        context.close()


def measure(db: Path, files: list[str], runs: int, restarts: int,
            log: Any = print) -> dict[str, Any]:
    """Run every measurement; the summary (:func:`summarize`) with the raw seconds."""
    if not (Path(CHROMIUM).exists() and shutil.which(CHROMIUM)):
        return {"skipped": f"no Chromium at {CHROMIUM}"}
    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="metdash-ttfc-"))
    path = practice_copy(db, workdir)
    env = {"METDASH_DB": str(path), "PYTHONPATH": str(ROOT)}
    app = Server(ROOT / "serve.py", env, workdir / "app.log")
    ref = Server(HERE / "ttfc_reference.py", env, workdir / "reference.log")
    items = [("sign-in page", "overview.py", "", True)]
    items += [(f, f, "", False) for f in files]
    items += [(label, f, q, False) for label, f, q in VARIANTS if f in files]
    raw: dict[str, Any] = {"reference": [], "reference_restart": [],
                           "items": {label: [] for label, *_ in items}, "restart": [],
                           "drawn": {label: [] for label, *_ in items if label != items[0][0]},
                           "reference_drawn": []}
    errors: list[str] = []
    load_before = round(os.getloadavg()[0], 2)
    try:
        app.start()
        ref.start()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                         headless=True)
            # One untimed visit each: Chromium's own first start of a renderer is not ours.
            time_reference(browser, ref.url)
            for run in range(runs):
                for label, file, extra, sign_in_only in items:
                    query = "&".join(q for q in (QUERY, extra) if q)
                    raw["reference"].append(time_reference(browser, ref.url,
                                                           raw["reference_drawn"]))
                    try:
                        raw["items"][label].append(time_page(
                            browser, f"{app.url}/{url_path(file)}?{query}", sign_in_only,
                            raw["drawn"].get(label)))
                    except Exception as exc:  # a page that never shows content: say so
                        errors.append(f"{label}: {type(exc).__name__}: {str(exc)[:200]}")
                log(f"ttfc run {run + 1}/{runs} done")
            for k in range(restarts):
                app.stop()
                ref.stop()
                app.start()
                ref.start()
                first = [("app", app), ("ref", ref)]
                for name, server in (first if k % 2 == 0 else first[::-1]):
                    if name == "ref":
                        raw["reference_restart"].append(time_reference(browser, server.url))
                    else:
                        raw["restart"].append(time_page(browser, f"{server.url}/?{QUERY}"))
                log(f"ttfc restart {k + 1}/{restarts} done")
            browser.close()
    finally:
        app.stop()
        ref.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    res = summarize(raw)
    res.update(raw=raw, errors=errors, load_before=load_before,
               reference_drawn_ms=median_ms(raw["reference_drawn"]),
               load_after=round(os.getloadavg()[0], 2))
    return res


def for_bench(db: Path, files: list[str], runs: int, log: Any = print) -> dict[str, Any]:
    """:func:`measure` for ``make bench`` (benchmarks/run.py): never raises; a run that
    could not be made is reported as skipped, with why."""
    try:
        return measure(Path(db), files, runs, min(runs, 3), log=log)
    except Exception as exc:  # the rest of the benchmark still counts
        return {"skipped": f"{type(exc).__name__}: {str(exc)[:300]}"}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    res = measure(Path(args.db), app_pages(args.page_list or None), args.runs, args.restarts,
                  log=lambda m: print(m, file=sys.stderr, flush=True))
    print(render(res))
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1))
    return 0 if not res.get("errors") else 1


if __name__ == "__main__":
    sys.exit(main())
