"""Every command records the same user in the audit log (a new-user trial found import-claims
writing 'root' and import-835 'cli' for the same person, with $USER unset)."""

from __future__ import annotations

import ast
import getpass
from pathlib import Path

import pytest

from metdash.cli.app import cli_user

CLI = Path(__file__).resolve().parents[2] / "metdash" / "cli"


def test_user_is_user_then_the_login_name(monkeypatch):
    monkeypatch.setenv("USER", "olive")
    assert cli_user() == "olive"
    monkeypatch.delenv("USER")
    assert cli_user() == (getpass.getuser() or "cli")
    monkeypatch.setattr(getpass, "getuser", lambda: (_ for _ in ()).throw(KeyError("uid")))
    assert cli_user() == "cli"


@pytest.mark.parametrize("path", sorted(p for p in CLI.glob("*.py") if p.name != "app.py"),
                         ids=lambda p: p.name)
def test_no_command_reads_the_user_itself(path):
    """One rule (metdash.cli.app.cli_user): no other module of the CLI reads $USER or the
    login name on its own."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    texts = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
             and isinstance(n.value, str)}
    names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert "USER" not in texts and "getuser" not in names
