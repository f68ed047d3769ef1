"""Commands that take seconds say what they are doing on a terminal (issue 17, item 15),
on standard error, and say nothing extra when their output goes to a pipe or a script."""

from __future__ import annotations

import io

import click

from metdash.cli import app


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_shown_on_a_terminal_only(monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr(click, "get_text_stream", lambda name: terminal)
    monkeypatch.setattr(click.utils, "_default_text_stderr", lambda: terminal)
    app.progress("Drawing the charts…")
    assert "Drawing the charts…" in terminal.getvalue()
    piped = io.StringIO()
    monkeypatch.setattr(click, "get_text_stream", lambda name: piped)
    app.progress("Drawing the charts…")
    assert piped.getvalue() == ""


def test_the_weekly_report_says_what_it_is_doing(small_db_path, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from metdash.cli import main
    from metdash.cli import report as report_cli

    said: list[str] = []
    monkeypatch.setattr(report_cli, "progress", said.append)
    out = tmp_path / "week.pdf"
    result = CliRunner().invoke(main, ["report", "weekly", "--db", str(small_db_path),
                                       "--week", "2025-03-24", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert said == ["Reading the week's referrals, sessions and payments…",
                    f"Writing {out} (drawing the charts takes a few seconds)…"]
    assert not any("Reading" in line for line in result.output.splitlines())  # not a tty
