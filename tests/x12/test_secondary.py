"""Secondary claims and Medicare crossovers, worked by hand (issue 16, item 3).

The practice is tests/x12/conftest.py's, plus a Medigap-like "Gap Plan" (payer 3, GAP01) that
is the secondary coverage of Sam (K001, primary Acme Health) and of Eve (K002, primary
Medicare Part B), from 2024-01-01.

Claim C000201 (Sam, served 2025-02-20): 97110 x2 $120 + 97140 $80 = $200.
  Acme's 835 (2025-03-10), line by line:
    line 1: charge 120, allowed 96: paid 72, CO-45 24, PR-2 24 (coinsurance 25 %)
    line 2: charge 80,  allowed 64: paid 48, CO-45 16, PR-2 16
    claim:  paid 120, CO-45 40, PR-2 40; 120 + 40 + 40 = 200 (it balances)
  The coinsurance goes to the Gap Plan, not to Sam (he has a secondary on 02-20):
    insurance A/R = 200 - 120 paid - 40 contractual = 40 (owed by the Gap Plan); patient 0.
  The Gap Plan's 835 (2025-03-24), CLP02 2, pays 80 % of the 40 coinsurance:
    line 1: paid 19.20, OA-23 96 (what Acme paid 72 + its CO-45 24), PR-2 4.80
    line 2: paid 12.80, OA-23 64 (48 + 16),                            PR-2 3.20
    claim:  paid 32, OA-23 160, PR-2 8; 32 + 160 + 8 = 200
  insurance A/R = 40 - 32 paid - 8 (the Gap Plan's coinsurance moved to Sam) = 0; OA-23 is
  the share Acme's rows already settled (no effect); patient A/R = 8.

Claim C000102 (Eve, Medicare, served 2025-02-04, $120): a crossover.
  Medicare's 835 (2025-03-10), CLP02 19 (processed as primary, forwarded to the Gap Plan):
    paid 76.80, CO-45 24, PR-2 19.20 (76.80 + 24 + 19.20 = 120)
    insurance A/R = 120 - 76.80 - 24 = 19.20, owed by the Gap Plan; patient 0; the practice
    sends nothing (not in "bill the secondary").
  The Gap Plan's 835 (2025-03-24), CLP02 2: paid 19.20, OA-23 100.80 (76.80 + 24)
    insurance A/R = 19.20 - 19.20 = 0; patient 0.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from metdash import acks, figures, worklists
from metdash.entry import CoverageIn, save_coverage
from metdash.errors import ValidationError, X12ExportError
from metdash.figures import Filters
from metdash.figures.clean_claims import clean_claim_rate
from metdash.x12.post835 import import_835
from metdash.x12.post_ack import import_acks
from metdash.x12.secondary import secondary_claims_to_bill, write_secondary_837p
from metdash.x12.validate import pyx12_validate
from metdash.x12.write837 import write_837p

from .helpers import Claim, Line, Status277, build_277ca, build_835, build_999

D = dt.date
M = Decimal
SENT = dt.datetime(2025, 2, 21, 9, 0)
SECONDARY_SENT = dt.datetime(2025, 3, 12, 9, 0)
AS_OF = D(2025, 3, 11)


def _setup(db):
    with db.transaction() as con:
        con.execute("""
            INSERT INTO payers (payer_id, name, payer_type, clearinghouse_payer_id)
            VALUES (3, 'Gap Plan', 'commercial', 'GAP01');
            INSERT INTO claims (claim_id, client_id, payer_id, coverage_id, referral_id,
                                referrer_id, rendering_provider_id, status, diagnosis_codes,
                                total_charge, first_service_date)
            VALUES ('C000201', 'K001', 1, 1, 1, 1, 1, 'ready', ['M54.50', 'E11.9'], 200.00,
                    DATE '2025-02-20');
            INSERT INTO claim_lines (claim_id, line_no, service_date, cpt, modifiers, units,
                                     charge, dx_pointers)
            VALUES ('C000201', 1, DATE '2025-02-20', '97110', ['GP'], 2, 120.00, [1, 2]),
                   ('C000201', 2, DATE '2025-02-20', '97140', ['GP'], 1, 80.00, [1]);""")
    for client, member in (("K001", "GAP555001"), ("K002", "GAP555002")):
        save_coverage(db, CoverageIn(client, 3, member, D(2024, 1, 1), priority="secondary"),
                      "biller")
    write_837p(db, ["C000201", "C000102"], user="biller", now=SENT)


def _acme_835() -> bytes:
    return build_835([Claim("C000201", "1", "200", "120", pr="40", payer_claim_number="ACM-77",
                            lines=[Line("97110", "120", "72", date="20250220", mods=["GP"],
                                        units="2", cas=[("CO", "45", "24"), ("PR", "2", "24")],
                                        control="C000201-1"),
                                   Line("97140", "80", "48", date="20250220", mods=["GP"],
                                        cas=[("CO", "45", "16"), ("PR", "2", "16")],
                                        control="C000201-2")])],
                     trace="ACME-0310").encode()


def _gap_835() -> bytes:
    return build_835([Claim("C000201", "2", "200", "32", pr="8", payer_claim_number="GAP-9",
                            lines=[Line("97110", "120", "19.20", date="20250220", mods=["GP"],
                                        units="2", cas=[("OA", "23", "96"), ("PR", "2", "4.80")],
                                        control="C000201-1"),
                                   Line("97140", "80", "12.80", date="20250220", mods=["GP"],
                                        cas=[("OA", "23", "64"), ("PR", "2", "3.20")],
                                        control="C000201-2")]),
                      Claim("C000102", "2", "120", "19.20", payer_claim_number="GAP-10",
                            cas=[("OA", "23", "100.80")])],
                     trace="GAP-0324", payer="GAP PLAN", originator="1777777777",
                     date="20250324").encode()


def _medicare_835() -> bytes:
    return build_835([Claim("C000102", "19", "120", "76.80", pr="19.20",
                            payer_claim_number="MCR-5",
                            cas=[("CO", "45", "24"), ("PR", "2", "19.20")])],
                     trace="MCR-0310", payer="MEDICARE PART B", originator="1666666666").encode()


def _balances(db, claim_id):
    row = db.query("SELECT insurance_balance, patient_balance FROM claim_facts "
                   "WHERE claim_id = ?", [claim_id]).iloc[0]
    return row.insurance_balance, row.patient_balance


@pytest.fixture
def primary_paid(seeded):
    _setup(seeded)
    s = import_835(seeded, [("acme.835", _acme_835()), ("mcr.835", _medicare_835())], "biller")
    assert s.ok, s.errors
    return seeded


def test_the_primary_leaves_the_coinsurance_with_the_secondary(primary_paid):
    # 200 - 120 - 40 = 40 owed by the Gap Plan; Sam owes nothing yet.
    assert _balances(primary_paid, "C000201") == (M("40.00"), M("0.00"))
    # The crossover: 120 - 76.80 - 24 = 19.20 owed by the Gap Plan.
    assert _balances(primary_paid, "C000102") == (M("19.20"), M("0.00"))


def test_bill_the_secondary_lists_the_claim_with_its_amounts(primary_paid):
    frame = secondary_claims_to_bill(primary_paid, AS_OF)
    # C000102 is a crossover (CLP02 19): Medicare sent it on; the practice waits.
    assert frame.claim_id.tolist() == ["C000201"]
    row = frame.iloc[0]
    assert (row.payer, row.next_payer, row.payer_sequence) == ("Acme Health", "Gap Plan", "S")
    assert (row.prior_paid, row.contractual, row.cost_share, row.owed) == (
        M("120.00"), M("40.00"), M("40.00"), M("40.00"))
    assert row.days_since == 1  # adjudicated 03-10, as of 03-11
    # The work list has it, with its one-click action.
    assert worklists.WORKLISTS["bill_secondary"].fn(primary_paid, AS_OF).claim_id.tolist() == [
        "C000201"]
    assert worklists.ROW_ACTIONS["bill_secondary"].column == "claim_id"


def test_bill_the_secondary_tells_the_next_payers_share_from_a_denied_line(seeded):
    """Acme pays line 1 as before (72, CO-45 24, PR-2 24) and denies line 2 (CO-151 80: a
    frequency limit). The Gap Plan is asked for the 24 of coinsurance; the 80 Acme denied
    stays Acme's (appeal it). Insurance balance 200 - 72 - 24 = 104 = 24 + 80."""
    _setup(seeded)
    denied = build_835([Claim("C000201", "1", "200", "72", pr="24", payer_claim_number="A-78",
                              lines=[Line("97110", "120", "72", date="20250220", mods=["GP"],
                                          units="2", cas=[("CO", "45", "24"), ("PR", "2", "24")],
                                          control="C000201-1"),
                                     Line("97140", "80", "0", date="20250220", mods=["GP"],
                                          cas=[("CO", "151", "80")], control="C000201-2")])],
                       trace="ACME-0310").encode()
    assert import_835(seeded, [("acme.835", denied)], "biller").ok
    row = secondary_claims_to_bill(seeded, AS_OF).iloc[0]
    assert (row.claim_id, row.next_payer_share, row.owed) == ("C000201", M("24.00"),
                                                              M("104.00"))


