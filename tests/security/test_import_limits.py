"""Promise: one uploaded file cannot take the server down. A claims spreadsheet is read
within a time and memory budget whatever it declares: only the template's columns, at most
``MAX_ROWS`` rows, at most ``MAX_UNCOMPRESSED_BYTES`` unzipped, and at most
``MAX_PROBLEMS`` problems listed; anything larger is refused with a message saying what to
do. The hostile files are built here, small on disk."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import openpyxl
import pytest

from metdash import sheets, spreadsheet
from metdash.spreadsheet import COLUMNS, import_claims, read_rows
from metdash.store import Database
from tests.entry_seed import AS_OF, USER, seed

ROOT = Path(__file__).resolve().parents[2]
# The budget of one read, on this 2-core machine shared with others: a valid 3-row file
# reads in well under a second; the hostile ones may not cost much more.
SECONDS = 5.0
EXTRA_MB = 150
GOOD = ["S1", "C100", "Lane", "Lois", "1948-01-02", "F", "Medicare Part B", "medicare",
        "1AA0AA0AA00", "1679576722", "Smith Anna", "physician", "2025-05-20", "2025-06-02",
        "97110", "GP", "2", "80.00", "M54.50", "1245319599", "2025-06-05"]


def xlsx(*, far: list[tuple[str, str]] = (), dimension: str | None = None) -> bytes:
    """A template sheet (header + one good row), with values at the cells ``far`` and the
    declared ``<dimension ref=...>`` replaced by ``dimension``."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(COLUMNS))
    ws.append(GOOD)
    for cell, value in far:
        ws[cell] = value
    buf = io.BytesIO()
    wb.save(buf)
    if dimension is None:
        return buf.getvalue()
    return rezip(buf.getvalue(), "xl/worksheets/sheet1.xml",
                 lambda xml: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"'
                                    .encode(), xml))


