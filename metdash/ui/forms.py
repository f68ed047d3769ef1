"""Entry forms that start afresh: after a save every field is back to its default, in the
browser as on the server; a refused save keeps what was typed.

Each form listed its own fields to reset after a save, and each list missed some: Settings →
Payers kept the "requires a referral / prior authorization" ticks and the type, Referrals
kept an expiry date typed during a refused attempt through three later saves, and so those
payers and referrals were saved with values nobody entered for them (a new-user trial).
Here a form's fields are the keyed widgets drawn while it is open, found as Streamlit
draws them, and their defaults are the ones the page gave them::

    with ui.entry_form("payer") as form:
        name = st.text_input("Payer name", key="py_name")
        ...
        if st.form_submit_button("Add payer"):
            with ui.action():
                save(...)
                ui.saved_then_fresh("Payer added.", fresh=form)

:func:`entry_fields` does the same for fields outside a form (Sessions' minutes), and
:func:`defaults_of` gives the defaults of fields drawn on the last run, to set them afresh
before they are drawn again (Sessions: another client, no minutes).

Streamlit has no public way to list the widgets of a block or their defaults: they are read
from its run context and each widget's deserializer (which, given no value from the browser,
returns the widget's default). tests/ui/test_forms.py pins this for every kind of field the
forms use, so a Streamlit upgrade that changes it fails there, not silently in a form.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.runtime.state import get_session_state
from streamlit.runtime.state.common import user_key_from_element_id

# Fields whose value a page may set (a button's, an upload's or a grid's may not: a grid is
# forgotten instead, see Fields.forget).
_SETTABLE = ("TextInputSerde", "TextAreaSerde", "NumberInputSerde", "CheckboxSerde",
             "SelectboxSerde", "RadioSerde", "MultiSelectSerde", "DateInputSerde",
             "TimeInputSerde", "SliderSerde", "SelectSliderSerde")


def _drawn_ids() -> frozenset[str]:
    """The ids of the widgets drawn so far on this run."""
    ctx = get_script_run_ctx()
    return ctx.shared.widget_ids_this_run.snapshot() if ctx is not None else frozenset()


def _default(widget_id: str) -> tuple[bool, Any]:
    """(whether the page may set it, its default) for the widget ``widget_id``."""
    meta = get_session_state()._state.get_widget_metadata(widget_id)
    serde = getattr(meta.deserializer, "__self__", None) if meta is not None else None
    if type(serde).__name__ not in _SETTABLE:
        return False, None
    return True, meta.deserializer(None)   # no value from the browser: the default


class Fields:
    """The keyed widgets drawn while it is open (:func:`entry_form`, :func:`entry_fields`)."""

    def __init__(self) -> None:
        self._before: frozenset[str] = frozenset()
        self._after: frozenset[str] | None = None

    def __enter__(self) -> Fields:
        self._before = _drawn_ids()
        self._after = None
        return self

    def __exit__(self, *exc: object) -> None:
        self._after = _drawn_ids()

    def _ids(self) -> list[str]:
        drawn = self._after if self._after is not None else _drawn_ids()
        return sorted(drawn - self._before)

    def keys(self) -> list[str]:
        """The keys of its keyed widgets (in no particular order)."""
        return [k for k in map(user_key_from_element_id, self._ids()) if k]

    def defaults(self, keep: Iterable[str] = ()) -> dict[str, Any]:
        """Each field's key and default, but those in ``keep`` and those a page may not set
        (:meth:`forget`)."""
        kept = set(keep)
        out: dict[str, Any] = {}
        for wid in self._ids():
            key = user_key_from_element_id(wid)
            if key and key not in kept:
                settable, value = _default(wid)
                if settable:
                    out[key] = value
        return out

    def forget(self, keep: Iterable[str] = ()) -> list[str]:
        """The keys of the fields a page may not set (a grid): they are forgotten instead
        (a grid whose key changes starts afresh: give it :func:`renewed_key`)."""
        kept = set(keep)
        return [key for wid in self._ids()
                if (key := user_key_from_element_id(wid)) and key not in kept
                and not _default(wid)[0]]


@contextmanager
def entry_form(key: str, **form_kwargs: Any) -> Iterator[Fields]:
    """``st.form(key)``, yielding its :class:`Fields` (hand them to
    :func:`metdash.ui.saved_then_fresh` as ``fresh=``)."""
    with st.form(key, **form_kwargs), Fields() as fields:
        yield fields


@contextmanager
def entry_fields() -> Iterator[Fields]:
    """The :class:`Fields` of widgets drawn in the block, outside a form."""
    with Fields() as fields:
        yield fields


def defaults_of(keys: Iterable[str]) -> dict[str, Any]:
    """The defaults of the widgets of ``keys`` drawn on the last run and not yet on this one
    (those never drawn, or not settable, are left out)."""
    state = get_session_state()._state
    drawn = _drawn_ids()
    out: dict[str, Any] = {}
    for key in keys:
        wid = state._key_id_mapper.get_id_from_key(key, None)
        if wid is not None and wid not in drawn:
            settable, value = _default(wid)
            if settable:
                out[key] = value
    return out


def set_afresh(values: dict[str, Any]) -> None:
    """Set widgets not yet drawn on this run to ``values`` (shown so in the browser too)."""
    for key, value in values.items():
        st.session_state[key] = value


_RENEWED = "_ui_renewed"


def renewed_key(name: str) -> str:
    """A key for a widget the page cannot set (a grid), changed by :func:`renew`: a new key is
    a new widget, empty in the browser too."""
    n = st.session_state.get(_RENEWED, {}).get(name, 0)
    return name if n == 0 else f"{name}~{n}"


def renew(name: str) -> None:
    """The next :func:`renewed_key` of ``name`` is a new one."""
    counts = dict(st.session_state.get(_RENEWED, {}))
    counts[name] = counts.get(name, 0) + 1
    st.session_state[_RENEWED] = counts
