"""Claims written: new claim ids, saving a checked claim, building one from sessions, and
moving a claim through its statuses (see :data:`TRANSITIONS`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from metdash.coding import (
    billable_units,
    day_minutes,
    known_codes,
    normalize_cpt,
    normalize_icd10,
    parse_modifiers,
    remaining_units,
    required_modifiers,
    untimed_codes,
)
from metdash.coding.pos import DEFAULT_POS, normalize_pos, with_telehealth_modifier
from metdash.entry.authorization import claim_authorization, ready_reason
from metdash.entry.claim_check import ClaimIn, ClaimLineIn, check_claim, kx_years, zero_charge
from metdash.entry.claim_reads import StoreReads
from metdash.entry.days import (
    DayShort,
    billed_session_ids,
    billed_units,
    covered_sessions,
    day_sessions,
    freeing_the_day,
    holding_claim,
    short_of_the_day,
    take_in_day_sessions,
    waiting_days,
    wrong_code_of_the_day,
)
from metdash.entry.problems import (
    CENT,
    Problem,
    as_date,
    as_money,
    blank,
    fetch_one,
    fetch_rows,
    text_field,
    today,
)
from metdash.entry.sessions import active_coverage
from metdash.errors import ValidationError
from metdash.store import Database, audit, audit_many, facts, insert_rows

__all__ = [
    "STATUSES", "TRANSITIONS", "SessionsBilled", "add_claim_status", "bill_sessions",
    "build_claim_from_sessions",
    "move_claim_status", "new_claim_id", "save_claim", "take_in_sessions_of_claims",
    "write_claim", "write_claims",
]

STATUSES = ("draft", "ready", "submitted", "paid", "partially_paid", "denied", "appealed",
            "closed", "voided")
# Allowed claim status moves (nothing is deleted; a claim is voided instead).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("ready", "voided"),
    "ready": ("draft", "submitted", "voided"),
    "submitted": ("paid", "partially_paid", "denied", "voided"),
    "paid": ("closed", "partially_paid", "denied"),
    "partially_paid": ("paid", "denied", "appealed", "closed"),
    "denied": ("appealed", "ready", "submitted", "paid", "partially_paid", "closed"),
    "appealed": ("paid", "partially_paid", "denied", "closed"),
    "closed": (),
    "voided": (),
}


def new_claim_id(con: Any, on: dt.date | None = None) -> str:
    """A fresh claim number 'MD' + YYMMDD + '-' + a 3-digit sequence for the day."""
    on = on or today()
    prefix = f"MD{on:%y%m%d}-"
    n = 1
    rows = fetch_rows(con, "SELECT claim_id FROM claims WHERE claim_id LIKE ?", [prefix + "%"])
    used = {r["claim_id"] for r in rows}
    while f"{prefix}{n:03d}" in used:
        n += 1
    return f"{prefix}{n:03d}"


def save_claim(db: Database, claim: ClaimIn, user: str, as_of: dt.date | None = None,
               status: str = "draft") -> list[Problem]:
    """Save a new claim (and its lines, a status-history row, audit rows); its warnings.

    A claim typed in by hand (no ``session_ids``) that bills a day's units takes in the
    client's sessions of that date not yet billed, as an edit does
    (:func:`metdash.entry.days.take_in_day_sessions`); short of the day's units, a warning
    per session says which code and how many units short.

    Raises ValidationError (with the warnings too) when the claim has any error.
    """
    with db.transaction() as con:
        chk = check_claim(con, claim, as_of)
        if chk.errors:
            raise ValidationError(chk.errors, chk.warnings)
        write_claim(con, claim, user, status, as_of)
        shorts = take_in_sessions_of_claims(con, [claim], user)
    return chk.warnings + [Problem(said, "sessions") for _, _, said in shorts]


def take_in_sessions_of_claims(con: Any, claims: Sequence[ClaimIn], user: str
                               ) -> list[tuple[str, DayShort, str]]:
    """Inside the caller's transaction, once ``claims`` are written: each claim not built
    from sessions (typed in by hand, imported) that bills a day's units takes in the
    client's sessions of that date not yet billed
    (:func:`metdash.entry.days.take_in_day_sessions`), or Bill sessions would offer them
    again (a second bill of the day). One query finds the days with such a session; only
    their claims are read further. What is left short: (claim id, the short, what to do),
    per session and code."""
    unnamed = [c for c in claims if not c.session_ids]  # built from sessions: names its own
    waiting = waiting_days(con, [(c.client_id, as_date(ln.service_date))
                                 for c in unnamed for ln in c.lines])
    shorts: list[tuple[str, DayShort, str]] = []
    for claim in unnamed:
        if not any((claim.client_id, as_date(ln.service_date)) in waiting for ln in claim.lines):
            continue
        cid = claim.claim_id.strip()
        cover = take_in_day_sessions(con, cid, claim.client_id, claim.payer_id, [
            (as_date(ln.service_date), normalize_cpt(ln.cpt), int(ln.units), ln.session_id)
            for ln in claim.lines], user)
        shorts += [(cid, s, short_of_the_day(s, cid, cover.rule)) for s in cover.short]
    return shorts


def write_claim(con: Any, claim: ClaimIn, user: str, status: str = "draft",
                as_of: dt.date | None = None) -> None:
    """Write an already checked claim inside the caller's transaction (with audit rows)."""
    write_claims(con, [(claim, status)], user, as_of)


