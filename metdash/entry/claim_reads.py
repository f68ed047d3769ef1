"""What the claim rules read from the store, asked one question at a time or for a batch.

:func:`metdash.entry.check_claim` asks its questions (is the client on file, the payer's
rules, what the client already has billed on each date, the coverage active on a date, ...)
through a reads object. :class:`StoreReads` asks the store, one small query per question:
right for a form, which checks one claim. :class:`BatchReads` reads everything a batch of
claims can ask about in a few queries up front and answers from memory; the claims the batch
accepts are added with :meth:`BatchReads.add_claim` so the next claims of the batch see them
as they would see them on file (the spreadsheet import checks thousands of claims, and a
query costs milliseconds: 30 of them a claim made an import of 10,000 rows take minutes).
Both answer every question the same way; the tests check a batch against the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from metdash.coding import CptCode, known_codes
from metdash.entry.days import (
    BilledCode,
    DaySession,
    HoldingClaim,
    billed_session_ids,
    billed_units,
    day_sessions,
    holding_claim,
)
from metdash.entry.problems import fetch_one, fetch_rows
from metdash.entry.sessions import active_coverage

__all__ = ["BatchReads", "StoreReads"]

_PRIORITY = {"primary": 1, "secondary": 2}


class StoreReads:
    """The claim rules' questions, each one query on ``con`` (inside its transaction)."""

    def __init__(self, con: Any) -> None:
        self.con = con

    def claim_on_file(self, claim_id: str) -> bool:
        return fetch_one(self.con, "SELECT 1 FROM claims WHERE claim_id = ?", [claim_id]) \
            is not None

    def client_on_file(self, client_id: str) -> bool:
        return fetch_one(self.con, "SELECT 1 FROM clients WHERE client_id = ?",
                         [client_id]) is not None

    def payer(self, payer_id: int) -> dict[str, Any] | None:
        return fetch_one(self.con, "SELECT * FROM payers WHERE payer_id = ?", [payer_id])

    def provider_on_file(self, provider_id: int) -> bool:
        return fetch_one(self.con, "SELECT 1 FROM providers WHERE provider_id = ?",
                         [provider_id]) is not None

    def referrer_on_file(self, referrer_id: int) -> bool:
        return fetch_one(self.con, "SELECT 1 FROM referrers WHERE referrer_id = ?",
                         [referrer_id]) is not None

    def known_codes(self) -> dict[str, CptCode]:
        return known_codes(self.con)

    def fees(self) -> dict[str, Decimal]:
        """The practice's charge per code."""
        return {r[0]: r[1] for r in
                self.con.execute("SELECT cpt, charge FROM fee_schedule").fetchall()}

    def billed_pairs(self, client_id: str, claim_id: str) -> dict[tuple[dt.date, str], str]:
        """(date, code) -> the first other non-voided claim of the client billing it."""
        return {(day, code): other for day, code, other in self.con.execute(
            "SELECT l.service_date, l.cpt, min(c.claim_id) FROM claim_lines l JOIN claims c "
            "USING (claim_id) WHERE c.client_id = ? AND c.status <> 'voided' AND "
            "c.claim_id <> ? GROUP BY ALL", [client_id, claim_id]).fetchall()}

    def holding_claim(self, claim_id: str, day: dt.date, code: str) -> HoldingClaim:
        """The claim ``claim_id`` that :meth:`billed_pairs` named for (``day``, ``code``): its
        status, frequency, submitted date and whether it bills anything else."""
        return holding_claim(self.con, claim_id, day, code)

    def coverage_on(self, client_id: str, day: dt.date, payer_id: int,
                    coverage_id: int | None) -> dict[str, Any] | None:
        """The coverage ``coverage_id`` (of this client and payer) when given, else the
        client's coverage with the payer: active on ``day``; None when there is none."""
        if coverage_id is None:
            return active_coverage(self.con, client_id, day, payer_id)
        return fetch_one(
            self.con, "SELECT * FROM coverages WHERE coverage_id = ? AND client_id = ? "
            "AND payer_id = ? AND effective_date <= ? AND (end_date IS NULL OR "
            "end_date >= ?)", [coverage_id, client_id, payer_id, day, day])

    def referral(self, referral_id: int) -> dict[str, Any] | None:
        return fetch_one(self.con, "SELECT * FROM referrals WHERE referral_id = ?",
                         [referral_id])

    def visits_used(self, referral_id: int, claim_id: str, dates: Collection[dt.date]) -> int:
        """Dates of service billed on the referral's other non-voided claims, but ``dates``."""
        return fetch_one(
            self.con, "SELECT count(DISTINCT l.service_date) AS n FROM claim_lines l "
            "JOIN claims c USING (claim_id) WHERE c.referral_id = ? AND "
            "c.status <> 'voided' AND c.claim_id <> ? AND l.service_date NOT IN "
            "(SELECT unnest(?::DATE[]))", [referral_id, claim_id, sorted(set(dates))])["n"]

    def kx_threshold(self, year: int) -> dict[str, Any] | None:
        return fetch_one(self.con, "SELECT year, threshold, review_threshold FROM "
                         "kx_thresholds WHERE year <= ? ORDER BY year DESC LIMIT 1", [year])

    def payer_allowed(self, payer_id: int) -> dict[str, Decimal]:
        """The payer's allowed amount per code (its fee schedule)."""
        return {r[0]: Decimal(r[1]) for r in self.con.execute(
            "SELECT cpt, allowed_amount FROM payer_fee_schedule WHERE payer_id = ?",
            [payer_id]).fetchall()}

    def medicare_allowed_ytd(self, client_id: str, year: int,
                             exclude_claim: str | None = None) -> Decimal:
        row = fetch_one(self.con, """
            SELECT coalesce(sum(coalesce(pf.allowed_amount * l.units, l.charge)), 0) AS total
            FROM claim_lines l JOIN claims c USING (claim_id) JOIN payers p USING (payer_id)
            LEFT JOIN payer_fee_schedule pf ON pf.payer_id = c.payer_id AND pf.cpt = l.cpt
            WHERE c.client_id = ? AND p.payer_type = 'medicare' AND c.status <> 'voided'
              AND year(l.service_date) = ? AND c.claim_id <> ?
              AND l.cpt LIKE '97%'""", [client_id, year, exclude_claim or ""])
        return Decimal(row["total"]) if row else Decimal("0")

    def day_sessions(self, client_id: str, dates: Collection[dt.date]
                     ) -> dict[dt.date, list[DaySession]]:
        return day_sessions(self.con, client_id, dates)

    def billed_units(self, client_id: str, dates: Collection[dt.date],
                     exclude_claim: str | None = None) -> dict[dt.date, dict[str, BilledCode]]:
        return billed_units(self.con, client_id, dates, exclude_claim)


