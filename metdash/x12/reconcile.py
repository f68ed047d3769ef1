"""The deposit reconciliation of each remittance (DOMAIN.md, "PLB").

An 835's payment (BPR02, the money that reaches the bank) is what its claims were paid
(Σ CLP04) less its provider-level adjustments (PLB; an amount as sent reduces the payment
when positive):

    deposit = claim payments + interest − recoupments − other PLB

* interest (PLB L6) is income to the practice, not a payment on any claim: the payer sends
  it negative, shown here as the positive amount received;
* recoupments (WO overpayment recovery, FB forward balance) take back money paid earlier;
  one that names a claim of ours also reduces that claim's payment (the ledger);
* other PLB: every other reason (e.g. CV capital passthrough, 72 authorised return, L3
  penalty), as sent.

A difference other than 0 means the payment does not add up: the 835 import refuses such a
file, so a difference points at a payment entered another way.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from metdash.store import Database

RULE = ("Deposit (BPR02, the money that reached the bank) = claim payments (Σ CLP04) + "
        "interest (PLB L6, income to the practice, not a claim payment) − recoupments (PLB WO "
        "/ FB: money taken back; one naming a claim reduces that claim's payment) − other PLB "
        "adjustments. The difference should be 0.")


def deposit_reconciliation(db: Database, remittance_ids: Sequence[int] | None = None
                           ) -> pd.DataFrame:
    """One row per remittance (every one when ``remittance_ids`` is None), newest first.

    Columns: remittance_id, payer (as the 835 names it), payment_date, trace (TRN02),
    deposit (BPR02, negative for a debit), claim_payments (Σ CLP04), interest (−Σ PLB L6:
    income), recoupments (Σ PLB WO / FB), other_plb (Σ every other PLB, as sent), difference
    (deposit − (claim_payments + interest − recoupments − other_plb); 0 when it balances).
    Money in dollars, DECIMAL.
    """
    ids = None if remittance_ids is None else [int(i) for i in remittance_ids]
    return db.query("""
        WITH r AS (
            SELECT * FROM remittances
            WHERE $ids::INTEGER[] IS NULL OR remittance_id IN (SELECT unnest($ids::INTEGER[]))
        ),
        cp AS (
            SELECT remittance_id, sum(paid) AS paid
            FROM claim_payments WHERE remittance_id IN (SELECT remittance_id FROM r)
            GROUP BY 1
        ),
        plb AS (
            SELECT remittance_id,
                   -sum(amount) FILTER (WHERE reason_code = 'L6') AS interest,
                   sum(amount) FILTER (WHERE reason_code IN ('WO', 'FB')) AS recoupments,
                   sum(amount) FILTER (WHERE reason_code NOT IN ('L6', 'WO', 'FB')) AS other
            FROM provider_adjustments WHERE remittance_id IN (SELECT remittance_id FROM r)
            GROUP BY 1
        ),
        sums AS (
            SELECT r.remittance_id, r.payer_name AS payer, r.payment_date,
                   r.trace_number AS trace, r.amount AS deposit,
                   coalesce(cp.paid, 0)::DECIMAL(14,2) AS claim_payments,
                   coalesce(plb.interest, 0)::DECIMAL(14,2) AS interest,
                   coalesce(plb.recoupments, 0)::DECIMAL(14,2) AS recoupments,
                   coalesce(plb.other, 0)::DECIMAL(14,2) AS other_plb
            FROM r LEFT JOIN cp USING (remittance_id) LEFT JOIN plb USING (remittance_id)
        )
        SELECT *, (deposit - (claim_payments + interest - recoupments - other_plb)
                  )::DECIMAL(14,2) AS difference
        FROM sums
        ORDER BY payment_date DESC, remittance_id DESC""", {"ids": ids})
