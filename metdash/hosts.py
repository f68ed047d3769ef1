"""Which Host names the app answers to (pure: no streamlit).

A web page on another site can make the browser of someone in the practice talk to
``http://localhost:8501`` by pointing a name of its own at 127.0.0.1 (DNS rebinding): the
browser then sends that other name in the ``Host`` header. Streamlit 1.67 has no setting
that checks the Host header (``server.enableCORS`` and ``server.enableXsrfProtection`` look
at the origin of uploads and websocket messages, ``client.allowedOrigins`` at embedding),
so every page checks it itself (:func:`metdash.ui.frame.page_start`) and renders nothing
for a name that is not allowed.

The allowed names: ``$METDASH_ALLOWED_HOSTS`` (comma-separated; ``name`` allows any port,
``name:port`` only that port), else ``localhost``, ``127.0.0.1`` and ``[::1]`` on the app's
own port.
"""

from __future__ import annotations

import os

ENV = "METDASH_ALLOWED_HOSTS"
LOCAL = ("localhost", "127.0.0.1", "[::1]")


def allowed_hosts(port: int | None, env: dict[str, str] | None = None) -> tuple[str, ...]:
    """The allowed ``Host`` values (lower case): ``$METDASH_ALLOWED_HOSTS``, else the local
    names on ``port`` (any port when ``port`` is None)."""
    value = (env if env is not None else os.environ).get(ENV, "")
    listed = tuple(h.strip().lower() for h in value.split(",") if h.strip())
    if listed:
        return listed
    return tuple(f"{h}:{port}" if port else h for h in LOCAL)


def _split(host: str) -> tuple[str, str | None]:
    """'name:port' -> ('name', 'port'); '[::1]:8501' -> ('[::1]', '8501')."""
    if host.startswith("["):
        end = host.find("]")
        name, rest = host[:end + 1], host[end + 1:]
        return name, rest[1:] if rest.startswith(":") else None
    name, _, port = host.partition(":")
    return name, port or None


def host_allowed(host: str | None, allowed: tuple[str, ...]) -> bool:
    """True when the request's ``Host`` header names one of ``allowed``. A request without
    one passes: every browser sends it, and a program that leaves it out could send any
    name it likes anyway."""
    if host is None:
        return True
    name, port = _split(host.strip().lower().rstrip("."))
    for entry in allowed:
        want_name, want_port = _split(entry)
        if name == want_name.rstrip(".") and (want_port is None or port == want_port):
            return True
    return False


def refusal(host: str) -> str:
    """What the page says instead of showing anything."""
    return (f"This app does not answer to the name {host!r}. Open it at the address the "
            f"practice uses, or add the name to {ENV} on the computer that runs it.")
