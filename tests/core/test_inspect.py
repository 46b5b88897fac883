import numpy as np
import pytest

from core.inspect import apply_step, explain_step, hints, layer_health, output_grid, overfitting_epoch
from core.network import Network
from core.optimizers import SGD


def _net(seed=0, acts=("tanh", "sigmoid", "softmax"), loss="cross-entropy"):
    return Network([3, 4, 5, 2], list(acts), loss, seed=seed, dtype="float64")


def test_explanation_matches_engine_gradients_and_hand_formulas():
    net = _net()
    x, t = np.array([0.5, -1.0, 2.0]), np.array([0.0, 1.0])
    ex = explain_step(net, x, t, lr=0.1)
    engine = net.copy()
    error, gw, gb = engine.gradients(x.reshape(1, -1), t.reshape(1, -1))
    assert ex.error == pytest.approx(error)
    for layer, w, b in zip(ex.layers, gw, gb):
        np.testing.assert_array_equal(layer.grad_weights, w)
        np.testing.assert_array_equal(layer.grad_bias, b)
        np.testing.assert_allclose(layer.update_weights, -0.1 * w)
    # the article's identities, recomputed from the displayed numbers
    for i, layer in enumerate(ex.layers):
        np.testing.assert_allclose(layer.net_input, layer.inputs @ net.weights[i] + net.biases[i])
        np.testing.assert_allclose(layer.grad_weights, np.outer(layer.inputs, layer.delta))   # O_i δ_j
    out = ex.layers[-1]
    np.testing.assert_allclose(out.delta, out.output - t)            # softmax + cross-entropy: δ_k = O_k − t_k
    hid = ex.layers[1]                                                # sigmoid layer
    np.testing.assert_allclose(hid.delta, hid.output * (1 - hid.output) * (net.weights[2] @ out.delta))


def test_apply_step_equals_engine_update():
    net, engine = _net(), _net()
    x, t = np.array([0.1, 0.2, -0.3]), np.array([1.0, 0.0])
    ex = explain_step(net, x, t, lr=0.5)
    apply_step(net, x, t, lr=0.5)
    engine.forward(x.reshape(1, -1))
    engine.backward(t.reshape(1, -1))
    SGD(0.5).step(engine)
    for a, b, layer, w0 in zip(net.weights, engine.weights, ex.layers, _net().weights):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(a, w0 + layer.update_weights)


def test_mse_sample_error_is_the_articles_E():
    net = Network([2, 2, 1], ["sigmoid", "sigmoid"], "mse", dtype="float64")
    ex = explain_step(net, [0.35, 0.9], [0.5], lr=1.0)
    o = ex.layers[-1].output[0]
    assert ex.error == pytest.approx(0.5 * (0.5 - o) ** 2)
    assert ex.loss_formula.startswith("E = ½")


def test_output_grid_shape_and_neuron_map():
    net = Network([2, 3, 1], ["tanh", "sigmoid"], "binary-cross-entropy", seed=1, dtype="float64")
    xs, ys = np.linspace(-1, 1, 7), np.linspace(-2, 2, 5)
    grid = output_grid(net, lambda rows: np.asarray(rows, float), [0.0, 0.0], (0, 1), xs, ys)
    assert grid.shape == (5, 7, 1)
    np.testing.assert_allclose(grid[4, 6], net.predict(np.array([[1.0, 2.0]]))[0])
    hidden = output_grid(net, lambda rows: np.asarray(rows, float), [0.0, 0.0], (0, 1), xs, ys, neuron=(1, 2))
    np.testing.assert_allclose(hidden[0, 0, 0], np.tanh(np.array([-1.0, -2.0]) @ net.weights[0][:, 2]))


def test_health_dead_relu_and_hints():
    net = Network([2, 4, 1], ["relu", "linear"], "mse", dtype="float64")
    net.weights[0][:, :2] = -5.0          # two units that can never fire for positive inputs
    net.biases[0][:2] = -1.0
    X = np.abs(np.random.default_rng(0).normal(size=(50, 2)))
    T = np.zeros((50, 1))
    health = layer_health(net, X, T, lr=0.1)
    assert health[0].dead_share == pytest.approx(0.5)
    text = hints([1.0] * 5, None, health, net.layer_sizes)
    assert any("2 of 4 units in layer 1 are dead" in h for h in text)


