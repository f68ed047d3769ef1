"""Denial risk (issue 18): how well and how fast, on a demo practice's store.

- reading the lines and their features (``metdash.risk_features``);
- training on every adjudicated line of the store (wall and CPU seconds: on a shared machine
  the wall time waits for the other processes, the CPU time is the work), and on the
  12-month window the app uses;
- the time split (``metdash.risk_eval``): trained on the lines first adjudicated in the 12
  months before T = 6 months before the last adjudication, tested on the claims served since
  T: AUC, precision at the riskiest 10% and the calibration deciles, beside the baseline of
  each payer's overall denial rate.

``benchmarks/run.py`` calls :func:`measure` at each scale; alone:

    .venv/bin/python benchmarks/bench_risk.py --db data/demo.duckdb
    .venv/bin/python benchmarks/bench_risk.py --lines 1000000     # builds a demo in a temp dir
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
    from metdash import risk, risk_eval
    from metdash.risk_features import features, read_lines

    risk.forget_models()
    first_s, _, _ = _timed(risk.model_for, db, as_of)   # what a page's first view pays
    read_s, _, lines = _timed(read_lines, db)
    feat_s, _, feats = _timed(features, lines, as_of)
    end = risk.history_end(lines, as_of)
    all_s, all_cpu, full = _timed(risk.train_lines, lines, feats, end, None)
    win_s, win_cpu, window = _timed(risk.train_lines, lines, feats, end)
    ev = risk_eval.time_split(lines, feats, risk_eval.split_date(end))
    out: dict[str, Any] = {
        "lines": len(lines), "first_view_s": round(first_s, 2), "read_s": round(read_s, 2), "features_s": round(feat_s, 2),
        "train_all_lines": full.trained_lines if full else 0,
        "train_all_s": round(all_s, 2), "train_all_cpu_s": round(all_cpu, 2),
        "train_window_lines": window.trained_lines if window else 0,
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
    if window is not None:
        out["weights"] = {name: round(float(w), 3)
                          for (name, _, _), w in zip(window.groups, window.weights, strict=True)}
    return out


def report(r: dict[str, Any]) -> str:
    """A few lines for a person (and the rows benchmarks/run.py shows)."""
    lines = [f"denial risk on {r['lines']:,} claim lines: a page's first view (read the "
             f"months it needs, train) {r['first_view_s']:.1f} s; read all {r['read_s']:.1f} s, "
             f"features "
             f"{r['features_s']:.1f} s; trained on all {r['train_all_lines']:,} adjudicated "
             f"lines in {r['train_all_s']:.1f} s ({r['train_all_cpu_s']:.1f} s CPU), on the "
             f"12-month window ({r['train_window_lines']:,} lines) in "
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
