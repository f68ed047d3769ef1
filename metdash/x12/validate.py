"""Checks on the X12 files we write.

* :func:`pyx12_validate` — the structure and code lists of the implementation guide, by
  pyx12's own validator (005010X222A1 for 837P, 005010X221A1 for 835).
* :func:`claim_problems` — what pyx12 does not check (TESTING.md): NPI check digits,
  claim total = Σ line charges, billable ICD-10-CM codes, pointers, required ids, the
  addresses clearinghouses require (billing provider's ZIP+4, the client's), a rendering
  provider still under the claims import's placeholder name.
"""

from __future__ import annotations

import io
import json
import logging
import threading
from decimal import Decimal
from typing import Any

from metdash.coding.icd10 import MAX_DIAGNOSES, icd10_problems, pointer_problems
from metdash.coding.mbi import mbi_problem
from metdash.coding.npi import npi_problem
from metdash.entry.claim_check import zero_charge
from metdash.entry.practice import IMPORTED_PROVIDER, is_placeholder_provider
from metdash.errors import Naming
from metdash.privacy import mask_text
from metdash.x12.model837 import Batch837, Claim837

_PYX12_LOCK = threading.Lock()  # pyx12 logs through a shared logger; one validation at a time


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _json_errors(node: Any, out: list[str]) -> None:
    if isinstance(node, dict):
        for err in node.get("errors") or []:
            if isinstance(err, dict) and err.get("err_str"):
                where = f"line {node['cur_line']}: " if node.get("cur_line") else ""
                out.append(f"{where}{err['err_str']}")
        for value in node.values():
            if isinstance(value, list | dict):
                _json_errors(value, out)
    elif isinstance(node, list):
        for item in node:
            _json_errors(item, out)


def pyx12_validate(text: str) -> list[str]:
    """pyx12's complaints about an X12 file ([] when it is valid).

    A UTF-8 byte-order mark is dropped first (it makes pyx12 crash).
    """
    import pyx12.params
    import pyx12.x12n_document

    if text.startswith("\ufeff"):
        text = text[1:]
    handler = _Collect()
    logger = logging.getLogger("pyx12")
    fd_json = io.StringIO()
    with _PYX12_LOCK:
        old_propagate = logger.propagate
        logger.addHandler(handler)
        logger.propagate = False
        try:
            ok = pyx12.x12n_document.x12n_document(
                param=pyx12.params.params(), src_file=io.StringIO(text), fd_997=None,
                fd_html=None, fd_xmldoc=None, fd_json=fd_json)
        except Exception as exc:  # pyx12 raises its own errors for unknown maps etc.
            return [f"pyx12 could not read the file: {exc}"]
        finally:
            logger.removeHandler(handler)
            logger.propagate = old_propagate
    if ok:
        return []
    problems: list[str] = []
    try:
        _json_errors(json.loads(fd_json.getvalue() or "{}"), problems)
    except ValueError:
        pass
    problems = problems or handler.messages
    return list(dict.fromkeys(problems)) or ["pyx12 found the file invalid."]


