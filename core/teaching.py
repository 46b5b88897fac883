"""Qt-free helpers for the teaching views (activation plot, backprop inspector, network health).

Nothing here computes a gradient: the numbers come from core.inspect / core.activations, this module only
chooses what to call and how to word it, so the views stay thin and testable without a display.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from core import activations as _activations
from core import losses as _losses

PLOT_RANGE = (-5.0, 5.0)
HEALTH_SAMPLE_SIZE = 256
HEALTH_MIN_SAMPLE = 16
HEALTH_BUDGET = 20_000_000    # multiply-adds per health measurement: ~10 ms of GUI thread


# ---- activation plot -------------------------------------------------------------------------------------
def activation_curve(name: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(f(z), f'(z)) as the plot shows them, from core.activations.evaluate.

    Softmax has no one-argument form: evaluate() over the whole grid would treat the grid as one row of
    logits. The plot shows O_k for the logits (a, 0), i.e. each point is its own two-logit row, which is
    the sigmoid — the way softmax generalises it — and ∂O_k/∂a_k.
    """
    z = np.asarray(z, dtype=np.float64)
    if _activations.get(name).df is not None:
        return _activations.evaluate(name, z)
    f, df = np.empty_like(z), np.empty_like(z)
    for n, a in enumerate(z):
        o, d = _activations.evaluate(name, np.array([a, 0.0]))
        f[n], df[n] = o[0], d[0]
    return f, df


def activation_labels(name: str) -> tuple[str, str, str]:
    """(legend of f, legend of f', a note for the reader or '')."""
    act = _activations.get(name)
    if name == "sign":
        return ("f(a)", "f'(a) := 1 (straight-through)",
                "The true derivative of sign is 0 everywhere except at 0, so nothing below it could learn; "
                "backprop uses the straight-through estimator f'(a) := 1 instead.")
    if act.df is None:
        return ("O_k for logits (a, 0)", "∂O_k/∂a_k",
                "Softmax turns all output logits into probabilities together; with one other logit at 0 "
                "it is the sigmoid of a.")
    return "f(a)", "f'(a)", ""


# ---- backprop inspector --------------------------------------------------------------------------------
def output_delta_rule(loss_name: str, activation_name: str) -> tuple[str, str]:
    """(formula, why) of the output deltas δ_k = ∂E/∂a_k for this output activation + loss.

    Mirrors the branches of core.losses.output_delta, so the text always names the rule the engine used.
    """
    loss = _losses.get(loss_name)
    act = _activations.get(activation_name)
    if activation_name == loss.matched_activation:
        # softmax has no per-unit f'(a_k): each output depends on every a, and its Jacobian cancels
        what = "its Jacobian ∂O/∂a" if act.df is None else "f'(a_k)"
        return ("δ_k = ∂E/∂a_k = O_k − t_k",
                f"{activation_name} output with the {loss.name} loss is a matched pair: {what} cancels "
                f"against ∂E/∂O_k, leaving O_k − t_k.")
    if loss.name == "mse" and activation_name == "sigmoid":
        return ("δ_k = ∂E/∂a_k = (O_k − t_k) O_k (1 − O_k)",
                "The article's rule: ∂E/∂O_k = O_k − t_k times the sigmoid's f'(a_k) = O_k (1 − O_k).")
    if act.df is None:
        return ("δ_k = O_k (g_k − Σ_m g_m O_m),  g_k = ∂E/∂O_k",
                f"The softmax output is not the {loss.name} loss's matched activation, so ∂E/∂O is "
                f"multiplied by the softmax Jacobian.")
    dE_dO = "O_k − t_k" if loss.name == "mse" else "the loss's derivative"
    return (f"δ_k = ∂E/∂a_k = ∂E/∂O_k · f'(a_k),  {act.derivative_formula}",
            f"{activation_name} output with the {loss.name} loss is not a matched pair, so the "
            f"derivative of the activation stays in δ_k; ∂E/∂O_k is {dE_dO}.")


def _value_text(v: float) -> str:
    """A value from the user's file as they would write it: 450932 (not 4.509e+05), 5.1, 0.0021."""
    v = float(v)
    if np.isfinite(v) and abs(v) < 1e15 and abs(v - round(v)) <= 1e-6 * max(1.0, abs(v)):
        return str(int(round(v)))
    return f"{v:.4g}"


