"""Promise: a session id is not a credential. The real server (``streamlit run serve.py``,
as ``make run`` starts it) is driven over plain HTTP and Streamlit's websocket, as a script
of an adversary would: the sign-in is tied to the browser's HttpOnly cookie, only a
signed-in session uploads (within limits), and a download is served only to a signed-in
browser."""

from __future__ import annotations

import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from metdash.ui.gate import UPLOAD_FILES, UPLOAD_MB, client_id
from tests.e2e.conftest import RunningApp

from .conftest import PASSWORDS
from .wsclient import Client

OWNER = ("olive", PASSWORDS["olive"])


@pytest.fixture(scope="module")
def server(practice_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("gate") / "practice.duckdb"
    shutil.copy(practice_template, path)
    running = RunningApp(path)
    yield running.url
    running.stop()


def fetch(url: str, *, method: str = "GET", cookie: str | None = None,
          headers: dict[str, str] | None = None, data: bytes | None = None):
    """(status, headers, body) of one request; an HTTP error is an answer, not a failure."""
    all_headers = {**(headers or {}), **({"Cookie": cookie} if cookie else {})}
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def new_browser(url: str) -> str:
    """The Cookie header of a browser that opened the app: its metdash cookie and the
    XSRF cookie Streamlit gives with every page."""
    _, headers, _ = fetch(url + "/_stcore/health")
    jar = [c.split(";")[0] for c in headers.get_all("set-cookie")]
    return "; ".join(jar)


def cookie_value(jar: str, name: str) -> str:
    return next(c.split("=", 1)[1] for c in jar.split("; ") if c.startswith(name + "="))


def xsrf(cookie: str) -> str:
    return cookie_value(cookie, "_streamlit_xsrf")


def upload(url: str, session_id: str, file_id: str, cookie: str | None, size: int):
    boundary = "metdashboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"UploadedFile\"; "
            f"filename=\"{file_id}.835\"\r\nContent-Type: text/plain\r\n\r\n").encode() \
        + b"x" * size + f"\r\n--{boundary}--\r\n".encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    if cookie:
        headers["X-Xsrftoken"] = xsrf(cookie)
    return fetch(f"{url}/_stcore/upload_file/{session_id}/{file_id}", method="PUT",
                 cookie=cookie, headers=headers, data=body)[0]


def remove(url: str, session_id: str, file_id: str, cookie: str) -> int:
    return fetch(f"{url}/_stcore/upload_file/{session_id}/{file_id}", method="DELETE",
                 cookie=cookie, headers={"X-Xsrftoken": xsrf(cookie)})[0]


def test_every_browser_gets_an_httponly_same_site_cookie(server):
    _, headers, _ = fetch(server + "/")
    ours = [c for c in headers.get_all("set-cookie") if c.startswith("metdash_client=")]
    assert len(ours) == 1
    flags = [f.strip().lower() for f in ours[0].split(";")[1:]]
    assert "httponly" in flags and "samesite=strict" in flags and "path=/" in flags
    assert not any(f.startswith(("expires", "max-age")) for f in flags)  # gone with the browser
    assert "secure" not in flags  # plain HTTP on 127.0.0.1; behind a TLS proxy it is:
    _, proxied, _ = fetch(server + "/", headers={"X-Forwarded-Proto": "https"})
    assert "; Secure" in next(c for c in proxied.get_all("set-cookie")
                              if c.startswith("metdash_client="))
    # A browser that has it keeps it, whatever other apps on this host left beside it.
    for jar in (ours[0].split(";")[0], 'other=a b; ' + ours[0].split(";")[0]):
        _, again, _ = fetch(server + "/", cookie=jar)
        assert not [c for c in again.get_all("set-cookie") or []
                    if c.startswith("metdash_client=")], jar


def test_a_session_id_alone_does_not_open_a_signed_in_session(server):
    colleague = Client(server, cookie=new_browser(server))
    colleague.sign_in("bill", PASSWORDS["bill"])
    cookie = new_browser(server)
    owner = Client(server, cookie=cookie)
    assert "Overview" in owner.sign_in(*OWNER).texts()
    stolen = owner.session_id
    owner.close()  # a network blip: the session waits a few seconds for its browser
    colleague.run(page="audit")  # meanwhile the gate forgets sessions not connected
    back = Client(server, cookie=cookie, session_id=stolen)
    assert "Overview" in back.run().texts() and back.session_id == stolen
    assert upload(server, stolen, "after-a-blip", cookie, 10) == 204  # open again
    colleague.close()

    def try_to_steal() -> None:
        for other in (None, new_browser(server)):  # no cookie, or another browser's
            thief = Client(server, cookie=other, session_id=stolen)
            page = thief.run()
            assert thief.session_id != stolen
            assert "Sign in" in page.texts() and "Overview" not in page.texts()
            thief.close()
        # A header naming the owner's client is dropped by the gate: the cookie counts.
        owner_id = client_id(cookie_value(cookie, "metdash_client"))
        forged = Client(server, session_id=stolen, headers={"X-Metdash-Client": owner_id})
        assert "Overview" not in forged.run().texts() and forged.session_id != stolen
        forged.close()

    try_to_steal()  # while the owner's tab is open
    back.close()
    try_to_steal()  # after it closed


def test_a_closed_tab_cannot_be_resumed_after_a_few_seconds(server):
    cookie = new_browser(server)
    owner = Client(server, cookie=cookie)
    owner.sign_in(*OWNER)
    gone = owner.session_id
    owner.close()
    time.sleep(7)  # disconnectedSessionTTL is 5 s
    again = Client(server, cookie=cookie, session_id=gone)
    page = again.run()
    assert again.session_id != gone and "Sign in" in page.texts()
    again.close()


