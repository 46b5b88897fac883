"""Thread lifecycle in the running window, and the last line of defence for bugs in slots.

Each scenario drives the window the way a user would (actions, the Open dialog, closing) as fast as the
event loop allows, then checks: no crash, no thread left running (conftest), no Qt warning such as
"QThread: Destroyed while thread is still running" (conftest), and no report or weight snapshot of an old
run applied after a newer run started (run ids checked as each one arrives; epochs strictly increasing).
Waiting is done with waitSignal/waitUntil only.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, qWarning
from PySide6.QtWidgets import QApplication, QFileDialog

from gui import app as app_module
from gui import crash_handler
from gui import worker as worker_module
from gui.app import create_window
from gui.controller import FINISHED, IDLE, PAUSED, RUNNING
from gui.worker import thread_running
from tests.gui.studio import open_window
from tests.gui.studio import small as _small


def small(window, epochs=1_000_000, **kwargs):
    """Lifecycle runs last until stopped."""
    _small(window, epochs=epochs, **kwargs)

WAIT_MS = 20_000


def live_threads():
    return [t for t in worker_module.LIVE_THREADS if thread_running(t)]


class RunAudit:
    """Checks every report and snapshot as the controller hands it out.

    A report belongs to the run that is current when it arrives, and epochs only grow: across continued
    runs (Train after Stop numbers on) and within one. A Reset or new data starts again at 1, with a new
    run id."""

    def __init__(self, window):
        self.window = window
        self.controller = window.controller
        self.problems: list[str] = []
        self.reports = 0
        self.snapshots = 0
        self.last_epoch = 0
        self.controller.reportsArrived.connect(self._on_reports)
        self.controller.snapshotArrived.connect(self._on_snapshot)
        self.controller.historyCleared.connect(self._on_cleared)

    def _on_cleared(self):
        self.last_epoch = 0

    def _on_reports(self, reports):
        for r in reports:
            self.reports += 1
            if r.run_id != self.controller.run_id:
                self.problems.append(f"report of run {r.run_id} during run {self.controller.run_id}")
            if r.epoch <= self.last_epoch:
                self.problems.append(f"epoch {r.epoch} after {self.last_epoch}")
            self.last_epoch = r.epoch

    def _on_snapshot(self, report):
        self.snapshots += 1
        if report.run_id != self.controller.run_id:
            self.problems.append(f"snapshot of run {report.run_id} during run {self.controller.run_id}")
        shapes = [w.shape for w in report.weights]
        network = self.window.model.network
        if network is None or shapes != [w.shape for w in network.weights]:
            self.problems.append(f"snapshot shaped {shapes} for another network")

    def check(self):
        assert not self.problems, self.problems[:5]
        history = self.controller.history
        epochs = history.epochs
        np.testing.assert_array_equal(epochs, np.arange(1, len(epochs) + 1))
        shown = self.window._snapshot
        if shown is not None:
            assert shown.run_id <= self.controller.run_id




@pytest.fixture
def window(qtbot):
    return open_window(qtbot)


def deliver():
    """Run what is queued for the GUI thread now (the worker's reports among it), without waiting."""
    QCoreApplication.sendPostedEvents()
    QCoreApplication.processEvents()


# ---- training threads ------------------------------------------------------------------------------------

def test_100_rapid_train_stop_cycles(qtbot, window):
    small(window)
    audit = RunAudit(window)
    controller = window.controller
    first_run = controller.run_id
    for i in range(100):
        window.act_train.trigger()
        assert controller.state == RUNNING and len(live_threads()) <= 2   # the old one may still wind down
        if i % 3 == 0:
            deliver()                            # some cycles see reports, others stop before any
        window.act_stop.trigger()
        if i % 2 == 0:
            deliver()
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS, raising=False):
        pass
    qtbot.waitUntil(lambda: controller.state == FINISHED and not live_threads(), timeout=WAIT_MS)
    assert controller.run_id == first_run + 100
    audit.check()
    assert not window.model.training_locked
    assert window.model.network.params_finite()

    # after all that, one more run still trains and numbers on from where the history ends
    done = controller.history.last_epoch
    window.model.update_settings(epochs=done + 20)
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS) as finished:
        window.act_train.trigger()
    assert finished.args == ["max_epochs"] and controller.history.last_epoch == done + 20
    audit.check()


