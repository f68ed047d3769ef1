"""``make bench``: how fast metdash is at several practice sizes, against its budget.

For each scale (claim lines) it builds the demo practice, then measures

- demo generation time;
- every page of app.py's SECTIONS through Streamlit's AppTest (server side), cold (both
  Streamlit caches cleared, a new session) and warm (a rerun of the same session), the
  median of ``--reps`` runs each, in a child process whose peak RSS is the app's memory;
- the naive way, side by side: a page that loads whole tables into pandas on every rerun
  and groups there (benchmarks/naive.py), timed the same way in its own process, and the
  ratio against the overview and revenue pages that show the same figures;
- ``metdash figures`` for the whole range: the function, and the command as a process;
- 837P export (claims/s) of ``--x12-claims`` claims, then 835 import (claims/s) of a
  balanced 835 paying the same claims (benchmarks/gen835.py); three rounds on three sets of
  claims, the median reported and every round kept (the three exports first, then the
  three 835s one after the other into the store as it is once the exports are folded in,
  as payers' files come days after the claims); then the checkpoint that folds the imports'
  write-ahead log into the file (metdash.store.db defers it to the handle's close), timed
  and charged to the imports in a second figure; then one more 835, of its own claims,
  imported by ``metdash import-835`` as a process (start, the backup metdash takes before
  every import, the import, the checkpoint at exit), reported beside the budget;
- a claims spreadsheet of ``SHEET_ROWS`` rows (a year of a practice's claims,
  benchmarks/gensheet.py) imported into a fresh store and into a copy of this scale's store
  (rows/s against the budget).

It writes ``RESULTS.md`` (tables, pass/miss against the budget, the machine) and
``results.json`` (raw numbers) beside it. Results of scales not run this time are kept
from the previous JSON, each marked with the commit and date it ran at.

    .venv/bin/python benchmarks/run.py                     # 100k, 1M, 5M lines
    .venv/bin/python benchmarks/run.py --scales 1000000
    .venv/bin/python benchmarks/run.py --quick             # 20,000 lines, a smoke run
    .venv/bin/python benchmarks/run.py --only-spreadsheet --scales 100000   # that alone,
                                                           # printed (no RESULTS.md)
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

AS_OF = dt.date(2026, 6, 30)
DATE_FROM = AS_OF - dt.timedelta(days=364)
SEED = 7
DEFAULT_SCALES = [100_000, 1_000_000, 5_000_000]
QUICK_SCALE = 20_000
MILLION = 1_000_000

# The budget (issue 8), on a 2-core machine.
COLD_MS_1M = 300
WARM_MS_1M = 60
COLD_MS_5M = 1000
NAIVE_RATIO = 8
IMPORT_RATE = 5000
X12_ROUNDS = 3  # 837P export + 835 import rounds, each on its own claims
DEMO_S_1M = 60
RSS_MB_5M = 1024
CHILD_MEM_GB = 12.0
SHEET_ROWS = 10_000  # a year of a busy small practice's claim lines
SHEET_S = 10         # issue 19: such a spreadsheet imports in under 10 s
TTFC_AT: int | None = None  # the scale whose store benchmarks/ttfc.py measures (the smallest)
TTFC_RUNS = 3


# -- helpers ---------------------------------------------------------------------------
def pages() -> list[tuple[str, str]]:
    """(file in pages/, title) for every page in app.py's SECTIONS that exists (or only
    those named in $METDASH_BENCH_PAGES, comma separated)."""
    only = {p.strip() for p in os.environ.get("METDASH_BENCH_PAGES", "").split(",") if p.strip()}
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        target = getattr(node, "target", None) or (getattr(node, "targets", None) or [None])[0]
        if isinstance(node, ast.AnnAssign | ast.Assign) and getattr(target, "id", "") == "SECTIONS":
            sections = ast.literal_eval(node.value)
            return [(file, title) for entries in sections.values() for file, title, _ in entries
                    if (ROOT / "pages" / file).exists() and (not only or file in only)]
    raise RuntimeError("app.py has no SECTIONS")


def median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 1)


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t, out


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not getrusage: Linux carries ru_maxrss over fork and
    exec, so a child would report its parent's peak (the demo generation's)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = ""
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem_gb,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(), "duckdb": metadata.version("duckdb"),
        "streamlit": metadata.version("streamlit"), "pandas": metadata.version("pandas"),
        "date": dt.datetime.now().isoformat(timespec="seconds"), "commit": commit,
        # Other work on the machine skews every figure: the 1-minute load average says how
        # busy it was (2 cores: above ~1 the benchmark shared the CPU).
        "load_1min": round(os.getloadavg()[0], 2),
    }


# -- child processes ---------------------------------------------------------------------
# The pages that read results kept beside the store (metdash.store.derived): the cash
# forecast, and the denial-risk model (its page, and the work lists scoring ready claims).
KEEPS_RESULTS = ("forecast.py", "denial_risk.py", "worklists.py")


def forget_kept(db_path: str) -> None:
    """What a page finds when new data has just arrived: no result kept beside the store
    (metdash.store.derived) and none held by this process (the risk model, the forecast's
    history state)."""
    from metdash.store import derived

    _background_done()   # a build still running would keep its result after the clear
    derived.clear(db_path)
    for module, names in (("metdash.risk", ("_CACHE",)),
                          ("metdash.forecast.outlook", ("_STATES",)),
                          ("metdash.refresh", ("_JOBS", "_FAILED", "_FIRST"))):
        mod = sys.modules.get(module)
        for name in names:
            held = getattr(mod, name, None)
            if hasattr(held, "clear"):
                held.clear()


def _keep_results(db_path: str, page: str) -> None:
    """The results ``page`` reads, built and kept beside the store (a page that finds none
    works them out in the background and shows them on a later view: metdash.refresh)."""
    from metdash import risk
    from metdash.forecast import DEFAULT_WEEKS, cash_outlook
    from metdash.store import Database

    db = Database(db_path)
    if page == "forecast.py":
        cash_outlook(db, AS_OF, DEFAULT_WEEKS)
    else:
        risk.learned(db, AS_OF)


def arrive_new_data(db_path: str, page: str) -> None:
    """What ``page`` finds when a remittance has just arrived: the result it reads kept for
    the store as it was (built here first, untimed: the risk model, or the cash forecast),
    and one remittance more on file, written by another process (a claim payment for a
    claim not ours: no figure moves, but the store's state does, and with it what the kept
    results are kept under)."""
    import duckdb

    from metdash.store.db import release_file

    _keep_results(db_path, page)
    release_file(db_path)
    con = duckdb.connect(db_path)
    try:
        rid = con.execute("SELECT coalesce(max(remittance_id), 0) + 1 FROM remittances"
                          ).fetchone()[0]
        cpid = con.execute("SELECT coalesce(max(claim_payment_id), 0) + 1 FROM claim_payments"
                           ).fetchone()[0]
        con.execute("INSERT INTO remittances (remittance_id, payer_name, payer_key, "
                    "payment_date, method, trace_number, amount) VALUES (?, 'BENCH', 'BENCH', "
                    "?, 'CHK', ?, 0)", [rid, AS_OF, f"BENCH-NEW-{rid}"])
        con.execute("INSERT INTO claim_payments (claim_payment_id, remittance_id, seq, clp01, "
                    "status_code, charge, paid) VALUES (?, ?, 1, 'NOT-OURS', '1', 10, 0)",
                    [cpid, rid])
    finally:
        con.close()


def _numbers_ready(page: str) -> bool:
    """True once a page that found nothing kept has its numbers to draw (the page shows them
    on its next check, within a second): the risk model learned (its time split may still be
    worked out), or the forecast's coming weeks; or nothing is left building."""
    held = {"forecast.py": ("metdash.refresh", "_FIRST")}.get(page, ("metdash.risk", "_CACHE"))
    if getattr(sys.modules.get(held[0]), held[1], None):
        return True
    return not any(t.name.startswith("metdash-refresh-") and t.is_alive()
                   for t in threading.enumerate())


