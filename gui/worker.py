"""Background threads: the training worker, and the helper every gui thread is started through.

TrainingWorker drives core.training.train() in a QThread. The GUI talks to it only through thread-safe
controls (stop, pause, resume, step, set_learning_rate); it answers with queued signals carrying frozen
EpochReports. Every report carries its run id, so the GUI can drop what a previous run still had in flight.

Throttling happens here, at the source: reports are batched and emitted at most ~60 times a second, and
weight copies are asked for at most ~30 times a second, so a 10 000 epochs/s run does not flood the GUI
event queue.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback


from PySide6.QtCore import QObject, QThread, Qt, Signal, Slot

from core.errors import BackpropError, DivergenceError
from core.inspect import layer_health
from core.network import Network
from core.training import STOP_REQUESTED, train

REPORT_INTERVAL = 1 / 60      # seconds between report batches
WEIGHTS_INTERVAL = 1 / 40     # seconds between weight snapshots: taken only at the end of an epoch, so
                              # short epochs give ~30 a second (measured 32/s at 10 ms epochs)
HEALTH_INTERVAL = 0.5         # seconds between health measurements (HealthView's curves)
GIL_YIELD_INTERVAL = 0.002    # seconds of training between voluntary releases of the GIL while the GUI is busy
GIL_IDLE_YIELD_INTERVAL = 0.02  # … and otherwise (each release costs the training thread ~75 µs)
GUI_BUSY_WINDOW = 0.05        # seconds after handing the GUI reports during which it counts as busy drawing them
SWITCH_INTERVAL = 0.0005      # seconds: how long the GUI thread waits at most to get the GIL back

# Every QThread started by gui/ is listed here, so tests (tests/gui/conftest.py) can fail any test that
# leaves one running. Finished ones are pruned on the next start rather than from a finished-slot, which
# would run in the ending thread itself.
LIVE_THREADS: list[QThread] = []


PR_SET_TIMERSLACK = 29          # linux/prctl.h


def _fine_timer_slack() -> None:
    """Let this thread's sleep(0) — the GIL handed to the GUI thread — last microseconds. Linux lets a
    thread's sleep overrun by its timer slack, 50 µs by default: sleep(0) took 84 µs, 21 µs with 1 ns of
    slack, and a 784-128-64-10 epoch on 60,000 rows calls it ~33 times (3.6 ms of a 330 ms epoch)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            ctypes.CDLL(None).prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0)
        except (OSError, AttributeError):
            pass                        # another libc: the default slack only costs a little time


def start_in_thread(worker: QObject, name: str) -> QThread:
    """Move `worker` (which has run() and a `finished` signal) to a new QThread and start it.

    started → run; finished → quit. quit is connected directly because QThread.quit is thread-safe, and
    a queued quit would need the GUI thread's event loop, which is blocked while the GUI joins the
    thread on close.

    Nothing is deleteLater'd: both objects were made in Python, so Python deletes them — in the GUI
    thread, once nothing refers to them. A worker calls return_home() at the very end of run(), so it
    is back in the GUI thread by then. (With deleteLater, Qt deleted the worker in its dying thread
    while the GUI thread could be collecting garbage that pointed at it; the GUI test loop crashed
    about once in five runs that way.)
    """
    if sys.getswitchinterval() > SWITCH_INTERVAL:
        # The GUI thread drops the GIL in nearly every Qt call and must wait up to one switch interval
        # (5 ms by default) to get it back from a busy worker, so a redraw of a few hundred Qt calls
        # crawls. Together with the worker's GIL yield below, this keeps the event loop responsive.
        sys.setswitchinterval(SWITCH_INTERVAL)
    thread = QThread()
    thread.setObjectName(name)
    worker._home_thread = QThread.currentThread()
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    thread.worker = worker                  # alive as long as the thread is listed or held
    LIVE_THREADS[:] = [t for t in LIVE_THREADS if not _finished_for_good(t)]
    LIVE_THREADS.append(thread)
    # How to end it if someone forgets to: the test fixture stops leaked threads after failing the test.
    thread.stop_worker = getattr(worker, "stop", None) or getattr(worker, "cancel", None)
    thread.start()
    return thread