def rezip(data: bytes, member: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == member:
                new = change(body)
                assert new != body
                body = new
            dst.writestr(info.filename, body)
    return out.getvalue()


def zip_bomb(path: Path, unzipped_mb: int) -> None:
    """A workbook whose sheet XML unzips to ``unzipped_mb`` MB of rows of 21 cells (a few
    hundred KB on disk), written in chunks so the test itself stays small."""
    row = "<row>" + "".join('<c t="inlineStr"><is><t>x</t></is></c>' for _ in COLUMNS) + \
        "</row>"
    chunk = (row * (1_000_000 // len(row))).encode()
    with zipfile.ZipFile(io.BytesIO(xlsx())) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, src.read(info.filename))
                continue
            xml = src.read(info.filename).decode()
            head, tail = xml.split("</sheetData>")
            with dst.open(info.filename, "w") as out:
                out.write(head.encode())
                for _ in range(unzipped_mb):
                    out.write(chunk)
                out.write(("</sheetData>" + tail).encode())


def read_in_a_child(paths: dict[str, Path]) -> dict[str, dict]:
    """read_rows on each file in one fresh process (memory capped, so a failing read cannot
    exhaust the machine): by name, its seconds, the memory it added (MB) and what it
    returned. One process: importing the claim rules loads the ICD-10-CM code set."""
    script = textwrap.dedent(f"""
        import gc, json, resource, sys, time
        from pathlib import Path
        cap = 2 * 1024 ** 3
        resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
        from metdash.spreadsheet import read_rows
        def mb(key):
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith(key):
                    return int(line.split()[1]) / 1024
        results = {{}}
        for name, path in {({k: str(v) for k, v in paths.items()})!r}.items():
            data = Path(path).read_bytes()
            gc.collect()
            before = mb("VmRSS:")
            # The peak from here on (Linux: writing 5 resets VmHWM to VmRSS).
            Path("/proc/self/clear_refs").write_text("5")
            t = time.perf_counter()
            try:
                header, rows = read_rows(data, path)
                out = {{"header": header, "rows": [[n, v] for n, v in rows[:3]],
                        "n_rows": len(rows)}}
            except ValueError as exc:
                out = {{"refused": str(exc)}}
            out["seconds"] = time.perf_counter() - t
            out["extra_mb"] = mb("VmHWM:") - before
            results[name] = out
        print(json.dumps(results, default=str))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def within_budget(got: dict) -> None:
    assert got["seconds"] < SECONDS, got
    assert got["extra_mb"] < EXTRA_MB, got


@pytest.fixture(scope="module")
def reads(tmp_path_factory) -> dict[str, dict]:
    """The hostile workbooks, each read once (all in one child process)."""
    folder = tmp_path_factory.mktemp("hostile-xlsx")
    files = {
        # The sheet declares every cell of the sheet; it holds two rows.
        "dimension": xlsx(dimension="A1:XFD1048576"),
        # Values in far columns of the data rows: not template columns.
        "wide": xlsx(far=[("XFD2", "x"), ("AZZ2", "y"), ("ZZ1", "notes")]),
        # A value in the sheet's last cell: a million rows to read.
        "far": xlsx(far=[("XFD1048576", "x"), ("XFA3", "y")]),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = folder / f"{name}.xlsx"
        paths[name].write_bytes(data)
    assert all(p.stat().st_size < 10_000 for p in paths.values())
    paths["bomb"] = folder / "bomb.xlsx"
    zip_bomb(paths["bomb"], unzipped_mb=300)
    assert paths["bomb"].stat().st_size < 2_000_000
    return read_in_a_child(paths)


@pytest.fixture(scope="module")
def template_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("limits") / "seed.duckdb"
    seed(path)
    return path


@pytest.fixture
def db(template_store, tmp_path):
    target = tmp_path / "store.duckdb"
    shutil.copy(template_store, target)
    return Database(target)


def test_declared_dimension_reads_only_the_template_columns(reads):
    got = reads["dimension"]
    within_budget(got)
    assert got["header"] == list(COLUMNS) and got["n_rows"] == 1
    assert got["rows"][0][1]["cpt"] == "97110"


def test_cells_far_out_are_ignored_or_refused_not_read(reads):
    got = reads["wide"]
    within_budget(got)
    assert got["n_rows"] == 1 and set(got["rows"][0][1]) == set(COLUMNS)
    got = reads["far"]
    within_budget(got)
    assert f"more than {spreadsheet.MAX_ROWS:,} rows" in got["refused"]
    assert "split" in got["refused"]


def test_zip_bomb_is_refused_before_it_is_unzipped(reads):
    got = reads["bomb"]
    within_budget(got)
    assert "unzips to" in got["refused"] and "xl/worksheets/sheet1.xml" in got["refused"]


def test_rows_past_the_cap_are_refused_with_a_way_out(monkeypatch):
    monkeypatch.setattr(sheets, "MAX_ROWS", 50)
    head = ",".join(COLUMNS)
    body = "\n".join(",".join(GOOD) for _ in range(50))
    header, rows = read_rows(f"{head}\n{body}\n".encode(), "ok.csv")
    assert len(rows) == 50
    with pytest.raises(ValueError, match=r"big\.csv has more than 50 rows: .*split"):
        read_rows(f"{head}\n{body}\n{','.join(GOOD)}\n".encode(), "big.csv")


def test_a_giant_csv_field_is_a_problem_not_a_traceback(db):
    sheet = ",".join(COLUMNS) + "\n" + ",".join(GOOD[:-1]) + ',"' + "x" * 300_000 + '"\n'
    result = import_claims(db, sheet.encode(), "giant.csv", USER, as_of=AS_OF)
    assert result.problems and "Traceback" not in result.problems[0]


def test_problems_stop_after_the_cap_with_a_count(db):
    head = ",".join(COLUMNS)
    bad = [",".join(GOOD).replace("2025-06-02", f"June {i}") for i in range(1000)]
    result = import_claims(db, "\n".join([head, *bad]).encode(), "bad.csv", USER, as_of=AS_OF)
    shown = spreadsheet.MAX_PROBLEMS
    assert len(result.problems) == shown + 1
    assert result.problems[-1] == f"and {1000 - shown:,} more problems (first fix these)."
    assert result.problems[0].startswith("row 2, service_date:")
    # Counts read as on every page: 1,000, not 1000.
    assert result.summary().startswith("Nothing was imported: 1,000 problem(s).")
    assert result.messages()[-1] == result.problems[-1]
    assert db.scalar("SELECT count(*) FROM claims") == 0


def test_cli_refuses_a_file_too_large_without_reading_it(db, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from metdash.cli import main

    monkeypatch.setattr(sheets, "MAX_UNCOMPRESSED_BYTES", 1000)
    path = tmp_path / "large.csv"
    path.write_bytes(b"x" * 1001)
    res = CliRunner().invoke(main, ["import-claims", "--db", str(db.path), str(path)])
    assert res.exit_code == 1
    assert "large.csv is larger than" in res.output and "split" in res.output
    assert "Traceback" not in res.output


def test_a_sheet_holding_an_xml_comment_is_refused_unparsed(tmp_path):
    """Found by the re-probe: a 16 MB comment inside <sheetData> took 11 s to parse, 150 MB
    over ten minutes (the time grows with the square of its length). Excel never writes one:
    it is refused before any parser sees it."""
    import time

    wb = openpyxl.Workbook()
    wb.active.append(list(COLUMNS))
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            part = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = part.replace(b"<sheetData>",
                                    b"<sheetData><!--" + b" " * 16_000_000 + b"-->")
            zout.writestr(info, part)
    start = time.monotonic()
    with pytest.raises(ValueError, match="holds XML that Excel does not write"):
        read_rows(out.getvalue(), "comment.xlsx")
    assert time.monotonic() - start < 3
