"""core.teaching: curves from the activation table, the δ_k rule the engine uses, raw sample values."""

from __future__ import annotations

import numpy as np
import pytest

from core import losses
from core.activations import ACTIVATIONS, OUTPUT_ACTIVATIONS, evaluate
from core.data import load_csv
from core.examples import load_example
from core.teaching import (activation_curve, activation_labels, health_sample, input_values, output_delta_rule,
                           positive_or_nan, target_text, unit_counts)
from tests.conftest import ROOT

Z = np.linspace(-5, 5, 101)


@pytest.mark.parametrize("name", [n for n, a in ACTIVATIONS.items() if a.df is not None])
def test_curve_is_the_table_itself(name):
    f, df = activation_curve(name, Z)
    ref_f, ref_df = evaluate(name, Z)
    np.testing.assert_array_equal(f, ref_f)
    np.testing.assert_array_equal(df, ref_df)


def test_softmax_curve_is_each_point_as_two_logits():
    f, df = activation_curve("softmax", Z)
    sigmoid, dsigmoid = evaluate("sigmoid", Z)
    np.testing.assert_allclose(f, sigmoid, atol=1e-12)
    np.testing.assert_allclose(df, dsigmoid, atol=1e-12)
    assert "logits" in activation_labels("softmax")[0]


def test_sign_derivative_is_labelled_straight_through():
    _, df_label, note = activation_labels("sign")
    assert "straight-through" in df_label and "straight-through" in note
    assert activation_labels("tanh") == ("f(a)", "f'(a)", "")


def _rule_numbers(loss_name, act_name, o, t):
    """The δ_k a reader computes from the formula output_delta_rule names."""
    formula, _ = output_delta_rule(loss_name, act_name)
    if formula.endswith("= O_k − t_k"):
        return o - t
    if "(O_k − t_k) O_k (1 − O_k)" in formula:
        return (o - t) * o * (1 - o)
    if "Σ_m g_m O_m" in formula:
        g = o - t                                     # ∂E/∂O of ½Σ(t − O)²
        return o * (g - np.sum(g * o, axis=1, keepdims=True))
    assert "∂E/∂O_k · f'(a_k)" in formula and ACTIVATIONS[act_name].derivative_formula in formula
    return (o - t) * ACTIVATIONS[act_name].df(o)


PAIRS = [(loss.name, act) for loss in losses.LOSSES.values() for act in OUTPUT_ACTIVATIONS
         if loss.allowed_activations is None or act in loss.allowed_activations]


@pytest.mark.parametrize("loss_name, act_name", PAIRS)
def test_delta_rule_names_the_branch_the_engine_takes(loss_name, act_name):
    rng = np.random.default_rng(1)
    z = rng.normal(size=(1, 3))
    o = ACTIVATIONS[act_name].f(z.copy(), np.empty_like(z))
    t = (rng.random((1, 3)) > 0.5).astype(float)
    engine = losses.output_delta(loss_name, act_name, o, t, np.empty_like(o))
    np.testing.assert_allclose(_rule_numbers(loss_name, act_name, o, t), engine, rtol=1e-6, atol=1e-12)


def test_article_pair_mse_sigmoid_and_matched_pairs():
    assert output_delta_rule("mse", "sigmoid")[0] == "δ_k = ∂E/∂a_k = (O_k − t_k) O_k (1 − O_k)"
    for loss in losses.LOSSES.values():
        formula, why = output_delta_rule(loss.name, loss.matched_activation)
        assert formula == "δ_k = ∂E/∂a_k = O_k − t_k" and "matched pair" in why


def test_input_values_undo_scaling():
    ds = load_example("iris")
    raw = [[5.1, 3.5, 1.4, 0.2]]
    x = ds.preprocessor.transform(raw)[0]
    assert input_values(ds, x) == [("sepal_length", "5.1"), ("sepal_width", "3.5"), ("petal_length", "1.4"),
                                   ("petal_width", "0.2")]


