"""What the teaching views show, computed by the SAME code that trains.

- `explain_step`: the article's derivation for one sample with real numbers (a_j, O_j, E, δ_k, δ_j,
  ∂E/∂w, Δw), taken from Network.forward/backward — so the inspector cannot drift from the engine.
- `apply_step`: performs exactly that update through the engine's optimizer.
- `output_grid`: network (or one neuron's) output over a plane of two raw input features.
- `layer_health` / `hints`: gradient norms, update/weight ratios, dead and saturated units, plain advice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from core import losses
from core.network import Network
from core.optimizers import SGD


@dataclass(frozen=True)
class LayerStep:
    """One weight layer's part of a backprop step, for a single sample (batch of 1)."""
    weights: np.ndarray      # w_ij the step starts from, (fan_in, fan_out)
    bias: np.ndarray         # θ_j: the weight from a node that always outputs 1, (fan_out,)
    inputs: np.ndarray       # O_i of the layer below, (fan_in,)
    net_input: np.ndarray    # a_j = Σ_i w_ij O_i + θ_j, (fan_out,)
    output: np.ndarray       # O_j = f(a_j), (fan_out,)
    delta: np.ndarray        # δ_k (output layer) or δ_j = f'(a_j) Σ_k δ_k w_jk, (fan_out,)
    grad_weights: np.ndarray  # ∂E/∂w_ij = O_i δ_j, (fan_in, fan_out)
    grad_bias: np.ndarray    # ∂E/∂θ_j = δ_j, (fan_out,)
    update_weights: np.ndarray  # Δw = −η ∂E/∂w
    update_bias: np.ndarray     # Δθ = −η ∂E/∂θ
    activation: str


@dataclass(frozen=True)
class StepExplanation:
    x: np.ndarray            # the (scaled) input row, (n_in,)
    target: np.ndarray       # t, (n_out,)
    error: float             # E for this sample under the network's loss
    loss: str
    loss_formula: str
    lr: float
    layers: tuple[LayerStep, ...]


def explain_step(network: Network, x: np.ndarray, t: np.ndarray, lr: float) -> StepExplanation:
    """Forward and backward pass of ONE sample through the engine, laid out per layer."""
    # weights on their way to diverging overflow here: inf is then what the inspector shows
    with np.errstate(all="ignore"):
        return _explain_step(network, x, t, lr)


def _explain_step(network: Network, x: np.ndarray, t: np.ndarray, lr: float) -> StepExplanation:
    X = np.asarray(x, dtype=network.dtype).reshape(1, -1)
    T = np.asarray(t, dtype=network.dtype).reshape(1, -1)
    error, grad_w, grad_b = network.gradients(X, T)
    deltas = network.last_deltas()
    trace = network.trace(X)
    layers, below = [], X[0]
    for i, ((a, o), gw, gb, d) in enumerate(zip(trace, grad_w, grad_b, deltas)):
        layers.append(LayerStep(weights=network.weights[i].copy(), bias=network.biases[i].copy(),
                                inputs=below.copy(), net_input=a[0], output=o[0], delta=d[0],
                                grad_weights=gw, grad_bias=gb, update_weights=-lr * gw,
                                update_bias=-lr * gb, activation=network.activations[i]))
        below = o[0]
    loss = losses.get(network.loss)
    return StepExplanation(X[0].copy(), T[0].copy(), float(error), loss.name, loss.formula, float(lr),
                           tuple(layers))


def apply_step(network: Network, x: np.ndarray, t: np.ndarray, lr: float) -> None:
    """The article's update w ← w − η ∂E/∂w for one sample, through the training engine's SGD."""
    X = np.asarray(x, dtype=network.dtype).reshape(1, -1)
    T = np.asarray(t, dtype=network.dtype).reshape(1, -1)
    network.forward(X)
    network.backward(T)
    SGD(lr).step(network)


