"""How far to trust the denial-risk model: a time split on the practice's own history.

Train on the lines first adjudicated before a date T (in the model's usual window of months
before it), test on the lines of the claims served on or after T that have been adjudicated
since; compare the model with the baseline a biller already has, each payer's overall denial
rate (in the same training lines). Three measures, on the test lines:

- **AUC**: the chance a denied line scores above a paid one (ties count half);
- **precision at the riskiest 10%**: the share denied among the 10% of lines scored
  riskiest (lines tied at the cut count by their share of the places left);
- **calibration**: the test lines in ten equal groups by predicted risk (deciles), each
  group's mean predicted risk beside its observed denial rate.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metdash.risk import (
    BACKTEST_MONTHS,
    WINDOW_MONTHS,
    RiskModel,
    history_end,
    model_for,
    train_lines,
)
from metdash.store import Database

TEST_MONTHS = BACKTEST_MONTHS   # the default T: six months before as_of


def auc(denied: np.ndarray, score: np.ndarray) -> float:
    """The area under the ROC curve: P(score of a denied line > score of a paid one), ties
    counting half (the Mann-Whitney statistic over average ranks). NaN without both kinds."""
    y = np.asarray(denied, dtype=bool)
    s = np.asarray(score, dtype=float)
    pos, neg = int(y.sum()), int((~y).sum())
    if pos == 0 or neg == 0:
        return float("nan")
    ranks = pd.Series(s).rank(method="average").to_numpy()
    return float((ranks[y].sum() - pos * (pos + 1) / 2) / (pos * neg))


def precision_at(denied: np.ndarray, score: np.ndarray, share: float = 0.10) -> float:
    """The share denied among the ``share`` riskiest lines (ceil(share × lines) places). The
    lines tied at the cut fill the places left at their own denial rate (what a random
    choice among them gives on average), so a coarse score such as the payer's rate is not
    favoured or punished by the order of the rows."""
    y = np.asarray(denied, dtype=float)
    s = np.asarray(score, dtype=float)
    n = len(y)
    if n == 0:
        return float("nan")
    k = math.ceil(share * n)
    frame = pd.DataFrame({"s": s, "y": y}).groupby("s", sort=True)["y"].agg(["sum", "count"])
    frame = frame.iloc[::-1]   # riskiest score first
    taken, hits = 0, 0.0
    for total, count in frame[["sum", "count"]].itertuples(index=False):
        if taken + count <= k:
            taken += int(count)
            hits += total
        else:
            hits += (k - taken) * total / count
            taken = k
        if taken >= k:
            break
    return float(hits / k)


def calibration(denied: np.ndarray, score: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Lines in ``bins`` equal groups by score (the last groups take one more line when it
    does not divide), lowest first. Columns: risk_decile (1 = least risky), decile_lines,
    predicted_risk (mean score), observed_denial_rate (share denied)."""
    y = np.asarray(denied, dtype=float)
    s = np.asarray(score, dtype=float)
    order = np.argsort(s, kind="stable")
    group = np.zeros(len(s), dtype=np.int64)
    group[order] = (np.arange(len(s)) * bins) // max(len(s), 1)
    frame = pd.DataFrame({"risk_decile": group + 1, "s": s, "y": y})
    return frame.groupby("risk_decile").agg(
        decile_lines=("y", "size"), predicted_risk=("s", "mean"),
        observed_denial_rate=("y", "mean")).reset_index()


@dataclass
class Evaluation:
    """A time split's outcome (see the module doc)."""

    split_date: dt.date
    train_lines: int
    test_lines: int
    test_denial_rate: float
    auc: float
    baseline_auc: float
    precision_10: float
    baseline_precision_10: float
    calibration: pd.DataFrame
    train_seconds: float

    def summary(self) -> pd.DataFrame:
        """The measures as rows: measure, model, baseline (the payer's rate)."""
        return pd.DataFrame({
            "measure": ["AUC", "Precision at the riskiest 10%"],
            "model": [self.auc, self.precision_10],
            "baseline": [self.baseline_auc, self.baseline_precision_10]})


def time_split(lines: pd.DataFrame, feats: pd.DataFrame, split: dt.date,
               months: int | None = WINDOW_MONTHS) -> Evaluation | None:
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
    return evaluate(model, feats[test].reset_index(drop=True),
                    lines["denied"].to_numpy()[test].astype(bool), split, seconds)


def evaluate(model: RiskModel, feats: pd.DataFrame, denied: np.ndarray, split: dt.date,
             seconds: float = 0.0) -> Evaluation:
    """The measures of ``model`` and of the payer-rate baseline on the test lines."""
    p = model.score(feats)
    base = model.payer_rate(feats)
    return Evaluation(split, model.trained_lines, len(denied), float(np.mean(denied)),
                      auc(denied, p), auc(denied, base), precision_at(denied, p),
                      precision_at(denied, base), calibration(denied, p), seconds)


def split_date(as_of: dt.date, months: int = TEST_MONTHS) -> dt.date:
    """T: ``months`` months before ``as_of``."""
    return (pd.Timestamp(as_of) - pd.DateOffset(months=months)).date()


def backtest(db: Database, as_of: dt.date, months: int = TEST_MONTHS) -> Evaluation | None:
    """:func:`time_split` of the store at T = ``months`` months before ``as_of`` (or before
    its last first adjudication, when earlier), on the lines :func:`metdash.risk.model_for`
    read."""
    _, lines, feats = model_for(db, as_of)
    return time_split(lines, feats, split_date(history_end(lines, as_of), months))
