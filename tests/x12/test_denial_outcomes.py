"""How a denial ended: a claim sent on the day its denial came is not "corrected and
resubmitted", and one resubmission (ready, then submitted) is one outcome.

Found by a new-user trial (stop 32): claim MD261204-001 was made ready and exported on
Dec 04, and an 835 dated Dec 04 denied it CO-50 for its whole $100. The Denials page listed
"How 2 denials ended": twice "corrected and resubmitted, resolved Dec 04", though nothing
had been done to the claim after its denial (its ready and submitted rows, both dated Dec 04,
were counted as a resubmission each).

Worked by hand (the seeded practice, C000101 $300 to Acme):
- 03-03 exported (ready → submitted, on 03-03); the 835 of 03-03 denies it CO-50 300:
  an open denial of $300, no outcome.
- 03-05 the biller corrects it (back to ready) and sends it again (submitted): one outcome,
  "corrected and resubmitted" on 03-05.
"""

from __future__ import annotations

import datetime as dt

from metdash import figures
from metdash.entry.claims import add_claim_status
from metdash.store import facts
from metdash.x12.post835 import import_835
from metdash.x12.write837 import write_837p

from .conftest import NOW
from .helpers import Claim, Line, build_835

PERIOD = figures.Filters(dt.date(2025, 1, 1), dt.date(2025, 3, 31), as_of=dt.date(2025, 3, 31))
DENIED = build_835([Claim("C000101", "4", "300", "0", cas=[("CO", "50", "300")],
                          lines=[Line("97110", "150", "0", mods=["GP"], units="2",
                                      control="C000101-1"),
                                 Line("97140", "100", "0", mods=["GP", "59"],
                                      control="C000101-2"),
                                 Line("97530", "50", "0", date="20250205",
                                      control="C000101-3")])],
                   trace="DEN-0303", date="20250303")


def test_a_claim_sent_on_the_day_of_its_denial_is_not_resubmitted(seeded):
    write_837p(seeded, ["C000101"], user="biller", now=NOW)        # submitted on 03-03
    s = import_835(seeded, [("den.835", DENIED.encode())], "biller")
    assert s.ok, s.errors
    assert figures.denial_outcomes(seeded, PERIOD).empty
    assert figures.open_denials(seeded, PERIOD).claim_id.tolist() == ["C000101"]

    with seeded.transaction() as con:
        for status in ("ready", "submitted"):
            add_claim_status(con, "C000101", status, dt.date(2025, 3, 5), "bea",
                             "corrected: modifier", {"status": "denied"})
        facts.sync(con)
    out = figures.denial_outcomes(seeded, PERIOD)
    assert out[["claim_id", "outcome", "resolved_on", "resolved_by"]].values.tolist() == [
        ["C000101", "corrected and resubmitted", dt.date(2025, 3, 5), "bea"]]