CLAIM_COLUMNS = ("claim_id", "client_id", "payer_id", "coverage_id", "referral_id",
                 "referrer_id", "rendering_provider_id", "status", "diagnosis_codes",
                 "total_charge", "first_service_date", "submitted_date", "last_submitted_date",
                 "timely_filing_reason", "source")
LINE_COLUMNS = ("claim_id", "line_no", "service_date", "cpt", "modifiers", "units", "charge",
                "dx_pointers", "session_id", "place_of_service")


def write_claims(con: Any, claims: Sequence[tuple[ClaimIn, str]], user: str,
                 as_of: dt.date | None = None) -> None:
    """Write already checked claims, each with its status, inside the caller's transaction:
    the claims, their lines, sessions, first status-history rows and one audit row each,
    every table in one bulk insert (a query costs milliseconds; an import writes thousands
    of claims)."""
    as_of = as_of or today()
    heads, lines, sessions, history, audits = [], [], [], [], []
    for claim, status in claims:
        cid = claim.claim_id.strip()
        mine = []
        for i, line in enumerate(claim.lines, start=1):
            mine.append({"claim_id": cid, "line_no": i,
                         "service_date": as_date(line.service_date),
                         "cpt": normalize_cpt(line.cpt),
                         "modifiers": parse_modifiers(line.modifiers), "units": int(line.units),
                         "charge": as_money(line.charge),
                         "dx_pointers": [int(x) for x in line.dx_pointers],
                         "session_id": line.session_id,
                         "place_of_service": normalize_pos(line.place_of_service) or DEFAULT_POS})
        submitted = as_date(claim.submitted_date)
        first = min(ln["service_date"] for ln in mine)
        values = {"claim_id": cid, "client_id": claim.client_id, "payer_id": claim.payer_id,
                  "coverage_id": claim.coverage_id, "referral_id": claim.referral_id,
                  "referrer_id": claim.referrer_id,
                  "rendering_provider_id": claim.rendering_provider_id, "status": status,
                  "diagnosis_codes": [normalize_icd10(c) for c in claim.diagnosis_codes],
                  "total_charge": sum((ln["charge"] for ln in mine), Decimal("0.00")),
                  "first_service_date": first, "submitted_date": submitted,
                  "last_submitted_date": submitted,
                  "timely_filing_reason": None if blank(claim.timely_filing_reason)
                  else claim.timely_filing_reason.strip(),
                  "source": claim.source}
        if values["coverage_id"] is None:
            cov = active_coverage(con, claim.client_id, first, claim.payer_id)
            values["coverage_id"] = cov["coverage_id"] if cov else None
        ids = sorted({int(x) for x in claim.session_ids} |
                     {ln["session_id"] for ln in mine if ln["session_id"] is not None})
        if claim.session_ids:
            # Built from sessions: every session it bills, with a line of its own or not.
            sessions += [(cid, sid) for sid in ids]
        heads.append(tuple(values[c] for c in CLAIM_COLUMNS))
        lines += [tuple(ln[c] for c in LINE_COLUMNS) for ln in mine]
        audits.append(("create", "claims", cid, None,
                       {**values, "lines": mine,
                        **({"sessions": ids} if claim.session_ids else {})}))
        day = submitted if (status == "submitted" and submitted) else as_of
        history.append((cid, 1, status, day, user, f"created ({claim.source})"))
    insert_rows(con, "claims", CLAIM_COLUMNS, heads)
    insert_rows(con, "claim_lines", LINE_COLUMNS, lines)
    insert_rows(con, "claim_sessions", ("claim_id", "session_id"), sessions)
    audit_many(con, user, audits)
    insert_rows(con, "claim_status_history",
                ("claim_id", "seq", "status", "status_date", "changed_by", "note"), history)