def test_300_random_train_pause_step_stop_reset_commands(qtbot, window):
    """Seeded random sequences of every command, some delivered at once, some not."""
    small(window)
    audit = RunAudit(window)
    controller = window.controller
    rng = np.random.default_rng(8)
    actions = {"train": window.act_train, "step": window.act_step, "stop": window.act_stop,
               "reset": window.act_reset}
    names = list(actions)
    for _ in range(300):
        name = names[rng.choice(len(names), p=[0.4, 0.25, 0.25, 0.1])]
        actions[name].trigger()
        if name == "reset":
            assert controller.state == IDLE and len(controller.history) == 0
        if rng.random() < 0.5:
            deliver()
        assert len(live_threads()) <= 2
        audit.check()
    window.act_stop.trigger()
    qtbot.waitUntil(lambda: not controller.active and not live_threads(), timeout=WAIT_MS)
    deliver()
    audit.check()
    assert audit.reports > 0


def test_reset_during_training_forgets_the_run(qtbot, window):
    small(window)
    audit = RunAudit(window)
    controller, model = window.controller, window.model
    initial = [w.copy() for w in model.network.weights]
    window.act_train.trigger()
    qtbot.waitUntil(lambda: controller.history.last_epoch >= 10 and controller.last_snapshot is not None,
                    timeout=WAIT_MS)
    window.act_reset.trigger()
    assert controller.state == IDLE and not live_threads()
    assert len(controller.history) == 0 and controller.last_snapshot is None
    for w, w0 in zip(model.network.weights, initial):
        np.testing.assert_array_equal(w, w0)          # re-initialised from the same seed
    for _ in range(20):                               # whatever the old run had queued must not come back
        deliver()
    assert len(controller.history) == 0 and window._snapshot is None
    x, _ = window.curves.curve_data("train")
    assert len(x) == 0
    assert window.status_labels["epoch"].text().startswith("epoch 0 ")
    audit.check()

    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS):   # and a fresh run starts at epoch 1
        model.update_settings(epochs=15)
        window.act_train.trigger()
    np.testing.assert_array_equal(controller.history.epochs, np.arange(1, 16))
    audit.check()


def test_reset_while_paused_and_while_stepping(qtbot, window):
    small(window)
    controller = window.controller
    window.act_step.trigger()
    assert controller.state == PAUSED
    qtbot.waitUntil(lambda: controller._worker is not None and controller._worker.waiting, timeout=WAIT_MS)
    window.act_reset.trigger()                        # the worker is blocked in its pause: it must wake
    assert controller.state == IDLE and not live_threads()
    window.act_train.trigger()
    window.act_train.trigger()                        # pause
    window.act_step.trigger()
    window.act_reset.trigger()
    assert controller.state == IDLE and not live_threads() and len(controller.history) == 0


def write_csv(path, n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    lines = ["a,b,c,label"] + [f"{a:.4f},{b:.4f},{c:.4f},{t}" for (a, b, c), t in zip(X, y)]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_loading_a_new_csv_from_the_open_dialog_during_training(qtbot, window, tmp_path, monkeypatch):
    small(window)
    audit = RunAudit(window)
    controller, model = window.controller, window.model
    path = write_csv(tmp_path / "fresh.csv")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (path, "")))
    window.act_train.trigger()
    qtbot.waitUntil(lambda: controller.history.last_epoch >= 5, timeout=WAIT_MS)
    old_run = controller.run_id
    with qtbot.waitSignal(model.dataChanged, timeout=WAIT_MS):
        window.act_open.trigger()                     # the toolbar's Open → the data panel's dialog path
        assert window.data_panel.loading
    # the new data retired the run: joined, history gone, a new run id for anything still queued
    assert not live_threads() and controller.state == IDLE and controller.run_id > old_run
    assert model.dataset.n_features == 3 and model.network.layer_sizes[0] == 3
    assert len(controller.history) == 0
    for _ in range(20):
        deliver()
    assert len(controller.history) == 0
    audit.check()

    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS) as finished:
        model.update_settings(epochs=10)
        window.act_train.trigger()
    assert finished.args == ["max_epochs"]
    np.testing.assert_array_equal(controller.history.epochs, np.arange(1, 11))
    assert controller.last_snapshot.weights[0].shape[0] == 3
    audit.check()


