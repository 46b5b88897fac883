"""TrainingController: the one place that starts, steers and stops training runs.

It owns the worker and its QThread, the run state (idle / running / paused / finished) and the history
of the network's training so far. Widgets connect to its signals and call its slots; none of them touches
the worker. Only one run exists at a time: starting a new one first retires the old one (stop, join,
deliver what it still had queued), so the history never has gaps or overlaps.
"""

from __future__ import annotations

import dataclasses
import math
import mmap

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

from core.errors import BackpropError
from core.optimizers import make_optimizer
from core.teaching import health_batch
from core.training import EpochReport, TrainConfig
from gui.worker import TrainingWorker, start_in_thread, thread_running

IDLE, RUNNING, PAUSED, FINISHED = "idle", "running", "paused", "finished"
JOIN_TIMEOUT_MS = 30_000


def _spare_array(n: int, dtype) -> np.ndarray:
    """An uninitialised n-long array whose unwritten tail costs no memory. A big one is an anonymous
    mapping of its own, handed back to the system when the column outgrows it: a freed heap block can
    stay resident, and the soak's 10^6 epochs grew the process by 48 MB for 32 MB of history."""
    dtype = np.dtype(dtype)
    if n * dtype.itemsize < 1 << 20:
        return np.empty(n, dtype)
    return np.frombuffer(mmap.mmap(-1, n * dtype.itemsize), dtype, count=n)


class _Column:
    """A growable 1-D numpy array: amortised O(1) appends, `values` is a view of the filled part."""

    def __init__(self, dtype=np.float64, capacity: int = 1024):
        self._fill = 0 if np.dtype(dtype).kind == "i" else np.nan
        self._data = np.full(capacity, self._fill, dtype)
        self.size = 0

    def extend(self, values) -> None:
        with np.errstate(over="ignore"):         # beyond float32 (a diverging float64 run) is stored as ±inf
            values = np.asarray(values, self._data.dtype)
        need = self.size + len(values)
        if need > len(self._data):
            grown = _spare_array(max(need, 2 * len(self._data)), self._data.dtype)
            grown[:self.size] = self._data[:self.size]
            self._data = grown
        self._data[self.size:need] = values
        self.size = need

    def pad(self, size: int) -> None:
        """Grow to `size` with the fill value (a metric that first appears after epoch 1)."""
        if size > self.size:
            self.extend(np.full(size - self.size, self._fill))

    @property
    def values(self) -> np.ndarray:
        return self._data[:self.size]


