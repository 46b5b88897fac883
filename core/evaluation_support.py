"""What the Output dock's evaluation, boundary and predict views need, computed outside Qt.

The views only lay out what these functions return, so every figure they show comes from the same
network code that trains (`Network.predict`) and the same metrics the CLI reports (`core.metrics`).

- `input_summaries`: per raw input column, its kind and the training median / range / mode.
- `raw_inputs`: raw (unscaled) input columns recovered from an encoded X by undoing the preprocessing.
- `OutputMap`: the network's (or one neuron's) output over a plane / along a line of raw inputs.
- `evaluation_set`, `confusion`, `predicted_vs_actual`, `regression_figures`: the live evaluation.
- `overfitting_status`: the plain-words overfitting warning's numbers.
- `predictions_table`: "Predict file…" — the input rows with the model's predictions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from core import metrics as _metrics
from core.data import unscale
from core.export import LoadedModel, _probability_columns, predict_rows
from core.inspect import output_grid, overfitting_epoch
from core.network import Network

NUMERIC, CATEGORICAL, DATE = "numeric", "categorical", "date"
PREDICT_ROWS = 1024            # forward passes in blocks of this many rows (see OutputMap)


@dataclass(frozen=True)
class RawInput:
    """One raw input column as the training rows describe it."""
    name: str
    kind: str                                # NUMERIC | CATEGORICAL | DATE (a text field, the model reads its numbers)
    default: float | str                     # training median (numeric), mode (categorical), middle date
    low: float = math.nan                    # training min / max (numeric only)
    high: float = math.nan
    categories: tuple[str, ...] = field(default=())    # DATE: the first, middle and last date seen
    parts: tuple[str, ...] = field(default=())         # DATE: the numbers the model reads of it (core.dates)
    integer: bool = False                    # numeric only: every training value a whole number
    unit: str | None = None                  # numeric only: "CC" when the file wrote "1248 CC"


def _input_specs(preprocessor) -> list[dict]:
    # to_dict() is the preprocessor's public, stable description (the same one saved in model files).
    return preprocessor.to_dict()["inputs"]


def raw_inputs(preprocessor, X: np.ndarray) -> dict[str, np.ndarray]:
    """Raw input columns behind an encoded X (n, n_features): numbers in their own units (float64),
    categorical columns as category strings (the one-hot position that is set).

    Missing training values were filled before encoding, so they come back as the fill value.
    """
    X = np.asarray(X)
    specs = _input_specs(preprocessor)
    widths = [len(s["categories"]) if s["kind"] == CATEGORICAL else 1 for s in specs]
    starts = np.cumsum([0] + widths)[:-1]
    numeric = [j for j, s in enumerate(specs) if s["kind"] == NUMERIC]
    # x' = (x − offset) / scale was applied in the dataset's dtype; undone in float64, all numeric columns
    # at once (a call per column cost 30 µs each, 60 ms for a 1,000-column file)
    raw = unscale(X[:, starts[numeric]], np.array([specs[j]["scale"] for j in numeric], dtype=np.float64),
                  np.array([specs[j]["offset"] for j in numeric], dtype=np.float64)) if numeric else None
    column_of = {j: i for i, j in enumerate(numeric)}
    out = {}
    for j, spec in enumerate(specs):
        if spec["kind"] == DATE:             # its numbers are inputs; the text they came from is not kept
            out.setdefault(spec["name"], np.full(len(X), "", dtype=object))
        elif spec["kind"] == NUMERIC:
            out[spec["name"]] = raw[:, column_of[j]]
        else:
            cats = list(spec["categories"])
            block = X[:, starts[j]:starts[j] + len(cats)]
            codes = block.argmax(axis=1) if len(cats) else np.zeros(len(X), np.int64)
            out[spec["name"]] = (np.asarray(cats, dtype=object)[codes] if cats
                                 else np.full(len(X), "", dtype=object))
    return out


def _tidy(value: float) -> float:
    # Undoing float32 scaling leaves 5.1000004 for 5.1: six significant digits read as typed.
    return float(f"{value:.6g}")


def input_summaries(dataset) -> list[RawInput]:
    """Per raw input column: median, min and max of the training rows (numeric) or their most common
    category (categorical), in `preprocessor.input_columns` order.

    Computed once per data set (the predict form and the boundary view both ask): for an MNIST-sized
    set it is a median over 48,000 rows for each of 784 columns.
    """
    cached = getattr(dataset, "_input_summaries", None)
    if cached is None:
        cached = _input_summaries(dataset)
        dataset._input_summaries = cached
    return list(cached)


SUMMARY_BLOCK = 64             # numeric columns summarised together: a (64, rows) block
INTEGER_CHECK_ROWS = 2000      # rows looked at to call a column whole numbers


def _input_summaries(dataset) -> list[RawInput]:
    specs = _input_specs(dataset.preprocessor)
    X = dataset.X_train
    starts = np.cumsum([0] + [len(s["categories"]) if s["kind"] == CATEGORICAL else 1 for s in specs])
    numeric = [j for j, s in enumerate(specs) if s["kind"] == NUMERIC]
    figures: dict[int, tuple[float, float, float, bool]] = {}
    if len(X):
        for b in range(0, len(numeric), SUMMARY_BLOCK):
            group = numeric[b:b + SUMMARY_BLOCK]
            scale = np.array([specs[j]["scale"] for j in group])
            offset = np.array([specs[j]["offset"] for j in group])
            # One row per column, so the partition runs over contiguous memory, in the data set's dtype.
            # x ↦ x · scale + offset (undoing the scaling; scale > 0) keeps the order, so the middle values
            # and the extremes are found before it is applied, in float64 as raw_inputs applies it.
            block = np.ascontiguousarray(X[:, starts[group]].T)
            middle = np.partition(block, sorted({(len(X) - 1) // 2, len(X) // 2}), axis=1)

            def raw(values):
                return unscale(values, scale, offset)
            medians = (raw(middle[:, (len(X) - 1) // 2]) + raw(middle[:, len(X) // 2])) / 2
            # whole numbers (counts, codes, years)? The first rows are a random sample (training rows are
            # shuffled); within float32 rounding
            head = raw(block[:, :INTEGER_CHECK_ROWS].T).T
            integer = (np.abs(head - np.round(head)) <= 1e-5 * np.maximum(1.0, np.abs(head))).all(axis=1)
            for j, med, lo, hi, whole in zip(group, medians, raw(block.min(axis=1)), raw(block.max(axis=1)), integer):
                figures[j] = (med, lo, hi, bool(whole))
    result = []
    for j, spec in enumerate(specs):
        if spec["kind"] == DATE:
            if all(r.name != spec["name"] for r in result):
                seen = _dates_seen(dataset, spec["name"], spec["date_format"])
                result.append(RawInput(spec["name"], DATE, seen[len(seen) // 2] if seen else "",
                                       categories=tuple(dict.fromkeys([seen[0], seen[len(seen) // 2], seen[-1]]))
                                       if seen else (),
                                       parts=tuple(s["part"] for s in specs if s["kind"] == DATE
                                                   and s["name"] == spec["name"])))
            continue
        if spec["kind"] == NUMERIC:
            if j in figures:
                med, lo, hi, whole = figures[j]
                result.append(RawInput(spec["name"], NUMERIC, _tidy(med), _tidy(lo), _tidy(hi), integer=whole,
                                       unit=spec.get("unit")))
            else:
                result.append(RawInput(spec["name"], NUMERIC, _tidy(spec["offset"]), 0.0, 1.0,
                                       unit=spec.get("unit")))
        else:
            cats = tuple(spec["categories"])
            if len(X) and cats:
                counts = X[:, starts[j]:starts[j] + len(cats)].argmax(axis=1)
                mode = cats[int(np.argmax(np.bincount(counts, minlength=len(cats))))]
            else:
                mode = spec.get("fill") or (cats[0] if cats else "")
            result.append(RawInput(spec["name"], CATEGORICAL, mode, categories=cats))
    return result


def _dates_seen(dataset, name: str, fmt: str) -> list[str]:
    """The dates of column `name` in the rows kept as written (validation, test), in time order."""
    from core.dates import NUMBER_FORMATS, read_date, written_out

    texts = []
    for frame in (getattr(dataset, "raw_val", None), getattr(dataset, "raw_test", None)):
        if frame is not None and name in getattr(frame, "columns", ()):
            texts += [str(v).strip() for v in frame[name].tolist() if v is not None and str(v).strip()]
    dated = [(when, t) for t in dict.fromkeys(texts) if (when := read_date(t, fmt)) is not None]
    dated.sort(key=lambda pair: pair[0].replace(tzinfo=None))
    # Excel's day numbers and Unix times say nothing to a person: offered as dates (which they read too)
    return [written_out(when) if fmt in NUMBER_FORMATS else t for when, t in dated]


def default_row(summaries: Sequence[RawInput]) -> list:
    """One raw input row holding every column at its training median / mode."""
    return [s.default for s in summaries]


def axis_values(low: float, high: float, n: int, margin: float = 0.08) -> np.ndarray:
    """n evenly spaced values over [low, high] widened by `margin` of the span on each side, so points
    on the edge of the data are not on the edge of the map. A constant column gets a span of ±1."""
    span = high - low
    if not (math.isfinite(span) and span > 0):
        centre = low if math.isfinite(low) else 0.0
        low, high, span = centre - 1.0, centre + 1.0, 2.0
    return np.linspace(low - margin * span, high + margin * span, int(n))


def display_sample(n: int, limit: int, seed: int = 0) -> np.ndarray:
    """Row indices to draw when a plot cannot show all n rows: all of them up to `limit`, else a fixed
    random `limit` of them (sorted), so the picture stays the same from one redraw to the next."""
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=limit, replace=False))


def evaluation_set(dataset) -> tuple[np.ndarray, np.ndarray, str]:
    """(X, Y, "validation") — or the training rows, named so, when there is no validation split."""
    if dataset.n_val > 0:
        return dataset.X_val, dataset.Y_val, "validation"
    return dataset.X_train, dataset.Y_train, "training"


def class_probabilities(outputs: np.ndarray, n_classes: int) -> np.ndarray:
    """(n, n_classes) probabilities; a single sigmoid output is P(class 1), so P(class 0) = 1 − p."""
    return _probability_columns(np.asarray(outputs), [""] * n_classes)


IMBALANCED_SHARE = 0.7     # the most frequent class's share from which accuracy is shown beside a baseline


@dataclass(frozen=True)
class Confusion:
    matrix: np.ndarray               # counts[true class, predicted class], (k, k)
    report: _metrics.ClassReport     # per-class precision / recall / F1 / support
    accuracy: float

    @property
    def majority(self) -> tuple[int, float]:
        """(class, share of the rows): the accuracy of always answering the most frequent class."""
        support = self.report.support
        total = int(support.sum())
        k = int(np.argmax(support)) if len(support) else 0
        return k, (float(support[k]) / total if total else 0.0)

    @property
    def baseline(self) -> tuple[int, float] | None:
        """`majority` when that class holds so many rows that accuracy flatters (≥ IMBALANCED_SHARE)."""
        k, share = self.majority
        return (k, share) if share >= IMBALANCED_SHARE else None

    @property
    def balanced_accuracy(self) -> float:
        """Mean recall over the classes present: each class counts alike, however few its rows."""
        present = self.report.support > 0
        return float(self.report.recall[present].mean()) if present.any() else 0.0


def confusion(network: Network, X: np.ndarray, Y: np.ndarray, n_classes: int) -> Confusion:
    """Confusion matrix, per-class figures and accuracy of the network on X, Y."""
    return confusion_from_outputs(network.predict(X, batch_size=PREDICT_ROWS), Y, n_classes)


def confusion_from_outputs(outputs: np.ndarray, Y: np.ndarray, n_classes: int) -> Confusion:
    """The same from outputs already computed (a training report's validation outputs)."""
    matrix = _metrics.confusion_matrix(outputs, Y, n_classes)
    return Confusion(matrix, _metrics.per_class(matrix), _metrics.accuracy(outputs, Y))


def output_line(network: Network, transform, base_row: Sequence, axis: int, values: np.ndarray,
                neuron: tuple[int, int] | None = None) -> np.ndarray:
    """The one-input counterpart of core.inspect.output_grid: outputs (len(values), k) as raw column
    `axis` runs through `values` and the other columns stay at base_row; neuron=(layer, index) as there."""
    rows = np.empty((len(values), len(base_row)), dtype=object)
    rows[:] = np.asarray(list(base_row), dtype=object)
    rows[:, axis] = np.asarray(values, float)
    X = transform(rows)
    if neuron is None:
        return network.predict(X, batch_size=PREDICT_ROWS)
    layer, index = neuron
    return network.trace(X)[layer - 1][1][:, index:index + 1]


class OutputMap:
    """The network's output over a plane of two raw inputs (ys given) or along one (ys None), for a
    view that redraws it after every snapshot.

    The raw grid rows only change with the axes and held values, so they are encoded once (the first
    call) and each redraw is just forward passes. Those run in blocks of about PREDICT_ROWS rows through
    core.inspect.output_grid: a 6400-row forward pass measured 10–30× slower than the same rows in
    1024-row blocks (BLAS starts threads for the larger products; on a small network that costs far
    more than it saves, and it competes with the training thread).
    """

    def __init__(self, transform, base_row: Sequence, axes: tuple[int, int], xs: np.ndarray,
                 ys: np.ndarray | None = None):
        self.transform, self.base_row, self.axes = transform, list(base_row), axes
        self.xs = np.asarray(xs, float)
        self.ys = None if ys is None else np.asarray(ys, float)
        self._encoded: dict[int, np.ndarray] = {}

    def _encode(self, key: int):
        def transform(rows):
            if key not in self._encoded:
                self._encoded[key] = self.transform(rows)
            return self._encoded[key]
        return transform

    def outputs(self, network: Network, neuron: tuple[int, int] | None = None) -> np.ndarray:
        """(len(ys), len(xs), k) for a plane, (len(xs), k) for a line; k = 1 for a neuron."""
        if self.ys is None:
            return output_line(network, self._encode(0), self.base_row, self.axes[0], self.xs, neuron)
        step = max(1, PREDICT_ROWS // max(1, len(self.xs)))
        strips = [output_grid(network, self._encode(start), self.base_row, self.axes, self.xs,
                              self.ys[start:start + step], neuron)
                  for start in range(0, len(self.ys), step)]
        return np.concatenate(strips, axis=0)


def predicted_vs_actual(network: Network, preprocessor, X: np.ndarray, Y: np.ndarray,
                        outputs: np.ndarray | None = None):
    """(predicted, actual), both (n, n_targets) float64 in the targets' own units. `outputs`: the
    network's outputs on X when already computed."""
    if outputs is None:
        outputs = network.predict(X, batch_size=PREDICT_ROWS)
    return preprocessor.inverse_outputs(outputs), preprocessor.inverse_outputs(Y)


def regression_figures(predicted: np.ndarray, actual: np.ndarray) -> dict[str, float]:
    """RMSE, MAE and R² of already-unscaled values (any shape (n,) or (n, t))."""
    predicted = np.asarray(predicted, np.float64).reshape(len(predicted), -1)
    actual = np.asarray(actual, np.float64).reshape(len(actual), -1)
    return _metrics.regression_report(predicted, actual)


@dataclass(frozen=True)
class Overfitting:
    best_index: int      # index into the history of the lowest validation loss
    since_best: int      # epochs after it (the validation loss has stayed above its best since)


def overfitting_status(train_losses: Sequence[float], val_losses: Sequence[float], window: int = 5,
                       previous: Overfitting | None = None) -> Overfitting | None:
    """Where the best epoch was and how long ago, when core.inspect.overfitting_epoch sees overfitting.

    With `previous` (the last status shown) the verdict stands until the validation loss reaches a new
    best: noisy validation losses often dip once inside a rise, and a warning that blinks on and off
    with every dip reads as noise rather than advice.
    """
    v = np.asarray(val_losses, float)
    best = overfitting_epoch(train_losses, val_losses, window)
    if best is None:
        if previous is None or not np.isfinite(v).any() or int(np.nanargmin(v)) != previous.best_index:
            return None
        best = previous.best_index
    return Overfitting(best, len(v) - 1 - best)


def prediction_model(network: Network, preprocessor) -> LoadedModel:
    """The in-memory network and its preprocessing, in the form core.export.predict_rows takes."""
    return LoadedModel(network, preprocessor, {})


def predictions_table(network: Network, preprocessor, frame):
    """The rows of `frame` (all their columns) followed by the model's prediction columns, which replace
    any same-named columns already in the file. DataError when an input column is missing or unusable."""
    predictions = predict_rows(prediction_model(network, preprocessor), frame)
    table = frame.drop(columns=[c for c in predictions.columns if c in frame.columns])
    return table.join(predictions)

