"""The allowed amount of a claim whose 835 gives it per line only, worked by hand (found by an
835 trial: Medicare sends AMT*B6 on each line and no claim-level AMT, and the claim's allowed
came out as paid + cost share, which leaves out the sequestration).

Claim C000102 (Eve, Medicare Part B, 97110 x2 $120). Medicare allows $40 a unit: $80.
  coinsurance 20 % of 80                      = 16.00  (PR-2, Eve's)
  Medicare's 80 %                             = 64.00
  sequestration 2 % of 64                     =  1.28  (CO-253: taken from the payment)
  paid 64 - 1.28                              = 62.72
  CAS: CO-45 40 (120 - 80), CO-253 1.28, PR-2 16; 120 - 40 - 1.28 - 16 = 62.72 (balances)
  line AMT*B6 80.00

A biller reads the allowed amount off the EOB: $80.00, what Medicare allowed, of which it paid
62.72, took 1.28 for sequestration and left 16 to Eve. So: allowed 80.00, paid 62.72, patient
responsibility 16.00, contractual 41.28 (CO-45 40 + CO-253 1.28).

The same remittance without AMT*B6 (some payers leave it out; a paper EOB has no AMT): the
allowed amount is what the payer paid, the sequestration it took from that payment, and the
client's share: 62.72 + 1.28 + 16 = 80.00 again.
"""

import datetime as dt
from decimal import Decimal

import pytest

from metdash import figures
from metdash.figures import Filters
from metdash.x12.post835 import import_835

from .helpers import Claim, Line, build_835

M = Decimal
CAS = [("CO", "45", "40"), ("CO", "253", "1.28"), ("PR", "2", "16")]


def _medicare(allowed: str | None) -> bytes:
    return build_835([Claim("C000102", "1", "120", "62.72", pr="16", payer_claim_number="MCR-1",
                            lines=[Line("97110", "120", "62.72", date="20250204", mods=["GP"],
                                        units="2", cas=CAS, allowed=allowed)])],
                     trace="MCR-0310", payer="MEDICARE PART B", originator="1666666666",
                     date="20250310").encode()


@pytest.mark.parametrize("allowed", ["80", None], ids=["AMT*B6 on the line", "no AMT"])
def test_the_claims_allowed_is_what_medicare_allowed(seeded, allowed):
    s = import_835(seeded, [("mcr.835", _medicare(allowed))], "biller")
    assert s.ok, s.errors
    row = seeded.query("SELECT allowed, paid, patient_responsibility, contractual "
                       "FROM claim_facts WHERE claim_id = 'C000102'").iloc[0].tolist()
    assert row == [M("80.00"), M("62.72"), M("16.00"), M("41.28")]
    line = seeded.scalar("SELECT allowed FROM line_facts WHERE claim_id = 'C000102'")
    assert line == M("80.00")
    f = Filters(date_from=dt.date(2025, 2, 1), date_to=dt.date(2025, 3, 31),
                as_of=dt.date(2025, 3, 31))
    by_payer = figures.revenue_by_payer(seeded, f).set_index("payer")
    assert by_payer.loc["Medicare Part B", "allowed"] == M("80.00")
