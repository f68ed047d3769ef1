"""What a page keeps between reruns: this process's store handle and every cache in front of it.

Four caches, each keyed by the store's stamp on disk (:func:`file_stamp`), so a write from
another process shows on the next rerun; :func:`after_write` clears them all after a write
from this app:

- :func:`cached`: ``st.cache_data`` (a copy per caller) for a function of the store;
- :func:`cached_shared`: ``st.cache_resource`` (one object, never copied) for large results;
- :func:`derived`: what a page builds from a shared result, once per result object;
- :func:`cached_figure`: the plotly figure behind ``ui.plot``, built once per store state.

:func:`prefetch` fills :func:`cached`'s entries for a page's figures two at a time before
the page reads them one by one.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from metdash.errors import StoreError
from metdash.store import Database, default_db_path, store_stamp


@st.cache_resource(show_spinner=False)
def _database(path: str) -> Database:
    return Database(path)


def database() -> Database:
    """This process's handle on the configured store (the file itself is opened per use)."""
    return _database(str(default_db_path()))


def _name(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


_REGISTRY: dict[str, Callable[..., Any]] = {}


@st.cache_data(show_spinner=False, ttl=600, max_entries=1024)
def _cached_call(fn_key: str, db_path: str, stamp: tuple[float, ...], *args: Any,
                 **kwargs: Any) -> Any:
    return _REGISTRY[fn_key](_database(db_path), *args, **kwargs)


def file_stamp(path: Any) -> tuple[int, ...]:
    """When the store last changed on disk (:func:`metdash.store.snapshot.store_stamp`).

    Part of every cache key, so a write from another process (a scheduled
    ``metdash import-835``) shows on the next rerun instead of after the cache's ttl.
    """
    return store_stamp(path)


def cached(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``st.cache_data`` for a figure function whose first argument is the Database.

    The database is passed by path (hashable) and the function by its qualified name, so
    every wrapped function has its own entries; results live 10 minutes at most and are
    cleared after every write from this app (:func:`after_write`).
    """
    key = _name(fn)
    _REGISTRY[key] = fn

    def call(db: Database, *args: Any, **kwargs: Any) -> Any:
        return _cached_call(key, str(db.path), file_stamp(db.path), *args, **kwargs)

    call.__name__ = getattr(fn, "__name__", "cached")
    call.__doc__ = fn.__doc__
    return call


# (function, store, stamp, args) -> when computed ahead; forgotten with the cache's ttl
_PREFETCHED: dict[tuple[Any, ...], float] = {}
_PREFETCH_TTL = 590.0  # just under cached()'s ttl: a mark never outlives the cached result


def prefetch(db: Database, calls: list[tuple[Callable[..., Any], tuple[Any, ...]]],
             workers: int = 2, *, shared: bool = False) -> None:
    """Compute a page's figures side by side before the page reads them one by one.

    ``calls``: (figure function, its arguments after the Database), each as the page then
    reads it through :func:`cached` (through :func:`cached_shared` with ``shared``, or when
    the page wrapped the function so before this call). A figure is a few short DuckDB
    queries, each leaving a core idle between its steps: two at a time fill both cores (a
    cold page's figures ~30 % sooner at 1M lines). Results go into the same cache the page
    reads, so this changes when figures are computed, never what they are. A call already
    done for this store state is skipped without touching Streamlit's cache (a rerun pays
    microseconds)."""
    stamp = file_stamp(db.path)
    now = time.monotonic()
    todo = []
    for fn, args in calls:
        mark = (_name(fn), str(db.path), stamp, args, shared)
        if now - _PREFETCHED.get(mark, -_PREFETCH_TTL) >= _PREFETCH_TTL:
            todo.append((fn, args, mark))
    if not todo:
        return
    from concurrent.futures import ThreadPoolExecutor

    from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

    ctx = get_script_run_ctx()

    def one(job: tuple[Callable[..., Any], tuple[Any, ...], tuple[Any, ...]]) -> None:
        if ctx is not None:
            add_script_run_ctx(threading.current_thread(), ctx)
        fn, args, mark = job
        (cached_shared if shared or _name(fn) in _SHARED_KEYS else cached)(fn)(db, *args)
        if len(_PREFETCHED) > 4096:
            _PREFETCHED.clear()
        _PREFETCHED[mark] = time.monotonic()

    with ThreadPoolExecutor(max(1, workers), thread_name_prefix="prefetch") as pool:
        for done in [pool.submit(one, job) for job in todo]:
            done.result()  # an error surfaces here, as the page's own call would raise it


_SHARED_KEYS: set[str] = set()  # functions wrapped by cached_shared (cached_figure reads those too)


@st.cache_resource(show_spinner=False, ttl=600, max_entries=64)
def _shared_call(fn_key: str, db_path: str, stamp: tuple[float, ...], *args: Any,
                 **kwargs: Any) -> Any:
    return _REGISTRY[fn_key](_database(db_path), *args, **kwargs)


def cached_shared(fn: Callable[..., Any]) -> Callable[..., Any]:
    """:func:`cached` for a large read-only result: kept as is (``st.cache_resource``), never
    pickled on the way in or out, so a rerun does not pay for copying it (thousands of rows
    with Decimal money cost tens of ms per copy). Every caller gets the same object: never
    change it in place."""
    key = _name(fn)
    _REGISTRY[key] = fn
    _SHARED_KEYS.add(key)

    def call(db: Database, *args: Any, **kwargs: Any) -> Any:
        return _shared_call(key, str(db.path), file_stamp(db.path), *args, **kwargs)

    call.__name__ = getattr(fn, "__name__", "cached_shared")
    call.__doc__ = fn.__doc__
    return call


_DERIVED: dict[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = {}
_DERIVED_LOCK = threading.Lock()  # sessions run in threads


def derived(source: Any, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(source, *args)``, built once per ``source`` object (and ``args``, hashable) and
    reused on reruns.

    For what a page builds from a :func:`cached_shared` result (display tables): that result
    is the same object on every rerun until the store changes, so its derived tables are too.
    ``source`` may be a tuple of such results (kept per the identity of each: a payer's card
    built from three of them). The entry holds the sources themselves, so their ids cannot be
    reused while the entry lives."""
    parts = source if isinstance(source, tuple) else (source,)
    key = (tuple(id(p) for p in parts), _name(fn), args)
    with _DERIVED_LOCK:
        hit = _DERIVED.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], parts, strict=True)):
        return hit[1]
    value = fn(source, *args)  # outside the lock: two sessions may both build it, once each
    with _DERIVED_LOCK:
        if len(_DERIVED) >= 64:
            _DERIVED.pop(next(iter(_DERIVED)))
        _DERIVED[key] = (parts, value)
    return value


