"""Built-in example data sets: generated from a seed (no downloads), plus the iris table in resources/.

Every example is a raw table (inputs first, the target column last) that goes through the same
:func:`core.data.build_dataset` as a user's CSV file, so examples exercise the real pipeline.

=========  ===========================================================  ======================================
name       columns                                                      task
=========  ===========================================================  ======================================
xor        x1, x2 ∈ {0, 1}, y = x1 XOR x2 (the 4-row truth table)       classification, binary (y read as 0/1)
circles    x1, x2; class "inner" / "outer"                              classification, binary
moons      x1, x2; class "upper" / "lower" (two interleaved moons)      classification, binary
spiral     x1, x2; class "arm 1" / "arm 2" (two interleaved spirals)    classification, binary
blobs      x1, x2; class "blob 1" / "blob 2" / "blob 3"                 classification, 3 classes (softmax)
product    x, y ∈ [-1, 1]; product = x·y (the multiplication gate)      regression
sine       x ∈ [-π, π]; y = sin(x) + noise                              regression
iris       4 flower measurements (cm); species (3 classes)              classification, 3 classes (softmax)
=========  ===========================================================  ======================================

:func:`load_example` uses each example's own defaults for what the caller does not set: "xor" has only four
rows, so it is trained on all of them (val_split 0) with unscaled 0/1 inputs (scaling "none").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

import numpy as np

from core.errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    import pandas

    from core.data import Dataset

__all__ = ["Example", "EXAMPLES", "load_example", "example_table", "resource_path"]

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def resource_path(name: str) -> Path:
    """Path of a file shipped in resources/ (independent of the current directory)."""
    return RESOURCES / name


@dataclass(frozen=True)
class Example:
    """One built-in data set: how to generate it and a network that learns it in seconds.

    ``frame(n, seed, noise)`` returns the raw table (target column last); ``n`` and ``noise`` default to
    ``default_n`` / ``default_noise``. ``build_defaults`` are build_dataset settings this example needs.
    """

    name: str
    title: str
    description: str
    task: str
    default_hidden: tuple[int, ...]
    default_activation: str
    default_lr: float
    default_epochs: int
    target: str = "class"
    default_n: int = 300
    default_noise: float = 0.0
    default_loss: str = "auto"          # the article's XOR is trained on its own E = ½Σ(t−o)²
    build_defaults: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    _generate: Callable[..., dict] | None = field(default=None, repr=False, compare=False, hash=False)

    def frame(self, n: int | None = None, seed: int = 0, noise: float | None = None) -> "pandas.DataFrame":
        """The raw table: input columns then the target column; ``n`` rows (iris: a seeded sample of n)."""
        import pandas as pd

        if self._generate is None:  # iris: read the shipped table
            from core.data import read_csv

            table = read_csv(resource_path("iris.csv"))
            df = table.frame.copy()
            if n is not None and n < len(df):
                df = df.iloc[np.sort(np.random.default_rng(seed).choice(len(df), int(n), replace=False))]
            return df.reset_index(drop=True)
        n = self.default_n if n is None else int(n)
        if n < 1:
            raise DataError(f"Example '{self.name}' needs at least one row, not {n}.")
        noise = self.default_noise if noise is None else float(noise)
        rng = np.random.default_rng(seed)
        return pd.DataFrame(self._generate(n, rng, noise))


# ---------------------------------------------------------------------------------------------------------
# generators: (n, rng, noise) → {column: values}; classes are balanced, rows shuffled


def _shuffle(cols: dict, rng) -> dict:
    n = len(next(iter(cols.values())))
    perm = rng.permutation(n)
    return {k: np.asarray(v)[perm] for k, v in cols.items()}


def _split_counts(n: int, k: int) -> list[int]:
    return [n // k + (i < n % k) for i in range(k)]


def _xor(n, rng, noise):
    # n = 4 is the truth table itself; more rows repeat the corners (with optional noise) in order
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    pts = corners[np.arange(n) % 4]
    y = (pts[:, 0] != pts[:, 1]).astype(np.int64)
    if noise > 0:
        pts = pts + rng.normal(0.0, noise, pts.shape)
    return {"x1": pts[:, 0], "x2": pts[:, 1], "y": y}


def _circles(n, rng, noise):
    n_in, n_out = _split_counts(n, 2)
    t = rng.uniform(0, 2 * math.pi, n)
    r = np.concatenate([rng.uniform(0.0, 0.5, n_in), rng.uniform(0.7, 1.0, n_out)])
    x1 = r * np.cos(t) + rng.normal(0, noise, n)
    x2 = r * np.sin(t) + rng.normal(0, noise, n)
    cls = np.array(["inner"] * n_in + ["outer"] * n_out, dtype=object)
    return _shuffle({"x1": x1, "x2": x2, "class": cls}, rng)


def _moons(n, rng, noise):
    n_up, n_lo = _split_counts(n, 2)
    t_up = rng.uniform(0, math.pi, n_up)
    t_lo = rng.uniform(0, math.pi, n_lo)
    x1 = np.concatenate([np.cos(t_up), 1 - np.cos(t_lo)]) + rng.normal(0, noise, n)
    x2 = np.concatenate([np.sin(t_up), 0.5 - np.sin(t_lo)]) + rng.normal(0, noise, n)
    cls = np.array(["upper"] * n_up + ["lower"] * n_lo, dtype=object)
    return _shuffle({"x1": x1, "x2": x2, "class": cls}, rng)


def _spiral(n, rng, noise):
    # TensorFlow Playground's spiral: radius grows with the angle, the second arm is turned by π
    xs, ys, cls = [], [], []
    for arm, m in enumerate(_split_counts(n, 2)):
        i = np.arange(m)
        r = i / max(m, 1)
        t = 1.75 * 2 * math.pi * i / max(m, 1) + arm * math.pi
        xs.append(r * np.sin(t) + rng.normal(0, noise, m))
        ys.append(r * np.cos(t) + rng.normal(0, noise, m))
        cls += [f"arm {arm + 1}"] * m
    return _shuffle({"x1": np.concatenate(xs), "x2": np.concatenate(ys), "class": np.array(cls, dtype=object)}, rng)


def _blobs(n, rng, noise):
    centres = [(-1.0, -0.6), (1.0, -0.6), (0.0, 1.1)]
    xs, ys, cls = [], [], []
    for k, m in enumerate(_split_counts(n, len(centres))):
        cx, cy = centres[k]
        xs.append(rng.normal(cx, noise, m))
        ys.append(rng.normal(cy, noise, m))
        cls += [f"blob {k + 1}"] * m
    return _shuffle({"x1": np.concatenate(xs), "x2": np.concatenate(ys), "class": np.array(cls, dtype=object)}, rng)


def _product(n, rng, noise):
    x = rng.uniform(-1, 1, n)
    y = rng.uniform(-1, 1, n)
    return {"x": x, "y": y, "product": x * y + rng.normal(0, noise, n)}


def _sine(n, rng, noise):
    x = rng.uniform(-math.pi, math.pi, n)
    return {"x": x, "y": np.sin(x) + rng.normal(0, noise, n)}


EXAMPLES: dict[str, Example] = {
    e.name: e
    for e in (
        Example("xor", "XOR", "The 4-row truth table of x1 XOR x2: the problem a single layer cannot solve and "
                "one hidden layer can. Trained on all four rows (no validation split), inputs left as 0/1, "
                "with the article's error E = ½Σ(t−o)² (mse).",
                "classification", (2,), "sigmoid", 0.5, 5000, target="y", default_n=4, default_loss="mse",
                build_defaults={"val_split": 0.0, "scaling": "none"}, _generate=_xor),
        Example("circles", "Circles", "A disc of 'inner' points inside a ring of 'outer' points: the boundary is "
                "a circle, so a network needs a hidden layer to bend its line.",
                "classification", (8,), "tanh", 0.03, 500, default_noise=0.05, _generate=_circles),
        Example("moons", "Two moons", "Two interleaved half circles ('upper', 'lower'): a gently curved boundary.",
                "classification", (8,), "tanh", 0.03, 500, default_noise=0.1, _generate=_moons),
        Example("spiral", "Spiral", "Two interleaved spiral arms ('arm 1', 'arm 2'), as in TensorFlow Playground: "
                "hard for a small network, so this one has two hidden layers of 16; try one layer to see why.",
                "classification", (16, 16), "tanh", 0.03, 2000, default_noise=0.03, _generate=_spiral),
        Example("blobs", "Gaussian blobs", "Three Gaussian clusters ('blob 1'..'blob 3'): three classes with a "
                "softmax output; nearly linearly separable.",
                "classification", (4,), "tanh", 0.03, 300, default_noise=0.4, _generate=_blobs),
        Example("product", "Product x·y", "The multiplication gate: learn product = x·y for x, y in [-1, 1] "
                "(regression with a linear output).",
                "regression", (8,), "tanh", 0.03, 1000, target="product", default_n=400, _generate=_product),
        Example("sine", "Sine wave", "One input x in [-π, π] and y = sin(x) plus a little noise (regression).",
                "regression", (8,), "tanh", 0.03, 1000, target="y", default_n=200, default_noise=0.05,
                _generate=_sine),
        Example("iris", "Iris flowers", "Fisher's 150 iris flowers: 4 measurements in cm, 3 species "
                "(setosa, versicolor, virginica), 50 of each.",
                "classification", (8,), "tanh", 0.03, 300, target="species", default_n=150),
    )
}


def example_table(name: str, *, n: int | None = None, seed: int = 0, noise: float | None = None):
    """The example as a :class:`core.data.RawTable` (source = the example's name)."""
    from core.data import from_frame

    ex = _lookup(name)
    return from_frame(ex.frame(n=n, seed=seed, noise=noise), source=ex.name)


def load_example(name: str, *, seed: int = 0, val_split: float | None = None, n: int | None = None,
                 noise: float | None = None, **build_kwargs) -> "Dataset":
    """A built-in example as a :class:`core.data.Dataset`.

    ``seed`` drives both the generator and the split. Settings not given (``val_split`` None included)
    come from the example's ``build_defaults`` and then build_dataset's defaults (val_split 0.2).
    Unknown name → DataError listing the names.
    """
    from core.data import build_dataset

    ex = _lookup(name)
    kwargs = dict(ex.build_defaults)
    kwargs.update(build_kwargs)
    if val_split is not None:
        kwargs["val_split"] = val_split
    kwargs.setdefault("val_split", 0.2)
    return build_dataset(example_table(ex.name, n=n, seed=seed, noise=noise), seed=seed, **kwargs)


def _lookup(name) -> Example:
    key = str(name).strip().lower()
    if key not in EXAMPLES:
        raise DataError(f"Unknown example '{name}': choose one of {', '.join(EXAMPLES)}.")
    return EXAMPLES[key]
