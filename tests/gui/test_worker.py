"""TrainingWorker and TrainingController: runs, pause/step/resume/stop, lr changes, errors, stale runs."""

from __future__ import annotations

import sys
import time
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication

from core.examples import load_example
from core.optimizers import make_optimizer
from core.training import EpochReport, TrainConfig
from gui import worker as worker_module
from gui.controller import FINISHED, IDLE, PAUSED, RUNNING, History, TrainingController
from gui.model import StudioModel
from gui.worker import TrainingWorker, start_in_thread, thread_running

WAIT_MS = 20_000


@pytest.fixture
def model():
    model = StudioModel()
    model.set_dataset(load_example("circles"), example_name="circles")
    model.edit_architecture(replace(model.architecture, hidden=(4,), hidden_activations=("tanh",)))
    model.update_settings(epochs=40)
    return model


@pytest.fixture
def controller(model):
    controller = TrainingController(model)
    yield controller
    controller.shutdown()


def deliver(controller):
    """Hand the controller what the worker has queued so far (no waiting)."""
    QCoreApplication.sendPostedEvents(controller, 0)


def wait_paused(qtbot, controller):
    """Until the worker blocks in its pause, then deliver what it flushed before blocking."""
    qtbot.waitUntil(lambda: controller._worker is not None and controller._worker.waiting, timeout=WAIT_MS)
    deliver(controller)


def test_run_reports_every_epoch_once(qtbot, controller, model):
    batches = []
    controller.reportsArrived.connect(batches.append)
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS) as finished:
        controller.train()
        assert controller.state == RUNNING and model.training_locked
    assert finished.args == ["max_epochs"]
    epochs = [r.epoch for batch in batches for r in batch]
    assert epochs == list(range(1, 41))
    np.testing.assert_array_equal(controller.history.epochs, np.arange(1, 41))
    assert np.isfinite(controller.history.train_loss).all() and np.isfinite(controller.history.val_loss).all()
    assert set(controller.history.metric_names) == {"train_accuracy", "val_accuracy"}
    assert controller.state == FINISHED and not model.training_locked
    assert controller.last_snapshot is not None and controller.last_snapshot.epoch == 40
    assert len(batches) <= 40


def test_reports_are_batched_and_weights_throttled(qtbot, model):
    model.set_dataset(load_example("xor"), example_name="xor")       # 4 rows: thousands of epochs/s
    model.update_settings(epochs=3000)
    controller = TrainingController(model)
    batches, snapshots = [], []
    controller.reportsArrived.connect(batches.append)
    controller.snapshotArrived.connect(snapshots.append)
    start = time.monotonic()
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS):
        controller.train()
    seconds = time.monotonic() - start
    controller.shutdown()
    reports = [r for batch in batches for r in batch]
    assert [r.epoch for r in reports] == list(range(1, 3001))
    with_weights = sum(r.weights is not None for r in reports)
    # ≥ 25 ms apart (taken only at epoch ends, so ~30 a second in practice), plus the last report's
    assert with_weights <= seconds / worker_module.WEIGHTS_INTERVAL + 2, "weights at most ~30–40 times a second"
    assert len(batches) <= 60 * seconds + 10, "reports batched to at most ~60 signals a second"
    assert len(batches) < len(reports)
    assert snapshots[-1].epoch == 3000


def test_pause_step_resume_stop_and_continue(qtbot, controller, model):
    model.update_settings(epochs=100_000)
    controller.train()
    qtbot.waitUntil(lambda: controller.history.last_epoch >= 3, timeout=WAIT_MS)
    controller.pause()
    assert controller.state == PAUSED
    wait_paused(qtbot, controller)
    paused_at = controller.history.last_epoch
    assert controller.history.last_epoch == paused_at          # nothing runs while paused

    for k in (1, 2):
        controller.step()
        qtbot.waitUntil(lambda: controller.history.last_epoch == paused_at + k, timeout=WAIT_MS)
        wait_paused(qtbot, controller)
        assert controller.history.last_epoch == paused_at + k, "a step is exactly one epoch"
        assert controller.state == PAUSED

    controller.train()                                           # Train while paused resumes
    assert controller.state == RUNNING
    qtbot.waitUntil(lambda: controller.history.last_epoch >= paused_at + 6, timeout=WAIT_MS)
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS) as finished:
        controller.stop()
    assert finished.args == ["stopped"]
    assert controller.state == FINISHED and not model.training_locked
    stopped_at = controller.history.last_epoch

    controller.train()                                           # continues: numbering goes on
    qtbot.waitUntil(lambda: controller.history.last_epoch >= stopped_at + 3, timeout=WAIT_MS)
    controller.stop()
    controller.shutdown()
    epochs = controller.history.epochs
    np.testing.assert_array_equal(epochs, np.arange(1, len(epochs) + 1))


def test_step_from_idle_runs_one_epoch(qtbot, controller):
    controller.step()
    assert controller.state == PAUSED
    qtbot.waitUntil(lambda: controller.history.last_epoch == 1, timeout=WAIT_MS)
    wait_paused(qtbot, controller)
    assert controller.history.last_epoch == 1
    assert controller.last_snapshot is not None and controller.last_snapshot.epoch == 1


