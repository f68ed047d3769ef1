"""837P (005010X222A1) claim files.

Two layers:

* :func:`render_837p` — pure: a :class:`Batch837` + :class:`ControlNumbers` + a timestamp
  in, the file's text out (byte-exact, for golden tests).
* :func:`write_837p` — reads the claims from the store, checks them
  (:func:`metdash.x12.validate.claim_problems`), takes the next control numbers from
  ``x12_control``, renders, (by default) moves the claims to ``submitted`` with
  history and audit rows, and hands the text to the caller's ``deliver`` (the file
  written, the download's bytes built) — all in one transaction, committed only once the
  file exists.

Layout written (one ISA/GS/ST; one subscriber HL per claim)::

    ISA GS ST BHT
    1000A NM1*41 submitter + PER;  1000B NM1*40 receiver  (ISA/GS/1000A/1000B: the
    clearinghouse settings, metdash.entry.clearinghouse; an export without them is refused)
    2000A HL*20 billing provider: PRV*BI, 2010AA NM1*85 (XX NPI), N3, N4, REF*EI tax id
      2000B HL*22 subscriber: SBR, 2010BA NM1*IL (+N3/N4/DMG when the patient), 2010BB NM1*PR
        [2000C HL*23 patient: PAT, NM1*QC, N3, N4, DMG — when the subscriber is not the client]
        2300 CLM (our claim id, total), REF*G1 prior auth, HI (ABK then ABF)
          2310A NM1*DN referring provider (XX NPI); 2310B NM1*82 rendering provider + PRV*PE
          2400 LX, SV1 (HC:cpt:mods, charge, UN, units, SV105 place of service when it
               differs from CLM05-1, pointers), DTP*472,
               REF*6R line item control number (<claim id>-<line no>, echoed by the 835)
    SE GE IEA
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd

from metdash.coding.pos import (
    claim_place_of_service,
    missing_telehealth_modifier,
    with_telehealth_modifier,
)
from metdash.entry.clearinghouse import ClearinghouseIn, export_problems, read_clearinghouse
from metdash.errors import X12ExportError
from metdash.store import Database, audit, audit_many, facts, insert_rows
from metdash.x12.corrected837 import voids_sent
from metdash.x12.model837 import (
    Address,
    Batch837,
    BillingProvider,
    Claim837,
    ControlNumbers,
    Line837,
    Person,
    line_control_number,
    x12_id,
    x12_text,
)
from metdash.x12.post_ack import record_submission
from metdash.x12.validate import claim_problems
from metdash.x12.write837_cob import write_2320, write_2430

TERMINATOR = "~\n"  # a newline after each terminator keeps the file readable; X12 allows it
RELATIONSHIP_CODES = {"self": "18", "spouse": "01", "child": "19", "other": "G8"}
PRIORITY_CODES = {"primary": "P", "secondary": "S", "tertiary": "T"}
# Claim filing indicator (SBR09) by payer type.
FILING_CODES = {"medicare": "MB", "medicare_advantage": "16", "medicaid": "MC",
                "commercial": "CI", "workers_comp": "WC", "auto": "AM", "other": "ZZ"}


# -- rendering ------------------------------------------------------------------------
def _money(value: Decimal) -> str:
    q = Decimal(value).quantize(Decimal("0.01"))
    text = format(q.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def _d8(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def seg(self, *elements: Any) -> None:
        values = ["" if e is None else str(e) for e in elements]
        while values and values[-1] == "":
            values.pop()
        self.lines.append("*".join(values))


def render_837p(claims_data: Batch837, control_numbers: ControlNumbers, now: dt.datetime) -> str:
    """The 837P file for ``claims_data`` (pure: same input, same bytes)."""
    b = claims_data
    bp = b.billing
    cn = control_numbers
    # The clearinghouse settings (Settings → Clearinghouse): ISA05-08 and ISA15, GS02/03,
    # 1000A/B ids and names, PER; the billing provider's when a pure caller gives none.
    sender = x12_id(b.submitter_id or bp.npi)[:15]
    receiver = x12_id(b.receiver_id)[:15]
    isa06 = x12_id(b.isa_sender_id)[:15] or sender
    isa08 = x12_id(b.isa_receiver_id)[:15] or receiver
    submitter_name = x12_text(b.submitter_name or bp.name)
    isa13 = f"{cn.interchange:09d}"
    st02 = f"{cn.transaction:04d}"
    out = _Writer()
    out.seg("ISA", "00", " " * 10, "00", " " * 10, b.isa_sender_qualifier or "ZZ",
            f"{isa06:<15}", b.isa_receiver_qualifier or "ZZ", f"{isa08:<15}",
            now.strftime("%y%m%d"), now.strftime("%H%M"), "^", "00501", isa13, "0", b.usage,
            ":")
    out.seg("GS", "HC", sender, receiver, now.strftime("%Y%m%d"), now.strftime("%H%M"),
            cn.group, "X", "005010X222A1")
    st_start = len(out.lines)
    out.seg("ST", "837", st02, "005010X222A1")
    out.seg("BHT", "0019", "00", f"{cn.group:09d}", now.strftime("%Y%m%d"),
            now.strftime("%H%M"), "CH")
    # 1000A submitter, 1000B receiver
    out.seg("NM1", "41", "2", submitter_name, "", "", "", "", "46", sender)
    out.seg("PER", "IC", x12_text(b.contact_name) or submitter_name, "TE",
            _digits(b.contact_phone or bp.phone))
    out.seg("NM1", "40", "2", x12_text(b.receiver_name), "", "", "", "", "46", receiver)
    # 2000A billing provider
    out.seg("HL", "1", "", "20", "1")
    if bp.taxonomy:
        out.seg("PRV", "BI", "PXC", x12_text(bp.taxonomy))
    out.seg("NM1", "85", "2", x12_text(bp.name), "", "", "", "", "XX", _digits(bp.npi))
    out.seg("N3", x12_text(bp.address.line1))
    out.seg("N4", x12_text(bp.address.city), x12_text(bp.address.state), _digits(bp.address.zip))
    out.seg("REF", "EI", _digits(bp.tax_id))
    hl = 1
    for c in b.claims:
        hl += 1
        sub_hl = hl
        is_self = c.relationship == "self"
        out.seg("HL", sub_hl, "1", "22", "0" if is_self else "1")
        out.seg("SBR", PRIORITY_CODES.get(c.priority, "P"), "18" if is_self else "",
                x12_text(c.group_number), "", "", "", "", "", c.filing_indicator)
        if is_self:
            out.seg("NM1", "IL", "1", x12_text(c.patient_last_name), x12_text(c.patient_first_name),
                    "", "", "", "MI", x12_text(c.member_id))
            _address(out, c.patient_address)
            if c.patient_dob:
                out.seg("DMG", "D8", _d8(c.patient_dob), c.patient_sex or "U")
        else:
            out.seg("NM1", "IL", "1", x12_text(c.subscriber_last_name),
                    x12_text(c.subscriber_first_name), "", "", "", "MI", x12_text(c.member_id))
            if c.subscriber_dob:
                out.seg("DMG", "D8", _d8(c.subscriber_dob), "U")
        out.seg("NM1", "PR", "2", x12_text(c.payer_name), "", "", "", "", "PI",
                x12_text(c.payer_code))
        if not is_self:
            hl += 1
            out.seg("HL", hl, sub_hl, "23", "0")
            out.seg("PAT", RELATIONSHIP_CODES.get(c.relationship, "G8"))
            out.seg("NM1", "QC", "1", x12_text(c.patient_last_name), x12_text(c.patient_first_name))
            _address(out, c.patient_address)
            if c.patient_dob:
                out.seg("DMG", "D8", _d8(c.patient_dob), c.patient_sex or "U")
        # 2300 claim
        out.seg("CLM", x12_text(c.claim_id), _money(c.total_charge), "", "",
                f"{c.place_of_service}:B:{c.frequency_code}", "Y", "A", "Y", "Y")
        if c.prior_auth_number:
            out.seg("REF", "G1", x12_text(c.prior_auth_number))
        if c.payer_claim_number:  # a replacement (7) or void (8) names the payer's claim
            out.seg("REF", "F8", x12_text(c.payer_claim_number))
        dx = [d.replace(".", "").upper() for d in c.diagnosis_codes]
        out.seg("HI", *[f"{'ABK' if i == 0 else 'ABF'}:{d}" for i, d in enumerate(dx)])
        if c.referrer is not None:  # 2310A referring provider
            out.seg("NM1", "DN", "1", x12_text(c.referrer.last_name),
                    x12_text(c.referrer.first_name), "", "", "", "XX", _digits(c.referrer.npi))
        if c.rendering is not None:  # 2310B: always, the billing provider is an organisation
            out.seg("NM1", "82", "1", x12_text(c.rendering.last_name),
                    x12_text(c.rendering.first_name), "", "", "", "XX", _digits(c.rendering.npi))
            if c.rendering.taxonomy:
                out.seg("PRV", "PE", "PXC", x12_text(c.rendering.taxonomy))
        write_2320(out.seg, c)  # 2320/2330: earlier payers' adjudication (secondary claims)
        for n, ln in enumerate(c.lines, start=1):
            out.seg("LX", n)
            proc = ":".join(["HC", x12_text(ln.cpt), *[x12_text(m) for m in ln.modifiers[:4]]])
            # SV105: the line's place of service, only when it differs from CLM05-1.
            pos = ln.place_of_service if ln.place_of_service != c.place_of_service else ""
            out.seg("SV1", proc, _money(ln.charge), "UN", ln.units, pos, "",
                    ":".join(str(p) for p in ln.dx_pointers[:4]))
            out.seg("DTP", "472", "D8", _d8(ln.service_date))
            out.seg("REF", "6R", ln.control_number or line_control_number(c.claim_id, n))
            write_2430(out.seg, c, n)  # 2430: earlier payers' line adjudication
    count = len(out.lines) - st_start + 1
    out.seg("SE", count, st02)
    out.seg("GE", "1", cn.group)
    out.seg("IEA", "1", isa13)
    return "".join(line + TERMINATOR for line in out.lines)


def _address(out: _Writer, a: Address) -> None:
    if a.line1 and a.city:
        out.seg("N3", x12_text(a.line1))
        out.seg("N4", x12_text(a.city), x12_text(a.state), _digits(a.zip))


# -- from the store -------------------------------------------------------------------
def _split_name(name: str) -> tuple[str, str]:
    """'Last, First' -> (last, first); an organisation's name stays whole as the last name."""
    if "," in name:
        last, first = name.split(",", 1)
        return last.strip(), first.strip()
    return name.strip(), ""


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()
          ) -> list[dict[str, Any]]:
    res = con.execute(sql, list(params))
    names = [d[0] for d in res.description]
    return [dict(zip(names, r, strict=True)) for r in res.fetchall()]


