"""The secondary (and tertiary) 837P: the previous payers' adjudication in loops 2320, 2330A,
2330B and 2430 (005010X222A1; DOMAIN.md "Secondary claims").

A claim billed to the next payer in line is the same claim (CLM01 = our claim id, so the next
payer's 835 comes back to it) with the next payer in 2010BB, its subscriber in 2010BA and SBR01
= S (T for tertiary), plus, for each payer that adjudicated it before, what that payer did:

    2320  SBR   other payer's responsibility (P, or S before a tertiary), relationship, group,
                filing indicator
          CAS   the other payer's claim-level adjustments (group, CARC, amount), when any
          AMT*D the other payer's paid amount (CLP04)
          AMT*EAF remaining patient liability: the cost share the other payer left (PR-1/2/3)
          OI    benefits assigned (Y), release of information (Y)
    2330A NM1*IL the other subscriber (member id on that coverage)
    2330B NM1*PR the other payer (its payer id), DTP*573 its adjudication (remittance) date
          when it answered at the claim level only (the guide's situational rule: required
          when 2430's line remittance date is not used, and not sent otherwise), REF*F8 its claim
          control number (CLP07) when it sent one (the latest, for a payer that split the
          claim over two CLPs)
    2430  per service line the other payer adjudicated: SVD (its payer id, paid, HC:cpt:mods,
          units), CAS (line adjustments), DTP*573 the adjudication date (of that line: a payer
          that split the claim answered its lines on different days)

Balancing (the guide's rule, checked by :func:`cob_problems`): for each other payer, the
line charge = SVD02 + Σ its CAS of that line, and the claim charge = AMT*D + Σ claim-level CAS
+ Σ line CAS.

Pure: :func:`write_2320` and :func:`write_2430` take the writer's ``seg`` function and a
:class:`SecondaryClaim837`; :mod:`metdash.x12.write837` calls them (its only hook).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from metdash.x12.model837 import Claim837, x12_text

Seg = Callable[..., None]
RELATIONSHIP_CODES = {"self": "18", "spouse": "01", "child": "19", "other": "G8"}
RESPONSIBILITY = {"primary": "P", "secondary": "S", "tertiary": "T"}
COST_SHARE_CARCS = {"1", "2", "3"}


@dataclass(frozen=True)
class Cas:
    """One adjustment of the other payer: group code, CARC, amount (and units, rarely)."""

    group_code: str
    carc: str
    amount: Decimal


@dataclass(frozen=True)
class LineAdjudication:
    """What the other payer did with one of our lines (an SVC of its remittance)."""

    line_index: int          # 1-based position of the line in the claim (its LX)
    cpt: str
    modifiers: tuple[str, ...]
    paid: Decimal
    units: int
    adjustments: tuple[Cas, ...] = ()
    # the date of the remittance that answered it (DTP*573), when not the payer's own: a
    # payer that split the claim answered its lines on two dates
    adjudication_date: dt.date | None = None


@dataclass(frozen=True)
class OtherPayer:
    """One payer that adjudicated the claim before the payer it is now sent to."""

    payer_name: str
    payer_code: str                      # 2330B NM109 and SVD01: its clearinghouse payer id
    responsibility: str                  # its place in line: primary, secondary
    filing_indicator: str                # SBR09
    member_id: str
    subscriber_last_name: str
    subscriber_first_name: str
    relationship: str                    # the client to that payer's subscriber
    group_number: str
    paid: Decimal                        # CLP04: AMT*D
    adjudication_date: dt.date           # the remittance's date: DTP*573
    payer_claim_number: str = ""         # CLP07: REF*F8 in 2330B
    claim_adjustments: tuple[Cas, ...] = ()
    lines: tuple[LineAdjudication, ...] = ()

    def cost_share(self) -> Decimal:
        """PR-1/2/3 it left, claim and lines: the remaining patient liability (AMT*EAF)."""
        every = [*self.claim_adjustments, *(a for ln in self.lines for a in ln.adjustments)]
        return sum((a.amount for a in every
                    if a.group_code == "PR" and a.carc in COST_SHARE_CARCS), Decimal(0))


@dataclass
class SecondaryClaim837(Claim837):
    """A claim sent to the next payer in line, with the earlier payers' adjudications."""

    other_payers: tuple[OtherPayer, ...] = field(default_factory=tuple)