@pytest.mark.parametrize("scaling", ["standardize", "minmax", "minmax_sym"])
def test_a_zero_in_the_file_shows_as_0_not_float32_residue(scaling):
    # letter-recognition style integer features 0..15: 0 came back as -3.087e-09 after scaling
    from core.data import build_dataset, from_frame
    import pandas as pd

    rng = np.random.default_rng(5)
    frame = pd.DataFrame({f"f{j}": rng.integers(0, 16, 200) for j in range(6)})
    frame["label"] = rng.choice(["a", "b"], 200)
    ds = build_dataset(from_frame(frame), scaling=scaling, val_split=0.0)
    shown = [dict(input_values(ds, x)) for x in ds.preprocessor.transform(frame)]
    assert all(value == str(int(value)) for row in shown for value in row.values()), shown[:3]
    assert any(value == "0" for row in shown for value in row.values())


def test_input_values_name_categories():
    ds = load_csv(ROOT / "tests/fixtures/csv/categorical_inputs.csv", val_split=0.0)
    x = ds.preprocessor.transform([{"size": "M", "color": "blue", "weight": 2.5}])[0]
    assert dict(input_values(ds, x)) == {"size": "M", "color": "blue", "weight": "2.5"}
    assert dict(input_values(ds, np.zeros_like(x)))["color"] == "(unseen)"


def test_target_text_in_the_users_terms():
    iris = load_example("iris")
    assert target_text(iris, [0, 0, 1]) == "virginica"
    xor = load_example("xor")
    assert target_text(xor, [1.0]) == "1" and target_text(xor, [0.0]) == "0"
    product = load_example("product")
    scaled = product.preprocessor.transform_targets([[0.25]])[0]
    assert target_text(product, scaled) == "product = 0.25"


def test_big_whole_numbers_read_as_written():
    from core.data import build_dataset, from_frame
    import pandas as pd

    frame = pd.DataFrame({"rooms": [1, 2, 3, 4, 5, 6] * 10, "price": [450932 + 1000 * i for i in range(60)]})
    ds = build_dataset(from_frame(frame), targets=["price"], val_split=0.0)
    x = ds.preprocessor.transform(frame.head(1))[0]
    assert dict(input_values(ds, x)) == {"rooms": "1"}
    assert target_text(ds, ds.preprocessor.transform_targets(frame.head(1))[0]) == "price = 450932"   # not 4.509e+05


def test_health_sample_is_fixed_small_and_sorted():
    assert health_sample(10).tolist() == list(range(10))
    a, b = health_sample(5000), health_sample(5000)
    assert len(a) == 256 and len(np.unique(a)) == 256 and np.all(np.diff(a) > 0)
    np.testing.assert_array_equal(a, b)


def test_log_axis_helpers():
    np.testing.assert_array_equal(positive_or_nan([1.0, 0.0, -1.0, np.inf, 2.0]),
                                  [1.0, np.nan, np.nan, np.nan, 2.0])
    assert unit_counts(0.25, 8) == 2 and unit_counts(1 / 3, 3) == 1


def test_health_sample_shrinks_for_big_networks():
    from core.teaching import health_sample_size
    assert health_sample_size(100) == 256
    assert health_sample_size(4096 * 4096 * 2) == 16
    assert 16 < health_sample_size(200_000) < 256


def test_delta_rule_texts_name_what_cancels_and_what_dE_dO_is():
    _, why = output_delta_rule("cross-entropy", "softmax")
    assert "its Jacobian ∂O/∂a cancels" in why             # softmax has no per-unit f'(a_k)
    _, why = output_delta_rule("binary-cross-entropy", "sigmoid")
    assert "f'(a_k) cancels" in why
    _, why = output_delta_rule("mse", "tanh")
    assert why.endswith("∂E/∂O_k is O_k − t_k.")
