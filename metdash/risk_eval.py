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

The measures only: the store's time split is learned and kept with its model
(:func:`metdash.risk.backtest`), and :func:`metdash.risk.time_split` runs one on lines in hand.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from metdash.risk_features import FEATURES

if TYPE_CHECKING:
    from metdash.risk import RiskModel

TEST_MONTHS = 6   # the default T: six months before as_of


def _weights(denied: np.ndarray, lines: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(denied, lines) per row as floats: one line each when ``lines`` is None."""
    y = np.asarray(denied, dtype=float)
    return y, (np.ones(len(y)) if lines is None else np.asarray(lines, dtype=float))


def auc(denied: np.ndarray, score: np.ndarray, lines: np.ndarray | None = None) -> float:
    """The area under the ROC curve: P(score of a denied line > score of a paid one), ties
    counting half (the Mann-Whitney statistic). NaN without both kinds. Each row is a line
    (``denied`` 0/1), or with ``lines`` stands for that many lines of one score, ``denied``
    of them denied."""
    y, c = _weights(denied, lines)
    s = np.asarray(score, dtype=float)
    pos, neg = float(y.sum()), float((c - y).sum())
    if pos == 0 or neg == 0:
        return float("nan")
    by = pd.DataFrame({"s": s, "pos": y, "neg": c - y}).groupby("s", sort=True).sum()
    below = by["neg"].cumsum() - by["neg"]   # paid lines scored lower than each score
    return float((by["pos"] * (below + by["neg"] / 2)).sum() / (pos * neg))


def precision_at(denied: np.ndarray, score: np.ndarray, share: float = 0.10,
                 lines: np.ndarray | None = None) -> float:
    """The share denied among the ``share`` riskiest lines (ceil(share × lines) places). The
    lines tied at the cut fill the places left at their own denial rate (what a random
    choice among them gives on average), so a coarse score such as the payer's rate is not
    favoured or punished by the order of the rows. ``lines``: as in :func:`auc`."""
    y, c = _weights(denied, lines)
    s = np.asarray(score, dtype=float)
    n = int(c.sum())
    if n == 0:
        return float("nan")
    k = math.ceil(share * n)
    frame = pd.DataFrame({"s": s, "sum": y, "count": c}).groupby("s", sort=True).sum()
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


def calibration(denied: np.ndarray, score: np.ndarray, bins: int = 10,
                lines: np.ndarray | None = None) -> pd.DataFrame:
    """Lines in ``bins`` equal groups by score (the last groups take one more line when it
    does not divide; lines of equal score in the order of the rows), lowest first. Columns:
    risk_decile (1 = least risky), decile_lines, predicted_risk (mean score),
    observed_denial_rate (share denied). ``lines``: as in :func:`auc`; a row cut by a
    group's edge brings each side its share of its denied lines."""
    y, c = _weights(denied, lines)
    s = np.asarray(score, dtype=float)
    order = np.argsort(s, kind="stable")
    y, c, s = y[order], c[order], s[order]
    n = int(c.sum())
    end = np.cumsum(c)
    start = end - c
    # Group g holds the lines at places ceil(g·n/bins) .. ceil((g+1)·n/bins) - 1.
    edges = -((-np.arange(bins + 1) * n) // bins)
    taken = np.clip(np.minimum(end[:, None], edges[None, 1:])
                    - np.maximum(start[:, None], edges[None, :-1]), 0, None)   # rows × groups
    count = taken.sum(axis=0)
    share = np.divide(y, c, out=np.zeros_like(y), where=c > 0)
    has = count > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        predicted = (taken * s[:, None]).sum(axis=0) / count
        observed = (taken * share[:, None]).sum(axis=0) / count
    return pd.DataFrame({"risk_decile": np.arange(1, bins + 1)[has],
                         "decile_lines": count[has].astype(np.int64),
                         "predicted_risk": predicted[has],
                         "observed_denial_rate": observed[has]})


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


def evaluate(model: RiskModel, feats: pd.DataFrame, denied: np.ndarray, split: dt.date,
             seconds: float = 0.0) -> Evaluation:
    """The measures of ``model`` and of the payer-rate baseline on the test lines."""
    p = model.score(feats)
    base = model.payer_rate(feats)
    return Evaluation(split, model.trained_lines, len(denied), float(np.mean(denied)),
                      auc(denied, p), auc(denied, base), precision_at(denied, p),
                      precision_at(denied, base), calibration(denied, p), seconds)


def evaluate_counts(model: RiskModel, counts: pd.DataFrame, split: dt.date,
                    seconds: float = 0.0) -> Evaluation:
    """:func:`evaluate` on test lines counted by their features (the "test" part of
    :func:`metdash.risk_features.history_counts`: the features, lines, denied): the same
    measures, each combination standing for its lines. The combinations are taken in the
    order of their values, so that ties in the calibration fall the same way every time."""
    counts = counts.sort_values([f for f in FEATURES if f in counts.columns],
                                kind="stable").reset_index(drop=True)
    c = counts["lines"].to_numpy(float)
    y = counts["denied"].to_numpy(float)
    p = model.score(counts)
    base = model.payer_rate(counts)
    return Evaluation(split, model.trained_lines, int(c.sum()), float(y.sum() / c.sum()),
                      auc(y, p, c), auc(y, base, c), precision_at(y, p, lines=c),
                      precision_at(y, base, lines=c), calibration(y, p, lines=c), seconds)


def split_date(as_of: dt.date, months: int = TEST_MONTHS) -> dt.date:
    """T: ``months`` months before ``as_of``."""
    return (pd.Timestamp(as_of) - pd.DateOffset(months=months)).date()
