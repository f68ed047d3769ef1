"""Who may open a practice database, and what each role may do (pure: no streamlit).

Passwords are hashed with **argon2id** through ``argon2-cffi``. Compared with the others:

- *bcrypt* is sound and well kept too, but it is not memory-hard (cheap to attack on GPUs)
  and silently truncates passwords at 72 bytes; argon2id won the Password Hashing
  Competition and is OWASP's first recommendation.
- *streamlit-authenticator* bundles bcrypt, a YAML file of users and signed cookies. Its
  users live outside our store (so no audit rows, no transactions, no locking after
  failures in the database), and its "remember me" cookie keeps a browser signed in
  across restarts, which we do not want on a shared front-desk machine.

So users live in the ``users`` table (migration 0002), every change and every sign-in is
written to ``audit_log`` in the same transaction, and the session itself is kept by
``metdash.ui`` in Streamlit's per-browser session state with an idle timeout. How fast
passwords may be tried, and the pause after failures, is :mod:`metdash.throttle`'s
(:data:`THROTTLE`): the account itself is never locked.

Errors: :class:`AuthError` (sign-in refused; one message for an unknown user, a wrong
password or a disabled account) and :class:`UserError` (a user change that cannot be
made, in words a practice owner can act on). Both derive from ``ValueError``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from metdash.errors import AuthError, UserError
from metdash.store import Database, audit
from metdash.throttle import SignInThrottle

ROLES = ("owner", "biller", "front_desk", "viewer")

# Permissions a page or an action may require.
VIEW = "view"              # the dashboards (aggregate figures)
PHI = "phi"                # columns that identify a person: names, dob, member ids, ...
FRONT_DESK = "front_desk"  # clients, referrers, referrals, sessions
WORK = "work"              # the work lists (front desk and billing items)
BILLING = "billing"        # claims, payments, remittances, appeals
IMPORTS = "imports"        # 835 and spreadsheet imports
EXPORTS = "exports"        # 837P files and other exports of the practice's data
OWNER = "owner"            # settings, users, the audit log
PERMISSIONS = (VIEW, PHI, FRONT_DESK, WORK, BILLING, IMPORTS, EXPORTS, OWNER)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "owner": frozenset(PERMISSIONS),
    "biller": frozenset({VIEW, PHI, WORK, BILLING, IMPORTS, EXPORTS}),
    "front_desk": frozenset({PHI, FRONT_DESK, WORK}),
    "viewer": frozenset({VIEW}),
}

ROLE_LABELS = {"owner": "Owner", "biller": "Biller", "front_desk": "Front desk",
               "viewer": "Viewer"}

LOCK_AFTER = 5                          # failures in a row (one name, one client) before a pause
LOCK_BASE = dt.timedelta(seconds=30)    # first pause; doubles with every further failure
LOCK_MAX = dt.timedelta(minutes=15)     # the longest pause
MIN_PASSWORD = 10
WRONG = "Wrong username or password."

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
# argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane): ~0.15 s a check on this
# 2-core machine, slow enough to make guessing expensive, fast enough for a sign-in.
# Hashes made with other parameters are upgraded at the next successful sign-in.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# Verified against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("metdash: no such user")


@dataclass(frozen=True)
class User:
    """A signed-in (or listed) user; never carries the password hash."""

    username: str
    display_name: str
    role: str
    active: bool = True

    @property
    def permissions(self) -> frozenset[str]:
        return ROLE_PERMISSIONS.get(self.role, frozenset())

    def can(self, permission: str) -> bool:
        return can(self.role, permission)


def can(role: str | None, permission: str) -> bool:
    """True when ``role`` carries ``permission`` (an unknown role carries none)."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}; one of {', '.join(PERMISSIONS)}")
    return permission in ROLE_PERMISSIONS.get(role or "", frozenset())


def hash_password(password: str) -> str:
    """The argon2id hash (PHC string, salt included) of ``password``."""
    return _hasher.hash(password)


