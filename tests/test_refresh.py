"""After new data, a page shows the last result kept for the store while the new one is built
in the background (metdash.refresh): the denial-risk model and the cash outlook."""

from __future__ import annotations

import datetime as dt
import threading

import numpy as np
import pandas as pd
import pytest

from metdash import refresh, risk
from metdash.forecast import cash_outlook, outlook
from metdash.store import derived
from metdash.store.db import audit
from tests.forecast import practice
from tests.forecast.test_kept import _payment, _same
from tests.test_risk_store import AS_OF, _copy, _counted, _remittance_not_ours


def test_nothing_kept_yet_is_learned_in_the_background(demo_db_path, tmp_path, monkeypatch):
    """A store nothing was learned for: the page does not wait for the learning (1.6 s at 1M
    lines, 8 s at 5M); it is learned once, in the background: first the model (the claims
    are scored meanwhile), then its time split; then the model is the current one."""
    _path, db = _copy(demo_db_path, tmp_path)
    risk.forget_models()
    learned = _counted(monkeypatch)
    go, split = threading.Event(), threading.Event()
    real = risk.history_counts

    def held(*args, **kwargs):
        (split if "split" in kwargs else go).wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(risk, "history_counts", held)
    choice = refresh.risk_model(db, AS_OF)
    assert choice.key is None and choice.job is not None and refresh.busy(choice)
    assert refresh.risk_model(db, AS_OF) == choice   # asked again: the same learning
    assert not learned
    go.set()
    key = risk.model_key(db, AS_OF)
    for _ in range(300):   # the model's months read and learned: it scores
        if risk.learned_under(db, key):
            break
        threading.Event().wait(0.1)
    assert refresh.risk_model(db, AS_OF) == refresh.Choice(key, job=choice.job)
    assert refresh.busy(choice) and risk.split_pending(db, key)
    split.set()
    refresh.wait(choice, 60)
    assert not refresh.busy(choice) and len(learned) == 2   # two reads, one learning
    assert refresh.risk_model(db, AS_OF) == refresh.Choice(key)
    assert not risk.split_pending(db, key) and risk.backtest(db, AS_OF, key) is not None


def test_without_learn_nothing_is_started(demo_db_path, tmp_path, monkeypatch):
    """The work lists score ready claims of a very large practice only when asked: asking
    which model to use starts nothing then."""
    _path, db = _copy(demo_db_path, tmp_path)
    risk.forget_models()
    learned = _counted(monkeypatch)
    choice = refresh.risk_model(db, AS_OF, learn=False)
    assert choice == refresh.Choice(risk.model_key(db, AS_OF)) and not refresh.busy(choice)
    refresh.settle(60)
    assert not learned and not risk.learned_under(db, choice.key)


def test_a_learning_that_failed_is_not_started_again(demo_db_path, tmp_path, monkeypatch):
    """The background learning failed: the page learns on its own (and shows its error)."""
    _path, db = _copy(demo_db_path, tmp_path)
    risk.forget_models()

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(risk, "history_counts", broken)
    choice = refresh.risk_model(db, AS_OF)
    refresh.wait(choice, 60)
    assert refresh.failure(choice) == "RuntimeError: disk on fire"
    assert refresh.risk_model(db, AS_OF) == refresh.Choice(risk.model_key(db, AS_OF))


def test_after_a_remittance_the_last_model_scores_while_the_new_one_is_learned(
        demo_db_path, tmp_path, monkeypatch):
    path, db = _copy(demo_db_path, tmp_path)
    risk.forget_models()
    learned = _counted(monkeypatch)
    before = risk.claims_at_risk(db, AS_OF)
    old_key = risk.model_key(db, AS_OF)
    assert refresh.risk_model(db, AS_OF) == refresh.Choice(old_key) and len(learned) == 1

    # Hold the background learning until the page has read what it shows meanwhile.
    go = threading.Event()
    real = risk.history_counts

    def held(*args, **kwargs):
        go.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(risk, "history_counts", held)
    _remittance_not_ours(db, path)
    risk.forget_models()   # a new process after the remittance: only the files beside it
    new_key = risk.model_key(db, AS_OF)
    assert new_key != old_key
    choice = refresh.risk_model(db, AS_OF)
    assert choice.key == old_key and not choice.current and refresh.busy(choice)
    # Asking again starts no second learning.
    assert refresh.risk_model(db, AS_OF) == choice
    meanwhile = risk.claims_at_risk(db, AS_OF, kept=choice.key)
    pd.testing.assert_frame_equal(meanwhile, before)
    assert not risk.learned_under(db, new_key)

    go.set()
    refresh.wait(choice, 60)
    assert not refresh.busy(choice) and refresh.failure(choice) is None
    assert risk.learned_under(db, new_key)
    now = refresh.risk_model(db, AS_OF)
    assert now == refresh.Choice(new_key)
    # The new model is the one learned from the store as it is (nothing it reads moved).
    risk.forget_models()
    assert np.array_equal(risk.model_for(db, AS_OF, now.key).weights,
                          risk.model_for(db, AS_OF).weights)
    assert len(learned) == 2   # the first learning and the one in the background, no other


