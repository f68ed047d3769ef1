"""``metdash import-835`` and ``export-837``: JSON summary keys, exit status, export file."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from metdash.cli import main
from metdash.x12.validate import pyx12_validate
from tests.x12.helpers import Claim, build_835

FIXTURE = Path(__file__).parents[1] / "x12" / "fixtures" / "era_basic.835"


def test_import_835_json_and_exit_status(seeded, tmp_path):
    bad = tmp_path / "bad.835"
    bad.write_text(build_835([Claim("C1", "1", "100", "70", cas=[("CO", "45", "20")])]))
    runner = CliRunner()
    r = runner.invoke(main, ["import-835", "--db", str(seeded.path), str(FIXTURE), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert list(out) == ["files", "payments", "claims", "matched", "unmatched", "paid",
                         "already_imported", "errors"]
    assert out["paid"] == 226.5 and out["matched"] == 1
    r = runner.invoke(main, ["import-835", "--db", str(seeded.path), str(FIXTURE), str(bad),
                             "--json"])
    assert r.exit_code == 1
    out = json.loads(r.output)
    assert out["already_imported"] == 1 and out["payments"] == 0
    assert out["errors"] == ["bad.835, segment 13 (CLP): claim C1 does not balance: charge 100 "
                             "− adjustments 20 = 80, but paid is 70. Nothing was imported."]


def test_import_835_text_output(seeded):
    r = CliRunner().invoke(main, ["import-835", "--db", str(seeded.path), str(FIXTURE)])
    assert r.exit_code == 0
    assert "era_basic.835: 1 payment(s) imported" in r.output


def test_export_837(seeded, tmp_path):
    out = tmp_path / "claims.837"
    r = CliRunner().invoke(main, ["export-837", "--db", str(seeded.path), "--out", str(out),
                                  "--claim", "C000102"])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == f"{out}: 1 claim(s) written."
    assert pyx12_validate(out.read_text()) == []
    r = CliRunner().invoke(main, ["export-837", "--db", str(seeded.path), "--out", str(out),
                                  "--claim", "C000103"])
    assert r.exit_code == 1
    assert "Nothing was exported" in r.output and "Claim C000103 is draft" in r.output
    assert "Traceback" not in r.output


def test_commands_have_help():
    for cmd in ("import-835", "export-837"):
        r = CliRunner().invoke(main, [cmd, "--help"])
        assert r.exit_code == 0 and len(r.output) > 100
