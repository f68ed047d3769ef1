"""The fit behind the denial-risk model's weights (:mod:`metdash.risk`): a ridge logistic
regression by Newton's method, numpy only, with rows that stand for several lines (lines with
equal features are fitted once, with their count), and its non-negative form (a group whose
weight comes out negative is dropped and the rest refitted).
"""

from __future__ import annotations

import numpy as np

RIDGE = 1.0   # L2 penalty on the weights (not the intercept)
_EPS = 1e-4


def logit(p: np.ndarray | float) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(np.asarray(z, dtype=float), -500, 500)))


def fit_logistic(x: np.ndarray, y: np.ndarray, ridge: float = RIDGE, iterations: int = 50,
                 count: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """(intercept, weights) of a ridge logistic regression of ``y`` on ``x``, by Newton's
    method with step halving (each step lowers the penalised loss; the intercept is not
    penalised). With ``count``, each row of ``x`` stands for ``count`` lines of which ``y``
    were denied (lines with equal features fitted once)."""
    n, k = x.shape
    c = np.ones(n) if count is None else np.asarray(count, dtype=float)
    y = np.asarray(y, dtype=float)
    a = np.hstack([np.ones((n, 1)), x])
    beta = np.zeros(k + 1)
    beta[0] = float(logit(y.sum() / c.sum() if n else 0.5))
    pen = np.full(k + 1, ridge)
    pen[0] = 0.0

    def loss(b: np.ndarray) -> float:
        z = a @ b
        # log(1 + e^z) per line − z per denied line, written so a large |z| cannot overflow
        return float(np.sum(c * np.logaddexp(0, z) - y * z) + 0.5 * np.sum(pen * b * b))

    current = loss(beta)
    for _ in range(iterations):
        p = sigmoid(a @ beta)
        grad = a.T @ (y - c * p) - pen * beta
        hess = (a * (c * p * (1 - p))[:, None]).T @ a + np.diag(pen) + 1e-9 * np.eye(k + 1)
        step = np.linalg.solve(hess, grad)
        t = 1.0
        while t > 1e-4:
            trial = loss(beta + t * step)
            if trial <= current:
                break
            t /= 2
        else:
            break
        beta = beta + t * step
        improved, current = current - trial, trial
        if np.max(np.abs(t * step)) < 1e-6 or improved < 1e-9 * max(c.sum(), 1):
            break
    return float(beta[0]), beta[1:]


def fit_nonnegative(x: np.ndarray, y: np.ndarray, ridge: float = RIDGE,
                    count: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """:func:`fit_logistic` with every weight at least 0: a group whose fitted weight comes
    out negative is dropped (weight 0) and the rest refitted, until none is. A biller reads
    each group's evidence in its own direction: a rate above its parent's never lowers a
    line's risk."""
    keep = np.ones(x.shape[1], dtype=bool)
    weights = np.zeros(x.shape[1])
    while True:
        b, w = fit_logistic(x[:, keep], y, ridge, count=count)
        if (w >= 0).all() or not keep.any():
            weights[:] = 0
            weights[keep] = w
            return b, weights
        keep[np.nonzero(keep)[0][w < 0]] = False


__all__ = ["RIDGE", "fit_logistic", "fit_nonnegative", "logit", "sigmoid"]
