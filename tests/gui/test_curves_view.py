"""The error curves follow a run without moving their axes on every epoch, and always show every point."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.training import EpochReport
from gui.curves_view import error_axis_range, nice_axis_end
from tests.gui.studio import open_window


@pytest.fixture
def window(qtbot):
    return open_window(qtbot)


def test_the_epoch_axis_ends_on_round_numbers_ahead_of_the_run():
    assert nice_axis_end(0) == 10 and nice_axis_end(8) == 10
    assert nice_axis_end(9) == 15 and nice_axis_end(100) == 150 and nice_axis_end(700) == 1000
    for last in [1, 7, 42, 99, 1234, 99_999, 10**6]:
        end = nice_axis_end(last)
        assert last * 1.2 <= end <= last * 1.2 * 1.5 + 10
        assert float(f"{end:.2g}") == end, "a round number"


def test_the_error_axis_starts_at_zero_or_on_whole_decades():
    assert error_axis_range(0.2, 2.0, 0.2, log=False) == (0.0, 2.1)
    assert error_axis_range(0.004, 2.0, 0.004, log=True) == (-3, 1)
    assert error_axis_range(0.0, 0.0, math.inf, log=True) is None
    lo, hi = error_axis_range(-1.0, 1.0, 1.0, log=False)
    assert lo < -1 and hi > 1


def _feed(controller, curves, values):
    """One report per epoch, each drawn as it arrives; returns how often either axis moved."""
    moves = []
    curves.loss_plot.vb.sigRangeChanged.connect(lambda *_: moves.append(1))
    start = controller.history.last_epoch
    for i, value in enumerate(values):
        controller._on_reports([EpochReport(epoch=start + i + 1, train_loss=float(value),
                                            val_loss=float(value) * 1.1, lr=0.1, run_id=controller.run_id)])
        curves.refresh()
        (x0, x1), (y0, y1) = curves.loss_plot.vb.viewRange()
        shown = (np.log10([value, value * 1.1]) if curves.log_y.isChecked() else [value, value * 1.1])
        assert x0 <= 1 and x1 >= start + i + 1, "the newest epoch is in view"
        assert all(y0 <= v <= y1 for v in shown), "the newest errors are in view"
    return len(moves)


@pytest.mark.parametrize("log", [False, True])
def test_1000_epochs_move_the_axes_only_a_few_times(qtbot, window, log):
    curves, controller = window.curves, window.controller
    curves.log_y.setChecked(log)
    errors = 2.0 * np.exp(-np.arange(1000) / 150) + 1e-3
    moves = _feed(controller, curves, errors)
    assert 0 < moves <= 30, f"the view moved {moves} times for 1000 epochs"


def test_a_rising_error_stays_in_view(qtbot, window):
    curves, controller = window.curves, window.controller
    _feed(controller, curves, np.geomspace(0.1, 1e6, 200))


def test_the_key_is_in_the_titles_so_nothing_covers_the_curves(qtbot, window):
    curves = window.curves
    for plot in (curves.loss_plot, curves.acc_plot):
        assert plot.legend is None                               # no box over the data (a rising validation
        title = plot.titleLabel.text                             # curve ends in the top-right corner)
        assert "━ train" in title and "━ val" in title, title   # "training", "validation" where there is room


def test_the_key_fits_a_narrow_pane(qtbot, window):
    from gui.curves_view import CurvesView

    curves = CurvesView(window.controller, window.model)
    qtbot.addWidget(curves)
    curves.resize(260, 420)
    curves.show()
    qtbot.waitExposed(curves)
    for plot, widget in ((curves.loss_plot, curves.loss_widget), (curves.acc_plot, curves.acc_widget)):
        title = plot.titleLabel
        assert "━ val" in title.text and "validation" not in title.text, title.text
        assert title.item.boundingRect().width() <= widget.width(), (title.item.boundingRect(), widget.width())
    curves.resize(700, 420)
    qtbot.waitUntil(lambda: "━ validation" in curves.acc_plot.titleLabel.text)
    assert "━ validation" in curves.loss_plot.titleLabel.text


def test_the_accuracy_axis_is_labelled_in_a_short_window(qtbot, window):
    from PySide6.QtGui import QImage, QPainter

    from gui.curves_view import CurvesView

    curves = CurvesView(window.controller, window.model)
    qtbot.addWidget(curves)
    curves.resize(300, 300)                   # the accuracy plot keeps ~35 px of axis
    curves.show()
    qtbot.waitExposed(curves)
    axis = curves.acc_plot.getAxis("left")
    assert axis.height() < 50
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    assert {"0", "1"} <= {text for _, _, text in texts}, texts


def test_axis_texts_fit_the_plots_of_a_short_window_and_come_back_in_a_tall_one(qtbot, window):
    # at 1024×640 "error (binary-cross-entropy)" was cut to "ror (binary-cross-entrop" and the accuracy
    # ticks ran into each other
    curves = window.curves
    label = lambda: curves.loss_plot.getAxis("left").labelText
    ticks = lambda: [text for _, text in curves.acc_plot.getAxis("left")._tickLevels[0]]
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: label() == "error" and ticks() == ["0", "1"], timeout=5000)
    assert curves.fontMetrics().horizontalAdvance(label()) <= curves.loss_plot.vb.height()
    assert curves.loss_plot.getAxis("left").toolTip().startswith("The binary-cross-entropy error of each training "
                                                                "sample, averaged over the epoch's samples")
    window.resize(1280, 1400)
    qtbot.waitUntil(lambda: label() == "error (binary-cross-entropy)" and ticks() == ["0", "0.5", "1"], timeout=5000)
