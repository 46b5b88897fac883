"""What the Output dock's views share: a private copy of the network, a visible-only throttle, colours.

While a run is active the worker thread changes model.network's arrays in place, between any two lines
of GUI code: evaluating it then would mix weights of different batches (or read half-written ones). So
the Output dock's views evaluate a NetworkMirror instead — a copy taken while no run owns the network,
and then fed from the run's frozen snapshots (copies made by the training thread).
"""

from __future__ import annotations

import time

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QColor

from core.errors import BackpropError
from core.network import Network

MIN_INTERVAL_MS = 100          # at most 10 redraws a second
GUI_SHARE = 0.03               # a slow redraw waits 1/GUI_SHARE times its own length before the next
# Class colours: TensorFlow Playground's orange/blue for two classes (its learners know them), then
# Tableau-10 hues, which stay apart for colour-blind readers better than a rainbow.
CLASS_COLOURS = ("#e8710a", "#1a73b8", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf")
TEXT_COLOUR = "#303030"
AXIS_COLOUR = "#606060"


def class_colour(index: int) -> QColor:
    if index < len(CLASS_COLOURS):
        return QColor(CLASS_COLOURS[index])
    # Beyond ten classes: golden-angle hues, distinct enough and stable per index.
    return QColor.fromHsvF((index * 0.618034) % 1.0, 0.65, 0.8)


def light(colour: QColor, strength: float) -> QColor:
    """`colour` mixed with white: strength 1 is the colour, 0 is white."""
    r, g, b, _ = colour.getRgbF()
    return QColor.fromRgbF(1 - strength * (1 - r), 1 - strength * (1 - g), 1 - strength * (1 - b))


def discard(widgets) -> None:
    """Remove widgets from view now; deleteLater alone leaves them drawn until the event loop runs."""
    for widget in widgets:
        widget.hide()
        widget.setParent(None)
        widget.deleteLater()


def style_plot(plot: pg.PlotItem, title: str | None = None, bottom: str | None = None,
               left: str | None = None) -> pg.PlotItem:
    """The house look: white background set by the widget, dark text, grey axes, no SI prefixes."""
    if title is not None:
        plot.setTitle(title, color=TEXT_COLOUR, size="9pt")
    for name, label in (("bottom", bottom), ("left", left)):
        axis = plot.getAxis(name)
        axis.setPen(AXIS_COLOUR)
        axis.setTextPen(TEXT_COLOUR)
        axis.enableAutoSIPrefix(False)
        if label is not None:
            plot.setLabel(name, label, color=TEXT_COLOUR)
    plot.hideButtons()
    plot.setMenuEnabled(False)
    return plot


class NetworkMirror(QObject):
    """`network` is this object's own Network (GUI thread only), updated from snapshots; `changed`
    tells views to redraw. `network` is None while the studio has no network."""

    changed = Signal()

    def __init__(self, model, controller, parent=None):
        super().__init__(parent)
        self.model, self.controller = model, controller
        self.network: Network | None = None
        self.epoch = 0                       # epoch of the weights held (0: not trained, or unknown)
        # The run's outputs on the validation set for these weights (from the snapshot), or None: views
        # use them instead of a forward pass in the GUI thread, which would compete with training for
        # the BLAS threads (measured: a confusion matrix per snapshot cost the run ~5 % of its speed).
        self.val_outputs = None
        model.networkChanged.connect(self.sync)
        controller.historyCleared.connect(self.sync)
        controller.stateChanged.connect(self._on_state_changed)
        controller.snapshotArrived.connect(self._on_snapshot)
        self.sync()

    @Slot()
    def sync(self) -> None:
        """Copy model.network — only when no run owns it (snapshots bring the weights meanwhile).
        Connect anything that changes the weights while idle (an inspector step, an import) here."""
        if self.controller.active:
            return
        source = self.model.network
        if source is None:
            self.network = None
        elif self._same_architecture(source):
            self.network.set_params(source.weights, source.biases)
        else:
            self.network = source.copy()
        self.epoch = self.controller.history.last_epoch
        self.val_outputs = None
        self.changed.emit()

    def _same_architecture(self, other: Network) -> bool:
        mine = self.network
        return (mine is not None and mine.layer_sizes == other.layer_sizes
                and mine.activations == other.activations and mine.loss == other.loss
                and mine.dtype == other.dtype)

    @Slot(str)
    def _on_state_changed(self, _state: str) -> None:
        # A finished run's last weights (early stopping restores the best ones) may postdate the last
        # snapshot the worker chose to send; once the run is over the network itself is safe to read.
        if not self.controller.active:
            self.sync()

    @Slot(object)
    def _on_snapshot(self, report) -> None:
        if self.network is None or report.weights is None:
            return
        try:
            self.network.set_params(report.weights, report.biases)
        except BackpropError:
            return                           # a snapshot of another architecture: the next sync fixes it
        self.epoch = report.epoch
        self.val_outputs = report.val_outputs
        self.changed.emit()


class VisibleRefresh(QObject):
    """Calls `callback` after `poke()` — at once when idle, else at the end of the current interval —
    but only while `widget` is visible; a hidden widget is redrawn once when it is shown again.

    The interval grows with the redraw's own cost (GUI_SHARE), so evaluating a large validation set
    never takes more than 3 % of the GUI thread, whatever the machine: during training every
    millisecond the GUI thread computes is one the training thread waits for the GIL or a core.
    """

    def __init__(self, widget, callback, interval_ms: int = MIN_INTERVAL_MS):
        super().__init__(widget)
        self._widget, self._callback = widget, callback
        self._dirty = False
        self._min_interval = interval_ms
        self._timer = QTimer(self, singleShot=True, interval=interval_ms)
        self._timer.timeout.connect(self._on_timeout)
        widget.installEventFilter(self)

    def poke(self, *_) -> None:
        self._dirty = True
        if self._widget.isVisible() and not self._timer.isActive():
            self._run()

    def flush(self) -> None:
        """Redraw now if a poke is waiting for its interval and the widget shows: for when no run is
        training, so a run's last numbers or a new file's do not wait up to a second."""
        if self._dirty and self._widget.isVisible():
            self._timer.stop()
            self._run()

    def run_now(self) -> None:
        """Redraw now (tests, and views that need the result at once)."""
        self._dirty = True
        self._run()

    def _run(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        start = time.perf_counter()
        self._callback()
        cost_ms = (time.perf_counter() - start) * 1000
        self._timer.start(max(self._min_interval, int(cost_ms / GUI_SHARE)))

    @Slot()
    def _on_timeout(self) -> None:
        if self._dirty and self._widget.isVisible():
            self._run()

    def eventFilter(self, obj, event) -> bool:
        if obj is self._widget and event.type() == QEvent.Type.Show and self._dirty \
                and not self._timer.isActive():
            self._timer.start(0)         # after the show: the widget has its size and is visible
        return False
