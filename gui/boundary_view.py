"""The decision boundary: the network's output over the plane of two raw inputs, updated as it learns.

Like TensorFlow Playground: the background is the output at every point of the plane (classes: the
probability of the second class on a diverging map for two classes, the predicted class's colour with
its probability as strength for more; regression: the predicted value), with the training rows as
filled dots and the validation rows as rings on top. Axes are in the inputs' own (raw) units: the grid
rows are raw values that go through the same preprocessing as the data (core.inspect.output_grid).

With more inputs, two combos choose the axis features (numeric columns) and the other inputs are held
at their training median (numbers, with a slider each) or most common category (a combo). With a single
numeric input the view draws the output as a curve over that input instead.

`show_neuron(layer, index)` switches the map to one neuron's own output O_j (connect the network
diagram's neuronClicked to it); "Show network output" goes back.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal, Slot
from PySide6.QtWidgets import (QComboBox, QGridLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QSlider, QVBoxLayout, QWidget)

from core.evaluation_support import (DATE, NUMERIC, OutputMap, axis_values, class_probabilities, display_sample,
                                     input_summaries, raw_inputs)
from gui.evaluation_view import network_fits
from gui.names import distinct_shortened, neuron_names, shortened
from gui.output_support import (TEXT_COLOUR, NetworkMirror, VisibleRefresh, class_colour, discard, light,
                                style_plot)

GRID = 80                      # cells per axis: smooth enough to read, 6400 rows per redraw
LINE_POINTS = 200
SLIDER_STEPS = 200
MAX_HELD = 200                 # held-value rows made at most (6,000 gene columns: 0.5 s to build them all)
# How far a sure prediction's cell moves from white to its class colour: light enough that the rows'
# full-colour dots stand out on their own class's region.
CLASS_STRENGTH = 0.55
NEURON_COLOURS = "CET-D1"      # blue–white–red, centred on the activation's midpoint
VALUE_COLOURS = "viridis"      # regression values: ordered, readable in grey, colour-blind safe
ACTIVATION_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "softmax": (0.0, 1.0)}
POINT_SIZE = 8
MAX_POINTS = 3000              # training rows drawn at most (validation: half as many)
LEGEND_CLASSES = 10           # classes named under the map (ten distinct colours); past them, how many more
LEGEND_NAME_CHARS = 20        # (a 100-class legend of long names took more room than the map)


def _text(name) -> str:
    """A user's name (column, class, neuron) inside a rich-text label: '<=50K' is text, not a tag."""
    return html.escape(str(name), quote=False)


def _two_class_map() -> pg.ColorMap:
    return pg.ColorMap([0.0, 0.5, 1.0], [light(class_colour(0), CLASS_STRENGTH), pg.mkColor("#ffffff"),
                                         light(class_colour(1), CLASS_STRENGTH)])


def _format(value: float) -> str:
    return f"{value:.4g}"


