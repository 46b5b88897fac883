"""The weight heatmaps show the newest weights and θ, on a colour bar whose ends stay put while weights drift."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gui.weights_view import ROW_LABEL_CHARS, colour_scale, thinned_ticks
from tests.gui.studio import open_window


@pytest.fixture
def window(qtbot):
    return open_window(qtbot)


def test_the_colour_scale_is_a_round_number_just_above_the_largest_weight():
    assert colour_scale(0.9) == 1.0 and colour_scale(1.0) == 1.0 and colour_scale(1.01) == 1.5
    assert colour_scale(0.026) == 0.03 and colour_scale(420.0) == 500.0
    for largest in np.geomspace(1e-4, 1e4, 997):
        end = colour_scale(float(largest))
        assert largest <= end * (1 + 1e-12) <= largest * 1.5 * (1 + 1e-12), "no weight is clipped, colours use ≥ 2/3"
        mantissa = end / 10 ** math.floor(math.log10(end) + 1e-12)
        assert round(mantissa, 6) in (1, 1.5, 2, 3, 4, 5, 7), end
    assert colour_scale(0.0) > 0 and colour_scale(float("nan")) > 0


def _net_weights(window, scale):
    network = window.model.network
    rng = np.random.default_rng(1)
    weights = [(rng.uniform(-1, 1, w.shape) * scale).astype(w.dtype) for w in network.weights]
    biases = [(rng.uniform(-1, 1, b.shape) * scale).astype(b.dtype) for b in network.biases]
    return weights, biases


def test_each_redraw_shows_the_newest_weights_with_theta_underneath(qtbot, window):
    view = window.weights
    first = _net_weights(window, 0.5)
    view.set_weights(*first)
    kept = [image.image for image in view.images]
    second = _net_weights(window, 2.0)
    view.set_weights(*second)
    for image, w, b in zip(view.images, *second):
        np.testing.assert_array_equal(image.image[:-1], w)
        np.testing.assert_array_equal(image.image[-1], b)
    assert all(np.shares_memory(a, image.image) for a, image in zip(kept, view.images)), "one array per layer, reused"


def test_the_colour_bar_ends_move_only_when_weights_leave_the_round_range(qtbot, window):
    view = window.weights
    levels = []
    for scale in np.linspace(0.8, 1.9, 45):         # weights growing slowly, as in training
        weights, biases = _net_weights(window, scale)
        view.set_weights(weights, biases)
        low, high = view.colorbar.levels()
        largest = max(max(np.abs(w).max(), np.abs(b).max()) for w, b in zip(weights, biases))
        assert low == -high and high >= largest
        levels.append(high)
    assert len(set(levels)) <= 3, f"the colour bar changed {len(set(levels))} times for 45 redraws"


@pytest.mark.parametrize("n, pixels, per_label", [(16, 55, 24), (16, 400, 24), (785, 300, 16), (3, 10, 24),
                                                  (10, 400, 60), (129, 200, 16), (16, 240, 24), (16, 380, 24)])
def test_tick_names_fit_without_overlap_and_always_show_both_ends(n, pixels, per_label):
    names = [str(k + 1) for k in range(n)]
    named, unnamed = thinned_ticks(names, pixels, per_label)
    positions = [p for p, _ in named]
    assert named[0] == (0.5, "1")
    if pixels >= 2 * per_label:
        assert named[-1] == (n - 0.5, str(n))                 # the last cell says how many there are
    cell = pixels / n
    gaps = [b - a for a, b in zip(positions, positions[1:])]
    assert all(gap * cell >= per_label for gap in gaps)      # at 1920 px "13" and "14", a cell apart, touched
    assert len(set(gaps[:-1])) <= 1 and (not gaps or gaps[-1] >= gaps[0])   # one step: 1, 3, 5 … and the last
    assert len(named) <= min(n, max(1, pixels // per_label))
    assert sorted(positions + [p for p, _ in unnamed]) == [k + 0.5 for k in range(n)]
    assert all(text == "" for _, text in unnamed)


def _right_edges(view):
    return [item.mapRectToScene(item.boundingRect()).right() for item in [*view.plots, view.colorbar]]


def test_every_heatmap_and_the_colour_bar_are_in_view_and_many_layers_scroll_instead_of_being_cut(qtbot, window):
    from dataclasses import replace

    window.resize(1600, 1000)
    assert window.load_example("iris")                   # input names longer than a row label has room for
    view = window.weights
    qtbot.waitUntil(lambda: view.scroll.viewport().width() > 0 and len(view.plots) == 2)
    qtbot.wait(50)
    visible = view.scroll.viewport().width()
    assert not view.scroll.horizontalScrollBar().isVisible()
    assert max(_right_edges(view)) <= visible + 1, (_right_edges(view), visible)
    rows = [text for level in view.plots[0].getAxis("left")._tickLevels for _, text in level if text]
    assert "sepal_len…" in rows and all(len(text) <= ROW_LABEL_CHARS for text in rows), rows
    assert view.colorbar.mapRectToScene(view.colorbar.boundingRect()).top() >= max(
        plot.mapRectToScene(plot.boundingRect()).bottom() for plot in view.plots) - 1   # under the plots

    model = window.model
    model.edit_architecture(replace(model.architecture, hidden=(8,) * 6, hidden_activations=("tanh",) * 6))
    qtbot.waitUntil(lambda: len(view.plots) == 7)
    qtbot.waitUntil(view.scroll.horizontalScrollBar().isVisible)
    assert view.graphics.width() > visible
    assert max(_right_edges(view)) <= view.graphics.width() + 1     # reachable by scrolling, not cut off


def test_the_colour_bar_reads_in_plain_numbers_for_small_weights(qtbot, window):
    view = window.weights
    view.set_weights(*_net_weights(window, 0.4))            # an untrained network's size
    axis = view.colorbar.getAxis("bottom")
    assert view.colorbar.levels() == (-0.4, 0.4)
    assert "x0.001" not in axis.labelString() and axis.autoSIPrefixScale == 1.0


def test_each_layer_can_have_its_own_colour_scale(qtbot, window):
    """A wide first layer's weights are a fraction of the last layer's: on one shared bar they are all
    nearly white. With its own scale each heatmap spans its own largest weight, named in its title."""
    view = window.weights
    weights, biases = _net_weights(window, 1.0)
    weights[0] *= 0.02                                  # xavier on hundreds of inputs: small
    biases[0] *= 0.02
    view.set_weights(weights, biases)
    shared = view.levels()
    assert len(set(shared)) == 1 and view.colorbar.isVisible()

    view.own_scale.setChecked(True)                     # the drawn weights are redrawn at once
    own = view.levels()
    for (low, high), w, b in zip(own, weights, biases):
        largest = max(np.abs(w).max(), np.abs(b).max())
        assert low == -high == -colour_scale(float(largest))
    assert own[0][1] < shared[0][1] / 10 and not view.colorbar.isVisible()
    assert f"±{own[0][1]:g}" in view.plots[0].titleLabel.text
    view.set_weights(weights, biases)                   # a new snapshot keeps each layer's own levels
    assert view.levels() == own

    view.own_scale.setChecked(False)
    assert view.levels() == shared and view.colorbar.isVisible()
    assert "±" not in view.plots[0].titleLabel.text
