"""The cash forecast's benchmark (issue 18): its backtest against the naive forecast, and
how long the page's work takes, on a demo practice of a given size.

    .venv/bin/python benchmarks/bench_forecast.py --lines 20000     # a demo built in a temp dir
    .venv/bin/python benchmarks/bench_forecast.py --db data/demo.duckdb --as-of 2026-06-30

``make bench`` calls :func:`bench_forecast` on each scale's store (benchmarks/run.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def bench_forecast(db: Any, as_of: dt.date, weeks: int = 8, reps: int = 3) -> dict[str, Any]:
    """The forecast's backtest as of ``as_of`` (weekly MAPE of the forecast and of the naive
    8-week average, share of weeks inside the p10-p90 band, weeks evaluated, whether it beat
    the naive one) and the median seconds of the whole computation the page makes when
    nothing is kept (read the history, 20 forecasts for the backtest's 12 Mondays and the 8
    whose misses set the first ones' band, the coming weeks: ``build_outlook``),
    over ``reps`` runs; ``kept_seconds``: reading the kept outlook back (``cash_outlook``)."""
    from metdash.forecast import cash_outlook
    from metdash.forecast.outlook import build_outlook

    runs = []
    outlook = None
    for _ in range(max(1, reps)):
        t0 = time.perf_counter()
        outlook = build_outlook(db, as_of, weeks)
        runs.append(time.perf_counter() - t0)
    assert outlook is not None
    cash_outlook(db, as_of, weeks)  # built and kept, if not kept already
    t0 = time.perf_counter()
    cash_outlook(db, as_of, weeks)
    kept = time.perf_counter() - t0
    s = outlook.summary
    return {"forecast_mape": s["forecast_mape"], "naive_mape": s["naive_mape"],
            "inside_band": s["inside_band"], "weeks": s["weeks"],
            "band_error": s.get("band_error"),
            "weeks_with_money": s.get("weeks_with_money"),
            "beats_naive": s["beats_naive"], "seconds": round(statistics.median(runs), 3),
            "kept_seconds": round(kept, 3),
            "horizon_weeks": weeks, "as_of": as_of.isoformat()}


def month_ends(db: Any, as_of: dt.date, weeks: int = 8, count: int = 12) -> dict[str, Any]:
    """The same backtest as of the 28th of each of the ``count`` months up to ``as_of`` (a
    year: its seasons, the January deductibles among them), averaged: mean forecast and naive
    MAPE, mean share of weeks inside the band, the lowest share, and in how many months the
    forecast beat the naive one. One as-of day says little about a forecast whose errors
    move with the season."""
    from metdash.forecast.outlook import build_outlook

    days = []
    y, m = as_of.year, as_of.month
    for _ in range(count):
        day = dt.date(y, m, 28)
        if day <= as_of:
            days.append(day)
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    while len(days) < count:   # as_of before the 28th: one month further back
        last = days[-1]
        days.append(dt.date(last.year - (last.month == 1), (last.month - 2) % 12 + 1, 28))
    got = [build_outlook(db, day, weeks).summary for day in sorted(days)]
    got = [s for s in got if s["forecast_mape"] is not None and s["naive_mape"] is not None]
    if not got:
        return {"months": 0}
    inside = [s["inside_band"] for s in got]
    return {"months": len(got), "first": min(days).isoformat(), "last": max(days).isoformat(),
            "forecast_mape": statistics.mean(s["forecast_mape"] for s in got),
            "naive_mape": statistics.mean(s["naive_mape"] for s in got),
            "inside_band": statistics.mean(inside), "lowest_inside": min(inside),
            "beats": sum(bool(s["beats_naive"]) for s in got)}


def month_ends_line(r: dict[str, Any] | None) -> str:
    """One cell: 'MAPE 3.2% vs naive 5.1%, beats it in 11 of 12; 74% inside (lowest 53%)'."""
    if not r or not r.get("months"):
        return "–"
    return (f"MAPE {r['forecast_mape']:.1%} vs naive {r['naive_mape']:.1%}, beats it in "
            f"{r['beats']} of {r['months']}; {r['inside_band']:.0%} of weeks inside the band "
            f"(lowest month {r['lowest_inside']:.0%})")


def forecast_line(r: dict[str, Any] | None) -> str:
    """One cell of RESULTS.md: 'MAPE 4.7% vs naive 6.8% (beats it), 79% inside, 0.31 s'."""
    if not r or r.get("forecast_mape") is None or r.get("naive_mape") is None:
        return "–"
    verdict = "beats it" if r["beats_naive"] else "does NOT beat it"
    return (f"MAPE {r['forecast_mape']:.1%} vs naive {r['naive_mape']:.1%} ({verdict}), "
            f"{_inside(r)}, {r['seconds']:.2f} s")


def _inside(r: dict[str, Any]) -> str:
    """'57% of the 41 weeks with money (of 68) inside the band'; older results: of weeks."""
    if r.get("inside_band") is None:
        return "no week to judge the band"
    if r.get("weeks_with_money") is None:
        return f"{r['inside_band']:.0%} of {r['weeks']} weeks inside the band"
    error = (f" (model error ±{r['band_error']:.1%})" if r.get("band_error") is not None
             else "")
    return (f"{r['inside_band']:.0%} of the {r['weeks_with_money']} weeks with money "
            f"(of {r['weeks']}) inside the band{error}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", help="an existing store (default: build a demo of --lines)")
    ap.add_argument("--lines", type=int, default=20_000, help="claim lines of the demo built")
    ap.add_argument("--as-of", default="2026-06-30", help="the backtest's last day")
    ap.add_argument("--weeks", type=int, default=8)
    args = ap.parse_args(argv)
    from metdash.store import Database

    as_of = dt.date.fromisoformat(args.as_of)
    with tempfile.TemporaryDirectory() as tmp:
        if args.db:
            db = Database(args.db)
        else:
            from metdash import demo

            db = Database(Path(tmp) / "forecast-bench.duckdb")
            demo.generate(db, seed=7, claim_lines=args.lines, as_of=as_of)
        result = bench_forecast(db, as_of, args.weeks)
        result["month_ends"] = month_ends(db, as_of, args.weeks)
        result["claim_lines"] = db.scalar("SELECT count(*) FROM claim_lines")
        db.release()
    print(json.dumps(result, indent=2))
    print(forecast_line(result))
    print("12 month-ends:", month_ends_line(result["month_ends"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
