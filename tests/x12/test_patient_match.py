"""An 835's CLP must be for the claim's client (NM1*QC), or the file is refused.

Found by a new-user trial (stop 30): a CLP whose CLP01 named claim C000102 (Eve Example's)
but whose patient was another client (NM1*QC SAMPLE, SAM, member ACM000111) posted its money
to Eve's claim without a word. A payer echoes the patient the 837P sent; when neither the name
nor the member id is the claim's client's, the CLP01 is wrong and the money would land on
the wrong account.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from metdash.errors import masked_text
from metdash.store import backup as bk
from metdash.x12.post835 import import_835

from .helpers import Claim, build_835

MEDICARE = {"payer": "MEDICARE PART B", "originator": "1666666666"}


def _file(patient: tuple[str, str, str]) -> bytes:
    return build_835([Claim("C000102", "1", "120", "80", pr="20",
                            cas=[("CO", "45", "20"), ("PR", "2", "20")],
                            payer_claim_number="MCR-102", patient=patient)],
                     trace="M-0312", date="20250312", **MEDICARE).encode()


def test_a_clp_for_another_patient_is_refused_and_nothing_posts(seeded):
    s = import_835(seeded, [("wrong.835", _file(("SAMPLE", "SAM", "ACM000111")))], "biller")
    assert not s.ok
    [error] = s.errors
    assert error.startswith("wrong.835, segment ")
    assert ("claim C000102 is Example, Eve's, but this remittance pays it for patient "
            "SAMPLE, SAM, member id ACM000111 (NM1*QC)") in error
    assert "Nothing was imported." in error
    # presentation mode shows it masked: initials, the member id's last two characters
    shown = masked_text(error)
    assert ("claim C000102 is E•••, E•••'s, but this remittance pays it for patient "
            "S•••, S•••, member id •••11 (NM1*QC)") in shown
    assert "Nothing was imported." in shown and "Eve" not in shown and "SAM" not in shown
    assert seeded.scalar("SELECT count(*) FROM remittances") == 0
    assert seeded.scalar("SELECT status FROM claims WHERE claim_id = 'C000102'") == "ready"


@pytest.mark.parametrize("patient", [
    ("EXAMPLE", "EVE", "3AC4DE5FG67"),          # as sent
    ("example", "eve", ""),                    # case, no member id
    ("EXAMPLE-SMITH", "EVE", "X1"),            # a longer name the payer holds
    ("EXAMPL", "EVE", "X1"),                   # shortened by the payer
    ("E", "EVE", "3AC4DE5FG67"),                # an initial only, but her member id
    ("EXEMPLE", "EVE", "3AC4DE5FG67"),          # misspelt, but the member id is hers
    ("EXEMPLE", "EVE", "3ac4-de5-fg67-01"),    # ... with the payer's suffix and dashes
])
def test_the_clients_name_or_member_id_is_enough(seeded, patient):
    s = import_835(seeded, [("ok.835", _file(patient))], "biller")
    assert s.ok, s.errors
    assert seeded.scalar("SELECT paid FROM claim_facts WHERE claim_id = 'C000102'") \
        == Decimal("80.00")


def test_a_file_refused_while_posting_keeps_no_backup(seeded, tmp_path, monkeypatch):
    """Found by a new-user trial: each retry of a refused 835 took a "before-import" backup
    (the file passes the first read, then is refused while posting) and, with the keep at 10,
    retries rotated the good restore points away. The copy equals the store then: dropped."""
    monkeypatch.setenv("METDASH_BACKUP_DIR", str(tmp_path / "bk"))
    monkeypatch.setenv("METDASH_BACKUP_KEEP", "2")
    good = build_835([Claim("C000101", "1", "300", "250", cas=[("CO", "45", "50")])],
                     trace="A-1", date="20250310")
    s = import_835(seeded, [("good.835", good.encode())], "biller",
                   before_write=lambda: bk.before_import(seeded))
    assert s.ok
    [kept] = bk.list_backups(seeded.path, tmp_path / "bk", "before-import")
    for _ in range(3):
        s = import_835(seeded, [("wrong.835", _file(("SAMPLE", "SAM", "ACM000111")))],
                       "biller", before_write=lambda: bk.before_import(seeded))
        assert not s.ok
    assert bk.list_backups(seeded.path, tmp_path / "bk", "before-import") == [kept]


def test_a_clp_with_another_claims_charge_says_so(seeded):
    """Found by a new-user trial: a CLP for another claim of the same client (CLP03 300, our
    C000102 is 120) was refused with "ask the payer whether it paid this claim twice". The
    refusal now names the charge that does not fit: 120 − 250 − 50 = −180."""
    text = build_835([Claim("C000102", "1", "300", "250", cas=[("CO", "45", "50")],
                            payer_claim_number="MCR-102")],
                     trace="M-0401", date="20250401", **MEDICARE)
    s = import_835(seeded, [("other.835", text.encode())], "biller")
    assert not s.ok
    [error] = s.errors
    assert ("claim C000102 would owe -$180.00 after this remittance (it owes $0.00 now): "
            "payments and adjustments would exceed its charge; the remittance bills it at "
            "$300.00 (CLP03), but the claim's charge is $120.00, so this CLP is probably "
            "another claim's (or an old version of it); ask the payer which claim it paid."
            ) in error
    assert "twice" not in error


def test_an_initial_alone_is_not_the_clients_name(seeded):
    s = import_835(seeded, [("initial.835", _file(("E", "EVE", "X1")))], "biller")
    assert not s.ok and "patient E, EVE, member id X1 (NM1*QC)" in s.errors[0]


def test_the_command_masks_the_refusal_in_presentation_mode(seeded, tmp_path, monkeypatch):
    """METDASH_PRESENT=1 (a workshop's terminal on the projector): metdash import-835 says
    the same refusal with the names and member id masked."""
    from click.testing import CliRunner

    from metdash.cli import main

    era = tmp_path / "wrong.835"
    era.write_bytes(_file(("SAMPLE", "SAM", "ACM000111")))
    monkeypatch.setenv("METDASH_PRESENT", "1")
    r = CliRunner().invoke(main, ["import-835", "--db", str(seeded.path), str(era)])
    assert r.exit_code == 1
    assert "claim C000102 is E•••, E•••'s, but this remittance pays it for patient S•••, " \
           "S•••, member id •••11 (NM1*QC)" in r.output
    assert "Example" not in r.output and "SAMPLE" not in r.output