def test_a_secondary_ended_before_the_visit_leaves_the_coinsurance_to_the_client(primary_paid):
    """Sam's Gap Plan coverage turns out to have ended on 2025-01-31 (before the 02-20 visit):
    ended on file, nobody is next in line on 02-20, so Acme's PR-2 40 is Sam's: insurance
    200 - 120 - 40 - 40 = 0, patient 40; nothing left to bill the Gap Plan."""
    from metdash.entry import client_coverages, end_coverage

    gap = client_coverages(primary_paid, "K001").query("payer == 'Gap Plan'").coverage_id
    end_coverage(primary_paid, int(gap.iloc[0]), D(2025, 1, 31), "biller")
    assert _balances(primary_paid, "C000201") == (M("0.00"), M("40.00"))
    assert secondary_claims_to_bill(primary_paid, AS_OF).empty


def _segments(text: str) -> list[str]:
    return [s.strip() for s in text.split("~") if s.strip()]


def test_the_secondary_837p_carries_the_primarys_adjudication(primary_paid):
    text = write_secondary_837p(primary_paid, ["C000201"], user="biller", now=SECONDARY_SENT)
    assert pyx12_validate(text) == []
    segs = _segments(text)
    claim = segs[segs.index(next(s for s in segs if s.startswith("CLM*C000201"))) - 9:]
    # 2000B: the Gap Plan is now the payer, Sam its subscriber (self), SBR01 S.
    assert "SBR*S*18*******CI" in claim
    assert "NM1*IL*1*SAMPLE*SAM****MI*GAP555001" in claim
    assert "NM1*PR*2*GAP PLAN*****PI*GAP01" in claim
    start = claim.index("CLM*C000201*200***11:B:1*Y*A*Y*Y")
    # From the rendering provider on: 2320 (Acme as primary: paid 120, no claim-level CAS as
    # every adjustment was on a line; remaining patient liability 24 + 16 = 40), 2330A (Sam's
    # Acme member id), 2330B (Acme and its claim number; its remittance date is on each line's
    # 2430, so not here: the guide sends 2330B's DTP*573 only when 2430's is not used), then
    # each line with its 2430: line 1 paid 72 = 120 - 24 - 24; line 2 paid 48 = 80 - 16 - 16.
    rendering = claim.index("NM1*82*1*TRAINER*TESS****XX*1987654328", start)
    assert claim[rendering + 2:rendering + 2 + 22] == [
        "SBR*P*18*GRP9******CI",  # SBR04-08 empty, SBR09 CI
        "AMT*D*120",
        "AMT*EAF*40",
        "OI***Y***Y",
        "NM1*IL*1*SAMPLE*SAM****MI*ACM000111",
        "NM1*PR*2*ACME HEALTH*****PI*ACME1",
        "REF*F8*ACM-77",
        "LX*1",
        "SV1*HC:97110:GP*120*UN*2***1:2",
        "DTP*472*D8*20250220",
        "REF*6R*C000201-1",
        "SVD*ACME1*72*HC:97110:GP**2",
        "CAS*CO*45*24",
        "CAS*PR*2*24",
        "DTP*573*D8*20250310",
        "LX*2",
        "SV1*HC:97140:GP*80*UN*1***1",
        "DTP*472*D8*20250220",
        "REF*6R*C000201-2",
        "SVD*ACME1*48*HC:97140:GP**1",
        "CAS*CO*45*16",
        "CAS*PR*2*16",
    ]
    # Sent: it leaves the list, and cannot be sent twice by mistake. As of the day before
    # it went out, the list still had it (a list under an as-of date shows that date's state).
    assert secondary_claims_to_bill(primary_paid, SECONDARY_SENT.date()).empty
    before = SECONDARY_SENT.date() - dt.timedelta(days=1)
    assert secondary_claims_to_bill(primary_paid, before).claim_id.tolist() == ["C000201"]
    with pytest.raises(X12ExportError, match="not waiting for a secondary claim"):
        write_secondary_837p(primary_paid, ["C000201"], user="biller", now=SECONDARY_SENT)
    # The claim keeps its payer and charge: counted once.
    assert primary_paid.scalar("SELECT payer_id FROM claims WHERE claim_id = 'C000201'") == 1


