"""Every command of the group, found by walking it (not from a list kept by hand): each has
help, and each fails in one line -- never a traceback -- when another process holds the
store, and when the file it needs is not there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from metdash.cli import main

ERA = Path(__file__).parents[1] / "x12" / "fixtures" / "era_basic.835"
ACK = Path(__file__).parents[1] / "x12" / "fixtures" / "acks" / "999_accepted.999"
PASSWORD = "a long enough password 1\n"


def walk(group: click.Group = main, path: tuple[str, ...] = ()
         ) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """``(path, command)`` for the group itself and every command and subcommand under it."""
    yield path, group
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from walk(command, (*path, name))
        else:
            yield (*path, name), command


def command_names() -> list[str]:
    """Every command that does something ('facts check'), not the groups that hold them."""
    return [" ".join(path) for path, cmd in walk() if not isinstance(cmd, click.Group)]


@pytest.mark.parametrize("path", [path for path, _ in walk()],
                         ids=lambda p: " ".join(p) or "metdash")
def test_every_command_has_help(path):
    result = CliRunner().invoke(main, [*path, "--help"], prog_name="metdash")
    assert result.exit_code == 0, result.output
    command = dict(walk())[path]
    assert command.help and command.help.strip(), f"metdash {' '.join(path)} has no help"
    first_words = " ".join(command.help.split()[:4])
    assert first_words in " ".join(result.output.split())


def test_version_needs_no_store(tmp_path, monkeypatch):
    monkeypatch.setenv("METDASH_DB", str(tmp_path / "nowhere" / "practice.duckdb"))
    result = CliRunner().invoke(main, ["--version"], prog_name="metdash")
    assert result.exit_code == 0 and result.output.startswith("metdash, version ")
    assert not (tmp_path / "nowhere").exists()


@dataclass(frozen=True)
class Case:
    """How the test drives one command.

    ``held``: its arguments when another process holds the store ({held}); None when the
    command needs no store. ``missing``: its arguments when the file it needs is not there,
    ``means`` says which file that is, and ``says`` is part of the one line it must print;
    None (with ``means``) when it takes no file at all.
    """

    held: tuple[str, ...] | None
    missing: tuple[str, ...] | None
    means: str
    says: str = ""
    stdin: str = ""


# Placeholders, filled in for each command: {held} the store another process holds; {store}
# the tiny X12 practice (a copy of its own); {absent} a folder that does not exist; {blocked}
# a plain file, so nothing can be made under it; {out} an empty folder; {backup} a good
# backup; {claims} a claims spreadsheet; {era} an 835 file.
CREATED = "the store: a missing one is created, so its folder cannot be made ({blocked}/...)"
CASES: dict[str, Case] = {
    "migrate": Case(("--db", "{held}"), ("--db", "{blocked}/practice.duckdb"),
                    CREATED, "File exists"),
    "demo": Case(("--db", "{held}", "--claim-lines", "100"),
                 ("--db", "{blocked}/demo.duckdb", "--claim-lines", "100"),
                 CREATED, "File exists"),
    "backup": Case(("--db", "{held}", "--out", "{out}"), ("--db", "{absent}/practice.duckdb"),
                   "the store to copy", "There is no database file"),
    "restore": Case(("--db", "{held}", "--from", "{backup}", "--force"),
                    ("--db", "{out}/practice.duckdb", "--from", "{absent}/backup.duckdb"),
                    "the backup (--from)", "There is no backup file"),
    "facts check": Case(("--db", "{held}",), ("--db", "{absent}/practice.duckdb"),
                        "the store, which it only reads", "No database at"),
    "facts rebuild": Case(("--db", "{held}",), ("--db", "{absent}/practice.duckdb"),
                          "the store, which it only rebuilds", "No database at"),
    "figures": Case(("--db", "{held}",), ("--db", "{absent}/practice.duckdb"),
                    "the store, which it only reads", "No database at"),
    "forecast": Case(("--db", "{held}",), ("--db", "{absent}/practice.duckdb"),
                     "the store, which it only reads", "No database at"),
    "import-835": Case(("--db", "{held}", "{era}"), ("--db", "{store}", "{absent}/era.835"),
                       "the 835 file", "cannot read the file"),
    "import-ack": Case(("--db", "{held}", str(ACK)), ("--db", "{store}", "{absent}/ack.999"),
                       "the 999 / 277CA file", "cannot read the file"),
    # Refused before anything is exported: the claims stay ready (metdash.cli.x12).
    "export-837": Case(("--db", "{held}", "--out", "{out}/claims.837"),
                       ("--db", "{store}", "--out", "{absent}/claims.837"),
                       "the folder of the 837P file (--out)", "there is no folder"),
    "export-837-secondary": Case(("--db", "{held}", "--out", "{out}/secondary.837"),
                                 ("--db", "{store}", "--out", "{absent}/secondary.837"),
                                 "the folder of the 837P file (--out)", "there is no folder"),
    "import-claims": Case(("--db", "{held}", "{claims}"), ("--db", "{store}", "{absent}/c.csv"),
                          "the spreadsheet", "No such file or directory"),
    "claims-template": Case(None, ("{absent}/template.csv",),
                            "the folder of the template (OUT)", "No such file or directory"),
    "worklists": Case(("--db", "{held}"), ("--db", "{blocked}/practice.duckdb"),
                      CREATED, "File exists"),
    "check-npi": Case(None, None, "nothing: it takes NPIs, neither a store nor a file"),
    "report weekly": Case(("--db", "{held}", "--out", "{out}/week.csv"),
                          ("--db", "{store}", "--out", "{blocked}/week.csv"),
                          "the report's folder (--out): a missing one is made, so it cannot be "
                          "made ({blocked}/...)", "Cannot write"),
    "report payer": Case(("--db", "{held}", "--payer", "Acme Health", "--out", "{out}/a.pdf"),
                         ("--db", "{store}", "--payer", "Acme Health", "--no-charts", "--out",
                          "{blocked}/acme.pdf"),
                         "the report's folder (--out): a missing one is made, so it cannot be "
                         "made ({blocked}/...)", "Cannot write"),
    "statements": Case(("--db", "{held}", "--as-of", "2025-05-31", "--out", "{out}"),
                       ("--db", "{store}", "--as-of", "2025-05-31", "--out",
                        "{blocked}/statements"),
                       "the statements' folder (--out): a missing one is made, so it cannot "
                       "be made ({blocked}/...)", "Cannot make the folder"),
    "user add": Case(("--db", "{held}", "--role", "owner", "olive", "--password-stdin"),
                     ("--db", "{blocked}/p.duckdb", "--role", "owner", "olive",
                      "--password-stdin"), CREATED, "File exists", stdin=PASSWORD),
    "user passwd": Case(("--db", "{held}", "olive", "--password-stdin"),
                        ("--db", "{blocked}/p.duckdb", "olive", "--password-stdin"),
                        CREATED, "File exists", stdin=PASSWORD),
    "user disable": Case(("--db", "{held}", "olive"), ("--db", "{blocked}/p.duckdb", "olive"),
                         CREATED, "File exists"),
    "user enable": Case(("--db", "{held}", "olive"), ("--db", "{blocked}/p.duckdb", "olive"),
                        CREATED, "File exists"),
    "user role": Case(("--db", "{held}", "olive", "biller"),
                      ("--db", "{blocked}/p.duckdb", "olive", "biller"), CREATED, "File exists"),
    "user list": Case(("--db", "{held}"), ("--db", "{blocked}/p.duckdb"), CREATED, "File exists"),
    "payer-name": Case(("--db", "{held}", "--payer", "Acme Health", "NORIDIAN JF"),
                       ("--db", "{blocked}/p.duckdb", "--payer", "Acme Health", "NORIDIAN JF"),
                       CREATED, "File exists"),
}

HOLD = """\
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(600)
"""


@pytest.fixture
def held_store(tmp_path: Path, seeded_template: Path) -> Iterator[Path]:
    """A store that another process holds open (as a running import or dashboard would)."""
    path = tmp_path / "held" / "practice.duckdb"
    path.parent.mkdir()
    shutil.copy(seeded_template, path)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        yield path
    finally:
        holder.kill()
        holder.wait()


@dataclass(frozen=True)
class Run:
    command: str
    situation: str  # "held" or "missing"
    argv: list[str]
    stdin: str
    says: str
    cwd: Path


def places(name: str, situation: str, tmp_path: Path, held: Path, template: Path,
           claims: Path) -> dict[str, str]:
    """The placeholders' values for one run: a folder of its own, a store of its own."""
    own = tmp_path / situation / name.replace(" ", "-")
    (own / "out").mkdir(parents=True)
    store = own / "practice.duckdb"
    shutil.copy(template, store)
    blocked = tmp_path / "a-file"
    blocked.touch()
    return {"held": str(held), "store": str(store), "absent": str(own / "absent"),
            "blocked": str(blocked), "out": str(own / "out"), "backup": str(template),
            "claims": str(claims), "era": str(ERA), "cwd": str(own)}


