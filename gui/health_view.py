"""Network health: per-layer gradient norm and update/weight ratio over the epochs, dead and saturated
units, and plain hints (core.inspect.layer_health / hints).

On a fixed sample of at most 256 training rows (fewer for big networks, see
core.teaching.health_sample_size). During a run the training thread measures it, up to twice a second,
on its own copy of the snapshot weights (TrainingWorker.healthMeasured): done here, the forward and
backward pass competed with training for the BLAS threads and cost the run ~5 % of its speed even with
this view hidden. When no run owns the network, this view measures it itself.
"""

from __future__ import annotations

import math
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHeaderView, QLabel, QListWidget, QListWidgetItem,
                               QScrollArea, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from core.inspect import UPDATE_FORMULAS, LayerHealth, hints, layer_health
from core.network import Network
from core.teaching import health_batch, positive_or_nan, unit_counts
from gui.weights_view import layer_title

SYMBOLS_BELOW = 60             # markers help while a curve has few points, and cost a lot when it has many
HEALTHY_RATIO = 1e-3
TABLE_MIN_PX = 66              # the header, one layer row and a scroll bar
TABLE_MIN_WIDTH_PX = 120       # narrower, the table scrolls its columns itself
HINTS_MIN_PX = 36              # one hint line
MIN_CONTENT_PX = 440           # below this height the whole tab scrolls
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22"]
COLUMNS = ["layer", "activation", "dead units", "saturated units", "‖∂E/∂W‖", "update / weight"]
NO_HINTS = "No problems spotted."


class LogAxis(pg.AxisItem):
    """A log axis whose labels never overlap.

    pyqtgraph labels every minor tick (2 … 9 of each decade) of a log axis, which piles labels on top of
    each other once a plot spans a decade or two in little height. Keep all of them, 1-2-5, or decades
    only — the densest set that fits.
    """

    def logTickStrings(self, values, scale, spacing):
        strings = super().logTickStrings(values, scale, spacing)
        room = max(self.height() if self.orientation in ("left", "right") else self.width(), 1.0)
        lo, hi = sorted(self.range)
        per_label = QFontMetrics(self.font()).height() + 4
        for keep in (None, (1, 2, 5), (1,)):
            count = (hi - lo) * (9 if keep is None else len(keep))
            if keep == (1,) or count * per_label <= room:
                break
        if keep is None:
            return strings
        out = []
        for v, text in zip(values, strings):
            mantissa = round(10 ** (v - math.floor(v)), 3)
            out.append(text if round(mantissa) in keep or mantissa >= 9.5 else "")
        return out


def _short(kind: str) -> str:
    return {"inputs": "in", "outputs": "out"}.get(kind, kind.replace("hidden ", "h"))


