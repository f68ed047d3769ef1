"""Promise: passwords are stored hashed (argon2id), never in plain text; wrong passwords are
refused with one message; repeated failures lock the account for longer and longer."""

from __future__ import annotations

import pytest

from metdash import auth
from metdash.errors import AuthError, UserError
from metdash.store import Database

from .conftest import PASSWORDS


def test_password_is_stored_as_an_argon2id_hash_only(tmp_path):
    db = Database(tmp_path / "p.duckdb")
    secret = "Tr0ub4dor&3-horse"
    auth.add_user(db, "Anna", secret, "biller", by="cli", display_name="Anna A")
    row = db.query("SELECT * FROM users").iloc[0]
    assert row.username == "anna"            # names are kept lower case
    assert row.password_hash.startswith("$argon2id$")
    assert secret not in row.password_hash
    # Neither the password nor its hash reaches the audit log.
    log = db.query("SELECT CAST(before AS VARCHAR) b, CAST(after AS VARCHAR) a FROM audit_log")
    text = " ".join(str(v) for v in log.to_numpy().ravel())
    assert secret not in text and "$argon2" not in text and "password_hash" not in text
    # Not in the file on disk either.
    with db.connect() as con:
        con.execute("CHECKPOINT")
    assert secret.encode() not in (tmp_path / "p.duckdb").read_bytes()


def test_same_password_gets_a_different_salt_and_passwd_replaces_it(tmp_path):
    db = Database(tmp_path / "p.duckdb")
    auth.add_user(db, "a", "same password 123", "viewer", by="cli")
    auth.add_user(db, "b", "same password 123", "viewer", by="cli")
    hashes = db.query("SELECT password_hash FROM users ORDER BY username").password_hash
    assert hashes[0] != hashes[1]
    auth.set_password(db, "a", "a new password 456", by="cli")
    with pytest.raises(AuthError):
        auth.authenticate(db, "a", "same password 123")
    assert auth.authenticate(db, "a", "a new password 456").role == "viewer"


def test_weak_passwords_and_bad_names_are_refused_all_at_once(tmp_path):
    db = Database(tmp_path / "p.duckdb")
    with pytest.raises(UserError) as err:
        auth.add_user(db, "Bad Name!", "short", "admin", by="cli")
    text = str(err.value)
    assert "Username 'Bad Name!'" in text and "Role 'admin'" in text and "5 characters" in text
    assert db.scalar("SELECT count(*) FROM users") == 0


def test_one_message_for_unknown_user_wrong_password_and_disabled(practice):
    messages = set()
    for name, password in (("nobody", "whatever-it-is"), ("olive", "wrong-password-1")):
        with pytest.raises(AuthError) as err:
            auth.authenticate(practice, name, password)
        messages.add(str(err.value))
    auth.disable_user(practice, "vic", by="olive")
    with pytest.raises(AuthError) as err:
        auth.authenticate(practice, "vic", PASSWORDS["vic"])
    messages.add(str(err.value))
    assert messages == {"Wrong username or password."}


def test_lock_grows_exponentially_to_fifteen_minutes():
    assert [auth.lock_for(n) for n in (1, 4)] == [None, None]
    assert [auth.lock_for(n).total_seconds() for n in (5, 6, 7, 8, 10, 20)] == \
        [30, 60, 120, 240, 900, 900]


def test_every_sign_in_is_audited(practice):
    auth.authenticate(practice, "olive", PASSWORDS["olive"])
    with pytest.raises(AuthError):
        auth.authenticate(practice, "olive", "not-her-password")
    with pytest.raises(AuthError):
        auth.authenticate(practice, "mallory", "x'; DROP TABLE users; --")
    log = practice.query("SELECT user_name, action, record_key, CAST(after AS VARCHAR) AS after"
                         " FROM audit_log WHERE action LIKE 'login%' ORDER BY audit_id")
    assert log[["user_name", "action"]].values.tolist() == [
        ["olive", "login"], ["olive", "login_failed"], ["mallory", "login_failed"]]
    assert "wrong password" in log.after[1] and "unknown user" in log.after[2]
    assert practice.scalar("SELECT count(*) FROM users") == 4


def test_the_last_owner_cannot_be_disabled_or_demoted(practice):
    for change in (lambda: auth.disable_user(practice, "olive", by="olive"),
                   lambda: auth.set_role(practice, "olive", "viewer", by="olive")):
        with pytest.raises(UserError, match="last active owner"):
            change()
    auth.set_role(practice, "bill", "owner", by="olive")
    auth.disable_user(practice, "olive", by="bill")
    assert auth.get_user(practice, "olive") is None


@pytest.mark.parametrize("password, why", [
    ("aaaaaaaaaa", "one character repeated"),
    ("password12", "common password"),
    ("Password2026!", "common password"),
    ("iloveyou123", "common password"),
    ("qwertyuiop", "common password"),
    ("1234567890", "common password"),
    ("cdefghijklm", "in order"),
    ("0987654321", "common password"),
    ("9876543210", "in order"),
    ("abcabcabcabc", "repeats"),
    ("1212121212", "repeats"),
    ("anna.berg99", "username"),
    ("Anna.Berg", "username"),
])
def test_common_repeated_and_sequential_passwords_are_refused(tmp_path, password, why):
    problems = auth.password_problems(password, "anna.berg")
    assert problems and why in " ".join(problems)
    db = Database(tmp_path / "p.duckdb")
    with pytest.raises(UserError, match=why):
        auth.add_user(db, "anna.berg", password, "biller", by="cli")


@pytest.mark.parametrize("password", ["Tr0ub4dor&3-horse", "correct horse battery",
                                      "olive-owner-pass-1", "m8#Lq2vZ!p0x"])
def test_uncommon_passwords_still_do(password):
    assert auth.password_problems(password, "anna.berg") == []


def test_the_common_password_list_ships_with_the_package():
    common = auth.common_passwords()
    assert len(common) > 1000
    assert {"password", "123456", "qwerty", "iloveyou", "letmein"} <= common
    assert all(w == w.lower() and w.strip() == w and not w.startswith("#") for w in common)
