"""The backprop engine: gradients, a hand-worked example, XOR, determinism, divergence, stopping."""

import subprocess
import sys

import numpy as np
import pytest

from core.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, evaluate
from core.errors import ConfigError, DivergenceError, ModelFileError
from core.network import Network
from core.optimizers import SGD, Adam, Momentum, make_optimizer
from core.training import STOP_EARLY, STOP_MAX_EPOCHS, STOP_REQUESTED, STOP_TARGET_ERROR, TrainConfig, train

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=np.float64)

# (output activation, loss) pairs the engine supports; mse goes with any output activation.
OUTPUT_PAIRS = [(act, "mse") for act in ("linear", "sigmoid", "tanh", "softmax", "softplus", "elu",
                                          "leaky_relu", "relu")]
OUTPUT_PAIRS += [("softmax", "cross-entropy"), ("sigmoid", "binary-cross-entropy")]
SMOOTH_HIDDEN = [a for a in HIDDEN_ACTIVATIONS if a != "sign"]


def _targets(rng, loss, n, k):
    if loss == "cross-entropy":
        return np.eye(k)[rng.integers(0, k, n)]
    if loss == "binary-cross-entropy":
        return rng.integers(0, 2, (n, k)).astype(float)
    return rng.normal(size=(n, k))


def _numeric_gradients(net, X, T, eps=1e-6):
    """Central differences of the batch error with respect to every weight and bias."""
    grads = []
    for param in [*net.weights, *net.biases]:
        g = np.zeros_like(param)
        for idx in np.ndindex(param.shape):
            keep = param[idx]
            param[idx] = keep + eps
            up = net.error(X, T)
            param[idx] = keep - eps
            down = net.error(X, T)
            param[idx] = keep
            g[idx] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


@pytest.mark.parametrize("hidden", SMOOTH_HIDDEN)
@pytest.mark.parametrize("output,loss", OUTPUT_PAIRS)
def test_gradients_match_finite_differences(hidden, output, loss):
    rng = np.random.default_rng(1)
    net = Network([3, 5, 4, 2], [hidden, hidden, output], loss, dtype="float64", seed=3)
    for b in net.biases:       # non-zero θ so the bias gradients are exercised too
        b[:] = rng.normal(scale=0.3, size=b.shape)
    X = rng.normal(size=(7, 3))
    T = _targets(rng, loss, 7, 2)
    if output in ("sigmoid",) and loss == "mse":
        T = rng.uniform(size=(7, 2))
    _, gw, gb = net.gradients(X, T)
    numeric = _numeric_gradients(net, X, T)
    for analytic, fd in zip([*gw, *gb], numeric):
        np.testing.assert_allclose(analytic, fd, rtol=1e-4, atol=1e-7)


def test_sign_uses_straight_through_derivative():
    """sign's forward is ±1; backward treats f'(a) as 1 — the same gradients as if the hidden
    derivative factor were absent (computed here by hand, independently of the engine)."""
    rng = np.random.default_rng(0)
    net = Network([2, 3, 1], ["sign", "linear"], "mse", dtype="float64", seed=1)
    X, T = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    O1 = np.where(X @ net.weights[0] + net.biases[0] >= 0, 1.0, -1.0)
    assert set(np.unique(O1)) <= {-1.0, 1.0}
    O2 = O1 @ net.weights[1] + net.biases[1]
    d2 = (O2 - T) / 5
    d1 = d2 @ net.weights[1].T * 1.0            # straight-through: f'(a) := 1
    _, gw, gb = net.gradients(X, T)
    np.testing.assert_allclose(gw[1], O1.T @ d2)
    np.testing.assert_allclose(gw[0], X.T @ d1)
    np.testing.assert_allclose(gb[0], d1.sum(0))


