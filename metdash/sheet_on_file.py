"""A claims spreadsheet's claims already on file: the same claim again (skipped), or the
same claim id with other content (refused at the row and column that differ first)."""

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
               payer_id: int, lines: Sequence[e.ClaimLineIn]) -> tuple[int, str, str] | None:
    """Where the rows of a claim first differ from the claim on file -- its client, payer
    or lines -- as (row, column, what), for the refusal; None when they are the same claim.
    (A trial changed one line's charge on a claim's second row and was told "row 12,
    claim_id", the claim's first row, with no column.)"""
    client_id, on_file_payer, theirs = on_file
    first = rs[0]
    if client_id != str(first.values["client_id"]).strip():
        return first.n, "client_id", f"client {client_id} on file"
    if on_file_payer != payer_id:
        return first.n, "payer_name", "another payer on file"

    def key(line: dict[str, Any]) -> tuple[Any, ...]:
        return (str(line["service_date"]), line["cpt"], line["units"], line["charge"],
                tuple(line["modifiers"]), line["place_of_service"])

    if sorted(map(key, theirs)) == sorted(key({c: getattr(ln, c) for c in (
            "service_date", "cpt", "units", "charge", "modifiers", "place_of_service")})
            for ln in lines):
        return None  # the same lines, in another order (an export sorted otherwise)
    for no, (r, ln, old) in enumerate(zip(rs, lines, theirs, strict=False), start=1):
        for column in ("service_date", "cpt", "units", "charge", "modifiers",
                       "place_of_service"):
            ours = getattr(ln, column)
            if (list(ours) if column == "modifiers" else ours) != old[column]:
                shown = ":".join(old[column]) if column == "modifiers" else old[column]
                return r.n, column, f"{shown or 'none'} on file for its line {no}"
    if len(lines) != len(theirs):
        return rs[-1].n, "claim_id", f"{len(theirs)} line(s) on file, {len(lines)} here"
    return None