def password_problems(password: str, username: str = "") -> list[str]:
    """Every reason ``password`` is too weak (empty list when it will do): too short, the
    username, one of :func:`common_passwords` (with or without digits or symbols around
    it), one character or a few repeated, or a run of letters, digits or keys in order."""
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(f"Password: it has {len(password)} characters; use at least "
                        f"{MIN_PASSWORD} (a short sentence is easy to remember).")
    text = password.strip().lower()
    core = _core(text)
    if username and username.lower() in (text, core):
        problems.append("Password: it must not be the username.")
    elif text and len(set(text)) == 1:
        problems.append("Password: it is one character repeated; use a short sentence "
                        "instead.")
    elif text in common_passwords() or (len(core) >= 3 and core in common_passwords()):
        problems.append("Password: it is a common password (or one with digits or symbols "
                        "added), the first thing anyone guesses; use a short sentence "
                        "instead.")
    elif _repeats(text):
        problems.append("Password: it repeats a few characters over and over; use a short "
                        "sentence instead.")
    elif len(text) >= 4 and any(text in run for run in _RUNS):
        problems.append("Password: it is letters, digits or keys in order (like 'abcdefghij' "
                        "or '9876543210'); use a short sentence instead.")
    if password != password.strip():
        problems.append("Password: it starts or ends with a space; remove it.")
    return problems


# Runs of characters in order, each forwards and backwards, twice round (so '7890123456'
# is found too): the alphabet, the digits and the rows and columns of a keyboard.
_RUNS = tuple(r + r for seq in ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiop",
                                "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn7ujm")
              for r in (seq, seq[::-1]))


def _core(text: str) -> str:
    """``text`` without the digits and symbols before and after it ('Summer2026!' ->
    'summer'): what is left when a common word is dressed up to pass a length rule."""
    return re.sub(r"^[^a-z]+|[^a-z]+$", "", text)


def _repeats(text: str) -> bool:
    """True when ``text`` is a unit of 1-4 characters repeated ('abcabcabca', '1212121212')."""
    return any(len(text) >= 2 * n and text == (text[:n] * len(text))[:len(text)]
               for n in range(1, 5))


@functools.cache
def common_passwords() -> frozenset[str]:
    """The common passwords refused by :func:`password_problems` (lower case), read once from
    ``metdash/data/common_passwords.txt`` (its header says where they come from)."""
    text = resources.files("metdash").joinpath("data/common_passwords.txt").read_text("utf-8")
    return frozenset(w.strip().lower() for w in text.splitlines()
                     if w.strip() and not w.startswith("#"))


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _public(row: dict) -> dict:
    """A users row fit for the audit log (no password hash)."""
    return {k: v for k, v in row.items() if k != "password_hash"}


def _get(con, username: str) -> dict | None:
    # con.execute, not a cursor: a cursor would not see this transaction's own writes.
    res = con.execute("SELECT * FROM users WHERE username = ?", [username])
    names = [d[0] for d in res.description]
    row = res.fetchone()
    return dict(zip(names, row, strict=True)) if row else None


def add_user(db: Database, username: str, password: str, role: str, *, by: str,
             display_name: str | None = None) -> User:
    """Create a user; raises :class:`UserError` listing every problem (nothing saved)."""
    name = normalise_username(username)
    problems = []
    if not _USERNAME.match(name):
        problems.append(f"Username {username!r}: use 1-64 lower-case letters, digits, dots, "
                        "dashes or underscores, starting with a letter or digit.")
    if role not in ROLES:
        problems.append(f"Role {role!r}: choose one of {', '.join(ROLES)}.")
    problems += password_problems(password, name)
    display = (display_name or "").strip() or name
    if any(ord(c) < 32 for c in display):
        problems.append("Display name: remove the control characters (tabs, line breaks).")
    if problems:
        raise UserError("\n".join(problems))
    with db.transaction() as con:
        if _get(con, name) is not None:
            raise UserError(f"Username {name!r} is taken: choose another, or use "
                            "'metdash user passwd' to change its password.")
        con.execute("INSERT INTO users (username, display_name, role, password_hash, created_at)"
                    " VALUES (?, ?, ?, ?, ?)", [name, display, role, hash_password(password),
                                                _now()])
        audit(con, by, "create", "users", name, None, _public(_get(con, name)))
    return User(name, display, role, True)


def set_password(db: Database, username: str, password: str, *, by: str) -> None:
    """Replace a user's password (and clear any lock); raises :class:`UserError`."""
    name = normalise_username(username)
    problems = password_problems(password, name)
    if problems:
        raise UserError("\n".join(problems))
    with db.transaction() as con:
        before = _get(con, name)
        if before is None:
            raise UserError(f"No user {name!r}: see 'metdash user list'.")
        con.execute("UPDATE users SET password_hash = ?, failed_attempts = 0, locked_until = NULL"
                    " WHERE username = ?", [hash_password(password), name])
        THROTTLE.unlock(name)
        after = _public(_get(con, name))
        after["password"] = "changed"
        audit(con, by, "update", "users", name, _public(before), after)