def test_closing_the_window_during_training_paused_and_stepping(qtbot):
    for state in ("running", "paused", "stepping", "stopping"):
        window = create_window(example="circles")
        qtbot.addWidget(window)
        window.show()
        small(window)
        controller = window.controller
        window.act_train.trigger()
        qtbot.waitUntil(lambda: controller.history.last_epoch >= 2, timeout=WAIT_MS)
        if state == "paused":
            window.act_train.trigger()
        elif state == "stepping":
            window.act_step.trigger()
        elif state == "stopping":
            window.act_stop.trigger()
        assert window.close()
        assert not live_threads(), state
        assert controller.state == FINISHED
        for _ in range(5):
            deliver()                                 # late signals of the run find nothing to break


# ---- a big CSV being read ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    """~30 MB of numbers: two 16 MB chunks for the reader, so a cancel lands between chunks."""
    rng = np.random.default_rng(1)
    block = rng.normal(size=(20_000, 8))
    text = "\n".join(",".join(f"{v:.6f}" for v in row) for row in block) + "\n"
    path = tmp_path_factory.mktemp("big") / "big.csv"
    with open(path, "w") as f:
        f.write(",".join(f"x{j}" for j in range(7)) + ",y\n")
        while f.tell() < 30 * 1024 * 1024:
            f.write(text)
    return str(path)


@pytest.mark.parametrize("how", ["close", "quit_action", "close_while_training"])
def test_closing_while_a_big_csv_loads(qtbot, big_csv, how, monkeypatch):
    # A slow disk: after its first chunk the read makes no progress until it is cancelled. (The file is
    # parsed in two pieces at once now; on a fast machine the whole read could otherwise end before
    # the window closes, and the test would close a window that has finished loading.)
    from gui.data_panel import CsvLoader

    reported = CsvLoader._on_progress

    def slow_disk(loader, fraction):
        reported(loader, fraction)
        if 0 < fraction < 1:
            loader._cancel.wait(WAIT_MS / 1000)      # in the loader thread: nothing more until cancelled

    monkeypatch.setattr(CsvLoader, "_on_progress", slow_disk)
    window = create_window(example="circles")
    qtbot.addWidget(window)
    window.show()
    model, panel = window.model, window.data_panel
    dataset = model.dataset
    if how == "close_while_training":
        small(window)
        window.act_train.trigger()
        dataset = model.dataset
    window.open_path(big_csv)
    assert panel.loading
    qtbot.waitUntil(lambda: panel.progress.value() > 0 or not panel.loading, timeout=WAIT_MS)
    if how == "quit_action":
        window.act_quit.trigger()
    else:
        assert window.close()
    assert not window.isVisible()
    assert not panel.loading and not live_threads()
    assert model.dataset is dataset                   # the half-read file never became the data
    for _ in range(5):
        deliver()
    assert model.dataset is dataset


def test_a_big_csv_loads_while_training_and_replaces_the_data(qtbot, window, big_csv):
    """The reader and a training run share the GIL; both finish, and the new data retires the run."""
    small(window)
    audit = RunAudit(window)
    controller, model = window.controller, window.model
    window.act_train.trigger()
    with qtbot.waitSignal(model.dataChanged, timeout=60_000):
        window.open_path(big_csv)
    assert model.dataset.n_features == 7 and controller.state == IDLE and not live_threads()
    assert len(controller.history) == 0
    audit.check()


def test_a_csv_over_the_data_budget_is_refused_in_the_window(qtbot, window, big_csv, monkeypatch):
    import core.data
    monkeypatch.setattr(core.data, "DATA_BUDGET_BYTES", 1 << 20)
    dataset = window.model.dataset
    window.open_path(big_csv)
    qtbot.waitUntil(lambda: not window.data_panel.loading, timeout=WAIT_MS)
    assert window.message_bar.level == "error"
    assert "allowed for data" in window.message_bar.text() and "MB" in window.message_bar.text()
    assert window.model.dataset is dataset and not live_threads()


# ---- bugs in slots -------------------------------------------------------------------------------------

@pytest.fixture
def handler(tmp_path, monkeypatch):
    """The app's crash handler, logging into tmp_path; uninstalled afterwards."""
    log = tmp_path / "logs" / crash_handler.LOG_NAME
    monkeypatch.setattr(crash_handler, "log_path", lambda: log)
    installed = crash_handler.install(QApplication.instance())
    installed.log_file = log
    yield installed
    installed.uninstall()
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, crash_handler.CrashDialog):
            widget.close()