def test_a_crossover_cannot_be_sent_by_the_practice(primary_paid):
    with pytest.raises(X12ExportError, match="C000102 is not waiting"):
        write_secondary_837p(primary_paid, ["C000102"], user="biller", now=SECONDARY_SENT)


def test_the_secondarys_835_settles_the_claim(primary_paid):
    write_secondary_837p(primary_paid, ["C000201"], user="biller", now=SECONDARY_SENT)
    s = import_835(primary_paid, [("gap.835", _gap_835())], "biller")
    assert s.ok, s.errors
    assert s.matched == 2
    # 40 - 32 - 8 = 0 insurance; the Gap Plan's PR-2 8 is Sam's.
    assert _balances(primary_paid, "C000201") == (M("0.00"), M("8.00"))
    # The crossover: 19.20 - 19.20 = 0; Eve owes nothing.
    assert _balances(primary_paid, "C000102") == (M("0.00"), M("0.00"))
    before = primary_paid.query("SELECT * FROM claim_facts ORDER BY claim_id")
    # Re-importing either 835 changes nothing.
    again = import_835(primary_paid, [("acme.835", _acme_835()), ("gap.835", _gap_835()),
                                      ("mcr.835", _medicare_835())], "biller")
    assert again.ok and again.payments == 0 and again.already_imported == 3
    after = primary_paid.query("SELECT * FROM claim_facts ORDER BY claim_id")
    assert before.equals(after)
    # Nothing is left to bill (the secondary was last in line).
    assert secondary_claims_to_bill(primary_paid, D(2025, 3, 31)).empty


def test_figures_count_the_charge_once_and_every_payers_payment(primary_paid):
    import_835(primary_paid, [("gap.835", _gap_835())], "biller")
    f = Filters(date_from=D(2025, 2, 1), date_to=D(2025, 3, 31), as_of=D(2025, 3, 31))
    k = figures.kpis(primary_paid, f)
    # Charges of the claims served in February and March: C000101 300 (ready, never sent), C000102 120,
    # C000103 100 (draft), C000201 200 = 720: each claim once, not once per payer.
    assert k["gross_charges"] == M("720.00")
    # Payments posted in the period (March): Acme 120 + Medicare 76.80 + Gap Plan (32 + 19.20) = 248.
    assert k["payments"] == M("248.00")
    # Insurance A/R: both claims settled; C000101 and C000103 were never sent (no charge
    # in the books yet): 0. Patient A/R: Sam's 8.
    assert (k["insurance_ar_total"], k["patient_ar_total"]) == (M("0.00"), M("8.00"))
    # Contractual: Acme 40 + Medicare 24 = 64 (OA-23 is COB, not contractual).
    assert k["contractual_adjustments"] == M("64.00")
    facts = primary_paid.query("SELECT claim_id, paid, allowed, patient_responsibility, "
                               "first_claim_payment_id, "
                               "first_adjudication_date FROM claim_facts "
                               "WHERE claim_id IN ('C000201', 'C000102') ORDER BY claim_id")
    # Paid: every payer's; allowed: the primary's current adjudication (200 - 40 CO-45 = 160;
    # 120 - 24 = 96), not the primary's plus the secondary's.
    assert facts.paid.tolist() == [M("96.00"), M("152.00")]
    assert facts.allowed.tolist() == [M("96.00"), M("160.00")]
    # Patient responsibility: what the client ends up owing -- Eve nothing (the Gap Plan paid
    # Medicare's 19.20), Sam the Gap Plan's PR-2 8 (Acme's 40 is not counted again).
    assert facts.patient_responsibility.tolist() == [M("0.00"), M("8.00")]
    # The first adjudication stays the primary's (03-10), not the secondary's (03-24).
    assert facts.first_adjudication_date.tolist() == [D(2025, 3, 10), D(2025, 3, 10)]
    # Per line: paid by both payers (72 + 19.20, 48 + 12.80); allowed by Acme (72 + 24 PR-2,
    # 48 + 16); not denied.
    lines = primary_paid.query("SELECT paid, allowed, denied FROM line_facts "
                               "WHERE claim_id = 'C000201' ORDER BY line_no")
    assert lines.paid.tolist() == [M("91.20"), M("60.80")]
    assert lines.allowed.tolist() == [M("96.00"), M("64.00")]
    assert not lines.denied.any()


