"""Promise: users are managed from the shell without a password ever being a command-line
argument; the server listens on localhost with small uploads unless deliberately changed."""

from __future__ import annotations

import tomllib
from pathlib import Path

import click
from click.testing import CliRunner

from metdash import auth
from metdash.cli import main
from metdash.store import Database

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def test_user_commands_end_to_end(tmp_path):
    db = str(tmp_path / "p.duckdb")
    out = run("user", "add", "--db", db, "--role", "owner", "--name", "Olive Owner", "Olive",
              input="owner password 1\nowner password 1\n")  # hidden prompt, asked twice
    assert out.exit_code == 0, out.output
    assert "owner password 1" not in out.output
    out = run("user", "add", "--db", db, "--role", "front_desk", "fran", "--password-stdin",
              input="front desk pass 2\n")
    assert out.exit_code == 0, out.output
    listing = run("user", "list", "--db", db).output
    assert "olive" in listing and "front_desk" in listing and "Olive Owner" in listing
    assert "$argon2" not in listing
    assert run("user", "passwd", "--db", db, "fran", "--password-stdin",
               input="changed pass 3\n").exit_code == 0
    assert auth.authenticate(Database(db), "fran", "changed pass 3").role == "front_desk"
    assert run("user", "role", "--db", db, "fran", "biller").exit_code == 0
    assert run("user", "disable", "--db", db, "fran").exit_code == 0
    assert "disabled" in run("user", "list", "--db", db).output
    assert run("user", "enable", "--db", db, "fran").exit_code == 0


def test_user_command_errors_are_one_line_messages(tmp_path):
    db = str(tmp_path / "p.duckdb")
    out = run("user", "add", "--db", db, "--role", "viewer", "vic", "--password-stdin",
              input="short\n")
    assert out.exit_code == 1 and "at least 10" in out.output and "Traceback" not in out.output
    out = run("user", "disable", "--db", db, "nobody")
    assert out.exit_code == 1 and "No user 'nobody'" in out.output
    mismatch = run("user", "add", "--db", db, "--role", "viewer", "vic",
                   input="first password 1\nsecond password 2\n" * 3)
    assert mismatch.exit_code != 0 and auth.user_count(Database(db)) == 0


def test_no_command_takes_a_password_as_an_argument():
    def walk(cmd: click.Command, path: str):
        yield path, cmd
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                yield from walk(sub, f"{path} {name}")

    for path, cmd in walk(main, "metdash"):
        for param in cmd.params:
            if "password" in param.name and param.name != "password_stdin":
                raise AssertionError(f"{path} takes a password argument: {param.name}")
        if path.split(" ")[1:2] in (["user"], ["backup"], ["restore"]):
            assert cmd.help, f"{path} has no help"


def test_server_listens_on_localhost_with_small_uploads():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    server = config["server"]
    assert server["address"] == "127.0.0.1"
    assert server["maxUploadSize"] <= 20
    assert server["enableXsrfProtection"] is True
    assert config["browser"]["gatherUsageStats"] is False


def test_a_closed_tab_session_is_dropped_within_seconds():
    # Streamlit keeps a disconnected session (and its sign-in) for resuming by its id; the
    # default is 120 s. Every place that starts the server reads this file.
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert 1 <= config["server"]["disconnectedSessionTTL"] <= 10


def test_security_md_names_what_the_practice_must_do():
    text = (ROOT / "SECURITY.md").read_text().lower()
    for topic in ("disk encryption", "off the machine", "business associate", "tls",
                  "metdash user add", "metdash backup", "127.0.0.1"):
        assert topic in text, topic


def test_every_upload_names_the_file_types_it_accepts():
    import ast

    found = 0
    for path in (ROOT / "pages").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "file_uploader":
                found += 1
                assert any(k.arg == "type" for k in node.keywords), \
                    f"{path.name}:{node.lineno} accepts any file type"
    assert found >= 2


def test_every_download_is_made_when_clicked():
    # A callable is run when the button is clicked and its file served to that session
    # only (metdash.ui.gate); bytes passed directly sit in the media store from the page run.
    import ast

    found = 0
    for path in [*(ROOT / "pages").glob("*.py"), *(ROOT / "metdash").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "download_button":
                found += 1
                data = node.args[1] if len(node.args) > 1 else next(
                    k.value for k in node.keywords if k.arg == "data")
                callable_ = isinstance(data, ast.Lambda | ast.Name) or (
                    isinstance(data, ast.Call) and getattr(data.func, "id", "") == "partial")
                assert callable_, f"{path.name}:{node.lineno} passes the file's bytes"
    assert found >= 6


def test_no_user_is_added_to_the_demo(tmp_path):
    """Found by the re-probe: `metdash user add` on the demo file succeeded, yet the demo
    opens without signing in (and `metdash demo` may replace it): the user protected
    nothing, and a practice that then typed real clients in served them to anyone."""
    from click.testing import CliRunner

    from metdash.cli import main
    from metdash.demo import generate
    from metdash.store import Database

    path = tmp_path / "demo.duckdb"
    generate(Database(path), claim_lines=300)
    result = CliRunner().invoke(main, ["user", "add", "--db", str(path), "--role", "owner",
                                       "olive", "--password-stdin"],
                                input="Xk9#pLm2vQ7!zT\n")
    assert result.exit_code == 1
    assert "is the synthetic demo" in result.output and "Traceback" not in result.output
    assert Database(path).scalar("SELECT count(*) FROM users") == 0
