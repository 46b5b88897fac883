"""HealthView: one curve per layer from a short run, dead units found and named, measured at ≤ 2/s."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest

from core.examples import load_example
from core.inspect import layer_health
from gui import health_view
from gui import worker as worker_module
from gui.controller import TrainingController
from gui.health_view import HealthView, LogAxis
from gui.model import StudioModel

WAIT_MS = 20_000


def make(qtbot, example="circles", hidden=(6, 4), acts=("relu", "tanh"), epochs=30):
    model = StudioModel()
    model.set_dataset(load_example(example), example_name=example)
    model.edit_architecture(replace(model.architecture, hidden=hidden, hidden_activations=acts))
    model.update_settings(epochs=epochs)
    controller = TrainingController(model)
    view = HealthView(model, controller)
    qtbot.addWidget(view)
    return model, controller, view


def kill_units(network, layer, units):
    """Units whose net input is −5 for every sample: a ReLU outputs 0 and gets no gradient, forever."""
    network.weights[layer][:, units] = 0.0
    network.biases[layer][units] = -5.0


def test_short_run_one_curve_per_layer_and_dead_units(qtbot):
    model, controller, view = make(qtbot)
    kill_units(model.network, 0, [1, 4])
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS):
        controller.train()
    try:
        n_layers = len(model.network.weights)
        assert len(view.grad_curves) == len(view.ratio_curves) == n_layers == 3
        for curve in view.grad_curves + view.ratio_curves:
            x, y = curve.getData()
            assert len(x) >= 2 and np.isfinite(y).any()      # epoch 0 and at least the last epoch
        assert view.epochs[0] == 0 and view.epochs[-1] == 30
        assert view.grad_plot.getAxis("left").logMode and view.ratio_plot.getAxis("left").logMode
        assert "2 of 6 units in layer 1 are dead (always output 0)." in view.hint_texts
        assert view.table.item(0, 2).text() == "2 of 6"
        assert view.table.item(1, 2).text() == "—" and view.table.item(1, 3).text().endswith("of 4")
        # the last point is the trained network, measured on the fixed sample
        ds = model.dataset
        expected = layer_health(model.network.copy(), ds.X_train, ds.Y_train, model.settings.lr)
        assert view.health[0].dead_share == expected[0].dead_share == 2 / 6
        np.testing.assert_allclose(view.grad_norms[-1], [h.grad_norm for h in expected], rtol=1e-5)
    finally:
        controller.shutdown()


def test_measurements_are_throttled(qtbot, monkeypatch):
    model, controller, view = make(qtbot, "xor", hidden=(3,), acts=("tanh",), epochs=20_000)
    calls = []

    def counting(*args):
        calls.append(time.monotonic())
        return layer_health(*args)

    monkeypatch.setattr(worker_module, "layer_health", counting)     # measured by the training thread
    start = time.monotonic()
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS):
        controller.train()
    seconds = time.monotonic() - start
    controller.shutdown()
    assert controller.history.last_epoch == 20_000
    during = calls[:-1]                                   # the last call measures the finished network
    print(f"{len(during)} measurements in {seconds:.2f} s")
    assert 1 <= len(during) <= 2 * seconds + 2
    assert (np.diff(during) >= 0.45).all()


def test_reset_clears_and_remeasures(qtbot):
    model, controller, view = make(qtbot, "xor", hidden=(3,), acts=("relu",))
    assert view.epochs == [0] and len(view.grad_curves) == 2
    model.insert_layer(1, 5, "sigmoid")
    assert view.epochs == [0] and len(view.grad_curves) == 3
    assert view.table.rowCount() == 3
    assert view.hint_texts == [] and view.hint_list.item(0).text() == health_view.NO_HINTS
    controller.shutdown()


@pytest.mark.parametrize("height, keep", [(2000, None), (120, (1, 2, 5)), (30, (1,))])
def test_log_axis_labels_thin_out_instead_of_overlapping(qtbot, height, keep):
    axis = LogAxis("left")
    axis.setLogMode(y=True)
    axis.resize(40, height)
    axis.setRange(-2, 0)                     # two decades: 0.01 … 1
    values = [v + np.log10(m) for v in (-2, -1) for m in range(1, 10)]
    strings = axis.logTickStrings(values, 1.0, 1.0)
    labelled = {round(10 ** (v - np.floor(v))) for v, s in zip(values, strings) if s}
    assert labelled == (set(range(1, 10)) if keep is None else set(keep))


def test_during_a_run_the_training_thread_measures_even_while_the_view_is_hidden(qtbot, monkeypatch):
    import threading

    model, controller, view = make(qtbot, "xor", hidden=(3,), acts=("tanh",), epochs=4000)
    measured_in = []
    monkeypatch.setattr(worker_module, "layer_health",
                        lambda *a: measured_in.append(threading.current_thread()) or layer_health(*a))
    gui_measured_while_running = []
    monkeypatch.setattr(health_view, "layer_health",
                        lambda *a: gui_measured_while_running.append(controller.active) or layer_health(*a))
    view.hide()
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS):
        controller.train()
    controller.shutdown()
    assert measured_in and threading.main_thread() not in measured_in
    assert not any(gui_measured_while_running)
    assert view.epochs[0] == 0 and view.epochs[-1] == 4000 and len(view.epochs) >= 2
    view.show()
    x, _ = view.grad_curves[0].getData()
    assert list(x) == view.epochs, "every point measured during the run is on the curve"


def test_a_layer_without_gradient_draws_no_points_and_no_warning(qtbot):
    """Every unit of a ReLU layer dead: the layers below get no gradient, so their log-scale curves
    have nothing to show (0 has no logarithm). Drawing them must not flood the terminal with numpy's
    'All-NaN slice' warning on every repaint."""
    import warnings

    model, controller, view = make(qtbot, "xor", hidden=(3,), acts=("relu",))
    kill_units(model.network, 0, [0, 1, 2])
    view.show()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        view.refresh()
        view.grab()
    try:
        assert [str(w.message) for w in caught] == []
        assert view.grad_norms[-1] == [0.0, 0.0]     # the output layer's inputs are all 0 too
        for curve in view.grad_curves:
            _, y = curve.getData()
            assert y is None or len(y) == 0
        assert view.table.item(0, 4).text() == "0"
    finally:
        controller.shutdown()