def output_grid(network: Network, transform: Callable[[np.ndarray], np.ndarray], base_row: Sequence,
                axes: tuple[int, int], x_values: np.ndarray, y_values: np.ndarray,
                neuron: tuple[int, int] | None = None) -> np.ndarray:
    """Network output over a grid of two raw input columns.

    base_row: one raw input row (values of every input column, e.g. medians) used for the columns
    not on the axes; axes: indices of the two raw columns varied; transform: raw rows (m, n_raw) →
    network inputs (m, n_in), e.g. Preprocessor.transform. Returns (len(y_values), len(x_values), k):
    the network's outputs, or with neuron=(layer, index) that hidden/output neuron's O_j (k = 1).
    """
    xx, yy = np.meshgrid(np.asarray(x_values, float), np.asarray(y_values, float))
    rows = np.empty((xx.size, len(base_row)), dtype=object)
    rows[:] = np.asarray(list(base_row), dtype=object)
    rows[:, axes[0]] = xx.ravel()
    rows[:, axes[1]] = yy.ravel()
    if all(isinstance(v, (int, float, np.integer, np.floating)) for v in base_row):
        rows = rows.astype(np.float64)
    X = transform(rows)
    if neuron is None:
        out = network.predict(X)
    else:
        layer, index = neuron
        out = network.trace(X)[layer - 1][1][:, index:index + 1]
    return out.reshape(yy.shape[0], yy.shape[1], -1)


@dataclass(frozen=True)
class LayerHealth:
    grad_norm: float          # ‖∂E/∂W‖ of the layer
    update_ratio: float       # ‖ΔW‖ / ‖W‖ of one step of the optimizer — healthy learning is around 1e-3
    dead_share: float         # relu family: share of units that output 0 for every sample given
    saturated_share: float    # sigmoid/tanh: share of units stuck near their limits for most samples
    # each unit's O_j averaged over the samples given, (fan_out,): the diagram shades its neurons by it
    mean_output: np.ndarray | None = field(default=None, compare=False)


def layer_health(network: Network, X: np.ndarray, T: np.ndarray, lr: float, optimizer: str = "sgd",
                 momentum: float = 0.0) -> list[LayerHealth]:
    """Per weight layer, from one forward/backward of the sample X, T (no update is made). The update of
    `optimizer` (see update_size) sets the update/weight ratio."""
    # a run on its way to diverging overflows here: inf is what the health curves then show
    with np.errstate(all="ignore"):
        return _layer_health(network, X, T, lr, optimizer, momentum)


def update_size(grad: np.ndarray, lr: float, optimizer: str = "sgd", momentum: float = 0.0) -> float:
    """‖ΔW‖ of one step: plain SGD's η‖∂E/∂W‖; momentum's steady step η‖∂E/∂W‖/(1−μ) (the velocity of a
    steady gradient); Adam's η√n for the n weights with a gradient (it moves each by about η, whatever the
    gradient's size, so η‖∂E/∂W‖ said "barely changes" of layers Adam moves at full speed)."""
    if optimizer == "adam":
        return lr * float(np.sqrt(np.count_nonzero(grad)))
    g = float(np.linalg.norm(grad.astype(np.float64)))
    return lr * g / (1.0 - momentum) if optimizer == "momentum" and momentum < 1 else lr * g


UPDATE_FORMULAS = {"sgd": "η‖∂E/∂W‖ / ‖W‖", "momentum": "η‖∂E/∂W‖ / ((1−μ)‖W‖)", "adam": "η√n / ‖W‖"}


def _layer_health(network: Network, X: np.ndarray, T: np.ndarray, lr: float, optimizer: str = "sgd",
                  momentum: float = 0.0) -> list[LayerHealth]:
    _, grad_w, _ = network.gradients(np.asarray(X, network.dtype), np.asarray(T, network.dtype))
    trace = network.trace(X)
    result = []
    for W, gw, (a, o), name in zip(network.weights, grad_w, trace, network.activations):
        # float64: a float32 layer about to diverge (entries ~1e20) overflows its own sum of squares
        w_norm = float(np.linalg.norm(W.astype(np.float64)))
        g_norm = float(np.linalg.norm(gw.astype(np.float64)))
        dead = saturated = 0.0
        if name in ("relu",):
            dead = float(np.mean(np.all(o <= 0, axis=0)))
        elif name == "sigmoid":
            saturated = float(np.mean(np.mean((o < 0.01) | (o > 0.99), axis=0) > 0.9))
        elif name == "tanh":
            saturated = float(np.mean(np.mean(np.abs(o) > 0.99, axis=0) > 0.9))
        step = update_size(gw, lr, optimizer, momentum)
        result.append(LayerHealth(g_norm, step / w_norm if w_norm > 0 else float("inf"), dead, saturated,
                                  o.mean(axis=0)))
    return result