def _chosen_sessions(con: Any, ids: list[int]) -> list[dict[str, Any]]:
    """The sessions chosen to bill (by date), when they can be billed together: raises
    ValidationError when none are chosen, some are not found, they are of several clients
    or providers, or some are already billed (every problem listed)."""
    if not ids:
        raise ValidationError([Problem("Sessions: none chosen: tick the sessions to bill.",
                                       "sessions")])
    sessions = fetch_rows(con, "SELECT * FROM sessions WHERE session_id IN "
                         "(SELECT unnest(?::INTEGER[])) ORDER BY session_date, session_id", [ids])
    p: list[Problem] = []
    if len(sessions) != len(set(ids)):
        p.append(Problem("Sessions: some were not found: refresh the list.", "sessions"))
    clients = {s["client_id"] for s in sessions}
    if len(clients) > 1:
        p.append(Problem("Sessions: they belong to different clients: bill one client's "
                         "sessions at a time.", "sessions"))
    providers = {s["provider_id"] for s in sessions}
    if len(providers) > 1:
        p.append(Problem("Sessions: they were given by different providers: bill each "
                         "provider's sessions on their own claim.", "sessions"))
    billed = sorted(billed_session_ids(con, ids))
    if billed:
        p.append(Problem("Sessions: " + ", ".join(str(b) for b in billed) +
                         " already billed: untick them.", "sessions"))
    if p or not sessions:
        raise ValidationError(p or [Problem("Sessions: none found.", "sessions")])
    return sessions