def test_revenue_by_payer_credits_each_payment_to_the_payer_that_made_it(primary_paid):
    import_835(primary_paid, [("gap.835", _gap_835())], "biller")
    f = Filters(date_from=D(2025, 2, 1), date_to=D(2025, 3, 31), as_of=D(2025, 3, 31))
    rev = figures.revenue_by_payer(primary_paid, f).set_index("payer")
    # Billed, claims and allowed stay with the payer each claim was billed to:
    #   Acme: C000101 300 + C000103 100 + C000201 200 = 600, 3 claims; allowed 160 (C000201:
    #         its adjudication, 200 - 40 CO-45; the other two never adjudicated).
    #   Medicare: C000102 120, 1 claim; allowed 120 - 24 CO-45 = 96.
    # Paid goes to the payer whose remittance paid it:
    #   Acme 120 (C000201), Medicare 76.80 (C000102), Gap Plan 32 (C000201) + 19.20 (C000102)
    #   = 51.20 -- a row of its own, though it was billed no claim as primary.
    assert rev.loc["Acme Health", ["claims", "billed", "allowed", "paid"]].tolist() == [
        3, M("600.00"), M("160.00"), M("120.00")]
    assert rev.loc["Medicare Part B", ["claims", "billed", "allowed", "paid"]].tolist() == [
        1, M("120.00"), M("96.00"), M("76.80")]
    assert rev.loc["Gap Plan", ["claims", "billed", "allowed", "paid"]].tolist() == [
        0, M("0.00"), M("0.00"), M("51.20")]
    # All of the Gap Plan's 51.20 was paid as the secondary; none of Acme's or Medicare's.
    assert rev.paid_as_secondary.tolist() == [M("0.00"), M("0.00"), M("51.20")]
    # Every payer's payment once: 120 + 76.80 + 51.20 = 248, the same as the payments
    # posted in the period (kpis) and as claim_facts' paid of the four claims (0 + 96 + 0 + 152).
    assert rev.paid.sum() == M("248.00") == figures.kpis(primary_paid, f)["payments"]
    # Patient responsibility stays with the claim's payer: Sam's 8 (the Gap Plan's PR-2 on
    # an Acme claim) under Acme.
    assert rev.loc["Acme Health", "patient_responsibility"] == M("8.00")
    assert rev.loc["Gap Plan", "patient_responsibility"] == M("0.00")
    # A payer paying only as secondary has no visits of its own: no paid per visit.
    assert rev.loc["Gap Plan", "visits"] == 0
    assert pd.isna(rev.loc["Gap Plan", "paid_per_visit"])


def test_line_tables_show_the_billed_payers_own_payment(primary_paid):
    """Expected vs paid and the scorecard's allowed and paid per unit by code set a payer's
    own payment beside its allowed amount. A new-user trial read "Medicare: allowed 122, paid
    122" where Medicare paid 97.60 and its Medigap plan the coinsurance.
    By hand, C000201 (Acme, then the Gap Plan): 97110 × 2 allowed 96, Acme paid 72 (the Gap
    Plan 19.20); 97140 × 1 allowed 64, Acme paid 48 (the Gap Plan 12.80). Acme's own: 160
    allowed, 120 paid (not 152); 97110 paid 72 / 2 = 36 a unit (not 45.60), 97140 48."""
    from metdash.figures.scorecard import allowed_by_code

    import_835(primary_paid, [("gap.835", _gap_835())], "biller")
    lines = primary_paid.query("SELECT paid, own_paid FROM line_facts "
                               "WHERE claim_id = 'C000201' ORDER BY line_no")
    assert lines.paid.tolist() == [M("91.20"), M("60.80")]   # every payer's, as before
    assert lines.own_paid.tolist() == [M("72.00"), M("48.00")]
    f = Filters(date_from=D(2025, 2, 1), date_to=D(2025, 3, 31), as_of=D(2025, 3, 31))
    exp = figures.expected_vs_paid(primary_paid, f).set_index("payer")
    assert (exp.loc["Acme Health", "allowed"], exp.loc["Acme Health", "paid"]) == (160, 120)
    by_code = allowed_by_code(primary_paid, f).set_index(["payer", "cpt"])
    assert by_code.loc[("Acme Health", "97110"), "paid_per_unit"] == pytest.approx(36)
    assert by_code.loc[("Acme Health", "97140"), "paid_per_unit"] == pytest.approx(48)
    assert by_code.loc[("Acme Health", "97110"), "allowed_per_unit"] == pytest.approx(48)


def test_a_payer_cards_paid_says_how_much_came_as_the_secondary(primary_paid):
    """The card's Paid counts what a payer paid as the secondary on other payers' claims,
    its Allowed only its own claims: beside each other they read "pays more than it allows"
    (a new-user trial, the demo's Medicaid). The card shows the part paid as the secondary
    in a tile of its own (the PDF beside Paid), with its definition. The hand-worked
    numbers above (tests/handchecks/revenue_by_payer_secondary.md): the Gap Plan paid 32 +
    19.20 = 51.20, all as the secondary; Acme 120 and Medicare 76.80, none."""
    from metdash import payer_report
    from metdash.figures.scorecard import payer_scorecard

    import_835(primary_paid, [("gap.835", _gap_835())], "biller")
    f = Filters(date_from=D(2025, 2, 1), date_to=D(2025, 3, 31), as_of=D(2025, 3, 31))
    shown = {}
    for payer in ("Gap Plan", "Acme Health", "Medicare Part B"):
        tiles = payer_report.key_figures(payer_scorecard(primary_paid, f, payer, M("0.08")),
                                         secondary=True)
        shown[payer] = tiles[:2]
    assert shown == {
        "Gap Plan": [("paid", "Paid", "$51"), ("paid_as_secondary", "Of it as secondary", "$51")],
        "Acme Health": [("paid", "Paid", "$120"),
                        ("paid_as_secondary", "Of it as secondary", "$0")],
        "Medicare Part B": [("paid", "Paid", "$77"),
                            ("paid_as_secondary", "Of it as secondary", "$0")]}
    # The PDF's tiles stay as they were (its table under them has the line "of it as secondary")
    card = payer_scorecard(primary_paid, f, "Gap Plan", M("0.08"))
    assert "paid_as_secondary" not in [n for n, _, _ in payer_report.key_figures(card)]


def test_without_a_secondary_on_the_date_of_service_the_client_owes_it(seeded):
    # The Gap Plan starts after C000201's date of service (2025-02-20): the coinsurance is
    # Sam's (insurance 200 - 120 - 40 - 40 = 0, patient 40), and nothing is to bill.
    _setup_without_secondary(seeded)
    assert import_835(seeded, [("acme.835", _acme_835())], "biller").ok
    assert _balances(seeded, "C000201") == (M("0.00"), M("40.00"))
    assert secondary_claims_to_bill(seeded, AS_OF).empty