def input_values(dataset, x: np.ndarray) -> list[tuple[str, str]]:
    """(column, raw value) for one network input row x (n_features,), scaling undone.

    Numeric columns invert x' = (x − offset) / scale; a categorical column shows the category whose
    one-hot feature is set ('(unseen)' when none is).
    """
    from core.data import unscale

    pre = getattr(dataset, "preprocessor", None)
    x = np.asarray(x, dtype=np.float64).ravel()
    if pre is None or len(pre.feature_names) != len(x):
        names = list(getattr(dataset, "feature_names", None) or [f"x{k + 1}" for k in range(len(x))])
        return [(n, _value_text(v)) for n, v in zip(names, x)]
    numeric, k = {}, 0                       # feature position → (scale, offset)
    for column in pre.inputs:
        categories = getattr(column, "categories", None)
        if categories is None:
            numeric[k] = (column.scale, column.offset)
        k += 1 if categories is None else len(categories)
    raw = {}
    if numeric:                              # one call for the row, not one per column (6,000 genes: 70 ms)
        scales, offsets = zip(*numeric.values())
        raw = dict(zip(numeric, unscale(x[list(numeric)], np.array(scales), np.array(offsets)).tolist()))
    out, k = [], 0
    for column in pre.inputs:
        categories = getattr(column, "categories", None)
        if categories is None:
            out.append((getattr(column, "feature", column.name), _value_text(raw[k])))
            k += 1
        else:
            hot = np.flatnonzero(x[k:k + len(categories)] > 0.5)
            out.append((column.name, str(categories[hot[0]]) if len(hot) else "(unseen)"))
            k += len(categories)
    return out


def target_text(dataset, t: np.ndarray) -> str:
    """The target of one row in the user's terms: a class name, or the value(s) in original units."""
    t = np.asarray(t, dtype=np.float64).ravel()
    names = list(getattr(dataset, "class_names", None) or [])
    if getattr(dataset, "task", None) == "classification" and names:
        if len(t) == 1 and len(names) == 2:
            return names[int(t[0] >= 0.5)]
        if len(t) == len(names):
            return names[int(np.argmax(t))]
    pre = getattr(dataset, "preprocessor", None)
    values = pre.inverse_outputs(t.reshape(1, -1))[0] if pre is not None else t
    labels = list(getattr(dataset, "output_names", None) or [])
    if len(labels) != len(values):
        labels = [f"y{k + 1}" for k in range(len(values))]
    return ", ".join(f"{n} = {_value_text(v)}" for n, v in zip(labels, values))


# ---- network health ------------------------------------------------------------------------------------
def health_sample(n_rows: int, size: int = HEALTH_SAMPLE_SIZE, seed: int = 0) -> np.ndarray:
    """Sorted indices of a fixed sample of at most `size` training rows.

    Fixed, so curves move because the weights change and not because the sample does; small, so a
    health point costs about as much as one mini-batch.
    """
    if n_rows <= size:
        return np.arange(n_rows)
    return np.sort(np.random.default_rng(seed).choice(n_rows, size, replace=False))


def health_batch(dataset, network) -> tuple[np.ndarray, np.ndarray] | None:
    """The fixed training rows (X, T) `network`'s health is measured on; None when the data set is
    missing, empty or does not fit the network."""
    if dataset is None or network is None or dataset.X_train.shape[0] == 0 \
            or dataset.X_train.shape[1] != network.layer_sizes[0] \
            or dataset.Y_train.shape[1] != network.layer_sizes[-1]:
        return None
    rows = health_sample(dataset.X_train.shape[0], health_sample_size(network.n_parameters))
    return dataset.X_train[rows], dataset.Y_train[rows]


def health_sample_size(n_parameters: int) -> int:
    """Rows to measure health on: 256 for small networks, fewer for big ones, so that a measurement
    (one forward and backward pass, about 3 × rows × parameters multiply-adds) stays within budget."""
    rows = HEALTH_BUDGET // max(3 * int(n_parameters), 1)
    return int(min(HEALTH_SAMPLE_SIZE, max(HEALTH_MIN_SAMPLE, rows)))


def unit_counts(share: float, n_units: int) -> int:
    """Number of units a share (as layer_health reports it) stands for."""
    return int(round(share * n_units))


def positive_or_nan(values: Sequence[float]) -> np.ndarray:
    """Values for a log axis: zeros and infinities become NaN gaps instead of −∞ or overflow."""
    v = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(v) & (v > 0), v, np.nan)
