"""The network designer: clicks on the diagram edit the model (undoably), snapshots only recolour."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QGraphicsSimpleTextItem, QToolTip

from gui.model import StudioModel
from gui.network_view import LOCKED_TIP, MAX_LINKS, MAX_NODES, NEGATIVE, POSITIVE, NetworkView


def fake_dataset(n_features=2, n_outputs=3, task="classification", feature_names=None, class_names=None):
    """Just the attributes the view reads; core.data's Dataset is written elsewhere."""
    if class_names is None and task == "classification":
        class_names = [f"class {k}" for k in range(max(n_outputs, 2))]
    return SimpleNamespace(
        feature_names=feature_names or [f"feature {i}" for i in range(n_features)],
        output_names=None, class_names=class_names,
        n_features=n_features, n_outputs=n_outputs, task=task)


@pytest.fixture
def make_view(qtbot):
    def make(hidden="8, 8", **dataset):
        model = StudioModel()
        model.set_dataset(fake_dataset(**dataset))
        assert model.set_hidden_text(hidden)
        model.undo_stack.clear()
        view = NetworkView(model)
        qtbot.addWidget(view)
        view.resize(900, 500)
        view.show()
        qtbot.waitExposed(view)
        return model, view
    return make


def click(qtbot, view, *key):
    """A real mouse click on the viewport where the control is drawn."""
    item = view.control(*key)
    assert item is not None, f"no control {key}"
    pos = view.view.mapFromScene(item.sceneBoundingRect().center())
    assert view.view.viewport().rect().contains(pos), f"{key} is not visible"
    qtbot.mouseClick(view.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def colour_sign(link):
    """+1 for an orange (positive) link, −1 for a blue (negative) one, 0 for the neutral grey."""
    c = link.pen().color()
    return 1 if c.red() > c.blue() + 40 else -1 if c.blue() > c.red() + 40 else 0


def hidden_sizes(model):
    return model.network.layer_sizes[1:-1]


def test_build_two_hidden_layers_by_clicking(qtbot, make_view):
    model, view = make_view(hidden="")
    assert model.network.layer_sizes == [2, 3]

    click(qtbot, view, "insert", 0)                  # between input and output
    assert model.network.layer_sizes == [2, 4, 3]
    click(qtbot, view, "insert", 1)                  # between hidden 1 and output
    assert model.network.layer_sizes == [2, 4, 4, 3]
    click(qtbot, view, "add", 0)
    click(qtbot, view, "add", 0)
    click(qtbot, view, "remove", 1)
    assert model.network.layer_sizes == [2, 6, 3, 3]
    assert [len(view.node_items(layer)) for layer in range(4)] == [2, 6, 3, 3]
    assert view.hidden_edit.text() == "6, 3"

    click(qtbot, view, "drop", 0)
    assert model.network.layer_sizes == [2, 3, 3]


def test_remove_neuron_stops_at_one(qtbot, make_view):
    model, view = make_view(hidden="1")
    click(qtbot, view, "remove", 0)
    assert hidden_sizes(model) == [1]
    assert view.control("remove", 0).brush().color() != view.control("add", 0).brush().color()


def test_undo_redo_buttons_restore_sizes(qtbot, make_view):
    model, view = make_view(hidden="8, 8")
    assert not view.undo_button.isEnabled()
    click(qtbot, view, "add", 1)
    click(qtbot, view, "insert", 0)
    assert hidden_sizes(model) == [4, 8, 9]
    assert "Insert layer" in view.undo_button.toolTip()

    qtbot.mouseClick(view.undo_button, Qt.MouseButton.LeftButton)
    assert hidden_sizes(model) == [8, 9]
    qtbot.mouseClick(view.undo_button, Qt.MouseButton.LeftButton)
    assert hidden_sizes(model) == [8, 8]
    assert view.hidden_edit.text() == "8, 8"
    assert not view.undo_button.isEnabled()
    qtbot.mouseClick(view.redo_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.redo_button, Qt.MouseButton.LeftButton)
    assert hidden_sizes(model) == [4, 8, 9]
    assert [len(view.node_items(layer)) for layer in range(5)] == [2, 4, 8, 9, 3]


def test_hidden_text_field_syncs_both_ways(qtbot, make_view):
    model, view = make_view(hidden="8, 8")
    assert view.hidden_edit.text() == "8, 8"

    model.set_hidden_text("5, 3")                    # model → field
    assert view.hidden_edit.text() == "5, 3"
    view.hidden_edit.setText("5,3")
    view.hidden_edit.editingFinished.emit()          # same network, the model's spelling comes back
    assert view.hidden_edit.text() == "5, 3"

    view.hidden_edit.setFocus()
    view.hidden_edit.selectAll()
    qtbot.keyClicks(view.hidden_edit, "16, 4, 2")    # field → model, on Enter
    assert hidden_sizes(model) == [5, 3]
    qtbot.keyClick(view.hidden_edit, Qt.Key.Key_Return)
    assert hidden_sizes(model) == [16, 4, 2]
    assert len(view.node_items(1)) == MAX_NODES - 1     # 16 neurons: collapsed

    view.hidden_edit.selectAll()
    qtbot.keyClicks(view.hidden_edit, "8, lots")
    with qtbot.waitSignal(model.message) as blocker:
        qtbot.keyClick(view.hidden_edit, Qt.Key.Key_Return)
    assert "'8, lots' is not a list of layer sizes" in blocker.args[0]
    assert view.hidden_edit.text() == "16, 4, 2"     # reverted
    assert hidden_sizes(model) == [16, 4, 2]


def test_activation_and_loss_combos_edit_the_selected_layer(qtbot, make_view):
    model, view = make_view(hidden="8, 8")
    with qtbot.waitSignal(view.layerSelected) as blocker:
        click(qtbot, view, "column", 2)              # hidden layer 2
    assert blocker.args == [1]
    assert view.layer_label.text().startswith("hidden 2")
    assert view.activation_combo.currentText() == "tanh"

    view.activation_combo.setCurrentText("relu")
    assert model.network.activations == ["tanh", "relu", "softmax"]
    assert model.architecture.hidden_activations == ("tanh", "relu")

    click(qtbot, view, "column", 3)                  # the output layer
    assert view.selected_layer == 2
    combo = view.activation_combo
    assert combo.itemText(0) == "auto (softmax)"
    assert combo.currentIndex() == 0
    assert view.loss_combo.itemText(0) == "auto (cross-entropy)"

    view.loss_combo.setCurrentText("mse")
    combo.setCurrentText("sigmoid")
    assert model.network.activations[-1] == "sigmoid"
    assert model.network.loss == "mse"

    model.undo_stack.undo()                          # the combo follows the model back
    assert view.activation_combo.currentIndex() == 0


def test_clicking_a_neuron_reports_it_and_selects_its_layer(qtbot, make_view):
    model, view = make_view(hidden="8, 8")
    with qtbot.waitSignal(view.neuronClicked) as blocker:
        click(qtbot, view, "node", 1, 3)
    assert blocker.args == [1, 3]
    assert view.selected_layer == 0


def test_big_layers_are_collapsed_and_links_capped(qtbot, make_view):
    model, view = make_view(hidden="512", n_features=784, n_outputs=10)
    assert model.network.layer_sizes == [784, 512, 10]
    assert all(len(view.node_items(layer)) <= MAX_NODES for layer in range(3))
    assert len(view.node_items(2)) == 10
    assert len(view.link_items()) <= MAX_LINKS
    texts = [item.text() for item in view.scene.items() if isinstance(item, QGraphicsSimpleTextItem)]
    assert "… 512 neurons" in texts
    assert "… 784 inputs" in texts

    model.set_hidden_text(", ".join(["64"] * 32))   # deep as well as wide
    assert all(len(view.node_items(layer)) <= MAX_NODES for layer in range(34))
    assert 0 < len(view.link_items()) <= MAX_LINKS


def test_update_snapshot_recolours_links_without_rebuilding(qtbot, make_view):
    model, view = make_view(hidden="3")
    links = view.link_items()
    n_items = len(view.scene.items())
    weights = [np.array([[1.0, -0.5, 0.1], [-2.0, 0.0, 0.3]]), np.arange(9.0).reshape(3, 3) - 4.0]
    biases = [np.array([0.25, 0.0, -1.0]), np.zeros(3)]
    view.update_snapshot(weights, biases)

    assert view.link_items() == links and len(view.scene.items()) == n_items
    by_key = {(i, j): link for link, (i, j) in zip(links[:6], [(i, j) for i in range(2) for j in range(3)])}
    assert [colour_sign(by_key[0, j]) for j in range(3)] == [1, -1, 1]
    assert colour_sign(by_key[1, 0]) == -1
    assert by_key[1, 0].pen().color().rgb() == NEGATIVE.rgb()      # the layer's largest |w|: full colour
    # Width follows |w| relative to the layer's largest weight (2.0 here).
    assert by_key[1, 0].pen().widthF() > by_key[0, 0].pen().widthF() > by_key[0, 2].pen().widthF()

    view.update_snapshot([-w for w in weights], biases)
    assert colour_sign(by_key[0, 0]) == -1
    assert by_key[1, 0].pen().color().rgb() == POSITIVE.rgb()

    # A stale snapshot from before an edit has other shapes: ignored, nothing breaks.
    view.update_snapshot([np.ones((2, 5)), np.ones((5, 3))], [np.ones(5), np.ones(3)])
    assert colour_sign(by_key[0, 0]) == -1


def test_mean_activations_shade_neurons_and_tooltips_show_values(qtbot, make_view):
    model, view = make_view(hidden="3")
    node = view.node_items(1)[2]
    white = node.brush().color().rgb()
    weights = [np.full((2, 3), 0.123), np.full((3, 3), -0.5)]
    biases = [np.array([0.1, 0.2, -0.75]), np.zeros(3)]
    means = [np.zeros(2), np.array([0.0, 0.5, -0.9]), np.zeros(3)]
    view.update_snapshot(weights, biases, means)
    assert node.brush().color().rgb() != white
    assert view.node_items(1)[0].brush().color().rgb() == white

    tip = view.tooltip_at(view.view.mapFromScene(node.sceneBoundingRect().center()))
    assert "hidden layer 1 neuron 3: h1.3" in tip and "θ = -0.75" in tip and "mean O = -0.9" in tip
    link = view.link_items()[0]                      # named as the heatmaps and the Inspector name them
    tip = view.tooltip_at(view.view.mapFromScene(link.line().pointAt(0.5)))
    assert tip == "w[feature 0 → h1.1] = 0.123"
    tip = view.tooltip_at(view.view.mapFromScene(view.control("add", 0).sceneBoundingRect().center()))
    assert tip == "Add a neuron to hidden layer 1"

    # The same text reaches a real tooltip through the viewport's ToolTip event.
    pos = view.view.mapFromScene(node.sceneBoundingRect().center())
    viewport = view.view.viewport()
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, pos, viewport.mapToGlobal(pos)))
    assert "θ = -0.75" in QToolTip.text()
    QToolTip.hideText()


