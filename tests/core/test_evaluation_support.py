import numpy as np
import pandas as pd
import pytest

from core.data import DataError, build_dataset, from_frame, read_csv_text
from core.evaluation_support import (CATEGORICAL, NUMERIC, OutputMap, axis_values, class_probabilities,
                                     confusion, default_row, display_sample, evaluation_set, input_summaries,
                                     output_line, overfitting_status, predicted_vs_actual,
                                     predictions_table, raw_inputs, regression_figures)
from core.examples import example_table, load_example
from core.inspect import output_grid
from core.network import Network


def _mixed_dataset():
    rng = np.random.default_rng(3)
    n = 60
    frame = pd.DataFrame({
        "size": rng.uniform(10, 20, n).round(2),
        "colour": rng.choice(["red", "green", "green", "blue"], n),
        "weight": rng.normal(100, 5, n).round(1),
        "label": rng.choice(["a", "b"], n),
    })
    return frame, build_dataset(from_frame(frame), targets=["label"], val_split=0.25, seed=1)


def test_raw_inputs_undo_the_preprocessing():
    frame, ds = _mixed_dataset()
    raw = raw_inputs(ds.preprocessor, ds.X_val)
    np.testing.assert_allclose(raw["size"], ds.raw_val["size"].to_numpy(float), rtol=1e-5)
    np.testing.assert_allclose(raw["weight"], ds.raw_val["weight"].to_numpy(float), rtol=1e-5)
    assert list(raw["colour"]) == [str(v) for v in ds.raw_val["colour"]]


def test_raw_inputs_give_back_zeros_exactly():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"count": rng.integers(0, 5, 300).astype(float) * 3, "label": rng.choice(["a", "b"], 300)})
    ds = build_dataset(from_frame(frame), targets=["label"], val_split=0.0)
    raw = raw_inputs(ds.preprocessor, ds.X_train)["count"]
    expected = np.sort(frame["count"].to_numpy())
    assert np.sum(raw == 0.0) == np.sum(expected == 0.0) > 0                 # not ±3e-09
    np.testing.assert_allclose(np.sort(raw), expected, atol=1e-5)


def test_input_summaries_say_which_columns_hold_whole_numbers():
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"children": rng.integers(0, 6, 90), "year": rng.integers(1990, 2024, 90),
                          "height": rng.normal(170, 9, 90).round(1), "label": rng.choice(["a", "b"], 90)})
    ds = build_dataset(from_frame(frame), targets=["label"], val_split=0.2)
    assert {s.name: s.integer for s in input_summaries(ds)} == {"children": True, "year": True, "height": False}


def test_input_summaries_are_training_medians_ranges_and_modes():
    frame, ds = _mixed_dataset()
    summaries = input_summaries(ds)
    assert [s.name for s in summaries] == ds.preprocessor.input_columns
    train = frame.drop(index=ds.raw_val.index)
    size = summaries[0]
    assert size.kind == NUMERIC
    assert size.default == pytest.approx(train["size"].median(), rel=1e-5)
    assert (size.low, size.high) == (pytest.approx(train["size"].min()), pytest.approx(train["size"].max()))
    colour = summaries[1]
    assert colour.kind == CATEGORICAL and set(colour.categories) == {"red", "green", "blue"}
    assert colour.default == train["colour"].mode()[0]
    row = default_row(summaries)
    assert row[1] == colour.default and ds.preprocessor.transform([row]).shape == (1, ds.n_features)


@pytest.mark.parametrize("rows,scaling", [(45, "standardize"), (46, "minmax"), (46, "minmax_sym"), (47, "none")])
def test_input_summaries_match_the_raw_training_columns_for_odd_and_even_counts(rows, scaling):
    # many columns (the summaries go in blocks of columns), ties, negative numbers, both parities of rows
    rng = np.random.default_rng(rows)
    frame = pd.DataFrame({f"x{j}": rng.integers(-5, 6, rows) * (j + 1) / 4 for j in range(70)})
    frame["label"] = rng.choice(["a", "b"], rows)
    ds = build_dataset(from_frame(frame), targets=["label"], val_split=0.0, scaling=scaling)
    summaries = input_summaries(ds)
    for s in summaries:
        column = frame[s.name]
        assert (s.default, s.low, s.high) == (pytest.approx(column.median(), abs=1e-5),
                                             pytest.approx(column.min(), abs=1e-5),
                                             pytest.approx(column.max(), abs=1e-5)), s.name
    summaries[0] = None                                       # a caller's copy: the next caller is unaffected
    assert input_summaries(ds)[0].name == "x0"


def test_axis_values_widen_the_range_and_survive_constant_columns():
    xs = axis_values(0.0, 10.0, 11, margin=0.1)
    assert xs[0] == pytest.approx(-1.0) and xs[-1] == pytest.approx(11.0) and len(xs) == 11
    flat = axis_values(3.0, 3.0, 5)
    assert flat[0] < 3.0 < flat[-1]


