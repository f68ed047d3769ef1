"""Cached figures follow the store: a write from another process shows on the next rerun."""

from __future__ import annotations

import subprocess
import sys

from metdash import figures, ui
from metdash.figures import Filters
from metdash.store import Database
from tests.test_figures import PERIOD


def test_a_write_from_another_process_invalidates_the_cache(small_db_path, tmp_path):
    path = tmp_path / "copy.duckdb"
    path.write_bytes(small_db_path.read_bytes())
    db = Database(path)
    kpis = ui.cached(figures.kpis)
    assert kpis(db, PERIOD)["gross_charges"] == 1100
    # Another process (like a scheduled import) adds a claim line's worth of charges.
    script = ("import sys; from metdash.store import Database, facts\n"
              "with Database(sys.argv[1]).transaction() as con:\n"
              "    con.execute(\"UPDATE claims SET total_charge = total_charge + 50"
              " WHERE claim_id = 'C1'\")\n"
              "    facts.touch(con, ['C1'])\n")
    subprocess.run([sys.executable, "-c", script, str(path)], check=True)
    assert kpis(db, PERIOD)["gross_charges"] == 1150


def test_unchanged_store_is_served_from_the_cache(small_db_path):
    calls = []

    def counted(db: Database, f: Filters) -> int:
        calls.append(f)
        return 1

    fn = ui.cached(counted)
    db = Database(small_db_path)
    fn(db, PERIOD)
    fn(db, PERIOD)
    assert len(calls) == 1


def test_prefetch_fills_the_cache_the_page_reads(small_db_path):
    """ui.prefetch computes figures side by side into the cache ui.cached reads: the page's
    own call afterwards computes nothing, a second prefetch asks nothing, and after a write
    it computes again."""
    calls = []

    def first(db: Database, f: Filters) -> str:
        calls.append(("first", f))
        return "a"

    def second(db: Database, f: Filters, by: str) -> str:
        calls.append(("second", by))
        return by

    db = Database(small_db_path)
    ui.prefetch(db, [(first, (PERIOD,)), (second, (PERIOD, "payer"))])
    assert sorted(c[0] for c in calls) == ["first", "second"]
    assert ui.cached(first)(db, PERIOD) == "a"
    assert ui.cached(second)(db, PERIOD, "payer") == "payer"
    ui.prefetch(db, [(first, (PERIOD,)), (second, (PERIOD, "payer"))])
    assert len(calls) == 2
    ui.after_write()
    ui.prefetch(db, [(first, (PERIOD,))])
    assert len(calls) == 3


def test_derived_is_built_once_per_source_objects_and_arguments():
    """ui.derived keeps fn(source, *args) per the identity of each source (one object or a
    tuple of them, as Payer scorecards' card of three results) and per args."""
    from metdash.ui import cache

    calls = []

    def build(sources, n):
        calls.append(n)
        return [len(s) for s in sources] + [n]

    a, b = [1, 2], [3]
    first = cache.derived((a, b), build, 1)
    assert cache.derived((a, b), build, 1) is first and calls == [1]  # a rerun: kept
    assert cache.derived((a, b), build, 2) == [2, 1, 2] and calls == [1, 2]  # other args
    assert cache.derived((a, [3]), build, 1) is not first  # an equal but new object
    assert calls == [1, 2, 1]
    one = cache.derived(a, lambda s: list(s))
    assert cache.derived(a, lambda s: list(s)) is one  # a single source, as before


def test_a_kept_figure_makes_its_dict_once(small_db_path, monkeypatch):
    """ui.cache.drawn: st.plotly_chart asks a kept figure for its dict on every rerun; it is
    made once (plotly's to_dict deep-copies and encodes the arrays again each time), and
    each caller gets its own outer dict, equal to plotly's."""
    import plotly.graph_objects as go

    from metdash.ui import cache

    fig = go.Figure(data=[{"type": "bar", "x": [1, 2], "y": [3.5, 4.5]}],
                    layout={"title": {"text": "T"}})
    expected = fig.to_dict()
    same = cache.drawn(fig)
    assert same is fig and isinstance(fig, go.Figure)
    calls = []
    real = go.Figure.to_dict
    monkeypatch.setattr(go.Figure, "to_dict", lambda self: calls.append(1) or real(self))
    first, second = fig.to_dict(), fig.to_dict()
    assert first == second == expected and first is not second
    assert len(calls) == 1
    import plotly.io as pio
    assert pio.to_json(fig, validate=False) == pio.to_json(expected, validate=False)


def test_columns_of_a_kept_frame_are_the_same_object_on_a_rerun():
    import pandas as pd

    frame = pd.DataFrame({"a": [1], "b": [2], "c": [3]})
    first = ui.columns(frame, ["a", "c"])
    assert list(first.columns) == ["a", "c"]
    assert ui.columns(frame, ["a", "c"]) is first  # a rerun: kept, not a new copy
    assert list(ui.columns(frame, ["b"]).columns) == ["b"]
    assert ui.columns(frame.copy(), ["a", "c"]) is not first
