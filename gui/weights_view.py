"""Weight heatmaps: one image per weight matrix W (fan_in × fan_out) with its bias row θ underneath.

Rows are the neurons a weight comes from, columns the neurons it goes to, so row i, column j is w_ij of
the article. A diverging colour map is centred at zero (blue negative, white 0, red positive) by a
symmetric colour bar shared by all layers (under the plots, so it never competes with them for width), so
colours compare across layers. A first layer of hundreds of inputs starts with weights a tenth the size of
the last layer's, and shared colours show it nearly white: "Each layer its own scale" gives every heatmap
its own symmetric range instead (named in its title; the shared bar is hidden meanwhile). The plots are
rebuilt only when the layer shapes change; snapshots only call setImage. Long row names are shortened
(hover gives them whole); a network with more layers than the pane has room for scrolls sideways instead
of being cut off.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (QCheckBox, QFrame, QGraphicsItem, QHBoxLayout, QLabel, QScrollArea, QSizePolicy,
                               QVBoxLayout, QWidget)

from gui.controller import RateLimiter
from gui.names import neuron_names, shortened

ROW_LABEL_PX = 15             # vertical room one row label needs
ROW_LABEL_CHARS = 10          # longer row names ("colour=dark red") are shortened with "…"
LABEL_OVERHANG_PX = 8         # an end label centred on the edge cell may stick out this far
CHAR_PX = 7                   # rough width of one tick-label character at the default font
COLORMAP = "CET-D1"           # blue–white–red, perceptually uniform (colorcet)
SHRINK_BELOW = 0.6            # the colour scale shrinks only when weights fall well inside it
HOVER_HINT = "Hover a cell for its weight."   # short: the pane is narrow beside the curves
REDRAW_INTERVAL_MS = 25       # draws every snapshot (≤ 40 a second); one 785×512 redraw costs ~1.5 ms
SCALE_STEPS = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 7.0, 10.0)   # colour-bar ends, × 10^k


def colour_scale(largest: float) -> float:
    """The colour bar's end for weights up to `largest`: the next of 1, 1.5, 2, 3, 4, 5, 7 × 10^k, so the
    bar's labels stay put while weights drift (and a new scale, which repaints every layer and the bar,
    is rare) while the colours still use at least two thirds of the range."""
    if not math.isfinite(largest) or largest <= 0:
        return 1e-6
    decade = 10.0 ** math.floor(math.log10(largest))
    return next(float(f"{step * decade:.3g}") for step in SCALE_STEPS if step * decade >= largest * (1 - 1e-9))


def layer_title(index: int, n_layers: int) -> tuple[str, str]:
    """(from, to) names of weight layer `index`, e.g. ('inputs', 'hidden 1')."""
    src = "inputs" if index == 0 else f"hidden {index}"
    dst = "outputs" if index == n_layers - 1 else f"hidden {index + 1}"
    return src, dst


def _plot_title(index: int, n_layers: int, fan_in: int, fan_out: int, scale: float | None = None) -> str:
    src, dst = layer_title(index, n_layers)
    title = f"{_short(src)} → {_short(dst)}<br>{fan_in}×{fan_out} + θ"
    return title + (f"<br>colours ±{scale:g}" if scale else "")


def _set_title(plot: pg.PlotItem, title: str) -> None:
    plot.setTitle(title, color="#303030", size="9pt")
    # pyqtgraph gives a title 30 px, two lines of this size: a third line (the scale) needs its height
    height = max(30, math.ceil(plot.titleLabel.item.boundingRect().height()))
    plot.titleLabel.setMaximumHeight(height)
    plot.layout.setRowFixedHeight(0, height)


def _short(kind: str) -> str:
    return {"inputs": "in", "outputs": "out"}.get(kind, kind.replace("hidden ", "h"))


def thinned_ticks(names: list[str], pixels: float, pixels_per_label: float) -> list[list[tuple[float, str]]]:
    """Tick levels for cells 0..n-1: as many cells named as fit without overlap — the first and the last
    among them, so the ends say how many there are — the rest unnamed."""
    n = len(names)
    if not n:
        return [[]]
    fit = min(n, max(1, int(pixels // max(pixels_per_label, 1.0))))
    if fit > 1:
        # one regular step (1, 3, 5, … not 1, 3, 4, 6, …: neighbours a cell apart ran into each other as
        # "1314"), the last cell taking the place of the last step's when that falls short of it
        step = math.ceil((n - 1) / (fit - 1))
        chosen = [*range(0, n - step, step), n - 1]
    else:
        chosen = [0]
    named = [(i + 0.5, names[i]) for i in chosen]
    unnamed = [(i + 0.5, "") for i in sorted(set(range(n)) - set(chosen))]
    return [named, unnamed]


class WeightsView(QWidget):
    def __init__(self, controller, model, parent=None):
        super().__init__(parent)
        self.controller, self.model = controller, model
        self.images: list[pg.ImageItem] = []
        self._buffers: list[np.ndarray] = []   # W with θ as its last row, one reused array per layer
        self.plots: list[pg.PlotItem] = []
        self.colorbar: pg.ColorBarItem | None = None
        self._shapes: list[tuple[int, int]] = []
        self._names: list[list[str]] = []
        self._scale = 0.0
        self._layer_scales: list[float] = []   # per heatmap, when each layer has its own scale
        self._drawn = None            # (weights, biases) on show, redrawn when the scale mode changes
        self._pending = None          # (weights, biases) not drawn yet
        self._limiter = RateLimiter(self._draw_pending, REDRAW_INTERVAL_MS, self)

        self.readout = QLabel(HOVER_HINT)
        self.readout.setStyleSheet("color: #404040;")
        # cut rather than widen the pane: on a 1280-pixel screen its width comes from the error curves
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.own_scale = QCheckBox("Each layer its own scale")
        self.own_scale.setToolTip("Off: one colour bar for all layers, so colours compare across layers.\n"
                                  "On: each heatmap spans its own largest weight (in its title), so the small "
                                  "weights of a wide first layer show their pattern.")
        self.own_scale.toggled.connect(self._on_scale_mode)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.graphics.ci.setContentsMargins(2, 2, 2, 2)    # the pane is narrow: room goes to the plots
        self.graphics.ci.layout.setHorizontalSpacing(4)
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.graphics)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        head = QHBoxLayout()
        head.addWidget(self.readout, 1)
        head.addWidget(self.own_scale)
        layout.addLayout(head)
        layout.addWidget(self.scroll, 1)

        controller.snapshotArrived.connect(self._on_snapshot)
        controller.historyCleared.connect(self.show_network)
        model.networkChanged.connect(self.show_network)
        model.dataChanged.connect(self._relabel)
        self.show_network()

    # ---- building -----------------------------------------------------------------------------------
    def _rebuild(self, shapes: list[tuple[int, int]]) -> None:
        self.graphics.clear()
        self.images, self.plots, self._buffers, self._shapes = [], [], [], list(shapes)
        cmap = pg.colormap.get(COLORMAP)
        for index, (fan_in, fan_out) in enumerate(shapes):
            plot = self.graphics.addPlot(row=0, col=index)
            # Short titles: a 1-column output layer is narrow; the hover text gives the long names.
            _set_title(plot, _plot_title(index, len(shapes), fan_in, fan_out))
            plot.setMenuEnabled(True)
            plot.invertY(True)              # row 0 (the first source neuron) at the top, θ at the bottom
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            for name in ("bottom", "left"):
                axis = plot.getAxis(name)
                axis.setPen("#606060")
                axis.setTextPen("#303030")
                # Ticks point outwards: inward ones overlap the image, so every image update would
                # repaint the axes too (measured 1.8 → 1.5 ms per redraw of a 785×512 layer).
                axis.setStyle(tickLength=4, hideOverlappingLabels=LABEL_OVERHANG_PX)
                # The image repaints the plot up to 40 times a second; cached axes are copied, not
                # redrawn (0.4 ms of each 785×128 redraw).
                axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            image = pg.ImageItem(axisOrder="row-major")
            plot.addItem(image)
            plot.setRange(xRange=(0, fan_out), yRange=(0, fan_in + 1), padding=0.02)
            plot.vb.sigResized.connect(self._update_ticks)
            self.graphics.ci.layout.setColumnStretchFactor(index, int(np.clip(fan_out, 3, 16)))
            self.images.append(image)
            self.plots.append(plot)
        if shapes:
            self.colorbar = pg.ColorBarItem(values=(-1, 1), colorMap=cmap, interactive=False, width=12,
                                            label="weight", colorMapMenu=False, orientation="horizontal")
            self.colorbar.setImageItem(self.images)
            self.graphics.addItem(self.colorbar, row=1, col=0, colspan=len(shapes))
            axis = self.colorbar.getAxis("bottom")
            axis.enableAutoSIPrefix(False)              # "-0.5 … 0.5", not "-500 … 500 (x0.001)"
            axis.setTextPen("#303030")
            axis.setPen("#606060")
            axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        else:
            self.colorbar = None
        self._scale = 0.0
        self._layer_scales = [0.0] * len(shapes)
        if self.colorbar is not None:
            self.colorbar.setVisible(not self.own_scale.isChecked())
        self._relabel()

    @Slot()
    def _relabel(self) -> None:
        self._names = neuron_names(self.model)
        self._update_ticks()

    @Slot()
    def _update_ticks(self, *_) -> None:
        """Name rows (source neurons + θ) and columns (target neurons), as many as fit without overlap."""
        if len(self._names) != len(self._shapes) + 1:
            return
        for index, plot in enumerate(self.plots):
            sources = self._names[index] + ["θ"]
            targets = self._names[index + 1]
            numbers = [str(k + 1) for k in range(len(targets))]
            fits = len(targets) * (CHAR_PX * max(len(t) for t in targets) + 10) <= plot.vb.width()
            if index + 1 < len(self._shapes) or not fits:
                targets = numbers            # the title names the layer; hover gives each name
            width = CHAR_PX * max(len(t) for t in targets) + 10
            sources = [shortened(name, ROW_LABEL_CHARS) for name in sources]
            plot.getAxis("left").setTicks(thinned_ticks(sources, plot.vb.height(), ROW_LABEL_PX))
            plot.getAxis("bottom").setTicks(thinned_ticks(targets, plot.vb.width(), width))
        # narrower than the plots can be drawn: scroll rather than cut the last layers off
        needed = self.graphics.ci.effectiveSizeHint(Qt.SizeHint.MinimumSize).width()
        self.graphics.setMinimumWidth(math.ceil(needed))

    # ---- updates ------------------------------------------------------------------------------------
    @Slot()
    def show_network(self) -> None:
        """Show the network's current weights — only while no run owns them."""
        network = self.model.network
        shapes = network.shapes if network is not None else []
        if shapes != self._shapes:
            self._rebuild(shapes)
        if network is not None and not self.controller.active:
            self.set_weights(network.weights, network.biases)

    @Slot(object)
    def _on_snapshot(self, report) -> None:
        self._pending = (report.weights, report.biases)
        if self.isVisible():                # nobody is looking: draw once when shown
            self._limiter.poke()

    def _draw_pending(self) -> None:
        if self._pending is not None:
            self.set_weights(*self._pending)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._draw_pending()

    def set_weights(self, weights, biases) -> None:
        self._pending = None
        shapes = [tuple(w.shape) for w in weights]
        if shapes != self._shapes:
            self._rebuild(shapes)
        self._drawn = (weights, biases)
        own = self.own_scale.isChecked()
        largest = 0.0
        for index, (image, w, b) in enumerate(zip(self.images, weights, biases)):
            data = self._buffer(index, w)
            data[:-1] = w
            data[-1] = np.asarray(b).reshape(-1)                      # θ as the last row
            here = max(float(np.nanmax(data)), -float(np.nanmin(data))) if data.size else 0.0
            largest = max(largest, here)
            image.setImage(data, autoLevels=False)
            scale = self._layer_scales[index]
            if own and (here > scale or here < SHRINK_BELOW * scale):
                self._layer_scales[index] = scale = colour_scale(here)
                image.setLevels((-scale, scale))
                _set_title(self.plots[index], _plot_title(index, len(self.images), *w.shape, scale))
        if not own and self.colorbar is not None and (largest > self._scale or largest < SHRINK_BELOW * self._scale):
            self._scale = colour_scale(largest)
            self.colorbar.setLevels((-self._scale, self._scale))

    @Slot(bool)
    def _on_scale_mode(self, own: bool) -> None:
        self._scale, self._layer_scales = 0.0, [0.0] * len(self.images)
        if self.colorbar is not None:
            self.colorbar.setVisible(not own)
        if not own:
            for index, (fan_in, fan_out) in enumerate(self._shapes):
                _set_title(self.plots[index], _plot_title(index, len(self._shapes), fan_in, fan_out))
        if self._drawn is not None:
            self.set_weights(*self._drawn)

    def levels(self) -> list[tuple[float, float]]:
        """Each heatmap's colour range (lowest, highest weight colour), as drawn."""
        return [tuple(float(v) for v in image.getLevels()) for image in self.images]

    def _buffer(self, index: int, w) -> np.ndarray:
        # a fresh array per redraw would be fresh pages to fault in, 40 times a second
        shape = (w.shape[0] + 1, w.shape[1])
        dtype = np.result_type(w.dtype, np.float32)
        while len(self._buffers) <= index:
            self._buffers.append(np.empty((0, 0), np.float32))
        if self._buffers[index].shape != shape or self._buffers[index].dtype != dtype:
            self._buffers[index] = np.empty(shape, dtype)
        return self._buffers[index]

    # ---- hover --------------------------------------------------------------------------------------
    @Slot(object)
    def _on_mouse_moved(self, pos) -> None:
        for index, (plot, image) in enumerate(zip(self.plots, self.images)):
            if image.image is None or not plot.vb.sceneBoundingRect().contains(pos):
                continue
            point = plot.vb.mapSceneToView(pos)
            i, j = int(np.floor(point.y())), int(np.floor(point.x()))
            rows, cols = image.image.shape
            if not (0 <= i < rows and 0 <= j < cols):
                break
            self.readout.setText(self.describe(index, i, j))
            return
        self.readout.setText(HOVER_HINT)

    def describe(self, layer: int, row: int, col: int) -> str:
        """The hover text of one cell: which neurons the weight joins and its exact value."""
        value = float(self.images[layer].image[row, col])
        names = self._names if len(self._names) == len(self._shapes) + 1 else neuron_names(self.model)
        src_kind, dst_kind = layer_title(layer, len(self._shapes))
        target = names[layer + 1][col]
        if row == self._shapes[layer][0]:
            return f"θ[{target}] = {value:.6g}   (bias of {dst_kind.rstrip('s')} neuron {col + 1}, '{target}')"
        source = names[layer][row]
        return (f"w[{source} → {target}] = {value:.6g}   (joins {src_kind.rstrip('s')} '{source}' "
                f"to {dst_kind.rstrip('s')} '{target}')")