def _pick_columns(frame: Any, cols: tuple[str, ...]) -> Any:
    return frame[list(cols)]


def columns(frame: Any, cols: Sequence[str]) -> Any:
    """``frame[cols]``, the same object on a rerun while ``frame`` is (:func:`derived`): a
    table of some columns of a kept result is then not prepared again."""
    return derived(frame, _pick_columns, tuple(cols))


_CHARTS: dict[str, Callable[..., Any]] = {}  # chart functions and dressings, by name


@st.cache_resource(show_spinner=False, max_entries=256)
def _figure(chart_key: str, data_key: str, db_path: str, stamp: tuple[float, ...],
            args: tuple[Any, ...], kwargs: tuple[Any, ...], chart_kwargs: tuple[Any, ...],
            dress_key: str) -> Any:
    read = _shared_call if data_key in _SHARED_KEYS else _cached_call
    data = read(data_key, db_path, stamp, *args, **dict(kwargs))
    fig = _CHARTS[chart_key](data, **dict(chart_kwargs))
    return drawn(_CHARTS[dress_key](fig) if dress_key else fig)


@functools.cache
def _drawn_class() -> type:
    import plotly.graph_objects as go

    class DrawnFigure(go.Figure):
        """A kept figure (:func:`cached_figure`): its dict is made once. ``st.plotly_chart``
        turns a figure into a dict on every rerun (``to_dict``: a deep copy, arrays encoded
        again; ~1-3 ms a chart, a third of a warm rerun of Days to payment's four charts).
        A kept figure is never changed, so its dict is too; each caller gets a copy of the
        outer dict."""

        def to_dict(self) -> dict[str, Any]:
            kept = self.__dict__.get("_drawn_dict")
            if kept is None:
                kept = super().to_dict()
                self.__dict__["_drawn_dict"] = kept
            return dict(kept)

    return DrawnFigure


def drawn(fig: Any) -> Any:
    """``fig`` (a plotly Figure, never changed after this) made a ``DrawnFigure`` in place:
    the same figure, its dict kept once made."""
    cls = _drawn_class()
    if type(fig) is not cls and isinstance(fig, cls.__mro__[1]):
        fig.__class__ = cls
    return fig


def cached_figure(chart_fn: Callable[..., Any], data_fn: Callable[..., Any], db: Database,
                  args: tuple[Any, ...], kwargs: dict[str, Any], chart_kwargs: dict[str, Any],
                  *, dress: Callable[[Any], Any] | None = None) -> Any:
    """``chart_fn(data_fn(db, *args, **kwargs), **chart_kwargs)``, passed through ``dress``
    when given, built once per store state, arguments and dressing.

    A plotly figure costs 20-150 ms to build (mostly plotly's property validation), so the
    built figure is kept (``st.cache_resource``: the same object, never copied; the newest
    256) and reused on reruns; a write to the store changes its stamp and so the key."""
    chart_key, data_key = _name(chart_fn), _name(data_fn)
    dress_key = _name(dress) if dress else ""
    _CHARTS[chart_key] = chart_fn
    if dress:
        _CHARTS[dress_key] = dress
    _REGISTRY[data_key] = data_fn
    return _figure(chart_key, data_key, str(db.path), file_stamp(db.path), args,
                   tuple(sorted(kwargs.items())), tuple(sorted(chart_kwargs.items())),
                   dress_key)


def after_write() -> None:
    """Forget every cached result: the store changed."""
    st.cache_data.clear()
    _shared_call.clear()
    _figure.clear()
    with _DERIVED_LOCK:
        _DERIVED.clear()
    _DEMO.clear()
    _PREFETCHED.clear()


def is_demo(db: Database) -> bool:
    """True when the store holds the synthetic demo practice."""
    try:
        return bool(db.scalar("SELECT bool_or(is_demo) FROM practice"))
    except StoreError:
        return False


_DEMO: dict[tuple[str, tuple[int, ...]], bool] = {}


def is_demo_cached(db: Database) -> bool:
    """:func:`is_demo`, kept per store state. The frame and every role check ask, up to
    twenty times a page run: a plain dict costs microseconds where ``st.cache_data``'s
    argument hashing costs ~2 ms a call."""
    key = (str(db.path), file_stamp(db.path))
    hit = _DEMO.get(key)
    if hit is None:
        hit = is_demo(db)
        if len(_DEMO) >= 16:
            _DEMO.clear()
        _DEMO[key] = hit
    return hit
