"""Live error curves: training and validation loss per epoch, and accuracy for classification.

The plot items are created once; new epochs only call setData on them, at most 10 times a second
(reports arrive up to 60 times a second; every redraw is GUI time taken from a small net's training). clipToView + peak downsampling keep
10^5-epoch curves cheap to draw. No grid and no antialiasing: in pyqtgraph's raster drawing the grid
lines alone cost more than the curves, and every millisecond of drawing is taken from training.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Slot
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui.controller import RateLimiter

REDRAW_INTERVAL_MS = 100     # 10 redraws a second: enough to watch E fall, little taken from training
SHRINK_X_BELOW = 0.3        # a new, shorter run gets a tighter axis
TRAIN_COLOR = "#1f77b4"
VAL_COLOR = "#ff7f0e"
# The key sits in the title, outside the data: a legend box inside covered the end of a rising
# validation curve, which is what an overfitting run is about.
KEY = (f"&nbsp;&nbsp;<span style='color:{TRAIN_COLOR}; font-size:9pt'>━ training</span>"
       f"&nbsp;&nbsp;<span style='color:{VAL_COLOR}; font-size:9pt'>━ validation</span>")
# in a narrow pane (a small screen, a wide Output dock) the full key ran off the plot's right edge
SHORT_KEY = (f"&nbsp;<span style='color:{TRAIN_COLOR}; font-size:9pt'>━ train</span>"
             f"&nbsp;<span style='color:{VAL_COLOR}; font-size:9pt'>━ val</span>")
SHORT_KEY_BELOW_PX = 340
ACC_TICKS = [(0.0, "0"), (0.5, "0.5"), (1.0, "1")]   # fixed: pyqtgraph's own stacked six into a short axis


def nice_axis_end(last_epoch: int) -> int:
    """The epoch axis' end for a run at `last_epoch`: the next of 10, 15, 20, 30, 40, 50, 60, 80, 100, 150 …
    at least a fifth beyond it, so the axis moves a few times per decade and the curve keeps room to grow."""
    want = max(10.0, last_epoch * 1.2)
    scale = 10 ** math.floor(math.log10(want))
    for step in (1, 1.5, 2, 3, 4, 5, 6, 8, 10):
        if step * scale >= want:
            return int(round(step * scale))
    return int(round(10 * scale))


def error_axis_range(low: float, high: float, lowest_positive: float, log: bool) -> tuple[float, float] | None:
    """The error axis for finite values in [low, high]: from 0 (errors are ≥ 0) to a little above the
    largest on a linear axis; whole decades on a log axis (in log10 units, as pyqtgraph's log mode wants)."""
    if log:
        if not math.isfinite(lowest_positive) or high <= 0:
            return None
        bottom, top = math.floor(math.log10(lowest_positive)), math.ceil(math.log10(high))
        return (bottom, top if top > bottom else bottom + 1)
    if low >= 0:
        return (0.0, high * 1.05 if high > 0 else 1.0)
    span = (high - low) or abs(high) or 1.0
    return (low - 0.05 * span, high + 0.05 * span)


def _plot_widget(title: str, y_label: str) -> pg.PlotWidget:
    widget = pg.PlotWidget(background="w")
    plot = widget.getPlotItem()
    plot.setTitle(title, color="#303030", size="10pt")
    plot.setLabel("bottom", "epoch", color="#303030")
    plot.setLabel("left", y_label, color="#303030")
    plot.setClipToView(True)
    plot.setDownsampling(auto=True, mode="peak")
    for name in ("bottom", "left"):
        axis = plot.getAxis(name)
        axis.setPen("#606060")
        axis.setTextPen("#303030")
        axis.enableAutoSIPrefix(False)      # "0.07", not "70 (×0.001)"
    return widget


class CurvesView(QWidget):
    def __init__(self, controller, model, parent=None):
        super().__init__(parent)
        self.controller, self.model = controller, model

        self.log_y = QCheckBox("Log scale")
        self.log_y.setToolTip("Show the error on a logarithmic axis: late, small improvements stay visible.")
        self.readout = QLabel(" ")
        self.readout.setStyleSheet("color: #404040;")
        top = QHBoxLayout()
        top.addWidget(self.log_y)
        top.addSpacing(12)
        top.addWidget(self.readout, 1)

        self.loss_widget = _plot_widget(f"Error{KEY}", "error E")
        self.loss_plot = self.loss_widget.getPlotItem()
        self.train_curve = self.loss_plot.plot(name="training", pen=pg.mkPen(TRAIN_COLOR, width=2),
                                               connect="finite")
        self.val_curve = self.loss_plot.plot(name="validation", pen=pg.mkPen(VAL_COLOR, width=2),
                                             connect="finite")

        self.acc_widget = _plot_widget(f"Accuracy{KEY}", "accuracy")
        self.acc_plot = self.acc_widget.getPlotItem()
        self.acc_plot.setXLink(self.loss_plot)
        self.acc_plot.setYRange(0, 1.02, padding=0)
        acc_axis = self.acc_plot.getAxis("left")
        acc_axis.setTicks([ACC_TICKS, []])
        # "0" and "1" stand a little past a short axis, and three labels may fill more of it than
        # pyqtgraph allows by default (it then drew none)
        acc_axis.setStyle(hideOverlappingLabels=False, textFillLimits=[(0, 1.5)])
        self.train_acc_curve = self.acc_plot.plot(name="training", pen=pg.mkPen(TRAIN_COLOR, width=2),
                                                  connect="finite")
        self.val_acc_curve = self.acc_plot.plot(name="validation", pen=pg.mkPen(VAL_COLOR, width=2),
                                                connect="finite")

        self.best_line = pg.InfiniteLine(angle=90, movable=False, label="best",
                                         pen=pg.mkPen("#2ca02c", width=1, style=pg.QtCore.Qt.DashLine),
                                         labelOpts={"position": 0.92, "color": "#2ca02c"})
        self.best_line.hide()
        self.loss_plot.addItem(self.best_line, ignoreBounds=True)

        self._cursors = []
        for plot in (self.loss_plot, self.acc_plot):
            line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#909090", style=pg.QtCore.Qt.DashLine))
            line.hide()
            plot.addItem(line, ignoreBounds=True)
            self._cursors.append(line)
            plot.scene().sigMouseMoved.connect(self._on_mouse_moved)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.loss_widget, 3)
        layout.addWidget(self.acc_widget, 2)
        self._short_key = False

        # The epoch axis follows the run by hand, not by pyqtgraph's auto-range: with auto-range,
        # clipToView and auto-downsampling on two x-linked plots, the range can settle on neither of two
        # values (each one's downsampled bounds imply the other). Seen after a 100 000-epoch XOR run: the
        # plots redrew ~500 times a second for ever and never showed the last 30 000 epochs.
        # The error axis follows by hand too (_follow_errors), so it moves only when the errors leave it.
        self._follow_x = True
        self._x_end = None
        self._y_range = None                  # the error range shown while following the run
        self._y_seen = None                   # (min, max, min > 0) of the errors scanned so far
        self._y_scanned = 0                   # epochs of the history scanned into _y_seen
        self.loss_plot.enableAutoRange(x=False, y=False)
        for plot in (self.loss_plot, self.acc_plot):
            plot.vb.sigRangeChangedManually.connect(self._on_manual_range)
            plot.autoBtn.clicked.connect(self._on_auto_button)   # after pyqtgraph's own handler

        self._limiter = RateLimiter(self.refresh, REDRAW_INTERVAL_MS, self)
        self._loss_label, self._loss_tip, self._shown_label = "error", "", None
        for plot in (self.loss_plot, self.acc_plot):
            plot.vb.sigResized.connect(self._fit_axis_texts)
        self.log_y.toggled.connect(self._on_log_toggled)
        controller.reportsArrived.connect(self._schedule)
        controller.historyCleared.connect(self._on_history_cleared)
        controller.historyCleared.connect(lambda: self.mark_epoch(0))
        model.dataChanged.connect(self._on_data_changed)
        model.networkChanged.connect(self._update_labels)
        self._on_data_changed()

    # ---- updates ------------------------------------------------------------------------------------
    @Slot(list)
    def _schedule(self, *_):
        self._limiter.poke()

    @Slot()
    def refresh(self) -> None:
        """Push the controller's history into the curves (the arrays are views, nothing is copied)."""
        history = self.controller.history
        x = history.epochs
        self.train_curve.setData(x, history.train_loss)
        val = history.val_loss
        if np.isfinite(val).any():
            self.val_curve.setData(x, val)
        else:
            self.val_curve.setData([], [])
        for curve, name in ((self.train_acc_curve, "train_accuracy"), (self.val_acc_curve, "val_accuracy")):
            values = history.metric(name)
            if values is None:
                curve.setData([], [])
            else:
                curve.setData(x, values)
        self._follow_epochs()

    def _follow_epochs(self) -> None:
        """Show epochs 1 … end, where end grows in a few nice steps ahead of the run, and an error range
        that changes only when the error leaves it — unless the user has panned or zoomed. Moving an
        axis re-lays out the plots and their tick labels: a redraw that moved both axes on every epoch
        measured 6.6 ms, one that moved none 1.3 ms."""
        if not self._follow_x:
            return
        last = self.controller.history.last_epoch
        if self._x_end is None or last > self._x_end or last < self._x_end * SHRINK_X_BELOW:
            self._x_end = nice_axis_end(last)
            self.loss_plot.setXRange(1, self._x_end, padding=0.02)
        self._follow_errors()

    def _follow_errors(self) -> None:
        history = self.controller.history
        n = len(history)
        if n < self._y_scanned:                       # a new run or a cleared history
            self._y_scanned, self._y_seen = 0, None
        if n > self._y_scanned:
            new = np.concatenate([history.train_loss[self._y_scanned:], history.val_loss[self._y_scanned:]])
            new = new[np.isfinite(new)]
            if new.size:
                positive = new[new > 0]
                seen = (float(new.min()), float(new.max()), float(positive.min()) if positive.size else math.inf)
                old = self._y_seen
                self._y_seen = seen if old is None else (min(old[0], seen[0]), max(old[1], seen[1]),
                                                         min(old[2], seen[2]))
            self._y_scanned = n
        if self._y_seen is None:
            return
        wanted = error_axis_range(*self._y_seen, log=self.log_y.isChecked())
        if wanted is None:
            return
        shown = self._y_range
        # Keep the range while it holds every value and the values still fill half of it.
        if shown is not None and shown[0] <= wanted[0] and wanted[1] <= shown[1] \
                and (wanted[1] - wanted[0]) >= 0.5 * (shown[1] - shown[0]):
            return
        self._y_range = wanted
        self.loss_plot.setYRange(*wanted, padding=0)

    @Slot()
    def _on_manual_range(self, *_) -> None:
        self._follow_x = False

    @Slot()
    def _on_auto_button(self) -> None:
        """The plot's "A" button: fit y again and follow the epochs again."""
        self.loss_plot.enableAutoRange(x=False, y=False)
        self._follow_x, self._x_end, self._y_range = True, None, None
        self._follow_epochs()

    @Slot()
    def _on_history_cleared(self) -> None:
        self._follow_x, self._x_end, self._y_range = True, None, None
        self._y_seen, self._y_scanned = None, 0
        self.refresh()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        short = self.width() < SHORT_KEY_BELOW_PX
        if short != self._short_key:
            self._short_key = short
            key = SHORT_KEY if short else KEY
            self.loss_plot.setTitle(f"Error{key}", color="#303030", size="10pt")
            self.acc_plot.setTitle(f"Accuracy{key}", color="#303030", size="10pt")

    @Slot(int)
    def mark_epoch(self, epoch: int) -> None:
        """Mark the epoch whose weights are best on validation (0 removes the mark)."""
        if epoch > 0:
            self.best_line.setValue(epoch)
            self.best_line.show()
        else:
            self.best_line.hide()

    def curve_data(self, which: str = "train") -> tuple[np.ndarray, np.ndarray]:
        """The full (epochs, values) a curve holds — before clipping and downsampling."""
        curve = {"train": self.train_curve, "val": self.val_curve,
                 "train_accuracy": self.train_acc_curve, "val_accuracy": self.val_acc_curve}[which]
        x, y = curve.getOriginalDataset()
        return (np.array([]), np.array([])) if x is None else (x, y)

    @Slot(bool)
    def _on_log_toggled(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)
        self._y_range = None
        self._follow_epochs()

    @Slot()
    def _on_data_changed(self) -> None:
        self.acc_widget.setVisible(self.model.task == "classification")
        self._update_labels()

    @Slot()
    def _update_labels(self) -> None:
        network = self.model.network
        loss = network.loss if network is not None else "mse"
        self._loss_label = "error E: mean of ½Σ(t−o)²" if loss == "mse" else f"error ({loss})"
        self._loss_tip = (f"{'E = ½Σₖ(tₖ−Oₖ)²' if loss == 'mse' else f'The {loss} error'} of each training "
                          "sample, averaged over the epoch's samples (each measured before its batch's "
                          "update); validation: the same mean over the validation rows after the epoch.")
        self._shown_label = None
        self._fit_axis_texts()

    @Slot()
    def _fit_axis_texts(self, *_) -> None:
        """Axis texts no longer than the plots are tall: a short window gets "error" for "error
        (binary-cross-entropy)" (the title keeps nothing from it, the hover says the loss), and two
        accuracy ticks for three (at 1024×640 they ran into each other)."""
        room = self.loss_plot.vb.height()
        label = self._loss_label if self.fontMetrics().horizontalAdvance(self._loss_label) + 8 <= room else "error"
        if label != self._shown_label:
            self._shown_label = label
            self.loss_plot.setLabel("left", label, color="#303030")
            self.loss_plot.getAxis("left").setToolTip(self._loss_tip)
        ticks = ACC_TICKS if self.acc_plot.vb.height() >= 3 * self.fontMetrics().height() else ACC_TICKS[::2]
        self.acc_plot.getAxis("left").setTicks([ticks, []])

    # ---- hover readout ------------------------------------------------------------------------------
    @Slot(object)
    def _on_mouse_moved(self, pos) -> None:
        history = self.controller.history
        plot = next((p for p in (self.loss_plot, self.acc_plot)
                     if p.isVisible() and p.vb.sceneBoundingRect().contains(pos)), None)
        if plot is None or not len(history):
            for line in self._cursors:
                line.hide()
            return
        x = plot.vb.mapSceneToView(pos).x()
        epochs = history.epochs
        i = int(np.clip(np.searchsorted(epochs, x), 0, len(epochs) - 1))
        if i > 0 and abs(epochs[i - 1] - x) < abs(epochs[i] - x):
            i -= 1
        parts = [f"epoch {int(epochs[i])}", f"training {history.train_loss[i]:.5g}"]
        if np.isfinite(history.val_loss[i]):
            parts.append(f"validation {history.val_loss[i]:.5g}")
        for name, label in (("train_accuracy", "train acc"), ("val_accuracy", "val acc")):
            values = history.metric(name)
            if values is not None and np.isfinite(values[i]):
                parts.append(f"{label} {values[i]:.1%}")
        parts.append(f"η {history.lr[i]:.4g}")
        self.readout.setText(" · ".join(parts))
        for line in self._cursors:
            line.setValue(float(epochs[i]))
            line.show()