def _setup_without_secondary(db):
    with db.transaction() as con:
        con.execute("""
            INSERT INTO payers (payer_id, name, payer_type, clearinghouse_payer_id)
            VALUES (3, 'Gap Plan', 'commercial', 'GAP01');
            INSERT INTO claims (claim_id, client_id, payer_id, coverage_id, referral_id,
                                referrer_id, rendering_provider_id, status, diagnosis_codes,
                                total_charge, first_service_date)
            VALUES ('C000201', 'K001', 1, 1, 1, 1, 1, 'ready', ['M54.50', 'E11.9'], 200.00,
                    DATE '2025-02-20');
            INSERT INTO claim_lines (claim_id, line_no, service_date, cpt, modifiers, units,
                                     charge, dx_pointers)
            VALUES ('C000201', 1, DATE '2025-02-20', '97110', ['GP'], 2, 120.00, [1, 2]),
                   ('C000201', 2, DATE '2025-02-20', '97140', ['GP'], 1, 80.00, [1]);""")
    save_coverage(db, CoverageIn("K001", 3, "GAP555001", D(2025, 3, 1), priority="secondary"),
                  "biller")
    write_837p(db, ["C000201"], user="biller", now=SENT)


def test_a_secondary_added_later_moves_the_coinsurance_to_it(seeded):
    # Sam's Gap Plan is entered after Acme's 835 posted, dated from before the service: the
    # coinsurance moves from Sam (40) to the Gap Plan (insurance 40, patient 0).
    _setup_without_secondary(seeded)
    assert import_835(seeded, [("acme.835", _acme_835())], "biller").ok
    assert _balances(seeded, "C000201") == (M("0.00"), M("40.00"))
    save_coverage(seeded, CoverageIn("K001", 3, "GAP555001", D(2024, 1, 1),
                                     end_date=D(2025, 2, 28), priority="secondary"), "biller")
    assert _balances(seeded, "C000201") == (M("40.00"), M("0.00"))


def test_coverage_order_is_validated(seeded):
    # Acme is already Sam's primary: it cannot be his secondary on the same dates.
    with pytest.raises(ValidationError, match="Acme Health is already this client's primary"):
        save_coverage(seeded, CoverageIn("K001", 1, "X1", D(2024, 6, 1), priority="secondary"),
                      "biller")
    save_coverage(seeded, CoverageIn("K001", 2, "1EG4TE5MK74", D(2024, 1, 1), priority="secondary"),
                  "biller")
    with seeded.transaction() as con:
        con.execute("INSERT INTO payers (payer_id, name, payer_type) "
                    "VALUES (3, 'Gap Plan', 'commercial')")
    with pytest.raises(ValidationError, match="already has a secondary coverage with Medicare"):
        save_coverage(seeded, CoverageIn("K001", 3, "G1", D(2025, 1, 1), priority="secondary"),
                      "biller")
    # A tertiary is fine.
    save_coverage(seeded, CoverageIn("K001", 3, "G1", D(2025, 1, 1), priority="tertiary"),
                  "biller")


def test_a_secondarys_paper_eob_posts_to_the_same_claim(primary_paid):
    # The Gap Plan's answer on paper instead of an 835: paid 32, OA-23 160, PR-2 8 (claim
    # level): 200 - 160 - 8 = 32 balances. As for the 835: insurance 40 - 32 - 8 = 0,
    # patient 8, and Acme's adjudication stays the claim's first.
    from metdash.entry import AdjustmentIn, EobIn, eob_payers, post_eob

    # The EOB form offers the claim's payer, then the client's secondary on that date.
    assert eob_payers(primary_paid, "C000201") == [(1, "Acme Health"), (3, "Gap Plan")]
    write_secondary_837p(primary_paid, ["C000201"], user="biller", now=SECONDARY_SENT)
    eob = EobIn("C000201", D(2025, 3, 24), paid="32", payer_id=3,
                adjustments=[AdjustmentIn("OA", "23", "160"), AdjustmentIn("PR", "2", "8")])
    post_eob(primary_paid, eob, "biller", as_of=D(2025, 3, 31))
    assert _balances(primary_paid, "C000201") == (M("0.00"), M("8.00"))
    assert primary_paid.scalar(
        "SELECT status_code FROM claim_payments cp JOIN remittances r USING (remittance_id) "
        "WHERE r.payer_id = 3") == "2"
    assert primary_paid.scalar("SELECT first_adjudication_date FROM claim_facts "
                               "WHERE claim_id = 'C000201'") == D(2025, 3, 10)
    # Medicare is no coverage of Sam's: refused, nothing written.
    with pytest.raises(ValidationError, match="not a secondary or tertiary coverage"):
        post_eob(primary_paid, EobIn("C000201", D(2025, 3, 25), paid="0", payer_id=2,
                                     adjustments=[AdjustmentIn("OA", "23", "200")]),
                 "biller", as_of=D(2025, 3, 31))


