"""The public sample files beside the checkout (../shared/x12-samples); skipped without them.

Outcomes checked by hand:
* every X221 guide example, emedny, pyx12's 835_mult_loops and the UHC sample parse and
  balance (uhc: pyx12 objects only to a payee N4 state code 'NP');
* inteligenz-reversals-plb.835 is refused: its last CLP (segment 98, ``CLP*090909*22~``)
  has no charge or paid amount, and by hand Σ CLP04 = 5.75 while Σ CLP04 − Σ PLB
  = 5.75 + 1.27 = 7.02 ≠ BPR02 5.75, so it cannot balance either;
* inteligenz-multi-interchange.835 is refused: amounts are masked to 999.99, e.g. the claim
  at segment 18 has charge 999.99 but adjustments 1099.98 and paid 0.

Importing them all into one store: tests/x12/test_public_samples.py.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from metdash.errors import X12FileError
from metdash.x12.parse835 import parse_835
from metdash.x12.reader import read_document
from metdash.x12.validate import pyx12_validate
from metdash.x12.write837 import write_837p

from .conftest import NOW

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / ".." / "shared" / "x12-samples"
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/x12-samples not present")

BALANCED = {
    "X221-dollars-and-data-sent-separate.edi": Decimal("945"),
    "X221-dollars-and-data-sent-together.edi": Decimal("150000"),
    "X221-era-sample.edi": Decimal("132"),
    "X221-multiple-claims-single-check.edi": Decimal("810.8"),
    "X221-secondary-payment-with-higher-fee-schedule.edi": Decimal("34.00"),
    "X221-secondary-payments.edi": Decimal("1222"),
    "X221-tertiary-payments.edi": Decimal("187.50"),
    "emedny-sample.835": Decimal("45.75"),
    "pyx12-835_mult_loops.835": Decimal("0"),
    "uhc-legacy-sample.835": Decimal("349.99"),
}
REFUSED = {
    "inteligenz-reversals-plb.835": "inteligenz-reversals-plb.835, segment 98 (CLP): charge "
                                    "amount (CLP03) is missing.",
    "inteligenz-multi-interchange.835": "inteligenz-multi-interchange.835, segment 18 (CLP): "
                                        "claim 9999999999-999 does not balance",
}


@pytest.mark.parametrize("name, amount", sorted(BALANCED.items()))
def test_835_samples_parse_and_balance(name, amount):
    remit = parse_835((SAMPLES / name).read_bytes(), name)
    assert [p.amount for p in remit.payments] == [amount]
    assert all(p.claims for p in remit.payments)


@pytest.mark.parametrize("name, first", sorted(REFUSED.items()))
def test_835_samples_that_cannot_balance_are_refused(name, first):
    with pytest.raises(X12FileError) as info:
        parse_835((SAMPLES / name).read_bytes(), name)
    assert info.value.messages()[0].startswith(first)


def test_every_835_sample_is_listed():
    names = {p.name for p in SAMPLES.iterdir() if p.suffix in (".835", ".edi")
             and not p.name.startswith("X222")}
    assert names == set(BALANCED) | set(REFUSED)


def test_multi_interchange_file_has_three_envelopes():
    doc = read_document((SAMPLES / "inteligenz-multi-interchange.835").read_bytes(), "m")
    assert len(doc.transactions) == 3


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("X222-*.edi")), ids=lambda p: p.name)
def test_837p_samples_pass_pyx12_and_our_reader(path):
    text = path.read_text(encoding="latin-1")
    assert pyx12_validate(text) == []
    doc = read_document(text, path.name)
    assert [t.kind for t in doc.transactions] == ["837"]
    with pytest.raises(X12FileError, match="not an 835 remittance"):
        parse_835(text, path.name)


def test_our_837p_validates_like_the_samples(seeded):
    assert pyx12_validate(write_837p(seeded, None, user="ci", now=NOW)) == []