def _background_done() -> None:
    """Wait for what a page left building in the background (metdash.refresh)."""
    for thread in threading.enumerate():
        if thread.name.startswith("metdash-refresh-"):
            thread.join(900)


def _apptest_times(path: Path, reps: int, query: dict[str, str], clear: bool,
                   warm_reps: int | None = None, unkept: str | None = None,
                   new_data: str | None = None) -> dict[str, Any]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    cold: list[float] = []
    warm: list[float] = []
    refreshed: list[float] = []
    ready: list[float] = []
    shown_meanwhile: list[bool] = []
    problems: list[str] = []
    at = None
    from metdash import figures

    # A Streamlit server scans the installed packages for custom components once, when it
    # starts; AppTest does it again for every new AppTest (~170 ms here). Scan once, like
    # the server, so a cold run measures the page and not the test harness.
    components = _component_manager()
    _one_script_cache()

    for _ in range(reps):
        if clear:
            st.cache_data.clear()
            st.cache_resource.clear()
            if hasattr(figures, "clear_reuse"):  # figures' own short-lived reuse of A/R etc.
                figures.clear_reuse()
            from metdash.ui import cache as ui_cache
            if hasattr(ui_cache, "after_write"):  # and the pages' own marks (prefetch, demo)
                ui_cache.after_write()
        if unkept is not None:
            forget_kept(unkept)
        if new_data is not None:   # in another process: its memory is not the page's
            from metdash.store.db import release_file

            release_file(new_data)
            subprocess.run([sys.executable, str(HERE / "run.py"), "--child", "arrive",
                            "--db", new_data, "--page", path.name, "--child-out", os.devnull],
                           check=True, cwd=ROOT)
        at = AppTest.from_file(str(path), default_timeout=900)
        if components is not None:
            at._bidi_component_manager = components
        for k, v in query.items():
            at.query_params[k] = v
        started = time.perf_counter()
        seconds, _ = timed(at.run)
        cold.append(seconds)
        problems += [str(e.value)[:300] for e in at.exception]
        if new_data is not None:   # the new result, built meanwhile, is shown from then on
            shown_meanwhile.append(any("brought up to date" in i.value for i in at.info))
        if unkept is not None:   # when its numbers are ready to be drawn
            while not _numbers_ready(path.name):
                time.sleep(0.005)
            ready.append(time.perf_counter() - started)
        if new_data is not None or unkept is not None:   # and when what it left is done
            _background_done()
            refreshed.append(time.perf_counter() - started)
    for _ in range(reps if warm_reps is None else warm_reps):
        seconds, _ = timed(at.run)
        warm.append(seconds)
        problems += [str(e.value)[:300] for e in at.exception]
    return {"cold_ms": median_ms(cold), "warm_ms": median_ms(warm) if warm else None,
            "refreshed_ms": median_ms(refreshed) if refreshed else None,
            "ready_ms": median_ms(ready) if ready else None,
            "shown_meanwhile": shown_meanwhile,
            "cold_all_ms": [round(x * 1000, 1) for x in cold],
            "warm_all_ms": [round(x * 1000, 1) for x in warm],
            "errors": sorted(set(problems)), "peak_rss_after_mb": peak_rss_mb()}


