"""Every date field shows dates as the messages, tables and downloads write them: YYYY-MM-DD.

Found by a new-user trial (stop 32): date fields showed ``2026/12/04`` (Streamlit's default
format) while a refusal said "enter it as YYYY-MM-DD" and every table showed 2026-12-04.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[2]


def _date_inputs() -> list[tuple[str, int, ast.Call]]:
    found = []
    for path in [*sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "metdash").rglob("*.py")),
                 ROOT / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "date_input"):
                found.append((str(path.relative_to(ROOT)), node.lineno, node))
    return found


def test_every_date_field_uses_iso_dates():
    calls = _date_inputs()
    assert len(calls) >= 20  # the forms' date fields, the sidebar's range, the audit log's
    wrong = [f"{path}:{line}" for path, line, call in calls
             if not any(k.arg == "format" and isinstance(k.value, ast.Constant)
                        and k.value.value == "YYYY-MM-DD" for k in call.keywords)]
    assert wrong == []
