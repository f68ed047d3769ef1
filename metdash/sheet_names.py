"""Names in a claims spreadsheet the import makes records of: a new payer's type when the
file gives none (read from its name), and a new rendering provider's name."""

from __future__ import annotations

import re

from metdash import entry as e

__all__ = ["payer_type_of_name", "provider_named"]

# Credentials written after a provider's name ("Lindqvist, Mara PT").
CREDENTIALS = {"PT", "DPT", "MPT", "PTA", "OT", "OTR", "OTR/L", "COTA", "MD", "DO", "NP",
               "PA", "PA-C", "ATC", "LAT", "CSCS", "CEP", "ACSM-CEP", "CES", "MS", "RN", "DC",
               "RCEP", "CSCS*D"}


def payer_type_of_name(name: str) -> str:
    """A payer's type from its name: "Medicare Part B" medicare, "Humana Medicare
    Advantage" medicare_advantage, "State Medicaid" medicaid, "Workers' Comp" workers_comp;
    "other" when the name does not say (the biller sets it under Settings)."""
    words = re.sub(r"[^a-z]+", " ", name.casefold())
    if "medicare" in words:
        return "medicare_advantage" if re.search(r"\b(advantage|ma|mapd|hmo|ppo)\b", words) \
            else "medicare"
    if "medicaid" in words or "medi cal" in words:
        return "medicaid"
    if re.search(r"\bwork(er)?s?\b.*\bcomp", words):
        return "workers_comp"
    if re.search(r"\b(blue cross|blue shield|bcbs|aetna|cigna|united ?health\w*|uhc|anthem|"
                 r"kaiser|oscar|ambetter|highmark|premera|regence|wellmark|"
                 r"harvard pilgrim|tufts|emblem|molina|centene|wellcare)\b", words):
        return "commercial"  # (their Medicare and Medicaid plans are caught above)
    return "other"


def provider_named(text: str, npi: str) -> e.ProviderIn | None:
    """The provider a file names "Last, First [credential]" ("Lindqvist, Mara PT"); None
    when it does not (no comma: which word is the surname is not guessed)."""
    if "," not in text:
        return None
    last, first = (part.strip() for part in text.split(",", 1))
    after = first.replace(",", " ").split()
    if after and all(w.upper().rstrip(".") in CREDENTIALS for w in after) \
            and len(last.split()) > 1:
        # "Dana Kim, PT": first and last name before the comma, credentials after it
        *given, surname = last.split()
        return e.ProviderIn(npi=npi, last_name=surname, first_name=" ".join(given),
                            credential=" ".join(w.upper().rstrip(".") for w in after))
    words = first.split()
    credential = None
    if len(words) > 1 and words[-1].upper().rstrip(".") in CREDENTIALS:
        credential = words.pop().upper().rstrip(".")
    if not last or not words:
        return None
    return e.ProviderIn(npi=npi, last_name=last, first_name=" ".join(words),
                        credential=credential)
