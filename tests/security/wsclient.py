"""A bare Streamlit client for the server tests: one websocket, Streamlit's own protobufs,
no browser. It does what an adversary with a script does: names any session id, sends any
cookie (or none), fills and submits the sign-in form by its widget ids, asks for a deferred
download."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.sync.client import connect


@dataclass
class Run:
    """What one script run drew: every element's proto, by its type."""

    elements: list[tuple[str, object]] = field(default_factory=list)

    def of(self, kind: str) -> list:
        return [e for k, e in self.elements if k == kind]

    def texts(self) -> list[str]:
        out = []
        for kind, e in self.elements:
            if kind in ("heading", "markdown", "alert"):
                out.append(e.body)
        return out

    def widget(self, kind: str, label: str):
        found = [e for e in self.of(kind) if e.label == label]
        assert found, f"no {kind} {label!r} in {[e.label for e in self.of(kind)]}"
        return found[0]


class Client:
    """One websocket connection to a running metdash (``url`` http://host:port)."""

    def __init__(self, url: str, *, cookie: str | None = None, session_id: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        headers = {"Origin": url, **(headers or {})}
        if cookie:
            headers["Cookie"] = cookie
        protocols = ["streamlit", "none"] + ([session_id] if session_id else [])
        self.ws = connect(url.replace("http", "ws", 1) + "/_stcore/stream",
                          subprotocols=protocols, additional_headers=headers,
                          max_size=None, open_timeout=30)
        self.session_id = ""
        self.state: list[WidgetState] = []

    def close(self) -> None:
        self.ws.close()

    def run(self, *, page: str = "", widgets: list[WidgetState] | None = None,
            timeout: float = 60) -> Run:
        """Ask for a script run (of ``page``, a url path like "worklists") and collect what
        it draws until it finishes."""
        msg = BackMsg()
        msg.rerun_script.page_name = page
        msg.rerun_script.query_string = ""
        msg.rerun_script.widget_states.widgets.extend(widgets or [])
        self.ws.send(msg.SerializeToString())
        run = Run()
        deadline = time.monotonic() + timeout
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.session_id = fwd.new_session.initialize.session_id
                run = Run()  # a rerun (st.rerun) starts the page again
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                name = element.WhichOneof("type")
                run.elements.append((name, getattr(element, name)))
            elif kind == "script_finished" \
                    and fwd.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                return run  # not FINISHED_EARLY_FOR_RERUN: the rerun is still to come

    def sign_in(self, username: str, password: str, page: str = "") -> Run:
        """Fill and submit the sign-in form the last run drew; the run after it."""
        form = self.run(page=page)
        user = form.widget("text_input", "Username")
        secret = form.widget("text_input", "Password")
        submit = form.widget("button", "Sign in")
        return self.run(page=page, widgets=[
            WidgetState(id=user.id, string_value=username),
            WidgetState(id=secret.id, string_value=password),
            WidgetState(id=submit.id, trigger_value=True)])

    def click(self, button, page: str = "") -> Run:
        return self.run(page=page, widgets=[WidgetState(id=button.id, trigger_value=True)])

    def deferred_url(self, file_id: str, timeout: float = 60) -> str:
        """Ask for a deferred download (as a click on its button does): the /media URL."""
        msg = BackMsg()
        msg.backend_operation_request.request_id = str(uuid.uuid4())
        msg.backend_operation_request.session_id = self.session_id
        msg.backend_operation_request.deferred_file.file_id = file_id
        self.ws.send(msg.SerializeToString())
        deadline = time.monotonic() + timeout
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if fwd.WhichOneof("type") == "backend_operation_response":
                response = fwd.backend_operation_response
                assert not response.error_msg, response.error_msg
                return response.deferred_file.url
