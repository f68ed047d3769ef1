"""Promise: every create, change, status move, void and sign-in is in the audit log (who,
when, what, before and after), and the owner can read, filter and export it."""

from __future__ import annotations

import datetime as dt
import io
import json
import time

import pandas as pd
from streamlit.testing.v1 import AppTest

from metdash import auth
from metdash import entry as e
from metdash.auditlog import audit_choices, audit_entries
from metdash.privacy import mask_audit
from tests.entry_seed import AS_OF, seed

from .conftest import PAGES, PASSWORDS


def test_create_update_status_void_and_login_are_logged(tmp_path):
    db = seed(tmp_path / "s.duckdb")
    auth.add_user(db, "olive", PASSWORDS["olive"], "owner", by="cli")
    start = db.scalar("SELECT max(audit_id) FROM audit_log")
    e.save_client(db, e.ClientIn("C900", "Quote'Name", "Ann", "1960-01-01"), "fran",
                  as_of=AS_OF)
    e.save_client(db, e.ClientIn("C900", "O'Brien", "Ann", "1960-01-01", phone="555-0100"),
                  "fran", as_of=AS_OF)
    claim = e.ClaimIn(claim_id="A1", client_id="C002", payer_id=2, diagnosis_codes=["M17.11"],
                      rendering_provider_id=1, referral_id=2, referrer_id=1,
                      lines=[e.ClaimLineIn("2025-06-10", "97110", 2, "80.00", [], [1])])
    e.save_claim(db, claim, "bill", as_of=AS_OF)
    e.move_claim_status(db, "A1", "ready", "bill", as_of=AS_OF)
    e.move_claim_status(db, "A1", "voided", "bill", note="entered twice", as_of=AS_OF)
    auth.authenticate(db, "olive", PASSWORDS["olive"])

    log = db.query("SELECT user_name, action, table_name, record_key, CAST(before AS VARCHAR)"
                   " AS before, CAST(after AS VARCHAR) AS after FROM audit_log"
                   " WHERE audit_id > ? ORDER BY audit_id", [start])
    got = [tuple(r) for r in log[["user_name", "action", "table_name", "record_key"]]
           .itertuples(index=False)]
    assert got == [("fran", "create", "clients", "C900"), ("fran", "update", "clients", "C900"),
                   ("bill", "create", "claims", "A1"), ("bill", "status", "claims", "A1"),
                   ("bill", "status", "claims", "A1"), ("olive", "login", "users", "olive")]
    create, update, _, ready, void, _ = (log.iloc[i] for i in range(6))
    assert create.isna().before and json.loads(create.after)["last_name"] == "Quote'Name"
    assert json.loads(update.before)["last_name"] == "Quote'Name"
    assert json.loads(update.after)["last_name"] == "O'Brien"
    assert json.loads(update.after)["phone"] == "555-0100"
    assert json.loads(ready.before) == {"status": "draft"}
    assert json.loads(void.before)["status"] == "ready"
    assert json.loads(void.after)["status"] == "voided"
    assert json.loads(void.after)["note"] == "entered twice"
    # when: every row has a time stamp of today
    stamps = db.query("SELECT changed_at FROM audit_log WHERE audit_id > ?", [start]).changed_at
    assert all(s.date() == dt.date.today() for s in stamps)


def test_user_changes_are_logged_without_secrets(practice):
    start = practice.scalar("SELECT max(audit_id) FROM audit_log")
    auth.set_password(practice, "vic", "a brand new password", by="olive")
    auth.set_role(practice, "vic", "biller", by="olive")
    auth.disable_user(practice, "vic", by="olive")
    log = audit_entries(practice, tables=["users"])
    log = log[log.audit_id > start]
    assert log.action.tolist() == ["disable", "update", "update"]
    assert json.loads(log.after.iloc[1])["role"] == "biller"
    assert json.loads(log.after.iloc[2])["password"] == "changed"
    assert "argon2" not in " ".join(log.after) + " ".join(log.before)


def test_filters(practice):
    auth.authenticate(practice, "bill", PASSWORDS["bill"])
    today = dt.date.today()
    assert audit_entries(practice, users=["bill"], actions=["login"]).record_key.tolist() == \
        ["bill"]
    assert audit_entries(practice, date_from=today + dt.timedelta(days=1)).empty
    assert len(audit_entries(practice, date_from=today, date_to=today)) >= 5
    choices = audit_choices(practice)
    assert {"setup", "bill"} <= set(choices["users"]) and "users" in choices["tables"]