def test_only_a_signed_in_session_uploads_and_within_its_limits(server):
    cookie = new_browser(server)
    anonymous = Client(server, cookie=cookie)
    anonymous.run()
    assert upload(server, anonymous.session_id, "f0", cookie, 1000) == 403
    anonymous.close()

    me = Client(server, cookie=cookie)
    me.sign_in(*OWNER)
    assert upload(server, me.session_id, "f1", cookie, 1000) == 204
    assert upload(server, me.session_id, "f2", new_browser(server), 1000) == 403  # not its browser
    for n in range(2, UPLOAD_FILES + 1):
        assert upload(server, me.session_id, f"f{n}", cookie, 10) == 204
    assert upload(server, me.session_id, "one-too-many", cookie, 10) == 413
    other = new_browser(server)  # knows the session id, has its own XSRF pair
    assert remove(server, me.session_id, "f1", other) == 403
    assert upload(server, me.session_id, "one-too-many", cookie, 10) == 413  # f1 still held
    assert remove(server, me.session_id, "f1", cookie) == 204
    assert upload(server, me.session_id, "after-a-removal", cookie, 10) == 204
    me.close()

    second = Client(server, cookie=cookie)
    second.sign_in(*OWNER)
    most = UPLOAD_MB * 1024 * 1024 // 2 - 1024  # two of these nearly fill the allowance
    assert [upload(server, second.session_id, f"b{i}", cookie, most) for i in (0, 1)] \
        == [204, 204]
    assert upload(server, second.session_id, "b2", cookie, 4096) == 413
    # Signing out drops what the session uploaded.
    second.click(second.run().widget("button", "Sign out"))
    assert upload(server, second.session_id, "b2", cookie, 4096) == 403
    second.sign_in(*OWNER)
    assert upload(server, second.session_id, "b2", cookie, 4096) == 204
    second.close()

def test_a_download_is_served_only_to_its_signed_in_browser(server):
    colleague_cookie = new_browser(server)
    colleague = Client(server, cookie=colleague_cookie)
    colleague.sign_in("vic", PASSWORDS["vic"])
    cookie = new_browser(server)
    owner = Client(server, cookie=cookie)
    owner.sign_in(*OWNER)
    lists = owner.run(page="worklists")
    csv, xlsx = lists.of("download_button")[:2]
    # A short list's CSV is made with the page (its link survives a rerun); its Excel file
    # only when clicked. Both are served to this browser alone, while it is signed in.
    assert csv.url and not csv.deferred_file_id
    assert xlsx.deferred_file_id and not xlsx.url                # nothing made before the click
    urls = {b"Session,": server + csv.url,
            b"PK": server + owner.deferred_url(xlsx.deferred_file_id)}
    for start, url in urls.items():
        status, _, body = fetch(url, cookie=cookie)
        assert status == 200 and body.startswith(start), url
        assert fetch(url)[0] == 403                               # an anonymous client
        assert fetch(url, cookie=new_browser(server))[0] == 403  # another browser
        assert fetch(url, cookie=colleague_cookie)[0] == 403      # a signed-in colleague's
        assert fetch(url, cookie=cookie)[0] == 200                # still there
    sign_out = lists.widget("button", "Sign out")
    assert "Sign in" in owner.click(sign_out, page="worklists").texts()
    for url in urls.values():
        assert fetch(url, cookie=cookie)[0] == 403                # the same browser, signed out
    owner.close()
    colleague.close()


def test_served_without_the_gate_nobody_can_sign_in(practice_template, tmp_path):
    # `streamlit run app.py` skips serve.py: no cookie ties a session to its browser.
    path = tmp_path / "practice.duckdb"
    shutil.copy(practice_template, path)
    running = RunningApp(path, script="app.py")
    try:
        client = Client(running.url)
        page = client.run()
        assert "Sign in" in page.texts() and not page.of("text_input")
        assert any("make run" in t for t in page.texts())
        client.close()
    finally:
        running.stop()


def test_the_apps_own_fonts_and_scripts_are_served_to_anyone(server):
    # The download rule once matched /static/media/ too: the fonts were refused (403) and
    # every icon showed as its name ("arrow_back") in the browser.
    import streamlit

    media = Path(streamlit.__file__).parent / "static" / "static" / "media"
    font = next(p.name for p in sorted(media.iterdir()) if p.name.endswith(".woff2"))
    status, _, body = fetch(f"{server}/static/media/{font}")
    assert status == 200 and body


def test_a_download_link_is_read_to_its_last_character():
    """Found at stop 32: a CSV made with the page went out as a protobuf string followed by
    the button's next field, whose tag is the letter 'J'; the gate read the link as
    "….csvJ" and refused the download itself (403) to the browser it was made for. The
    byte before a link is its length, and the name ends there."""
    from metdash.ui.gate import media_names

    sent = (b"\x12\x0cDownload CSV2+/media/e4af23d7e443595dbf0b5ee034ad0b25.csvJ\tsecondary"
            b"R\x13:material/download:")
    assert media_names(sent) == ["e4af23d7e443595dbf0b5ee034ad0b25.csv"]
    # No length before it (a link inside longer text): read by its shape, as before.
    assert media_names(b'<img src="/media/ab12.png">') == ["ab12.png"]
    assert media_names(b"\x18/media/ab12.csv?title=x") == ["ab12.csv"]
