"""Denial risk before a claim is sent (issue 18, section 2): a model a biller can read.

Learned from the practice's own first adjudications, one row per claim line (label: the line
was denied at its claim's first adjudication), over the features of
:mod:`metdash.risk_features`.

The model itself (smoothed rates per group of features, weighted by a small fit; a line's
reasons) is :mod:`metdash.risk_model`; this module learns it from a store, keeps it, and
scores the claims not yet sent.


**Learning from a store.** Nothing above needs a line, only counts: the lines and denied
lines of each combination of features and half. The store's model is learned from counts read
in DuckDB (:func:`metdash.risk_features.history_counts`; one read for the model's 12 months,
the time split's 12 months before its date and the lines it tests on), never from its lines
in pandas, and the weights are fitted on the combinations, each standing for its lines -- the
same fit. A page scores the claims it shows, read on their own (:func:`pending_lines`).
The model and its time split are kept until a remittance arrives, in the process and beside
the store (:func:`learned`, :mod:`metdash.store.derived`), so a restart, another worker or a
``metdash`` command does not learn them again (``benchmarks/bench_risk.py``); they depend on
the history up to its last adjudication, not on the day they are viewed, so the next day does
not learn them again either.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from metdash import risk_eval
from metdash.deadlines import filing_deadline_sql
from metdash.risk_features import (
    FEATURES,
    draft_lines,
    features,
    history_counts,
    read_lines,
    reason_text,
    remittance_state,
)
from metdash.risk_fit import fit_logistic, fit_nonnegative
from metdash.risk_model import (
    GROUPS,
    RiskModel,
    reasons,
    smoothed_rate,
    train,
    train_counts,
)
from metdash.store import Database, bulk, derived

WINDOW_MONTHS = 12     # training reads the first adjudications of the last 12 months
BACKTEST_MONTHS = risk_eval.TEST_MONTHS   # the time split tests on the last 6 months
MIN_LINES = 200        # fewer adjudicated lines than this: no model




def window_start(until: dt.date, months: int) -> dt.date:
    """The first day of a window of ``months`` months ending on ``until``."""
    return (pd.Timestamp(until) - pd.DateOffset(months=months)).date() + dt.timedelta(days=1)


def learning_window(until: dt.date, months: int | None = WINDOW_MONTHS, before: bool = False
                    ) -> tuple[dt.date | None, dt.date]:
    """(first day or None, last day) of the first adjudications a model learns from: the
    ``months`` months up to ``until`` (strictly before it with ``before``: a time split; all
    of them before without ``months``)."""
    last = until - dt.timedelta(days=1) if before else until
    return (window_start(last, months) if months else None), last


def train_lines(lines: pd.DataFrame, feats: pd.DataFrame, until: dt.date,
                months: int | None = WINDOW_MONTHS, before: bool = False) -> RiskModel | None:
    """The model from the lines first adjudicated on or before ``until`` (strictly before it
    with ``before``: a time split), in the ``months`` months up to it; None when fewer than
    :data:`MIN_LINES` lines were adjudicated. (Lines in hand, as :func:`read_lines` reads
    them; the store's own model is learned from its counts, :func:`learned`.)"""
    since, last = learning_window(until, months, before)
    adj = pd.to_datetime(lines["first_adjudication_date"])
    keep = adj.notna() & (adj <= pd.Timestamp(last))
    if since is not None:
        keep &= adj >= pd.Timestamp(since)
    keep = keep.to_numpy(bool)
    if keep.sum() < MIN_LINES:
        return None
    model = train(feats[keep].reset_index(drop=True),
                  lines["denied"].to_numpy()[keep].astype(bool),
                  lines["claim_id"].to_numpy()[keep])
    model.months, model.since, model.until = months, since, until
    return model


def train_part(counts: pd.DataFrame, until: dt.date, months: int | None = WINDOW_MONTHS,
               before: bool = False) -> RiskModel | None:
    """:func:`train_lines` from one part of :func:`metdash.risk_features.history_counts`
    (read for :func:`learning_window` of the same arguments)."""
    if counts["lines"].sum() < MIN_LINES:
        return None
    model = train_counts(counts)
    model.months, model.since, model.until = months, learning_window(until, months, before)[0], until
    return model


def history_end(lines: pd.DataFrame, as_of: dt.date) -> dt.date:
    """The day the learning window ends: ``as_of``, or the last first adjudication on file
    when that is earlier (a store whose history stops before today still has 12 months)."""
    last = pd.to_datetime(lines["first_adjudication_date"]).max()
    return as_of if pd.isna(last) else min(as_of, last.date())


def store_history_end(db: Database, as_of: dt.date) -> dt.date:
    """:func:`history_end` of the store's own lines."""
    last = db.scalar("SELECT max(first_adjudication_date) FROM first_line_facts WHERE NOT voided")
    return as_of if last is None else min(as_of, last)


# Bumped whenever what :func:`learned` builds changes (the features, the groups, the fit, the
# classes it keeps): a model kept beside the store by an older version is then not read.
# 3: kept by the day its history ends, not the day it is viewed; ``days`` of a line answered
# with no sent date counts to its received date or answer, not to as_of; the time split tests
# only on answers known by the history's end.
MODEL_VERSION = 3
KIND = "risk-model"


@dataclass
class Learned:
    """What a store's history teaches, as of a day: the model, and how far a model trained
    the same way held up on a time split (None when the history is too short)."""

    model: RiskModel | None
    backtest: risk_eval.Evaluation | None
    # False: the model alone, kept in this process while its time split is worked out
    # (learned with ``scores_first``); never kept beside the store.
    checked: bool = True


_CACHE: dict[tuple[Any, ...], Learned] = {}
_LOCK = threading.Lock()


def forget_models() -> None:
    """Drop every model kept in this process (the next :func:`model_for` reads the one kept
    beside the store, or trains again)."""
    with _LOCK:
        _CACHE.clear()


def _keys(db: Database, end: dt.date) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """(this process's key, the key beside the store) of the model whose history ends on
    ``end`` (:func:`store_history_end`). What :func:`learned` builds depends on the store's
    remittances and that day alone, not on the day it is viewed: every day after the last
    adjudication has the same key, so the model is not learned again until a remittance
    arrives; a day before it has its own (the history known then)."""
    kept = (remittance_state(db), end.isoformat(), MODEL_VERSION)
    return (str(db.path), *kept), kept


def model_key(db: Database, as_of: dt.date) -> tuple[Any, ...]:
    """What the model :func:`learned` as of ``as_of`` is kept under beside the store (its
    ``kept`` argument): the remittances on file, the day its history ends, the version."""
    return _keys(db, store_history_end(db, as_of))[1]


def _remember(mine: tuple[Any, ...], value: Learned) -> None:
    with _LOCK:
        if len(_CACHE) >= 4 and mine not in _CACHE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[mine] = value


def _kept(db: Database, end: dt.date) -> Learned | None:
    """The model already learned for this store state and history end: kept in this process,
    or beside the store (:mod:`metdash.store.derived`, then kept in this process too)."""
    return _lookup(db, *_keys(db, end))


def _lookup(db: Database, mine: tuple[Any, ...], kept: tuple[Any, ...]) -> Learned | None:
    with _LOCK:
        if mine in _CACHE:
            return _CACHE[mine]
    value = derived.load(db, KIND, kept)
    if isinstance(value, Learned):
        _remember(mine, value)
        return value
    return None


def learned_under(db: Database, kept: tuple[Any, ...]) -> bool:
    """True when the model kept under ``kept`` (:func:`model_key`) is at hand (its time split
    too, or still being worked out: :func:`split_pending`)."""
    return _lookup(db, (str(db.path), *kept), kept) is not None


def split_pending(db: Database, kept: tuple[Any, ...]) -> bool:
    """True when the model kept under ``kept`` is at hand and its time split is still being
    worked out (:func:`learned` with ``scores_first``)."""
    found = _lookup(db, (str(db.path), *kept), kept)
    return found is not None and not found.checked


# derived.latest's scope of every model: the last one learned for this store, whatever its
# history (metdash.refresh shows it while the model of new remittances is learned).
SCOPE = (MODEL_VERSION,)


def latest_learned(db: Database) -> tuple[tuple[Any, ...], Learned] | None:
    """(key, model) of the model last learned for this store and kept beside it, or None."""
    found = derived.latest(db, KIND, SCOPE)
    return found if found is not None and isinstance(found[1], Learned) else None


def learned(db: Database, as_of: dt.date, kept: tuple[Any, ...] | None = None, *,
            whole: bool = True, scores_first: bool = False) -> Learned:
    """The store's model and its time split as of ``as_of``: learned once, then kept until a
    remittance arrives -- in this process and beside the store, for the next process (a
    restart, another worker, a ``metdash`` command), keyed on :func:`remittance_state`, the
    day the history ends (:func:`store_history_end`: ``as_of``, or the last first
    adjudication when earlier) and :data:`MODEL_VERSION`.

    ``kept``: the key of a model kept beside the store (:func:`model_key`, an earlier one of
    :func:`latest_learned`) to use instead, while it is kept; else the current one.

    Everything learned depends on that end, never on ``as_of`` itself: the same history
    viewed on later days is the same model (the claims not yet sent are scored as of their
    own day, :func:`pending_lines`).

    Learning reads the lines' counts, not the lines (:func:`history_counts`, one read for the
    model's 12 months, the time split's 12 months before its date and the claims served since
    it); the model learns from the :data:`WINDOW_MONTHS` months up to the end, the time
    split's model from the same months before :func:`metdash.risk_eval.split_date` of the
    end, tested on the claims served since and answered by the end.

    ``scores_first`` (a page waiting for the scores): the model's months are read and learned
    first and kept in this process at once (``checked`` False: what scores the claims), then
    the time split's, in a second read. The same counts, the same model; the scores come in
    ~55 % of the time at 1M lines, the whole in ~15 % more. Without ``whole`` such a model
    is returned as found; else its time split is waited for (or worked out here)."""
    if kept is not None:
        found = _lookup(db, (str(db.path), *kept), kept)
        if found is not None and (found.checked or not whole):
            return found
    end = store_history_end(db, as_of)
    # The keys are read before the counts: a remittance arriving meanwhile makes the next
    # view learn again, never keeps an older model under a newer state.
    mine, kept = _keys(db, end)
    found = _lookup(db, mine, kept)
    if found is not None and (found.checked or not whole):
        return found
    with bulk.in_turn():   # one heavy build at a time in this process (metdash.store.bulk)
        found = _lookup(db, mine, kept)   # learned by the build this one waited for
        if found is not None and (found.checked or not whole):
            return found
        split = risk_eval.split_date(end)
        windows = {"split": learning_window(split, before=True), "test_from": split,
                   "test_to": end}
        model = found.model if found is not None else None
        if found is None and scores_first:
            model = _scores(db, mine, end).model
        if found is None and not scores_first:
            windows["model"] = learning_window(end)
        with bulk.bounded(db):
            counts = history_counts(db, **windows)
        part = counts.pop("part").to_numpy()
        if "model" in windows:
            model = train_part(counts[part == "model"], end)
        started = time.perf_counter()
        split_model = train_part(counts[part == "split"], split, before=True)
        seconds = time.perf_counter() - started
        test = counts[part == "test"]
        backtest = None
        if split_model is not None and test["lines"].sum() >= 20:
            backtest = risk_eval.evaluate_counts(split_model, test, split, seconds)
        value = Learned(model, backtest)
        derived.save(db, KIND, kept, value, scope=SCOPE)
        _remember(mine, value)
    return value


def learn_scores(db: Database, as_of: dt.date) -> None:
    """The first half of :func:`learned` with ``scores_first``: the model alone, learned
    from its months and kept in this process (``checked`` False: it scores the claims; its
    time split still to be worked out, by :func:`learned`), unless one is at hand already.
    :func:`metdash.refresh.prepare` works out the cash forecast's coming weeks in between."""
    end = store_history_end(db, as_of)
    mine, kept = _keys(db, end)
    if _lookup(db, mine, kept) is not None:
        return
    with bulk.in_turn():
        if _lookup(db, mine, kept) is None:
            _scores(db, mine, end)


def _scores(db: Database, mine: tuple[Any, ...], end: dt.date) -> Learned:
    with bulk.bounded(db):  # read under half the memory limit
        counts = history_counts(db, model=learning_window(end))
    model = train_part(counts[counts.pop("part").to_numpy() == "model"], end)
    del counts
    value = Learned(model, None, checked=False)
    _remember(mine, value)   # scores the claims now
    return value


def time_split(lines: pd.DataFrame, feats: pd.DataFrame, split: dt.date,
               months: int | None = WINDOW_MONTHS) -> risk_eval.Evaluation | None:
    """Train on the lines first adjudicated before ``split`` (the ``months`` before it), test
    on the adjudicated lines of claims first served on or after it. Nothing adjudicated on or
    after ``split`` reaches the model. None when either side is too small."""
    started = time.perf_counter()
    model = train_lines(lines, feats, split, months, before=True)
    seconds = time.perf_counter() - started
    served = pd.to_datetime(lines["first_service_date"])
    test = (lines["first_adjudication_date"].notna() & (served >= pd.Timestamp(split))
            ).to_numpy(bool)
    if model is None or test.sum() < 20:
        return None
    return risk_eval.evaluate(model, feats[test].reset_index(drop=True),
                              lines["denied"].to_numpy()[test].astype(bool), split, seconds)


def backtest(db: Database, as_of: dt.date, kept: tuple[Any, ...] | None = None
             ) -> risk_eval.Evaluation | None:
    """The time split of the store at T = :data:`BACKTEST_MONTHS` months before ``as_of``
    (or before its last first adjudication, when earlier), learned and kept with the store's
    model (:func:`learned`, ``kept`` as there)."""
    return learned(db, as_of, kept).backtest


def model_for(db: Database, as_of: dt.date, kept: tuple[Any, ...] | None = None
              ) -> RiskModel | None:
    """The store's model as of ``as_of`` (:func:`learned`, ``kept`` as there); None when
    fewer than :data:`MIN_LINES` lines were adjudicated in its months."""
    return learned(db, as_of, kept, whole=False).model


# A practice with more claims adjudicated in the last 12 months than this has its ready claims
# scored on request on the Work lists page when no model is kept for the store's state yet
# (learning read ~22 months of lines: at 5M lines it took 4 s and 2.9 GB; the 1M demo has
# ~90,000 such claims and is scored at once).
AUTO_SCORE_CLAIMS = 200_000


def is_learned(db: Database, as_of: dt.date) -> bool:
    """True when the model for this store state is already learned (kept in this process or
    beside the store): scoring with it learns nothing first."""
    return _kept(db, store_history_end(db, as_of)) is not None


def scored_at_once(db: Database, as_of: dt.date) -> bool:
    """True when a page may score claims without being asked: the model for this store state
    is already learned (kept in this process or beside the store), or the practice is small
    enough (:data:`AUTO_SCORE_CLAIMS`) for its first training to be quick."""
    if is_learned(db, as_of):
        return True
    since = window_start(as_of, WINDOW_MONTHS)
    n = db.scalar("SELECT count(*) FROM claim_facts WHERE first_adjudication_date "
                  "BETWEEN ? AND ?", [since, as_of]) or 0
    return n <= AUTO_SCORE_CLAIMS


def pending_lines(db: Database, as_of: dt.date, statuses: tuple[str, ...] = ("draft", "ready")
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(lines, features) of the claims in ``statuses`` (not yet sent: draft, ready), read on
    their own (:func:`read_lines` with ``pending_only``)."""
    lines = read_lines(db, pending_only=True)
    lines = lines[lines["status"].isin(statuses).to_numpy(bool)].reset_index(drop=True)
    return lines, features(lines, as_of)


def claims_at_risk(db: Database, as_of: dt.date, statuses: tuple[str, ...] = ("draft", "ready"),
                   kept: tuple[Any, ...] | None = None) -> pd.DataFrame:
    """Every claim in ``statuses`` (not yet sent), riskiest first.

    Columns: claim_id, payer, denial_risk (the chance its riskiest line is denied at first
    adjudication, 0-1), payer_denial_rate (the payer's line denial rate in the same months:
    the baseline), risk_reason (the riskiest line's strongest reason), status, client_id,
    first_service_date, filing_deadline, lines, risk_more_reasons. Empty when the history is
    too small to learn from. ``kept``: the model to score with (:func:`learned`).

    A claim already past its payer's timely-filing deadline (first service date + the payer's
    limit, DOMAIN.md) comes first, whatever its learned risk: the payer denies it CO-29 unless
    the practice proves it was filed in time. Its reason says so, and the learned one follows.
    """
    model = model_for(db, as_of, kept)
    cols = ["claim_id", "payer", "denial_risk", "payer_denial_rate", "risk_reason", "status",
            "client_id", "first_service_date", "filing_deadline", "lines", "risk_more_reasons"]
    if model is None:
        return pd.DataFrame(columns=cols)
    lines, feats = pending_lines(db, as_of, statuses)
    if lines.empty:
        return pd.DataFrame(columns=cols)
    return _late_first(db, claim_risk(model, lines, feats), as_of)[cols]


def _late_first(db: Database, frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """``frame`` (riskiest first) with each claim's filing deadline; those past it first,
    the deadline named as their reason (a new-user trial: a claim 13 days past Medicare's
    12 months read 6.6 %, its reason a diagnosis's)."""
    limits = db.query(f"""
        SELECT c.claim_id, p.timely_filing_days AS limit_days,
               {filing_deadline_sql()} AS filing_deadline
        FROM claims c JOIN payers p USING (payer_id)
        WHERE c.claim_id IN (SELECT unnest(?::VARCHAR[]))""", [list(frame.claim_id)])
    frame = frame.merge(limits, on="claim_id", how="left")
    late = (pd.to_datetime(frame.filing_deadline) < pd.Timestamp(as_of)).to_numpy(bool)
    for i in np.flatnonzero(late):
        r = frame.iloc[i]
        deadline = pd.Timestamp(r.filing_deadline).date()
        said = (f"past {r.payer}'s timely-filing limit of {int(r.limit_days)} days from "
                f"service: the deadline was {deadline} ({(as_of - deadline).days} days ago); "
                "it will be denied (CO-29) unless you can prove it was filed in time")
        frame.at[frame.index[i], "risk_more_reasons"] = "; ".join(
            x for x in (r.risk_reason, r.risk_more_reasons) if x)
        frame.at[frame.index[i], "risk_reason"] = said[0].upper() + said[1:]
    order = np.lexsort((frame.claim_id.to_numpy(), -frame.denial_risk.to_numpy(float), ~late))
    return frame.iloc[order].reset_index(drop=True)


def claims_waiting(db: Database, statuses: tuple[str, ...] = ("draft", "ready")
                   ) -> pd.DataFrame:
    """The claims :func:`claims_at_risk` scores, before any is scored (the model being
    learned): claim_id, payer, status, client_id, first_service_date, lines; oldest service
    first. One read of the claims, not of their history."""
    marks = ", ".join("?" for _ in statuses)
    return db.query(f"""
        SELECT c.claim_id, p.name AS payer, c.status, c.client_id, c.first_service_date,
               (SELECT count(*) FROM claim_lines l WHERE l.claim_id = c.claim_id) AS lines
        FROM claims c JOIN payers p USING (payer_id)
        WHERE c.status IN ({marks})
        ORDER BY c.first_service_date, c.claim_id""", list(statuses))


def why_unscored(db: Database, as_of: dt.date, kept: tuple[Any, ...] | None = None) -> str:
    """Why :func:`claims_at_risk` is empty, in words (no claim waiting, or too little history)."""
    waiting = int(db.scalar("SELECT count(*) FROM claims WHERE status IN ('draft', 'ready')"))
    if not waiting:
        return ("No draft or ready claim to score: bill sessions (Claims), and each claim's "
                "denial risk shows here before it is sent.")
    if model_for(db, as_of, kept) is not None:   # the claims waiting have no line
        return "No draft or ready claim has a line to score."
    since, last = learning_window(store_history_end(db, as_of))
    have = int(db.scalar("SELECT count(*) FROM first_line_facts WHERE NOT voided AND "
                         "first_adjudication_date BETWEEN ? AND ?", [since, last]))
    return (f"{waiting:,} draft or ready claim(s), but too little history to score them: the "
            f"model learns from at least {MIN_LINES} claim lines the payers answered in the 12 "
            f"months up to {last}, and this practice has {have:,} ({MIN_LINES - have:,} to go). "
            "Scores appear once more remittances are posted; meanwhile each claim's own checks "
            "(missing modifiers, authorization, timely filing) are on Work lists → Claims "
            "ready to submit and in the claim's review.")


def claim_risk(model: RiskModel, lines: pd.DataFrame, feats: pd.DataFrame) -> pd.DataFrame:
    """Per claim of ``lines`` (rows of :func:`read_lines` and their features): its risk (its
    riskiest line's), the payer's rate and the riskiest line's reasons, riskiest first."""
    risk = model.score(feats)
    frame = lines[["claim_id", "status", "client_id", "payer", "first_service_date"]].copy()
    frame["denial_risk"] = risk
    frame["payer_denial_rate"] = model.payer_rate(feats)
    frame["row"] = np.arange(len(frame))
    frame["lines"] = frame.groupby("claim_id")["claim_id"].transform("size")
    top = frame.sort_values(["denial_risk", "row"], ascending=[False, True]).drop_duplicates(
        "claim_id")
    said = reasons(model, feats.iloc[top["row"].to_numpy()].reset_index(drop=True))
    top = top.assign(risk_reason=[s[0] if s else "" for s in said],
                     risk_more_reasons=["; ".join(s[1:]) for s in said])
    return top.drop(columns="row").sort_values(["denial_risk", "claim_id"],
                                               ascending=[False, True]).reset_index(drop=True)


def draft_risk(db: Database, as_of: dt.date, claim_lines: pd.DataFrame,
               kept: tuple[Any, ...] | None = None) -> pd.DataFrame:
    """The risk of each line of a claim being built (not yet saved): ``claim_lines`` is
    :func:`metdash.risk_features.draft_lines`'s frame. Columns: line_no, cpt, denial_risk,
    payer_denial_rate, risk_reason (its reasons, ";"-separated). Empty when there is no model.
    ``kept``: the model to score with (:func:`learned`)."""
    model = model_for(db, as_of, kept)
    if model is None or claim_lines.empty:
        return pd.DataFrame(columns=["line_no", "cpt", "denial_risk", "payer_denial_rate",
                                     "risk_reason"])
    feats = features(claim_lines, as_of)
    said = reasons(model, feats)
    return pd.DataFrame({"line_no": claim_lines["line_no"].to_numpy(),
                         "cpt": claim_lines["cpt"].to_numpy(),
                         "denial_risk": model.score(feats),
                         "payer_denial_rate": model.payer_rate(feats),
                         "risk_reason": ["; ".join(s) for s in said]})


def risk_of_claim(db: Database, as_of: dt.date, claim: Any,
                  kept: tuple[Any, ...] | None = None) -> pd.DataFrame:
    """:func:`draft_risk` of a claim being reviewed (an ``entry.ClaimIn``: its client, payer,
    referral, provider, diagnoses and lines), before it is saved (``kept`` as there)."""
    lines = []
    for ln in claim.lines:   # a line the check refuses (no date, no code) is not scored
        try:
            served = pd.Timestamp(ln.service_date).date()
        except (TypeError, ValueError):
            continue
        if ln.cpt and ln.units and not pd.isna(served):
            lines.append({"service_date": served, "cpt": ln.cpt, "units": ln.units,
                          "modifiers": list(ln.modifiers), "dx_pointers": list(ln.dx_pointers)})
    frame = draft_lines(db, claim_id=claim.claim_id, client_id=claim.client_id,
                        payer_id=claim.payer_id, referral_id=claim.referral_id,
                        rendering_provider_id=claim.rendering_provider_id,
                        diagnosis_codes=list(claim.diagnosis_codes), lines=lines)
    return draft_risk(db, as_of, frame, kept)


def ready_with_risk(db: Database, as_of: dt.date, kept: tuple[Any, ...] | None = None
                    ) -> pd.DataFrame:
    """The work list of claims ready to submit (:func:`metdash.worklists.claims_ready_to_submit`)
    with each claim's denial_risk and risk_reason (empty without a model; ``kept``: the model
    to score with, :func:`learned`)."""
    from metdash.worklists import claims_ready_to_submit

    ready = claims_ready_to_submit(db, as_of)
    scored = claims_at_risk(db, as_of, ("ready",), kept)
    out = ready.merge(scored[["claim_id", "denial_risk", "risk_reason"]], on="claim_id",
                      how="left")
    # the days left and the risk beside the claim and its payer, in view at 1280 px (the
    # risk was the ninth column, past the edge: a new-user trial)
    first = [c for c in ("claim_id", "client_id", "client_name", "payer", "days_left",
                         "denial_risk") if c in out.columns]
    return out[first + [c for c in out.columns if c not in first]]


__all__ = ["FEATURES", "GROUPS", "MODEL_VERSION", "Learned", "RiskModel", "backtest", "claim_risk",
           "claims_at_risk", "claims_waiting", "draft_risk", "fit_logistic", "fit_nonnegative",
           "forget_models", "is_learned", "latest_learned", "learned", "learned_under",
           "learning_window", "model_for", "model_key", "pending_lines", "ready_with_risk",
           "reason_text", "reasons", "risk_of_claim", "scored_at_once", "smoothed_rate",
           "split_pending", "store_history_end", "time_split", "train", "train_counts",
           "train_lines", "train_part", "why_unscored", "window_start"]