def load_batch(con: duckdb.DuckDBPyConnection, claim_ids: list[str] | None
               ) -> tuple[Batch837 | None, list[str]]:
    """The claims to export as a Batch837, and every problem found while gathering them."""
    problems: list[str] = []
    practice = _rows(con, "SELECT * FROM practice ORDER BY practice_id LIMIT 1")
    if not practice:
        return None, ["The practice is not set up: enter its name, billing NPI and tax id "
                      "under Settings first."]
    p = practice[0]
    billing = BillingProvider(p["name"], p["billing_npi"] or "", p["tax_id"] or "",
                              Address(p["address_line1"] or "", p["city"] or "",
                                      p["state"] or "", p["zip"] or ""),
                              p["taxonomy"] or "", p["phone"] or "")
    problems += export_problems(con)  # each clearinghouse setting missing, named
    if claim_ids is None:
        ids = [r["claim_id"] for r in _rows(
            con, "SELECT claim_id FROM claims WHERE status = 'ready' ORDER BY claim_id")]
    else:
        ids = list(dict.fromkeys(claim_ids))
    if not ids:
        return None, ["There are no claims to export: no claim is ready."]
    claims = {r["claim_id"]: r for r in _rows(con, """
        SELECT c.*, cl.last_name AS p_last, cl.first_name AS p_first, cl.dob AS p_dob,
               cl.sex AS p_sex, cl.address_line1 AS p_addr, cl.city AS p_city,
               cl.state AS p_state, cl.zip AS p_zip,
               py.name AS payer_name, py.payer_type, py.clearinghouse_payer_id,
               py.telehealth_modifier,
               r.name AS ref_name, r.npi AS ref_npi,
               pr.last_name AS rend_last, pr.first_name AS rend_first, pr.npi AS rend_npi,
               pr.taxonomy AS rend_taxonomy, rf.prior_auth_number
        FROM claims c
        JOIN clients cl USING (client_id)
        JOIN payers py USING (payer_id)
        LEFT JOIN referrals rf ON rf.referral_id = c.referral_id
        LEFT JOIN referrers r ON r.referrer_id = coalesce(c.referrer_id, rf.referrer_id)
        LEFT JOIN providers pr ON pr.provider_id = c.rendering_provider_id
        WHERE c.claim_id IN (SELECT unnest(?::VARCHAR[]))""", [ids])}
    coverages = _rows(con, """
        SELECT * FROM coverages WHERE client_id IN
          (SELECT client_id FROM claims WHERE claim_id IN (SELECT unnest(?::VARCHAR[])))
        ORDER BY coverage_id""", [ids])
    lines: dict[str, list[dict[str, Any]]] = {}
    for r in _rows(con, "SELECT * FROM claim_lines WHERE claim_id IN "
                        "(SELECT unnest(?::VARCHAR[])) ORDER BY claim_id, line_no", [ids]):
        lines.setdefault(r["claim_id"], []).append(r)
    out: list[Claim837] = []
    for cid in ids:
        r = claims.get(cid)
        if r is None:
            problems.append(f"Claim {cid} does not exist: check the claim id.")
            continue
        if r["status"] in ("draft", "voided"):
            problems.append(f"Claim {cid} is {r['status']}: only a claim that is ready (or "
                            "already sent, to resend it) can be exported.")
            continue
        cov = next((v for v in coverages if v["coverage_id"] == r["coverage_id"]), None)
        if cov is None:
            cov = next((v for v in coverages if v["client_id"] == r["client_id"]
                        and v["payer_id"] == r["payer_id"]), None)
        if cov is None:
            problems.append(f"Claim {cid}: client {r['client_id']} has no coverage with "
                            f"{r['payer_name']}: add the member id on the client's coverage.")
            continue
        referrer = None
        if r["ref_name"]:
            last, first = _split_name(r["ref_name"])
            referrer = Person(last, first, r["ref_npi"] or "")
        rendering = None
        if r["rend_npi"]:
            rendering = Person(r["rend_last"], r["rend_first"], r["rend_npi"],
                               r["rend_taxonomy"] or "")
        out.append(Claim837(
            claim_id=cid, total_charge=Decimal(r["total_charge"]),
            diagnosis_codes=list(r["diagnosis_codes"] or []),
            lines=[Line837(ln["cpt"], with_telehealth_modifier(
                               ln["modifiers"] or [], ln["place_of_service"],
                               r["telehealth_modifier"]), Decimal(ln["charge"]),
                           int(ln["units"]), list(ln["dx_pointers"] or []), ln["service_date"],
                           line_control_number(cid, ln["line_no"]),
                           place_of_service=ln["place_of_service"])
                   for ln in lines.get(cid, [])],
            place_of_service=claim_place_of_service(
                [ln["place_of_service"] for ln in lines.get(cid, [])]),
            payer_name=r["payer_name"], payer_code=r["clearinghouse_payer_id"] or "",
            filing_indicator=FILING_CODES.get(r["payer_type"], "ZZ"),
            member_id=cov["member_id"], patient_last_name=r["p_last"],
            patient_first_name=r["p_first"], patient_dob=r["p_dob"],
            patient_sex=r["p_sex"] or "U",
            patient_address=Address(r["p_addr"] or "", r["p_city"] or "", r["p_state"] or "",
                                    r["p_zip"] or ""),
            relationship=cov["relationship"], priority=cov["priority"],
            group_number=cov["group_number"] or "",
            subscriber_last_name=cov["subscriber_last_name"] or r["p_last"],
            subscriber_first_name=cov["subscriber_first_name"] or "",
            subscriber_dob=cov["subscriber_dob"], frequency_code=r["frequency_code"] or "1",
            payer_claim_number=r["original_payer_claim_number"] or "",
            prior_auth_number=r["prior_auth_number"] or "",
            referrer=referrer, rendering=rendering, client_id=r["client_id"]))
        problems += [m for n, ln in enumerate(out[-1].lines, start=1) if (
            m := missing_telehealth_modifier(ln.modifiers, ln.place_of_service,
                                             r["telehealth_modifier"],
                                             f"Claim {cid}: line {n} ({ln.cpt})"))]
    return Batch837(billing, out, **_envelope(read_clearinghouse(con))), problems