OVERFIT_RISE = 0.1           # the recent validation loss this far (10 %) above its best …
OVERFIT_AFTER = 10           # … at least this many epochs after it, while the training loss fell: overfitting


def overfitting_epoch(train_losses: Sequence[float], val_losses: Sequence[float], window: int = 5) -> int | None:
    """Index of the best validation epoch if the network is overfitting, None otherwise: the validation
    loss has risen for `window` epochs in a row while the training loss fell over the same stretch (a
    rise as it starts), or — judged on the whole history, as mini-batch noise rarely gives a slow rise
    `window` strict steps in a row — its median over the last `window` epochs is OVERFIT_RISE above its
    best, OVERFIT_AFTER epochs or more after it, and the training loss has fallen since."""
    v = np.asarray(val_losses, float)
    tr = np.asarray(train_losses, float)
    if len(v) <= window or not np.isfinite(v[-window - 1:]).all():
        return None
    best = int(np.nanargmin(v))
    rising = np.all(np.diff(v[-window - 1:]) > 0)
    if rising and tr[-1] < tr[-window - 1]:
        return best
    risen = np.median(v[-window:]) > v[best] + OVERFIT_RISE * abs(v[best])
    return best if len(v) - 1 - best >= OVERFIT_AFTER and risen and tr[-1] < tr[best] else None


def hints(train_losses: Sequence[float], val_losses: Sequence[float] | None,
          health: Sequence[LayerHealth] | None = None, layer_sizes: Sequence[int] | None = None) -> list[str]:
    """Plain-language advice from the loss history and the layer health figures."""
    out = []
    tr = np.asarray(train_losses, float)
    if len(tr) >= 10 and np.isfinite(tr[-10:]).all() and np.all(np.diff(tr[-10:]) > 0):
        out.append("The training loss is rising: the learning rate may be too high.")
    if val_losses is not None and overfitting_epoch(train_losses, val_losses) is not None:
        best = overfitting_epoch(train_losses, val_losses) + 1
        out.append(f"Validation loss is rising while training loss falls: the network is overfitting "
                   f"(best validation loss at epoch {best}).")
    health = list(health or [])
    # A confident classifier's output layer is meant to sit near its limits, and a network that has
    # already learned its data is meant to change little: neither deserves a warning.
    still_learning = len(tr) == 0 or not np.isfinite(tr[-1]) or tr[-1] > 0.1 * tr[0]
    # saturated units pass almost no gradient back: the layers behind them barely change because of that,
    # and "the learning rate is too small" would contradict the advice to lower it (seen at η = 10)
    saturated = any(h.saturated_share >= 0.5 for h in health[:-1])
    for i, h in enumerate(health):
        is_output = i == len(health) - 1
        if h.dead_share > 0 and layer_sizes is not None and not is_output:
            dead = round(h.dead_share * layer_sizes[i + 1])
            if dead:
                out.append(f"{dead} of {layer_sizes[i + 1]} units in layer {i + 1} are dead (always output 0).")
        if h.saturated_share >= 0.5 and not is_output:
            out.append(f"Most units of layer {i + 1} are saturated: try smaller weights, scaled inputs or a "
                       f"lower learning rate.")
        if still_learning and np.isfinite(h.update_ratio) and h.update_ratio < 1e-6 and h.grad_norm > 0:
            why = ("the saturated units pass almost no gradient back" if saturated else
                   "the gradient is vanishing or the learning rate is too small")
            out.append(f"Layer {i + 1} barely changes (update/weight ratio {h.update_ratio:.1e}): {why}.")
    return out