def test_a_model_of_a_later_history_is_not_shown_for_an_earlier_day(demo_db_path, tmp_path):
    _path, db = _copy(demo_db_path, tmp_path)
    risk.forget_models()
    risk.learned(db, AS_OF)
    earlier = AS_OF - dt.timedelta(days=90)
    choice = refresh.risk_model(db, earlier)   # learned for that day, not shown meanwhile
    assert choice.key is None and choice.job is not None
    refresh.wait(choice, 60)
    assert refresh.risk_model(db, earlier) == refresh.Choice(risk.model_key(db, earlier))


def test_a_failed_background_learning_is_said_and_not_repeated(demo_db_path, tmp_path,
                                                               monkeypatch):
    path, db = _copy(demo_db_path, tmp_path)
    risk.forget_models()
    risk.learned(db, AS_OF)
    old_key = risk.model_key(db, AS_OF)
    _remittance_not_ours(db, path)
    risk.forget_models()
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("disk full")

    monkeypatch.setattr(risk, "history_counts", broken)
    choice = refresh.risk_model(db, AS_OF)
    refresh.wait(choice, 30)
    assert choice.key == old_key and "disk full" in refresh.failure(choice)
    again = refresh.risk_model(db, AS_OF)
    assert again == choice and not refresh.busy(again) and calls == [1]


@pytest.fixture
def fdb(tmp_path):
    from metdash.store import Database

    return practice.build(Database(tmp_path / "forecast.duckdb"))


FC_AS_OF = dt.date.fromisoformat(practice.AS_OF)


def test_after_a_payment_the_last_outlook_shows_while_the_new_one_is_built(fdb, monkeypatch):
    assert refresh.outlook(fdb, FC_AS_OF, 4).key is None   # nothing kept: built
    first = cash_outlook(fdb, FC_AS_OF, 4)
    current = refresh.outlook(fdb, FC_AS_OF, 4)
    assert current.current and current.key is not None
    _same(cash_outlook(fdb, FC_AS_OF, 4, kept=current.key), first)

    with fdb.transaction() as con:
        _payment(con)
    monkeypatch.setattr(outlook, "_STATES", {})   # a new process: only the files beside it
    choice = refresh.outlook(fdb, FC_AS_OF, 4)
    assert not choice.current and choice.key == current.key
    _same(cash_outlook(fdb, FC_AS_OF, 4, kept=choice.key), first)   # meanwhile
    refresh.wait(choice, 60)
    assert refresh.failure(choice) is None
    now = refresh.outlook(fdb, FC_AS_OF, 4)
    assert now.current and now.key != current.key
    _same(cash_outlook(fdb, FC_AS_OF, 4, kept=now.key), outlook.build_outlook(fdb, FC_AS_OF, 4))
    # Another view (8 weeks) has nothing kept: built on the page, not shown from 4 weeks'.
    assert refresh.outlook(fdb, FC_AS_OF, 8).key is None


def _held_outlook(monkeypatch):
    """Events that let the background build of an outlook go on: its read and coming weeks
    (``first``), then its backtest (``rest``)."""
    first, rest = threading.Event(), threading.Event()
    real_first, real_finish = outlook.forecast_first, outlook.finish_outlook
    monkeypatch.setattr(outlook, "forecast_first",
                        lambda *a, **k: (first.wait(60), real_first(*a, **k))[1])
    monkeypatch.setattr(outlook, "finish_outlook",
                        lambda *a, **k: (rest.wait(60), real_finish(*a, **k))[1])
    return first, rest


def _until(check, seconds=60.0):
    for _ in range(int(seconds * 20)):
        if check():
            return
        threading.Event().wait(0.05)
    raise AssertionError("not within the time given")