def test_learning_rate_change_reaches_a_later_report(qtbot, controller, model):
    model.update_settings(epochs=100_000, lr=0.03)
    controller.train()
    qtbot.waitUntil(lambda: controller.history.last_epoch >= 2, timeout=WAIT_MS)
    model.update_settings(lr=0.0123)
    qtbot.waitUntil(lambda: controller.history.lr[-1] == pytest.approx(0.0123), timeout=WAIT_MS)
    assert controller.history.lr[0] == pytest.approx(0.03)
    controller.stop()


def test_limits_and_batch_changed_during_a_run_take_effect(qtbot, controller, model):
    # only η reached the worker: max epochs, target error, patience, batch and optimizer were shown as set
    # and ignored until the run's end
    model.update_settings(epochs=100_000, lr=0.03)
    controller.train()
    qtbot.waitUntil(lambda: controller.history.last_epoch >= 2, timeout=WAIT_MS)
    first_run = controller.run_id
    model.update_settings(batch_size=0)                     # full batch, from now on
    assert controller.state == RUNNING and controller.run_id > first_run
    epoch = controller.history.last_epoch
    qtbot.waitUntil(lambda: controller.history.last_epoch >= epoch + 2, timeout=WAIT_MS)
    assert np.all(np.diff(controller.history.epochs) == 1)   # one history, the epochs continue
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS) as done:
        model.update_settings(target_error=1e6)             # any loss is below it: the run ends at once
    assert done.args == ["target_error"]
    controller.train()
    qtbot.waitUntil(lambda: controller.history.last_epoch >= epoch + 4, timeout=WAIT_MS)
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS):
        model.update_settings(target_error=0.0, epochs=controller.history.last_epoch)   # a limit passed
    assert controller.state == FINISHED


def test_settings_changed_while_paused_apply_when_training_goes_on(qtbot, controller, model):
    model.update_settings(epochs=100_000)
    controller.step()
    wait_paused(qtbot, controller)
    paused_run = controller.run_id
    model.update_settings(optimizer="adam")
    assert controller.state == PAUSED and controller.run_id == paused_run      # nothing runs while paused
    controller.train()
    assert controller.state == RUNNING and controller.run_id > paused_run
    qtbot.waitUntil(lambda: controller.history.last_epoch >= 3, timeout=WAIT_MS)
    assert type(controller.optimizer).__name__.lower().startswith("adam")
    controller.stop()


def test_rapid_train_stop_cycles(qtbot, controller, model):
    model.update_settings(epochs=100_000)
    for _ in range(25):
        controller.train()
        QCoreApplication.processEvents()
        controller.stop()
    controller.train()
    qtbot.waitUntil(lambda: controller.history.last_epoch >= 2, timeout=WAIT_MS)
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS):
        controller.stop()
    epochs = controller.history.epochs
    np.testing.assert_array_equal(epochs, np.arange(1, len(epochs) + 1))
    assert controller.state == FINISHED and not model.training_locked
    controller.shutdown()                       # joins the last thread, which may still be winding down
    assert not any(thread_running(t) for t in worker_module.LIVE_THREADS)


def test_reports_of_stale_runs_are_dropped(qtbot, controller, model):
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS):
        controller.train()
    n = len(controller.history)
    old = controller.last_snapshot
    assert old.run_id == controller.run_id
    seen = []
    controller.reportsArrived.connect(seen.append)
    controller.snapshotArrived.connect(seen.append)
    controller.reset()                                            # a new run id: old reports are stale
    assert controller.state == IDLE and len(controller.history) == 0
    controller._on_reports([replace(old, epoch=1), replace(old, epoch=2)])
    assert len(controller.history) == 0 and seen == []
    stale = replace(old, run_id=controller.run_id + 5, epoch=n + 1)
    controller._on_reports([stale])
    assert len(controller.history) == 0 and seen == []


def test_divergence_is_reported_and_weights_stay_finite(qtbot, controller, model):
    model.set_dataset(load_example("product"), example_name="product")
    model.update_settings(lr=10.0, epochs=500, batch_size=0, init="uniform")
    with qtbot.waitSignal(controller.errored, timeout=WAIT_MS) as errored:
        controller.train()
    qtbot.waitUntil(lambda: controller.state == FINISHED, timeout=WAIT_MS)
    assert "diverged" in errored.args[0]
    assert "\n" not in errored.args[0]
    assert model.network.params_finite()
    assert not model.training_locked