def run(r: Run) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "METDASH_LOCK_WAIT": "0.5",
           "METDASH_DB": str(r.cwd / "default.duckdb"),
           "METDASH_BACKUP_DIR": str(r.cwd / "backups")}
    return subprocess.run([sys.executable, "-m", "metdash.cli", *r.argv], input=r.stdin,
                          capture_output=True, text=True, cwd=r.cwd, env=env, timeout=180)


def problem(r: Run, done: subprocess.CompletedProcess[str]) -> str | None:
    """What is wrong with how the command failed (None: one line, no traceback, exit != 0)."""
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    if "Traceback" in done.stderr + done.stdout:
        return "printed a traceback"
    if done.returncode == 0:
        return "exited 0"
    if len(lines) != 1:
        return f"printed {len(lines)} lines of error"
    if r.says not in lines[0]:
        return f"did not say {r.says!r}"
    return None


@pytest.mark.slow
def test_every_command_fails_in_one_line_on_a_held_store_and_a_missing_file(
        tmp_path, held_store, seeded_template):
    names = command_names()
    assert not [n for n in names if n not in CASES], \
        f"commands without a case in CASES (add one): {[n for n in names if n not in CASES]}"
    assert not [n for n in CASES if n not in names], \
        f"CASES names commands that are gone: {[n for n in CASES if n not in names]}"
    from metdash.spreadsheet import COLUMNS

    # Every column and a row: the import gets as far as the store (which is busy) before it
    # checks the row (a file refused before that touches no store and takes no backup).
    claims = tmp_path / "claims.csv"
    claims.write_text(",".join(COLUMNS) + "\n" + ",".join("x" for _ in COLUMNS) + "\n")

    runs = []
    for name in names:
        case = CASES[name]
        for situation, args, says in (("held", case.held, "busy"),
                                      ("missing", case.missing, case.says)):
            if args is None:
                continue
            where = places(name, situation, tmp_path, held_store, seeded_template, claims)
            argv = [*name.split(), *(a.format(**where) for a in args)]
            runs.append(Run(name, situation, argv, case.stdin, says, Path(where["cwd"])))
    assert len(runs) >= 2 * len(names) - 4  # only the store-less commands skip a situation

    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        done = list(pool.map(run, runs))
    failures = [f"metdash {' '.join(r.argv)} ({r.situation}): {why}\n"
                f"--- stderr ---\n{d.stderr}--- stdout ---\n{d.stdout}"
                for r, d in zip(runs, done, strict=True) if (why := problem(r, d))]
    assert not failures, "\n\n".join(failures)