def return_home(worker: QObject) -> None:
    """For a worker's run(), last thing, in its own thread: give the object back to the thread that
    started it (see start_in_thread). Signals emitted after this still reach the GUI queued."""
    home = getattr(worker, "_home_thread", None)
    if home is not None:
        worker.moveToThread(home)


def _finished_for_good(thread: QThread) -> bool:
    """True once the native thread has fully exited, so dropping our reference cannot destroy a QThread
    whose thread is still on its way out (isRunning() turns False a moment before that; a wrapper
    collected in that moment crashed the 100 Train/Stop cycles test once)."""
    try:
        return not thread.isRunning() and thread.wait(1000)
    except RuntimeError:            # the C++ object is already gone
        return True


def thread_running(thread: QThread | None) -> bool:
    """isRunning() that tolerates a QThread whose C++ side is already gone."""
    if thread is None:
        return False
    try:
        return thread.isRunning()
    except RuntimeError:
        return False


class TrainingWorker(QObject):
    """Runs one training run: `network` is trained in place, so only this thread may touch it meanwhile."""

    reports = Signal(object)        # list[EpochReport] since the last emit, oldest first
    errored = Signal(int, str)      # (run id, one-line message)
    healthMeasured = Signal(int, int, object)   # (run id, epoch, list[core.inspect.LayerHealth])
    finished = Signal(int, str)     # (run id, stop reason or "error"); always the last signal

    def __init__(self, network, optimizer, X, Y, X_val, Y_val, config, *, task=None, target_inverse=None,
                 run_id: int = 0, start_epoch: int = 0, paused: bool = False, step_epochs: int = 0,
                 health_sample=None):
        super().__init__()
        self._network, self._optimizer = network, optimizer
        self._data = (X, Y, X_val, Y_val)
        self._config = config
        self._task, self._inverse = task, target_inverse
        self.run_id = run_id
        self._start_epoch = start_epoch
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._paused = paused
        self._step_budget = step_epochs       # epochs allowed to run while paused
        self._pending_lr: float | None = None
        self._pending: list = []
        self._last_emit = 0.0
        self._last_weights = -1.0
        self._last_yield = 0.0
        self._gui_busy_until = 0.0
        # (X, T) rows to measure layer health on, from snapshots, in this thread: in the GUI thread that
        # forward/backward pass competed with training for the BLAS threads.
        self._health_sample = health_sample
        self._health_net: Network | None = None
        self._last_health = -HEALTH_INTERVAL
        self.waiting = False                  # blocked in a pause (read by tests and the GUI)

    # ---- controls: thread-safe, called from the GUI thread --------------------------------------
    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()

    def pause(self) -> None:
        with self._cond:
            self._paused = True
            self._step_budget = 0

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._step_budget = 0
            self._cond.notify_all()

    def step(self) -> None:
        """Run one more epoch, then pause (if running, pause at the end of the current epoch)."""
        with self._cond:
            self._paused = True
            self._step_budget = 1
            self._cond.notify_all()

    def set_learning_rate(self, lr: float) -> None:
        with self._cond:
            self._pending_lr = float(lr)

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def paused(self) -> bool:
        with self._cond:
            return self._paused

    # ---- the run, in the worker thread -----------------------------------------------------------
    def _should_stop(self) -> bool:
        now = time.perf_counter()
        interval = GIL_YIELD_INTERVAL if now < self._gui_busy_until else GIL_IDLE_YIELD_INTERVAL
        if now - self._last_yield >= interval:
            # Small networks train in pure Python + tiny numpy calls that hold the GIL nearly all the
            # time, and the GUI thread needs it for every slot and after every Qt call. Measured on the
            # spiral example (PySide6 6.11, CPython 3.11) with neither this nor the switch interval
            # above: a 5 ms QTimer stalled for 8 s. With both: p99 under 50 ms. sleep(0) hands it over,
            # but costs ~75 µs: every 2 ms that was 4 % of training, so it is that frequent only while
            # the GUI draws what it was just sent.
            time.sleep(0)
            self._last_yield = now
        with self._cond:
            if self._pending_lr is not None:
                self._optimizer.lr = self._pending_lr   # between batches: the next update uses it
                self._pending_lr = None
            if self._paused and self._step_budget == 0 and not self._stop.is_set():
                self._flush()           # the GUI should see everything done before the pause
                self.waiting = True
                while self._paused and self._step_budget == 0 and not self._stop.is_set():
                    self._cond.wait()
                self.waiting = False
                if self._pending_lr is not None:
                    self._optimizer.lr = self._pending_lr
                    self._pending_lr = None
        return self._stop.is_set()

    def _want_weights(self, epoch: int) -> bool:
        now = time.monotonic()
        with self._cond:
            stepping = self._paused
        if stepping or now - self._last_weights >= WEIGHTS_INTERVAL:
            self._last_weights = now
            return True
        return False

    def _measure_health(self, report) -> None:
        now = time.monotonic()
        if now - self._last_health < HEALTH_INTERVAL and report.stop_reason is None:
            return
        self._last_health = now
        if self._health_net is None:
            self._health_net = Network(**self._network.architecture())
        self._health_net.set_params(report.weights, report.biases)
        X, T = self._health_sample
        opt = self._optimizer
        health = layer_health(self._health_net, X, T, report.lr or opt.lr, type(opt).__name__.lower(),
                              float(getattr(opt, "momentum", 0.0)))
        self.healthMeasured.emit(self.run_id, report.epoch, health)

    def _flush(self) -> None:
        if self._pending:
            batch, self._pending = self._pending, []
            self._last_emit = time.monotonic()
            self._gui_busy_until = time.perf_counter() + GUI_BUSY_WINDOW
            self.reports.emit(batch)

    @Slot()
    def run(self) -> None:
        reason = "error"
        _fine_timer_slack()
        try:
            X, Y, X_val, Y_val = self._data
            for report in train(self._network, self._optimizer, X, Y, X_val, Y_val, self._config,
                                task=self._task, target_inverse=self._inverse,
                                should_stop=self._should_stop, want_weights=self._want_weights,
                                run_id=self.run_id, start_epoch=self._start_epoch):
                self._pending.append(report)
                if self._health_sample is not None and report.weights is not None:
                    self._measure_health(report)
                with self._cond:
                    stepped = self._paused and self._step_budget > 0
                    if stepped:
                        self._step_budget -= 1
                if (stepped or report.stop_reason is not None
                        or time.monotonic() - self._last_emit >= REPORT_INTERVAL):
                    self._flush()
                if report.stop_reason is not None:
                    reason = report.stop_reason
            if reason == "error":          # the generator ended without a final report
                reason = STOP_REQUESTED
        except DivergenceError as exc:
            self._flush()
            # A number to type is more help than "too high": ten times smaller usually tames it — unless
            # the kept weights have grown on the way to diverging (η = 10 → 1 diverged again at once).
            self.errored.emit(self.run_id, f"{exc} Try a smaller learning rate, such as "
                                           f"η = {self._optimizer.lr / 10:.3g}; if it diverges again, Reset (R) "
                                           "to start from the seed's weights.")
        except BackpropError as exc:
            self._flush()
            self.errored.emit(self.run_id, str(exc))
        except Exception as exc:  # a bug, not a user error: full story on stderr, one line in the window
            traceback.print_exc(file=sys.stderr)
            self._flush()
            self.errored.emit(self.run_id, f"Training failed unexpectedly ({type(exc).__name__}: {exc}). "
                                           "Details were written to the terminal.")
        finally:
            self._flush()
            return_home(self)
            self.finished.emit(self.run_id, reason)
