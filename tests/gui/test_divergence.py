"""A diverging run in the window: it stops, says at which epoch and what to try, keeps finite weights,
and the curves stay readable (no inf or NaN in what is plotted, a finite axis range, linear or log)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from core.training import EpochReport
from gui.app import create_window
from gui.controller import FINISHED

WAIT_MS = 20_000


@pytest.fixture
def window(qtbot):
    window = create_window(example="sine")       # regression: a too-large η overflows instead of saturating
    qtbot.addWidget(window)
    window.show()
    return window


def settle(qtbot, window):
    """Redraw the curves now and let pyqtgraph finish its deferred auto-range."""
    window.curves.refresh()
    vb = window.curves.loss_plot.vb
    qtbot.waitUntil(lambda: not vb._autoRangeNeedsUpdate, timeout=WAIT_MS)
    qtbot.wait(20)


def assert_readable(curves):
    """Every plotted point and both axis ranges are finite, on every plot of the view."""
    for plot in (curves.loss_plot, curves.acc_plot):
        for item in plot.listDataItems():
            for data in (item.getData(), item.getOriginalDataset()):
                for values in data:
                    if values is not None:
                        assert np.isfinite(values).all(), f"{item.name()}: non-finite values plotted"
        for lo, hi in plot.vb.viewRange():
            assert math.isfinite(lo) and math.isfinite(hi) and hi > lo


def diverged_epoch(text: str) -> int:
    match = re.search(r"diverged at epoch (\d+)", text)
    assert match, text
    return int(match.group(1))


def test_lr_1000_stops_at_once_says_where_and_keeps_the_initial_weights(qtbot, window):
    model, controller = window.model, window.controller
    before = [w.copy() for w in model.network.weights]
    model.update_settings(lr=1000.0)
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS) as finished:
        window.act_train.trigger()
    assert finished.args == ["error"] and controller.state == FINISHED
    text = window.message_bar.text()
    assert window.message_bar.level == "error"
    assert diverged_epoch(text) == 1
    assert "η = 100" in text, "suggests a concrete smaller learning rate"
    assert text.endswith("if it diverges again, Reset (R) to start from the seed's weights.")
    assert model.network.params_finite()
    for w, w0 in zip(model.network.weights, before):
        np.testing.assert_array_equal(w, w0)        # nothing finite came after the initial weights
    assert len(controller.history) == 0
    for log in (False, True):
        window.curves.log_y.setChecked(log)
        settle(qtbot, window)
        assert_readable(window.curves)
    assert not model.training_locked and window.act_train.isEnabled()


def test_divergence_mid_run_rolls_back_and_the_views_show_the_kept_weights(qtbot, window):
    model, controller = window.model, window.controller
    model.update_settings(lr=0.01, epochs=100_000)
    window.act_train.trigger()
    qtbot.waitUntil(lambda: controller.history.last_epoch >= 20, timeout=WAIT_MS)
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS) as finished:
        model.update_settings(lr=1000.0)                   # the running rate changes from the next batch
    assert finished.args == ["error"]
    epoch = diverged_epoch(window.message_bar.text())
    last = controller.history.last_epoch
    assert epoch == last + 1 > 20, "the message names the first epoch that did not finish"
    assert "smaller learning rate" in window.message_bar.text()
    network = model.network
    assert network.params_finite()
    # The views were showing a snapshot taken up to 1/30 s earlier; they now show the kept weights.
    snapshot = controller.last_snapshot
    assert snapshot.epoch == last
    for w, shown in zip(network.weights, snapshot.weights):
        np.testing.assert_array_equal(w, shown)
    qtbot.waitUntil(lambda: np.array_equal(window.weights.images[0].image[:-1], network.weights[0]),
                    timeout=WAIT_MS)
    epochs = controller.history.epochs
    np.testing.assert_array_equal(epochs, np.arange(1, last + 1))
    assert np.isfinite(controller.history.train_loss).all()
    for log in (False, True, False):
        window.curves.log_y.setChecked(log)
        settle(qtbot, window)
        assert_readable(window.curves)
        x, y = window.curves.curve_data("train")
        assert len(x) == last

    # Train again with a sane rate: it continues from the kept weights and the numbering goes on. The
    # kept weights are the last finite ones, which η = 1000 may already have blown up to the edge of
    # overflow, so diverging once more is a correct outcome too (seen about once in eight runs).
    model.update_settings(lr=0.01, epochs=last + 5)
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS) as finished:
        window.act_train.trigger()
    if finished.args == ["error"]:
        assert diverged_epoch(window.message_bar.text()) == controller.history.last_epoch + 1 > last
        assert model.network.params_finite()
    else:
        assert finished.args == ["max_epochs"] and controller.history.last_epoch == last + 5
    epochs = controller.history.epochs
    np.testing.assert_array_equal(epochs, np.arange(1, len(epochs) + 1))


@pytest.mark.parametrize("top", [1e30, 3.4e38, 1e300])
def test_huge_but_finite_losses_keep_the_axes_finite(qtbot, window, top):
    """A run whose error grows to `top` without overflowing: linear and log axes stay finite and show it."""
    controller, curves = window.controller, window.curves
    losses = np.geomspace(0.5, top, 60)
    reports = [EpochReport(epoch=i + 1, train_loss=float(v), val_loss=float(v) * 1.5, lr=0.1,
                           run_id=controller.run_id) for i, v in enumerate(losses)]
    controller._on_reports(reports)
    for log in (False, True, False, True):
        curves.log_y.setChecked(log)
        settle(qtbot, window)
        assert_readable(curves)
        lo, hi = curves.loss_plot.vb.viewRange()[1]
        shown_top = math.log10(top * 1.5) if log else top * 1.5
        assert lo <= (math.log10(0.5) if log else 0.5) and hi >= shown_top * 0.999, "the whole curve is in view"
    curves.log_y.setChecked(False)


def test_a_100k_epoch_history_settles_and_shows_every_epoch(qtbot, window):
    """The epoch axis follows the run and then stays still: with pyqtgraph's own x auto-range (clipToView +
    auto-downsampling, two x-linked plots) it could flip between two ranges for ever after a long run."""
    controller, curves = window.controller, window.curves
    rng = np.random.default_rng(3)
    epochs = np.arange(1, 100_001)
    loss = 0.7 * np.exp(-epochs / 3000) + 1e-4 * rng.random(len(epochs))
    acc = np.where(epochs < 2000, 0.5 + 0.25 * (epochs % 3 == 0), 1.0)
    reports = [EpochReport(epoch=int(e), train_loss=float(v), val_loss=None, lr=0.1,
                           metrics={"train_accuracy": float(a)}, run_id=controller.run_id)
               for e, v, a in zip(epochs, loss, acc)]
    for start in range(0, len(reports), 7_000):          # arriving in batches, drawn as they come
        controller._on_reports(reports[start:start + 7_000])
        curves.refresh()
        qtbot.wait(5)
    settle(qtbot, window)
    changes = []
    curves.loss_plot.vb.sigRangeChanged.connect(lambda *a: changes.append(1))
    qtbot.wait(300)
    assert changes == [], "the view keeps changing its range with nothing new to show"
    (x0, x1), _ = curves.loss_plot.vb.viewRange()
    assert x0 <= 1 and x1 >= 100_000
    assert_readable(curves)

    # a user's zoom is kept while epochs arrive; the plot's "A" button follows the run again
    curves.loss_plot.vb.setXRange(100, 200, padding=0)
    curves.loss_plot.vb.sigRangeChangedManually.emit([True, True])
    controller._on_reports([EpochReport(epoch=100_001, train_loss=0.1, val_loss=None, lr=0.1,
                                        run_id=controller.run_id)])
    curves.refresh()
    assert curves.loss_plot.vb.viewRange()[0] == [100, 200]
    curves.loss_plot.autoBtn.clicked.emit(curves.loss_plot.autoBtn)
    assert curves.loss_plot.vb.viewRange()[0][1] >= 100_001