def set_role(db: Database, username: str, role: str, *, by: str) -> None:
    """Give a user another role; raises :class:`UserError`."""
    name = normalise_username(username)
    if role not in ROLES:
        raise UserError(f"Role {role!r}: choose one of {', '.join(ROLES)}.")
    with db.transaction() as con:
        before = _get(con, name)
        if before is None:
            raise UserError(f"No user {name!r}: see 'metdash user list'.")
        if before["role"] == "owner" and role != "owner":
            _keep_an_owner(con, name)
        con.execute("UPDATE users SET role = ? WHERE username = ?", [role, name])
        audit(con, by, "update", "users", name, _public(before), _public(_get(con, name)))


def _keep_an_owner(con, name: str) -> None:
    others = con.execute("SELECT count(*) FROM users WHERE role = 'owner' AND active"
                         " AND username <> ?", [name]).fetchone()[0]
    if not others:
        raise UserError(f"{name!r} is the last active owner: add another owner first, or "
                        "nobody could manage users or read the audit log.")


def disable_user(db: Database, username: str, *, by: str, active: bool = False) -> None:
    """Disable a user (they can no longer sign in; open sessions end at their next click).

    ``active=True`` enables them again. Raises :class:`UserError`.
    """
    name = normalise_username(username)
    with db.transaction() as con:
        before = _get(con, name)
        if before is None:
            raise UserError(f"No user {name!r}: see 'metdash user list'.")
        if not active and before["role"] == "owner":
            _keep_an_owner(con, name)
        con.execute("UPDATE users SET active = ?, failed_attempts = 0, locked_until = NULL"
                    " WHERE username = ?", [active, name])
        audit(con, by, "enable" if active else "disable", "users", name, _public(before),
              _public(_get(con, name)))


def list_users(db: Database):
    """Every user as a DataFrame: username, display_name, role, active, failed_attempts,
    locked_until, created_at, last_login (never the hash)."""
    return db.query("SELECT username, display_name, role, active, failed_attempts, "
                    "locked_until, created_at, last_login FROM users ORDER BY username")


def user_count(db: Database) -> int:
    """How many active users the store has."""
    return int(db.scalar("SELECT count(*) FROM users WHERE active") or 0)


def get_user(db: Database, username: str) -> User | None:
    """The active user of that name, or None (unknown or disabled)."""
    rows = db.query("SELECT username, display_name, role, active FROM users"
                    " WHERE username = ? AND active", [normalise_username(username)])
    if rows.empty:
        return None
    r = rows.iloc[0]
    return User(r.username, r.display_name, r.role, bool(r.active))


def lock_for(failures: int) -> dt.timedelta | None:
    """How long a name is paused for a client after ``failures`` failures in a row from it
    (None: not paused); at most :data:`LOCK_MAX`."""
    if failures < LOCK_AFTER:
        return None
    return min(LOCK_BASE * (2 ** (failures - LOCK_AFTER)), LOCK_MAX)


def authenticate(db: Database, username: str, password: str,
                 now: dt.datetime | None = None, *, client: str = "local",
                 throttle: SignInThrottle | None = None) -> User:
    """The user whose password this is; raises :class:`AuthError` otherwise.

    ``client`` names who is trying (an IP address, or a hashed browser session id). First
    :data:`THROTTLE` (or ``throttle``) takes the attempt: a refused one is answered at once,
    without hashing, and audited once per burst (``login_throttled``). Otherwise the
    password is checked and audited (``login`` / ``login_failed``); an unknown name, a
    disabled user and a wrong password get the same answer, after the same argon2 work.
    After :data:`LOCK_AFTER` failures in a row of one name from one client, that name is
    paused for that client (:func:`lock_for`), a real name or not; other clients (the owner
    at her desk) are not affected.
    """
    throttle = throttle or THROTTLE
    now = now or _now()
    name = normalise_username(username)
    password = password or ""
    refused = throttle.attempt(name, client)
    if refused is not None:
        if refused.first:  # one audit row per burst, not one per attempt
            with db.transaction(bookkeeping=True) as con:
                audit(con, name or "?", "login_throttled", "users", name or "?", None,
                      {"reason": f"too many attempts ({refused.scope})", "signed_in_from": client,
                       "wait_seconds": round(refused.wait)})
        raise AuthError(refused.message)
    with db.transaction(bookkeeping=True) as con:
        row = _get(con, name) if name else None
        if row is None or not row["active"]:
            try:  # same work as a real check, so timing does not reveal the name
                _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password)
            except (VerificationError, InvalidHashError):
                pass
            pause = throttle.failed(name, client)
            audit(con, name or "?", "login_failed", "users", name or "?", None,
                  {"reason": "unknown user" if row is None else "disabled", "signed_in_from": client,
                   "paused_seconds": pause})
            ok = False
        else:
            ok = _check(con, row, name, password, now, client, throttle)
    # Raised only now: the failure count and the audit row must be committed.
    if not ok:
        raise AuthError(WRONG)
    throttle.succeeded(name, client)
    return User(row["username"], row["display_name"], row["role"], True)


