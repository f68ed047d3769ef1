"""A replacement claim that changes nothing is refused (found and left at stop 45, taken up at
stop 46): it goes out as frequency 7 naming the payer's claim, the payer sees the claim it
already decided and denies it as a duplicate (CARC 18), and the denial it was meant to fix
stays. The practice is tests/x12/conftest.py's; C000101 (Sam Sample, Acme Health, $300.00:
97110-GP x2 $150 and 97140-GP:59 $100 on 2025-02-03, 97530 $50 on 2025-02-05) is sent on
03-03 and denied CO-16 on 03-10 (test_corrections.sent_and_denied).
"""

from __future__ import annotations

import pytest

from metdash.entry import corrections
from metdash.entry.coverage_changes import correct_member_id
from metdash.entry.practice import ProviderIn, save_provider
from metdash.errors import ValidationError
from metdash.x12.write837 import write_837p

from .test_corrections import AS_OF, RESENT, corrected, sent_and_denied

SAME = corrections.SAME_CLAIM.format(unchanged=corrections.UNCHANGED)


def on_file(db):
    with db.connect() as con:
        return corrections.claim_on_file(con, "C000101")


def changes(db, claim):
    with db.connect() as con:
        return corrections.replacement_changes(con, "C000101", claim)


def status(db):
    return db.scalar("SELECT status || ' ' || frequency_code FROM claims "
                     "WHERE claim_id = 'C000101'")


def test_a_replacement_that_changes_nothing_is_refused_and_nothing_is_written(seeded):
    sent_and_denied(seeded)
    assert changes(seeded, on_file(seeded)) == []
    with pytest.raises(ValidationError) as err:
        corrections.replace_claim(seeded, "C000101", on_file(seeded), "biller",
                                  reason="resend", as_of=AS_OF)
    assert err.value.problems == [SAME]
    assert "CARC 18" in SAME and "Payments → Appeals" in SAME
    assert status(seeded) == "denied 1"
    assert seeded.scalar("SELECT count(*) FROM claim_edits") == 0


def test_the_payer_may_ask_for_the_same_claim_again(seeded):
    sent_and_denied(seeded)
    corrections.replace_claim(seeded, "C000101", on_file(seeded), "biller",
                              reason="Acme's rep asked for it again (call ref 5521)",
                              as_of=AS_OF, unchanged_ok=True)
    assert status(seeded) == "ready 7"


def test_what_a_corrected_replacement_changes_is_said_before_it_is_queued(seeded):
    sent_and_denied(seeded)
    # corrected(): the 97530 line of 02-05 taken off; $300 → $250, the first day unchanged.
    assert changes(seeded, corrected(seeded)) == [
        "total charge: $300.00 → $250.00",
        "line 3: 2025-02-05 97530 x1 $50.00 ptr 2 → (removed)"]
    claim = on_file(seeded)
    claim.lines[0].units = 1
    claim.lines[0].charge = "75.00"
    claim.diagnosis_codes = ["M54.50", "E11.65"]
    assert changes(seeded, claim) == [
        "diagnoses: M54.50, E11.9 → M54.50, E11.65",
        "total charge: $300.00 → $225.00",
        "line 1: 2025-02-03 97110-GP x2 $150.00 ptr 1, 2 → 2025-02-03 97110-GP x1 $75.00 "
        "ptr 1, 2"]
    # A line the biller has not finished (no units yet) is not compared: queueing it says
    # what is wrong.
    claim.lines[0].units = None
    assert changes(seeded, claim) is None


def test_a_member_id_fixed_since_the_claim_was_sent_goes_out_with_the_unchanged_claim(seeded):
    # Denied for the member id (CO-31: patient cannot be identified as our insured). The fix is
    # on the coverage; the claim's own lines are right and go out again as they were.
    sent_and_denied(seeded, carc="31")
    correct_member_id(seeded, 1, "ACM000112", "biller")
    changed = seeded.scalar("SELECT max(changed_at) FROM audit_log "
                            "WHERE table_name = 'coverages'")
    assert changes(seeded, on_file(seeded)) == [
        f"Since it was sent: the coverage's member id (changed on {changed:%b %d, %Y})"]
    corrections.replace_claim(seeded, "C000101", on_file(seeded), "biller",
                              reason="member id corrected", as_of=AS_OF)
    text = write_837p(seeded, ["C000101"], user="biller", now=RESENT)
    assert "*MI*ACM000112~" in text and "ACM000111" not in text


def test_changes_before_the_send_or_to_other_records_do_not_count(seeded):
    # Sam's member id put right before the claim was sent: the payer has it already.
    correct_member_id(seeded, 1, "ACM000112", "biller")
    # Medicare's coverage (Eve's) and a provider's "active" box after it: not on this 837P.
    sent_and_denied(seeded)
    correct_member_id(seeded, 2, "3AC4DE5FG68", "biller")
    save_provider(seeded, ProviderIn("1987654328", "Trainer", "Tess", "MEP", "225100000X",
                                     active=False), "owner", provider_id=1)
    assert changes(seeded, on_file(seeded)) == []
    with pytest.raises(ValidationError, match="Nothing changed"):
        corrections.replace_claim(seeded, "C000101", on_file(seeded), "biller",
                                  reason="resend", as_of=AS_OF)