def _money(value: Decimal) -> str:
    q = Decimal(value).quantize(Decimal("0.01"))
    text = format(q.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


def _cas(seg: Seg, adjustments: Sequence[Cas]) -> None:
    """CAS segments, one per group code, up to six reason/amount pairs each (the guide's
    limit), in the order the payer sent them."""
    groups: dict[str, list[Cas]] = {}
    for a in adjustments:
        if a.amount != 0:
            groups.setdefault(a.group_code, []).append(a)
    for group, items in groups.items():
        for start in range(0, len(items), 6):
            elements: list[Any] = ["CAS", group]
            for a in items[start:start + 6]:
                elements += [x12_text(a.carc), _money(a.amount), ""]
            seg(*elements)


def write_2320(seg: Seg, claim: Claim837) -> None:
    """Loops 2320 / 2330A / 2330B for each earlier payer (nothing for a primary claim)."""
    if not isinstance(claim, SecondaryClaim837):
        return
    for o in claim.other_payers:
        seg("SBR", RESPONSIBILITY.get(o.responsibility, "P"),
            RELATIONSHIP_CODES.get(o.relationship, "G8"), x12_text(o.group_number), "", "", "",
            "", "", o.filing_indicator)
        _cas(seg, o.claim_adjustments)
        seg("AMT", "D", _money(o.paid))
        if o.cost_share() > 0:
            seg("AMT", "EAF", _money(o.cost_share()))
        seg("OI", "", "", "Y", "", "", "Y")
        seg("NM1", "IL", "1", x12_text(o.subscriber_last_name),
            x12_text(o.subscriber_first_name), "", "", "", "MI", x12_text(o.member_id))
        seg("NM1", "PR", "2", x12_text(o.payer_name), "", "", "", "", "PI",
            x12_text(o.payer_code))
        if not o.lines:  # the guide: only when no 2430 of this payer carries its own date
            seg("DTP", "573", "D8", o.adjudication_date.strftime("%Y%m%d"))
        if o.payer_claim_number:
            seg("REF", "F8", x12_text(o.payer_claim_number))


def write_2430(seg: Seg, claim: Claim837, line_index: int) -> None:
    """Loop 2430 of line ``line_index`` (1-based) for each earlier payer that adjudicated it."""
    if not isinstance(claim, SecondaryClaim837):
        return
    for o in claim.other_payers:
        for ln in o.lines:
            if ln.line_index != line_index:
                continue
            proc = ":".join(["HC", x12_text(ln.cpt), *[x12_text(m) for m in ln.modifiers[:4]]])
            seg("SVD", x12_text(o.payer_code), _money(ln.paid), proc, "", ln.units)
            _cas(seg, ln.adjustments)
            seg("DTP", "573", "D8",
                (ln.adjudication_date or o.adjudication_date).strftime("%Y%m%d"))


def cob_problems(claim: SecondaryClaim837) -> list[str]:
    """What would make the payer reject the claim's COB loops: every problem, in words."""
    out = []
    charges = {i: ln.charge for i, ln in enumerate(claim.lines, start=1)}
    for o in claim.other_payers:
        if not o.payer_code:
            out.append(f"Claim {claim.claim_id}: {o.payer_name} has no payer id (2330B): "
                       "enter its clearinghouse payer id under Settings → Payers.")
        line_total = Decimal(0)
        for ln in o.lines:
            adj = sum((a.amount for a in ln.adjustments), Decimal(0))
            line_total += adj
            charge = charges.get(ln.line_index)
            if charge is not None and ln.paid + adj != charge:
                out.append(f"Claim {claim.claim_id}, line {ln.line_index}: {o.payer_name} paid "
                           f"{ln.paid:.2f} and adjusted {adj:.2f}, which is not the line's "
                           f"charge {charge:.2f}: check the remittance posted for that payer.")
        claim_adj = sum((a.amount for a in o.claim_adjustments), Decimal(0))
        if o.paid + claim_adj + line_total != claim.total_charge:
            out.append(f"Claim {claim.claim_id}: {o.payer_name} paid {o.paid:.2f} and adjusted "
                       f"{claim_adj + line_total:.2f}, which is not the claim's charge "
                       f"{claim.total_charge:.2f}: check the remittance posted for that payer.")
    return out


__all__ = ["Cas", "LineAdjudication", "OtherPayer", "SecondaryClaim837", "cob_problems",
           "write_2320", "write_2430"]
