"""The feed-forward network: a stack of matrix multiplies, each followed by an activation.

Shapes (batch first, as in scikit-learn's MLP):
    layer_sizes = [n_in, *hidden, n_out]
    weights[i]  : (fan_in, fan_out) = (layer_sizes[i], layer_sizes[i + 1])   — w_ij joins neuron i to j
    biases[i]   : (fan_out,)        — the article's θ_j, a weight from a constant-1 node
    X           : (n_samples, n_in);  outputs: (n_samples, n_out)
"""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from core import activations as _activations
from core import blas as _blas
from core import losses as _losses
from core.errors import ConfigError, ModelFileError, ResourceError

INITS = ("xavier", "he", "uniform")
# Refuse, before allocating, networks whose training would need more memory than this. A user can
# raise it with the environment variable (bytes) when they know the machine has room.
MEMORY_BUDGET_BYTES = int(os.environ.get("BACKPROP_STUDIO_MEMORY_BUDGET", 2 * 1024 ** 3))
DTYPES = ("float32", "float64")
_MAX_CACHED_BATCH_SIZES = 4


def training_bytes(layer_sizes: Sequence[int], dtype: str = "float32", batch_size: int = 256) -> int:
    """An upper estimate of the memory training needs: parameters, gradients, Adam's two moments,
    the last-finite and best-weights copies (6 × parameters), plus activation, delta and scratch
    buffers for one batch (3 × batch × neurons)."""
    sizes = [int(n) for n in layer_sizes]
    params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    buffers = 3 * max(1, int(batch_size)) * sum(sizes[1:])
    return np.dtype(dtype).itemsize * (6 * params + buffers)


def check_memory(layer_sizes: Sequence[int], dtype: str = "float32", batch_size: int = 256,
                 budget: int | None = None) -> None:
    """ResourceError (with the estimate) when training this network would exceed the memory budget."""
    budget = MEMORY_BUDGET_BYTES if budget is None else budget
    need = training_bytes(layer_sizes, dtype, batch_size)
    if need > budget:
        params = sum(a * b + b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))
        raise ResourceError(
            f"This network has {params:,} parameters and would need about {_human(need)} of memory to train; "
            f"the limit is {_human(budget)}. Use fewer or smaller layers (or set "
            f"BACKPROP_STUDIO_MEMORY_BUDGET).")


