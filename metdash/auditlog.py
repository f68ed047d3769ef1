"""Reading the audit log (every create, change, status move, void, import and sign-in)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

from metdash.store import Database


def audit_entries(db: Database, *, users: Sequence[str] = (), tables: Sequence[str] = (),
                  actions: Sequence[str] = (), date_from: dt.date | None = None,
                  date_to: dt.date | None = None, limit: int | None = None) -> pd.DataFrame:
    """Audit rows, newest first, filtered by user names, tables, actions and an inclusive
    range of days (on ``changed_at``).

    Columns: audit_id, changed_at (timestamp, local time), user_name, action, table_name,
    record_key, before and after (JSON text; NULL when there was no before / after).
    """
    where, params = [], []
    for column, values in (("user_name", users), ("table_name", tables), ("action", actions)):
        if values:
            where.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    if date_from is not None:
        where.append("changed_at >= ?")
        params.append(dt.datetime.combine(date_from, dt.time()))
    if date_to is not None:
        where.append("changed_at < ?")
        params.append(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()))
    sql = ("SELECT audit_id, changed_at, user_name, action, table_name, record_key,"
           " CAST(before AS VARCHAR) AS before, CAST(after AS VARCHAR) AS after"
           " FROM audit_log")
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY audit_id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return db.query(sql, params)


def readable(value: Any) -> str:
    """An audit row's before / after (JSON text) as a person reads it: "status: draft ·
    note: resent"; "—" when there was none (a create has no before). Text that is not a JSON
    object is shown as it is."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    try:
        data = json.loads(value)
    except (TypeError, ValueError):
        return str(value)
    if not isinstance(data, dict):
        return str(value)
    if not data:
        return "—"
    return " · ".join(f"{k}: {'—' if v is None else v}" for k, v in data.items())


def audit_choices(db: Database) -> dict[str, list[str]]:
    """The distinct user names, tables and actions in the log (for filter boxes), and the
    first and last day: ``{"users": [...], "tables": [...], "actions": [...],
    "first": date|None, "last": date|None}``."""
    out: dict = {}
    for key, column in (("users", "user_name"), ("tables", "table_name"),
                        ("actions", "action")):
        frame = db.query(f"SELECT DISTINCT {column} AS v FROM audit_log ORDER BY 1")
        out[key] = [str(v) for v in frame.v]
    span = db.query("SELECT min(changed_at)::DATE AS first, max(changed_at)::DATE AS last"
                    " FROM audit_log")
    first, last = span["first"].iloc[0], span["last"].iloc[0]
    out["first"] = None if pd.isna(first) else pd.Timestamp(first).date()
    out["last"] = None if pd.isna(last) else pd.Timestamp(last).date()
    return out