def build_claim_from_sessions(con: Any, session_ids: Sequence[int],
                              as_of: dt.date | None = None,
                              claim_id: str | None = None) -> ClaimIn:
    """A draft claim for unbilled sessions of one client, for the biller to review.

    Lines: one per date of service and billable code. Units count the client's whole day
    (the 8-minute rule, or the per-code rule, over all of that date's minutes: a 10-minute
    morning and a 10-minute afternoon 97110 are 1 unit), over these sessions and the
    client's sessions of the same dates already billed; units already on the client's other
    claims for a date are not billed again (:func:`metdash.coding.remaining_units`), so
    sessions of one day split over two claims never bill a unit twice. A line carries the
    session with the most minutes of its code; the claim names every session it bills
    (``session_ids``), so a session whose minutes only added to the day counts as billed.
    Charges from the fee schedule (units x fee), diagnoses and pointers from the referral
    (pointers 1..min(4, n)), modifiers where due (GP, 59 / XU, KX by the year's threshold).

    Raises ValidationError when the sessions cannot make one claim: different clients or
    providers, already billed, no coverage, nothing (more) to bill, or a code the day now
    bills more units of while another claim already holds it for that date (one date and
    code on two claims is denied as a duplicate: the message says what frees the day, by
    that claim's status: edit a draft, correct or void a claim the payer has).
    """
    as_of = as_of or today()
    ids = [int(s) for s in session_ids]
    sessions = _chosen_sessions(con, ids)
    client_id = sessions[0]["client_id"]
    p: list[Problem] = []
    first_day = sessions[0]["session_date"]
    # A line's place of service is its session's (the one with the most minutes of it).
    place = {s["session_id"]: s["place_of_service"] for s in sessions}
    cov = active_coverage(con, client_id, first_day)
    if cov is None:
        raise ValidationError([Problem(f"Coverage: client {client_id} has no coverage active on "
                                       f"{first_day}: add it on the Clients page.",
                                       "coverage_id")])
    referral_id = next((s["referral_id"] for s in sessions if s["referral_id"]), None)
    ref = None
    if referral_id is not None:
        ref = fetch_one(con, "SELECT * FROM referrals WHERE referral_id = ?", [referral_id])
    else:
        ref = fetch_one(con, "SELECT * FROM referrals WHERE client_id = ? AND received_date <= ? "
                        "ORDER BY received_date DESC, referral_id DESC LIMIT 1",
                        [client_id, first_day])
    dx = list(ref["diagnosis_codes"]) if ref else []
    pointers = list(range(1, min(4, len(dx)) + 1)) or [1]
    known = known_codes(con)
    untimed = untimed_codes(known)
    fees = {r["cpt"]: Decimal(r["charge"]) for r in fetch_rows(con, "SELECT * FROM fee_schedule")}
    rule = cov["units_rule"]
    dates = sorted({s["session_date"] for s in sessions})
    chosen = set(ids)
    days = day_sessions(con, client_id, dates)
    on_claims = billed_units(con, client_id, dates)
    lines: list[ClaimLineIn] = []
    for day in dates:
        new = [s for s in days.get(day, []) if s.session_id in chosen]
        # The day: these sessions and the day's sessions already billed (not those still
        # waiting to be billed: they add their units when they are billed).
        minutes = day_minutes(s.minutes for s in days.get(day, [])
                              if s.billed or s.session_id in chosen)
        taken = {code: b.units for code, b in on_claims.get(day, {}).items()}
        add = remaining_units(minutes, taken, rule, untimed=untimed)
        if not any(n > 0 for n in add.values()):
            # Nothing to add, yet the day may not be billed as the rule gives it: its unit
            # under another code (these sessions would be billed with the day left wrong).
            wrong = wrong_code_of_the_day(con, day, minutes, on_claims.get(day, {}), rule,
                                          untimed)
            if wrong:
                p.append(Problem(wrong, "sessions"))
        for code, n in add.items():
            if n <= 0:
                continue
            if code in taken:
                held = on_claims[day][code]
                due = billable_units(minutes, rule, untimed=untimed)[code]
                p.append(Problem(
                    f"Sessions: {code} on {day} is already billed on claim {held.claim_id} "
                    f"({held.units} unit(s)); with these sessions the day's {minutes[code]} "
                    f"minutes of {code} bill {due}: one date and code on two claims is denied "
                    "as a duplicate. "
                    + freeing_the_day(holding_claim(con, held.claim_id, day, code), day,
                                      code, due=due), "sessions"))
                continue
            # The line carries the session with the most minutes of the code (first by id).
            carrier = max(new, key=lambda s: (s.minutes.get(code, 0), -s.session_id))
            lines.append(ClaimLineIn(service_date=day, cpt=code, units=n,
                                     charge=(fees.get(code, Decimal("0")) * n).quantize(CENT),
                                     dx_pointers=pointers, session_id=carrier.session_id,
                                     place_of_service=place[carrier.session_id]))
    if p:
        raise ValidationError(p)
    if not lines:
        raise ValidationError([Problem(
            "Sessions: no billable units: under 8 timed minutes, or the day's units are "
            "already billed on another claim: nothing to bill.", "sessions")])
    kx_due: set[int] = set()
    if cov["payer_type"] == "medicare":
        kx_due = {k.year for k in kx_years(con, client_id, cov["payer_id"], [
            (ln.service_date, ln.cpt, ln.units, ln.charge) for ln in lines]) if k.kx}
    mods = required_modifiers([(ln.service_date, ln.cpt) for ln in lines], cov["payer_type"],
                              kx_years=kx_due)
    # A telehealth line (POS 02 / 10) gets the modifier the payer wants (95, or none).
    wants = fetch_one(con, "SELECT telehealth_modifier FROM payers WHERE payer_id = ?",
                      [cov["payer_id"]]) or {}
    for ln, m in zip(lines, mods, strict=True):
        ln.modifiers = with_telehealth_modifier(m, ln.place_of_service,
                                                wants.get("telehealth_modifier"))
    return ClaimIn(claim_id=claim_id or new_claim_id(con, as_of), client_id=client_id,
                   payer_id=cov["payer_id"], coverage_id=cov["coverage_id"],
                   diagnosis_codes=dx, lines=lines,
                   rendering_provider_id=sessions[0]["provider_id"],
                   referral_id=ref["referral_id"] if ref else None,
                   referrer_id=ref["referrer_id"] if ref else None,
                   session_ids=sorted(chosen))