def _envelope(ch: ClearinghouseIn | None) -> dict[str, str]:
    """Batch837's envelope fields from the clearinghouse settings (none: the defaults)."""
    if ch is None:
        return {}
    return {"submitter_id": ch.submitter_id or "", "submitter_name": ch.submitter_name or "",
            "contact_name": ch.contact_name or "", "contact_phone": ch.contact_phone or "",
            "receiver_id": ch.receiver_id or "", "receiver_name": ch.receiver_name or "",
            "isa_sender_qualifier": ch.isa_sender_qualifier or "ZZ",
            "isa_sender_id": ch.isa_sender_id or "",
            "isa_receiver_qualifier": ch.isa_receiver_qualifier or "ZZ",
            "isa_receiver_id": ch.isa_receiver_id or "", "usage": ch.usage_indicator or "P"}


def next_control_numbers(con: duckdb.DuckDBPyConnection) -> ControlNumbers:
    """The next ISA13 / GS06 / ST02 from ``x12_control`` (every 837P the practice sends:
    primary here, secondary in :mod:`metdash.x12.secondary`), inside the caller's transaction."""
    return ControlNumbers(_next_control(con, "interchange"), _next_control(con, "group"),
                          _next_control(con, "transaction"))


def _next_control(con: duckdb.DuckDBPyConnection, name: str) -> int:
    rows = con.execute("SELECT last_number FROM x12_control WHERE name = ?", [name]).fetchall()
    value = (rows[0][0] if rows else 0) + 1
    if name == "interchange" and value > 999_999_999:
        value = 1
    if rows:
        con.execute("UPDATE x12_control SET last_number = ? WHERE name = ?", [value, name])
    else:
        con.execute("INSERT INTO x12_control (name, last_number) VALUES (?, ?)", [name, value])
    return value