def _one_script_cache() -> None:
    """One compiled-script cache for every AppTest of this process, as one server has.

    A Streamlit server compiles a page's file once (its runtime's ScriptCache, which
    ``st.navigation``'s pages read through the pages manager) and every later run of it, in
    any session, executes the kept bytecode. AppTest makes a new ScriptCache for each run,
    so each cold and warm run compiled the page again: 2-20 ms a run here (Settings, the
    longest page, ~30 ms under load), time no visitor of a running server waits. The first
    run of a process still compiles it."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    if getattr(app_test, "_metdash_shared_cache", None) is None:
        shared = ScriptCache()
        app_test._metdash_shared_cache = shared
        app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


def _component_manager() -> Any:
    """One custom-component registry for every AppTest of this process (as one server has);
    None when this Streamlit has no such registry (AppTest then builds its own)."""
    try:
        from streamlit.components.v2.component_manager import BidiComponentManager
    except ImportError:
        return None
    manager = BidiComponentManager()
    manager.discover_and_register_components(start_file_watching=False)
    return manager


def child_pages(db_path: str, reps: int, page: str) -> dict[str, Any]:
    """One page, cold and warm, in this process (the app's process for that page); its
    peak RSS."""
    os.environ["METDASH_DB"] = db_path
    query = {"from": DATE_FROM.isoformat(), "to": AS_OF.isoformat()}
    # Import what pages use first, so module imports don't land on the first cold run.
    import plotly.graph_objects  # noqa: F401

    from metdash import charts, entry, figures, ui  # noqa: F401
    from metdash.ui import filters as ui_filters

    # "Today" is the demo's as-of date: the practice looks at its books on the day they end
    # (the cash forecast, its backtest and the work lists count from today; on the real
    # date, months after the demo ends, the forecast had no open claims to place).
    ui.today = ui_filters.today = lambda: AS_OF

    title = dict(pages()).get(page, page)
    if page in KEEPS_RESULTS:   # cold: a new session finding them kept (built here, untimed)
        _keep_results(db_path, page)
    res = _apptest_times(ROOT / "pages" / page, reps, query, clear=True)
    res["title"] = title
    if page in KEEPS_RESULTS:
        # The page reads results kept beside the store (cold above: a new process or session
        # finding them there). Its first view after new data builds them: timed too.
        fresh = _apptest_times(ROOT / "pages" / page, reps, query, clear=True, warm_reps=0,
                               unkept=db_path)
        res["cold_unkept_ms"] = fresh["cold_ms"]
        res["cold_unkept_all_ms"] = fresh["cold_all_ms"]
        # the forecast's backtest is worked out after its first view (metdash.refresh)
        res["unkept_complete_ms"] = fresh["refreshed_ms"]
        res["unkept_ready_ms"] = fresh["ready_ms"]   # the scores, the coming weeks
        # Its first view after a remittance arrives, with the results of the store as it was
        # kept (metdash.refresh: shown while the new ones are built in the background), and
        # when the new ones are ready.
        after = _apptest_times(ROOT / "pages" / page, reps, query, clear=True, warm_reps=0,
                               new_data=db_path)
        res["cold_new_data_ms"] = after["cold_ms"]
        res["cold_new_data_all_ms"] = after["cold_all_ms"]
        res["new_data_refreshed_ms"] = after["refreshed_ms"]
        res["new_data_shown_meanwhile"] = after["shown_meanwhile"]
        res["errors"] = sorted(set(res["errors"]) | set(fresh["errors"]) | set(after["errors"]))
    return {"pages": {page: res}, "peak_rss_mb": peak_rss_mb()}


def child_figures(db_path: str, reps: int) -> dict[str, Any]:
    """The figures behind overview + revenue, uncached, without Streamlit."""
    from metdash import figures
    from metdash.store import Database

    db = Database(db_path)
    f = figures.Filters(DATE_FROM, AS_OF)
    runs = []
    for _ in range(reps):
        if hasattr(figures, "clear_reuse"):
            figures.clear_reuse()
        seconds, _ = timed(lambda: (figures.kpis(db, f), figures.kpis(db, f.previous()),
                                    figures.revenue_by_payer(db, f)))
        runs.append(seconds)
    k = figures.kpis(db, f)
    return {"figures_direct_ms": median_ms(runs),
            "check": {"gross_charges": float(k["gross_charges"]),
                      "payments": float(k["payments"])}}


def app_pages(db_path: Path, reps: int, log: Any) -> dict[str, Any]:
    """Every page, each in its own process (so one page that runs out of memory is recorded
    as such and the others still run); peak RSS = the largest of those processes."""
    out: dict[str, Any] = {"pages": {}, "peak_rss_mb": 0.0}
    for file, title in pages():
        try:
            res = run_child("pages", db_path, reps, page=file)
        except RuntimeError as exc:
            text = str(exc)
            oom = "MemoryError" in text or "bad_alloc" in text or "Unable to allocate" in text
            why = (f"crashed: out of memory at the {CHILD_MEM_GB:g} GB cap" if oom
                   else "crashed: " + text.strip().splitlines()[-1][:200])
            log(f"    {file}: {why}")
            out["pages"][file] = {"title": title, "cold_ms": None, "warm_ms": None,
                                  "errors": [why], "oom": oom}
            if oom:
                out["peak_rss_mb"] = max(out["peak_rss_mb"], CHILD_MEM_GB * 1024)
            continue
        out["pages"].update(res["pages"])
        out["peak_rss_mb"] = max(out["peak_rss_mb"], res["peak_rss_mb"])
        p = res["pages"][file]
        log(f"    {file}: cold {p['cold_ms']:,.0f} ms, warm {p['warm_ms']:,.0f} ms, "
            f"RSS {res['peak_rss_mb']:,.0f} MB")
    out.update(run_child("figures", db_path, reps))
    return out


def child_naive(db_path: str, reps: int) -> dict[str, Any]:
    """The naive page through AppTest, and the naive computation alone."""
    import naive

    os.environ["METDASH_DB"] = db_path
    query = {"from": DATE_FROM.isoformat(), "to": AS_OF.isoformat()}
    # Nothing is cached the naive way, so a warm rerun costs what a cold one does: one warm
    # run and fewer direct runs keep the 1M and 5M benchmarks within minutes.
    out = {"page": _apptest_times(HERE / "naive_page.py", reps, query, clear=True, warm_reps=1)}
    runs = []
    for _ in range(max(1, reps // 2)):
        seconds, res = timed(naive.overview, db_path, DATE_FROM, AS_OF)
        runs.append(seconds)
    out["direct_ms"] = median_ms(runs)
    out["check"] = {"gross_charges": float(res["now"]["gross_charges"]),
                    "payments": float(res["now"]["payments"])}
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def run_child(kind: str, db_path: Path, reps: int, page: str = "") -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        target = Path(tmp.name)
    try:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind,
               "--db", str(db_path), "--reps", str(reps), "--child-out", str(target),
               "--child-mem-gb", str(CHILD_MEM_GB)] + (["--page", page] if page else [])
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        if proc.returncode != 0:
            raise RuntimeError(f"{kind} child failed:\n{proc.stderr[-3000:]}")
        return json.loads(target.read_text())
    finally:
        target.unlink(missing_ok=True)


def metdash_command(*args: str) -> list[str]:
    """The ``metdash`` command line with ``args``, as installed beside this Python."""
    exe = Path(sys.executable).with_name("metdash")
    return ([str(exe)] if exe.exists() else [sys.executable, "-m", "metdash.cli"]) + list(args)


def bench_sheet(store: Path | None, workdir: Path, rows: int = SHEET_ROWS) -> dict[str, Any]:
    """Import a claims spreadsheet of ``rows`` rows (benchmarks/gensheet.py: new clients,
    two lines a visit, a year before AS_OF) into a copy of ``store`` (complete on disk), or
    into a fresh store; the import function's seconds (the store opened before)."""
    from benchmarks.gensheet import claims_sheet
    from metdash.spreadsheet import import_claims
    from metdash.store import Database

    path = workdir / ("sheet-fresh.duckdb" if store is None else f"sheet-{store.name}")
    wal = path.with_suffix(".duckdb.wal")
    for p in (path, wal):
        p.unlink(missing_ok=True)
    if store is not None:
        shutil.copy(store, path)
    db = Database(path)
    try:
        db.scalar("SELECT count(*) FROM claims")  # opened and migrated outside the timing
        data = claims_sheet(rows, as_of=AS_OF)
        seconds, result = timed(import_claims, db, data, "bench.csv", "bench", as_of=AS_OF)
        if result.problems or result.lines_added != rows:
            raise RuntimeError(f"spreadsheet import failed: {result.summary()} "
                               f"{result.problems[:3]}")
        return {"rows": rows, "claims": result.claims_added, "seconds": round(seconds, 2),
                "rows_per_s": round(rows / seconds), "warnings": len(result.warnings)}
    finally:
        db.release()
        for p in (path, wal):
            p.unlink(missing_ok=True)


def sheet_line(r: dict[str, Any]) -> str:
    return f"{r['seconds']:.1f} s ({r['rows_per_s']:,} rows/s)"


# -- one scale -------------------------------------------------------------------------
def sheet_runs(path: Path, workdir: Path, log: Any, lines: int) -> dict[str, Any]:
    """The spreadsheet import into a fresh store and into a copy of ``path``."""
    log(f"[{lines:,}] claims spreadsheet import ({SHEET_ROWS:,} rows)…")
    out = {"fresh": bench_sheet(None, workdir), "store": bench_sheet(path, workdir)}
    log(f"[{lines:,}] spreadsheet: fresh store {sheet_line(out['fresh'])}, this store "
        f"{sheet_line(out['store'])}")
    return out


def bench_scale(lines: int, reps: int, workdir: Path, x12_claims: int, keep: bool,
                log: Any, naive_max: int = 2 * MILLION, sheet_only: bool = False
                ) -> dict[str, Any]:
    from benchmarks.gen835 import balanced_835, pick_claims
    from metdash import demo, figures
    from metdash.figures import figures_report
    from metdash.store import Database
    from metdash.x12.post835 import import_835
    from metdash.x12.write837 import write_837p

    path = workdir / f"bench-{lines}.duckdb"
    for p in (path, path.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)
    db = Database(path)
    res: dict[str, Any] = {"lines_asked": lines, "machine": machine()}

    log(f"[{lines:,}] generating the demo practice…")
    seconds, summary = timed(demo.generate, db, seed=SEED, claim_lines=lines, as_of=AS_OF)
    res["demo_s"] = round(seconds, 2)
    res["counts"] = {k: getattr(summary, k) for k in ("claims", "claim_lines", "clients",
                                                      "referrals", "sessions", "remittances")}
    db.release()  # fold the write-ahead log into the file: its size, and the pages read it
    res["db_mb"] = round(path.stat().st_size / MILLION, 1)
    log(f"[{lines:,}] demo: {res['counts']['claim_lines']:,} lines in {seconds:.1f} s")
    if sheet_only:
        return res

    res["import_sheet"] = sheet_runs(path, workdir, log, lines)

    log(f"[{lines:,}] pages (AppTest, {reps} cold + {reps} warm each)…")
    res["app"] = app_pages(path, reps, log)
    if lines == TTFC_AT:  # what a person waits for in a browser (benchmarks/ttfc.py)
        from benchmarks import ttfc

        log(f"[{lines:,}] time to first content (Chromium, {TTFC_RUNS} runs each)…")
        res["ttfc"] = ttfc.for_bench(path, [f for f, _ in pages()], TTFC_RUNS, log)
    if lines <= naive_max:
        log(f"[{lines:,}] naive pandas page…")
        res["naive"] = run_child("naive", path, reps)
    else:  # minutes per rerun and many GB: the budget compares at 1M only
        log(f"[{lines:,}] naive pandas page skipped (over --naive-max-lines)")
        res["naive"] = None

    first = db.scalar("SELECT min(first_service_date) FROM claims")
    whole = figures.Filters(first, AS_OF)
    runs = []
    for _ in range(reps):
        if hasattr(figures, "clear_reuse"):
            figures.clear_reuse()
        seconds, report = timed(figures_report, db, whole)
        runs.append(seconds)
    res["figures_fn_ms"] = median_ms(runs)
    cmd = metdash_command("figures", "--db", str(path), "--from", first.isoformat(),
                          "--to", AS_OF.isoformat())
    runs = []
    for _ in range(max(1, min(reps, 3))):
        seconds, proc = timed(subprocess.run, cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"metdash figures failed: {proc.stderr[-2000:]}")
        runs.append(seconds)
    res["figures_cli_ms"] = median_ms(runs)
    res["figures_range"] = [first.isoformat(), AS_OF.isoformat()]
    from benchmarks.bench_forecast import bench_forecast  # issue 18: the cash forecast
    res["forecast"] = bench_forecast(db, AS_OF, reps=max(1, min(reps, 3)))
    from benchmarks.bench_forecast import month_ends
    log(f"[{lines:,}] the forecast's backtest as of 12 month-ends…")
    res["forecast_year"] = month_ends(db, AS_OF)

    from benchmarks.bench_risk import measure as measure_risk  # issue 18: denial risk

    log(f"[{lines:,}] denial risk…")
    res["risk"] = measure_risk(db, AS_OF)

    log(f"[{lines:,}] 837P export and 835 import…")
    # Three rounds, each on its own claims (a file already imported changes nothing), so the
    # median is of three imports of the same size; the rounds are kept in results.json.
    picked = pick_claims(db, (X12_ROUNDS + 1) * x12_claims)
    rounds = [picked[k * x12_claims:(k + 1) * x12_claims] for k in range(X12_ROUNDS)]
    exports, imports = [], []
    rounds = [r for r in rounds if r]
    for ids in rounds:
        seconds, text = timed(write_837p, db, ids, user="bench",
                              now=dt.datetime(2026, 7, 1, 9, 0))
        exports.append({"claims": len(ids), "seconds": round(seconds, 3),
                        "claims_per_s": round(len(ids) / seconds), "bytes": len(text)})
    # The payers' answers, built once every claim is sent (as they come days later), and
    # the store then let idle as it would be by then: what the exports wrote is folded into
    # the file before the first 835 arrives. (Built between an export and its import, the
    # handle's idle close -- and its checkpoint of the export -- fell inside some imports'
    # time, at random.)
    files = [balanced_835(db, ids, trace=f"BENCH835-{k + 1}") for k, ids in enumerate(rounds)]
    db.release()
    for k, (ids, data) in enumerate(zip(rounds, files, strict=True)):
        seconds, summary = timed(import_835, db, [(f"bench{k + 1}.835", data)], "bench")
        if not summary.ok or summary.claims != len(ids):
            raise RuntimeError(f"835 import failed: {summary.errors[:5]}")
        imports.append({"claims": len(ids), "matched": summary.matched,
                        "seconds": round(seconds, 3),
                        "claims_per_s": round(len(ids) / seconds), "bytes": len(data)})
    res["export_837"] = median_round(exports)
    res["import_835"] = median_round(imports)
    # A commit writes DuckDB's write-ahead log; the checkpoint folding it into the file runs
    # when the handle closes (metdash.store.db). Timed here, and charged to the imports.
    with db.connect() as con:
        seconds, _ = timed(con.execute, "CHECKPOINT")
    res["import_835"]["checkpoint_s"] = round(seconds, 3)
    res["import_835"]["with_checkpoint_claims_per_s"] = round(
        sum(r["claims"] for r in imports) / (sum(r["seconds"] for r in imports) + seconds))
    # What a biller's command costs end to end, on claims of its own: a new process (Python
    # and its imports), the store opened, the backup of the whole file metdash takes before
    # every import (the remittances page takes it too), the import, and the checkpoint at exit.
    ids = picked[X12_ROUNDS * x12_claims:(X12_ROUNDS + 1) * x12_claims]
    if ids:
        write_837p(db, ids, user="bench", now=dt.datetime(2026, 7, 1, 9, 0))
        era = workdir / f"bench-{lines}.835"
        era.write_bytes(balanced_835(db, ids, trace="BENCH835-CLI"))
        db.release()  # the command waits for the file otherwise
        backups = workdir / f"backups-{lines}"
        cmd = metdash_command("import-835", "--db", str(path), str(era), "--json")
        seconds, proc = timed(subprocess.run, cmd, capture_output=True, text=True,
                              env={**os.environ, "METDASH_BACKUP_DIR": str(backups)})
        if proc.returncode != 0:
            raise RuntimeError(f"metdash import-835 failed: {proc.stderr[-2000:]}")
        res["import_835_command"] = {"claims": len(ids), "seconds": round(seconds, 2),
                                     "claims_per_s": round(len(ids) / seconds)}
        era.unlink(missing_ok=True)
        for p in backups.glob("*"):
            p.unlink()
        backups.rmdir()
    res["load_after"] = round(os.getloadavg()[0], 2)
    if not keep:
        for p in (path, path.with_suffix(".duckdb.wal")):
            p.unlink(missing_ok=True)
    return res


def _rounds(scale: dict[str, Any], key: str) -> str:
    """'; rounds 5,100 / 6,000 / 6,300' (in the order run), or '' for a one-round result."""
    runs = scale[key].get("rounds_claims_per_s") or []
    return "; rounds " + " / ".join(f"{r:,}" for r in runs) if len(runs) > 1 else ""


def median_round(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The median round by speed, with every round's claims/s beside it."""
    mid = sorted(rounds, key=lambda r: r["claims_per_s"])[len(rounds) // 2]
    return {**mid, "rounds_claims_per_s": [r["claims_per_s"] for r in rounds]}


# -- the budget ------------------------------------------------------------------------
def checks(scale: dict[str, Any]) -> list[dict[str, Any]]:
    """Each budget line that applies at this scale: what, value, limit, pass."""
    lines = scale["counts"]["claim_lines"]
    asked = scale["lines_asked"]
    out: list[dict[str, Any]] = []

    def add(what: str, value: Any, limit: str, ok: bool) -> None:
        out.append({"what": what, "value": value, "limit": limit, "pass": bool(ok)})

    pages_ = scale["app"]["pages"]

    def ms(p: dict[str, Any], k: str) -> float:
        return float("inf") if p.get(k) is None else p[k]

    def shown(p: dict[str, Any], k: str) -> str:
        return "crashed" if p.get(k) is None else f"{p[k]:.0f} ms"

    worst_cold = max(pages_.items(), key=lambda kv: ms(kv[1], "cold_ms"))
    if asked <= MILLION:
        worst_warm = max(pages_.items(), key=lambda kv: ms(kv[1], "warm_ms"))
        add(f"slowest page cold ({worst_cold[0]})", shown(worst_cold[1], "cold_ms"),
            f"≤ {COLD_MS_1M} ms", ms(worst_cold[1], "cold_ms") <= COLD_MS_1M)
        add(f"slowest page warm ({worst_warm[0]})", shown(worst_warm[1], "warm_ms"),
            f"≤ {WARM_MS_1M} ms", ms(worst_warm[1], "warm_ms") <= WARM_MS_1M)
    else:
        add(f"slowest page cold ({worst_cold[0]})", shown(worst_cold[1], "cold_ms"),
            f"≤ {COLD_MS_5M} ms", ms(worst_cold[1], "cold_ms") <= COLD_MS_5M)
    unkept = [(f, p) for f, p in pages_.items()
              if f in KEEPS_RESULTS and p.get("cold_unkept_ms") is not None]
    limit = COLD_MS_1M if asked <= MILLION else COLD_MS_5M
    after = [(f, p) for f, p in pages_.items()
             if f in KEEPS_RESULTS and p.get("cold_new_data_ms") is not None]
    if after:
        # Pages reading results kept beside the store: their first view after a remittance
        # arrives (the last results shown while the new ones are built: metdash.refresh).
        worst = max(after, key=lambda kv: kv[1]["cold_new_data_ms"])
        add(f"slowest first view after new data ({worst[0]}: the last results shown, the "
            "new ones built meanwhile)", shown(worst[1], "cold_new_data_ms"), f"≤ {limit} ms",
            worst[1]["cold_new_data_ms"] <= limit)
    if unkept:
        # ... and on a store nothing was built for yet (a new or restored file): built while
        # the visitor waits.
        worst = max(unkept, key=lambda kv: kv[1]["cold_unkept_ms"])
        add(f"slowest first view with nothing kept yet ({worst[0]})",
            shown(worst[1], "cold_unkept_ms"), f"≤ {limit} ms",
            worst[1]["cold_unkept_ms"] <= limit)
    if scale.get("naive") and ratios(scale):
        r = ratios(scale)
        add("naive ÷ ours, cold (overview + revenue pages)", f"{r['cold']:.1f}×",
            f"≥ {NAIVE_RATIO}× (at 1M)" if asked >= MILLION else "(info below 1M)",
            r["cold"] >= NAIVE_RATIO or asked < MILLION)
    imp = scale["import_835"]["claims_per_s"]
    add(f"835 import ({scale['import_835']['claims']:,} claims)", f"{imp:,} claims/s",
        f"≥ {IMPORT_RATE:,}/s", imp >= IMPORT_RATE)
    whole = scale["import_835"].get("with_checkpoint_claims_per_s")
    if whole is not None:
        add(f"835 import, the {len(scale['import_835']['rounds_claims_per_s'])} rounds and the "
            "checkpoint after them", f"{whole:,} claims/s", f"≥ {IMPORT_RATE:,}/s",
            whole >= IMPORT_RATE)
    if asked <= MILLION:
        add(f"demo generation ({lines:,} lines)", f"{scale['demo_s']:.1f} s",
            f"≤ {DEMO_S_1M} s", scale["demo_s"] <= DEMO_S_1M)
    for where, key in (("a fresh store", "fresh"), ("this store", "store")):
        sheet = (scale.get("import_sheet") or {}).get(key)
        if sheet:
            add(f"claims spreadsheet import ({sheet['rows']:,} rows) into {where}",
                sheet_line(sheet), f"≤ {SHEET_S} s", sheet["seconds"] <= SHEET_S)
    rss = scale["app"]["peak_rss_mb"]
    add("app peak memory (RSS)", f"{rss:,.0f} MB", f"≤ {RSS_MB_5M:,} MB", rss <= RSS_MB_5M)
    return out


def ratios(scale: dict[str, Any]) -> dict[str, float] | None:
    p = scale["app"]["pages"]
    try:
        ours_cold = p["overview.py"]["cold_ms"] + p["revenue.py"]["cold_ms"]
        ours_warm = p["overview.py"]["warm_ms"] + p["revenue.py"]["warm_ms"]
    except (KeyError, TypeError):
        return None
    naive_ms = scale["naive"]["page"]["cold_ms"]
    return {"cold": naive_ms / ours_cold, "warm": scale["naive"]["page"]["warm_ms"] / ours_warm,
            "direct": scale["naive"]["direct_ms"] / scale["app"]["figures_direct_ms"]}


# -- the report ------------------------------------------------------------------------
def mark(ok: bool) -> str:
    return "pass" if ok else "**MISS**"


def render(results: dict[str, Any], notes: str) -> str:
    scales = sorted(results["scales"].values(), key=lambda s: s["lines_asked"])
    m = results["machine"]
    out = [
        "# metdash benchmark results",
        "",
        "Written by `make bench` (`benchmarks/run.py`); raw numbers in `results.json`. "
        "Times are medians of the runs given; pages run server side through Streamlit's "
        "AppTest (no browser), each page in its own process (its peak RSS is the app's memory "
        "for that page; a long-running app serving every page holds at least the largest), "
        "cold = both Streamlit caches (and the figures' kept per-page results) cleared and a "
        "new session, with one custom-component registry per process as a server has "
        "(results.json's cold_all_ms keeps every run: the first of a process also imports the "
        "page's modules and opens the store), warm = a rerun of the same session. The naive way loads whole tables into pandas "
        "on every rerun (`benchmarks/naive.py`, through Arrow with money as float64: the "
        "fastest naive load, so the ratio is a lower bound).",
        "",
        f"Machine (latest run): {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB memory, "
        f"{m['os']}; Python {m['python']}, DuckDB {m['duckdb']}, Streamlit {m['streamlit']}, "
        f"pandas {m['pandas']}; {m['date']} at commit {m['commit']}.",
        "",
        "## The budget",
        "",
        "| scale (claim lines) | what | measured | budget | |",
        "| --- | --- | --- | --- | --- |",
    ]
    for s in scales:
        for c in checks(s):
            out.append(f"| {s['counts']['claim_lines']:,} | {c['what']} | {c['value']} | "
                       f"{c['limit']} | {mark(c['pass'])} |")
    missing = [x for x in results.get("asked", []) if str(x) not in results["scales"]]
    if missing:
        out += ["", "Not run to completion: " + ", ".join(f"{x:,} lines" for x in missing) + "."]
    out += ["", "## Pages (ms, median)", ""]
    head = "| page | " + " | ".join(
        f"{s['counts']['claim_lines']:,} cold | warm" for s in scales) + " |"
    out += [head, "| --- |" + " --- | --- |" * len(scales)]
    files = list(scales[-1]["app"]["pages"]) if scales else []
    for file in files:
        cells = []
        for s in scales:
            p = s["app"]["pages"].get(file)
            if p is None:
                cells += ["–", "–"]
                continue
            if p.get("cold_ms") is None:
                cells += [p["errors"][0] if p.get("errors") else "crashed", "–"]
                continue
            cold_limit = COLD_MS_1M if s["lines_asked"] <= MILLION else COLD_MS_5M
            cold = f"{p['cold_ms']:.0f}" + ("" if p["cold_ms"] <= cold_limit else " ✗")
            warm = f"{p['warm_ms']:.0f}" + (
                "" if s["lines_asked"] > MILLION or p["warm_ms"] <= WARM_MS_1M else " ✗")
            if p["errors"]:
                cold += " (error)"
            cells += [cold, warm]
        out.append(f"| {file} | " + " | ".join(cells) + " |")
    out += ["", "✗ = over budget at that scale (cold ≤ 300 ms and warm ≤ 60 ms up to 1M "
            "lines; cold ≤ 1 s at 5M)."]
    kept_files = [f for f in files if f in KEEPS_RESULTS and any(
        s["app"]["pages"].get(f, {}).get("cold_unkept_ms") is not None for s in scales)]
    if kept_files:
        out += ["", "Pages that keep results beside the store (metdash.store.derived: the risk "
                "model, the cash forecast): cold above is a new process or session finding "
                "them kept. Here (ms, median): their first view after a remittance arrives "
                "(the results of the store as it was are shown, saying so, while the new ones "
                "are built in the background: metdash.refresh), when the new ones are ready "
                "(from the start of that view), their first view with nothing kept at all "
                "(a new or restored store: the page says what is being worked out in the "
                "background and checks back every second), when its numbers are ready to draw "
                "(the claims' risk scores, the forecast's coming weeks; drawn on the page's "
                "next check, within a second), and when it is complete (the risk model's time "
                "split, the forecast's backtest). The last two have no budget.", "",
                "| page | " + " | ".join(
                    f"{s['counts']['claim_lines']:,}: after new data / new results ready / "
                    "nothing kept / numbers ready / complete" for s in scales) + " |",
                "| --- |" + " --- |" * len(scales)]
        for file in kept_files:
            cells = []
            for s in scales:
                p = s["app"]["pages"].get(file, {})
                limit = COLD_MS_1M if s["lines_asked"] <= MILLION else COLD_MS_5M
                parts = []
                for k in ("cold_new_data_ms", "new_data_refreshed_ms", "cold_unkept_ms",
                          "unkept_ready_ms", "unkept_complete_ms"):
                    v = p.get(k)
                    over = k in ("cold_new_data_ms", "cold_unkept_ms") and v is not None \
                        and v > limit
                    parts.append("–" if v is None else f"{v:.0f}" + (" ✗" if over else ""))
                cells.append(" / ".join(parts))
            out.append(f"| {file} | " + " | ".join(cells) + " |")
    out += ["", "## Everything else", "",
            "| scale (claim lines) | " + " | ".join(f"{s['counts']['claim_lines']:,}"
                                                  for s in scales) + " |",
            "| --- |" + " --- |" * len(scales)]

    def row(label: str, fn: Any) -> None:
        out.append(f"| {label} | " + " | ".join(fn(s) for s in scales) + " |")

    row("claims / DB file", lambda s: f"{s['counts']['claims']:,} / {s['db_mb']:,.0f} MB")
    row("demo generation", lambda s: f"{s['demo_s']:.1f} s")
    def nv(fn: Any) -> Any:
        return lambda s: fn(s) if s.get("naive") and ratios(s) else "not run"

    row("naive page (cold / warm)", nv(lambda s: f"{s['naive']['page']['cold_ms']:,.0f} / "
                                              f"{s['naive']['page']['warm_ms']:,.0f} ms"))
    def ours(s: dict[str, Any]) -> str:
        p = s["app"]["pages"]
        try:
            return (f"{p['overview.py']['cold_ms'] + p['revenue.py']['cold_ms']:,.0f} / "
                    f"{p['overview.py']['warm_ms'] + p['revenue.py']['warm_ms']:,.0f} ms")
        except (KeyError, TypeError):
            return "–"

    row("ours: overview + revenue pages (cold / warm)", ours)
    row("ratio naive ÷ ours (cold / warm)", nv(lambda s: f"{ratios(s)['cold']:.1f}× / "
                                                         f"{ratios(s)['warm']:.0f}×"))
    row("same figures without Streamlit: naive / ours", nv(lambda s: (
        f"{s['naive']['direct_ms']:,.0f} / {s['app']['figures_direct_ms']:,.0f} ms "
        f"({ratios(s)['direct']:.1f}×)")))
    row("`metdash figures`, whole range: function / process", lambda s: (
        f"{s['figures_fn_ms']:,.0f} / {s['figures_cli_ms']:,.0f} ms"))
    from benchmarks.bench_forecast import forecast_line  # issue 18
    row("cash forecast backtest (8 weeks, 12 Mondays): ours vs naive, time", lambda s: (
        forecast_line(s.get("forecast"))))
    from benchmarks.bench_forecast import month_ends_line
    row("the same as of each of 12 month-ends (a year's seasons): mean", lambda s: (
        month_ends_line(s.get("forecast_year"))))
    row("837P export", lambda s: f"{s['export_837']['claims_per_s']:,} claims/s "
                                 f"({s['export_837']['claims']:,} claims{_rounds(s, 'export_837')})")
    row("835 import", lambda s: f"{s['import_835']['claims_per_s']:,} claims/s "
                                f"({s['import_835']['claims']:,} claims{_rounds(s, 'import_835')})")
    row("`metdash import-835` as a command (backup of the file first)", lambda s: (
        f"{s['import_835_command']['claims_per_s']:,} claims/s "
        f"({s['import_835_command']['claims']:,} claims in "
        f"{s['import_835_command']['seconds']:.1f} s)" if "import_835_command" in s else "–"))
    row("checkpoint after the imports", lambda s: (
        f"{s['import_835']['checkpoint_s']:.2f} s (with it: "
        f"{s['import_835']['with_checkpoint_claims_per_s']:,} claims/s)"
        if "checkpoint_s" in s["import_835"] else "– (checkpointed in each commit)"))
    row("claims spreadsheet import: fresh store / this store", lambda s: (
        f"{sheet_line(s['import_sheet']['fresh'])} / {sheet_line(s['import_sheet']['store'])}"
        if s.get("import_sheet") else "–"))
    row("denial risk: AUC / precision at the riskiest 10% (payer's rate)", lambda s: (
        f"{s['risk']['auc']:.3f} ({s['risk']['baseline_auc']:.3f}) / "
        f"{100 * s['risk']['precision_10']:.1f}% ({100 * s['risk']['baseline_precision_10']:.1f}%)"
        if "auc" in s.get("risk", {}) else "–"))
    row("denial risk: training on all lines / 12 months (CPU)", lambda s: (
        f"{s['risk']['train_all_lines']:,} in {s['risk']['train_all_s']:.1f} s "
        f"({s['risk']['train_all_cpu_s']:.1f}) / {s['risk']['train_window_lines']:,} in "
        f"{s['risk']['train_window_s']:.1f} s ({s['risk']['train_window_cpu_s']:.1f})"
        if s.get("risk") else "–"))
    row("peak RSS: app / naive process", lambda s: f"{s['app']['peak_rss_mb']:,.0f} / " + (
        f"{s['naive']['peak_rss_mb']:,.0f} MB" if s.get("naive") else "not run"))
    def peak_page(s: dict[str, Any]) -> str:
        seen = [(p.get("peak_rss_after_mb"), f) for f, p in s["app"]["pages"].items()
                if p.get("peak_rss_after_mb") is not None]
        crashed = [f for f, p in s["app"]["pages"].items() if p.get("oom")]
        if crashed:
            return ", ".join(crashed) + f" (out of memory at {CHILD_MEM_GB:g} GB)"
        if not seen:
            return "–"
        mb, f = max(seen)
        return f"{f} ({mb:,.0f} MB)"

    row("page with the largest RSS", peak_page)
    row("ran at (commit)", lambda s: f"{s['machine']['date'][:16]} ({s['machine']['commit']})")
    row("load average before / after", lambda s: f"{s['machine'].get('load_1min', '?')} / "
                                                 f"{s.get('load_after', '?')}")
    errs = [(s["counts"]["claim_lines"], f, e) for s in scales
            for f, p in s["app"]["pages"].items() for e in p["errors"]]
    if errs:
        out += ["", "## Page errors", ""] + [f"- {n:,} lines, {f}: {e}" for n, f, e in errs]
    for s in scales:
        if s.get("ttfc"):
            from benchmarks import ttfc

            out += ["", ttfc.render(s["ttfc"]).strip(),
                    f"\nMeasured on the {s['counts']['claim_lines']:,}-line store."]
    if notes.strip():
        out += ["", notes.strip()]
    return "\n".join(out) + "\n"


# -- main ------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scales", default=",".join(str(s) for s in DEFAULT_SCALES),
                    help="claim lines per demo practice, comma separated")
    ap.add_argument("--quick", action="store_true",
                    help=f"one small practice ({QUICK_SCALE:,} lines) unless --scales is given")
    ap.add_argument("--reps", type=int, default=5, help="runs per measurement (median)")
    ap.add_argument("--x12-claims", type=int, default=10_000,
                    help="claims in the 837P export and the 835 import")
    ap.add_argument("--out", default=str(HERE / "RESULTS.md"),
                    help="the Markdown report; results.json goes beside it")
    ap.add_argument("--workdir", default=None, help="where the demo files go (default: temp)")
    ap.add_argument("--keep", action="store_true", help="keep the demo databases")
    ap.add_argument("--naive-max-lines", type=int, default=2 * MILLION,
                    help="skip the naive pandas page above this many lines")
    ap.add_argument("--pages", default="",
                    help="only these pages (comma separated files in pages/; overview.py and "
                         "revenue.py are always run: the naive ratio needs them)")
    ap.add_argument("--fresh", action="store_true",
                    help="forget results of scales not run this time")
    ap.add_argument("--child-mem-gb", type=float, default=12.0,
                    help="memory cap (RLIMIT_DATA) of the page and naive processes; 0: none")
    ap.add_argument("--only-spreadsheet", action="store_true",
                    help="only the claims spreadsheet import at each scale (the demo built for "
                         "it); printed, RESULTS.md and results.json left as they are")
    ap.add_argument("--ttfc-runs", type=int, default=3,
                    help="time to first content in Chromium (benchmarks/ttfc.py) at the "
                         "smallest scale: runs per page; 0 skips it")
    ap.add_argument("--child", choices=["pages", "naive", "figures", "arrive"],
                    help=argparse.SUPPRESS)
    ap.add_argument("--page", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--child-out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        sys.path.insert(0, str(HERE))
        if args.child_mem_gb:  # a runaway page fails alone instead of exhausting the machine
            cap = int(args.child_mem_gb * 1024 ** 3)
            resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
        if args.child == "pages":
            res = child_pages(args.db, args.reps, args.page)
        elif args.child == "figures":
            res = child_figures(args.db, args.reps)
        elif args.child == "arrive":
            arrive_new_data(args.db, args.page)
            return 0
        else:
            res = child_naive(args.db, args.reps)
        Path(args.child_out).write_text(json.dumps(res))
        return 0

    if args.pages:
        wanted = {"overview.py", "revenue.py", *(p.strip() for p in args.pages.split(","))}
        os.environ["METDASH_BENCH_PAGES"] = ",".join(sorted(w for w in wanted if w))
    given = any(a.startswith("--scales") for a in (argv if argv is not None else sys.argv))
    scales = ([QUICK_SCALE] if args.quick and not given
              else [int(x) for x in args.scales.split(",") if x.strip()])
    out_md = Path(args.out)
    out_json = out_md.with_name("results.json")
    previous: dict[str, Any] = {}
    ran_on = None
    if out_json.exists() and not args.fresh:
        try:
            kept = json.loads(out_json.read_text())
            previous, ran_on = kept["scales"], kept.get("machine")
        except (ValueError, KeyError):
            previous = {}
    # Only rendering again (--scales ""): the machine line stays the one of the last run.
    results = {"machine": machine() if scales or ran_on is None else ran_on,
               "asked": scales, "scales": dict(previous)}
    notes_file = HERE / "NOTES.md"
    notes = notes_file.read_text(encoding="utf-8") if notes_file.exists() else ""

    def log(msg: str) -> None:
        print(f"{dt.datetime.now():%H:%M:%S} {msg}", flush=True)

    def save() -> None:
        out_md.parent.mkdir(parents=True, exist_ok=True)
        out_json.write_text(json.dumps(results, indent=1, default=str))
        if results["scales"]:
            out_md.write_text(render(results, notes), encoding="utf-8")

    global CHILD_MEM_GB, TTFC_AT, TTFC_RUNS
    CHILD_MEM_GB = args.child_mem_gb
    TTFC_AT = min(scales) if scales and args.ttfc_runs > 0 else None
    TTFC_RUNS = min(args.ttfc_runs, args.reps)
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="metdash-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    failed = []
    if args.only_spreadsheet:
        for lines in scales:
            res = bench_scale(lines, args.reps, workdir, args.x12_claims, args.keep, log,
                              sheet_only=True)
            path = workdir / f"bench-{lines}.duckdb"
            res["import_sheet"] = sheet_runs(path, workdir, log, lines)
            for key in ("fresh", "store"):
                r = res["import_sheet"][key]
                log(f"[{lines:,}] spreadsheet, {key}: {sheet_line(r)} (≤ {SHEET_S} s) "
                    f"{mark(r['seconds'] <= SHEET_S)}")
            if not args.keep:
                for p in (path, path.with_suffix(".duckdb.wal")):
                    p.unlink(missing_ok=True)
        return 0
    for lines in scales:
        try:
            res = bench_scale(lines, args.reps, workdir, args.x12_claims, args.keep, log,
                              args.naive_max_lines)
        except Exception as exc:  # keep what finished; say what did not
            log(f"[{lines:,}] FAILED: {exc}")
            failed.append(lines)
            results["scales"].pop(str(lines), None)
            save()
            continue
        results["scales"][str(lines)] = res
        save()
        for c in checks(res):
            log(f"[{lines:,}] {c['what']}: {c['value']} ({c['limit']}) {mark(c['pass'])}")
    if not scales:  # --scales "": RESULTS.md rendered again from results.json and NOTES.md
        save()
    log(f"wrote {out_md} and {out_json}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