def _check(con, row: dict, name: str, password: str, now: dt.datetime, client: str,
           throttle: SignInThrottle) -> bool:
    """Verify the password of an active user and record the outcome; True when right."""
    try:
        _hasher.verify(row["password_hash"], password)
    except (VerificationError, InvalidHashError):
        failures = int(row["failed_attempts"]) + 1
        pause = throttle.failed(name, client)
        # The count is for the owner to see (Settings → Users); it locks nothing.
        con.execute("UPDATE users SET failed_attempts = ?, locked_until = NULL"
                    " WHERE username = ?", [failures, name])
        audit(con, name, "login_failed", "users", name,
              {"failed_attempts": row["failed_attempts"]},
              {"failed_attempts": failures, "reason": "wrong password", "signed_in_from": client,
               "paused_seconds": pause})
        return False
    new_hash = (hash_password(password) if _hasher.check_needs_rehash(row["password_hash"])
                else row["password_hash"])
    con.execute("UPDATE users SET failed_attempts = 0, locked_until = NULL, last_login = ?,"
                " password_hash = ? WHERE username = ?", [now, new_hash, name])
    audit(con, name, "login", "users", name, {"last_login": row["last_login"]},
          {"last_login": now, "signed_in_from": client})
    return True


def unlock_user(db: Database, username: str, *, by: str,
                throttle: SignInThrottle | None = None) -> int:
    """Lift every sign-in pause of a user (from any client) and zero its failed sign-ins;
    audited (``unlock``). How many clients it was paused for; raises :class:`UserError`
    for an unknown user."""
    throttle = throttle or THROTTLE
    name = normalise_username(username)
    with db.transaction() as con:
        before = _get(con, name)
        if before is None:
            raise UserError(f"No user {name!r}: see 'metdash user list'.")
        paused = throttle.unlock(name)
        con.execute("UPDATE users SET failed_attempts = 0, locked_until = NULL"
                    " WHERE username = ?", [name])
        audit(con, by, "unlock", "users", name,
              {"failed_attempts": before["failed_attempts"], "paused_clients": paused},
              {"failed_attempts": 0, "paused_clients": 0})
    return paused


def sign_in_status(db: Database, throttle: SignInThrottle | None = None):
    """Every user for the owner's list, as a DataFrame: username, display_name, role,
    active, failed_sign_ins (in a row, since the last success), paused_minutes (the longest
    pause of the name from any client, in this app's process; 0 when none), last_login."""
    throttle = throttle or THROTTLE
    frame = list_users(db)
    return frame.assign(
        failed_sign_ins=frame.failed_attempts,
        paused_minutes=[round(throttle.paused(n) / 60, 1) for n in frame.username],
    )[["username", "display_name", "role", "active", "failed_sign_ins", "paused_minutes",
       "last_login"]]


# The sign-in limits of this process (metdash.throttle): one for every session of the app.
THROTTLE = SignInThrottle(lock_for=lock_for)


# -- what a viewer may not see ---------------------------------------------------------------
def phi_columns(frame) -> list[str]:
    """The columns of ``frame`` that identify a person: names, birth dates and member ids
    (the rule of :mod:`metdash.privacy`), plus addresses, phone numbers, e-mail and SSN."""
    from metdash.privacy import is_contact, sensitive_columns

    masked = set(sensitive_columns(frame))
    return [c for c in frame.columns if c in masked or is_contact(c)]


def without_phi(frame):
    """A copy of ``frame`` without its :func:`phi_columns` (the frame itself unchanged)."""
    cols = phi_columns(frame)
    return frame.drop(columns=cols) if cols else frame
