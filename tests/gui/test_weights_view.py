"""The weight heatmaps show the newest weights and θ, on a colour bar whose ends stay put while weights drift."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gui.weights_view import colour_scale
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