class BoundaryView(QWidget):
    neuronShown = Signal(int, int)      # (layer, index) now on the map; (-1, -1) for the network output

    def __init__(self, model, controller, mirror: NetworkMirror | None = None, parent=None):
        super().__init__(parent)
        self.model, self.controller = model, controller
        self.mirror = mirror if mirror is not None else NetworkMirror(model, controller, self)
        self.neuron: tuple[int, int] | None = None
        self.values: np.ndarray | None = None       # the scalar map shown (GRID, GRID), or (n,) in 1-D
        self.probabilities: np.ndarray | None = None  # classes: (GRID, GRID, k) or (n, k)
        self.x_values = self.y_values = np.zeros(0)
        self._summaries = []
        self._numeric: list[int] = []               # indices of numeric raw inputs
        self._held: dict[int, float | str] = {}     # raw input index → value it is held at
        self._held_widgets: list[QWidget] = []
        self._raw_train: dict[str, np.ndarray] = {}  # raw inputs of the rows drawn (a sample of big sets)
        self._raw_val: dict[str, np.ndarray] = {}
        self._Y_train = self._Y_val = np.zeros((0, 1))
        self._sampled = ""                           # legend note when not every row is drawn
        self._map: OutputMap | None = None           # the grid rows (encoded once) until axes/held values move
        self._value_levels = (0.0, 1.0)
        self._mode = "none"                          # none | plane | line

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #707070;")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.x_combo, self.y_combo = QComboBox(), QComboBox()
        for combo in (self.x_combo, self.y_combo):      # long column names must not widen the dock
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
        self.x_combo.setToolTip("The input on the horizontal axis")
        self.y_combo.setToolTip("The input on the vertical axis")
        self.x_combo.currentIndexChanged.connect(lambda _: self._on_axis_changed(self.x_combo))
        self.y_combo.currentIndexChanged.connect(lambda _: self._on_axis_changed(self.y_combo))
        self.axes_row = QWidget()
        axes = QHBoxLayout(self.axes_row)
        axes.setContentsMargins(0, 0, 0, 0)
        axes.addWidget(QLabel("x"))
        axes.addWidget(self.x_combo, 1)
        axes.addWidget(QLabel("y"))
        axes.addWidget(self.y_combo, 1)

        self.held_box = QWidget()
        self.held_layout = QGridLayout(self.held_box)
        self.held_layout.setContentsMargins(0, 0, 0, 0)
        self.held_layout.setColumnStretch(1, 1)
        self.held_scroll = QScrollArea()
        self.held_scroll.setWidget(self.held_box)
        self.held_scroll.setWidgetResizable(True)
        self.held_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.held_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.held_title = QLabel("Other inputs held at (training median / most common):")
        self.held_title.setWordWrap(True)            # the Output dock must not be wider than this line
        self.held_title.setStyleSheet("color: #505050;")
        self.reset_held = QPushButton("Medians")
        self.reset_held.setToolTip("Put every held input back to its training median / most common value")
        self.reset_held.clicked.connect(self._reset_held_values)
        held_head = QHBoxLayout()
        held_head.addWidget(self.held_title, 1)
        held_head.addWidget(self.reset_held)

        self.output_combo = QComboBox()
        self.output_combo.setToolTip("Which output to map")
        self.output_combo.currentIndexChanged.connect(lambda _: self._grid_changed())
        self.mode_label = QLabel()
        self.mode_label.setWordWrap(True)
        self.back_button = QPushButton("Show network output")
        self.back_button.clicked.connect(self.show_network_output)
        self.back_button.hide()
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.mode_label, 1)
        mode_row.addWidget(self.output_combo)
        mode_row.addWidget(self.back_button)

        self.plot_widget = pg.PlotWidget(background="w")
        self.plot = style_plot(self.plot_widget.getPlotItem())
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setContentsMargins(0, 8, 0, 0)     # room for the colour bar's top tick label
        self.image = pg.ImageItem(axisOrder="row-major")
        self.rgb_image = pg.ImageItem(axisOrder="row-major")   # several classes: colours made here
        self.plot.addItem(self.image)
        self.plot.addItem(self.rgb_image)
        self.colorbar = pg.ColorBarItem(values=(0, 1), colorMap=pg.colormap.get(VALUE_COLOURS),
                                        interactive=False, width=12, colorMapMenu=False)
        self.colorbar.setImageItem(self.image, insert_in=self.plot)
        bar_axis = self.colorbar.getAxis("right")
        bar_axis.setTextPen(TEXT_COLOUR)
        bar_axis.setPen("#606060")
        bar_axis.enableAutoSIPrefix(False)
        self.curves: list[pg.PlotDataItem] = []
        self.train_points = pg.ScatterPlotItem(size=POINT_SIZE, pxMode=True)
        self.val_points = pg.ScatterPlotItem(size=POINT_SIZE, pxMode=True)
        # A dark halo under each ring keeps it visible on any background colour, its own class's included.
        self.val_halo = pg.ScatterPlotItem(size=POINT_SIZE, pxMode=True, brush=None,
                                           pen=pg.mkPen((32, 32, 32, 170), width=4))
        self.plot.addItem(self.train_points)
        self.plot.addItem(self.val_halo)
        self.plot.addItem(self.val_points)
        self.image.setZValue(-10)
        self.rgb_image.setZValue(-10)
        self.plot_widget.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.plot_widget.setMinimumHeight(220)

        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.readout = QLabel(" ")
        self.readout.setStyleSheet("color: #404040;")

        self.content = QWidget()
        content = QVBoxLayout(self.content)
        content.setContentsMargins(0, 0, 0, 0)
        content.addWidget(self.axes_row)
        content.addLayout(held_head)
        content.addWidget(self.held_scroll)
        content.addLayout(mode_row)
        content.addWidget(self.plot_widget, 1)
        content.addWidget(self.legend)
        content.addWidget(self.readout)
        self._held_head = [self.held_title, self.reset_held]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.message)
        layout.addWidget(self.content, 1)

        self._redraw = VisibleRefresh(self, self._refresh)
        self.mirror.changed.connect(self._on_network)
        model.dataChanged.connect(self._on_data_changed)
        self._on_data_changed()

    # ---- public -----------------------------------------------------------------------------------
    @Slot(int, int)
    def show_neuron(self, layer: int, index: int) -> None:
        """Map neuron `index` of layer `layer` (layer_sizes numbering: 0 = inputs) instead of the output."""
        network = self.mirror.network
        if network is None or not 0 <= layer < len(network.layer_sizes) \
                or not 0 <= index < network.layer_sizes[layer]:
            return
        if layer == 0:
            self.mode_label.setText("An input neuron passes its (scaled) value on unchanged: click a hidden "
                                    "or output neuron to see its map.")
            return
        self.neuron = (layer, index)
        self.neuronShown.emit(layer, index)
        self._update_mode_row()
        self._redraw.run_now()

    @Slot()
    def show_network_output(self) -> None:
        if self.neuron is None:
            return
        self.neuron = None
        self.neuronShown.emit(-1, -1)
        self._update_mode_row()
        self._redraw.run_now()

    @property
    def applicable(self) -> bool:
        return self._mode != "none"

    @property
    def axes(self) -> tuple[int, int]:
        """Raw input indices on the x and y axes (y is -1 in the one-input curve mode)."""
        if self._mode == "line":
            return self._numeric[0], -1
        return self._axis_index(self.x_combo), self._axis_index(self.y_combo)

    def refresh(self) -> None:
        """Redraw now, visible or not."""
        self._redraw.run_now()

    def value_at(self, x: float, y: float | None = None) -> float:
        """The mapped scalar at the grid cell nearest (x, y) in raw units: P(second class) for two classes,
        the winning class's probability for more, the value for regression or a neuron."""
        if self.values is None:
            return float("nan")
        i = int(np.abs(self.x_values - x).argmin())
        if self._mode == "line":
            return float(self.values[i])
        j = int(np.abs(self.y_values - y).argmin())
        return float(self.values[j, i])

    def class_at(self, x: float, y: float | None = None) -> int:
        """The predicted class index at the cell nearest (x, y); -1 without class probabilities."""
        if self.probabilities is None or self.neuron is not None:
            return -1
        i = int(np.abs(self.x_values - x).argmin())
        if self._mode == "line":
            return int(self.probabilities[i].argmax())
        j = int(np.abs(self.y_values - y).argmin())
        return int(self.probabilities[j, i].argmax())

    def set_axes(self, x_name: str, y_name: str) -> None:
        self.x_combo.setCurrentText(x_name)
        self.y_combo.setCurrentText(y_name)

    def set_held_value(self, column: str, value) -> None:
        """Hold raw input `column` at `value` (a number, or a category for a categorical input)."""
        index = [s.name for s in self._summaries].index(column)
        self._held[index] = value
        self._rebuild_held()
        self._grid_changed()

    # ---- data -------------------------------------------------------------------------------------
    @Slot()
    def _on_data_changed(self) -> None:
        dataset = self.model.dataset
        if self.neuron is not None:
            self.neuron = None
            self.neuronShown.emit(-1, -1)
        self._summaries = input_summaries(dataset) if dataset is not None else []
        self._numeric = [i for i, s in enumerate(self._summaries) if s.kind == NUMERIC]
        self._held = {i: s.default for i, s in enumerate(self._summaries)}
        if dataset is None:
            self._mode = "none"
            self.message.setText("Load data to see the network's output over its inputs.")
        elif not self._numeric:
            self._mode = "none"
            self.message.setText("The map needs at least one numeric input; this data has only categories.")
        else:
            self._mode = "plane" if len(self._numeric) >= 2 else "line"
        self.message.setVisible(self._mode == "none")
        self.content.setVisible(self._mode != "none")
        if self._mode == "none":
            self.values = self.probabilities = None
            return
        pre = dataset.preprocessor
        # Thousands of dots say as much as a million, and a million would make every redraw crawl.
        train_rows = display_sample(dataset.n_train, MAX_POINTS)
        val_rows = display_sample(dataset.n_val, MAX_POINTS // 2)
        self._raw_train = raw_inputs(pre, dataset.X_train[train_rows])
        self._raw_val = raw_inputs(pre, dataset.X_val[val_rows])
        self._Y_train, self._Y_val = dataset.Y_train[train_rows], dataset.Y_val[val_rows]
        shown, total = len(train_rows) + len(val_rows), dataset.n_train + dataset.n_val
        self._sampled = f"{shown:,} of {total:,} rows drawn" if shown < total else ""
        names = [self._summaries[i].name for i in self._numeric]
        for combo, default in ((self.x_combo, 0), (self.y_combo, 1)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            combo.setCurrentIndex(min(default, len(names) - 1))
            combo.blockSignals(False)
        self.axes_row.setVisible(self._mode == "plane" and len(self._summaries) > 2)
        self.output_combo.blockSignals(True)
        self.output_combo.clear()
        if dataset.task == "regression":
            self.output_combo.addItems(list(dataset.output_names))
        self.output_combo.blockSignals(False)
        if dataset.task == "regression":
            actual = pre.inverse_outputs(dataset.Y_train)
            self._value_levels = (float(actual.min()), float(actual.max())) if len(actual) else (0.0, 1.0)
        self._clear_curves()
        self._rebuild_held()
        self._update_mode_row()
        self._grid_changed()

    def _axis_index(self, combo: QComboBox) -> int:
        return self._numeric[max(0, combo.currentIndex())] if self._numeric else 0

    def _on_axis_changed(self, combo: QComboBox) -> None:
        other = self.y_combo if combo is self.x_combo else self.x_combo
        if combo.currentIndex() == other.currentIndex():
            # The same input on both axes is a line, not a plane: swap the other axis to a different one.
            other.blockSignals(True)
            other.setCurrentIndex(next(i for i in range(other.count()) if i != combo.currentIndex()))
            other.blockSignals(False)
        self._rebuild_held()
        self._grid_changed()

    def _rebuild_held(self) -> None:
        discard(self._held_widgets)
        self._held_widgets = []
        on_axes = set(self.axes)
        row = 0
        for index, summary in enumerate(self._summaries):
            if index in on_axes:
                continue
            if row == MAX_HELD:
                more = len(self._summaries) - len(on_axes) - MAX_HELD
                rest = QLabel(f"… and {more:,} more input{'s' if more != 1 else ''} held at the training median "
                              "or most common value")
                self.held_layout.addWidget(rest, row, 0, 1, 3)
                self._held_widgets.append(rest)
                break
            name = QLabel(summary.name)
            value = self._held[index]
            if summary.kind == NUMERIC:
                slider = QSlider(Qt.Orientation.Horizontal)
                slider.setRange(0, SLIDER_STEPS)
                span = summary.high - summary.low
                slider.setValue(round((value - summary.low) / span * SLIDER_STEPS) if span > 0 else 0)
                slider.setToolTip(f"{summary.name}: training range {_format(summary.low)} to "
                                  f"{_format(summary.high)}, median {_format(summary.default)}")
                shown = QLabel(_format(value))
                shown.setMinimumWidth(48)
                slider.valueChanged.connect(
                    lambda pos, i=index, s=summary, label=shown: self._on_slider(i, s, pos, label))
                widgets = (name, slider, shown)
            else:
                combo = QComboBox()
                combo.addItems(list(summary.categories))
                combo.setEditable(summary.kind == DATE)     # a date: any may be typed, three are offered
                combo.setCurrentText(str(value))
                combo.currentTextChanged.connect(lambda text, i=index: self._on_held_category(i, text))
                widgets = (name, combo)
            for col, widget in enumerate(widgets):
                self.held_layout.addWidget(widget, row, col, 1, 2 if len(widgets) == 2 and col == 1 else 1)
            self._held_widgets.extend(widgets)
            row += 1
        has_held = row > 0
        for widget in (*self._held_head, self.held_scroll):
            widget.setVisible(has_held)
        # Up to three held inputs show without scrolling; more scroll inside a fixed strip.
        self.held_scroll.setFixedHeight(min(row, 3) * 30 + 4 if has_held else 0)

    def _on_slider(self, index: int, summary, pos: int, label: QLabel) -> None:
        value = summary.low + (summary.high - summary.low) * pos / SLIDER_STEPS
        if summary.integer:                 # a count or a code holds whole numbers only
            value = round(value)
        self._held[index] = float(f"{value:.6g}")
        label.setText(_format(self._held[index]))
        self._grid_changed()

    def _on_held_category(self, index: int, text: str) -> None:
        self._held[index] = text
        self._grid_changed()

    def _reset_held_values(self) -> None:
        self._held = {i: s.default for i, s in enumerate(self._summaries)}
        self._rebuild_held()
        self._grid_changed()

    def _grid_changed(self) -> None:
        """Axes or held values moved: new grid rows, new points."""
        self._map = None
        if self._mode == "none":
            return
        ix, iy = self.axes
        sx = self._summaries[ix]
        self.x_values = axis_values(sx.low, sx.high, GRID if self._mode == "plane" else LINE_POINTS)
        if self._mode == "plane":
            sy = self._summaries[iy]
            self.y_values = axis_values(sy.low, sy.high, GRID)
            self.plot.setLabel("bottom", _text(sx.name), color=TEXT_COLOUR)
            self.plot.setLabel("left", _text(sy.name), color=TEXT_COLOUR)
        else:
            self.y_values = np.zeros(0)
            self.plot.setLabel("bottom", _text(sx.name), color=TEXT_COLOUR)
        self._draw_points()
        if self.isVisible():
            self._redraw.run_now()           # the user moved a control: answer at once
        else:
            self._redraw.poke()

    # ---- drawing ----------------------------------------------------------------------------------
    @Slot()
    def _on_network(self) -> None:
        network = self.mirror.network
        if self.neuron is not None and (network is None or self.neuron[0] >= len(network.layer_sizes)
                                        or self.neuron[1] >= network.layer_sizes[self.neuron[0]]):
            self.neuron = None                   # that neuron is gone with the old architecture
            self.neuronShown.emit(-1, -1)
            self._update_mode_row()
        self._redraw.poke()

    def _update_mode_row(self) -> None:
        dataset, network = self.model.dataset, self.mirror.network
        self.back_button.setVisible(self.neuron is not None)
        self.output_combo.setVisible(self.neuron is None and self.output_combo.count() > 1)
        if self.neuron is not None and network is not None:
            layer = self.neuron[0]
            name = self._neuron_name()
            kind = "output neuron" if layer == len(network.layer_sizes) - 1 else "hidden neuron"
            self.mode_label.setText(f"<b>{kind} {_text(name)}</b>: its output O = f(a) "
                                    f"({network.activations[layer - 1]}) over the inputs")
        elif dataset is not None and dataset.task == "classification":
            self.mode_label.setText("Network output: the class it predicts at each point"
                                    if dataset.n_classes > 2 else
                                    f"Network output: P({dataset.class_names[1]}) at each point")
        else:
            self.mode_label.setText("Network output: the predicted value at each point")

    def _neuron_name(self) -> str:
        layer, index = self.neuron
        names = neuron_names(self.model)
        return names[layer][index] if layer < len(names) and index < len(names[layer]) else f"{layer}.{index}"

    def _base_row(self) -> list:
        return [self._held[i] for i in range(len(self._summaries))]

    def _refresh(self) -> None:
        dataset, network = self.model.dataset, self.mirror.network
        if self._mode == "none" or not network_fits(network, dataset):
            return
        if self._map is None:
            self._map = OutputMap(dataset.preprocessor.transform, self._base_row(), self.axes, self.x_values,
                                  self.y_values if self._mode == "plane" else None)
        out = self._map.outputs(network, self.neuron)
        shape = out.shape[:-1]
        flat = out.reshape(-1, out.shape[-1])
        self.probabilities = None
        if self.neuron is not None:
            values = flat[:, 0]
            name = network.activations[self.neuron[0] - 1]
            levels = ACTIVATION_RANGES.get(name)
            if levels is None:
                peak = float(np.nanmax(np.abs(values))) or 1.0
                levels = (-peak, peak) if np.nanmin(values) < 0 else (0.0, peak)
            self._show_scalar(values.reshape(shape), pg.colormap.get(NEURON_COLOURS), levels,
                              f"O of {self._neuron_name()}")
        elif dataset.task == "classification":
            probs = class_probabilities(flat, dataset.n_classes)
            self.probabilities = probs.reshape(*shape, -1)
            if dataset.n_classes == 2:
                self._show_scalar(probs[:, 1].reshape(shape), _two_class_map(), (0.0, 1.0),
                                  f"P({dataset.class_names[1]})")
            else:
                self._show_classes(self.probabilities)
        else:
            j = max(0, self.output_combo.currentIndex())
            values = dataset.preprocessor.inverse_outputs(flat)[:, j]
            self._show_scalar(values.reshape(shape), pg.colormap.get(VALUE_COLOURS), self._value_levels,
                              dataset.output_names[j])

    def _cell_rect(self) -> QRectF:
        xs, ys = self.x_values, self.y_values
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        return QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys))

    def _show_scalar(self, values: np.ndarray, cmap: pg.ColorMap, levels, label: str) -> None:
        self.values = values
        self.colorbar.setColorMap(cmap)
        self.colorbar.setLevels(levels)
        self.colorbar.setLabel("right", _text(label), color=TEXT_COLOUR)
        self.colorbar.setVisible(self._mode == "plane")     # a curve's value is read off the y axis
        self.rgb_image.hide()
        if self._mode == "plane":
            self._clear_curves()
            self.image.setImage(values, autoLevels=False)
            self.image.setRect(self._cell_rect())
            self.image.show()
            self.plot.setRange(xRange=self._x_range(), yRange=self._y_range(), padding=0)
        else:
            self.image.hide()
            colour = "#303030" if self.neuron is not None or self.model.dataset.task == "regression" \
                else class_colour(1)
            self._set_curves([values], [colour])
            self.plot.setLabel("left", _text(label), color=TEXT_COLOUR)
            self._fit_line()

    def _show_classes(self, probabilities: np.ndarray) -> None:
        k = probabilities.shape[-1]
        winner = probabilities.argmax(axis=-1)
        if self._mode == "line":
            self.values = probabilities.max(axis=-1)
            self.image.hide()
            self.rgb_image.hide()
            self.colorbar.hide()
            self._set_curves([probabilities[:, c] for c in range(k)], [class_colour(c) for c in range(k)])
            self.plot.setLabel("left", "probability", color=TEXT_COLOUR)
            self._fit_line()
            return
        self.values = probabilities.max(axis=-1)
        palette = np.array([class_colour(c).getRgbF()[:3] for c in range(k)])
        # Certainty 1/k (a guess) shows white, certainty 1 the class's full colour.
        strength = np.clip((self.values - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)[..., None] * CLASS_STRENGTH
        rgb = 1.0 - strength * (1.0 - palette[winner])
        self.rgb_image.setImage((rgb * 255).astype(np.uint8), levels=(0, 255))
        self.rgb_image.setRect(self._cell_rect())
        self.rgb_image.show()
        self.image.hide()
        self.colorbar.hide()
        self._clear_curves()
        self.plot.setRange(xRange=self._x_range(), yRange=self._y_range(), padding=0)

    def _fit_line(self) -> None:
        # The plane mode fixed both ranges; a curve spans its input's range and lets y follow the data.
        self.plot.setXRange(*self._x_range(), padding=0)
        self.plot.enableAutoRange(axis="y")

    def _x_range(self):
        return self.x_values[0], self.x_values[-1]

    def _y_range(self):
        return self.y_values[0], self.y_values[-1]

    def _set_curves(self, series, colours) -> None:
        while len(self.curves) > len(series):
            self.plot.removeItem(self.curves.pop())
        while len(self.curves) < len(series):
            curve = self.plot.plot()
            curve.setZValue(5)
            self.curves.append(curve)
        for curve, values, colour in zip(self.curves, series, colours):
            curve.setData(self.x_values, values, pen=pg.mkPen(colour, width=2.5))

    def _clear_curves(self) -> None:
        while self.curves:
            self.plot.removeItem(self.curves.pop())

    def _draw_points(self) -> None:
        """Training rows filled, validation rows as rings; by class colour, or by value for regression."""
        dataset = self.model.dataset
        if dataset is None or self._mode == "none":
            return
        ix, iy = self.axes
        xname = self._summaries[ix].name
        regression = dataset.task == "regression"
        for raw, Y, item, filled in ((self._raw_train, self._Y_train, self.train_points, True),
                                     (self._raw_val, self._Y_val, self.val_points, False)):
            x = raw.get(xname, np.zeros(0))
            if regression:
                if self._mode == "line":
                    j = max(0, self.output_combo.currentIndex())
                    y = dataset.preprocessor.inverse_outputs(Y)[:, j] if len(Y) else np.zeros(0)
                    colours = ["#1a73b8"]
                else:
                    # White dots, not value colours: a well-fitted row's colour would match the map under
                    # it and leave only its outline, which reads as a hollow (validation) ring.
                    y = raw.get(self._summaries[iy].name)
                    colours = ["#ffffff"]
                codes = np.zeros(len(x), int)
            else:
                codes = class_probabilities(Y, dataset.n_classes).argmax(axis=1) if len(Y) else np.zeros(0, int)
                colours = [class_colour(c) for c in range(dataset.n_classes)]
                if self._mode == "line":
                    # Two classes sit at their target 0/1 under the P(second class) curve; more on a rug below.
                    y = codes.astype(float) if dataset.n_classes == 2 else np.full(len(codes), -0.05)
                else:
                    y = raw.get(self._summaries[iy].name)
            # One brush or pen per colour, shared by its points: pyqtgraph styles 2,000 points with a new
            # object each in ~60 ms, with shared ones in ~4 ms.
            if filled:
                outline = "#303030" if regression and self._mode == "plane" else "#ffffff"
                brushes = [pg.mkBrush(c) for c in colours]
                item.setData(x, y, brush=[brushes[c] for c in codes], pen=pg.mkPen(outline, width=0.8), symbol="o")
            else:
                pens = [pg.mkPen(c, width=2) for c in colours]
                item.setData(x, y, brush=None, pen=[pens[c] for c in codes], symbol="o")
                self.val_halo.setData(x, y, symbol="o")
        self._update_legend(dataset)

    def _update_legend(self, dataset) -> None:
        key = "● training rows &nbsp; ○ validation rows"
        if self._sampled:
            key += f" &nbsp; ({self._sampled})"
        if dataset.task == "classification":
            names = distinct_shortened(dataset.class_names, lambda name: shortened(name, LEGEND_NAME_CHARS))
            # each swatch and its name kept together on a line
            swatches = " &nbsp; ".join(f"<span style='color:{class_colour(c).name()}'>■</span>&nbsp;"
                                       f"{_text(name).replace(' ', '&nbsp;')}"
                                       for c, name in enumerate(names[:LEGEND_CLASSES]))
            if len(names) > LEGEND_CLASSES:
                swatches += (f" &nbsp; … and {len(names) - LEGEND_CLASSES} more classes "
                             "(point at the map to read one)")
            self.legend.setText(f"{swatches}<br><span style='color:#606060'>{key}</span>")
        elif self._mode == "plane":
            self.legend.setText(f"<span style='color:#606060'>{key}</span>")
        else:
            self.legend.setText(f"<span style='color:#606060'>— network output &nbsp; {key}</span>")
        if len(self._summaries) > 2:
            self.legend.setText(self.legend.text() + "<br><span style='color:#808080'>Rows are drawn at their "
                                "own values of the axis inputs, whatever their other inputs.</span>")

    # ---- hover ------------------------------------------------------------------------------------
    @Slot(object)
    def _on_mouse_moved(self, pos) -> None:
        if self.values is None or not self.plot.vb.sceneBoundingRect().contains(pos):
            self.readout.setText(" ")
            return
        point = self.plot.vb.mapSceneToView(pos)
        dataset = self.model.dataset
        ix, iy = self.axes
        where = f"{self._summaries[ix].name} = {_format(point.x())}"
        if self._mode == "plane":
            where += f", {self._summaries[iy].name} = {_format(point.y())}"
        value = self.value_at(point.x(), point.y())
        if self.neuron is not None:
            what = f"O = {value:.3f}"
        elif dataset.task == "classification":
            c = self.class_at(point.x(), point.y())
            what = (f"{dataset.class_names[c]} ({value:.0%})" if dataset.n_classes > 2
                    else f"P({dataset.class_names[1]}) = {value:.2f}")
        else:
            what = f"{dataset.output_names[max(0, self.output_combo.currentIndex())]} = {_format(value)}"
        self.readout.setText(f"{where} → {what}")
