"""Promise: guessing passwords is slow for everyone, yet nobody can lock a user out for good
or learn which usernames exist; the owner can lift a pause in the app (issue 19, item 12)."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from metdash import auth
from metdash.auditlog import audit_entries
from metdash.errors import AuthError, UserError
from metdash.throttle import BURST_GAP, CLIENT_BURST, GLOBAL_BURST, SignInThrottle

from .conftest import PAGES, PASSWORDS


class CountingHasher:
    """auth's argon2 hasher, counting the password checks it makes."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.verified: list[str] = []

    def verify(self, hash_: str, password: str) -> bool:
        self.verified.append(hash_)
        return self.inner.verify(hash_, password)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def throttle(clock) -> SignInThrottle:
    return SignInThrottle(lock_for=auth.lock_for, clock=clock, client_burst=100,
                          global_burst=100)


def refusal(db, name: str, password: str, throttle: SignInThrottle, client: str) -> str:
    with pytest.raises(AuthError) as err:
        auth.authenticate(db, name, password, client=client, throttle=throttle)
    return str(err.value)


def test_real_and_unknown_names_are_answered_alike(practice, throttle, monkeypatch):
    hasher = CountingHasher(auth._hasher)
    monkeypatch.setattr(auth, "_hasher", hasher)
    verified = hasher.verified
    answers = {}
    for name in ("olive", "nobody"):
        verified.clear()
        answers[name] = [refusal(practice, name, f"guess-{i}-x", throttle, "10.0.0.9")
                         for i in range(auth.LOCK_AFTER + 1)]
        # One argon2 check for each of the first five, real name or not; none once paused.
        assert len(verified) == auth.LOCK_AFTER
    assert answers["olive"] == answers["nobody"]
    assert set(answers["olive"][:-1]) == {auth.WRONG}
    assert answers["olive"][-1].startswith("Too many failed sign-ins for this username")
    # Paused, the right password is refused the same way (nothing to tell it apart).
    assert refusal(practice, "olive", PASSWORDS["olive"], throttle, "10.0.0.9") == \
        answers["nobody"][-1]


def test_an_attacker_cannot_keep_the_owner_out(practice, throttle, clock):
    attacker, desk = "203.0.113.7", "192.168.1.20"
    for i in range(12):  # one wrong try after every pause, for hours
        refusal(practice, "olive", f"guess-{i}-x", throttle, attacker)
        clock.now += auth.LOCK_MAX.total_seconds() + 1
        # The owner at her own desk signs in at any moment.
        assert auth.authenticate(practice, "olive", PASSWORDS["olive"], client=desk,
                                 throttle=throttle).role == "owner"
    # From the attacker's address the pause is capped at 15 minutes, and it ends: after it
    # the right password works there too.
    refusal(practice, "olive", "guess-last-x", throttle, attacker)
    assert throttle.paused("olive") <= auth.LOCK_MAX.total_seconds()
    assert "Too many failed" in refusal(practice, "olive", PASSWORDS["olive"], throttle,
                                        attacker)
    clock.now += auth.LOCK_MAX.total_seconds() + 1
    assert auth.authenticate(practice, "olive", PASSWORDS["olive"], client=attacker,
                             throttle=throttle).role == "owner"


def test_a_short_pause_is_said_in_seconds_not_rounded_up_to_a_minute():
    from metdash.throttle import Refusal

    assert "wait about 30 seconds" in Refusal("name", 30.0, True).message
    assert "wait about 60 seconds" in Refusal("name", 60.0, True).message
    assert "wait about 2 minutes" in Refusal("name", 120.0, True).message
    assert "wait about 15 minutes" in Refusal("name", 900.0, True).message


def test_attempts_are_limited_per_client_and_for_everyone(clock):
    t = SignInThrottle(lock_for=auth.lock_for, clock=clock)
    assert all(t.attempt("a", "one") is None for _ in range(CLIENT_BURST))
    refused = t.attempt("b", "one")     # any name: the client is out of attempts
    assert refused.scope == "client" and refused.first
    assert "wait 12 seconds" in refused.message
    assert not t.attempt("c", "one").first   # the same burst: not audited again
    clock.now += 12
    assert t.attempt("a", "one") is None
    # Refused again and again, one a few seconds apart: still the same burst.
    refusals = []
    for _ in range(20):
        clock.now += 5
        refusals.append(t.attempt("a", "one"))
    refusals = [r for r in refusals if r is not None]
    assert refusals and not any(r.first for r in refusals)
    clock.now += BURST_GAP + 12              # a minute of quiet ends the burst
    assert t.attempt("a", "one") is None
    assert all(t.attempt("a", "one") is None for _ in range(CLIENT_BURST - 1))
    assert t.attempt("a", "one").first
    # Everyone together: GLOBAL_BURST attempts at once, then one a second, however many
    # addresses or sessions they come from.
    t = SignInThrottle(lock_for=auth.lock_for, clock=clock)
    allowed = [t.attempt("x", f"client-{i}") for i in range(GLOBAL_BURST + 5)]
    assert allowed.count(None) == GLOBAL_BURST
    assert allowed[GLOBAL_BURST].scope == "everyone"
    clock.now += 1
    assert t.attempt("x", "client-new") is None
    assert t.attempt("x", "client-newer").scope == "everyone"


