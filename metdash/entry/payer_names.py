"""A payer's other names and ids on its 835s (migration 0022).

An 835 names its payer in N1*PR and identifies it by REF*2U, N104 or TRN03. A Medicare
contractor writes "NORIDIAN JF PART B" for the practice's "Medicare Part B", and its ids need
not be the clearinghouse payer id the practice's 837Ps go to. The import finds a payer by its
own name and id, then by the names kept here (metdash.x12.post835); a file from a payer found
by none is refused, and the Remittances page (or ``metdash payer-name``) keeps whose it is.

A name is kept upper case with single spaces, the way 835s write names; it belongs to one
payer, and is never another payer's own name or clearinghouse payer id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from metdash.entry.problems import Problem, blank, fetch_one
from metdash.errors import ValidationError
from metdash.store import Database, audit, next_id
from metdash.text import text_problem

__all__ = ["add_remittance_name", "add_remittance_names", "remittance_key",
           "remittance_names", "remove_remittance_name"]


def remittance_key(text: object) -> str:
    """A name or id as kept and compared: upper case, single spaces."""
    return " ".join(str(text or "").split()).upper()


def remittance_names(db: Database) -> pd.DataFrame:
    """The names kept, by payer: name_id, payer, remittance_name, user_name, created_at."""
    return db.query("""
        SELECT n.name_id, p.name AS payer, n.remittance_name, n.user_name, n.created_at
        FROM payer_remittance_names n JOIN payers p USING (payer_id)
        ORDER BY p.name, n.remittance_name""")


def _problems(con: Any, payer_id: int, name: str) -> list[Problem]:
    payer = fetch_one(con, "SELECT name FROM payers WHERE payer_id = ?", [payer_id])
    if payer is None:
        return [Problem("Payer is not on file: choose a payer.", "payer_id")]
    if blank(name):
        return [Problem("The name or id is missing: copy it from the 835 (its payer's N1*PR "
                        "name, or its REF*2U, N104 or TRN03 id), as the refusal names it.",
                        "remittance_name")]
    said = text_problem(name, "The name or id", "org_name")
    if said:
        return [Problem(said, "remittance_name")]
    key = remittance_key(name)
    own = fetch_one(con, "SELECT name FROM payers WHERE upper(name) = ? OR "
                    "upper(clearinghouse_payer_id) = ?", [key, key])
    if own is not None:
        return [Problem(f"{key!r} is the name or clearinghouse payer id of {own['name']} "
                        "itself: its 835s are found by it already.", "remittance_name")]
    kept = fetch_one(con, "SELECT p.name FROM payer_remittance_names n JOIN payers p "
                     "USING (payer_id) WHERE n.remittance_name = ?", [key])
    if kept is not None:
        return [Problem(f"{key!r} is kept already, for {kept['name']}"
                        + ("." if kept["name"] == payer["name"] else
                           ": remove it there first if its 835s are another payer's."),
                        "remittance_name")]
    return []


def add_remittance_name(db: Database, payer_id: int, name: str, user: str) -> str:
    """Keep ``name`` as another name or id of the payer's 835s (an audit row); the name as
    kept. Refused with what to do when it is blank, too long, or names another payer."""
    return add_remittance_names(db, payer_id, [name], user)[0]


def add_remittance_names(db: Database, payer_id: int, names: Iterable[str], user: str
                         ) -> list[str]:
    """:func:`add_remittance_name` for several names at once: all kept, or none (every
    problem said)."""
    names = list(dict.fromkeys(names))
    if not names:
        raise ValidationError([Problem("No name or id is chosen: keep at least the 835's "
                                       "payer name.", "remittance_name")])
    with db.transaction() as con:
        problems = [m for n in names for m in _problems(con, payer_id, n)]
        if problems:
            raise ValidationError(problems)
        kept = []
        for name in names:
            key = remittance_key(name)
            if key in kept:
                continue
            name_id = next_id(con, "payer_remittance_names", "name_id")
            values = {"payer_id": payer_id, "remittance_name": key, "user_name": user}
            con.execute("INSERT INTO payer_remittance_names (name_id, payer_id, "
                        "remittance_name, user_name) VALUES (?, ?, ?, ?)",
                        [name_id, payer_id, key, user])
            audit(con, user, "create", "payer_remittance_names", name_id, None, values)
            kept.append(key)
    return kept


def remove_remittance_name(db: Database, name_id: int, user: str) -> None:
    """Forget one kept name (an audit row). Remittances imported under it stay as they are."""
    with db.transaction() as con:
        row = fetch_one(con, "SELECT * FROM payer_remittance_names WHERE name_id = ?",
                        [name_id])
        if row is None:
            raise ValidationError([Problem("That name is not kept (removed already?).",
                                           "name_id")])
        con.execute("DELETE FROM payer_remittance_names WHERE name_id = ?", [name_id])
        audit(con, user, "delete", "payer_remittance_names", name_id, row, None)