def test_owner_reads_and_exports_the_audit_page(practice):
    auth.authenticate(practice, "fran", PASSWORDS["fran"])
    at = AppTest.from_file(str(PAGES / "audit.py"), default_timeout=60)
    at.session_state["_auth_user"] = {"username": "olive", "role": "owner",
                                      "display_name": "Olive"}
    at.session_state["_auth_seen"] = time.time()
    at.run()
    assert not at.exception and not at.error
    frame = at.dataframe[0].value
    assert {"changed_at", "user_name", "action", "table_name", "before", "after"} <= \
        set(frame.columns)
    assert "fran" in set(frame.user_name)
    # Values as words, "—" for none (a new-user tour read "None" and raw JSON).
    assert "None" not in set(frame.before) and "—" in set(frame.before)
    assert not any(str(v).startswith("{") for v in frame.after)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download CSV", "Download Excel"]
    at.multiselect(key="w_audit_users").select("fran")
    at.run()
    assert set(at.dataframe[0].value.user_name) == {"fran"}


def _owner_page(name: str, present: bool) -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)
    at.session_state["_auth_user"] = {"username": "olive", "role": "owner",
                                      "display_name": "Olive"}
    at.session_state["_auth_seen"] = time.time()
    at.session_state["_present"] = present
    return at


SECRETS = ("O'Brien", "Quincy", "1961-02-03", "555-0199", "12 Elm Street")


def test_audit_values_are_masked_in_presentation_mode(practice, monkeypatch):
    e.save_client(practice, e.ClientIn("C900", "O'Brien", "Quincy", "1961-02-03",
                                       phone="555-0199", address_line1="12 Elm Street"),
                  "fran", as_of=AS_OF)
    e.save_client(practice, e.ClientIn("C900", "O'Brien", "Quincy", "1961-02-03",
                                       phone="555-0100"), "fran", as_of=AS_OF)
    masked = mask_audit(audit_entries(practice, tables=["clients"]))
    text = masked.to_csv()
    assert not [s for s in SECRETS if s in text]
    after = json.loads(masked.after.iloc[0])
    assert after["last_name"] == "O•••'B•••" and after["dob"] == "••••-••-••"
    assert after["client_id"] == "C900"       # the chart number stays, as everywhere
    nested = mask_audit(pd.DataFrame({"before": [None], "after": [json.dumps(
        {"member_id": "XQ778899001", "lines": [{"subscriber_last_name": "Quincy"}]})]}))
    assert "XQ778899001" not in nested.after[0] and "Quincy" not in nested.after[0]
    assert nested.before.isna().all()
    # The page: the table and both downloads, masked; without presentation mode, not.
    from streamlit.delta_generator import DeltaGenerator

    files: list[bytes] = []
    original = DeltaGenerator.download_button

    def record(self, label, data, *args, **kwargs):
        files.append(data() if callable(data) else data)
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", record)
    at = _owner_page("audit", present=True).run()
    assert not at.exception and not at.error
    shown = at.dataframe[0].value.to_csv()
    assert "C900" in shown and not [s for s in SECRETS if s in shown]
    csv_bytes, xlsx_bytes = files
    assert b"C900" in csv_bytes and not [s for s in SECRETS if s.encode() in csv_bytes]
    xl = pd.read_excel(io.BytesIO(xlsx_bytes)).to_csv()
    assert "C900" in xl and not [s for s in SECRETS if s in xl]
    at = _owner_page("audit", present=False).run()
    assert "555-0199" in at.dataframe[0].value.to_csv()


def test_audit_values_read_as_words():
    from metdash.auditlog import readable

    assert readable(None) == "—" and readable("{}") == "—"
    assert readable('{"status": "draft", "note": null}') == "status: draft · note: —"
    assert readable("not json") == "not json"


def test_a_sign_in_row_keeps_where_it_came_from_in_presentation_mode(practice):
    """Found by a new-user trial (stop 46): a sign-in's audit row named the browser it came
    from under the key "client", which presentation mode masks as a client's name (it is the
    hash of a browser session, or an IP address: nobody's name)."""
    user, password = next(iter(PASSWORDS.items()))
    auth.authenticate(practice, user, password, client="session 0123456789ab")
    masked = mask_audit(audit_entries(practice, tables=["users"]))
    logins = [json.loads(a) for a, action in zip(masked.after, masked.action, strict=True)
              if action == "login"]
    assert logins and logins[-1]["signed_in_from"] == "session 0123456789ab"