def test_hand_worked_example_one_step():
    """The classic 2-2-1 sigmoid example, worked by hand (η = 1, θ = 0, t = 0.5).

    Inputs O1 = 0.35, O2 = 0.9; weights w13 = 0.1, w23 = 0.8, w14 = 0.4, w24 = 0.6, w35 = 0.3, w45 = 0.9.
      a3 = 0.35·0.1 + 0.9·0.8 = 0.755        O3 = σ(0.755) = 0.680267
      a4 = 0.35·0.4 + 0.9·0.6 = 0.68         O4 = σ(0.68)  = 0.663739
      a5 = 0.3·O3 + 0.9·O4 = 0.801445        O5 = σ(a5)    = 0.690283
      E  = ½ (0.5 − 0.690283)² = 0.018104
      δ5 = (O5 − t) O5 (1 − O5) = 0.0406811
      δ3 = O3 (1 − O3) w35 δ5 = 0.00265449,  δ4 = O4 (1 − O4) w45 δ5 = 0.00817165
      w35 ← 0.3 − O3 δ5 = 0.272326,  w45 ← 0.9 − O4 δ5 = 0.872998,  θ5 ← −δ5 = −0.0406811
      w13 ← 0.1 − 0.35 δ3 = 0.0990709, w23 ← 0.8 − 0.9 δ3 = 0.797611
      w14 ← 0.4 − 0.35 δ4 = 0.397140,  w24 ← 0.6 − 0.9 δ4 = 0.592646
    """
    net = Network([2, 2, 1], ["sigmoid", "sigmoid"], "mse", dtype="float64")
    net.set_params([np.array([[0.1, 0.4], [0.8, 0.6]]), np.array([[0.3], [0.9]])],
                   [np.zeros(2), np.zeros(1)])
    X, T = np.array([[0.35, 0.9]]), np.array([[0.5]])
    trace = net.trace(X)
    np.testing.assert_allclose(trace[0][0], [[0.755, 0.68]])
    np.testing.assert_allclose(trace[0][1], [[0.680267, 0.663739]], atol=1e-6)
    np.testing.assert_allclose(trace[1][1], [[0.690283]], atol=1e-6)
    net.forward(X)
    assert net.backward(T) == pytest.approx(0.018104, abs=1e-6)
    SGD(lr=1.0).step(net)
    np.testing.assert_allclose(net.weights[1], [[0.272326], [0.872998]], atol=1e-6)
    np.testing.assert_allclose(net.weights[0], [[0.0990709, 0.397140], [0.797611, 0.592646]], atol=1e-6)
    np.testing.assert_allclose(net.biases[1], [-0.0406811], atol=1e-7)
    np.testing.assert_allclose(net.biases[0], [-0.00265449, -0.00817165], atol=1e-8)


def test_xor_reaches_threshold_and_loss_goes_down():
    net = Network([2, 4, 1], "sigmoid", "mse", seed=0)
    reports = list(train(net, SGD(2.0), XOR_X, XOR_Y,
                         config=TrainConfig(epochs=20000, batch_size=1, target_error=0.01)))
    assert reports[-1].stop_reason == STOP_TARGET_ERROR
    assert net.error(XOR_X, XOR_Y) < 0.012     # the in-epoch error was < 0.01; the end-of-epoch one agrees
    losses = np.array([r.train_loss for r in reports])
    tenth = max(1, len(losses) // 10)
    assert losses[-tenth:].mean() < losses[:tenth].mean() / 5
    assert np.all((net.predict(XOR_X) > 0.5) == (XOR_Y > 0.5))


def _trained_weights(dtype, seed=7):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    Y = np.eye(3)[rng.integers(0, 3, 200)]
    net = Network([4, 16, 8, 3], ["tanh", "relu", "softmax"], "cross-entropy", seed=seed, dtype=dtype)
    list(train(net, Momentum(0.05), X[:150], Y[:150], X[150:], Y[150:],
               TrainConfig(epochs=15, batch_size=16, seed=seed), task="classification"))
    return net.get_params()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_same_seed_gives_bit_identical_weights(dtype):
    a, b, c = _trained_weights(dtype), _trained_weights(dtype), _trained_weights(dtype, seed=8)
    assert all(np.array_equal(x, y) for x, y in zip(a[0] + a[1], b[0] + b[1]))
    assert not all(np.array_equal(x, y) for x, y in zip(a[0], c[0]))
    assert a[0][0].dtype == np.dtype(dtype)


def test_divergence_raises_and_keeps_last_finite_weights():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(64, 3)) * 10, rng.normal(size=(64, 1)) * 100
    net = Network([3, 8, 1], ["relu", "linear"], "mse", seed=0)
    seen = []
    with pytest.raises(DivergenceError) as info:
        for report in train(net, SGD(1000.0), X, Y, config=TrainConfig(epochs=100, batch_size=8)):
            seen.append(report)
    assert "learning rate" in str(info.value) and f"epoch {info.value.epoch}" in str(info.value)
    assert net.params_finite()