def test_the_command_writes_the_secondary_claims(primary_paid, tmp_path):
    from click.testing import CliRunner

    from metdash.cli import main

    primary_paid.release()
    out = tmp_path / "secondary.837"
    result = CliRunner().invoke(main, ["export-837-secondary", "--db", str(primary_paid.path),
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 secondary claim(s) written" in result.output
    text = out.read_text(encoding="ascii")
    assert "CLM*C000201*200" in text and "AMT*D*120" in text and pyx12_validate(text) == []
    # Again: nothing waits any more.
    again = CliRunner().invoke(main, ["export-837-secondary", "--db", str(primary_paid.path),
                                      "--out", str(tmp_path / "again.837")])
    assert again.exit_code == 0 and "No claim waits" in again.output
    assert not (tmp_path / "again.837").exists()


def test_a_claim_level_remittance_goes_in_2320(seeded):
    # Acme answers at the claim level only (no SVC): paid 120, CO-45 40, PR-2 40. The
    # secondary claim carries those as 2320 CAS (120 + 40 + 40 = 200 = the claim's charge) and
    # no 2430.
    _setup(seeded)
    flat = build_835([Claim("C000201", "1", "200", "120", pr="40", payer_claim_number="ACM-78",
                            cas=[("CO", "45", "40"), ("PR", "2", "40")])],
                     trace="ACME-FLAT").encode()
    assert import_835(seeded, [("flat.835", flat)], "biller").ok
    text = write_secondary_837p(seeded, ["C000201"], user="biller", now=SECONDARY_SENT)
    assert pyx12_validate(text) == []
    segs = _segments(text)
    at = segs.index("SBR*P*18*GRP9******CI")
    assert segs[at:at + 5] == ["SBR*P*18*GRP9******CI", "CAS*CO*45*40", "CAS*PR*2*40",
                               "AMT*D*120", "AMT*EAF*40"]
    assert not [s for s in segs if s.startswith("SVD*")]
    # No 2430: the remittance's date is the claim's, in 2330B.
    assert segs[at + 8:at + 10] == ["DTP*573*D8*20250310", "REF*F8*ACM-78"]


def test_a_tertiary_claim_carries_both_earlier_payers(primary_paid):
    # Sam also has Medicare Part B as his tertiary. The Gap Plan's PR-2 8 then goes on to
    # Medicare (insurance 40 - 32 = 8 still owed, patient 0), the claim is listed again (T),
    # and its 837P carries two 2320 loops: Acme (P, paid 120) and the Gap Plan (S, paid 32).
    save_coverage(primary_paid, CoverageIn("K001", 2, "1EG4TE5MK75", D(2024, 1, 1),
                                           priority="tertiary"), "biller")
    write_secondary_837p(primary_paid, ["C000201"], user="biller", now=SECONDARY_SENT)
    assert import_835(primary_paid, [("gap.835", _gap_835())], "biller").ok
    assert _balances(primary_paid, "C000201") == (M("8.00"), M("0.00"))
    frame = secondary_claims_to_bill(primary_paid, D(2025, 3, 25))
    row = frame.set_index("claim_id").loc["C000201"]
    assert (row.payer, row.next_payer, row.payer_sequence, row.cost_share, row.owed) == (
        "Gap Plan", "Medicare Part B", "T", M("8.00"), M("8.00"))
    text = write_secondary_837p(primary_paid, ["C000201"], user="biller",
                                now=dt.datetime(2025, 3, 26, 9, 0))
    assert pyx12_validate(text) == []
    segs = _segments(text)
    assert "SBR*T*18*******MB" in segs
    assert [s for s in segs if s.startswith(("SBR*P", "SBR*S", "AMT*D"))] == [
        "SBR*P*18*GRP9******CI", "AMT*D*120", "SBR*S*18*******CI", "AMT*D*32"]
    # Line 1's 2430 for both: Acme paid 72, the Gap Plan 19.20 (OA-23 96, PR-2 4.80).
    assert [s for s in segs if s.startswith("SVD*")] == [
        "SVD*ACME1*72*HC:97110:GP**2", "SVD*GAP01*19.2*HC:97110:GP**2",
        "SVD*ACME1*48*HC:97140:GP**1", "SVD*GAP01*12.8*HC:97140:GP**1"]
    # Medicare pays the 8 as tertiary (CLP02 3; OA-23 192 = what the others settled): done.
    mcr = build_835([Claim("C000201", "3", "200", "8", payer_claim_number="MCR-T",
                           cas=[("OA", "23", "192")])],
                    trace="MCR-T", payer="MEDICARE PART B", originator="1666666666",
                    date="20250410").encode()
    assert import_835(primary_paid, [("mcr-t.835", mcr)], "biller").ok
    assert _balances(primary_paid, "C000201") == (M("0.00"), M("0.00"))


def test_a_secondary_without_coverage_on_the_date_of_service_is_refused(seeded):
    # The Gap Plan starts 2025-03-01, after C000201's service (02-20): its 835 paying as
    # secondary is refused with what to fix, and nothing is imported.
    _setup_without_secondary(seeded)
    assert import_835(seeded, [("acme.835", _acme_835())], "biller").ok
    s = import_835(seeded, [("gap.835", _gap_835())], "biller")
    assert not s.ok and s.payments == 0
    assert ("GAP PLAN (N1*PR) paid claim C000201 as a later payer, but the client has no "
            "coverage with it on the claim's date of service 2025-02-20") in s.errors[0]
    assert _balances(seeded, "C000201") == (M("0.00"), M("40.00"))


# -- Acknowledgments of a secondary claim (999, 277CA) ------------------------------------
# The secondary 837P of C000201 goes out on 2025-03-12 as ISA13 2 / GS06 2 / ST02 0002 (the
# primary 837P of 02-21 was 1 / 1 / 0001, with C000102). Its 2010BA member id is the Gap
# Plan's (GAP555001); the primary's was Acme's (ACM000111). Answers are dated 2025-03-13.
ACK_DAY = D(2025, 3, 13)
ACK_TABLES = ("acknowledgments", "ack_sets", "claim_acks", "x12_submissions",
              "secondary_claims", "claim_status_history", "imports", "audit_log")


@pytest.fixture
def secondary_sent(primary_paid):
    write_secondary_837p(primary_paid, ["C000201"], user="biller", now=SECONDARY_SENT)
    return primary_paid


def _acks(db, *texts: str):
    s = import_acks(db, [(f"ack{n}.x12", t.encode()) for n, t in enumerate(texts, start=1)],
                    "biller", now=dt.datetime(2025, 3, 13, 15, 0))
    assert s.ok, s.errors
    return s


def _primary_side(db) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """What the claim's own payer's side looks like: its row, status history and facts."""
    return (db.query("SELECT * FROM claims WHERE claim_id = 'C000201'"),
            db.query("SELECT * FROM claim_status_history WHERE claim_id = 'C000201' "
                     "ORDER BY seq"),
            db.query("SELECT * FROM claim_facts WHERE claim_id = 'C000201'"))


def _same_frames(before, after) -> None:
    for b, a in zip(before, after, strict=True):
        pd.testing.assert_frame_equal(b, a)


def test_the_secondary_837p_records_its_submission(secondary_sent):
    rows = secondary_sent.query(
        "SELECT interchange, group_number, set_number, claim_id, submitted_at, "
        "coalesce(secondary_claim_id, 0) AS sending FROM x12_submissions "
        "ORDER BY group_number, claim_id")
    # The primary 837P's two claims (0: no secondary sending), then the secondary's one.
    assert rows.values.tolist() == [
        [1, 1, 1, "C000102", pd.Timestamp(SENT), 0],
        [1, 1, 1, "C000201", pd.Timestamp(SENT), 0],
        [2, 2, 2, "C000201", pd.Timestamp(SECONDARY_SENT), 1]]
    assert secondary_sent.scalar("SELECT claim_id FROM secondary_claims "
                                 "WHERE secondary_claim_id = 1") == "C000201"


def test_a_999_accepting_the_secondary_837p_matches_it(secondary_sent):
    before = _primary_side(secondary_sent)
    s = _acks(secondary_sent, build_999(2, 2, accepted=True))
    assert (s.accepted, s.rejected, s.unmatched) == (1, 0, 0)
    got = secondary_sent.query("SELECT claim_id, kind, outcome, secondary_claim_id "
                               "FROM claim_acks").values.tolist()
    assert got == [["C000201", "999", "accepted", 1]]
    assert secondary_sent.scalar("SELECT claims FROM ack_sets") == 1
    # Accepted: still sent, not listed again; the claim itself is as it was.
    assert secondary_claims_to_bill(secondary_sent, ACK_DAY).empty
    assert secondary_sent.scalar("SELECT rejected_date FROM secondary_claims") is None
    _same_frames(before, _primary_side(secondary_sent))


def test_a_999_rejecting_the_secondary_set_puts_the_claim_back_on_the_list(secondary_sent):
    before = _primary_side(secondary_sent)
    s = _acks(secondary_sent, build_999(2, 2, accepted=False, claim_id="C000201"))
    assert (s.accepted, s.rejected, s.unmatched, s.secondary_rejected) == (0, 1, 0, 1)
    sent = secondary_sent.query("SELECT * FROM secondary_claims").iloc[0]
    assert sent.rejected_date == ACK_DAY  # the 999's GS04
    assert sent.rejection_reason == (
        "The clearinghouse rejected 837 transaction set 0002 of group 2: segment NM1 at "
        "position 17 (loop 2010): segment has data element errors; element NM109: invalid "
        "character in element (sent 'GAP55500!'); one or more segments in error (the 999 "
        "names this claim).")
    assert sent.rejection_codes == "IK3*NM1*17*2010*8; IK4*9*67*6*GAP55500!; IK5-02*5"
    # Back on "Bill the secondary" from the day of the rejection, with its reason ...
    assert secondary_claims_to_bill(secondary_sent, D(2025, 3, 12)).empty
    listed = worklists.WORKLISTS["bill_secondary"].fn(secondary_sent, ACK_DAY)
    assert listed.claim_id.tolist() == ["C000201"]
    assert listed.next_payer.iloc[0] == "Gap Plan"
    assert listed.last_rejection.iloc[0] == sent.rejection_reason
    # ... not on the primary's "rejected -- fix and resend", and the claim's own status,
    # history and money are untouched (its payer, Acme, adjudicated it).
    assert acks.rejected_claims(secondary_sent, ACK_DAY).empty
    _same_frames(before, _primary_side(secondary_sent))
    # Sent again (fixed): a second sending, off the list; the rejected one stays on record.
    write_secondary_837p(secondary_sent, ["C000201"], user="biller",
                         now=dt.datetime(2025, 3, 14, 9, 0))
    assert secondary_claims_to_bill(secondary_sent, D(2025, 3, 14)).empty
    assert secondary_sent.query(
        "SELECT secondary_claim_id, coalesce(rejected_date::VARCHAR, 'not rejected') AS r "
        "FROM secondary_claims ORDER BY 1").values.tolist() == [[1, "2025-03-13"],
                                                               [2, "not rejected"]]


@pytest.mark.parametrize("batch_trace, member_id", [
    ("000000002", "GAP555001"),  # the 837P's BHT03 echoed, and the Gap Plan's member id
    ("CH-BATCH-77", "GAP555001"),  # the clearinghouse's own batch id: the member id says
    ("CH-BATCH-77", "ZZ0000000"),  # no clue: the latest sending before the 277CA
], ids=["batch trace", "member id", "latest sending"])
def test_a_277ca_rejecting_the_secondary_claim(secondary_sent, batch_trace, member_id):
    before = _primary_side(secondary_sent)
    ca = build_277ca([Status277("C000201", member_id, "A7:164:IL")], batch_trace=batch_trace)
    s = _acks(secondary_sent, build_999(2, 2, accepted=True), ca)
    assert (s.accepted, s.rejected, s.secondary_rejected) == (1, 1, 1)
    got = secondary_sent.query("SELECT kind, outcome, secondary_claim_id FROM claim_acks "
                               "ORDER BY ack_id").values.tolist()
    assert got == [["999", "accepted", 1], ["277CA", "rejected", 1]]
    listed = secondary_claims_to_bill(secondary_sent, ACK_DAY)
    assert listed.claim_id.tolist() == ["C000201"]
    assert listed.last_rejection.iloc[0] == ("Rejected for invalid information: the "
                                             "subscriber's contract / member number.")
    assert secondary_sent.scalar("SELECT rejection_codes FROM secondary_claims") == "A7:164:IL"
    assert acks.rejected_claims(secondary_sent, ACK_DAY).empty
    # The claim's history says which 837P each answer was about.
    history = acks.claim_acknowledgments(secondary_sent, "C000201")
    assert history[["acknowledgment", "sent_to", "outcome"]].values.tolist() == [
        ["999", "Gap Plan (secondary)", "accepted"], ["277CA", "Gap Plan (secondary)",
                                                     "rejected"]]
    _same_frames(before, _primary_side(secondary_sent))


def test_reimporting_a_secondary_claims_acknowledgments_changes_nothing(secondary_sent):
    texts = (build_999(2, 2, accepted=False, claim_id="C000201"),
             build_277ca([Status277("C000201", "GAP555001", "A7:164:IL")],
                         batch_trace="000000002"))
    assert _acks(secondary_sent, *texts).secondary_rejected == 1
    snapshot = {t: secondary_sent.query(f"SELECT * FROM {t}") for t in ACK_TABLES}
    listed = secondary_claims_to_bill(secondary_sent, ACK_DAY)
    assert listed.claim_id.tolist() == ["C000201"]
    again = _acks(secondary_sent, *reversed(texts))
    assert again.acknowledgments == 0 and again.already_imported == 2
    for table, frame in snapshot.items():
        pd.testing.assert_frame_equal(frame, secondary_sent.query(f"SELECT * FROM {table}"))
    pd.testing.assert_frame_equal(listed, secondary_claims_to_bill(secondary_sent, ACK_DAY))


def test_the_primarys_acknowledgments_of_the_same_claim_stay_the_primarys(secondary_sent):
    # The primary 837P (group 1) answered after the secondary went out: a 999 rejecting its
    # set and Acme's 277CA rejecting C000201 (trace 000000001, Acme's member id). Both are the
    # primary's, as before: no secondary_claim_id, the secondary sending untouched.
    primary_ca = build_277ca([Status277("C000201", "ACM000111", "A7:164:IL")],
                             batch_trace="000000001", source=("PR", "ACME HEALTH", "ACME1"))
    s = _acks(secondary_sent, build_999(1, 1, accepted=False, claim_id="C000201"), primary_ca)
    assert (s.rejected, s.secondary_rejected, s.unmatched) == (3, 0, 0)
    got = secondary_sent.query("SELECT kind, claim_id, outcome, secondary_claim_id IS NULL "
                               "FROM claim_acks ORDER BY ack_id, seq").values.tolist()
    assert got == [["999", "C000102", "rejected", True], ["999", "C000201", "rejected", True],
                   ["277CA", "C000201", "rejected", True]]
    assert secondary_sent.scalar("SELECT rejected_date FROM secondary_claims") is None
    assert secondary_claims_to_bill(secondary_sent, ACK_DAY).empty
    assert set(acks.claim_acknowledgments(secondary_sent, "C000201").sent_to) == {
        "Acme Health"}
    # A 277CA dated before the secondary went out can only be the primary's, whatever it says.
    early = build_277ca([Status277("C000201", "ZZ0000000")], batch_trace="X",
                        date="20250222", control=802)
    _acks(secondary_sent, early)
    assert secondary_sent.scalar("SELECT secondary_claim_id FROM claim_acks "
                                 "WHERE status_date = DATE '2025-02-22'") is None


def test_the_clean_claim_rate_reads_the_primarys_acknowledgments_only(secondary_sent):
    # C000201 and C000102 were first submitted on 02-21 (to Acme and Medicare) and never
    # acknowledged: 2 unacknowledged. The Gap Plan's 277CA accepting the secondary claim is no
    # answer to Acme's submission: the figure does not change.
    f = Filters(D(2025, 2, 1), D(2025, 2, 28), D(2025, 3, 31))
    before = clean_claim_rate(secondary_sent, f)
    assert (before["claims_submitted"], before["claims_unacknowledged"]) == (2, 2)
    _acks(secondary_sent, build_999(2, 2, accepted=True),
          build_277ca([Status277("C000201", "GAP555001")], batch_trace="000000002"))
    assert clean_claim_rate(secondary_sent, f) == before


def test_the_import_command_says_where_a_rejected_secondary_claim_went(secondary_sent,
                                                                       tmp_path):
    from click.testing import CliRunner

    from metdash.cli import main

    secondary_sent.release()
    path = tmp_path / "gap.999"
    path.write_text(build_999(2, 2, accepted=False, claim_id="C000201"))
    r = CliRunner().invoke(main, ["import-ack", "--db", str(secondary_sent.path), str(path)])
    assert r.exit_code == 0, r.output
    assert ('1 claim(s) rejected (1 of them secondary claims, back on "Bill the secondary").'
            in r.output)


def test_the_secondary_claims_page_shows_why_the_last_one_was_rejected(secondary_sent,
                                                                       monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from metdash import ui

    _acks(secondary_sent, build_999(2, 2, accepted=False, claim_id="C000201"))
    monkeypatch.setenv("METDASH_DB", str(secondary_sent.path))
    monkeypatch.setattr(ui, "today", lambda: ACK_DAY)
    st.cache_data.clear()
    at = AppTest.from_file(str(Path(__file__).parents[2] / "pages" / "secondary_claims.py"),
                           default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "claim_id" in d.value.columns)
    assert table.claim_id.tolist() == ["C000201"]
    reason = table.last_rejection.iloc[0]
    assert reason.startswith("The clearinghouse rejected 837 transaction set 0002 of group 2")


def test_a_secondarys_remittance_before_the_primarys_is_not_the_first_pass(seeded):
    """Found by a new-user trial: the Gap Plan's 835 for C000201, dated (and imported) before
    Acme's, stayed the claim's first adjudication once Acme's arrived, so the first-pass
    figures read the secondary's answer. The first adjudication is the billed payer's (Acme,
    03-10); the Gap Plan's counts only while Acme has none."""
    _setup(seeded)
    early_gap = _gap_835().replace(b"20250324", b"20250305").replace(b"GAP-0324", b"GAP-0305")
    assert import_835(seeded, [("gap.835", early_gap)], "biller").ok
    first = "SELECT first_adjudication_date FROM claim_facts WHERE claim_id = 'C000201'"
    assert seeded.scalar(first) == D(2025, 3, 5)  # the only answer so far
    assert import_835(seeded, [("acme.835", _acme_835())], "biller").ok
    assert seeded.scalar(first) == D(2025, 3, 10)
    assert seeded.scalar(
        "SELECT r.trace_number FROM claim_facts f JOIN claim_payments cp "
        "ON cp.claim_payment_id = f.first_claim_payment_id JOIN remittances r "
        "USING (remittance_id) WHERE f.claim_id = 'C000201'") == "ACME-0310"