def test_a_throttled_burst_costs_no_hashing_and_one_audit_row(practice, clock, monkeypatch):
    t = SignInThrottle(lock_for=auth.lock_for, clock=clock, client_burst=2)
    start = practice.scalar("SELECT max(audit_id) FROM audit_log")
    hasher = CountingHasher(auth._hasher)
    monkeypatch.setattr(auth, "_hasher", hasher)
    verified = hasher.verified
    for i in range(30):
        with pytest.raises(AuthError):
            auth.authenticate(practice, f"user{i}", "some-guess-x", client="10.1.1.1",
                              throttle=t)
    assert len(verified) == 2
    log = audit_entries(practice)
    log = log[log.audit_id > start]
    assert sorted(log.action) == ["login_failed", "login_failed", "login_throttled"]


def test_the_owner_unlocks_a_user(practice, throttle):
    for i in range(auth.LOCK_AFTER):
        refusal(practice, "bill", f"guess-{i}-x", throttle, "10.0.0.3")
    assert throttle.paused("bill") > 0
    assert practice.scalar("SELECT failed_attempts FROM users WHERE username = 'bill'") == 5
    assert auth.unlock_user(practice, "bill", by="olive", throttle=throttle) == 1
    assert throttle.paused("bill") == 0
    assert auth.authenticate(practice, "bill", PASSWORDS["bill"], client="10.0.0.3",
                             throttle=throttle).role == "biller"
    entry = audit_entries(practice, actions=["unlock"]).iloc[0]
    assert (entry.user_name, entry.record_key) == ("olive", "bill")
    with pytest.raises(UserError, match="No user 'ghost'"):
        auth.unlock_user(practice, "ghost", by="olive", throttle=throttle)


def _settings(username: str, role: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / "settings.py"), default_timeout=60)
    at.session_state["_auth_user"] = {"username": username, "role": role,
                                      "display_name": username.capitalize()}
    at.session_state["_auth_seen"] = time.time()
    at.session_state["settings_tab"] = "Users"
    return at


def test_settings_users_tab_shows_pauses_and_unlocks(practice):
    for i in range(auth.LOCK_AFTER):
        refusal(practice, "fran", f"guess-{i}-x", auth.THROTTLE, "10.0.0.4")
    at = _settings("olive", "owner").run()
    assert not at.exception, [e.value for e in at.exception]
    users = at.dataframe[0].value
    assert "password_hash" not in users.columns
    fran = users.set_index("username").loc["fran"]
    assert fran.failed_sign_ins == 5 and fran.paused_minutes > 0
    at.selectbox(key="us_unlock_user").select("fran")
    next(b for b in at.button if b.label == "Unlock").click()
    at.run()
    assert not at.exception and not at.error
    assert any("fran" in s.value for s in at.success)
    assert auth.THROTTLE.paused("fran") == 0
    assert audit_entries(practice, actions=["unlock"]).user_name.tolist() == ["olive"]
    # A biller never reaches the page, let alone the button.
    at = _settings("bill", "biller").run()
    assert not at.button or "Unlock" not in [b.label for b in at.button]
    assert any("may not open this page" in e.value for e in at.error)


def test_the_sign_in_form_passes_its_client_and_is_throttled(practice):
    from .test_login_gate import page, sign_in

    at = page("overview").run()
    for i in range(auth.LOCK_AFTER):
        at = sign_in(at, "nobody", f"guess-{i}-x")
        assert [e.value for e in at.error] == [auth.WRONG]
    at = sign_in(at, "nobody", "guess-x-x")
    assert at.error[0].value.startswith("Too many failed sign-ins for this username")
    logged = audit_entries(practice, actions=["login_failed"]).after.iloc[0]
    assert '"signed_in_from": "session ' in logged   # the session's id hashed, never the id itself