def test_early_stopping_restores_best_weights():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(40, 5)), rng.normal(size=(40, 1))          # pure noise: val loss must rise
    Xv, Yv = rng.normal(size=(40, 5)), rng.normal(size=(40, 1))
    net = Network([5, 64, 1], ["tanh", "linear"], "mse", seed=0)
    reports = list(train(net, Adam(0.01), X, Y, Xv, Yv, TrainConfig(epochs=2000, batch_size=8, patience=10)))
    last = reports[-1]
    assert last.stop_reason == STOP_EARLY and last.epoch < 2000
    best = min(reports, key=lambda r: r.val_loss)
    assert last.best_epoch == best.epoch
    assert net.error(Xv, Yv) == pytest.approx(best.val_loss, rel=1e-5)


def test_should_stop_is_checked_between_batches():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(100, 2)), rng.normal(size=(100, 1))
    net = Network([2, 3, 1], "tanh", "mse")
    calls = []

    def stop():
        calls.append(1)
        return len(calls) > 25            # 10 batches per epoch: stops in the 3rd epoch

    reports = list(train(net, SGD(0.01), X, Y, config=TrainConfig(epochs=50, batch_size=10), should_stop=stop))
    assert reports[-1].stop_reason == STOP_REQUESTED and reports[-1].epoch == 3 and len(reports) == 3


@pytest.mark.parametrize("batch_size", [None, 4, 2, 1])
def test_every_batch_mode_learns_xor(batch_size):
    """Full batch (no shuffle), a batch as large as the set, mini-batches and online all see the data."""
    net = Network([2, 4, 1], ["tanh", "sigmoid"], "binary-cross-entropy", seed=1)
    list(train(net, Adam(0.05), XOR_X, XOR_Y, config=TrainConfig(epochs=800, batch_size=batch_size)))
    assert np.array_equal(net.predict(XOR_X) > 0.5, XOR_Y > 0.5)


def test_shuffled_epoch_sees_every_sample_once():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(10, 2))
    seen = []

    class Spy(Network):
        def forward(self, xb):
            seen.extend(map(tuple, np.asarray(xb, float).round(5)))
            return super().forward(xb)

    net = Spy([2, 2, 1], "tanh", "mse", dtype="float64")
    list(train(net, SGD(0.01), X, np.zeros((10, 1)), config=TrainConfig(epochs=1, batch_size=3)))
    assert sorted(seen) == sorted(map(tuple, X.round(5)))


@pytest.mark.parametrize("batch_size,updates", [(1, 10), (4, 3), (None, 1), (0, 1)])
def test_batch_modes_update_count(batch_size, updates):
    net = Network([2, 2, 1], "tanh", "mse")
    opt = SGD(0.1)
    rng = np.random.default_rng(0)
    list(train(net, opt, rng.normal(size=(10, 2)), rng.normal(size=(10, 1)),
               config=TrainConfig(epochs=1, batch_size=batch_size)))
    assert opt.steps == updates


def test_reports_are_frozen_and_carry_weights_only_when_asked():
    net = Network([2, 3, 1], "tanh", "mse")
    rng = np.random.default_rng(0)
    reports = list(train(net, SGD(0.1), rng.normal(size=(8, 2)), rng.normal(size=(8, 1)),
                         config=TrainConfig(epochs=4, batch_size=4), want_weights=lambda e: e == 2, run_id=9))
    assert [r.weights is not None for r in reports] == [False, True, False, True]   # last always has them
    assert reports[-1].stop_reason == STOP_MAX_EPOCHS and all(r.run_id == 9 for r in reports)
    with pytest.raises(AttributeError):
        reports[0].epoch = 5
    reports[1].weights[0][0, 0] = 123.0       # a copy: the network is untouched
    assert net.weights[0][0, 0] != 123.0