def test_nothing_kept_the_coming_weeks_first_then_their_backtest(fdb, monkeypatch):
    """A first view with nothing kept waits for nothing: the outlook is worked out in the
    background, its coming weeks first (drawn once they are, their band not yet), then their
    band and backtest (20 forecasts more, most of the build) from the same history; then it is kept, and the page
    shows the whole outlook."""
    whole = outlook.build_outlook(fdb, FC_AS_OF, 4)
    first_go, rest_go = _held_outlook(monkeypatch)
    choice = refresh.outlook(fdb, FC_AS_OF, 4)
    assert choice.key is None and choice.current and choice.job is not None
    assert refresh.busy(choice) and refresh.outlook_first(choice, FC_AS_OF, 4) is None
    assert refresh.outlook(fdb, FC_AS_OF, 4) == choice   # asked again: the same build
    first_go.set()
    _until(lambda: refresh.outlook_first(choice, FC_AS_OF, 4) is not None)
    first = refresh.outlook_first(choice, FC_AS_OF, 4)
    assert refresh.outlook_first(choice, FC_AS_OF, 8) is None   # another view's: not drawn
    assert not first.checked and first.backtest.empty and first.summary["weeks"] == 0
    assert list(first.backtest.columns) == list(whole.backtest.columns)
    # the same weeks; the band comes with the backtest (the error of the forecasts before)
    assert first.forecast.p10.isna().all() and first.forecast.p90.isna().all()
    pd.testing.assert_frame_equal(first.forecast.drop(columns=["p10", "p90"]),
                                  whole.forecast.drop(columns=["p10", "p90"]), check_exact=True)
    assert refresh.busy(choice)
    rest_go.set()
    refresh.wait(choice, 60)
    assert refresh.failure(choice) is None and not refresh.busy(choice)
    now = refresh.outlook(fdb, FC_AS_OF, 4)
    assert now.current and now.key is not None and now.job is None
    kept = cash_outlook(fdb, FC_AS_OF, 4, kept=now.key)
    assert kept.checked and kept.summary["weeks"] > 0
    _same(kept, whole)


def test_a_backtest_that_could_not_be_kept_is_built_whole_on_the_page(fdb, monkeypatch):
    monkeypatch.setattr(derived, "save", lambda *a, **k: None)   # the folder is not writable
    choice = refresh.outlook(fdb, FC_AS_OF, 4)
    assert choice.key is None and choice.job is not None
    refresh.wait(choice, 60)
    assert not refresh.outlook_first(choice, FC_AS_OF, 4).checked
    again = refresh.outlook(fdb, FC_AS_OF, 4)
    assert again == refresh.Choice(None)   # the job ran: no second one, all of it here
    assert cash_outlook(fdb, FC_AS_OF, 4, kept=again.key).checked


def test_a_write_that_leaves_the_history_as_it_was_changes_nothing_shown(fdb, monkeypatch):
    cash_outlook(fdb, FC_AS_OF, 4)
    key = refresh.outlook(fdb, FC_AS_OF, 4).key
    with fdb.transaction() as con:   # the file changes; the history the forecast reads not
        con.execute("UPDATE clients SET first_name = 'Anne' WHERE client_id = 'A'")
    monkeypatch.setattr(outlook, "_STATES", {})
    choice = refresh.outlook(fdb, FC_AS_OF, 4)
    assert choice.key == key and not choice.current   # unknown until the history is read
    refresh.wait(choice, 60)
    assert refresh.outlook(fdb, FC_AS_OF, 4) == refresh.Choice(key)
    assert [p for p in derived.folder(fdb.path).iterdir()
            if p.name.startswith(outlook.KIND + "-") and "-latest-" not in p.name]


