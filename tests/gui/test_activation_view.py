"""ActivationPlot: the curves are core.activations.evaluate, for every activation; it follows a layer."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from core.activations import ACTIVATIONS, evaluate
from core.examples import load_example
from gui.activation_view import ActivationPlot, math_html
from gui.controller import TrainingController
from gui.model import StudioModel


@pytest.fixture
def plot(qtbot):
    model = StudioModel()
    model.set_dataset(load_example("iris"), example_name="iris")
    model.edit_architecture(replace(model.architecture, hidden=(4, 3), hidden_activations=("relu", "sigmoid")))
    controller = TrainingController(model)
    widget = ActivationPlot(model, controller)
    qtbot.addWidget(widget)
    yield widget
    controller.shutdown()


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_curves_are_the_engines_functions(plot, name):
    plot.show_activation(name)
    assert plot.activation == name and plot.combo.currentText() == name
    z, f = plot.f_curve.getData()
    z2, df = plot.df_curve.getData()
    np.testing.assert_array_equal(z, z2)
    assert z[0] == -5 and z[-1] == 5
    if ACTIVATIONS[name].df is not None:
        ref_f, ref_df = evaluate(name, z)
    else:   # softmax: each point is the row of logits (a, 0)
        pairs = [evaluate(name, np.array([a, 0.0])) for a in z]
        ref_f, ref_df = np.array([o[0] for o, _ in pairs]), np.array([d[0] for _, d in pairs])
    np.testing.assert_array_equal(f, ref_f)
    np.testing.assert_array_equal(df, ref_df)
    act = ACTIVATIONS[name]
    assert math_html(act.formula) in plot.formula.text()
    assert math_html(act.derivative_formula) in plot.formula.text()


def test_sign_is_labelled_straight_through(plot):
    plot.show_activation("sign")
    assert "straight-through" in plot.legend.getLabel(plot.df_curve).text
    assert "straight-through" in plot.note.text() and not plot.note.isHidden()
    plot.show_activation("tanh")
    assert plot.note.isHidden()


def test_follows_the_selected_layer(plot):
    model = plot.model
    plot.show_layer(0)
    assert plot.activation == "relu" and "hidden layer 1" in plot.layer_label.text()
    plot.show_layer(1)
    assert plot.activation == "sigmoid"
    plot.show_layer(2)
    assert plot.activation == "softmax" and "output" in plot.layer_label.text()
    model.set_layer_activation(2, "sigmoid")               # the output layer's activation changed
    assert plot.activation == "sigmoid"
    plot.combo.setCurrentText("elu")
    plot.combo.activated.emit(plot.combo.currentIndex())  # the user picked one: no longer following
    assert plot.activation == "elu" and plot.layer_label.text() == ""
    model.set_layer_activation(0, "tanh")
    assert plot.activation == "elu"


def test_math_html_subscripts_symbols_only():
    assert math_html("a_j = Σ_i w_ij O_i + θ_j") == (
        "a<sub>j</sub> = Σ<sub>i</sub> w<sub>ij</sub> O<sub>i</sub> + θ<sub>j</sub>")
    assert math_html("f(a) = 1 / (1 + e^(−a))") == "f(a) = 1 / (1 + e<sup>−a</sup>)"
    assert math_html("leaky_relu  x") == "leaky_relu&nbsp;&nbsp;x"


def test_sign_shows_its_dashed_derivative_where_it_coincides_with_f(plot, qtbot):
    # for a ≥ 0 both f and f' are 1: the dashes of f' must show on the line (f on top hid them)
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QColor

    from gui.activation_view import DF_COLOUR, F_COLOUR

    plot.resize(500, 400)
    plot.show()
    plot.show_activation("sign")
    qtbot.waitExposed(plot)
    image = plot.plot_widget.grab().toImage()
    vb = plot.plot.getViewBox()

    def colours_along(y: float) -> set[str]:
        found = set()
        for a in np.linspace(0.5, 4.5, 60):
            p = plot.plot_widget.mapFromScene(vb.mapViewToScene(QPointF(a, y)))
            for dy in (-1, 0, 1):
                found.add(QColor(image.pixel(p.x(), p.y() + dy)).name())
        return found

    right = colours_along(1.0)
    assert QColor(DF_COLOUR).name() in right and QColor(F_COLOUR).name() in right, right
