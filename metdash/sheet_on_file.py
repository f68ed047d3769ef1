"""A claims spreadsheet's claims already on file: the same claim again (skipped), or the
same claim id with other content (refused at every row and column that differ)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from metdash import entry as e

__all__ = ["claims_on_file", "difference"]


def claims_on_file(con: Any, claim_ids: Sequence[str]
                   ) -> dict[str, tuple[str, int, list[dict[str, Any]]]]:
    """Claims on file among ``claim_ids``: id -> (client, payer, lines in order), one query."""
    found: dict[str, tuple[str, int, list[dict[str, Any]]]] = {}
    if not claim_ids:
        return found
    for r in e.fetch_rows(con, "SELECT c.claim_id, c.client_id, c.payer_id, l.service_date, "
                          "l.cpt, l.units, l.charge, l.modifiers, l.place_of_service "
                          "FROM claims c JOIN claim_lines l "
                          "USING (claim_id) WHERE c.claim_id IN (SELECT unnest(?::VARCHAR[])) "
                          "ORDER BY c.claim_id, l.line_no", [list(claim_ids)]):
        head = found.setdefault(r["claim_id"], (r["client_id"], r["payer_id"], []))
        head[2].append({"service_date": r["service_date"], "cpt": r["cpt"], "units": r["units"],
                        "charge": r["charge"], "modifiers": list(r["modifiers"]),
                        "place_of_service": r["place_of_service"]})
    return found


def difference(on_file: tuple[str, int, list[dict[str, Any]]], rs: Sequence[Any],
               payer_id: int, lines: Sequence[e.ClaimLineIn]) -> list[tuple[int, str, str]]:
    """Every place the rows of a claim differ from the claim on file -- its client, payer
    or lines -- as (row, column, what), for the refusal; empty when they are the same claim.
    (A trial changed one line's charge on a claim's second row and was told "row 12,
    claim_id", the claim's first row, with no column; a corrected re-export was then told
    only its first difference, and found the next one at the next try.)"""
    client_id, on_file_payer, theirs = on_file
    first = rs[0]
    found: list[tuple[int, str, str]] = []
    if client_id != str(first.values["client_id"]).strip():
        found.append((first.n, "client_id", f"client {client_id} on file"))
    if on_file_payer != payer_id:
        found.append((first.n, "payer_name", "another payer on file"))

    columns = ("service_date", "cpt", "units", "charge", "modifiers", "place_of_service")

    def key(line: dict[str, Any]) -> tuple[Any, ...]:
        return (str(line["service_date"]), line["cpt"], line["units"], line["charge"],
                tuple(line["modifiers"]), line["place_of_service"])

    # The same lines in another order (an export sorted otherwise) are the same lines.
    if sorted(map(key, theirs)) == sorted(
            key({c: getattr(ln, c) for c in columns}) for ln in lines):
        return found
    for r, ln, (no, old) in zip(rs, lines, _paired(theirs, lines), strict=False):
        for column in columns:
            ours = getattr(ln, column)
            if (list(ours) if column == "modifiers" else ours) != old[column]:
                shown = ":".join(old[column]) if column == "modifiers" else old[column]
                found.append((r.n, column, f"{shown or 'none'} on file for its line {no}"))
    if len(lines) != len(theirs):
        found.append((rs[-1].n, "claim_id", f"{len(theirs)} line(s) on file, {len(lines)} here"))
    return found


def _paired(theirs: list[dict[str, Any]], lines: Sequence[e.ClaimLineIn]
            ) -> list[tuple[int, dict[str, Any]]]:
    """The line on file (its number from 1, the line) each of ``lines`` is compared with:
    the one of the same day and code when the file has each of those once more or less as
    the claim on file does (an export sorted otherwise, one charge changed), else the line
    in the same place."""
    day_code = [(str(old["service_date"]), old["cpt"]) for old in theirs]
    ours = [(str(ln.service_date), ln.cpt) for ln in lines]
    if sorted(day_code) != sorted(ours):
        return list(enumerate(theirs, start=1))
    free = list(range(len(theirs)))
    pairs = []
    for dc in ours:
        k = next(i for i in free if day_code[i] == dc)
        free.remove(k)
        pairs.append((k + 1, theirs[k]))
    return pairs
