"""The denial-risk model itself (:mod:`metdash.risk` learns it from a store and scores the
claims not yet sent): smoothed rates per group of features, weighted by a small fit.

**Smoothed rates.** For each group of features in :data:`GROUPS` (the payer; payer and code;
payer and authorization state; ...) every combination of values seen in training has its
denied lines ``d`` out of ``n``; its rate is shrunk toward the practice's overall rate
``p̄`` by :data:`PRIOR_LINES` lines of prior (a beta prior, the empirical-Bayes rate):
``r = (d + m·p̄) / (n + m)``. A value never seen has ``r = p̄``.

**Score.** A line's log-odds of denial is ``b + Σ_g w_g · x_g`` with
``x_g = logit(r_g) − logit(p̄)``: each group's evidence, how far its rate stands from the
practice's. With every ``w = 1`` and ``b = logit(p̄)`` this is naive Bayes; the weights are
instead fitted by a small ridge logistic regression (Newton's method, numpy only), on rates
cross-fitted over two halves of the claims (each half scored with the other half's rates), so
a rate never grades itself and features that say the same thing share their weight.

**Reasons.** A line's reasons are its groups with the largest ``w_g · x_g`` above zero, said
in words with their counts ("Lakeside Choice HMO denied 38% of 97530 lines without a prior
authorization in the last 12 months (37 of 97)"). A claim's risk is its riskiest line's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metdash.risk_features import reason_text
from metdash.risk_fit import RIDGE, fit_nonnegative, logit, sigmoid

# (name, features, parent): the groups whose smoothed rates the model combines. A group
# with a parent is shrunk toward its parent's rate and brings what it adds beyond it (a
# payer's cells beyond the payer's own rate), so the payer is counted once.
GROUPS: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("payer", ("payer",), None),
    ("payer_cpt", ("payer", "cpt"), "payer"),
    ("payer_auth", ("payer", "auth"), "payer"),
    ("payer_cpt_auth", ("payer", "cpt", "auth"), "payer_auth"),
    ("payer_modifiers", ("payer", "modifiers"), "payer"),
    ("cpt_dx", ("cpt", "dx"), None),
    ("payer_units", ("payer", "units"), "payer"),
    ("payer_visits", ("payer", "visits"), "payer"),
    ("payer_days", ("payer", "days"), "payer"),
    ("provider", ("provider",), None),
)
PRIOR_LINES = 10.0     # m: lines of prior toward the parent's (or the practice's) rate
REASON_MIN_LINES = 10  # a reason names a combination seen on at least 10 lines

Groups = tuple[tuple[str, tuple[str, ...], str | None], ...]


def smoothed_rate(denied: np.ndarray | float, lines: np.ndarray | float,
                  toward: np.ndarray | float, prior: float = PRIOR_LINES) -> np.ndarray:
    """``(denied + prior·toward) / (lines + prior)``: a rate shrunk toward ``toward``."""
    return ((np.asarray(denied, float) + prior * np.asarray(toward, float))
            / (np.asarray(lines, float) + prior))


def _encode(values: pd.Series, vocab: pd.Index) -> np.ndarray:
    """Each value's position in ``vocab``; a value not in it: len(vocab)."""
    codes = vocab.get_indexer(pd.Index(values))
    return np.where(codes < 0, len(vocab), codes).astype(np.int64)


def _cells(codes: dict[str, np.ndarray], cols: tuple[str, ...],
           vocab: dict[str, pd.Index], n: int) -> np.ndarray:
    """One integer per combination of the ``cols`` codes (mixed radix; each radix counts an
    extra code for unseen values)."""
    cell = np.zeros(n, dtype=np.int64)
    for c in cols:
        cell = cell * (len(vocab[c]) + 1) + codes[c]
    return cell


def _size(cols: tuple[str, ...], vocab: dict[str, pd.Index]) -> int:
    return int(np.prod([len(vocab[c]) + 1 for c in cols]))