# The exception is the point here: pytest-qt must not turn it into a failure before the handler sees it.
@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_of_the_running_window_is_logged_and_the_window_lives_on(
        qtbot, window, handler):
    def broken(*_):
        raise ZeroDivisionError("a bug in reset_weights")

    # Instance attributes set and deleted by hand: monkeypatch.undo() would also undo the log_path patch.
    small(window, epochs=20)
    window.model.reset_weights = broken
    try:
        with qtbot.waitSignal(handler.reported, timeout=WAIT_MS) as reported:
            window.act_reset.trigger()                # Reset → controller.reset → model.reset_weights
    finally:
        del window.model.reset_weights
    summary, details = reported.args
    assert summary == "ZeroDivisionError: a bug in reset_weights"
    assert "Traceback" in details and "reset" in details
    assert "a bug in reset_weights" in handler.log_file.read_text()
    qtbot.waitUntil(lambda: handler.last_dialog is not None and handler.last_dialog.isVisible(),
                    timeout=WAIT_MS)
    assert handler.last_dialog.parent() in (window, None)
    handler.last_dialog.close()

    # the window carries on: training still runs to the end
    assert window.isVisible()
    with qtbot.waitSignal(window.controller.finished, timeout=WAIT_MS) as finished:
        window.act_train.trigger()
    assert finished.args == ["max_epochs"]

    # a bug in a view's redraw slot (the curves' refresh on historyCleared) goes the same way
    def broken_draw(*_):
        raise ValueError("a bug in a redraw")

    curve = window.curves.train_curve
    curve.setData = broken_draw
    try:
        with qtbot.waitSignal(handler.reported, timeout=WAIT_MS) as reported:
            window.act_reset.trigger()
    finally:
        del curve.setData
    assert reported.args[0] == "ValueError: a bug in a redraw"
    assert handler.count == 2 and window.isVisible()
    assert handler.log_file.read_text().count("Traceback") == 2
    window.act_reset.trigger()                        # and the next redraw works again
    assert len(window.curves.curve_data("train")[0]) == 0


def _run_studio(qtbot, monkeypatch, example, watcher=None):
    """gui.app.run as `python main.py --example NAME` calls it, with exec() returning at once; returns
    (the window it made, the crash handler it installed — already uninstalled)."""
    app = QApplication.instance()
    windows = []
    real_create = app_module.create_window

    def create(*args, **kwargs):
        windows.append(real_create(*args, **kwargs))
        qtbot.addWidget(windows[-1])
        if watcher is not None:
            windows[-1].installEventFilter(watcher)
        return windows[-1]

    monkeypatch.setattr(app_module, "create_window", create)
    monkeypatch.setattr(type(app), "exec", lambda self: 0)
    previous_name = app.applicationName(), app.organizationName()
    try:
        assert app_module.run(example=example) == 0
        handler = app.crash_handler
        import sys
        assert sys.excepthook == handler.handle
    finally:
        app.crash_handler.uninstall()
        app.setApplicationName(previous_name[0])
        app.setOrganizationName(previous_name[1])
    assert len(windows) == 1
    return windows[0], handler


def test_run_installs_the_crash_handler(qtbot, monkeypatch):
    window, handler = _run_studio(qtbot, monkeypatch, "xor")
    assert isinstance(handler, crash_handler.CrashHandler)
    qtbot.waitUntil(lambda: window.model.example_name == "xor", timeout=10_000)


def test_the_window_shows_before_the_example_is_built_then_opens_it(qtbot, monkeypatch):
    # Building the example (pandas, the network, every view's first drawing) took ~0.5 s of a 1.45 s
    # start with nothing on screen: the window now paints first, says what it is opening, then opens it.
    seen_at_first_paint = []

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and obj.isWindow() and not seen_at_first_paint:
                seen_at_first_paint.append((obj.model.dataset, obj.message_bar.text()))
            return False

    watcher = FirstPaint()
    window, _ = _run_studio(qtbot, monkeypatch, "circles", watcher)
    qtbot.waitUntil(lambda: window.model.dataset is not None, timeout=10_000)
    assert seen_at_first_paint == [(None, "Opening the circles example…")]
    assert window.model.example_name == "circles" and window.model.network.layer_sizes[0] == 2
    assert "Opening" not in window.message_bar.text()


def test_the_qt_warning_fixture_sees_warnings(qt_warnings):
    """The conftest fixture itself: a warning is recorded (and would fail the test); offscreen noise is not."""
    qWarning("something the app should fix")
    qWarning("This plugin does not support propagateSizeHints()")
    assert qt_warnings == ["QtWarningMsg: something the app should fix"]
    qt_warnings.clear()