class HealthView(QWidget):
    # list[LayerHealth] just measured (by a run or here): the diagram shades its neurons by mean O_j
    measured = Signal(object)

    def __init__(self, model, controller, parent=None):
        super().__init__(parent)
        self.model, self.controller = model, controller
        self.health: list[LayerHealth] | None = None
        self.epochs: list[int] = []
        self.grad_norms: list[list[float]] = []     # per point, per layer
        self.ratios: list[list[float]] = []
        self._net: Network | None = None
        self._X = self._T = None
        self._stale = False                     # points recorded while hidden, not drawn yet
        self._curves_due = False                # a new network while hidden: its curves are made when shown

        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.grad_plot = self._make_plot(0, "gradient norm ‖∂E/∂W‖")
        self.ratio_plot = self._make_plot(1, f"update / weight  {UPDATE_FORMULAS['sgd']}")
        self.grad_plot.setLabel("bottom", None)     # the lower plot names the shared epoch axis
        self.healthy_line = pg.InfiniteLine(pos=math.log10(HEALTHY_RATIO), angle=0, movable=False,
                                            pen=pg.mkPen("#909090", style=Qt.PenStyle.DashLine),
                                            label="≈ 1e-3 is healthy",
                                            labelOpts={"position": 0.08, "color": "#606060",
                                                       "anchors": [(0, 1), (0, 1)],
                                                       # readable where a curve runs through it
                                                       "fill": pg.mkBrush(255, 255, 255, 210)})
        self.healthy_line.setZValue(10)                   # its label over the curves, not under them
        self.ratio_plot.addItem(self.healthy_line, ignoreBounds=True)
        self.grad_curves: list[pg.PlotDataItem] = []
        self.ratio_curves: list[pg.PlotDataItem] = []

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.hint_list = QListWidget()
        self.hint_list.setWordWrap(True)
        self.hint_list.setToolTip("Plain advice from the loss curves and the figures above")
        self.sample_label = QLabel()
        self.sample_label.setWordWrap(True)
        self.sample_label.setStyleSheet("color: #606060;")

        # In a short window the plots come first: the table and the hints scroll instead
        self.table.setMinimumHeight(TABLE_MIN_PX)
        self.table.setMinimumWidth(TABLE_MIN_WIDTH_PX)
        self.hint_list.setMinimumHeight(HINTS_MIN_PX)
        bottom = QWidget()
        col = QVBoxLayout(bottom)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.table, 3)
        col.addWidget(QLabel("<b>Hints</b>"))
        col.addWidget(self.hint_list, 2)
        col.addWidget(self.sample_label)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.graphics)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        # a short window scrolls the tab rather than squash the plots to a line
        splitter.setMinimumHeight(MIN_CONTENT_PX)
        scroll = QScrollArea()
        scroll.setWidget(splitter)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(scroll)

        controller.healthMeasured.connect(self._on_measured)
        # the controller clears its history on every new network (a new data set builds one): one reset
        # then, with network and data both current, not one per signal (three per file opened)
        controller.historyCleared.connect(self.reset)
        controller.stateChanged.connect(self._on_state)
        model.settingsChanged.connect(self._on_settings)
        self._measured_lr = None                 # the η of the update/weight ratios on show
        self._measured_rule = None               # (η, optimizer, μ) of those ratios
        self.reset()

    def _make_plot(self, row: int, title: str) -> pg.PlotItem:
        plot = self.graphics.addPlot(row=row, col=0, axisItems={"left": LogAxis("left")})
        plot.setTitle(title, color="#202020", size="10pt")
        plot.setLogMode(x=False, y=True)
        plot.showGrid(x=True, y=True, alpha=0.2)
        plot.setLabel("bottom", "epoch")
        plot.hideButtons()
        plot.setClipToView(True)
        plot.setDownsampling(auto=True, mode="peak")
        for name in ("bottom", "left"):
            axis = plot.getAxis(name)
            axis.setPen("#606060")
            axis.setTextPen("#303030")
        plot.getAxis("bottom").enableAutoSIPrefix(False)     # epochs, not "epoch (x0.001)"
        plot.getAxis("left").setWidth(52)      # both plots' epoch axes line up
        return plot

    # ---- public slots --------------------------------------------------------------------------------
    @Slot()
    def reset(self) -> None:
        """Start over: new network, new data or Reset. Measures the current weights when no run owns them."""
        self.epochs, self.grad_norms, self.ratios = [], [], []
        ds, live = self.model.dataset, self.model.network
        self._net = None
        self._X = self._T = None
        if live is not None:
            # Architecture fields are never written by a run; only the arrays are.
            self._net = Network(**live.architecture())
        sample = health_batch(ds, live)
        if sample is not None:
            self._X, self._T = sample
            self.sample_label.setText(f"Measured on a fixed sample of {len(self._X)} training rows, "
                                      f"up to twice a second.")
        else:
            self.sample_label.setText("")
        self._rebuild_curves()
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Measure model.network as it is now (e.g. after a step applied by hand); ignored during a run."""
        if self.controller.active or self._net is None or self.model.network is None:
            self._show_table()
            self._show_hints()
            return
        if [w.shape for w in self._net.weights] != [w.shape for w in self.model.network.weights]:
            self.reset()            # a project's settings arrive before its network's history is cleared
            return
        self._net.set_params(self.model.network.weights, self.model.network.biases)
        self._measure(self.controller.history.last_epoch, self.model.settings.lr)

    # ---- measuring -----------------------------------------------------------------------------------
    @Slot(int, object)
    def _on_measured(self, epoch: int, health) -> None:
        """A point measured by the training thread."""
        if self._net is None or len(health) != len(self._net.weights):
            return
        self.health = health
        self._record(epoch)
        if self.isVisible():
            self._draw()
        else:
            self._stale = True                   # drawn when shown: hidden plots need no redraw

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._curves_due:
            self._rebuild_curves()
        if self._stale:
            self._draw()

    def _behind_a_tab(self) -> bool:
        """Hidden in a window on show: drawing waits for showEvent (measuring does not: the diagram shades
        its neurons from it)."""
        return not self.isVisible() and self.window().isVisible()

    @Slot(str)
    def _on_state(self, _state: str) -> None:
        if not self.controller.active:
            self.refresh()

    @Slot()
    def _on_settings(self) -> None:
        """A new η or optimizer changes every update/weight ratio (η‖∂E/∂W‖/‖W‖ for SGD): measure again
        while idle."""
        s = self.model.settings
        if self._measured_lr is not None and (s.lr, s.optimizer, s.momentum) != self._measured_rule:
            self.refresh()

    def _measure(self, epoch: int, lr: float) -> None:
        self._measured_lr = lr
        s = self.model.settings
        self._measured_rule = (lr, s.optimizer, s.momentum)
        if self._X is None:
            self.health = None
        else:
            s = self.model.settings
            self.health = layer_health(self._net, self._X, self._T, lr, s.optimizer, s.momentum)
            self._record(epoch)
        self._draw()

    def _record(self, epoch: int) -> None:
        self.measured.emit(self.health)
        point = ([h.grad_norm for h in self.health], [h.update_ratio for h in self.health])
        if self.epochs and self.epochs[-1] == epoch:     # same epoch again: the newer measurement wins
            self.grad_norms[-1], self.ratios[-1] = point
        else:
            self.epochs.append(int(epoch))
            self.grad_norms.append(point[0])
            self.ratios.append(point[1])

    def _draw(self) -> None:
        if self._behind_a_tab():
            self._stale = True
            return
        self._stale = False
        rule = UPDATE_FORMULAS.get(self.model.settings.optimizer, UPDATE_FORMULAS["sgd"])
        self.ratio_plot.setTitle(f"update / weight  {rule}", color="#202020", size="10pt")
        self._draw_curves()
        self._show_table()
        self._show_hints()

    # ---- drawing -------------------------------------------------------------------------------------
    def _rebuild_curves(self) -> None:
        self._curves_due = self._behind_a_tab()
        if self._curves_due:
            return
        for plot in (self.grad_plot, self.ratio_plot):
            for curve in (self.grad_curves if plot is self.grad_plot else self.ratio_curves):
                plot.removeItem(curve)
        self.grad_curves, self.ratio_curves = [], []
        n = len(self._net.weights) if self._net is not None else 0
        for i in range(n):
            src, dst = layer_title(i, n)
            name = f"{i + 1}: {_short(src)}→{_short(dst)}"
            pen = pg.mkPen(PALETTE[i % len(PALETTE)], width=2)
            for plot, curves in ((self.grad_plot, self.grad_curves), (self.ratio_plot, self.ratio_curves)):
                # No legend: it would hide the newest points; the table's colour swatches name the layers.
                curves.append(plot.plot(pen=pen, name=name, connect="finite", symbolPen=None,
                                        symbolBrush=PALETTE[i % len(PALETTE)], symbolSize=5))
        self._draw_curves()

    def _draw_curves(self) -> None:
        x = np.asarray(self.epochs, dtype=np.float64)
        symbol = "o" if len(x) < SYMBOLS_BELOW else None
        for values, curves in ((self.grad_norms, self.grad_curves), (self.ratios, self.ratio_curves)):
            table = np.asarray(values, dtype=np.float64).reshape(len(x), len(curves))
            for i, curve in enumerate(curves):
                curve.setSymbol(symbol)
                y = positive_or_nan(table[:, i])
                if np.isnan(y).all():
                    # A layer with no gradient yet (dead ReLUs above it): 0 has no place on a log axis,
                    # and an all-NaN curve makes numpy warn on every repaint.
                    curve.setData([], [])
                else:
                    curve.setData(x, y)
        for plot in (self.grad_plot, self.ratio_plot):
            if len(x) == 1:
                # one point (before training): pyqtgraph would centre it in ±0.5 epochs
                plot.setXRange(max(0.0, x[0] - 1), x[0] + 1, padding=0.05)
            else:
                plot.enableAutoRange(x=True)

    def _show_table(self) -> None:
        net, health = self._net, self.health
        n = len(net.weights) if net is not None else 0
        self.table.setRowCount(n)
        for i in range(n):
            src, dst = layer_title(i, n)
            units = net.layer_sizes[i + 1]
            act = net.activations[i]
            h = health[i] if health is not None and len(health) == n else None
            dead = sat = "—"
            if h is not None and act == "relu":
                dead = f"{unit_counts(h.dead_share, units)} of {units}"
            if h is not None and act in ("sigmoid", "tanh"):
                sat = f"{unit_counts(h.saturated_share, units)} of {units}"
            cells = [f"{i + 1}: {src} → {dst}", act, dead, sat,
                     f"{h.grad_norm:.3g}" if h is not None else "",
                     f"{h.update_ratio:.3g}" if h is not None else ""]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 0:
                    item.setData(Qt.ItemDataRole.DecorationRole, QColor(PALETTE[i % len(PALETTE)]))
                if c >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, c, item)

    def _show_hints(self) -> None:
        history = self.controller.history
        sizes = self._net.layer_sizes if self._net is not None else None
        texts = hints(history.train_loss, history.val_loss, self.health, sizes)
        self.hint_list.clear()
        for text in texts or [NO_HINTS]:
            item = QListWidgetItem(text)
            if not texts:
                item.setForeground(Qt.GlobalColor.darkGray)
            self.hint_list.addItem(item)

    @property
    def hint_texts(self) -> list[str]:
        return [self.hint_list.item(i).text() for i in range(self.hint_list.count())
                if self.hint_list.item(i).text() != NO_HINTS]
