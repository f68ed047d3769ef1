"""837P export: golden file, pyx12 validity, control numbers, statuses, our own checks."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest

from metdash.errors import StoreError, X12ExportError
from metdash.store import facts
from metdash.x12.model837 import ControlNumbers
from metdash.x12.validate import claim_problems, pyx12_validate
from metdash.x12.write837 import load_batch, render_837p, write_837p

from .conftest import NOW

GOLDEN = Path(__file__).parent / "fixtures" / "golden_837p.txt"


def _batch(db):
    with db.connect() as con:
        batch, problems = load_batch(con, None)
    assert problems == []
    return batch


def test_golden_file(seeded):
    text = render_837p(_batch(seeded), ControlNumbers(7, 8, 9), NOW)
    if os.environ.get("METDASH_REGEN_GOLDEN"):
        GOLDEN.write_text(text, encoding="ascii")
    assert text == GOLDEN.read_text(encoding="ascii")


def test_render_is_valid_under_pyx12(seeded):
    text = render_837p(_batch(seeded), ControlNumbers(7, 8, 9), NOW)
    assert pyx12_validate(text) == []


def test_pyx12_validate_reports_problems(seeded):
    text = render_837p(_batch(seeded), ControlNumbers(7, 8, 9), NOW)
    broken = text.replace("SBR*P*18*GRP9******CI~", "SBR*Q*18*GRP9******CI~")
    problems = pyx12_validate(broken)
    assert problems and any("SBR" in p or "Payer Responsibility" in p or "(Q)" in p
                            for p in problems), problems
    assert pyx12_validate("\ufeff" + text) == []  # a BOM is dropped, not a crash


def test_write_moves_claims_to_submitted_and_numbers_increase(seeded):
    first = write_837p(seeded, ["C000101"], user="biller", now=NOW)
    later = NOW + dt.timedelta(days=1)
    second = write_837p(seeded, ["C000102"], user="biller", now=later)
    assert "*000000001*0*P*:~" in first and "*000000002*0*P*:~" in second
    assert "ST*837*0001*" in first and "ST*837*0002*" in second
    with seeded.connect() as con:
        assert con.execute("SELECT name, last_number FROM x12_control ORDER BY name"
                           ).fetchall() == [("group", 2), ("interchange", 2), ("transaction", 2)]
        rows = con.execute("SELECT claim_id, status, submitted_date, last_submitted_date "
                           "FROM claims ORDER BY claim_id").fetchall()
        hist = con.execute("SELECT claim_id, seq, status, status_date, changed_by "
                           "FROM claim_status_history ORDER BY claim_id").fetchall()
    assert rows == [("C000101", "submitted", NOW.date(), NOW.date()),
                    ("C000102", "submitted", later.date(), later.date()),
                    ("C000103", "draft", None, None)]
    assert hist == [("C000101", 1, "submitted", NOW.date(), "biller"),
                    ("C000102", 1, "submitted", later.date(), "biller")]
    assert seeded.scalar("SELECT count(*) FROM audit_log WHERE action = 'status'") == 2
    # a resend keeps the first submission date
    write_837p(seeded, ["C000101"], user="biller", now=later)
    assert seeded.scalar("SELECT submitted_date FROM claims WHERE claim_id = 'C000101'") == \
        NOW.date()


def test_claims_are_submitted_only_once_the_file_is_delivered(seeded):
    def lost(text: str) -> None:
        assert text.startswith("ISA*")  # handed over whole, before the commit
        raise OSError(28, "No space left on device")

    # A full disk: one line, nothing saved (metdash.store.db words it as a StoreError).
    with pytest.raises((OSError, StoreError), match="No space left on device"):
        write_837p(seeded, None, user="biller", now=NOW, deliver=lost)
    assert seeded.scalar("SELECT count(*) FROM claims WHERE status = 'ready'") == 2
    assert seeded.scalar("SELECT count(*) FROM x12_control") == 0  # no number spent
    assert seeded.scalar("SELECT count(*) FROM audit_log") == 0
    got: list[str] = []
    text = write_837p(seeded, None, user="biller", now=NOW, deliver=got.append)
    assert got == [text] and "*000000001*0*P*:~" in text
    assert seeded.scalar("SELECT count(*) FROM claims WHERE status = 'submitted'") == 2


def test_default_is_every_ready_claim(seeded):
    text = write_837p(seeded, None, user="biller", now=NOW, mark_submitted=False)
    assert [ln.split("*")[1] for ln in text.splitlines() if ln.startswith("CLM*")] == [
        "C000101", "C000102"]
    assert seeded.scalar("SELECT count(*) FROM claims WHERE status = 'ready'") == 2
    with pytest.raises(X12ExportError) as info:
        write_837p(seeded, ["C000103", "NOPE"], user="biller", now=NOW)
    assert info.value.problems == [
        "Claim C000103 is draft: only a claim that is ready (or already sent, to resend it) "
        "can be exported.",
        "Claim NOPE does not exist: check the claim id.",
    ]


def test_our_checks_catch_what_pyx12_does_not(seeded):
    with seeded.transaction() as con:
        con.execute("UPDATE referrers SET npi = '1234567890'")
        con.execute("UPDATE claims SET total_charge = 310, diagnosis_codes = ['M54.5', 'E11.9']"
                    " WHERE claim_id = 'C000101'")
        facts.touch(con, ["C000101"])  # a claim changed in place is named (metdash.store.facts)
    batch = _batch(seeded)
    problems = claim_problems(batch)
    assert "Claim C000101: referring NPI 1234567890 fails its check digit: copy it again from " \
           "the referral or NPPES." in problems
    assert "Claim C000101: total charge 310.00 does not equal the sum of its line charges " \
           "300.00: correct the lines or the total." in problems
    assert "Claim C000101: Diagnosis M54.5 is a category, not a billable code: choose M54.50, " \
           "M54.51 or M54.59." in problems
    # pyx12 alone accepts the file
    assert pyx12_validate(render_837p(batch, ControlNumbers(1, 1, 1), NOW)) == []
    with pytest.raises(X12ExportError) as info:
        write_837p(seeded, None, user="biller", now=NOW)
    assert set(problems) <= set(info.value.problems)
    # nothing changed
    assert seeded.scalar("SELECT count(*) FROM claims WHERE status = 'ready'") == 2
    assert seeded.scalar("SELECT count(*) FROM x12_control") == 0


def test_a_medicare_claim_under_an_old_hicn_is_not_sent(seeded):
    """Eve's Medicare coverage on file from before the MBI check, under her old HICN: pyx12
    accepts the 837P, Medicare's front end would reject the claim unread. Refused, with
    where to put the id right; nothing is sent or numbered."""
    with seeded.transaction() as con:
        con.execute("UPDATE coverages SET member_id = '123456789A' WHERE client_id = 'K002'")
    with pytest.raises(X12ExportError) as info:
        write_837p(seeded, ["C000102"], user="biller", now=NOW)
    assert info.value.problems == [
        "Claim C000102: Medicare member id '123456789A' is an old Health Insurance Claim "
        "Number (HICN): Medicare has refused claims under it since 2020; ask the client for "
        "the Medicare card with the 11-character Medicare Beneficiary Identifier (MBI). Then "
        "correct the coverage's member id (Clients → Add coverage → the client's coverages)."]
    assert seeded.scalar("SELECT count(*) FROM x12_control") == 0


def test_a_five_digit_practice_zip_is_refused(seeded):
    """The 5010 837P's billing provider address (2010AA N403) must carry the full ZIP+4;
    pyx12 accepts five digits, a clearinghouse does not. Nothing is sent or numbered."""
    with seeded.transaction() as con:
        con.execute("UPDATE practice SET zip = '62701'")
    batch = _batch_with_problems(seeded)
    assert pyx12_validate(render_837p(batch, ControlNumbers(1, 1, 1), NOW)) == []
    with pytest.raises(X12ExportError) as info:
        write_837p(seeded, None, user="biller", now=NOW)
    assert info.value.problems == [
        "Practice ZIP '62701' is not a full ZIP+4: the 837P's billing provider (loop 2010AA, "
        "N403) needs all nine digits and clearinghouses reject a claim without them. Enter it "
        "as 62701-NNNN in the practice settings (the USPS ZIP code lookup gives the last four)."]
    assert seeded.scalar("SELECT count(*) FROM claims WHERE status = 'ready'") == 2
    assert seeded.scalar("SELECT count(*) FROM x12_control") == 0
    # ZIP+4 written with a hyphen is sent as its nine digits
    with seeded.transaction() as con:
        con.execute("UPDATE practice SET zip = '62701-1234'")
    text = write_837p(seeded, None, user="biller", now=NOW, mark_submitted=False)
    assert "N4*SPRINGFIELD*IL*627011234~" in text


def test_a_rendering_provider_still_named_by_the_import_is_not_sent(seeded):
    """A new-user trial's 837P said NM1*82*1*IMPORTED PROVIDER*1456789019****XX*1456789019:
    the claims import's placeholder for a provider its file did not name, the NPI as first
    name. Refused once per provider, naming its NPI, its claims and where to name it, with
    the other refusals; nothing is sent or numbered."""
    from metdash import entry as e

    placeholder = e.imported_provider("1987654328")
    with seeded.transaction() as con:
        con.execute("UPDATE providers SET last_name = ?, first_name = ?, taxonomy = NULL "
                    "WHERE provider_id = 1", [placeholder.last_name, placeholder.first_name])
        con.execute("UPDATE practice SET zip = '62701'")
    with pytest.raises(X12ExportError) as info:
        write_837p(seeded, None, user="biller", now=NOW)
    assert info.value.problems[1:] == [
        "Rendering provider NPI 1987654328 is still named 'Imported provider', the claims "
        "import's placeholder (its first name the NPI), and would go out so on claims "
        "C000101, C000102: enter the provider's name under Settings → Providers → Change a "
        "provider."]
    assert info.value.problems[0].startswith("Practice ZIP '62701' is not a full ZIP+4")
    assert seeded.scalar("SELECT count(*) FROM claims WHERE status = 'ready'") == 2
    assert seeded.scalar("SELECT count(*) FROM x12_control") == 0
    # Named on Settings: sent under that name.
    with seeded.transaction() as con:
        con.execute("UPDATE practice SET zip = '62701-1234'")
    e.save_provider(seeded, e.ProviderIn("1987654328", "Trainer", "Tess", "MEP"), "owner",
                    provider_id=1)
    text = write_837p(seeded, None, user="biller", now=NOW, mark_submitted=False)
    assert "NM1*82*1*TRAINER*TESS****XX*1987654328~" in text


def test_a_client_without_an_address_is_not_sent(seeded):
    """005010X222A1: the subscriber's N3/N4 (loop 2010BA) are required when the patient is
    the subscriber, the patient's (2010CA) when not; clearinghouses reject a claim without
    them, and a client from a spreadsheet has no address (a new-user trial's 837P went
    NM1*IL, then DMG). Sam (K001) is his own subscriber with no address at all; Eve (K002)
    is Ed's child with no city or ZIP. Refused, once per client, with the other refusals;
    nothing is sent or numbered."""
    with seeded.transaction() as con:
        con.execute("UPDATE clients SET address_line1 = NULL, city = NULL, state = NULL, "
                    "zip = NULL WHERE client_id = 'K001'")
        con.execute("UPDATE clients SET city = '', zip = NULL WHERE client_id = 'K002'")
        con.execute("UPDATE claims SET status = 'ready' WHERE claim_id = 'C000103'")
        facts.touch(con, ["C000103"], status_only=True)
        con.execute("UPDATE practice SET zip = '62701'")
    with pytest.raises(X12ExportError) as info:
        write_837p(seeded, None, user="biller", now=NOW)
    problems = info.value.problems
    assert problems[0].startswith("Practice ZIP '62701' is not a full ZIP+4")
    assert problems[1:] == [
        "Client Sample, Sam (K001) has no street address, city, state or ZIP on file, which "
        "the 837P's subscriber (loop 2010BA, N3/N4) needs: clearinghouses reject claims "
        "C000101, C000103 without it. Add the address under Clients & referrers → Change a "
        "client.",
        "Client Example, Eve (K002) has no city or ZIP on file, which the 837P's patient "
        "(loop 2010CA, N3/N4) needs: clearinghouses reject claim C000102 without it. Add the "
        "address under Clients & referrers → Change a client."]
    assert "Sample" not in problems[1].masked and "(K001)" in problems[1].masked
    assert seeded.scalar("SELECT count(*) FROM claims WHERE status = 'ready'") == 3
    assert seeded.scalar("SELECT count(*) FROM x12_control") == 0


def _batch_with_problems(db):
    with db.connect() as con:
        batch, _ = load_batch(con, None)
    return batch


def test_separators_in_data_are_removed(seeded):
    with seeded.transaction() as con:
        con.execute("UPDATE clients SET last_name = 'O*Brien~Smith:Jr' WHERE client_id = 'K001'")
    text = render_837p(_batch(seeded), ControlNumbers(1, 1, 1), NOW)
    assert "NM1*IL*1*O BRIEN SMITH JR*SAM****MI*ACM000111~" in text
    assert pyx12_validate(text) == []


def test_money_format(seeded):
    with seeded.transaction() as con:
        con.execute("UPDATE claim_lines SET charge = 150.50 WHERE claim_id = 'C000101' "
                    "AND line_no = 1")
        con.execute("UPDATE claims SET total_charge = 300.50 WHERE claim_id = 'C000101'")
        facts.touch(con, ["C000101"])
    text = render_837p(_batch(seeded), ControlNumbers(1, 1, 1), NOW)
    assert "CLM*C000101*300.5***" in text and "SV1*HC:97110:GP*150.5*UN*2***1:2~" in text
    assert Decimal("300.5") == sum(Decimal(x) for x in ("150.5", "100", "50"))


def test_every_service_line_carries_its_line_item_control_number(seeded):
    """DOMAIN.md: the 837P sends REF*6R on every line (2400, after DTP*472), which the 835
    echoes under SVC; ours is <claim id>-<line number>, unique within the file."""
    text = render_837p(_batch(seeded), ControlNumbers(7, 8, 9), NOW)
    segs = [s.strip() for s in text.split("~") if s.strip()]
    refs = [segs[i + 1] for i, s in enumerate(segs) if s.startswith("DTP*472*")]
    assert refs == ["REF*6R*C000101-1", "REF*6R*C000101-2", "REF*6R*C000101-3",
                    "REF*6R*C000102-1"]
    assert sum(s.startswith("REF*6R*") for s in segs) == sum(s.startswith("SV1*") for s in segs)
    assert pyx12_validate(text) == []


def test_a_line_charged_nothing_is_not_sent(seeded):
    """A new-user tour billed a code with no fee on the schedule: the line was $0.00, only a
    warning while building, and `metdash export-837` sent SV1*HC:97112*0. Payers pay nothing
    on such a line and many reject the claim."""
    with seeded.transaction() as con:
        con.execute("UPDATE claim_lines SET charge = 0 WHERE claim_id = 'C000101' "
                    "AND line_no = 2")
        con.execute("UPDATE claims SET total_charge = (SELECT sum(charge) FROM claim_lines "
                    "WHERE claim_id = 'C000101') WHERE claim_id = 'C000101'")
        facts.touch(con, ["C000101"])
    cpt = seeded.scalar("SELECT cpt FROM claim_lines WHERE claim_id = 'C000101' AND line_no = 2")
    with pytest.raises(X12ExportError) as info:
        write_837p(seeded, None, user="biller", now=NOW)
    assert info.value.problems == [
        f"Claim C000101: line 2 ({cpt}) is charged $0.00: a payer pays nothing on it, and many "
        "reject the whole claim. Enter the line's charge (correct the claim), or add the "
        "code's fee under Settings and build the claim again."]
    assert seeded.scalar("SELECT count(*) FROM x12_control") == 0