def test_snapshots_carry_the_validation_outputs_of_their_own_weights():
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(40, 3)), np.eye(2)[rng.integers(0, 2, 40)]
    X_val, Y_val = rng.normal(size=(12, 3)), np.eye(2)[rng.integers(0, 2, 12)]
    net = Network([3, 5, 2], ["tanh", "softmax"], "cross-entropy")
    reports = list(train(net, SGD(0.1), X, Y, X_val, Y_val, config=TrainConfig(epochs=5, batch_size=8),
                         task="classification", want_weights=lambda e: e in (1, 3)))
    assert [r.val_outputs is not None for r in reports] == [True, False, True, False, True]
    probe = Network([3, 5, 2], ["tanh", "softmax"], "cross-entropy")
    for r in reports:
        if r.val_outputs is not None:
            probe.set_params(r.weights, r.biases)
            np.testing.assert_array_equal(r.val_outputs, probe.predict(X_val))
    # without a validation set there is nothing to carry
    last = list(train(net, SGD(0.1), X, Y, config=TrainConfig(epochs=1)))[-1]
    assert last.weights is not None and last.val_outputs is None


def test_early_stopping_does_not_pair_the_best_weights_with_the_last_outputs():
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(30, 2)), rng.normal(size=(30, 1))
    net = Network([2, 16, 1], "tanh", "mse")
    last = list(train(net, SGD(0.5), X, Y, X[:5] + 3, Y[:5] * -4, config=TrainConfig(epochs=200, patience=2)))[-1]
    assert last.stop_reason == "early_stopping" and last.val_outputs is None


def test_lr_change_between_batches_is_used():
    net = Network([2, 3, 1], "tanh", "mse")
    opt = SGD(0.1)

    def stop():
        opt.lr = 0.5
        return False

    rng = np.random.default_rng(0)
    reports = list(train(net, opt, rng.normal(size=(8, 2)), rng.normal(size=(8, 1)),
                         config=TrainConfig(epochs=2, batch_size=4), should_stop=stop))
    assert reports[-1].lr == 0.5


def test_l2_shrinks_weights():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(50, 4)), rng.normal(size=(50, 1))
    norms = []
    for l2 in (0.0, 0.5):
        net = Network([4, 10, 1], "tanh", "mse", seed=0)
        list(train(net, make_optimizer("sgd", 0.05, l2=l2), X, Y, config=TrainConfig(epochs=50)))
        norms.append(sum(float((w ** 2).sum()) for w in net.weights))
    assert norms[1] < 0.5 * norms[0]


def test_bad_configuration_messages():
    with pytest.raises(ConfigError, match="Unknown activation 'nope'"):
        Network([2, 1], ["nope"])
    with pytest.raises(ConfigError, match="cross-entropy loss needs a softmax"):
        Network([2, 3], ["linear"], "cross-entropy")
    with pytest.raises(ConfigError, match="only be used on the output"):
        Network([2, 3, 1], ["softmax", "linear"])
    with pytest.raises(ConfigError, match="A softmax over a single output is always 1"):
        Network([2, 3, 1], ["tanh", "softmax"], "cross-entropy")    # two classes: P = 1 whatever the input
    with pytest.raises(ConfigError, match="learning rate"):
        SGD(-1)
    with pytest.raises(ConfigError, match="epochs"):
        TrainConfig(epochs=0)
    net = Network([2, 3, 1], "tanh")
    with pytest.raises(ModelFileError, match="Layer 2 does not fit"):
        net.set_params([np.zeros((2, 3)), np.zeros((4, 1))], [np.zeros(3), np.zeros(1)])


def test_activation_table_plots_and_derivatives():
    z = np.linspace(-5, 5, 101)
    for name in ACTIVATIONS:
        f, df = evaluate(name, z)
        assert f.shape == df.shape == z.shape and np.isfinite(f).all() and np.isfinite(df).all()
    f, df = evaluate("sigmoid", np.array([0.0]))
    assert f[0] == pytest.approx(0.5) and df[0] == pytest.approx(0.25)
    f, _ = evaluate("sigmoid", np.array([-1000.0, 1000.0]))      # no overflow warnings, saturates
    assert f[0] == pytest.approx(0.0) and f[1] == pytest.approx(1.0)


@pytest.mark.parametrize("name", [n for n, a in ACTIVATIONS.items() if a.df is not None])
def test_in_place_derivative_agrees_with_table(name):
    act = ACTIVATIONS[name]
    rng = np.random.default_rng(0)
    o = act.f(rng.normal(size=(6, 5)), np.empty((6, 5)))
    delta = rng.normal(size=(6, 5))
    expected = delta * act.df(o)
    act.multiply_derivative(o, delta, np.empty_like(delta))
    np.testing.assert_allclose(delta, expected)


