"""The benchmark (benchmarks/run.py, ``make bench``) still runs end to end: a tiny practice,
one repetition, two pages. Not a timed test: nothing here asserts on speed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_benchmark_runs_at_a_tiny_scale(tmp_path):
    out = tmp_path / "RESULTS.md"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--scales", "5000",
         "--reps", "1", "--x12-claims", "100", "--pages", "overview.py",
         "--out", str(out), "--workdir", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    report = out.read_text()
    assert "## The budget" in report and "835 import" in report and "overview.py" in report
    raw = json.loads((tmp_path / "results.json").read_text())
    scale = raw["scales"]["5000"]
    assert set(scale["app"]["pages"]) == {"overview.py", "revenue.py"}
    assert not any(p["errors"] for p in scale["app"]["pages"].values())
    assert scale["import_835"]["claims"] == scale["import_835"]["matched"] == 100
    assert scale["export_837"]["claims"] == 100
    assert scale["import_835"]["checkpoint_s"] >= 0  # the deferred checkpoint is timed too
    assert "checkpoint after the imports" in report
    assert scale["import_835_command"]["claims"] == 100  # the command, as a biller runs it
    # Our figures and the naive pandas ones agree on the period's charges and payments.
    for key in ("gross_charges", "payments"):
        assert scale["naive"]["check"][key] == pytest.approx(scale["app"]["check"][key])
    assert not any((tmp_path / "work").glob("*.duckdb"))  # demo files cleaned up
