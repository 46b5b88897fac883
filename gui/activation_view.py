"""The activation-function plot: f(a) and f'(a) over [−5, 5] — the article's sigmoid figures, for any
activation in core.activations.ACTIVATIONS.

Follows the layer selected in the network diagram (show_layer) or any activation picked in the combo
(show_activation). The curves are created once and only get new data.
"""

from __future__ import annotations

import re

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from core.activations import ACTIVATIONS
from core.teaching import PLOT_RANGE, activation_curve, activation_labels

N_POINTS = 401            # 0.025 steps: relu's kink and sign's jump look sharp
F_COLOUR = "#1f5fbf"
DF_COLOUR = "#d9730d"


def math_html(text: str) -> str:
    """The article's plain symbols as rich text: a_j → a<sub>j</sub>, e^(−a) → e<sup>−a</sup>."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"\^\(([^()]*)\)", r"<sup>\1</sup>", text)
    text = re.sub(r"\^([A-Za-z0-9])", r"<sup>\1</sup>", text)
    # Only a lone symbol takes a subscript, so names such as leaky_relu stay as they are.
    text = re.sub(r"(?<![A-Za-z])([A-Za-zθδηΣ])_([a-z]{1,2}|\d)(?![A-Za-z])", r"\1<sub>\2</sub>", text)
    # Rich text collapses runs of spaces, which the formulas use to separate equations.
    return re.sub(r"  +", lambda m: "&nbsp;" * len(m.group(0)), text)


class ActivationPlot(QWidget):
    def __init__(self, model, controller, parent=None):
        super().__init__(parent)
        self.model, self.controller = model, controller
        self._layer: int | None = None       # the layer whose activation is followed, if any
        self.z = np.linspace(*PLOT_RANGE, N_POINTS)

        self.combo = QComboBox()
        self.combo.addItems(list(ACTIVATIONS))
        self.combo.setToolTip("Plot any activation in the table")
        self.combo.activated.connect(self._on_combo)
        self.layer_label = QLabel()
        self.layer_label.setStyleSheet("color: #505050;")
        self.layer_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(QLabel("Activation:"))
        top.addWidget(self.combo)
        top.addWidget(self.layer_label, 1)

        self.plot_widget = pg.PlotWidget(background="w")
        self.plot = self.plot_widget.getPlotItem()
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom", "a (net input)")
        for name in ("bottom", "left"):
            axis = self.plot.getAxis(name)
            axis.setPen("#606060")
            axis.setTextPen("#303030")
        self.plot.addLine(x=0, pen=pg.mkPen("#b0b0b0"))
        self.plot.addLine(y=0, pen=pg.mkPen("#b0b0b0"))
        self.legend = self.plot.addLegend(offset=(8, 8), labelTextColor="#202020", brush=(255, 255, 255, 220))
        self.f_curve = self.plot.plot(pen=pg.mkPen(F_COLOUR, width=2.5), name="f(a)")
        self.df_curve = self.plot.plot(pen=pg.mkPen(DF_COLOUR, width=2, style=Qt.PenStyle.DashLine), name="f'(a)")
        # the dashed f' over the solid f: where they coincide (sign: both 1 for a ≥ 0) the gaps between
        # the dashes show f, where f on top hid f' altogether
        self.df_curve.setZValue(2)
        self.plot.setXRange(*PLOT_RANGE, padding=0.02)

        self.formula = QLabel()
        self.formula.setTextFormat(Qt.TextFormat.RichText)
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.formula.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.formula.setFont(font)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #505050;")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.formula)
        layout.addWidget(self.note)

        model.architectureChanged.connect(self._follow_layer)
        model.dataChanged.connect(self._follow_layer)   # the output activation can depend on the task
        self.show_layer(0)

    # ---- public slots --------------------------------------------------------------------------------
    @property
    def activation(self) -> str:
        return self.combo.currentText()

    @Slot(str)
    def show_activation(self, name: str) -> None:
        """Plot `name` (a key of ACTIVATIONS); the plot then no longer follows a layer."""
        self._layer = None
        self._draw(name)

    @Slot(int)
    def show_layer(self, index: int) -> None:
        """Plot the activation of weight layer `index` (0 = first hidden layer, len(hidden) = output)."""
        hidden = self.model.architecture.hidden_activations
        index = max(0, min(int(index), len(hidden)))
        self._layer = index
        # The architecture, not model.network: it names the same activations and a run never writes it.
        name = hidden[index] if index < len(hidden) else self.model.resolved_output()[0]
        self._draw(name)

    # ---- internals -----------------------------------------------------------------------------------
    @Slot(int)
    def _on_combo(self, _row: int) -> None:
        self.show_activation(self.combo.currentText())

    @Slot()
    def _follow_layer(self) -> None:
        if self._layer is not None:
            self.show_layer(self._layer)

    def _draw(self, name: str) -> None:
        if name not in ACTIVATIONS:
            return
        act = ACTIVATIONS[name]
        self.combo.setCurrentText(name)
        f, df = activation_curve(name, self.z)
        self.f_curve.setData(self.z, f)
        self.df_curve.setData(self.z, df)
        f_label, df_label, note = activation_labels(name)
        self.legend.getLabel(self.f_curve).setText(math_html(f_label))
        self.legend.getLabel(self.df_curve).setText(math_html(df_label))
        self.legend.updateSize()
        self.plot.setTitle(name, color="#202020", size="11pt")
        self.formula.setText(f"{math_html(act.formula)}&nbsp;&nbsp;&nbsp;&nbsp;{math_html(act.derivative_formula)}")
        self.note.setText(note)
        self.note.setVisible(bool(note))
        if self._layer is None:
            self.layer_label.setText("")
        else:
            n_hidden = len(self.model.architecture.hidden)
            where = "output layer" if self._layer == n_hidden else f"hidden layer {self._layer + 1}"
            self.layer_label.setText(f"  of the {where}")
        low = min(float(np.nanmin(f)), float(np.nanmin(df)), 0.0)
        high = max(float(np.nanmax(f)), float(np.nanmax(df)), 1.0)
        self.plot.setYRange(low, high, padding=0.08)