def test_overfitting_detection():
    train = [1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15]
    val = [1.0, 0.9, 0.8, 0.82, 0.85, 0.9, 0.95, 1.0, 1.1]
    assert overfitting_epoch(train, val) == 2
    assert any("overfitting" in h and "epoch 3" in h for h in hints(train, val))
    assert overfitting_epoch(train, sorted(val, reverse=True)) is None
    assert any("rising" in h for h in hints(list(np.linspace(1, 2, 12)), None))


def test_hints_stay_quiet_on_a_learned_network():
    from core.inspect import LayerHealth
    saturated_output = [LayerHealth(1.0, 1e-3, 0.0, 0.0), LayerHealth(1e-9, 1e-9, 0.0, 1.0)]
    learned = [1.0, 0.5, 0.01]
    assert hints(learned, None, saturated_output, [2, 4, 1]) == []
    stuck = [1.0, 0.99, 0.98]
    assert any("barely changes" in h for h in hints(stuck, None, saturated_output, [2, 4, 1]))


def test_weights_about_to_diverge_give_inf_readings_and_outputs_without_runtime_warnings():
    import warnings

    net = Network([3, 6, 6, 2], ["relu", "relu", "linear"], "mse", seed=0)
    net.set_params([w * np.float32(1e19) for w in net.weights], net.biases)   # finite, but not for long
    X = np.ones((4, 3), np.float32)
    T = np.zeros((4, 2), np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")             # a warning would reach the user's terminal
        health = layer_health(net, X, T, lr=0.1)
        step = explain_step(net, X[0], T[0], lr=0.1)
        outputs = net.predict(X)
        traced = net.trace(X)
    assert not np.isfinite(outputs).all() and not np.isfinite(traced[-1][1]).all()
    assert not np.isfinite([h.grad_norm for h in health]).all()
    assert not np.isfinite(step.error) or not all(np.isfinite(l.grad_weights).all() for l in step.layers)


def test_a_layer_stuck_behind_saturated_units_is_not_blamed_on_a_small_learning_rate():
    # η = 10: layer 1 saturates, layer 2 then barely changes; "lower η" and "η too small" side by side
    # contradicted each other
    from core.inspect import LayerHealth
    health = [LayerHealth(1.0, 1e-2, 0.0, 0.9), LayerHealth(1e-9, 1e-9, 0.0, 0.0), LayerHealth(1e-3, 1e-3, 0.0, 0.0)]
    text = hints([1.0, 0.99, 0.98], None, health, [2, 16, 16, 1])
    assert any("layer 1 are saturated" in h and "lower learning rate" in h for h in text), text
    stuck = next(h for h in text if h.startswith("Layer 2 barely changes"))
    assert "too small" not in stuck and "saturated units pass almost no gradient back" in stuck
    calm = [LayerHealth(1.0, 1e-2, 0.0, 0.0), *health[1:]]          # nothing saturated: η may be too small
    assert any("learning rate is too small" in h for h in hints([1.0, 0.99, 0.98], None, calm, [2, 16, 16, 1]))


def test_a_slow_noisy_rise_of_the_validation_loss_is_overfitting_too():
    # diabetes in the real-data sweep: best at epoch 32, then a rise that mini-batch noise never lets run
    # five strict steps in a row at the moment anyone looks
    rng = np.random.default_rng(0)
    n = 500
    train = list(np.linspace(0.5, 0.19, n))
    val = 0.25 + 0.12 * np.clip(np.arange(n) - 31, 0, None) / n + rng.normal(0, 0.01, n)
    val[31] = 0.2
    val[-6:] = [0.36, 0.35, 0.37, 0.36, 0.365, 0.355]                 # the last step falls
    assert overfitting_epoch(train, list(val)) == 31
    assert any("best validation loss at epoch 32" in h for h in hints(train, list(val)))
    # a plateau whose validation loss wobbles around its best is not
    flat = list(0.3 + rng.normal(0, 0.005, n))
    assert overfitting_epoch(train, flat) is None