def test_init_schemes_and_dtype():
    for init in ("xavier", "he", "uniform"):
        net = Network([100, 50, 10], "relu", init=init, seed=1)
        assert net.weights[0].dtype == np.float32 and net.weights[0].flags.c_contiguous
        assert np.all(net.biases[0] == 0)
    x = Network([100, 50, 10], "relu", init="xavier").weights[0]
    assert np.abs(x).max() <= np.sqrt(6 / 150) + 1e-6


def test_core_imports_no_qt():
    code = ("import sys; import core, core.network, core.training, core.losses, core.optimizers, "
            "core.activations, core.errors\n"
            "import importlib, pkgutil\n"
            "for m in pkgutil.iter_modules(core.__path__): importlib.import_module('core.' + m.name)\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'gui', 'shiboken6')]\n"
            "assert not bad, bad")
    from tests.conftest import ROOT
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_memory_budget_refuses_before_allocating():
    from core.errors import ResourceError
    from core.network import training_bytes

    with pytest.raises(ResourceError, match=r"100,110,010 parameters .* about 2\.2 GB .* limit is 2\.0 GB"):
        Network([10000, 10000, 10], "relu", memory_budget=2 * 1024 ** 3)   # 0.4 GB of weights alone
    assert training_bytes([2, 4, 1]) < 100_000
    Network([784, 512, 10], "relu")                                         # ordinary sizes pass


@pytest.mark.parametrize("make", [lambda: SGD(0.3, l2=0.01), lambda: Momentum(0.3, momentum=0.5, l2=0.01),
                                  lambda: Adam(0.01, l2=0.01)])
def test_scaled_gradients_give_the_same_update(make):
    """The loop hands SGD/momentum gradients pre-scaled by η; the update must equal the plain rule."""
    rng = np.random.default_rng(0)
    X, T = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
    plain, fused = (Network([3, 4, 2], "tanh", "mse", dtype="float64", seed=2) for _ in range(2))
    opt_plain, opt_fused = make(), make()
    for _ in range(3):
        plain.forward(X)
        plain.backward(T)                       # scale 1: true ∂E/∂w
        opt_plain.step(plain)
        fused.forward(X)
        fused.backward(T, scale=opt_fused.grad_scale)
        opt_fused.step(fused)
    np.testing.assert_allclose(fused.flat_params, plain.flat_params, rtol=1e-12, atol=1e-14)