def write_837p(db: Database, claim_ids: list[str] | None, *, user: str,
               now: dt.datetime | None = None, mark_submitted: bool = True,
               deliver: Callable[[str], object] | None = None) -> str:
    """Export claims (default: every ready claim) as one 837P file; returns its text.

    In one transaction: checks every claim (raises :class:`X12ExportError` listing every
    problem, nothing changed), takes the next ISA13/GS06/ST02 from ``x12_control``, and
    when ``mark_submitted`` moves the claims to ``submitted`` dated ``now``.

    ``deliver(text)`` puts the file where it goes (writes it to disk, builds a download's
    bytes); it runs inside the transaction, last, so the claims count as submitted only
    once the file exists: if it raises, nothing is committed (the claims stay ready, the
    control numbers unused) and its error propagates.
    """
    now = now or dt.datetime.now().replace(microsecond=0)
    with db.transaction() as con:
        batch, problems = load_batch(con, claim_ids)
        if batch is not None:
            problems += claim_problems(batch)
        if problems or batch is None:
            raise X12ExportError(problems)
        numbers = next_control_numbers(con)
        text = render_837p(batch, numbers, now)
        audit(con, user, "export", "x12_control", numbers.interchange, None, {
            "interchange": numbers.interchange, "group": numbers.group,
            "transaction": numbers.transaction, "claims": [c.claim_id for c in batch.claims]})
        # Which claims went out under which GS06 / ST02: what a 999 names (acknowledgments).
        record_submission(con, numbers.interchange, numbers.group, numbers.transaction,
                          [c.claim_id for c in batch.claims], now)
        if mark_submitted:
            _mark_submitted(con, [c.claim_id for c in batch.claims], user, now, numbers)
            voids_sent(con, [c.claim_id for c in batch.claims], user, now, numbers.interchange)
        if deliver is not None:
            deliver(text)
    return text