def claim_problems(batch: Batch837) -> list[str]:
    """Every problem that would make the 837P wrong though pyx12 accepts it."""
    problems: list[str] = []
    bp = batch.billing
    p = npi_problem(bp.npi, "Billing NPI (practice settings)")
    if p:
        problems.append(p)
    tax = "".join(ch for ch in bp.tax_id if ch.isdigit())
    if len(tax) != 9:
        problems.append(f"Practice tax id {bp.tax_id!r} is not an EIN: enter 9 digits as "
                        "NN-NNNNNNN in the practice settings.")
    if not (bp.address.line1 and bp.address.city and bp.address.state and bp.address.zip):
        problems.append("Practice address is incomplete: the 837P needs street, city, state "
                        "and ZIP of the billing provider (practice settings).")
    elif len(zip_digits := "".join(ch for ch in bp.address.zip if ch.isdigit())) != 9:
        problems.append(f"Practice ZIP {bp.address.zip.strip()!r} is not a full ZIP+4: the 837P's "
                        "billing provider (loop 2010AA, N403) needs all nine digits and "
                        "clearinghouses reject a claim without them. Enter it as "
                        f"{zip_digits[:5] or 'NNNNN'}-NNNN in the practice settings (the USPS "
                        "ZIP code lookup gives the last four).")
    if not any(ch.isdigit() for ch in (batch.contact_phone or bp.phone)):
        problems.append("Practice phone is missing: the 837P names a contact number for the "
                        "submitter (practice settings).")
    unnamed: dict[str, list[str]] = {}  # placeholder provider's NPI -> its claims
    no_address: dict[tuple[str, bool], list[Claim837]] = {}  # (client, subscriber?) -> claims
    for c in batch.claims:
        label = f"Claim {c.claim_id}"
        if not c.lines:
            problems.append(f"{label} has no service lines: add at least one.")
        if len(c.lines) > 50:
            problems.append(f"{label} has {len(c.lines)} lines; an 837P claim holds at most "
                            "50: split it.")
        total = sum((ln.charge for ln in c.lines), Decimal("0"))
        if total != c.total_charge:
            problems.append(f"{label}: total charge {c.total_charge} does not equal the sum of "
                            f"its line charges {total}: correct the lines or the total.")
        if not c.diagnosis_codes:
            problems.append(f"{label} has no diagnosis: add the referral's ICD-10-CM code.")
        if len(c.diagnosis_codes) > MAX_DIAGNOSES:
            problems.append(f"{label} has {len(c.diagnosis_codes)} diagnoses; at most "
                            f"{MAX_DIAGNOSES} fit on a claim.")
        for code in c.diagnosis_codes:
            problems += [f"{label}: {m}" for m in icd10_problems(code)]
        for n, ln in enumerate(c.lines, start=1):
            problems += [f"{label}: {m}" for m in pointer_problems(
                ln.dx_pointers, len(c.diagnosis_codes), label=f"line {n} ({ln.cpt})")]
            if ln.units <= 0:
                problems.append(f"{label}: line {n} ({ln.cpt}) has {ln.units} units: bill at "
                                "least 1.")
            if ln.charge <= 0 and c.frequency_code != "8":
                problems.append(f"{label}: {zero_charge(n, ln.cpt)}")
        if c.frequency_code in ("7", "8") and not c.payer_claim_number:
            problems.append(f"{label} is a {'replacement' if c.frequency_code == '7' else 'void'}"
                            " (frequency " + c.frequency_code + ") without the payer's claim "
                            "number (REF*F8): correct it again once the payer's 835 gives one.")
        if not c.member_id:
            problems.append(f"{label}: the member id is missing on the client's coverage.")
        elif c.filing_indicator == "MB" and mbi_problem(c.member_id):
            # Medicare's front end rejects it before reading the claim.
            problems.append(f"{label}: {mbi_problem(c.member_id)} Then correct the coverage's "
                            "member id (Clients → Add coverage → the client's coverages).")
        if not c.payer_code:
            problems.append(f"{label}: payer {c.payer_name} has no clearinghouse payer id: "
                            "enter it under Settings → Clearinghouse (payer ids).")
        if c.patient_dob is None:
            problems.append(f"{label}: the client's date of birth is missing.")
        if _missing_address(c):
            no_address.setdefault((c.client_id, c.relationship == "self"), []).append(c)
        if c.referrer is not None:
            p = npi_problem(c.referrer.npi, f"{label}: referring NPI")
            if p:
                problems.append(p)
        if c.rendering is None:
            problems.append(f"{label} has no rendering provider: choose who gave the service.")
        else:
            p = npi_problem(c.rendering.npi, f"{label}: rendering NPI")
            if p:
                problems.append(p)
            if is_placeholder_provider(c.rendering.last_name, c.rendering.first_name,
                                       c.rendering.npi):
                unnamed.setdefault(c.rendering.npi, []).append(c.claim_id)
    # Once per client and per provider, not per claim: one thing to enter, however many
    # claims wait on it.
    problems += [_address_problem(claims, is_self)
                 for (_, is_self), claims in no_address.items()]
    problems += [f"Rendering provider NPI {npi} is still named {IMPORTED_PROVIDER!r}, the "
                 "claims import's placeholder (its first name the NPI), and would go out so on "
                 f"claim{'s' if len(ids) > 1 else ''} {', '.join(ids[:10])}"
                 f"{f' and {len(ids) - 10} more' if len(ids) > 10 else ''}: enter the "
                 "provider's name under Settings → Providers → Change a provider."
                 for npi, ids in unnamed.items()]
    return problems


_ADDRESS_PARTS = (("street address", "line1"), ("city", "city"), ("state", "state"),
                  ("ZIP", "zip"))


def _missing_address(c: Claim837) -> list[str]:
    """The parts of the client's address the claim lacks, in words ([] when whole)."""
    return [words for words, part in _ADDRESS_PARTS
            if not (getattr(c.patient_address, part) or "").strip()]


def _address_problem(claims: list[Claim837], is_self: bool) -> Naming:
    """One client's claims refused for an address not on file. 005010X222A1: the
    subscriber's N3/N4 (loop 2010BA) are required when the patient is the subscriber, the
    patient's (2010CA) when not; the client is the patient either way, and clearinghouses
    reject a claim without them (pyx12 checks 2010CA only)."""
    c = claims[0]
    missing = _missing_address(c)
    said = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} or {missing[-1]}"
    ids = [x.claim_id for x in claims]
    where = ("subscriber (loop 2010BA, N3/N4)" if is_self else "patient (loop 2010CA, N3/N4)")

    def text(name: str) -> str:
        return (f"Client {name} ({c.client_id}) has no {said} on file, which the 837P's "
                f"{where} needs: clearinghouses reject claim{'s' if len(ids) > 1 else ''} "
                f"{', '.join(ids[:10])}{f' and {len(ids) - 10} more' if len(ids) > 10 else ''}"
                " without it. Add the address under Clients & referrers → Change a client.")

    name = ", ".join(x for x in ((c.patient_last_name or "").strip(),
                                (c.patient_first_name or "").strip()) if x)
    return Naming(text(name), text(mask_text(name)))
