"""X12 EDI for metdash: import 835 remittances (ERA), export 837P claims.

Modules: :mod:`~metdash.x12.reader` (tokenizer and envelope checks),
:mod:`~metdash.x12.parse835` (835 → dataclasses with Decimal amounts, codes and balancing
checked, each payment's content fingerprint), :mod:`~metdash.x12.identity` (which payments
are new, already imported, or reuse a trace number), :mod:`~metdash.x12.match835` (SVC to
claim line by REF*6R / CPT + date + units; the claim a PLB recoupment names),
:mod:`~metdash.x12.trust835` (what a file must be to post: the practice's payee, the claims'
payers, no negative payment outside a reversal, each claim once, no claim below zero),
:mod:`~metdash.x12.post835` (``import_835``: posting to the store),
:mod:`~metdash.x12.reconcile` (``deposit_reconciliation``: BPR02 = Σ CLP04 − Σ PLB),
:mod:`~metdash.x12.model837` (the 837P as data, line item control numbers),
:mod:`~metdash.x12.write837` (``render_837p`` / ``write_837p``), :mod:`~metdash.x12.validate`
(pyx12 validation and our own claim checks); the commands are in :mod:`metdash.cli.x12`.

Errors::

    X12Error            one problem: file, segment number (position in the file), segment id
    X12FileError        every problem of one file (``.problems``), raised by the parsers
    X12ExportError      every reason claims cannot be exported (``.problems``)

Why our own reader
------------------
The candidates were compared on the 16 public sample files in ``../shared/x12-samples``
(835 and 837P implementation-guide examples, a 4010 file with a BOM and indentation, a file
with three ISA envelopes):

* **pyx12 4.0** ``X12Reader`` (already a dependency, for validation): tokenized 14 of 16;
  the two files that start with a UTF-8 byte-order mark crash it (UnicodeDecodeError).
  It yields string segments (no Decimal amounts, no 835 semantics), and its errors are
  logged, not returned with file and segment number. Its *validator* is excellent, so it
  is what the tests use to prove every 837P we write is valid.
* **badx12 0.2.2**: fails to import on Python 3.10+ (``collections.Iterable``).
* **linuxforhealth-x12 0.57**: needs pydantic 1 (fails to import with pydantic 2); with
  pydantic 1 forced in a scratch venv it rejected 12 of 12 835 samples it could open
  (model validation errors on valid guide examples) and could not open the BOM files.
* **x12-edi-tools 0.1.2**: hard-codes ``~`` and ``*`` as separators and groups segments by
  id, losing the loop structure; unusable for real files.
* **tigershark** (0.3.4, 2021) / tigershark3: Python-2-era code generated from 4010 maps;
  not tried further.

So the project reads X12 with a small reader of its own (~200 lines, separators from each
ISA, BOM/CR/LF/indentation tolerant, several interchanges, Decimal amounts, every problem
reported with file name and segment number) and keeps pyx12 for validating what it writes.
"""

from metdash.errors import X12Error, X12ExportError, X12FileError
from metdash.x12.model837 import line_control_number
from metdash.x12.parse835 import Payment, Remittance835, parse_835
from metdash.x12.post835 import ImportSummary, import_835
from metdash.x12.reader import read_document
from metdash.x12.reconcile import deposit_reconciliation
from metdash.x12.write837 import render_837p, write_837p

__all__ = [
    "ImportSummary", "Payment", "Remittance835", "X12Error", "X12ExportError", "X12FileError",
    "deposit_reconciliation", "import_835", "line_control_number", "parse_835",
    "read_document", "render_837p", "write_837p",
]
