"""The training loop, as a generator that yields one frozen EpochReport per epoch.

It never prints and knows nothing of threads: the CLI iterates it directly, the GUI worker iterates it in
a QThread. Control comes in through `should_stop()`, called between batches (the worker uses it to pause,
to apply a new learning rate, or to stop).
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Iterator, Mapping

import numpy as np

from core import metrics as _metrics
from core.errors import ConfigError, DivergenceError
from core.metrics import regression_report
from core.network import Network
from core.optimizers import Optimizer

STOP_TARGET_ERROR = "target_error"
STOP_MAX_EPOCHS = "max_epochs"
STOP_EARLY = "early_stopping"
STOP_REQUESTED = "stopped"
_WHOLE_EPOCH_COPY_BYTES = 4 << 20
_ONE_BLAS_THREAD_MAX_MACS = 7_500_000     # multiply-adds per batch: see _one_blas_thread
_ONE_BLAS_THREAD_MAX_WIDTH = 256
_BLAS_OWN_SERIAL_MACS = 65_536 * 4        # OpenBLAS runs smaller products on one thread by itself
_blas_controller = None


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 500
    batch_size: int | None = 32          # 1 = online (the article's per-sample update), None/0 = full batch
    target_error: float | None = None    # the article's stop: training error under this threshold
    patience: int | None = None          # early stopping on validation loss (restores the best weights)
    min_delta: float = 0.0
    shuffle: bool = True
    seed: int = 0

    def __post_init__(self):
        if self.epochs < 1:
            raise ConfigError(f"The number of epochs must be at least 1 (got {self.epochs}).")
        if self.batch_size is not None and self.batch_size < 0:
            raise ConfigError(f"The batch size must be positive (got {self.batch_size}).")
        if self.patience is not None and self.patience < 1:
            raise ConfigError(f"Patience must be at least 1 epoch (got {self.patience}).")
        if self.target_error is not None and not self.target_error >= 0:
            raise ConfigError(f"The target error must be zero or positive (got {self.target_error}).")


@dataclass(frozen=True)
class EpochReport:
    """What one epoch did. Immutable: arrays inside are private copies.

    A stop requested before the first batch of a new epoch ends the run with a report whose
    train_loss is NaN and whose epoch repeats the last completed one: it marks the stop, adds no epoch.
    """
    epoch: int                           # 1-based count of epochs done in this run
    train_loss: float                    # mean error over the epoch's batches (before each update)
    val_loss: float | None
    metrics: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    elapsed: float = 0.0                 # seconds of pure training so far
    samples_per_second: float = 0.0      # over the whole run so far
    lr: float = 0.0
    stop_reason: str | None = None       # set on the last report of a run
    best_epoch: int | None = None        # early stopping: the epoch whose weights were kept
    weights: tuple[np.ndarray, ...] | None = None   # copies, only when the caller asked for them
    biases: tuple[np.ndarray, ...] | None = None
    # With the weights: the network's outputs on the validation set for exactly those weights (computed
    # for val_loss anyway), so a view can show a confusion matrix without a forward pass of its own.
    val_outputs: np.ndarray | None = None
    run_id: int = 0


def classification_metrics(outputs: np.ndarray, targets: np.ndarray) -> float:
    """Accuracy of outputs (n, k) against one-hot or 0/1 targets (n, k)."""
    return _metrics.accuracy(outputs, targets)


def evaluate(network: Network, X, Y, task: str | None, inverse: Callable | None = None,
             prefix: str = "val_") -> tuple[float, dict[str, float]]:
    """(loss, metrics) of the network on a data set."""
    loss, metrics, _ = _evaluate(network, X, Y, task, inverse, prefix)
    return loss, metrics


def _evaluate(network, X, Y, task, inverse=None, prefix="val_"):
    """(loss, metrics, outputs); outputs is a new array, None for an empty set."""
    if X.shape[0] == 0:
        return float("nan"), {}, None
    outputs = network.predict(X)
    from core import losses
    loss = losses.get(network.loss).value(outputs, np.asarray(Y, network.dtype))
    metrics = {}
    if task == "classification":
        metrics[prefix + "accuracy"] = classification_metrics(outputs, Y)
    elif task == "regression":
        metrics.update({prefix + k: v for k, v in regression_report(outputs, Y, inverse).items()})
    return loss, metrics, outputs


def _one_blas_thread(layer_sizes, batch: int) -> bool:
    """Whether a batch's matrix products run faster on one BLAS thread than on all cores.

    Below a few million multiply-adds per batch, a second BLAS thread saves less than it costs: the
    gradient it helps write lives half in the other core's cache, and the update that reads it straight
    after pays for every line (on this 2-core VM an epoch's SGD updates of 784-128-64-10 bs64 took 4 ms
    of CPU on one BLAS thread, 13-29 ms on two). Measured with one thread ÷ two, 784 inputs: 128-64 bs16-64
    1.0-1.5×, 256 bs16-32 1.2-1.4×, 256-256 bs16-32 1.0-1.2×, 128-64 bs128 0.9-1.0×; wide layers split
    well even at small batches (512 bs16 0.85-0.88×, 1024 bs8 0.77×), hence the width limit too. A
    network whose every product is below OpenBLAS's own threshold already runs on one thread: nothing
    to set. The choice depends only on the sizes, so a run repeats bit for bit. The limit holds for the
    whole process while an epoch runs (BLAS has no per-thread setting); the studio trains one network at
    a time, and other work in that time (the window's views) runs on one BLAS thread too.
    """
    products = [batch * a * b for a, b in zip(layer_sizes, layer_sizes[1:])]
    return (max(products) >= _BLAS_OWN_SERIAL_MACS and sum(products) <= _ONE_BLAS_THREAD_MAX_MACS
            and max(layer_sizes[1:]) <= _ONE_BLAS_THREAD_MAX_WIDTH)


def _on_several_blas_threads(layer_sizes, batch: int) -> bool:
    """Whether OpenBLAS splits the batch's biggest product between threads (unless _one_blas_thread says not).

    Only then does plain SGD update each layer's weights inside the product that computes their gradient
    (Network.backward(sgd_decay=…)): each thread updates the half of W it computed, where the numpy update
    read both halves from one core. Samples/s with the update in the product ÷ with the numpy update, one
    epoch of 20,000 rows on this 2-core VM (medians of 7): 784-512-10 bs16 1.18–1.20×, 784-128-64-10 bs128
    1.04×, 784-512-512-10 and 784-256-256-10 bs256 1.04×; on one thread 784-128-64-10 bs64 0.96–0.98× and
    4-16-3 bs16 0.77× (a BLAS call per layer costs more than the update of a few dozen weights), so those
    keep the numpy update.
    """
    products = [batch * a * b for a, b in zip(layer_sizes, layer_sizes[1:])]
    return max(products) >= _BLAS_OWN_SERIAL_MACS and (os.cpu_count() or 1) > 1


def _blas_threads(one: bool):
    """A context limiting BLAS to one thread when `one`; nothing when threadpoolctl is missing or cannot
    reach this numpy's BLAS (training then runs as BLAS decides)."""
    global _blas_controller
    if not one:
        return contextlib.nullcontext()
    try:
        if _blas_controller is None:
            from threadpoolctl import ThreadpoolController
            _blas_controller = ThreadpoolController()   # finds the loaded BLAS libraries once (~1 ms)
        return _blas_controller.limit(limits=1, user_api="blas")   # ~7 µs to set and restore
    except Exception:  # noqa: BLE001 - a speed choice must never stop training
        return contextlib.nullcontext()


def _run_epoch(network, optimizer, X, Y, order, batch, task, should_stop, xbuf, ybuf, in_place=False):
    """One pass over X, Y in batches, visiting rows in `order` (None = as stored).

    Each shuffled batch is gathered into the reused buffers xbuf/ybuf right before it is used, so
    it is still in cache for the matrix multiplies (measured faster than one shuffled copy of the
    whole set per epoch, and it needs no second copy of the data).
    Returns (Σ batch error × batch size, correct predictions, samples done, stopped early?). The error
    of each batch is measured before its update, as the article's online rule does.
    """
    loss_sum, correct, done = 0.0, 0.0, 0
    n = X.shape[0]
    for start in range(0, n, batch):
        if should_stop is not None and should_stop():
            return loss_sum, correct, done, True
        stop = min(start + batch, n)
        if order is None:
            xb, yb = X[start:stop], Y[start:stop]
        else:
            rows = order[start:stop]
            xb, yb = xbuf[:stop - start], ybuf[:stop - start]
            # mode="clip": the rows come from a permutation, always in range; numpy's default "raise"
            # gathers through a temporary buffer when given out= (measured 2× slower)
            np.take(X, rows, axis=0, out=xb, mode="clip")
            np.take(Y, rows, axis=0, out=yb, mode="clip")
        out = network.forward(xb)
        if task == "classification":
            correct += classification_metrics(out, yb) * xb.shape[0]
        if in_place:
            error = network.backward(yb, scale=optimizer.lr, sgd_decay=optimizer.weight_keep)
        else:
            error = network.backward(yb, scale=optimizer.grad_scale)
        if not math.isfinite(error):
            return math.inf, correct, done, False
        loss_sum += error * xb.shape[0]
        done += xb.shape[0]
        if in_place:
            optimizer.steps += 1
        else:
            optimizer.step(network)
    return loss_sum, correct, done, False


def train(network: Network, optimizer: Optimizer, X: np.ndarray, Y: np.ndarray,
          X_val: np.ndarray | None = None, Y_val: np.ndarray | None = None,
          config: TrainConfig = TrainConfig(), *, task: str | None = None,
          target_inverse: Callable | None = None,
          should_stop: Callable[[], bool] | None = None,
          want_weights: Callable[[int], bool] | None = None,
          run_id: int = 0, start_epoch: int = 0) -> Iterator[EpochReport]:
    """Train `network` in place, yielding an EpochReport after every epoch.

    X (n, n_in), Y (n, n_out) are the training set; X_val/Y_val may be None or empty. `task`
    ("classification" | "regression" | None) chooses the metrics; `target_inverse` maps scaled regression
    outputs back to the target's units. `should_stop()` is called between batches; `want_weights(epoch)`
    says whether this epoch's report carries copies of the weights. The last report has `stop_reason`.

    Raises DivergenceError (after restoring the last finite weights) when the loss or a weight stops
    being finite.
    """
    dtype = network.dtype
    X = np.ascontiguousarray(X, dtype=dtype)
    Y = np.ascontiguousarray(Y, dtype=dtype)
    n = X.shape[0]
    if n == 0:
        raise ConfigError("There are no training samples.")
    if X.shape[1] != network.layer_sizes[0] or Y.shape[1] != network.layer_sizes[-1]:
        raise ConfigError(
            f"The network is {network.layer_sizes[0]} → … → {network.layer_sizes[-1]} but the data has "
            f"{X.shape[1]} inputs and {Y.shape[1]} targets.")
    has_val = X_val is not None and Y_val is not None and len(X_val) > 0
    if has_val:
        X_val = np.ascontiguousarray(X_val, dtype=dtype)
        Y_val = np.ascontiguousarray(Y_val, dtype=dtype)
    batch = n if not config.batch_size else min(config.batch_size, n)
    rng = np.random.default_rng(config.seed)
    xbuf, ybuf = np.empty((batch, X.shape[1]), dtype), np.empty((batch, Y.shape[1]), dtype)
    # Small sets: one shuffled copy per epoch (fits in cache, saves two calls per batch). Large sets:
    # gather each batch just before use (no second copy of the data, and the batch stays in cache).
    copy_whole_epoch = X.nbytes + Y.nbytes <= _WHOLE_EPOCH_COPY_BYTES
    one_thread = _one_blas_thread(network.layer_sizes, batch)
    in_place = (optimizer.updates_in_backward and not one_thread
                and _on_several_blas_threads(network.layer_sizes, batch) and network.sgd_step_available())
    X_epoch, Y_epoch = (np.empty_like(X), np.empty_like(Y)) if copy_whole_epoch else (X, Y)
    last_good = network.get_params()
    best = (math.inf, None, None)                            # (val loss, epoch, params)
    epochs_without_improvement = 0
    elapsed = 0.0
    samples_seen = 0

    for epoch in range(start_epoch + 1, start_epoch + config.epochs + 1):
        tic = time.perf_counter()
        order = rng.permutation(n) if config.shuffle and batch < n else None
        Xe, Ye = X, Y
        if order is not None and copy_whole_epoch:
            np.take(X, order, axis=0, out=X_epoch, mode="clip")      # in range, unbuffered (see _run_epoch)
            np.take(Y, order, axis=0, out=Y_epoch, mode="clip")
            Xe, Ye, order = X_epoch, Y_epoch, None
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"), _blas_threads(one_thread):
            # Overflow on the way to divergence is expected and detected here; numpy need not warn.
            loss_sum, correct, done, stopped = _run_epoch(
                network, optimizer, Xe, Ye, order, batch, task, should_stop, xbuf, ybuf, in_place)
        if not math.isfinite(loss_sum):
            network.set_params(*last_good)
            raise DivergenceError(epoch)
        elapsed += time.perf_counter() - tic
        samples_seen += done
        if done == 0:                   # stopped before the first batch of this epoch
            if stopped:
                yield EpochReport(epoch - 1, math.nan, None, elapsed=elapsed, run_id=run_id,
                                  samples_per_second=samples_seen / elapsed if elapsed else 0.0,
                                  lr=optimizer.lr, stop_reason=STOP_REQUESTED)
            return
        if not network.params_finite():
            network.set_params(*last_good)
            raise DivergenceError(epoch)
        last_good = network.get_params()

        train_loss = loss_sum / done
        metrics: dict[str, float] = {}
        if task == "classification":
            metrics["train_accuracy"] = correct / done
        val_loss = val_outputs = None
        if has_val:
            val_loss, val_metrics, val_outputs = _evaluate(network, X_val, Y_val, task, target_inverse)
            metrics.update(val_metrics)
            if not math.isfinite(val_loss):
                raise DivergenceError(epoch)

        reason = None
        if stopped:
            reason = STOP_REQUESTED
        elif config.target_error is not None and train_loss < config.target_error:
            reason = STOP_TARGET_ERROR
        if config.patience is not None:
            monitored = val_loss if has_val else train_loss
            if monitored < best[0] - config.min_delta:
                best = (monitored, epoch, network.get_params())
                epochs_without_improvement = 0
            else:
                epochs_without_improvement += 1
                if reason is None and epochs_without_improvement >= config.patience:
                    reason = STOP_EARLY
                    network.set_params(*best[2])
                    val_outputs = None          # they belong to this epoch's weights, not the best ones
        if reason is None and epoch == start_epoch + config.epochs:
            reason = STOP_MAX_EPOCHS

        weights = biases = None
        if reason is not None or (want_weights is not None and want_weights(epoch)):
            w, b = network.get_params()
            weights, biases = tuple(w), tuple(b)
        else:
            val_outputs = None
        yield EpochReport(
            epoch=epoch, train_loss=train_loss, val_loss=val_loss,
            metrics=MappingProxyType(metrics), elapsed=elapsed,
            samples_per_second=samples_seen / elapsed if elapsed > 0 else 0.0, lr=optimizer.lr,
            stop_reason=reason, best_epoch=best[1], weights=weights, biases=biases,
            val_outputs=val_outputs, run_id=run_id)
        if reason is not None:
            return