def test_unexpected_exception_is_one_line_in_the_ui_and_a_traceback_on_stderr(qtbot, controller,
                                                                             monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")
        yield  # pragma: no cover - makes this a generator like core.training.train

    monkeypatch.setattr(worker_module, "train", broken)
    finished = []
    controller.finished.connect(finished.append)
    with qtbot.waitSignal(controller.errored, timeout=WAIT_MS) as errored:
        controller.train()
    qtbot.waitUntil(lambda: finished == ["error"], timeout=WAIT_MS)
    assert "RuntimeError: boom" in errored.args[0] and "\n" not in errored.args[0]
    assert "Traceback" in capsys.readouterr().err


def test_training_without_data_says_so(qtbot):
    controller = TrainingController(StudioModel())
    with qtbot.waitSignal(controller.errored) as errored:
        controller.train()
    assert "CSV" in errored.args[0]
    assert controller.state == IDLE


def test_worker_alone_in_a_thread(qtbot, model):
    dataset, network = model.dataset, model.network
    worker = TrainingWorker(network, make_optimizer("sgd", 0.1), dataset.X_train, dataset.Y_train,
                            dataset.X_val, dataset.Y_val, TrainConfig(epochs=5), task=dataset.task, run_id=7)
    got = []
    worker.reports.connect(got.extend)         # no receiver object: runs in the worker thread
    finished = []
    # Not qtbot.waitSignal: its slot would run in the worker thread too and stop waitSignal's timeout
    # QTimer from there ("Timers cannot be stopped from another thread").
    worker.finished.connect(lambda *args: finished.append(list(args)))
    thread = start_in_thread(worker, "test-worker")
    qtbot.waitUntil(lambda: not thread_running(thread), timeout=WAIT_MS)
    assert finished == [[7, "max_epochs"]]
    assert [r.epoch for r in got] == [1, 2, 3, 4, 5] and {r.run_id for r in got} == {7}
    assert not thread_running(thread)


def test_history_grows_and_pads_late_metrics():
    history = History()
    first = [EpochReport(epoch=e, train_loss=1.0 / e, val_loss=None, lr=0.1) for e in range(1, 1500)]
    history.append(first)
    later = [EpochReport(epoch=1500, train_loss=0.5, val_loss=0.6, metrics={"val_r2": 0.9}, lr=0.1)]
    history.append(later, elapsed_offset=2.0)
    assert len(history) == 1500 and history.last_epoch == 1500
    assert np.isnan(history.val_loss[:-1]).all() and history.val_loss[-1] == 0.6
    r2 = history.metric("val_r2")
    assert len(r2) == 1500 and np.isnan(r2[:-1]).all() and r2[-1] == 0.9
    assert history.elapsed[-1] == 2.0
    history.clear()
    assert len(history) == 0 and history.last_epoch == 0


def test_history_keeps_a_metric_beyond_float32_as_infinity_without_a_warning():
    """A diverging float64 run can report an RMSE of 1e200: the 4-byte metric column holds it as +inf
    (the curves draw the finite part) instead of printing numpy's overflow warning each epoch."""
    import warnings

    history = History()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history.append([EpochReport(epoch=1, train_loss=1e200, val_loss=1e201, metrics={"val_rmse": 1e200},
                                    lr=0.1)])
    assert [str(w.message) for w in caught] == []
    assert history.train_loss[-1] == 1e200                # errors stay float64
    assert history.metric("val_rmse")[-1] == np.inf


def test_training_hands_over_the_gil_often_only_while_the_gui_draws_what_it_was_sent(monkeypatch):
    """A zero-length sleep lets the GUI thread in but costs the training thread ~75 µs: every 2 ms just after
    reports went out (the GUI is drawing them), every 20 ms otherwise."""
    clock = [100.0]
    yields = []
    monkeypatch.setattr(worker_module.time, "perf_counter", lambda: clock[0])
    monkeypatch.setattr(worker_module.time, "sleep", lambda s: yields.append(clock[0]))
    worker = TrainingWorker(None, make_optimizer("sgd", 0.1), None, None, None, None, TrainConfig())

    def train_for(seconds, step=0.0005):
        yields.clear()
        end = clock[0] + seconds
        while clock[0] < end:
            assert worker._should_stop() is False          # between batches of 0.5 ms
            clock[0] += step
        return len(yields)

    idle = train_for(0.2)                                 # nothing sent to the GUI: it is idle
    worker._pending.append(object())
    worker._flush()                                        # reports go out: the GUI draws them now
    busy = train_for(worker_module.GUI_BUSY_WINDOW)
    after = train_for(0.2)
    assert idle == pytest.approx(0.2 / worker_module.GIL_IDLE_YIELD_INTERVAL, abs=1)
    assert busy == pytest.approx(worker_module.GUI_BUSY_WINDOW / worker_module.GIL_YIELD_INTERVAL, abs=1)
    assert after == pytest.approx(0.2 / worker_module.GIL_IDLE_YIELD_INTERVAL, abs=1)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="timer slack is a Linux setting")
def test_the_training_thread_sleeps_without_timer_slack():
    import ctypes
    import threading

    from gui.worker import _fine_timer_slack

    seen = []

    def thread():
        libc = ctypes.CDLL(None)
        before = libc.prctl(30, 0, 0, 0, 0)          # PR_GET_TIMERSLACK
        _fine_timer_slack()
        seen.extend([before, libc.prctl(30, 0, 0, 0, 0)])
    t = threading.Thread(target=thread)
    t.start()
    t.join()
    assert seen[0] > 1 and seen[1] == 1              # 50 µs by default, 1 ns for the thread that trains
