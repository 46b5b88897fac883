"""core.examples: every built-in data set loads through build_dataset with its documented shape."""

import numpy as np
import pytest

from core.data import DataError, Dataset
from core.examples import EXAMPLES, Example, example_table, load_example

# name → (n_features, n_outputs, task, class names or None, rows with the default settings)
DOCUMENTED = {
    "xor": (2, 1, "classification", ["0", "1"], 4),
    "circles": (2, 1, "classification", ["inner", "outer"], 300),
    "moons": (2, 1, "classification", ["lower", "upper"], 300),
    "spiral": (2, 1, "classification", ["arm 1", "arm 2"], 300),
    "blobs": (2, 3, "classification", ["blob 1", "blob 2", "blob 3"], 300),
    "product": (2, 1, "regression", None, 400),
    "sine": (1, 1, "regression", None, 200),
    "iris": (4, 3, "classification", ["setosa", "versicolor", "virginica"], 150),
}


def test_the_documented_names_exist():
    assert list(EXAMPLES) == list(DOCUMENTED)


@pytest.mark.parametrize("name", list(DOCUMENTED))
def test_example_loads_with_documented_shape(name):
    n_features, n_outputs, task, classes, rows = DOCUMENTED[name]
    ex = EXAMPLES[name]
    assert isinstance(ex, Example) and ex.task == task
    assert ex.title and ex.description and ex.default_hidden and ex.default_activation
    assert ex.default_lr > 0 and ex.default_epochs > 0
    d = load_example(name)
    assert isinstance(d, Dataset)
    assert d.task == task and d.class_names == classes
    assert d.n_features == n_features and d.n_outputs == n_outputs
    assert d.n_train + d.n_val == rows and d.n_test == 0
    assert d.X_train.dtype == np.float32 and np.isfinite(d.X_train).all() and np.isfinite(d.Y_train).all()
    frame = ex.frame()
    assert frame.columns[-1] == ex.target and len(frame) == rows


def test_xor_is_the_truth_table_trained_on_all_rows():
    d = load_example("xor")
    assert d.n_val == 0 and d.n_train == 4
    pairs = {(tuple(x), y[0]) for x, y in zip(d.X_train.tolist(), d.Y_train.tolist())}
    assert pairs == {((0.0, 0.0), 0.0), ((0.0, 1.0), 1.0), ((1.0, 0.0), 1.0), ((1.0, 1.0), 0.0)}


def test_generators_are_seeded_and_accept_size_and_noise():
    a = EXAMPLES["spiral"].frame(seed=1)
    b = EXAMPLES["spiral"].frame(seed=1)
    c = EXAMPLES["spiral"].frame(seed=2)
    assert a.equals(b) and not a.equals(c)
    assert len(EXAMPLES["moons"].frame(n=51)) == 51
    clean = EXAMPLES["sine"].frame(n=50, noise=0.0)
    np.testing.assert_allclose(clean["y"], np.sin(clean["x"]), atol=1e-12)
    prod = EXAMPLES["product"].frame(n=50)
    np.testing.assert_allclose(prod["product"], prod["x"] * prod["y"])
    assert prod["x"].between(-1, 1).all() and prod["y"].between(-1, 1).all()
    assert len(EXAMPLES["iris"].frame(n=30, seed=3)) == 30


def test_classes_are_balanced():
    for name in ("circles", "moons", "spiral", "blobs"):
        counts = EXAMPLES[name].frame(n=300)["class"].value_counts()
        assert counts.max() - counts.min() <= 1, name


def test_build_kwargs_pass_through():
    d = load_example("blobs", val_split=0.1, test_split=0.1, seed=4, scaling="minmax")
    assert d.n_test > 0 and d.X_train.min() >= 0.0 and d.X_train.max() <= 1.0
    d = load_example("xor", val_split=0.5)  # an explicit split wins over the example's default
    assert d.n_val == 2
    assert example_table("sine").source == "sine"


def test_unknown_example_lists_the_names():
    with pytest.raises(DataError, match="Unknown example 'mnist': choose one of xor, circles, moons"):
        load_example("mnist")
