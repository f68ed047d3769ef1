"""Denial risk (issue 18): how well and how fast, on a demo practice's store.

- a page's first view after a remittance: the model and its time split learned from the
  store's counts (``metdash.risk.learned``: one read of the lines' counts, two fits), with
  nothing kept; and the first view of a new process when they are kept beside the store;
- training on every adjudicated line of the store, and on the 12-month window the app uses:
  reading the counts (``metdash.risk_features.history_counts``) and fitting, each in wall and
  CPU seconds (on a shared machine the wall time waits for the other processes, the CPU time
  is the work);
- the time split (``metdash.risk_eval``): trained on the lines first adjudicated in the 12
  months before T = 6 months before the last adjudication, tested on the claims served since
  T: AUC, precision at the riskiest 10% and the calibration deciles, beside the baseline of
  each payer's overall denial rate.

``benchmarks/run.py`` calls :func:`measure` at each scale; alone:

    .venv/bin/python benchmarks/bench_risk.py --db data/demo.duckdb
    .venv/bin/python benchmarks/bench_risk.py --lines 1000000     # builds a demo in a temp dir

It leaves the model it learned kept beside the store (``<store>.derived/``), as the app would.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))


def _timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return time.perf_counter() - wall, time.process_time() - cpu, out


def measure(db: Any, as_of: dt.date) -> dict[str, Any]:
    """The measures above as a dict (seconds rounded to 0.01; rates to 0.001)."""
    from metdash import risk
    from metdash.risk_features import history_counts
    from metdash.store import derived

    risk.forget_models()
    derived.clear(db.path)
    first_s, first_cpu, kept = _timed(risk.learned, db, as_of)   # after a remittance
    risk.forget_models()
    again_s, again_cpu, _ = _timed(risk.learned, db, as_of)      # a new process: read it
    end = risk.store_history_end(db, as_of)
    read_all_s, read_all_cpu, every = _timed(history_counts, db, model=(None, end))
    every = every.drop(columns="part")
    all_s, all_cpu, full = _timed(risk.train_part, every, end, None)
    window = risk.learning_window(end)
    read_s, read_cpu, counts = _timed(history_counts, db, model=window)
    counts = counts.drop(columns="part")
    win_s, win_cpu, model = _timed(risk.train_part, counts, end)
    ev = kept.backtest
    lines = db.scalar("SELECT count(*) FROM claim_lines JOIN claims USING (claim_id) "
                      "WHERE status <> 'voided'")
    out: dict[str, Any] = {
        "lines": int(lines), "first_view_s": round(first_s, 2),
        "first_view_cpu_s": round(first_cpu, 2), "kept_view_s": round(again_s, 2),
        "kept_view_cpu_s": round(again_cpu, 2),
        "read_all_s": round(read_all_s, 2), "read_all_cpu_s": round(read_all_cpu, 2),
        "read_window_s": round(read_s, 2), "read_window_cpu_s": round(read_cpu, 2),
        "train_all_lines": full.trained_lines if full else 0,
        "train_all_s": round(all_s, 2), "train_all_cpu_s": round(all_cpu, 2),
        "train_window_lines": model.trained_lines if model else 0,
        "train_window_combinations": len(counts),
        "train_window_s": round(win_s, 2), "train_window_cpu_s": round(win_cpu, 2),
    }
    if ev is not None:
        out.update({
            "split_date": ev.split_date.isoformat(), "test_lines": ev.test_lines,
            "split_train_lines": ev.train_lines,
            "test_denial_rate": round(ev.test_denial_rate, 3),
            "auc": round(ev.auc, 3), "baseline_auc": round(ev.baseline_auc, 3),
            "precision_10": round(ev.precision_10, 3),
            "baseline_precision_10": round(ev.baseline_precision_10, 3),
            "calibration": [[int(r.risk_decile), int(r.decile_lines),
                             round(float(r.predicted_risk), 3),
                             round(float(r.observed_denial_rate), 3)]
                            for r in ev.calibration.itertuples()],
        })
    if model is not None:
        out["weights"] = {name: round(float(w), 3)
                          for (name, _, _), w in zip(model.groups, model.weights, strict=True)}
    return out


def report(r: dict[str, Any]) -> str:
    """A few lines for a person (and the rows benchmarks/run.py shows)."""
    lines = [f"denial risk on {r['lines']:,} claim lines: a page's first view after a "
             f"remittance (count the months it needs, train the model and its time split) "
             f"{r['first_view_s']:.1f} s ({r['first_view_cpu_s']:.1f} s CPU); kept beside the "
             f"store, a new process reads it in {r['kept_view_s']:.2f} s",
             f"trained on all {r['train_all_lines']:,} adjudicated lines: counted in "
             f"{r['read_all_s']:.1f} s ({r['read_all_cpu_s']:.1f} s CPU), fitted in "
             f"{r['train_all_s']:.1f} s ({r['train_all_cpu_s']:.1f} s CPU); on the 12-month "
             f"window ({r['train_window_lines']:,} lines, "
             f"{r['train_window_combinations']:,} combinations): counted in "
             f"{r['read_window_s']:.1f} s ({r['read_window_cpu_s']:.1f} s CPU), fitted in "
             f"{r['train_window_s']:.1f} s ({r['train_window_cpu_s']:.1f} s CPU)"]
    if "auc" in r:
        lines.append(
            f"time split at {r['split_date']} ({r['split_train_lines']:,} lines before, "
            f"{r['test_lines']:,} after, {100 * r['test_denial_rate']:.1f}% denied): AUC "
            f"{r['auc']:.3f} vs {r['baseline_auc']:.3f} (payer's rate); precision at the "
            f"riskiest 10% {100 * r['precision_10']:.1f}% vs "
            f"{100 * r['baseline_precision_10']:.1f}%")
        lines.append("calibration (decile, lines, predicted, observed): " + "; ".join(
            f"{d} {n:,} {100 * p:.1f}% {100 * o:.1f}%" for d, n, p, o in r["calibration"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", help="a store to measure (not changed)")
    ap.add_argument("--lines", type=int, default=100_000,
                    help="without --db: build a demo of about this many claim lines")
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 6, 30))
    args = ap.parse_args(argv)
    from metdash import demo
    from metdash.store import Database

    with tempfile.TemporaryDirectory() as tmp:
        if args.db:
            db = Database(args.db)
        else:
            db = Database(Path(tmp) / "risk.duckdb")
            demo.generate(db, seed=7, claim_lines=args.lines, as_of=args.as_of)
        print(report(measure(db, args.as_of)))
        db.release()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