def _without_blas_update(monkeypatch):
    """Training as where core.blas finds no BLAS to call: gradients first, then SGD.step."""
    import core.blas
    monkeypatch.setattr(core.blas, "_resolved", {np.dtype(np.float32): None, np.dtype(np.float64): None})


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("l2", [0.0, 0.01])
@pytest.mark.parametrize("sizes, in_product", [
    ([64, 300, 4], True),          # a product split between BLAS threads: each updates its own half of W
    ([20, 16, 8, 4], False),       # products of a few thousand multiply-adds: the numpy update is cheaper
])
def test_sgd_updated_inside_the_gradient_product_lands_on_the_plain_rules_weights(monkeypatch, dtype, l2, sizes,
                                                                                   in_product):
    """Plain SGD in the training loop: w ← (1 − ηλ) w − η Oᵀδ in the BLAS call that computes Oᵀδ, each
    layer's δ below computed before its weights change; the same weights as gradients-then-update."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(640, sizes[0])).astype(dtype)
    Y = np.eye(sizes[-1], dtype=dtype)[rng.integers(0, sizes[-1], 640)]

    def trained():
        acts = ["tanh", "relu"][:len(sizes) - 2] + ["softmax"]
        net = Network(sizes, acts, "cross-entropy", dtype=dtype, seed=1)
        opt = SGD(0.2, l2=l2)
        for _ in train(net, opt, X, Y, config=TrainConfig(epochs=3, batch_size=64, seed=2)):
            pass
        return net, opt
    fused, opt = trained()
    assert fused.sgd_step_available() and opt.steps == 3 * 10
    # written only where the update needed them
    assert any(g.any() for g in fused.grad_weights) != in_product
    _without_blas_update(monkeypatch)
    plain, plain_opt = trained()
    assert not plain.sgd_step_available() and plain_opt.steps == 30 and plain.grad_weights[0].any()
    tolerance = 2e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(fused.flat_params, plain.flat_params, rtol=tolerance, atol=tolerance)


def test_the_blas_accumulator_adds_a_product_to_what_it_is_given():
    from core.blas import accumulator

    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        add = accumulator(dtype)
        assert add is not None                  # numpy's own OpenBLAS, found through threadpoolctl
        for k, m, n in [(64, 784, 128), (1, 3, 5), (300, 10, 1)]:
            A, B, C = (rng.standard_normal(shape).astype(dtype) for shape in ((k, m), (k, n), (m, n)))
            expected = 0.9 * C - 0.1 * (A.T @ B)
            add(A, B, C, -0.1, 0.9)
            np.testing.assert_allclose(C, expected, rtol=1e-5 if dtype == np.float32 else 1e-12,
                                       atol=1e-5 if dtype == np.float32 else 1e-12)
        with pytest.raises(ValueError, match="C-contiguous"):
            add(A.T.copy().T, B, C, 1.0, 1.0)   # a transposed view would make BLAS read the wrong cells


def _blas_threads_now() -> int:
    from threadpoolctl import threadpool_info

    return max(info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas")


@pytest.mark.parametrize("sizes, batch, one_thread", [
    ((784, 128, 64, 10), 64, True),     # MNIST-sized, small batches: a second BLAS thread costs more
    ((784, 512, 512, 10), 256, False),  # big products: every core
    ((784, 512, 10), 16, False),        # a wide layer splits well even at a small batch
])
def test_small_networks_train_on_one_blas_thread_and_give_the_cores_back(sizes, batch, one_thread):
    before = _blas_threads_now()
    if before < 2:
        pytest.skip("BLAS runs on one thread on this machine: there is nothing to choose")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2 * batch, sizes[0])).astype(np.float32)
    Y = np.eye(sizes[-1], dtype=np.float32)[rng.integers(0, sizes[-1], 2 * batch)]
    seen = []

    def should_stop():
        seen.append(_blas_threads_now())
        return False

    net = Network(sizes, ["relu"] * (len(sizes) - 2) + ["softmax"], "cross-entropy", seed=0)
    list(train(net, SGD(0.01), X, Y, config=TrainConfig(epochs=2, batch_size=batch), should_stop=should_stop))
    assert set(seen) == ({1} if one_thread else {before})
    assert _blas_threads_now() == before      # validation, predictions and other work get every core again


@pytest.mark.parametrize("task, n_out, activation, loss, expected", [
    ("classification", 3, "auto", "auto", ("softmax", "cross-entropy")),
    ("classification", 1, "auto", "auto", ("sigmoid", "binary-cross-entropy")),
    ("regression", 2, "auto", "auto", ("linear", "mse")),
    ("classification", 3, "sigmoid", "auto", ("sigmoid", "binary-cross-entropy")),   # the loss follows the output
    ("classification", 3, "linear", "auto", ("linear", "mse")),
    ("regression", 1, "sigmoid", "auto", ("sigmoid", "mse")),
    ("classification", 1, "auto", "cross-entropy", ("softmax", "cross-entropy")),    # the output follows the loss
    ("classification", 3, "auto", "mse", ("softmax", "mse")),
    ("classification", 3, "tanh", "mse", ("tanh", "mse")),
])
def test_an_auto_output_or_loss_follows_the_one_chosen(task, n_out, activation, loss, expected):
    from core.losses import resolve_output
    assert resolve_output(task, n_out, activation, loss) == expected


@pytest.mark.parametrize("loss", ["binary-cross-entropy", "cross-entropy"])
def test_a_classification_loss_is_refused_for_a_number_target(loss):
    # standardised targets are no 0/1 classes: E went negative and "target error reached" meant nothing
    from core.errors import ConfigError
    from core.losses import resolve_output
    with pytest.raises(ConfigError, match=rf"^The {loss} loss compares probabilities with classes; this target is a "
                                          r"number \(regression\): use mse"):
        resolve_output("regression", 1, "auto", loss)
