"""Evaluation figures: accuracy, confusion matrix, per-class precision/recall/F1, RMSE/MAE/R².

Inputs are network outputs and targets as trained on (one-hot, a single 0/1 column, or scaled values);
regression figures take an `inverse` that maps both back to the target's own units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def class_indices(values: np.ndarray) -> np.ndarray:
    """(n, k) one-hot/probabilities → class index per row; (n, 1) → 1 where ≥ 0.5 (binary)."""
    values = np.asarray(values)
    if values.shape[1] == 1:
        return (values[:, 0] >= 0.5).astype(np.int64)
    return values.argmax(axis=1)


def accuracy(outputs: np.ndarray, targets: np.ndarray) -> float:
    if len(outputs) == 0:
        return float("nan")
    return float(np.mean(class_indices(outputs) == class_indices(targets)))


def confusion_matrix(outputs: np.ndarray, targets: np.ndarray, n_classes: int | None = None) -> np.ndarray:
    """counts[true class, predicted class], shape (k, k); rows sum to each class's sample count."""
    true, pred = class_indices(targets), class_indices(outputs)
    k = n_classes or max(2, targets.shape[1])
    return np.bincount(true * k + pred, minlength=k * k).reshape(k, k)


@dataclass(frozen=True)
class ClassReport:
    precision: np.ndarray   # (k,) — of the samples predicted as class c, the share that is c
    recall: np.ndarray      # (k,) — of the samples of class c, the share predicted as c
    f1: np.ndarray          # (k,) — harmonic mean of the two
    support: np.ndarray     # (k,) — samples of class c


def per_class(confusion: np.ndarray) -> ClassReport:
    """Precision, recall and F1 per class from a confusion matrix (0 where undefined)."""
    confusion = np.asarray(confusion, dtype=np.float64)
    hits = np.diag(confusion)
    predicted, actual = confusion.sum(axis=0), confusion.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(predicted > 0, hits / predicted, 0.0)
        recall = np.where(actual > 0, hits / actual, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return ClassReport(precision, recall, f1, actual.astype(np.int64))


def regression_report(outputs, targets, inverse=None) -> dict[str, float]:
    """RMSE, MAE and R² in the target's own units (over all target columns)."""
    if len(outputs) == 0:
        return {}
    if inverse is not None:
        outputs, targets = inverse(outputs), inverse(targets)
    outputs = np.asarray(outputs, np.float64)
    targets = np.asarray(targets, np.float64)
    err = outputs - targets
    ss_tot = float(((targets - targets.mean(axis=0)) ** 2).sum())
    ss_res = float((err ** 2).sum())
    return {"rmse": float(np.sqrt(np.mean(err ** 2))), "mae": float(np.mean(np.abs(err))),
            "r2": 1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan")}