def test_a_database_error_nobody_foresaw_is_one_line(monkeypatch, tmp_path):
    """A DuckDB error the store does not turn into its own (a new-user trial: "FATAL Error:
    Failed to create checkpoint ..." from `import-835`, as a traceback) ends in one line
    that says what the file holds and what to do."""
    import duckdb
    from click.testing import CliRunner

    from metdash.cli import main

    def fails(*_args, **_kwargs):
        raise duckdb.FatalException("FATAL Error: Failed to create checkpoint because of error")

    monkeypatch.setattr("metdash.cli.x12.import_835", fails)
    era = tmp_path / "a.835"
    era.write_text("ISA*")
    done = CliRunner().invoke(main, ["import-835", "--db", str(tmp_path / "s.duckdb"),
                                     str(era)])
    assert done.exit_code == 1 and done.exception.__class__ is SystemExit
    assert done.output.strip().splitlines() == [
        "Error: The database stopped this command: FATAL Error: Failed to create checkpoint "
        "because of error. The file holds what the last finished command left in it (a "
        "command's writes are kept whole or not at all). Run it again; if this repeats, check "
        "that no other program has the file open, and keep the file as it is."]


def test_python_dash_m_metdash_is_the_command():
    # A new-user trial typed `python -m metdash` first: "No module named metdash.__main__".
    out = subprocess.run([sys.executable, "-m", "metdash", "--help"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "import-claims" in out.stdout and "import-835" in out.stdout