@dataclass
class _Line:
    """A line of a non-voided claim, as the rules count it."""

    claim_id: str
    client_id: str
    payer_id: int
    referral_id: int | None
    service_date: dt.date
    cpt: str
    units: int
    charge: Decimal


class BatchReads(StoreReads):
    """The answers for a batch of new claims of ``client_ids`` (ids ``claim_ids``), read in a
    few queries: the payers, providers, referrers, codes, fees and thresholds; those
    clients' coverages, referrals, sessions and the lines of their non-voided claims.

    Records the batch itself adds must be told: :meth:`add_claim` (a claim accepted, before
    the next is checked), :meth:`add_client`, :meth:`add_coverage`, :meth:`add_referral`,
    :meth:`add_payer` / :meth:`add_provider` / :meth:`add_referrer`. Meant for new claims:
    a claim of the batch already on file is answered as if it were not in the batch."""

    def __init__(self, con: Any, client_ids: Iterable[str], claim_ids: Iterable[str]) -> None:
        super().__init__(con)
        clients = sorted(set(client_ids))
        ids = sorted(set(claim_ids))
        self._claims = {r[0] for r in con.execute(
            "SELECT claim_id FROM claims WHERE claim_id IN (SELECT unnest(?::VARCHAR[]))",
            [ids]).fetchall()}
        self._clients = {r[0] for r in con.execute(
            "SELECT client_id FROM clients WHERE client_id IN (SELECT unnest(?::VARCHAR[]))",
            [clients]).fetchall()}
        self._payers = {r["payer_id"]: r for r in fetch_rows(con, "SELECT * FROM payers")}
        self._providers = {r[0] for r in con.execute(
            "SELECT provider_id FROM providers").fetchall()}
        self._referrers = {r[0] for r in con.execute(
            "SELECT referrer_id FROM referrers").fetchall()}
        self._known = known_codes(con)
        self._fees = super().fees()
        self._kx = fetch_rows(con, "SELECT year, threshold, review_threshold FROM "
                              "kx_thresholds ORDER BY year")
        self._allowed: dict[int, dict[str, Decimal]] = {}
        for payer_id, cpt, allowed in con.execute(
                "SELECT payer_id, cpt, allowed_amount FROM payer_fee_schedule").fetchall():
            self._allowed.setdefault(payer_id, {})[cpt] = allowed
        self._coverages: dict[str, list[dict[str, Any]]] = {}
        for r in fetch_rows(con, "SELECT c.*, p.name AS payer_name, p.units_rule, "
                            "p.payer_type FROM coverages c JOIN payers p USING (payer_id) "
                            "WHERE c.client_id IN (SELECT unnest(?::VARCHAR[]))", [clients]):
            self._coverages.setdefault(r["client_id"], []).append(r)
        self._referrals = {r["referral_id"]: r for r in fetch_rows(
            con, "SELECT * FROM referrals WHERE client_id IN (SELECT unnest(?::VARCHAR[]))",
            [clients])}
        self._by_client: dict[str, list[_Line]] = {}
        self._by_referral: dict[int, list[_Line]] = {}
        self._by_claim: dict[str, list[_Line]] = {}
        # What each of those claims is now (status, frequency, submitted date): a date and
        # code one holds is refused with what frees it, by that (freeing_the_day).
        self._held: dict[str, tuple[str, str, dt.date | None]] = {}
        for *row, status, freq, sent in con.execute("""
                SELECT c.claim_id, c.client_id, c.payer_id, c.referral_id, l.service_date,
                       l.cpt, l.units, l.charge, c.status, c.frequency_code, c.submitted_date
                FROM claim_lines l JOIN claims c USING (claim_id)
                WHERE c.status <> 'voided'
                  AND (c.client_id IN (SELECT unnest(?::VARCHAR[]))
                       OR c.referral_id IN (SELECT unnest(?::INTEGER[])))""",
                               [clients, sorted(self._referrals)]).fetchall():
            self._add_line(_Line(*row))
            self._held[row[0]] = (status, freq or "1", sent)
        self._sessions: dict[str, dict[dt.date, list[DaySession]]] = {}
        rows = fetch_rows(con, """
            SELECT s.client_id, s.session_id, s.session_date, s.provider_id,
                   list(m.cpt ORDER BY m.cpt) FILTER (WHERE m.cpt IS NOT NULL) AS cpts,
                   list(m.minutes ORDER BY m.cpt) FILTER (WHERE m.cpt IS NOT NULL) AS minutes
            FROM sessions s LEFT JOIN session_minutes m USING (session_id)
            WHERE s.client_id IN (SELECT unnest(?::VARCHAR[]))
            GROUP BY ALL ORDER BY s.session_date, s.session_id""", [clients])
        billed = billed_session_ids(con, [r["session_id"] for r in rows])
        for r in rows:
            minutes = dict(zip(r["cpts"] or [], r["minutes"] or [], strict=True))
            self._sessions.setdefault(r["client_id"], {}).setdefault(
                r["session_date"], []).append(DaySession(
                    r["session_id"], r["session_date"], r["provider_id"], minutes,
                    r["session_id"] in billed))

    # -- what the batch adds -----------------------------------------------------------
    def _add_line(self, line: _Line) -> None:
        self._by_client.setdefault(line.client_id, []).append(line)
        self._by_claim.setdefault(line.claim_id, []).append(line)
        if line.referral_id is not None:
            self._by_referral.setdefault(line.referral_id, []).append(line)

    def add_claim(self, claim_id: str, client_id: str, payer_id: int,
                  referral_id: int | None,
                  lines: Sequence[tuple[dt.date, str, int, Decimal]]) -> None:
        """A claim the batch accepted (non-voided): its lines ``(date, code, units,
        charge)``."""
        self._claims.add(claim_id)
        for day, cpt, units, charge in lines:
            self._add_line(_Line(claim_id, client_id, payer_id, referral_id, day, cpt,
                                 int(units), Decimal(charge)))

    def add_client(self, client_id: str) -> None:
        self._clients.add(client_id)

    def add_coverage(self, row: dict[str, Any]) -> None:
        """A coverage written by the batch, as a row of coverages (its payer on file)."""
        payer = self._payers[row["payer_id"]]
        self._coverages.setdefault(row["client_id"], []).append(
            {**row, "payer_name": payer["name"], "units_rule": payer["units_rule"],
             "payer_type": payer["payer_type"]})

    def add_referral(self, row: dict[str, Any]) -> None:
        """A referral written by the batch, as a row of referrals."""
        self._referrals[row["referral_id"]] = row

    def add_payer(self, payer_id: int) -> None:
        row = super().payer(payer_id)
        if row is not None:
            self._payers[payer_id] = row

    def add_provider(self, provider_id: int) -> None:
        self._providers.add(provider_id)

    def add_referrer(self, referrer_id: int) -> None:
        self._referrers.add(referrer_id)

    # -- what the rules ask ------------------------------------------------------------
    def claim_on_file(self, claim_id: str) -> bool:
        return claim_id in self._claims

    def client_on_file(self, client_id: str) -> bool:
        return client_id in self._clients

    def payer(self, payer_id: int) -> dict[str, Any] | None:
        return self._payers.get(payer_id)

    def payer_names(self) -> list[str]:
        """Every payer's name on file."""
        return [p["name"] for p in self._payers.values()]

    def payer_named(self, name: str) -> dict[str, Any] | None:
        """The payer on file whose name is ``name`` (case ignored)."""
        key = name.strip().lower()
        return next((p for p in self._payers.values() if p["name"].lower() == key), None)

    def provider_on_file(self, provider_id: int) -> bool:
        return provider_id in self._providers

    def referrer_on_file(self, referrer_id: int) -> bool:
        return referrer_id in self._referrers

    def known_codes(self) -> dict[str, CptCode]:
        return self._known

    def fees(self) -> dict[str, Decimal]:
        return self._fees

    def billed_pairs(self, client_id: str, claim_id: str) -> dict[tuple[dt.date, str], str]:
        found: dict[tuple[dt.date, str], str] = {}
        for ln in self._by_client.get(client_id, ()):
            if ln.claim_id != claim_id:
                key = (ln.service_date, ln.cpt)
                if key not in found or ln.claim_id < found[key]:
                    found[key] = ln.claim_id
        return found

    def holding_claim(self, claim_id: str, day: dt.date, code: str) -> HoldingClaim:
        """As the store answers; a claim the batch added is not on file (``on_file``
        False: it is written with the batch, or not at all)."""
        else_ = any((ln.service_date, ln.cpt) != (day, code)
                    for ln in self._by_claim.get(claim_id, ()))
        if claim_id not in self._held:
            return HoldingClaim(claim_id, "", bills_else=else_, on_file=False)
        status, freq, sent = self._held[claim_id]
        return HoldingClaim(claim_id, status, freq, sent, else_)

    def coverages_of(self, client_id: str) -> list[dict[str, Any]]:
        """The client's coverages (with their payer's name, units rule and type)."""
        return self._coverages.get(client_id, [])

    def coverage_on(self, client_id: str, day: dt.date, payer_id: int,
                    coverage_id: int | None) -> dict[str, Any] | None:
        active = [c for c in self._coverages.get(client_id, ())
                  if c["payer_id"] == payer_id and c["effective_date"] <= day
                  and (c["end_date"] is None or c["end_date"] >= day)
                  and (coverage_id is None or c["coverage_id"] == coverage_id)]
        if not active:
            return None
        return min(active, key=lambda c: (_PRIORITY.get(c["priority"], 3), -c["coverage_id"]))

    def referral(self, referral_id: int) -> dict[str, Any] | None:
        if referral_id not in self._referrals:  # another client's: asked of the store
            row = super().referral(referral_id)
            if row is None:
                return None
            self._referrals[referral_id] = row
        return self._referrals[referral_id]

    def referrals_of(self, client_id: str) -> list[dict[str, Any]]:
        return [r for r in self._referrals.values() if r["client_id"] == client_id]

    def visits_used(self, referral_id: int, claim_id: str, dates: Collection[dt.date]) -> int:
        skip = set(dates)
        return len({ln.service_date for ln in self._by_referral.get(referral_id, ())
                    if ln.claim_id != claim_id and ln.service_date not in skip})

    def kx_threshold(self, year: int) -> dict[str, Any] | None:
        return next((r for r in reversed(self._kx) if r["year"] <= year), None)

    def payer_allowed(self, payer_id: int) -> dict[str, Decimal]:
        return {cpt: Decimal(a) for cpt, a in self._allowed.get(payer_id, {}).items()}

    def medicare_allowed_ytd(self, client_id: str, year: int,
                             exclude_claim: str | None = None) -> Decimal:
        total = Decimal("0")
        for ln in self._by_client.get(client_id, ()):
            payer = self._payers.get(ln.payer_id)
            if (payer is None or payer["payer_type"] != "medicare"
                    or ln.service_date.year != year or ln.claim_id == (exclude_claim or "")
                    or not ln.cpt.startswith("97")):
                continue
            allowed = self._allowed.get(ln.payer_id, {}).get(ln.cpt)
            total += allowed * ln.units if allowed is not None else ln.charge
        return total

    def day_sessions(self, client_id: str, dates: Collection[dt.date]
                     ) -> dict[dt.date, list[DaySession]]:
        mine = self._sessions.get(client_id, {})
        return {d: mine[d] for d in sorted(set(dates)) if d in mine}

    def billed_units(self, client_id: str, dates: Collection[dt.date],
                     exclude_claim: str | None = None) -> dict[dt.date, dict[str, BilledCode]]:
        days = set(dates)
        found: dict[dt.date, dict[str, BilledCode]] = {}
        for ln in self._by_client.get(client_id, ()):
            if ln.service_date in days and ln.claim_id != (exclude_claim or ""):
                codes = found.setdefault(ln.service_date, {})
                had = codes.get(ln.cpt)
                codes[ln.cpt] = BilledCode(ln.units, ln.claim_id) if had is None else \
                    BilledCode(had.units + ln.units, min(had.claim_id, ln.claim_id))
        return found