def _human(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024


def check_layers(layer_sizes: Sequence[int], activations: Sequence[str] | str,
                 loss: str) -> tuple[list[int], list[str], str]:
    """(sizes, one activation per weight layer, the loss's name) for a network of these layers, or a
    ConfigError saying why there can be none: the designer asks before it changes anything."""
    layer_sizes = [int(n) for n in layer_sizes]
    if len(layer_sizes) < 2:
        raise ConfigError("A network needs at least an input and an output layer.")
    if any(n < 1 for n in layer_sizes):
        raise ConfigError(f"Every layer needs at least one neuron (got {layer_sizes}).")
    n_layers = len(layer_sizes) - 1
    if isinstance(activations, str):
        activations = [activations] * n_layers
    activations = list(activations)
    if len(activations) != n_layers:
        raise ConfigError(f"{n_layers} weight layers need {n_layers} activations, got {len(activations)}.")
    for i, name in enumerate(activations):
        act = _activations.get(name)
        if act.output_only and i != n_layers - 1:
            raise ConfigError(f"{name} can only be used on the output layer.")
    loss = _losses.get(loss).name
    _losses.check_pair(loss, activations[-1])
    if activations[-1] == "softmax" and layer_sizes[-1] == 1:
        raise ConfigError("A softmax over a single output is always 1, so nothing can be learnt: two classes are "
                          "one output, for a sigmoid with binary cross-entropy (what auto picks); a softmax needs "
                          "three classes or more.")
    return layer_sizes, activations, loss


class Network:
    """A multilayer perceptron with per-layer activations, trained by backpropagation.

    `activations` has one entry per weight layer (len(layer_sizes) − 1); the last one is the output
    activation. `loss` is a name from core.losses.LOSSES.
    """

    def __init__(self, layer_sizes: Sequence[int], activations: Sequence[str] | str,
                 loss: str = "mse", *, init: str = "xavier", seed: int = 0, dtype: str = "float32",
                 memory_budget: int | None = None):
        layer_sizes, activations, loss = check_layers(layer_sizes, activations, loss)
        if init not in INITS:
            raise ConfigError(f"Unknown weight initialisation '{init}'. Choose one of: {', '.join(INITS)}.")
        if str(dtype) not in DTYPES:
            raise ConfigError(f"dtype must be float32 or float64, not {dtype}.")
        check_memory(layer_sizes, str(dtype), batch_size=1, budget=memory_budget)

        self.layer_sizes = layer_sizes
        self.activations = activations
        self.loss = loss
        self.init = init
        self.seed = int(seed)
        self.dtype = np.dtype(dtype)
        self._acts = [_activations.get(a) for a in activations]
        self._buffers: dict[int, tuple[list[np.ndarray], list[np.ndarray]]] = {}
        self._cache: list[np.ndarray] | None = None
        # All weights, then all biases, live in ONE flat array (and the gradients in another); the
        # per-layer arrays are views into it. An optimizer then updates every parameter with a couple
        # of ufunc calls instead of a couple per array — which is most of the time for small networks.
        self.flat_params, self.weights, self.biases = self._flat_views()
        self.flat_grads, self.grad_weights, self.grad_biases = self._flat_views()
        self.n_weight_params = sum(a * b for a, b in self.shapes)    # flat_params[:n] are the weights
        self.grad_scale = 1.0                                       # see backward()
        self.initialize(seed)

    def _flat_views(self):
        flat = np.zeros(self.n_parameters, self.dtype)
        weights, biases, offset = [], [], 0
        for a, b in self.shapes:
            weights.append(flat[offset:offset + a * b].reshape(a, b))
            offset += a * b
        for _, b in self.shapes:
            biases.append(flat[offset:offset + b])
            offset += b
        return flat, weights, biases

    # ---- construction -------------------------------------------------------------------------
    @classmethod
    def build(cls, n_inputs: int, hidden: Sequence[int], n_outputs: int, *, hidden_activation="tanh",
              output_activation="linear", loss="mse", **kwargs) -> "Network":
        hidden = list(hidden)
        acts = ([hidden_activation] * len(hidden) if isinstance(hidden_activation, str)
                else list(hidden_activation))
        return cls([n_inputs, *hidden, n_outputs], [*acts, output_activation], loss, **kwargs)

    @classmethod
    def from_architecture(cls, arch: dict) -> "Network":
        """The network an architecture() dict describes (weights freshly initialised)."""
        return cls(arch["layer_sizes"], arch["activations"], arch.get("loss", "mse"),
                   init=arch.get("init", "xavier"), seed=int(arch.get("seed", 0)),
                   dtype=arch.get("dtype", "float32"))

    @property
    def shapes(self) -> list[tuple[int, int]]:
        return list(zip(self.layer_sizes[:-1], self.layer_sizes[1:]))

    @property
    def n_parameters(self) -> int:
        return sum(a * b + b for a, b in self.shapes)

    @property
    def hidden_sizes(self) -> list[int]:
        return self.layer_sizes[1:-1]

    def initialize(self, seed: int | None = None) -> None:
        """(Re)draw all weights from `seed`; biases θ start at zero."""
        if seed is not None:
            self.seed = int(seed)
        rng = np.random.default_rng(self.seed)
        for W, (fan_in, fan_out) in zip(self.weights, self.shapes):
            if self.init == "xavier":
                limit = np.sqrt(6.0 / (fan_in + fan_out))
                w = rng.uniform(-limit, limit, (fan_in, fan_out))
            elif self.init == "he":
                w = rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, fan_out))
            else:  # the article's "small random numbers"
                w = rng.uniform(-0.5, 0.5, (fan_in, fan_out))
            W[...] = w
        for theta in self.biases:
            theta[...] = 0.0
        self._cache = None

    def copy(self) -> "Network":
        other = Network(self.layer_sizes, self.activations, self.loss, init=self.init,
                        seed=self.seed, dtype=self.dtype.name)
        other.set_params(self.weights, self.biases)
        return other

    def architecture(self) -> dict:
        return {"layer_sizes": list(self.layer_sizes), "activations": list(self.activations),
                "loss": self.loss, "init": self.init, "seed": self.seed, "dtype": self.dtype.name}

    # ---- parameters ---------------------------------------------------------------------------
    def get_params(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Copies of (weights, biases) — safe to hand to another thread."""
        return [w.copy() for w in self.weights], [b.copy() for b in self.biases]

    def set_params(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> None:
        """Copy values in, checking every shape; names the first layer that does not fit.

        This is the only way to change parameters from outside: `weights[i]` are views into
        `flat_params`, so assigning a new array to `weights[i]` would detach it from training.
        """
        if len(weights) != len(self.weights) or len(biases) != len(self.biases):
            raise ModelFileError(
                f"The weights describe {len(weights)} layers but the network has {len(self.weights)}.")
        for i, (w, b) in enumerate(zip(weights, biases)):
            w, b = np.asarray(w), np.asarray(b)
            if w.shape != self.weights[i].shape or b.shape != self.biases[i].shape:
                raise ModelFileError(
                    f"Layer {i + 1} does not fit: weights {w.shape} / bias {b.shape} given, the network "
                    f"needs {self.weights[i].shape} / {self.biases[i].shape}.")
        for i, (w, b) in enumerate(zip(weights, biases)):
            np.copyto(self.weights[i], w, casting="unsafe")
            np.copyto(self.biases[i], b, casting="unsafe")

    def params_finite(self) -> bool:
        return bool(np.isfinite(self.flat_params).all())

    # ---- forward and backward -----------------------------------------------------------------
    def _buffers_for(self, n: int):
        bufs = self._buffers.get(n)
        if bufs is None:
            if len(self._buffers) >= _MAX_CACHED_BATCH_SIZES:
                self._buffers.pop(next(iter(self._buffers)))
            outs = [np.empty((n, size), self.dtype) for size in self.layer_sizes[1:]]
            deltas = [np.empty((n, size), self.dtype) for size in self.layer_sizes[1:]]
            scratch = [np.empty((n, size), self.dtype) for size in self.layer_sizes[1:]]
            scratch.append(np.ones(n, self.dtype))     # ones for Σ_n δ as a matrix-vector product
            bufs = self._buffers[n] = (outs, deltas, scratch)
        return bufs

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Outputs O for a batch X (n, n_in), cached for backward().

        The result lives in a reused buffer: it is overwritten by the next forward() of the same batch
        size. Use predict() for a result you keep.
        """
        outs, _, _ = self._buffers_for(X.shape[0])
        prev = X
        for W, theta, act, out in zip(self.weights, self.biases, self._acts, outs):
            np.matmul(prev, W, out=out)           # a_j = Σ_i w_ij O_i ...
            out += theta                          # ... + θ_j
            act.f(out, out)                       # O_j = f(a_j)
            prev = out
        self._cache = [X, *outs]
        return prev

    def backward(self, T: np.ndarray, scale: float = 1.0, *, sgd_decay: float | None = None) -> float:
        """Backpropagate the error of the last forward() against targets T (n, n_out).

        Fills self.grad_weights / self.grad_biases (shaped like the parameters, reused buffers) with
        scale · ∂E/∂w and scale · ∂E/∂θ of the batch-mean error and returns that error E. The training
        loop passes the learning rate as `scale` for SGD, so the update needs one pass, not two
        (backprop is linear in δ_k, so scaling δ_k scales every gradient); `grad_scale` records it.

        sgd_decay (with `scale` = η, only where sgd_step_available()): apply the article's update instead
        of filling the gradients, w ← sgd_decay · w − η ∂E/∂w (sgd_decay = 1 − ηλ with L2) and
        θ ← θ − η ∂E/∂θ, each layer's weights in the same BLAS call that computes their gradient, once the
        δ below has been computed from them. A non-finite E changes nothing.
        """
        if self._cache is None:
            raise RuntimeError("backward() needs a forward() first")
        outputs = self._cache                     # outputs[0] = X, outputs[i+1] = O of layer i
        _, deltas, delta_scratch = self._buffers_for(outputs[0].shape[0])
        o = outputs[-1]
        error = _losses.get(self.loss).value(o, T)
        update = None
        if sgd_decay is not None:
            update = _blas.accumulator(self.dtype)
            if update is None or not all(a.flags.c_contiguous for a in outputs):
                raise RuntimeError("backward(sgd_decay=…) needs sgd_step_available() and contiguous batches")
            if not np.isfinite(error):
                return error
        delta = _losses.output_delta(self.loss, self.activations[-1], o, T, deltas[-1])   # δ_k
        if scale != 1.0:
            delta *= scale
        self.grad_scale = scale
        ones = delta_scratch[-1]
        for i in range(len(self.weights) - 1, -1, -1):
            if i:
                below = deltas[i - 1]
                np.matmul(delta, self.weights[i].T, out=below)         # Σ_k δ_k w_jk, before w_jk changes
                # δ_j = f'(a_j) Σ_k δ_k w_jk
                self._acts[i - 1].multiply_derivative(outputs[i], below, delta_scratch[i - 1])
            if update is None:
                np.matmul(outputs[i].T, delta, out=self.grad_weights[i])   # ∂E/∂w_ij = O_i δ_j
                np.matmul(ones, delta, out=self.grad_biases[i])            # ∂E/∂θ_j = δ_j (Σ over the batch)
            else:
                update(outputs[i], delta, self.weights[i], -1.0, sgd_decay)   # Δw_ij = −η O_i δ_j (δ holds η)
                self.biases[i] -= np.matmul(ones, delta, out=self.grad_biases[i])   # Δθ_j = −η Σ δ_j
            if i:
                delta = below
        return error

    def sgd_step_available(self) -> bool:
        """Whether backward(sgd_decay=…) can update the weights in its own matrix products here."""
        return _blas.accumulator(self.dtype) is not None

    def last_deltas(self) -> list[np.ndarray]:
        """Copies of δ per weight layer (n, fan_out) from the last backward(): δ_j for hidden
        layers, δ_k for the output layer."""
        if self._cache is None:
            raise RuntimeError("last_deltas() needs a forward() and backward() first")
        _, deltas, _ = self._buffers_for(self._cache[0].shape[0])
        return [d.copy() for d in deltas]

    def gradients(self, X: np.ndarray, T: np.ndarray):
        """(E, copies of ∂E/∂W, copies of ∂E/∂θ) for one batch — convenient for tests and teaching."""
        self.forward(X)
        error = self.backward(T)
        return error, [g.copy() for g in self.grad_weights], [g.copy() for g in self.grad_biases]

    def predict(self, X: np.ndarray, batch_size: int = 1024) -> np.ndarray:
        """Network outputs for X (n, n_in) as a new (n, n_out) array; does not touch training buffers."""
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.shape[1] != self.layer_sizes[0]:
            raise ConfigError(f"The network takes {self.layer_sizes[0]} inputs, the data has {X.shape[1]}.")
        result = np.empty((X.shape[0], self.layer_sizes[-1]), self.dtype)
        # weights kept from a run that diverged may overflow here: inf/NaN outputs say so, not warnings
        with np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, X.shape[0], batch_size):
                o = X[start:start + batch_size]
                for W, theta, act in zip(self.weights, self.biases, self._acts):
                    a = o @ W
                    a += theta
                    o = act.f(a, a)
                result[start:start + batch_size] = o
        return result

    def trace(self, X: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per layer (net input a, output O) for X, new arrays — what the inspector shows."""
        X = np.asarray(X, dtype=self.dtype).reshape(-1, self.layer_sizes[0])
        result, o = [], X
        with np.errstate(over="ignore", invalid="ignore"):      # as in predict()
            for W, theta, act in zip(self.weights, self.biases, self._acts):
                a = o @ W + theta
                o = act.f(a.copy(), np.empty_like(a))
                result.append((a, o))
        return result

    def error(self, X: np.ndarray, T: np.ndarray) -> float:
        """The loss over a whole data set, computed without disturbing training buffers."""
        if X.shape[0] == 0:
            return float("nan")
        return _losses.get(self.loss).value(self.predict(X), np.asarray(T, dtype=self.dtype))
