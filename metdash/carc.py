"""Claim adjustment reason codes (CARC), group codes and remark codes (RARC), described in
our own plain words for a practice owner (not the X12 code list's official wording), with
what a biller usually does next."""

from __future__ import annotations

GROUPS = {
    "CO": "Contractual obligation (the practice writes it off)",
    "PR": "Patient responsibility (bill the client)",
    "OA": "Other adjustment",
    "PI": "Payer-initiated reduction",
    "CR": "Correction or reversal",
}

# code: (plain description, what to do next)
CARC: dict[str, tuple[str, str]] = {
    "1": ("Deductible: the client pays this part", "Bill the client."),
    "2": ("Coinsurance: the client's percentage share", "Bill the client."),
    "3": ("Copay: the client's fixed amount", "Collect at the visit."),
    "4": ("Modifier missing or does not fit the procedure",
          "Fix the modifier (GP, KX, 59) and resubmit a corrected claim."),
    "5": ("Procedure not allowed at this place of service", "Check the place of service."),
    "11": ("Diagnosis does not support the procedure",
           "Check the diagnosis codes and pointers; resubmit."),
    "16": ("Information missing or wrong on the claim",
           "Read the remark code, add what is missing, resubmit."),
    "18": ("Duplicate of a claim already received", "Check for an earlier claim; do not rebill."),
    "22": ("Another payer may be primary (coordination of benefits)",
           "Confirm coverage order with the client; bill the primary."),
    "23": ("Reduced for what a prior payer paid", "No action; informational."),
    "26": ("Service before coverage began", "Check coverage dates; bill the right payer."),
    "27": ("Service after coverage ended", "Check coverage; bill the new payer or the client."),
    "29": ("Filed after the payer's deadline (timely filing)",
           "Appeal only with proof of timely submission."),
    "31": ("The payer cannot identify the client as its member",
           "Check the member id, name and birth date on the card; correct and resubmit."),
    "45": ("Charge above the contracted rate (contractual write-off)", "Write off; no action."),
    "50": ("Payer says the service was not medically necessary",
           "Appeal with the plan of care, referral and progress notes."),
    "59": ("Reduced under the payer's multiple-procedure rules",
           "Check the contract: write the reduction off, or appeal it."),
    "96": ("Not a covered service", "Check the benefits; bill the client if they agreed."),
    "97": ("Paid as part of another service on the claim (bundled)",
           "Check NCCI pairs; add modifier 59/XU if the services were distinct."),
    "109": ("Not covered by this payer; send to the right one", "Bill the right payer."),
    "119": ("Benefit maximum reached (visits or dollars)",
            "Check the visit limit; ask for more visits or bill the client."),
    "151": ("More visits than the payer thinks the diagnosis supports",
            "Appeal with documentation of need."),
    "167": ("Diagnosis not covered", "Check the diagnosis; appeal if it is right."),
    "197": ("Prior authorization missing", "Get the authorization; appeal or resubmit."),
    "198": ("Authorized visits exceeded", "Request more visits from the payer."),
    "204": ("Not covered under the client's plan", "Bill the client if they agreed in writing."),
    "242": ("Provider out of network", "Check network status; bill the client if allowed."),
    "253": ("Sequestration (federal payment cut)", "Write off; no action."),
}

RARC: dict[str, str] = {
    "M15": "Separately billed services were bundled into another service",
    "M20": "The procedure code (HCPCS/CPT) is missing or incomplete",
    "M51": "Procedure code missing, incomplete or invalid",
    "M76": "Diagnosis missing, incomplete or invalid",
    "M80": "Not covered when performed with another service on the same day",
    "MA01": "You may appeal this decision",
    "MA130": "Claim has unprocessable information; correct and submit as a new claim",
    "N4": "Prior payer's explanation of benefits missing",
    "N30": "The client is not eligible for this service",
    "N115": "Decision based on a local coverage determination",
    "N122": "Add-on code billed without its primary code",
    "N290": "Rendering provider's identifier missing or invalid",
    "N362": "Number of units exceeds what is allowed",
    "N386": "Decision based on a national coverage determination",
    "N657": "Submit with the appropriate modifier",
}


def carc_description(code: str) -> str:
    """Our plain description of a CARC (a generic phrase for a code we do not describe)."""
    entry = CARC.get(str(code).strip().upper())
    return entry[0] if entry else f"Reason code {code} (see the payer's remittance advice)"


def carc_next_step(code: str) -> str:
    """What a biller usually does about this reason."""
    entry = CARC.get(str(code).strip().upper())
    return entry[1] if entry else "Read the payer's remark codes and call the payer."


def rarc_description(code: str) -> str:
    """Our plain description of a remark code."""
    return RARC.get(str(code).strip().upper(), f"Remark {code}")
