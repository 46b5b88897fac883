"""Loss functions as a table: name → Loss(value, gradient).

Every loss is the MEAN over the samples of a batch of the per-sample error, so the article's
E = ½ Σ_k (t_k − O_k)² is exactly "mse" for one sample (online training).

`output_delta` turns a loss into the output deltas δ_k = ∂E/∂a_k that start backpropagation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from core.activations import get as get_activation
from core.errors import ConfigError

_EPS = 1e-7


def _mse(o, t):
    diff = o - t
    return 0.5 * float(np.vdot(diff, diff)) / o.shape[0]


def _mse_grad(o, t, out):
    np.subtract(o, t, out=out)
    out /= o.shape[0]
    return out


def _cross_entropy(o, t):
    return -float(np.vdot(t, np.log(np.clip(o, _EPS, 1.0)))) / o.shape[0]


def _cross_entropy_grad(o, t, out):
    np.divide(t, np.clip(o, _EPS, 1.0), out=out)
    out *= -1.0 / o.shape[0]
    return out


def _binary_cross_entropy(o, t):
    o = np.clip(o, _EPS, 1.0 - _EPS)
    return -float(np.vdot(t, np.log(o)) + np.vdot(1.0 - t, np.log1p(-o))) / o.shape[0]


def _binary_cross_entropy_grad(o, t, out):
    o = np.clip(o, _EPS, 1.0 - _EPS)
    np.divide(o - t, o * (1.0 - o), out=out)
    out /= o.shape[0]
    return out


@dataclass(frozen=True)
class Loss:
    name: str
    value: Callable[[np.ndarray, np.ndarray], float]               # (O, T) -> mean error
    gradient: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]  # ∂E/∂O into out
    matched_activation: str      # output activation for which δ_k simplifies to (O_k − t_k)/n
    allowed_activations: tuple[str, ...] | None   # None = any output activation
    formula: str


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("mse", _mse, _mse_grad, "linear", None, "E = ½ Σ_k (t_k − O_k)²"),
        Loss("cross-entropy", _cross_entropy, _cross_entropy_grad, "softmax", ("softmax",),
             "E = −Σ_k t_k ln O_k"),
        Loss("binary-cross-entropy", _binary_cross_entropy, _binary_cross_entropy_grad, "sigmoid",
             ("sigmoid",), "E = −Σ_k [t_k ln O_k + (1 − t_k) ln(1 − O_k)]"),
    )
}
ALIASES = {"ce": "cross-entropy", "bce": "binary-cross-entropy", "crossentropy": "cross-entropy",
           "binary_cross_entropy": "binary-cross-entropy", "cross_entropy": "cross-entropy"}


def get(name: str) -> Loss:
    try:
        return LOSSES[ALIASES.get(name, name)]
    except KeyError:
        raise ConfigError(f"Unknown loss '{name}'. Choose one of: {', '.join(LOSSES)}.") from None


def check_pair(loss_name: str, activation_name: str) -> None:
    loss = get(loss_name)
    if loss.allowed_activations is not None and activation_name not in loss.allowed_activations:
        raise ConfigError(
            f"The {loss.name} loss needs a {' or '.join(loss.allowed_activations)} output layer, "
            f"not {activation_name}."
        )


def auto_output(task: str | None, n_outputs: int) -> tuple[str, str]:
    """(output activation, loss) a task calls for: softmax + cross-entropy for more than two classes,
    sigmoid + binary cross-entropy for two, linear + ½Σ(t−o)² for numbers."""
    if task == "classification":
        return ("softmax", "cross-entropy") if n_outputs > 1 else ("sigmoid", "binary-cross-entropy")
    return "linear", "mse"


def resolve_output(task: str | None, n_outputs: int, activation: str = "auto", loss: str = "auto") -> tuple[str, str]:
    """(output activation, loss) from the user's choices: an "auto" follows the other one where that is
    chosen (a softmax output gets cross-entropy, a binary-cross-entropy loss a sigmoid output), else the
    task as in :func:`auto_output`."""
    if task == "regression" and loss in ("cross-entropy", "binary-cross-entropy"):
        # its targets are standardised numbers, not 0/1 classes: E went negative and "target error
        # reached" fired on a meaningless number
        raise ConfigError(f"The {loss} loss compares probabilities with classes; this target is a number "
                          "(regression): use mse, ½Σ(t−o)².")
    auto_act, auto_loss = auto_output(task, n_outputs)
    if activation == "auto" and loss == "auto":
        return auto_act, auto_loss
    if loss == "auto":
        matched = {"softmax": "cross-entropy", "sigmoid": "binary-cross-entropy"}
        return activation, matched.get(activation, "mse") if task == "classification" else "mse"
    if activation == "auto":
        chosen = get(loss)
        if chosen.allowed_activations is not None and auto_act not in chosen.allowed_activations:
            return chosen.matched_activation, chosen.name
        return auto_act, chosen.name
    return activation, loss


def output_delta(loss_name: str, activation_name: str, o: np.ndarray, t: np.ndarray,
                 out: np.ndarray) -> np.ndarray:
    """δ_k = ∂E/∂a_k for the output layer, shape (n, n_out), written into `out`."""
    loss = get(loss_name)
    if activation_name == loss.matched_activation:
        # Canonical pairs (linear+mse, softmax+cross-entropy, sigmoid+binary-cross-entropy): the
        # activation's derivative cancels against the loss's, leaving δ_k = (O_k − t_k)/n. Cheaper and
        # numerically exact where the factorised form would divide by O(1−O) ≈ 0.
        np.subtract(o, t, out=out)
        out /= o.shape[0]
        return out
    loss.gradient(o, t, out)                       # ∂E/∂O_k
    act = get_activation(activation_name)
    if act.df is None:
        # softmax with a non-matching loss: multiply by the Jacobian, O_k (g_k − Σ_m g_m O_m).
        out -= np.einsum("ij,ij->i", out, o)[:, None]
        out *= o
    else:
        out *= act.df(o)                           # δ_k = ∂E/∂O_k · f'(a_k)
    return out
