"""The HTTP side of the sign-in: a browser cookie, and who may upload or download.

Streamlit knows a browser tab only by its session id, and that id is no secret: it is in
every upload URL (``/_stcore/upload_file/<session id>/<file id>``). Streamlit resumes a
session for any connection that names its id *and presents the same* ``user_info``; without
an identity, every connection presents the same empty one. So :class:`ClientGate`, an ASGI
middleware that ``serve.py`` puts in front of Streamlit (``st.App``), gives every browser an
identity another client cannot copy from a URL:

- Every HTTP response to a request without it sets :data:`CLIENT_COOKIE`: 32 random bytes,
  ``HttpOnly`` (no script can read it), ``SameSite=Strict``, ``Secure`` under TLS (ours,
  or a proxy's that sends ``X-Forwarded-Proto: https``), gone when the browser closes.
- Every request reaches Streamlit with :data:`CLIENT_HEADER` set to the SHA-256 of that
  cookie and :data:`GATE_HEADER` set (any copy of either a client sent is dropped first).
  ``.streamlit/config.toml`` maps the first into ``st.user``
  (``server.trustedUserHeaders``), so a connection that
  names a session id without the cookie of the browser that made the session gets a fresh,
  signed-out session, and :mod:`metdash.ui.session` signs a session out whose client
  differs from the one it signed in from.
- A file upload (or its removal) is accepted only for an open session (signed in, or the
  synthetic demo, registered here by :mod:`metdash.ui.session`) and from the browser that
  holds it, and only up to :data:`UPLOAD_FILES` files and :data:`UPLOAD_MB` MB held at
  once per session. Signing out drops the session's uploaded files.
- A download (``/media/...``) is served only to the browser it was made for (its link
  went out over that browser's websocket) while that browser has an open session: a
  leaked link is refused to any other client, a signed-in colleague's included, and to the
  same browser once it signed out.

The registry of open sessions lives in this process: page runs (script threads) write it,
the middleware (the event loop) reads it, under one lock.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

CLIENT_COOKIE = "metdash_client"      # the browser's random token (HttpOnly)
CLIENT_HEADER = "x-metdash-client"    # SHA-256 of the cookie, set here for Streamlit
GATE_HEADER = "x-metdash-gate"        # "1" on every request that passed through the gate
USER_KEY = "metdash_client"           # where st.user carries that hash
UPLOAD_FILES = 20                     # files one session may hold uploaded at once
UPLOAD_MB = 40                        # megabytes one session may hold uploaded at once

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")             # secrets.token_urlsafe(32)
_UPLOAD = re.compile(r"/_stcore/upload_file/(?P<session>[^/]+)/(?P<file>[^/]+)$")
# Streamlit's media endpoint (downloads, images drawn by a page), not its own static files
# under /static/media/ (fonts: refused, every icon showed as its name).
_MEDIA = re.compile(r"(?<!/static)/media/(?P<name>[^/]+)$")
_MEDIA_IN_MESSAGE = re.compile(rb"/media/([0-9A-Za-z_-]+\.[0-9A-Za-z]+)")
_MEDIA_NAME = re.compile(r"[0-9A-Za-z_-]+\.[0-9A-Za-z]+")
ISSUED_KEPT = 500                      # media links remembered per browser (newest kept)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_lock = threading.Lock()
_open: dict[str, str | None] = {}          # session id -> client id it is open for
_pending: dict[str, dict[str, int]] = {}   # session id -> {file id: bytes} being uploaded
_issued: dict[str, dict[str, None]] = {}   # client id -> media files sent to that browser


def client_id(token: str | None) -> str | None:
    """The client id (SHA-256 hex) of a :data:`CLIENT_COOKIE` value; None for a value that
    is missing or not one of ours."""
    if not token or not _TOKEN.match(token):
        return None
    return hashlib.sha256(token.encode("ascii")).hexdigest()


# -- the registry of open sessions (written by metdash.ui.session) ------------------------------
def open_session(session_id: str, client: str | None) -> None:
    """Record that ``session_id`` is signed in (or in the open demo) from ``client``; every
    page run of an open session calls it (a session back from a network blip is open again
    at its next run). Entries of sessions no longer connected are dropped here."""
    with _lock:
        ended = [s for s in _open if s != session_id]
    ended = [s for s in ended if not _live(s)]
    with _lock:
        for s in ended:
            _open.pop(s, None)
            _pending.pop(s, None)
        _open[session_id] = client


def close_session(session_id: str) -> None:
    """Forget ``session_id``: it may no longer upload, nor its browser download; the files
    it had uploaded are dropped (Streamlit would keep them until the session ends)."""
    from streamlit import runtime

    with _lock:
        was_open = _open.pop(session_id, None) is not None or session_id in _pending
        _pending.pop(session_id, None)
    if was_open and runtime.exists():
        runtime.get_instance().uploaded_file_mgr.remove_session_files(session_id)


def _live(session_id: str) -> bool:
    from streamlit import runtime

    return runtime.exists() and runtime.get_instance().is_active_session(session_id)


def session_is_open_for(session_id: str, client: str | None) -> bool:
    """True when ``session_id`` is open, still connected, and open for ``client``."""
    with _lock:
        known = session_id in _open
        owner = _open.get(session_id)
    return known and client is not None and owner == client and _live(session_id)


def client_has_open_session(client: str | None) -> bool:
    """True when the browser ``client`` has at least one open, connected session."""
    if client is None:
        return False
    with _lock:
        sessions = [s for s, c in _open.items() if c == client]
    return any(session_is_open_for(s, client) for s in sessions)


def issue_media(client: str, names: list[str]) -> None:
    """Record that the media files ``names`` were sent to the browser ``client``."""
    with _lock:
        issued = _issued.setdefault(client, {})
        for name in names:
            issued.pop(name, None)
            issued[name] = None
        while len(issued) > ISSUED_KEPT:
            del issued[next(iter(issued))]


def media_names(data: bytes) -> list[str]:
    """The media files a message to the browser links to (``/media/<name>``). A link is a
    protobuf string: the byte before it is its length, and the name ends there; the byte
    after it starts the next field and may be a letter ('J', a button's type), which a
    pattern alone read as part of the name ("….csvJ"), so that download was refused."""
    names = []
    for m in _MEDIA_IN_MESSAGE.finditer(data):
        start = m.start()
        size = data[start - 1] if start > 0 else 0
        exact = data[start:start + size] if 0 < size < 128 else b""
        name = exact[len(b"/media/"):].split(b"?")[0].decode("ascii", "replace")
        names.append(name if exact.startswith(b"/media/") and _MEDIA_NAME.fullmatch(name)
                     else m.group(1).decode())
    return names


def may_download(client: str | None, name: str) -> bool:
    """True when the media file ``name`` was sent to the browser ``client`` and that
    browser still has an open session."""
    if client is None:
        return False
    with _lock:
        sent = name in _issued.get(client, {})
    return sent and client_has_open_session(client)


def _held(session_id: str) -> dict[str, int]:
    """{file id: bytes} the session holds uploaded or is uploading now."""
    from streamlit import runtime
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

    held: dict[str, int] = {}
    if runtime.exists():
        files = runtime.get_instance().uploaded_file_mgr
        if isinstance(files, MemoryUploadedFileManager):
            # list() copies in one step: the upload route may add a file meanwhile.
            stored = list(files.file_storage.get(session_id, {}).items())
            held = {f: len(r.data) for f, r in stored}
    with _lock:
        held.update(_pending.get(session_id, {}))
    return held


def upload_refusal(session_id: str, file_id: str, client: str | None,
                   length: int | None) -> tuple[int, str] | None:
    """(HTTP status, message) when this upload must be refused, else None; a file allowed
    is counted as held until :func:`upload_done`."""
    if not session_is_open_for(session_id, client):
        return 403, "Sign in before uploading a file."
    if length is None:
        return 411, "An upload must say its length."
    held = _held(session_id)
    held.pop(file_id, None)  # the same file again replaces itself
    if len(held) >= UPLOAD_FILES:
        return 413, (f"This session holds {len(held)} uploaded files, the most allowed: "
                     "remove some (or sign out and in) first.")
    if sum(held.values()) + length > UPLOAD_MB * 1024 * 1024:
        return 413, (f"This session may hold {UPLOAD_MB} MB of uploads at once: remove "
                     "some files (or sign out and in) first.")
    with _lock:
        _pending.setdefault(session_id, {})[file_id] = length
    return None


def upload_done(session_id: str, file_id: str) -> None:
    """The upload of ``file_id`` ended (stored, or failed): stop counting it as pending."""
    with _lock:
        files = _pending.get(session_id)
        if files is not None:
            files.pop(file_id, None)


# -- the middleware -----------------------------------------------------------------------------
def _cookie(headers: list[tuple[bytes, bytes]], name: str) -> str | None:
    """The value of cookie ``name``. Split by hand, as browsers send them: http.cookies
    stops at the first cookie it dislikes (another app's on the same host)."""
    for key, value in headers:
        if key == b"cookie":
            for pair in value.decode("latin-1").split(";"):
                k, sep, v = pair.strip().partition("=")
                if sep and k == name:
                    return v.strip()
    return None


def _content_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for key, value in headers:
        if key == b"content-length":
            try:
                return max(0, int(value))
            except ValueError:
                return None
    return None


def _over_tls(headers: list[tuple[bytes, bytes]]) -> bool:
    """True under Streamlit's own TLS, or behind a TLS proxy that says so. (A client that
    claims it falsely over plain HTTP only gets a cookie its browser will not send back.)"""
    from streamlit import config

    return bool(config.get_option("server.sslCertFile")) or any(
        k == b"x-forwarded-proto" and v.strip().lower() == b"https" for k, v in headers)


def _set_cookie(token: str, secure: bool) -> bytes:
    flag = "; Secure" if secure else ""
    return f"{CLIENT_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{flag}".encode()


class ClientGate:
    """ASGI middleware: the browser cookie, the client header, and the upload and download
    rules of this module's docstring."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        ours = (CLIENT_HEADER.encode(), GATE_HEADER.encode())
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in ours]
        client = client_id(_cookie(headers, CLIENT_COOKIE))
        headers.append((GATE_HEADER.encode(), b"1"))
        if client:
            headers.append((CLIENT_HEADER.encode(), client.encode()))
        scope = {**scope, "headers": headers}
        if scope["type"] == "websocket":
            if client:  # remember every download link this browser is sent
                ws_send = send

                async def send(message: Message) -> None:
                    data = message.get("bytes") or b""
                    if message["type"] == "websocket.send" and b"/media/" in data:
                        issue_media(client, media_names(data))
                    await ws_send(message)

            await self.app(scope, receive, send)
            return

        if client is None:  # a new browser: give it its token with this response
            cookie = _set_cookie(secrets.token_urlsafe(32), _over_tls(headers))
            inner_send = send

            async def send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message = {**message,
                               "headers": [*message.get("headers", []), (b"set-cookie", cookie)]}
                await inner_send(message)

        method, path = scope["method"], scope["path"]
        upload = _UPLOAD.search(path)
        if upload and method == "PUT":
            session_id, file_id = upload["session"], upload["file"]
            refusal = upload_refusal(session_id, file_id, client, _content_length(headers))
            if refusal:
                await _refuse(send, *refusal)
                return
            try:
                await self.app(scope, receive, send)
            finally:
                upload_done(session_id, file_id)
            return
        if upload and method == "DELETE" and not session_is_open_for(upload["session"], client):
            await _refuse(send, 403, "Only the browser that uploaded a file may remove it.")
            return
        media = _MEDIA.search(path)
        if media and method in ("GET", "HEAD") and not may_download(client, media["name"]):
            await _refuse(send, 403, "Sign in to download this file.")
            return
        await self.app(scope, receive, send)


async def _refuse(send: Send, status: int, message: str) -> None:
    body = message.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