@dataclass
class SessionsBilled:
    """What Bill sessions did with the sessions chosen: ``draft``, the claim to review for
    those that add units (None: none do), and ``recorded``, one sentence per session that
    adds no unit to its day and is now billed on the claim that bills the day."""

    draft: ClaimIn | None = None
    recorded: list[str] = field(default_factory=list)


def bill_sessions(db: Database, session_ids: Sequence[int], user: str,
                  as_of: dt.date | None = None, claim_id: str | None = None) -> SessionsBilled:
    """Bill sessions of one client: those that add no unit to their day, the client's claims
    already billing it in full (:func:`metdash.entry.days.covered_sessions`, the rule an
    edit or a replacement takes sessions in by), are recorded as billed on the claim that
    bills the day (``claim_sessions``, audited); the rest make a draft claim
    (:func:`build_claim_from_sessions`), not saved: read only when none is recorded, else
    in one transaction.

    Raises ValidationError as :func:`build_claim_from_sessions` does (nothing is recorded
    then)."""
    ids = [int(s) for s in session_ids]
    with db.connect() as con:  # most builds record nothing: read only, no write lock
        client_id = _chosen_sessions(con, ids)[0]["client_id"]
        if not covered_sessions(con, client_id, ids):
            return SessionsBilled(build_claim_from_sessions(con, ids, as_of, claim_id))
    with db.transaction() as con:  # read again where it is written
        client_id = _chosen_sessions(con, ids)[0]["client_id"]
        covered = covered_sessions(con, client_id, ids)
        done = {c.session_id for c in covered}
        rest = [s for s in ids if s not in done]
        draft = build_claim_from_sessions(con, rest, as_of, claim_id) if rest else None
        for holder in sorted({c.claim_id for c in covered}):
            held = [c.session_id for c in covered if c.claim_id == holder]
            insert_rows(con, "claim_sessions", ("claim_id", "session_id"),
                        [(holder, sid) for sid in held])
            audit(con, user, "create", "claim_sessions", holder, None,
                  {"sessions": held, "note": "these sessions add no unit to days the claim "
                   "bills"})
    return SessionsBilled(draft, [c.said() for c in covered])


# -- status moves --------------------------------------------------------------------------------

def add_claim_status(con: Any, claim_id: str, status: str, on: dt.date, user: str,
                     note: str | None, before: dict[str, Any]) -> None:
    """Move a claim to ``status`` inside the caller's transaction, unchecked: a status
    history row, the claim's status (and submitted dates), its facts, an audit row.
    ``before`` is the claim row as it was."""
    seq = con.execute("SELECT coalesce(max(seq), 0) + 1 FROM claim_status_history "
                      "WHERE claim_id = ?", [claim_id]).fetchone()[0]
    con.execute("INSERT INTO claim_status_history (claim_id, seq, status, status_date, "
                "changed_by, note) VALUES (?, ?, ?, ?, ?, ?)",
                [claim_id, seq, status, on, user, note or None])
    sets = ["status = ?"]
    params: list[Any] = [status]
    if status == "submitted":
        sets += ["submitted_date = coalesce(submitted_date, ?)", "last_submitted_date = ?"]
        params += [on, on]
    con.execute(f"UPDATE claims SET {', '.join(sets)} WHERE claim_id = ?", params + [claim_id])
    facts.touch(con, [claim_id], status_only=True)
    audit(con, user, "status", "claims", claim_id, {"status": before["status"]},
          {"status": status, "status_date": on, "note": note})


