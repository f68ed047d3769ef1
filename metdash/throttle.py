"""How fast anyone may try passwords (pure: no streamlit, no store).

Three limits, checked before a password is hashed, so a refused attempt costs no argon2
work and tells nothing about the name:

- **per client** (the browser's IP address, else its session): a token bucket of
  :data:`CLIENT_BURST` attempts, refilled one every :data:`CLIENT_EVERY` seconds;
- **for everyone**: a token bucket of :data:`GLOBAL_BURST` attempts, refilled
  :data:`GLOBAL_RATE` a second, whatever the number of sessions or addresses;
- **per name and client**: after :data:`metdash.auth.LOCK_AFTER` failed sign-ins in a row
  for one name from one client, that name is paused *for that client* for 30 s, doubling
  with each further failure up to 15 minutes (:func:`metdash.auth.lock_for`). Unknown names
  are paused exactly like real ones, so a pause says nothing about who exists.

Why no lock on the account itself (the design before issue 19): anyone who knew a username
could keep its owner locked out for good with one wrong try after each lock. A pause per
name *and client* cannot lock out the owner at her own desk; the limit for everyone still
bounds guessing from many addresses. The pauses live in this process's memory: a restart
of the app lifts them (an attacker cannot restart it), as does the owner's *Unlock*
(:meth:`SignInThrottle.unlock`).

Each limit answers with a :class:`Refusal` whose ``first`` is true only for the first
refusal of a burst (a burst ends after :data:`BURST_GAP` seconds without a refusal of the
same kind), so the audit log gets one row per burst, not one per attempt.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

CLIENT_BURST = 5        # attempts a client may make at once
CLIENT_EVERY = 12.0     # seconds until a client may make one more (5 a minute)
GLOBAL_BURST = 10       # attempts everyone together may make at once
GLOBAL_RATE = 1.0       # attempts a second for everyone together (argon2: ~0.15 s each)
BURST_GAP = 60.0        # seconds without a refusal that end a burst (one audit row each)
_FORGET_AFTER = 3600.0  # seconds after which an idle client or name is forgotten


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass(frozen=True)
class Refusal:
    """Why an attempt was refused before its password was checked."""

    scope: str       # "name" (this name from this client), "client" or "everyone"
    wait: float      # seconds until an attempt may succeed
    first: bool      # the first refusal of this burst (audit it; the rest are not)

    @property
    def message(self) -> str:
        """What the person at the sign-in form reads (the same for every name)."""
        if self.scope == "name":
            if self.wait < 90:  # the first pauses (30 s, 60 s) are said as they are
                seconds = max(1, round(self.wait))
                how_long = f"{seconds} second{'s' if seconds != 1 else ''}"
            else:
                minutes = round(self.wait / 60)
                how_long = f"{minutes} minute{'s' if minutes != 1 else ''}"
            return (f"Too many failed sign-ins for this username from here: wait about "
                    f"{how_long} and try again, or ask the practice owner to unlock it "
                    "(Settings → Users).")
        seconds = max(1, round(self.wait))
        return (f"Too many sign-in attempts: wait {seconds} second"
                f"{'s' if seconds != 1 else ''} and try again.")


@dataclass
class _Failures:
    count: int = 0
    until: float = 0.0
    stamp: float = 0.0


@dataclass
class SignInThrottle:
    """The three limits of the module doc, thread-safe (one per process: :data:`THROTTLE`).

    ``clock`` gives seconds (monotonic); ``lock_for(failures)`` the pause after that many
    failures in a row (a ``timedelta`` or None).
    """

    lock_for: Callable[[int], object]
    clock: Callable[[], float] = time.monotonic
    client_burst: int = CLIENT_BURST
    client_every: float = CLIENT_EVERY
    global_burst: int = GLOBAL_BURST
    global_rate: float = GLOBAL_RATE
    _clients: dict[str, _Bucket] = field(default_factory=dict)
    _everyone: _Bucket | None = None
    _failures: dict[tuple[str, str], _Failures] = field(default_factory=dict)
    _refused_at: dict[tuple[str, ...], float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def attempt(self, name: str, client: str) -> Refusal | None:
        """Take one attempt for ``name`` from ``client``: None when it may go ahead (a token
        of the client's and of everyone's bucket is spent), else why not."""
        now = self.clock()
        with self._lock:
            self._forget(now)
            fail = self._failures.get((name, client))
            if fail and fail.until > now:
                return self._refuse(("name", name, client), "name", fail.until - now)
            mine = self._clients.setdefault(client, _Bucket(self.client_burst, now))
            everyone = self._everyone or _Bucket(self.global_burst, now)
            self._everyone = everyone
            _refill(mine, now, 1 / self.client_every, self.client_burst)
            _refill(everyone, now, self.global_rate, self.global_burst)
            if mine.tokens < 1:
                return self._refuse(("client", client), "client",
                                    (1 - mine.tokens) * self.client_every)
            if everyone.tokens < 1:
                return self._refuse(("everyone",), "everyone",
                                    (1 - everyone.tokens) / self.global_rate)
            mine.tokens -= 1
            everyone.tokens -= 1
            return None

    def failed(self, name: str, client: str) -> float | None:
        """Count a failed sign-in of ``name`` from ``client``; the pause (seconds) it starts,
        or None."""
        now = self.clock()
        with self._lock:
            fail = self._failures.setdefault((name, client), _Failures())
            fail.count += 1
            fail.stamp = now
            pause = self.lock_for(fail.count)
            if pause is None:
                return None
            fail.until = now + pause.total_seconds()
            return pause.total_seconds()

    def succeeded(self, name: str, client: str) -> None:
        """A right password: the failures of ``name`` from ``client`` start again at 0."""
        with self._lock:
            self._failures.pop((name, client), None)

    def unlock(self, name: str) -> int:
        """Lift every pause and failure count of ``name`` (from any client); how many
        clients it was paused for."""
        now = self.clock()
        with self._lock:
            keys = [k for k in self._failures if k[0] == name]
            paused = sum(1 for k in keys if self._failures[k].until > now)
            for k in keys:
                del self._failures[k]
            return paused

    def paused(self, name: str) -> float:
        """The longest pause (seconds left) of ``name`` from any client; 0 when none."""
        now = self.clock()
        with self._lock:
            return max((f.until - now for (n, _), f in self._failures.items() if n == name),
                       default=0.0) if name else 0.0

    def reset(self) -> None:
        """Forget everything (for tests)."""
        with self._lock:
            self._clients.clear()
            self._failures.clear()
            self._refused_at.clear()
            self._everyone = None

    def _refuse(self, key: tuple[str, ...], scope: str, wait: float) -> Refusal:
        now = self.clock()
        last = self._refused_at.get(key)
        self._refused_at[key] = now
        return Refusal(scope, max(wait, 0.0), last is None or now - last >= BURST_GAP)

    def _forget(self, now: float) -> None:
        """Drop idle clients and names (memory stays bounded under a spray of names)."""
        if len(self._clients) + len(self._failures) + len(self._refused_at) < 10_000:
            return
        self._clients = {c: b for c, b in self._clients.items()
                         if now - b.stamp < _FORGET_AFTER}
        self._failures = {k: f for k, f in self._failures.items()
                          if f.until > now or now - f.stamp < _FORGET_AFTER}
        self._refused_at = {k: t for k, t in self._refused_at.items()
                            if now - t < BURST_GAP}


def _refill(bucket: _Bucket, now: float, rate: float, burst: int) -> None:
    bucket.tokens = min(burst, bucket.tokens + (now - bucket.stamp) * rate)
    bucket.stamp = now