def test_edits_are_refused_while_training(qtbot, make_view):
    model, view = make_view(hidden="8, 8")
    click(qtbot, view, "add", 0)
    model.training_locked = True
    assert not view.hidden_edit.isEnabled()
    assert not view.activation_combo.isEnabled() and not view.loss_combo.isEnabled()
    assert not view.undo_button.isEnabled()
    assert view.hidden_edit.toolTip() == LOCKED_TIP

    for key in (("add", 0), ("remove", 1), ("insert", 0), ("drop", 1)):
        click(qtbot, view, *key)
    assert hidden_sizes(model) == [9, 8]
    centre = view.view.mapFromScene(view.control("add", 0).sceneBoundingRect().center())
    assert view.tooltip_at(centre) == LOCKED_TIP

    # Snapshots still arrive while locked.
    sizes = model.layer_sizes()
    view.update_snapshot([np.ones((a, b)) for a, b in zip(sizes, sizes[1:])], [np.ones(b) for b in sizes[1:]])
    assert colour_sign(view.link_items()[0]) == 1

    model.training_locked = False
    assert view.hidden_edit.isEnabled() and view.undo_button.isEnabled()
    click(qtbot, view, "add", 0)
    assert hidden_sizes(model) == [10, 8]


def test_labels_are_elided_and_the_diagram_fits_the_view(qtbot, make_view):
    long = "a_remarkably_long_column_name_from_a_spreadsheet_2023"
    model, view = make_view(hidden="8, 8", feature_names=[long, "x"], class_names=["setosa", "versicolor", "virginica"])
    texts = [item.text() for item in view.scene.items() if isinstance(item, QGraphicsSimpleTextItem)]
    assert long not in texts and any(t.startswith("a_rem") and "…" in t for t in texts)
    assert {"setosa", "versicolor", "virginica"} <= set(texts)
    tip = view.tooltip_at(view.view.mapFromScene(view.node_items(0)[0].sceneBoundingRect().center()))
    assert long in tip

    for size in ((900, 500), (640, 380)):
        view.resize(*size)
        qtbot.waitUntil(lambda: view.view.viewport().width() < size[0] + 1)
        shown = view.view.mapFromScene(view.scene.sceneRect()).boundingRect()
        assert view.view.viewport().rect().adjusted(-2, -2, 2, 2).contains(shown)