def move_claim_status(db: Database, claim_id: str, status: str, user: str,
                      on: dt.date | None = None, note: str | None = None,
                      as_of: dt.date | None = None) -> None:
    """Move a claim to ``status`` (see TRANSITIONS), recording the date, user and note.

    A claim moved to 'ready' or 'submitted' is re-checked first (errors block it); one
    without the prior authorization its payer requires needs a ``note`` saying why it goes
    without one (:mod:`metdash.entry.authorization`).
    """
    as_of = as_of or today()
    on = on or as_of
    with db.transaction() as con:
        row = fetch_one(con, "SELECT * FROM claims WHERE claim_id = ?", [claim_id])
        if row is None:
            raise ValidationError([Problem(f"Claim {claim_id} is not on file.", "claim_id")])
        p: list[Problem] = []
        text_field(p, note, "Note", "note")
        if status not in STATUSES:
            p.append(Problem(f"Status {status!r} is not a claim status.", "status"))
        elif status not in TRANSITIONS[row["status"]]:
            allowed = ", ".join(TRANSITIONS[row["status"]]) or "nothing (it is final)"
            p.append(Problem(f"Claim {claim_id} is {row['status']}: it can move to {allowed}, "
                             f"not {status}.", "status"))
        if on > as_of:
            p.append(Problem(f"Status date {on} is in the future: use today or earlier.",
                             "status_date"))
        if status == "voided" and blank(note):
            p.append(Problem("Note: say why the claim is voided (nothing is deleted).", "note"))
        answered = con.execute("SELECT adjudicated FROM claim_facts WHERE claim_id = ?",
                               [claim_id]).fetchall() == [(True,)]
        if status in ("paid", "partially_paid", "denied") and not p and not answered:
            # These are a payer's answers: set by its remittance, never by hand alone (a claim
            # moved to 'paid' with nothing paid left every follow-up list).
            p.append(Problem(f"Claim {claim_id} has no answer from the payer on file: post its "
                             "EOB (Payments & appeals, Post an EOB) or import its 835, and the "
                             f"status follows; it cannot be {status} by hand.", "status"))
        if status == "closed":
            # A claim closes when nobody owes anything on it: what the payer still owes is
            # paid, moved to the client or written off first (DOMAIN.md: a write-off has a
            # reason, a date and a user; closing a claim is not one).
            owed = con.execute("SELECT insurance_balance FROM claim_facts WHERE claim_id = ?",
                               [claim_id]).fetchall()
            if owed and owed[0][0] > 0:
                p.append(Problem(f"Claim {claim_id} still has ${owed[0][0]:,.2f} owed by the "
                                 "payer: post the payment, move it to the client, or write it "
                                 "off with a reason before closing the claim.", "status"))
        if status in ("ready", "submitted") and not p and row["status"] in ("draft", "ready",
                                                                            "denied"):
            lines = fetch_rows(con, "SELECT * FROM claim_lines WHERE claim_id = ? ORDER BY "
                              "line_no", [claim_id])
            claim = ClaimIn(claim_id=claim_id, client_id=row["client_id"],
                            payer_id=row["payer_id"], diagnosis_codes=row["diagnosis_codes"],
                            lines=[ClaimLineIn(ln["service_date"], ln["cpt"], ln["units"],
                                               ln["charge"], ln["modifiers"], ln["dx_pointers"],
                                               ln["session_id"]) for ln in lines],
                            rendering_provider_id=row["rendering_provider_id"],
                            referrer_id=row["referrer_id"], referral_id=row["referral_id"],
                            coverage_id=row["coverage_id"],
                            timely_filing_reason=row["timely_filing_reason"],
                            submitted_date=row["submitted_date"])
            p += check_claim(con, claim, as_of, existing=True).errors
            p += [Problem(f"Claim {claim_id}: {zero_charge(n, ln['cpt'])}", "charge", n - 1)
                  for n, ln in enumerate(lines, start=1) if Decimal(ln["charge"]) <= 0]
            # No prior authorization where the payer requires one (CO-197): it goes out
            # only with a note saying why, as a void does (metdash.entry.authorization).
            # Sent by hand from ready, the note given at ready stands.
            auth = claim_authorization(StoreReads(con), row["client_id"], row["payer_id"],
                                       row["referral_id"])
            if auth and blank(note) and not (status == "submitted" and row["status"] == "ready"
                                             and ready_reason(con, claim_id)):
                p.append(Problem(f"Claim {claim_id} cannot be {status} yet. {auth}", "note"))
        if p:
            raise ValidationError(p)
        add_claim_status(con, claim_id, status, on, user, note, row)