def _mark_submitted(con: duckdb.DuckDBPyConnection, ids: list[str], user: str,
                    now: dt.datetime, numbers: ControlNumbers) -> None:
    today = now.date()
    before = {r["claim_id"]: r for r in _rows(
        con, "SELECT claim_id, status, submitted_date FROM claims WHERE claim_id IN "
             "(SELECT unnest(?::VARCHAR[]))", [ids])}
    seqs = {r["claim_id"]: r["seq"] for r in _rows(
        con, "SELECT claim_id, max(seq) AS seq FROM claim_status_history WHERE claim_id IN "
             "(SELECT unnest(?::VARCHAR[])) GROUP BY 1", [ids])}
    note = f"sent in 837P interchange {numbers.interchange:09d}"
    history, audits = [], []
    for cid in ids:
        history.append((cid, (seqs.get(cid) or 0) + 1, "submitted", today, now, user, note))
        audits.append(("status", "claims", cid,
                       {"status": before[cid]["status"],
                        "submitted_date": before[cid]["submitted_date"]},
                       {"status": "submitted", "submitted_date": before[cid]["submitted_date"]
                        or today, "last_submitted_date": today, "note": note}))
    insert_rows(con, "claim_status_history", [
        "claim_id", "seq", "status", "status_date", "changed_at", "changed_by", "note"], history)
    audit_many(con, user, audits, now)
    con.execute("UPDATE claims SET status = 'submitted',"
                " submitted_date = coalesce(submitted_date, ?), last_submitted_date = ?"
                " WHERE claim_id IN (SELECT unnest(?::VARCHAR[]))", [today, today, ids])
    facts.touch(con, ids, status_only=True)


__all__ = ["claims_for_export", "load_batch", "next_control_numbers", "render_837p",
           "write_837p"]


def claims_for_export(db: Database) -> pd.DataFrame:
    """Claims that can go into an 837P: ready ones first, then sent ones (to resend).

    Columns: claim_id, status, client (Last, First), payer, total_charge, first_service_date.
    """
    return db.query("""
        SELECT c.claim_id, c.status, cl.last_name || ', ' || cl.first_name AS client,
               p.name AS payer, c.total_charge, c.first_service_date
        FROM claims c JOIN clients cl USING (client_id) JOIN payers p USING (payer_id)
        WHERE c.status IN ('ready', 'submitted', 'denied', 'appealed')
        ORDER BY c.status <> 'ready', c.first_service_date, c.claim_id""")