class History:
    """Everything the network's training reported so far, one entry per epoch, across continued runs.

    Kept whole (the curves downsample for display, not the data) but compactly: errors stay float64 (a
    diverging float64 run reports values float32 cannot hold), the rest is 4 bytes an epoch — 32 bytes
    for a classification run without validation, so 10^6 epochs of XOR take ~34 MB with spare capacity.
    """

    def __init__(self):
        self.clear()

    def clear(self) -> None:
        self._epoch = _Column(np.int32)
        self._train = _Column()
        self._val = _Column()
        self._lr = _Column(np.float32)
        self._elapsed = _Column(np.float32)
        self._metrics: dict[str, _Column] = {}

    def __len__(self) -> int:
        return self._epoch.size

    @property
    def last_epoch(self) -> int:
        return int(self._epoch.values[-1]) if len(self) else 0

    def append(self, reports, elapsed_offset: float = 0.0) -> None:
        n0 = len(self)
        self._epoch.extend([r.epoch for r in reports])
        self._train.extend([r.train_loss for r in reports])
        self._val.extend([math.nan if r.val_loss is None else r.val_loss for r in reports])
        self._lr.extend([r.lr for r in reports])
        self._elapsed.extend([elapsed_offset + r.elapsed for r in reports])
        names = {k for r in reports for k in r.metrics}
        for name in names:
            column = self._metrics.setdefault(name, _Column(np.float32))
            column.pad(n0)
            column.extend([r.metrics.get(name, math.nan) for r in reports])
        for column in self._metrics.values():
            column.pad(len(self))

    @property
    def epochs(self) -> np.ndarray:
        return self._epoch.values

    @property
    def train_loss(self) -> np.ndarray:
        return self._train.values

    @property
    def val_loss(self) -> np.ndarray:
        return self._val.values

    @property
    def lr(self) -> np.ndarray:
        return self._lr.values

    @property
    def elapsed(self) -> np.ndarray:
        return self._elapsed.values

    def metric(self, name: str) -> np.ndarray | None:
        column = self._metrics.get(name)
        return None if column is None else column.values

    @property
    def metric_names(self) -> list[str]:
        return sorted(self._metrics)

    @property
    def nbytes(self) -> int:
        """Memory held by the columns, spare capacity included (the soak benchmark reports it)."""
        columns = (self._epoch, self._train, self._val, self._lr, self._elapsed, *self._metrics.values())
        return sum(column._data.nbytes for column in columns)

    # Curve names in project files (core.project.ProjectState.history); anything else is a metric.
    _COLUMNS = ("epoch", "train_loss", "val_loss", "lr", "elapsed")

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Every curve as a copied 1-D array, keyed as a project file stores them."""
        columns = (self._epoch, self._train, self._val, self._lr, self._elapsed)
        arrays = {name: column.values.copy() for name, column in zip(self._COLUMNS, columns)}
        arrays.update({name: column.values.copy() for name, column in self._metrics.items()})
        return arrays

    def load_arrays(self, arrays: dict) -> None:
        """Replace the history with saved curves; curves shorter than `epoch` are padded with NaN."""
        self.clear()
        n = len(arrays.get("epoch", ()))
        columns = (self._epoch, self._train, self._val, self._lr, self._elapsed)
        for name, column in zip(self._COLUMNS, columns):
            column.extend(np.asarray(arrays.get(name, ()))[:n])
            column.pad(n)
        for name, values in arrays.items():
            if name not in self._COLUMNS:
                column = self._metrics.setdefault(name, _Column(np.float32))
                column.extend(np.asarray(values)[:n])
                column.pad(n)


class RateLimiter(QObject):
    """Calls `callback` at most once per `interval_ms`: at once when idle (so a single step shows
    immediately) and once more at the end of the interval if poked meanwhile (so the last state is
    always drawn). Views use it to redraw at a rate the eye needs, not at the rate reports arrive:
    every redraw costs GUI-thread time the training thread would otherwise have.
    """

    def __init__(self, callback, interval_ms: int, parent=None):
        super().__init__(parent)
        self._callback = callback
        self._pending = False
        self._timer = QTimer(self, singleShot=True, interval=interval_ms)
        self._timer.timeout.connect(self._on_timeout)

    def poke(self, *_) -> None:
        if self._timer.isActive():
            self._pending = True
        else:
            self._callback()
            self._timer.start()

    @Slot()
    def _on_timeout(self) -> None:
        if self._pending:
            self._pending = False
            self._callback()
            self._timer.start()


def _run_shape(s) -> tuple:
    """The settings a run is started with and keeps (η alone is forwarded to a running worker)."""
    return s.epochs, s.target_error, s.patience, s.batch_size, s.optimizer, s.momentum, s.l2


class TrainingController(QObject):
    reportsArrived = Signal(list)       # EpochReports of the current run, already added to `history`
    snapshotArrived = Signal(object)    # the newest EpochReport that carries weights
    healthMeasured = Signal(int, object)  # (epoch, list[LayerHealth]) measured by the current run
    stateChanged = Signal(str)          # idle | running | paused | finished
    errored = Signal(str)               # one-line message for the window
    finished = Signal(str)              # stop reason of the run that just ended ("error" after errored)
    historyCleared = Signal()           # new network or Reset: curves start over

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self.history = History()
        self.state = IDLE
        self.run_id = 0
        self.last_report = None          # newest EpochReport of the network (any run)
        self.last_snapshot = None        # newest EpochReport with weights
        self.target_epochs = model.settings.epochs
        self.run_start_epoch = 0         # epochs done before the current run began
        self._worker: TrainingWorker | None = None
        self._thread = None
        self._optimizer = None
        self._optimizer_key = None
        self._sent_lr: float | None = None
        self._run_shape: tuple | None = None     # the settings the running worker was started with
        self._restart_pending = False            # changed while paused: the run restarts on Train or Step
        self._continuing = False                 # a run ending only to go on as a new one: no "finished"
        self._elapsed_offset = 0.0
        model.networkChanged.connect(self._on_network_changed)
        model.settingsChanged.connect(self._on_settings_changed)

    # ---- queries ---------------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self.state in (RUNNING, PAUSED)

    @property
    def thread(self):
        return self._thread if thread_running(self._thread) else None

    # ---- commands ---------------------------------------------------------------------------------
    @property
    def stopping(self) -> bool:
        """Stop was asked for and the run has not ended yet; Train now starts a new run at once."""
        return self._worker is not None and self._worker.stop_requested

    @Slot()
    def toggle(self) -> None:
        """Train/Pause button and Space."""
        if self.state == RUNNING and not self.stopping:
            self.pause()
        else:
            self.train()

    @Slot()
    def train(self) -> None:
        if self.stopping:
            self._start()
        elif self.state == PAUSED:
            self.resume()
        elif self.state != RUNNING:
            self._start()

    @Slot()
    def pause(self) -> None:
        if self.state == RUNNING and self._worker is not None:
            self._worker.pause()
            self._set_state(PAUSED)

    @Slot()
    def resume(self) -> None:
        if self.state == PAUSED and self._worker is not None:
            if self._restart_pending:             # settings changed while paused: a run that follows them
                self._continue()
                return
            self._worker.resume()
            self._set_state(RUNNING)

    @Slot()
    def step(self) -> None:
        """One epoch, then paused. From idle/finished this starts a run that waits after its first epoch."""
        if self.active and not self.stopping and not self._restart_pending:
            self._worker.step()
            self._set_state(PAUSED)
        elif self._restart_pending:
            self._continue(step=True)
        else:
            self._start(step=True)

    @Slot()
    def stop(self) -> None:
        """Ask the run to end after the current batch; `finished` follows when it has."""
        if self._worker is not None:
            self._worker.stop()

    @Slot()
    def reset(self) -> None:
        """Re-initialise the weights from the seed and forget the history."""
        self._retire()
        if self.model.network is not None:
            self.model.reset_weights()      # emits networkChanged → _on_network_changed clears
        else:
            self._clear()

    def shutdown(self) -> None:
        """Stop and join the thread (window closing)."""
        self._retire()

    # ---- projects ---------------------------------------------------------------------------------
    @property
    def optimizer(self):
        """The optimizer the next run continues with (momentum / Adam moments), None before a run."""
        return self._optimizer

    def restore(self, history: dict, optimizer=None) -> None:
        """Continue from a saved project: its curves, its epoch numbering and its optimizer state.

        Call after the model holds the project's network (networkChanged clears the history first).
        """
        self._retire()
        self._clear()
        self.history.load_arrays(history)
        s = self.model.settings
        self._optimizer = optimizer
        # The key _start compares: a restored optimizer is kept only while its kind stays the same.
        self._optimizer_key = None if optimizer is None else (s.optimizer, s.momentum, s.l2)
        self.target_epochs = max(s.epochs, self.history.last_epoch)
        h = self.history
        if len(h):
            metrics = {name: float(h.metric(name)[-1]) for name in h.metric_names
                       if math.isfinite(h.metric(name)[-1])}
            self.last_report = EpochReport(
                epoch=h.last_epoch, train_loss=float(h.train_loss[-1]),
                val_loss=None if math.isnan(h.val_loss[-1]) else float(h.val_loss[-1]),
                metrics=metrics, elapsed=float(h.elapsed[-1]), lr=float(h.lr[-1]), run_id=self.run_id)
        self.historyCleared.emit()             # views re-read the history: now the restored one
        if self.last_report is not None:
            self.reportsArrived.emit([self.last_report])

    # ---- starting a run ---------------------------------------------------------------------------
    def _start(self, step: bool = False) -> None:
        self._retire()
        model = self.model
        dataset, network, s = model.dataset, model.network, model.settings
        if dataset is None:
            self.errored.emit("Load a CSV file or pick an example before training.")
            return
        if network is None:
            self.errored.emit("The network could not be built for this data; change the network first.")
            return
        start_epoch = self.history.last_epoch
        epochs = s.epochs - start_epoch if start_epoch < s.epochs else s.epochs
        try:
            config = TrainConfig(epochs=epochs, batch_size=s.batch_size or None,
                                 target_error=s.target_error or None, patience=s.patience or None,
                                 seed=s.seed + start_epoch)
            key = (s.optimizer, s.momentum, s.l2)
            if self._optimizer is None or key != self._optimizer_key:
                # A continued run keeps the optimizer (momentum / Adam moments) unless its kind changed.
                self._optimizer = make_optimizer(s.optimizer, s.lr, momentum=s.momentum, l2=s.l2)
                self._optimizer_key = key
            self._optimizer.lr = s.lr
        except BackpropError as exc:
            self.errored.emit(str(exc))
            return
        self.run_id += 1
        self.target_epochs = start_epoch + epochs
        self.run_start_epoch = start_epoch
        self._run_shape, self._restart_pending = _run_shape(s), False
        self._elapsed_offset = float(self.history.elapsed[-1]) if len(self.history) else 0.0
        self._sent_lr = s.lr
        # Regression metrics are reported in the target's own units, not the scaled ones.
        inverse = dataset.preprocessor.inverse_outputs if dataset.task == "regression" else None
        health = health_batch(dataset, network)
        self._worker = TrainingWorker(
            network, self._optimizer, dataset.X_train, dataset.Y_train, dataset.X_val, dataset.Y_val, config,
            task=dataset.task, target_inverse=inverse, run_id=self.run_id, start_epoch=start_epoch,
            paused=step, step_epochs=1 if step else 0, health_sample=health)
        self._worker.reports.connect(self._on_reports)
        self._worker.healthMeasured.connect(self._on_health)
        self._worker.errored.connect(self._on_errored)
        self._worker.finished.connect(self._on_finished)
        model.training_locked = True
        self._set_state(PAUSED if step else RUNNING)
        self._thread = start_in_thread(self._worker, f"training-run-{self.run_id}")

    def _continue(self, step: bool = False) -> None:
        """End the current run and go on with a new one from its weights and epoch, quietly: to the views
        it is one run that now follows the new settings."""
        self._continuing = True
        try:
            self._start(step=step)
        finally:
            self._continuing = False
        if self._worker is None and self.active:       # the new run could not start (it said why)
            self._end_run("stopped")

    def _retire(self, discard: bool = False) -> None:
        """Stop the current run (if any), wait for its thread and deliver its last queued signals.

        Delivering them here, synchronously, is what keeps the history exact when Train follows Stop
        within milliseconds: the old run's final reports land before the new run's first.
        `discard`: the run's network is gone (new data or architecture), so its last reports and its
        "finished" are dropped instead; views would otherwise pair them with a network they have not
        been told about yet (they hear networkChanged after the controller).
        """
        worker, thread = self._worker, self._thread
        if worker is not None:
            worker.stop()
            if discard:
                self.run_id += 1                   # what it still has queued is now stale
                self._worker = None
        # Also the thread of a run that has already reported `finished`: it may still be winding down.
        if thread_running(thread) and not thread.wait(JOIN_TIMEOUT_MS):
            raise RuntimeError("the training thread did not stop")   # a bug: stop is checked every batch
        if worker is None:
            return
        QCoreApplication.sendPostedEvents(self, 0)
        if discard:
            self.model.training_locked = False
            return
        if self._worker is worker:             # its finished signal was lost: end the run by hand
            self._end_run("stopped")

    # ---- worker signals (queued, GUI thread) ------------------------------------------------------
    @Slot(object)
    def _on_reports(self, reports) -> None:
        last, fresh = self.history.last_epoch, []
        for report in reports:
            # A stop asked before an epoch's first batch repeats the last epoch number: no new epoch.
            if report.run_id == self.run_id and report.epoch > last:
                fresh.append(report)
                last = report.epoch
        if not fresh:
            return
        reports = fresh
        self.history.append(reports, self._elapsed_offset)
        self.last_report = reports[-1]
        snapshot = next((r for r in reversed(reports) if r.weights is not None), None)
        self.reportsArrived.emit(reports)
        if snapshot is not None:
            self.last_snapshot = snapshot
            self.snapshotArrived.emit(snapshot)

    @Slot(int, int, object)
    def _on_health(self, run_id: int, epoch: int, health) -> None:
        if run_id == self.run_id:
            self.healthMeasured.emit(epoch, health)

    @Slot(int, str)
    def _on_errored(self, run_id: int, message: str) -> None:
        if run_id == self.run_id:
            self.errored.emit(message)

    @Slot(int, str)
    def _on_finished(self, run_id: int, reason: str) -> None:
        if run_id == self.run_id and self._worker is not None:
            self._end_run(reason)

    def _end_run(self, reason: str) -> None:
        self._worker = None                    # _thread is kept: _retire joins it if still winding down
        if self._continuing:
            return
        if reason == "error":
            self._show_kept_weights()
        self.model.training_locked = False
        self._set_state(FINISHED)
        self.finished.emit(reason)

    def _show_kept_weights(self) -> None:
        """After a failed run the network may hold other weights than the last snapshot: a divergence
        rolls back to the end of the last finite epoch, and snapshots are throttled, so the views could
        be showing an older epoch. The run is over (its worker no longer touches the network)."""
        network, report = self.model.network, self.last_report
        if network is None or report is None or report.run_id != self.run_id:
            return
        weights, biases = network.get_params()
        snapshot = self.last_snapshot
        if (snapshot is not None and snapshot.epoch == report.epoch
                and all(np.array_equal(a, b) for a, b in zip(snapshot.weights, weights))
                and all(np.array_equal(a, b) for a, b in zip(snapshot.biases, biases))):
            return
        self.last_snapshot = dataclasses.replace(report, weights=tuple(weights), biases=tuple(biases))
        self.snapshotArrived.emit(self.last_snapshot)

    # ---- model signals ----------------------------------------------------------------------------
    @Slot()
    def _on_network_changed(self) -> None:
        self._retire(discard=True)
        self._clear()

    @Slot()
    def _on_settings_changed(self) -> None:
        s = self.model.settings
        lr = s.lr
        if self._worker is not None and lr != self._sent_lr:
            self._worker.set_learning_rate(lr)
            self._sent_lr = lr
        if self.active and not self.stopping and self._run_shape is not None and _run_shape(s) != self._run_shape:
            # Max epochs, target error, patience, batch or optimizer changed during a run: the worker's
            # configuration is fixed, so the run goes on as a new one from these weights (the optimizer's
            # state kept while its kind is the same); a limit already passed ends it now
            self._run_shape = _run_shape(s)
            if s.epochs <= self.history.last_epoch:
                self.target_epochs = self.history.last_epoch
                self.stop()
            elif self.state == RUNNING:
                self._continue()
            else:
                self._restart_pending = True
        if not self.active:
            self.target_epochs = max(self.model.settings.epochs, self.history.last_epoch)

    def _clear(self) -> None:
        self.run_id += 1                       # whatever is still queued from before is now stale
        self.history.clear()
        self.last_report = self.last_snapshot = None
        self._optimizer = self._optimizer_key = None
        self._elapsed_offset = 0.0
        self.target_epochs = self.model.settings.epochs
        self.run_start_epoch = 0
        self.historyCleared.emit()
        self._set_state(IDLE)

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.stateChanged.emit(state)