def _counts(cells: np.ndarray, y: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    return (np.bincount(cells, weights=y, minlength=size),
            np.bincount(cells, minlength=size).astype(float))


def _evidence(groups: Groups, cells: list[np.ndarray], den: dict[str, np.ndarray],
              lin: dict[str, np.ndarray], base: float, prior: float
              ) -> tuple[np.ndarray, np.ndarray]:
    """Per line and group: (x, rate). Each group's rate is shrunk toward its parent's rate
    for the line (the practice's ``base`` without a parent); x = logit(rate) − logit(that)."""
    n = len(cells[0]) if cells else 0
    rate = np.zeros((n, len(groups)))
    x = np.zeros((n, len(groups)))
    col = {name: j for j, (name, _, _) in enumerate(groups)}
    for j, (name, _, parent) in enumerate(groups):
        toward = rate[:, col[parent]] if parent else np.full(n, base)
        d, m = den[name][cells[j]], lin[name][cells[j]]
        rate[:, j] = smoothed_rate(d, m, toward, prior)
        x[:, j] = logit(rate[:, j]) - logit(toward)
    return x, rate


@dataclass
class RiskModel:
    """Counts per feature combination, the fitted weights, and what it was trained on."""

    groups: Groups
    base_rate: float
    vocab: dict[str, pd.Index]
    denied: dict[str, np.ndarray]
    lines: dict[str, np.ndarray]
    weights: np.ndarray
    intercept: float
    trained_lines: int
    months: int | None = None
    prior: float = PRIOR_LINES
    since: dt.date | None = None
    until: dt.date | None = None

    def cells(self, feats: pd.DataFrame) -> list[np.ndarray]:
        """Per group, each line's cell (its combination of values)."""
        codes = {f: _encode(feats[f], v) for f, v in self.vocab.items()}
        return [_cells(codes, cols, self.vocab, len(feats)) for _, cols, _ in self.groups]

    def evidence(self, feats: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Per line and group (lines × groups arrays): x, the log-odds its smoothed rate adds
        to its parent's (or the practice's), and that rate."""
        return _evidence(self.groups, self.cells(feats), self.denied, self.lines,
                         self.base_rate, self.prior)

    def score(self, feats: pd.DataFrame) -> np.ndarray:
        """Each line's chance of denial at first adjudication (0-1)."""
        x, _ = self.evidence(feats)
        return sigmoid(self.intercept + x @ self.weights)

    def payer_rate(self, feats: pd.DataFrame) -> np.ndarray:
        """The baseline: each line's payer's smoothed denial rate in training."""
        codes = {"payer": _encode(feats["payer"], self.vocab["payer"])}
        cell = _cells(codes, ("payer",), self.vocab, len(feats))
        return smoothed_rate(self.denied["payer"][cell], self.lines["payer"][cell],
                             self.base_rate, self.prior)


def train(feats: pd.DataFrame, denied: Sequence[bool] | np.ndarray, claims: Sequence[str],
          *, groups: Groups = GROUPS, weights: Sequence[float] | None = None,
          prior: float = PRIOR_LINES, ridge: float = RIDGE) -> RiskModel:
    """A model from adjudicated lines: their features, whether each was denied at first
    adjudication, and each line's claim (the two halves for cross-fitting split by claim).
    With ``weights`` given nothing is fitted: the intercept is logit(p̄) and the score is
    the weighted sum of the groups' evidence (``weights`` all 1: naive Bayes).

    The lines are counted by their combination of features and half, then
    :func:`train_counts` learns from the counts."""
    used = sorted({c for _, cols, _ in groups for c in cols})
    frame = pd.DataFrame({f: feats[f].astype(str).to_numpy() for f in used})
    frame["half"] = pd.factorize(np.asarray(claims))[0] % 2
    frame["denied"] = np.asarray(denied, dtype=np.int64)
    counts = frame.groupby([*used, "half"], sort=False).agg(
        lines=("denied", "size"), denied=("denied", "sum")).reset_index()
    return train_counts(counts, groups=groups, weights=weights, prior=prior, ridge=ridge)


def train_counts(counts: pd.DataFrame, *, groups: Groups = GROUPS,
                 weights: Sequence[float] | None = None, prior: float = PRIOR_LINES,
                 ridge: float = RIDGE) -> RiskModel:
    """:func:`train` from lines already counted: ``counts`` has the features of ``groups``
    (text), half (0 or 1, the line's claim's half for cross-fitting), lines and denied, one
    row per combination (:func:`metdash.risk_features.history_counts`'s rows of one part).

    Every count the model keeps is a sum of these; the weights are fitted on the
    combinations, each standing for its lines (:func:`fit_logistic`'s ``count``), which is
    the same fit as line by line. The values are numbered in sorted order and the
    combinations fitted in that order, so the same counts give the same model whatever the
    order of their rows."""
    used = sorted({c for _, cols, _ in groups for c in cols})
    n = len(counts)
    lines = counts["lines"].to_numpy(float)
    y = counts["denied"].to_numpy(float)
    half = counts["half"].to_numpy(np.int64)
    vocab, codes = {}, {}
    for f in used:
        code, uniques = pd.factorize(counts[f].astype(str), sort=True)
        vocab[f], codes[f] = pd.Index(uniques, dtype=object), code.astype(np.int64)
    cells = [_cells(codes, cols, vocab, n) for _, cols, _ in groups]
    sizes = [_size(cols, vocab) for _, cols, _ in groups]
    total = float(lines.sum())
    base = float(y.sum() / total) if total else 0.0
    den = {name: np.bincount(cell, weights=y, minlength=size)
           for (name, _, _), cell, size in zip(groups, cells, sizes, strict=True)}
    lin = {name: np.bincount(cell, weights=lines, minlength=size)
           for (name, _, _), cell, size in zip(groups, cells, sizes, strict=True)}
    model = RiskModel(groups, base, vocab, den, lin, np.ones(len(groups)),
                      float(logit(base)), int(total), prior=prior)
    if weights is not None:
        model.weights = np.asarray(weights, dtype=float)
        return model
    # Cross-fitted evidence: each half of the claims scored with the other half's rates.
    x = np.zeros((n, len(groups)))
    for h in (0, 1):
        mine, other = half == h, half != h
        seen = float(lines[other].sum())
        base_o = float(y[other].sum() / seen) if seen else base
        d_o = {name: np.bincount(cell[other], weights=y[other], minlength=size)
               for (name, _, _), cell, size in zip(groups, cells, sizes, strict=True)}
        m_o = {name: np.bincount(cell[other], weights=lines[other], minlength=size)
               for (name, _, _), cell, size in zip(groups, cells, sizes, strict=True)}
        x[mine], _ = _evidence(groups, [c[mine] for c in cells], d_o, m_o, base_o, prior)
    # Rows with the same cells in the same half have the same evidence: fitted once each.
    key = pd.DataFrame(np.column_stack([*cells, half])).groupby(
        list(range(len(cells) + 1)), sort=True).ngroup().to_numpy()
    first = np.unique(key, return_index=True)[1]
    model.intercept, model.weights = fit_nonnegative(
        x[first], np.bincount(key, weights=y), ridge, count=np.bincount(key, weights=lines))
    return model


def reasons(model: RiskModel, feats: pd.DataFrame, top: int = 2) -> list[list[str]]:
    """Each line's ``top`` reasons, strongest first: the groups whose evidence pushes its
    risk up most (``w·x`` > 0), skipping a group that says less than one already given (its
    features a subset or superset of a reason's) and a combination seen on fewer than
    :data:`REASON_MIN_LINES` lines."""
    cells = model.cells(feats)
    x, _ = _evidence(model.groups, cells, model.denied, model.lines, model.base_rate,
                     model.prior)
    contrib = x * model.weights
    order = np.argsort(-contrib, axis=1, kind="stable")
    records = feats.to_dict("records")
    out = []
    for i in range(len(feats)):
        chosen: list[set[str]] = []
        said = []
        for j in order[i]:
            if contrib[i, j] <= 0 or len(said) >= top:
                break
            name, cols, _ = model.groups[j]
            if any(set(cols) <= c or c <= set(cols) for c in chosen):
                continue
            n = float(model.lines[name][cells[j][i]])
            if n < REASON_MIN_LINES:   # "100% of 1 line" convinces nobody
                continue
            chosen.append(set(cols))
            said.append(reason_text(cols, records[i], float(model.denied[name][cells[j][i]]),
                                    n, model.months))
        out.append(said)
    return out


__all__ = ["GROUPS", "PRIOR_LINES", "REASON_MIN_LINES", "Groups", "RiskModel", "reasons",
           "smoothed_rate", "train", "train_counts"]