def test_a_store_never_learned_is_prepared_in_the_background_once(demo_db_path, tmp_path,
                                                                  monkeypatch):
    """The first page of a store nothing was learned for starts its model and outlook; a
    page that asks meanwhile checks back on that build and learns nothing itself."""
    _path, db = _copy(demo_db_path, tmp_path)
    risk.forget_models()
    learned = _counted(monkeypatch)
    go = threading.Event()
    real = risk.history_counts

    def held(*args, **kwargs):   # the learning under way when the page asks
        go.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(risk, "history_counts", held)
    monkeypatch.setattr(refresh, "PREPARE_DELAY_SECONDS", 0)
    refresh.prepare(db, AS_OF, 8)
    refresh.prepare(db, AS_OF, 8)   # once per store file: nothing more started
    choice = refresh.risk_model(db, AS_OF)   # checks back on that build, starts none
    assert choice == refresh.Choice(None, job=("prepare-risk", str(db.path)))
    assert refresh.busy(choice)
    go.set()
    refresh.wait(choice, 60)
    choice = refresh.risk_model(db, AS_OF)
    assert choice == refresh.Choice(risk.model_key(db, AS_OF))
    assert risk.learned_under(db, choice.key) and len(learned) == 2   # its model, time split
    # The outlook, after the model: being worked out by the preparation (the page checks
    # back on it and starts no build of its own), or done by now.
    shown = refresh.outlook(db, AS_OF, 8)
    monkeypatch.setattr(outlook, "forecast_first", None)   # not worked out again
    if shown.key is None:
        assert shown.job == ("prepare-outlook", str(db.path))
        refresh.wait(shown, 60)
        shown = refresh.outlook(db, AS_OF, 8)
    assert shown.current and shown.key is not None
    _same(cash_outlook(db, AS_OF, 8, kept=shown.key), outlook.build_outlook(db, AS_OF, 8))
    assert len(learned) == 2


def test_a_store_with_a_model_kept_prepares_nothing(demo_db_path, tmp_path, monkeypatch):
    _path, db = _copy(demo_db_path, tmp_path)
    risk.forget_models()
    risk.learned(db, AS_OF)
    cash_outlook(db, AS_OF, 8)
    built = []
    monkeypatch.setattr(risk, "learned", lambda *a, **k: built.append("model"))
    monkeypatch.setattr(outlook, "cash_outlook", lambda *a, **k: built.append("outlook"))
    monkeypatch.setattr(refresh, "PREPARE_DELAY_SECONDS", 0)
    refresh.prepare(db, AS_OF, 8)
    refresh.prepared(db, 60)
    assert built == []
    assert refresh.risk_model(db, AS_OF).current and refresh.outlook(db, AS_OF, 8).current


def test_a_preparation_works_out_the_coming_weeks_before_the_risk_time_split(
        demo_db_path, tmp_path, monkeypatch):
    """What a page may wait for comes first: the risk model's scores, then the forecast's
    coming weeks; what sits behind them (the forecast's backtest, the model's time split)
    after. Meanwhile the model scores the claims and says its time split is pending."""
    _path, db = _copy(demo_db_path, tmp_path)
    risk.forget_models()
    steps: list[str] = []
    seen: dict[str, refresh.Choice] = {}
    real_counts, real_first = risk.history_counts, outlook.forecast_first
    real_finish = outlook.finish_outlook

    def counts(*args, **kwargs):
        steps.append("time split" if "split" in kwargs else "scores")
        return real_counts(*args, **kwargs)

    def first(*args, **kwargs):
        seen["risk"] = refresh.risk_model(db, AS_OF, learn=False)   # while the weeks build
        steps.append("coming weeks")
        return real_first(*args, **kwargs)

    def finish(*args, **kwargs):
        steps.append("backtest")
        return real_finish(*args, **kwargs)

    monkeypatch.setattr(risk, "history_counts", counts)
    monkeypatch.setattr(outlook, "forecast_first", first)
    monkeypatch.setattr(outlook, "finish_outlook", finish)
    monkeypatch.setattr(refresh, "PREPARE_DELAY_SECONDS", 0)
    refresh.prepare(db, AS_OF, 8)
    refresh.prepared(db, 60)
    assert steps == ["scores", "coming weeks", "backtest", "time split"]
    key = risk.model_key(db, AS_OF)
    assert seen["risk"] == refresh.Choice(key, job=("prepare-risk", str(db.path)))
    assert refresh.risk_model(db, AS_OF) == refresh.Choice(key)
    assert not risk.split_pending(db, key)
    assert refresh.outlook(db, AS_OF, 8).current


def test_a_sign_in_leaves_the_kept_outlook_current(fdb):
    """A sign-in writes its user and audit rows as bookkeeping: the figures' caches stay
    valid, and so does the forecast's history state. Before, the next forecast view showed
    the kept outlook as out of date and scanned the history again."""
    cash_outlook(fdb, FC_AS_OF, 4)
    key = refresh.outlook(fdb, FC_AS_OF, 4).key
    with fdb.transaction(bookkeeping=True) as con:
        audit(con, "owner", "login", "users", "owner")
    assert refresh.outlook(fdb, FC_AS_OF, 4) == refresh.Choice(key)