def test_confusion_counts_the_evaluation_rows():
    ds = load_example("blobs")
    net = Network([2, 4, 3], ["tanh", "softmax"], "cross-entropy", seed=0)
    X, Y, which = evaluation_set(ds)
    assert which == "validation" and len(X) == ds.n_val
    result = confusion(net, X, Y, 3)
    assert result.matrix.shape == (3, 3) and result.matrix.sum() == ds.n_val
    np.testing.assert_array_equal(result.report.support, result.matrix.sum(axis=1))
    assert result.accuracy == pytest.approx(np.trace(result.matrix) / ds.n_val)


def test_output_line_follows_one_column():
    ds = load_example("sine")
    net = Network([1, 3, 1], ["tanh", "linear"], "mse", seed=2)
    xs = np.linspace(-3, 3, 9)
    line = output_line(net, ds.preprocessor.transform, [0.0], 0, xs)
    np.testing.assert_allclose(line, net.predict(ds.preprocessor.transform(xs.reshape(-1, 1))), rtol=1e-6)
    hidden = output_line(net, ds.preprocessor.transform, [0.0], 0, xs, neuron=(1, 2))
    assert hidden.shape == (9, 1) and np.all(np.abs(hidden) <= 1)


def test_output_map_equals_one_output_grid_and_encodes_once():
    ds = load_example("iris")
    net = Network([4, 5, 3], ["tanh", "softmax"], "cross-entropy", seed=4)
    calls = []

    def transform(rows):
        calls.append(len(rows))
        return ds.preprocessor.transform(rows)

    base = default_row(input_summaries(ds))
    xs, ys = np.linspace(4, 8, 50), np.linspace(2, 4.5, 45)
    grid = OutputMap(transform, base, (0, 1), xs, ys)
    whole = output_grid(net, ds.preprocessor.transform, base, (0, 1), xs, ys)
    np.testing.assert_allclose(grid.outputs(net), whole, rtol=1e-6)
    encoded = sum(calls)
    assert encoded == 50 * 45
    neuron = output_grid(net, ds.preprocessor.transform, base, (0, 1), xs, ys, (1, 3))
    np.testing.assert_allclose(grid.outputs(net, neuron=(1, 3)), neuron, rtol=1e-6)
    assert sum(calls) == encoded                                     # the grid rows were encoded once
    line = OutputMap(transform, base, (2, -1), xs)
    assert line.outputs(net).shape == (50, 3)


def test_display_sample_is_everything_or_a_stable_subset():
    np.testing.assert_array_equal(display_sample(5, 10), np.arange(5))
    picked = display_sample(10_000, 300)
    assert len(picked) == 300 and len(set(picked)) == 300 and np.all(np.diff(picked) > 0)
    np.testing.assert_array_equal(picked, display_sample(10_000, 300))


def test_evaluation_set_falls_back_to_training_rows():
    ds = load_example("xor")
    X, Y, which = evaluation_set(ds)
    assert which == "training" and len(X) == 4


def test_class_probabilities_of_a_single_sigmoid_output():
    p = class_probabilities(np.array([[0.25], [0.9]]), 2)
    np.testing.assert_allclose(p, [[0.75, 0.25], [0.1, 0.9]])


def test_regression_figures_in_target_units():
    ds = load_example("sine")
    net = Network([1, 4, 1], ["tanh", "linear"], "mse", seed=0)
    pred, actual = predicted_vs_actual(net, ds.preprocessor, ds.X_val, ds.Y_val)
    np.testing.assert_allclose(actual[:, 0], ds.raw_val["y"].to_numpy(float), rtol=1e-4, atol=1e-5)
    figures = regression_figures(pred[:, 0], actual[:, 0])
    assert figures["rmse"] == pytest.approx(np.sqrt(np.mean((pred - actual) ** 2)))
    assert set(figures) == {"rmse", "mae", "r2"}


def test_overfitting_status_names_the_best_epoch_and_holds_until_a_new_best():
    train = [1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15]
    val = [1.0, 0.7, 0.5, 0.55, 0.4, 0.45, 0.5, 0.6, 0.7]
    assert overfitting_status(train, val) is None            # 4 rises: under the 5-epoch window
    val = [1.0, 0.7, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7]
    status = overfitting_status(train, val)
    assert status is not None and status.best_index == 2 and status.since_best == 6
    dip = val + [0.69]                                         # one noisy dip: still overfitting
    assert overfitting_status(train + [0.1], dip) is None
    assert overfitting_status(train + [0.1], dip, previous=status).since_best == 7
    recovered = val + [0.3]                                    # a new best: the warning goes
    assert overfitting_status(train + [0.1], recovered, previous=status) is None


def test_predictions_table_keeps_the_rows_and_adds_predictions():
    ds = load_example("iris")
    net = Network([4, 3], ["softmax"], "cross-entropy", seed=0)
    frame = example_table("iris").frame.head(7)
    table = predictions_table(net, ds.preprocessor, frame)
    assert len(table) == 7
    assert list(table.columns[:5]) == list(frame.columns)
    assert {"predicted_species", "p(setosa)", "p(versicolor)", "p(virginica)"} <= set(table.columns)


def test_predictions_table_names_a_missing_column():
    ds = load_example("iris")
    net = Network([4, 3], ["softmax"], "cross-entropy", seed=0)
    table = read_csv_text("sepal_length,sepal_width\n5.1,3.5\n")
    with pytest.raises(DataError, match="petal_length"):
        predictions_table(net, ds.preprocessor, table.frame)
