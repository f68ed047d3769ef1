"""A claims spreadsheet that bills a dependent under another's plan (found by a new-user
trial: the "Relationship to Insured" and "Insured Name" columns were not read, so a child
went out on the 837P as the holder of the parent's member id, a claim payers reject).

Read by hand: claim K-1 is for Jon Kent (born 2012-04-01), a new client, seen 2025-06-02,
97110 x1 $40.00, diagnosis M54.50, under Acme Health member ACM777 held by his father Clark
Kent (born 1980-06-18): "Child", insured "Kent, Clark". So the new coverage says child, Clark
Kent, 1980-06-18; the 837P names Clark as the subscriber (2010BA) and Jon as the patient
(2000C, PAT*19).
"""

import datetime as dt

import pytest

from metdash.spreadsheet import import_claims
from metdash.x12.validate import pyx12_validate
from metdash.x12.write837 import write_837p
from tests.entry_seed import AS_OF, USER

HEADER = ["Claim #", "Patient Account", "Patient Last Name", "Patient First Name", "DOB",
          "Insurance", "Subscriber ID", "Date of Service", "CPT Code", "Units",
          "Charge Amount", "Dx 1", "Rendering Provider NPI", "Relationship to Insured",
          "Insured Name", "Insured DOB"]


def row(claim="K-1", client="C300", last="Kent", first="Jon", dob="2012-04-01",
        member="ACM777", day="2025-06-02", relationship="Child", insured="Kent, Clark",
        insured_dob="1980-06-18"):
    return [claim, client, last, first, dob, "Acme Health", member, day, "97110", "1",
            "40.00", "M54.50", "1245319599", relationship, insured, insured_dob]


def csv(*rows):
    return "\n".join(",".join(f'"{c}"' if "," in c else c for c in r) for r in rows).encode()


@pytest.fixture
def db(seeded_db):
    with seeded_db.transaction() as con:  # what an 837P needs besides the claim
        con.execute("""
            UPDATE payers SET clearinghouse_payer_id = 'ACME1' WHERE payer_id = 2;
            UPDATE practice SET taxonomy = '225100000X', address_line1 = '10 Elm Street',
                   city = 'Springfield', state = 'IL', zip = '627011234',
                   phone = '217-555-0100';
            INSERT INTO clearinghouse_settings (settings_id, submitter_id, submitter_name,
                contact_phone, receiver_id, receiver_name, isa_sender_qualifier, isa_sender_id,
                isa_receiver_qualifier, isa_receiver_id, usage_indicator)
            VALUES (1, '1234567893', 'Move Well MedEx', '2175550100', 'CLEARINGHOUSE',
                    'CLEARINGHOUSE', 'ZZ', '1234567893', 'ZZ', 'CLEARINGHOUSE', 'P');""")
    return seeded_db


def _coverage(db, client):
    return db.query("SELECT member_id, relationship, subscriber_last_name, "
                    "subscriber_first_name, subscriber_dob FROM coverages "
                    "WHERE client_id = ?", [client]).iloc[0].tolist()


def test_a_child_under_a_parents_plan(db):
    res = import_claims(db, csv(HEADER, row()), "children.csv", USER, as_of=AS_OF)
    assert res.problems == [] and res.claims_added == 1
    assert _coverage(db, "C300") == ["ACM777", "child", "Kent", "Clark", dt.date(1980, 6, 18)]
    assert "'Relationship to Insured' \u2192 relationship" in res.notes[0]
    with db.transaction() as con:  # the address the biller adds on the Clients page
        con.execute("UPDATE clients SET address_line1 = '5 Oak Ave', city = 'Springfield', "
                    "state = 'IL', zip = '62702' WHERE client_id = 'C300'")
    text = write_837p(db, ["K-1"], user=USER, now=dt.datetime(2025, 6, 3, 9, 0))
    assert pyx12_validate(text) == []
    segs = [s.strip() for s in text.split("~")]
    assert "NM1*IL*1*KENT*CLARK****MI*ACM777" in segs
    assert "PAT*19" in segs
    assert "NM1*QC*1*KENT*JON" in segs


@pytest.mark.parametrize(("changes", "message"), [
    ({"relationship": "Dependent"},
     "row 2, relationship ('Relationship to Insured'): 'Dependent' is not a relationship to the insured: write self, "
     "spouse, child or other (a dependent is a child or a spouse: say which)."),
    ({"relationship": ""},
     "row 2, relationship ('Relationship to Insured'): the insured (Kent, Clark) is not the client, and the row does not "
     "say how they are related"),
    ({"relationship": "Spouse", "insured": ""},
     "row 2, relationship ('Relationship to Insured'): 'Spouse' says the client is not the plan's holder: add the "
     "insured's last and first names"),
    ({"insured": "Clark Kent"},
     "row 2, subscriber_name ('Insured Name'): 'Clark Kent' has no comma"),
])
def test_what_the_row_says_too_little_or_wrong_is_refused(db, changes, message):
    res = import_claims(db, csv(HEADER, row(**changes)), "children.csv", USER, as_of=AS_OF)
    assert [p for p in res.problems if p.startswith(message)] == res.problems[:1]
    assert len(res.problems) == 1
    assert db.scalar("SELECT count(*) FROM claims WHERE claim_id = 'K-1'") == 0


def test_the_client_as_the_insured(db):
    # "Self" with the insured's name the client's: the client holds the plan.
    res = import_claims(db, csv(HEADER, row(relationship="Self", insured="Kent, Jon")),
                        "self.csv", USER, as_of=AS_OF)
    assert res.problems == []
    assert _coverage(db, "C300")[:2] == ["ACM777", "self"]
    # X12's own codes: 19 is a child.
    res = import_claims(db, csv(HEADER, row("K-2", "C301", "Lang", "Lana", "2013-05-05",
                                            "ACM778", relationship="19", insured="Lang, Lex")), "x12.csv",
                        USER, as_of=AS_OF)
    assert res.problems == [] and _coverage(db, "C301")[1] == "child"


def test_rows_that_disagree_about_one_coverage(db):
    # Two visits of Jon under ACM777: the second says his mother Lois holds it.
    res = import_claims(db, csv(HEADER, row(), row("K-2", day="2025-06-09", insured="Kent, Lois")),
                        "two.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 3, relationship ('Relationship to Insured'): client C300's coverage ACM777 says the client is the child of the "
        "insured Kent, Clark (born 1980-06-18): make the rows agree (or change the coverage on "
        "the Clients page)."]
    # The coverage on file: Rick Roe holds ACM123 himself.
    res = import_claims(db, csv(HEADER, row("K-3", "C002", "Roe", "Rick", "1980-07-08",
                                            "ACM123", insured="Roe, Mary")),
                        "rick.csv", USER, as_of=AS_OF)
    assert res.problems == [
        "row 2, relationship ('Relationship to Insured'): client C002's coverage ACM123 says the client is the insured: "
        "make the rows agree (or change the coverage on the Clients page)."]
