"""The Output dock: live evaluation, decision boundary and predict views (gui/output_panel.py and friends)."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import QFileDialog

from core.data import build_dataset, from_frame, read_csv, read_csv_text
from core.examples import example_table, load_example
from core.optimizers import make_optimizer
from core.training import EpochReport, TrainConfig, train
from gui.controller import TrainingController
from gui.evaluation_view import CELL_DARK
from gui.model import StudioModel
from gui.output_panel import OutputPanel

WAIT_MS = 20_000
EVALUATION, BOUNDARY, PREDICT = range(3)


@pytest.fixture
def model():
    return StudioModel()


@pytest.fixture
def controller(model):
    controller = TrainingController(model)
    yield controller
    controller.shutdown()


@pytest.fixture
def panel(qtbot, model, controller):
    panel = OutputPanel(model, controller)
    qtbot.addWidget(panel)
    panel.resize(420, 700)
    panel.show()
    return panel


def use(model, name, hidden=(4,), activation="tanh", **settings):
    dataset = load_example(name)
    model.set_dataset(dataset, example_name=name)
    model.edit_architecture(replace(model.architecture, hidden=hidden,
                                    hidden_activations=(activation,) * len(hidden)))
    if settings:
        model.update_settings(**settings)
    return dataset


def trained_snapshot(model, epochs, lr=0.5, batch_size=1) -> EpochReport:
    """Train a copy of the studio network in this thread and return its last report (with weights)."""
    dataset, network = model.dataset, model.network.copy()
    reports = train(network, make_optimizer("sgd", lr), dataset.X_train, dataset.Y_train,
                    config=TrainConfig(epochs=epochs, batch_size=batch_size), task=dataset.task)
    return list(reports)[-1]


def test_trained_xor_boundary_separates_the_corners(panel, model, controller):
    use(model, "xor")
    panel.tabs.setCurrentIndex(BOUNDARY)
    boundary = panel.boundary
    assert boundary.applicable and boundary.axes == (0, 1)
    report = trained_snapshot(model, 1500)
    controller.snapshotArrived.emit(report)          # as a run's snapshot would arrive
    boundary.refresh()
    assert panel.mirror.epoch == report.epoch
    assert boundary.values.shape == (80, 80)
    p = {corner: boundary.value_at(*corner) for corner in ((0, 0), (0, 1), (1, 0), (1, 1))}
    assert p[(0, 1)] > 0.8 and p[(1, 0)] > 0.8, p        # x1 XOR x2 = 1: class '1'
    assert p[(0, 0)] < 0.2 and p[(1, 1)] < 0.2, p
    # the studio's own network was never touched: the panel evaluates its private copy
    assert panel.mirror.network is not model.network
    assert not np.allclose(model.network.weights[0], report.weights[0])


def test_live_run_updates_boundary_and_confusion(qtbot, panel, model, controller):
    dataset = use(model, "moons", hidden=(8,), epochs=150, lr=0.1)
    panel.tabs.setCurrentIndex(BOUNDARY)
    panel.boundary.refresh()
    before = panel.boundary.values.copy()
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS):
        controller.train()
    qtbot.waitUntil(lambda: panel.mirror.epoch == 150, timeout=WAIT_MS)
    panel.boundary.refresh()
    assert not np.allclose(before, panel.boundary.values)
    # the map now agrees with most validation rows
    raw = dataset.raw_val
    classes = [panel.boundary.class_at(x, y) for x, y in zip(raw["x1"], raw["x2"])]
    truth = [dataset.class_names.index(c) for c in raw["class"]]
    assert np.mean(np.array(classes) == np.array(truth)) > 0.8
    panel.tabs.setCurrentIndex(EVALUATION)
    panel.evaluation.refresh()
    matrix = panel.evaluation.confusion.matrix
    assert matrix.sum() == dataset.n_val
    assert "epoch 150" in panel.evaluation.title.text()


def test_during_a_run_the_confusion_matrix_comes_from_the_run_not_from_a_gui_forward_pass(
        qtbot, panel, model, controller, monkeypatch):
    """A forward pass over the validation set in the GUI thread competes with training for the BLAS
    threads: while a run sends its validation outputs, the view uses them."""
    import gui.evaluation_view as evaluation_view
    # a run that lasts until the test stops it: one that ended between two looks (a loaded machine) took
    # its validation outputs with it, and the first wait never saw them
    dataset = use(model, "moons", hidden=(8,), epochs=1_000_000, lr=0.1, target_error=0.0, patience=0)
    panel.tabs.setCurrentIndex(EVALUATION)
    forward_passes = []
    real = evaluation_view.confusion
    monkeypatch.setattr(evaluation_view, "confusion", lambda *a: forward_passes.append(1) or real(*a))
    controller.train()
    qtbot.waitUntil(lambda: panel.mirror.val_outputs is not None, timeout=WAIT_MS)
    forward_passes.clear()          # one may have run before the first snapshot: there was nothing else
    seen = panel.mirror.epoch
    qtbot.waitUntil(lambda: panel.mirror.epoch > seen + 5, timeout=WAIT_MS)
    panel.evaluation.refresh()
    shown = panel.evaluation.confusion.matrix.copy()
    outputs, network = panel.mirror.val_outputs, panel.mirror.network
    assert controller.active and forward_passes == []
    np.testing.assert_array_equal(outputs, network.predict(dataset.X_val))   # the snapshot's own weights
    np.testing.assert_array_equal(shown, real(network, dataset.X_val, dataset.Y_val, dataset.n_classes).matrix)
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS):
        controller.stop()
    panel.evaluation.refresh()                      # idle again: the network itself is evaluated
    assert forward_passes and panel.mirror.val_outputs is None


def test_confusion_matrix_and_class_table(panel, model):
    dataset = use(model, "iris")
    panel.evaluation.refresh()
    view = panel.evaluation
    assert view.stack.currentIndex() == 1
    assert view.confusion.matrix.shape == (3, 3)
    assert view.confusion.matrix.sum() == dataset.n_val
    assert view.table.rowCount() == 3
    assert [view.table.item(i, 0).text() for i in range(3)] == dataset.class_names
    support = [int(view.table.item(i, 4).text()) for i in range(3)]
    assert support == list(view.confusion.matrix.sum(axis=1))
    counts = [int(text) for text in view.cell_counts.texts()]
    assert counts == list(view.confusion.matrix.ravel())
    assert "Validation set, 30 rows" in view.title.text() and "accuracy" in view.title.text()


def test_each_confusion_cell_shows_its_count_dark_on_light_and_white_on_dark(qtbot, panel, model):
    use(model, "iris")
    panel.controller.snapshotArrived.emit(trained_snapshot(model, 30, lr=0.1))
    view = panel.evaluation
    view.refresh()
    qtbot.waitUntil(lambda: view.matrix_plot.vb.width() > 150, timeout=WAIT_MS)
    matrix = view.confusion.matrix
    share = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    assert (share > CELL_DARK).any() and (share <= CELL_DARK).any()      # both kinds of cell to look at
    image = view.matrix_widget.grab().toImage()
    vb, half = view.matrix_plot.vb, view.fontMetrics().height() // 2
    for i in range(3):
        for j in range(3):
            centre = view.matrix_widget.mapFromScene(vb.mapViewToScene(QPointF(j + 0.5, i + 0.5)))
            box = [QColor(image.pixel(x, y)).lightness()
                   for x in range(centre.x() - half, centre.x() + half)
                   for y in range(centre.y() - half, centre.y() + half)]
            if share[i, j] > CELL_DARK:
                assert max(box) > 230, (i, j, "white text on a dark cell")
            else:
                assert min(box) < 120, (i, j, "dark text on a light cell")


def _evaluating_twelve_classes(panel, model, rows):
    """The evaluation view, refreshed, on `rows` rows of twelve classes named "class 0" … "class 11"."""
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 12, rows)
    frame = pd.DataFrame({"x": labels + rng.normal(size=labels.size), "kind": [f"class {c}" for c in labels]})
    model.set_dataset(build_dataset(from_frame(frame, "twelve"), val_split=0.5, seed=0))
    panel.evaluation.refresh()
    return panel.evaluation


def test_confusion_counts_never_run_into_each_other(qtbot, panel, model):
    # twelve classes in a narrow Output dock (a 1024 × 640 screen): cells of ~11 px held two-digit
    # counts that ran into their neighbours; they are drawn smaller, or not at all when even that fails
    view = _evaluating_twelve_classes(panel, model, rows=3000)
    counts = view.cell_counts

    def fits() -> bool:
        if counts.drawn_points == 0:
            return True
        (x0, x1), _ = view.matrix_plot.vb.viewRange()
        cell = view.matrix_plot.vb.width() / (x1 - x0)
        font = QFont(view.font())
        font.setPointSizeF(counts.drawn_points)
        widest = max(QFontMetricsF(font).horizontalAdvance(text) for text in counts.texts())
        return widest <= cell

    assert max(len(text) for text in counts.texts()) >= 2
    for width, height, drawn in ((230, 600, None), (1000, 1100, True)):
        panel.resize(width, height)
        qtbot.waitUntil(lambda: abs(view.matrix_widget.width() - width) < 40, timeout=WAIT_MS)
        view.matrix_widget.grab()                        # a paint at this size
        assert fits()
        if drawn:
            assert counts.drawn_points >= 6.5


def test_class_names_in_the_evaluation_table_keep_their_room_in_a_narrow_dock(qtbot, panel, model):
    # in a 230-pixel Output dock the headers "precision" and "support" squeezed "class 10" to "c…"
    view = _evaluating_twelve_classes(panel, model, rows=600)
    table = view.table
    longest = max(table.fontMetrics().horizontalAdvance(f"class {c}") for c in range(12))

    def headers():
        return [table.horizontalHeaderItem(c).text() for c in range(5)]

    panel.resize(230, 700)
    qtbot.waitUntil(lambda: table.width() < 240 and table.columnWidth(0) >= longest, timeout=WAIT_MS)
    assert headers()[1] != "precision"
    panel.resize(600, 900)
    qtbot.waitUntil(lambda: headers() == ["class", "precision", "recall", "F1", "support"], timeout=WAIT_MS)
    assert table.columnWidth(0) >= longest


def test_without_validation_rows_the_training_rows_are_evaluated(panel, model):
    use(model, "xor")
    panel.evaluation.refresh()
    assert panel.evaluation.confusion.matrix.sum() == 4
    assert "Training set" in panel.evaluation.title.text()


def test_regression_scatter_figures_and_epoch_curve(qtbot, panel, model, controller):
    dataset = use(model, "sine", hidden=(8,), epochs=30, lr=0.05)
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS):
        controller.train()
    view = panel.evaluation
    view.refresh()
    assert view.stack.currentIndex() == 2
    x, y = view.scatter.getData()
    assert len(x) == dataset.n_val
    np.testing.assert_allclose(np.sort(x), np.sort(dataset.raw_val["y"].to_numpy(float)), rtol=1e-4, atol=1e-5)
    assert set(view.figures) == {"rmse", "mae", "r2"}
    assert "RMSE" in view.figures_label.text() and "R²" in view.figures_label.text()
    epochs, values = view.metric_curve.getOriginalDataset()
    assert len(epochs) == 30 and np.isfinite(values).all()
    view.metric_combo.setCurrentText("R²")
    _, r2 = view.metric_curve.getOriginalDataset()
    np.testing.assert_allclose(r2, controller.history.metric("val_r2"))
    # one input: the Boundary tab draws the output as a curve over it
    panel.boundary.refresh()
    assert panel.boundary.axes == (0, -1) and panel.boundary.values.ndim == 1


def _reports(train_losses, val_losses, run_id):
    return [EpochReport(epoch=i + 1, train_loss=t, val_loss=v, metrics=MappingProxyType({}), run_id=run_id)
            for i, (t, v) in enumerate(zip(train_losses, val_losses))]


def test_overfitting_warning_and_best_epoch_mark(qtbot, panel, model, controller):
    use(model, "moons")
    marks = []
    panel.bestEpochMarked.connect(marks.append)
    train_losses = list(np.linspace(1.0, 0.1, 20))
    val_losses = [1.0 - 0.1 * i for i in range(8)] + [0.3 + 0.02 * i for i in range(12)]
    reports = _reports(train_losses, val_losses, controller.run_id)
    controller.history.append(reports)
    controller.reportsArrived.emit(reports)
    qtbot.waitUntil(lambda: panel.evaluation.warning.isVisible(), timeout=WAIT_MS)
    text = panel.evaluation.warning.text()
    assert "overfitting" in text and "best epoch 8" in text and "risen for 12 epochs" in text
    assert marks == [8]
    controller.reset()                               # a fresh start: no warning, no mark
    assert not panel.evaluation.warning.isVisible()
    assert marks == [8, 0]


def test_clicked_neuron_shows_its_own_map(qtbot, panel, model):
    use(model, "circles", hidden=(3,))
    panel.tabs.setCurrentIndex(PREDICT)
    panel.show_neuron(1, 2)
    assert panel.tabs.currentWidget() is panel.boundary
    boundary = panel.boundary
    assert boundary.neuron == (1, 2)
    assert boundary.back_button.isVisible() and "h1.3" in boundary.mode_label.text()
    assert np.all(np.abs(boundary.values) <= 1.0)    # a tanh neuron's output
    network = panel.mirror.network
    point = boundary.x_values[10], boundary.y_values[20]
    X = model.dataset.preprocessor.transform([list(point)])
    expected = network.trace(X)[0][1][0, 2]
    assert boundary.value_at(*point) == pytest.approx(expected, abs=1e-5)
    panel.show_neuron(0, 0)                          # input neurons have no map of their own
    assert boundary.neuron == (1, 2)
    qtbot.mouseClick(boundary.back_button, pytest.importorskip("PySide6.QtCore").Qt.MouseButton.LeftButton)
    assert boundary.neuron is None and not boundary.back_button.isVisible()
    assert np.all((boundary.values >= 0) & (boundary.values <= 1))   # P(outer) again


def test_more_inputs_choose_axes_and_hold_the_rest(panel, model):
    use(model, "iris")
    panel.tabs.setCurrentIndex(BOUNDARY)
    boundary = panel.boundary
    assert boundary.axes_row.isVisible()
    assert [boundary.x_combo.itemText(i) for i in range(4)] == model.dataset.preprocessor.input_columns
    boundary.set_axes("petal_length", "petal_width")
    assert boundary.axes == (2, 3)
    assert boundary.plot.getAxis("bottom").labelText == "petal_length"
    sliders = [w for w in boundary._held_widgets if w.__class__.__name__ == "QSlider"]
    assert len(sliders) == 2
    boundary.refresh()
    before = boundary.values.copy()
    sliders[0].setValue(0)                           # sepal_length to its training minimum
    boundary.refresh()
    assert boundary._held[0] == pytest.approx(4.3, abs=0.01)
    assert not np.allclose(before, boundary.values)
    boundary.set_axes("petal_width", "petal_width")  # never the same input on both axes
    assert boundary.axes[0] != boundary.axes[1]


def test_a_whole_number_input_is_held_at_whole_numbers(panel, model):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"x": rng.normal(size=90), "y": rng.normal(size=90), "rooms": rng.integers(1, 7, 90),
                          "label": rng.choice(["a", "b"], 90)})
    model.set_dataset(build_dataset(from_frame(frame), targets=["label"], val_split=0.2))
    panel.tabs.setCurrentIndex(BOUNDARY)
    boundary = panel.boundary
    boundary.set_axes("x", "y")
    slider = next(w for w in boundary._held_widgets if w.__class__.__name__ == "QSlider")
    for position in (0, slider.maximum() // 3, slider.maximum() // 2, slider.maximum()):
        slider.setValue(position)
        assert boundary._held[2] == round(boundary._held[2]), boundary._held[2]
    assert boundary._held[2] == 6.0


def test_categorical_inputs_are_held_at_their_mode(panel, model):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80),
                          "colour": rng.choice(["red", "blue", "blue"], 80),
                          "label": rng.choice(["yes", "no"], 80)})
    model.set_dataset(build_dataset(from_frame(frame), targets=["label"]))
    boundary = panel.boundary
    combos = [w for w in boundary._held_widgets if w.__class__.__name__ == "QComboBox"]
    assert len(combos) == 1 and combos[0].currentText() == "blue"
    boundary.refresh()
    assert np.isfinite(boundary.values).all()
    assert panel.predict.fields["colour"].currentText() == "blue"


def test_editing_a_predict_field_updates_the_output(qtbot, panel, model):
    use(model, "iris")
    panel.tabs.setCurrentIndex(PREDICT)
    predict = panel.predict
    assert list(predict.fields) == model.dataset.preprocessor.input_columns
    assert predict.fields["petal_length"].value() == pytest.approx(4.25, abs=0.3)   # the training median
    qtbot.waitUntil(lambda: predict.last_prediction is not None, timeout=WAIT_MS)   # drawn once shown
    before = predict.probabilities()
    assert sum(before) == pytest.approx(1.0, abs=0.01) and len(before) == 3
    headline = predict.headline.text()
    predict.fields["petal_length"].setValue(1.0)
    predict.fields["petal_width"].setValue(0.1)
    after = predict.probabilities()
    assert after != before and sum(after) == pytest.approx(1.0, abs=0.01)
    assert float(predict.last_prediction["p(setosa)"].iloc[0]) == pytest.approx(after[0], abs=1e-3)
    assert predict.headline.text() != headline


def test_whole_number_inputs_are_typed_without_decimals(panel, model):
    frame = pd.DataFrame({"rooms": [1, 2, 3, 4, 5, 2, 3, 4] * 10, "area": np.linspace(20.5, 140.25, 80),
                          "price": np.linspace(100, 900, 80)})
    model.set_dataset(build_dataset(from_frame(frame), targets=["price"], val_split=0.2))
    fields = panel.predict.fields
    assert fields["rooms"].decimals() == 0 and fields["area"].decimals() >= 2
    assert fields["rooms"].text() == "3"


def test_regression_prediction_in_target_units(panel, model):
    use(model, "product")
    predict = panel.predict
    predict.set_value("x", 0.5)
    predict.set_value("y", -0.5)
    value = float(predict.last_prediction["predicted_product"].iloc[0])
    network = panel.mirror.network
    pre = model.dataset.preprocessor
    expected = pre.inverse_outputs(network.predict(pre.transform([[0.5, -0.5]])))[0, 0]
    assert value == pytest.approx(expected, rel=1e-5)
    assert f"{value:.6g}" in predict.headline.text()


def test_predict_file_writes_one_prediction_per_row(panel, model, tmp_path, monkeypatch):
    use(model, "iris")
    source = tmp_path / "flowers.csv"
    frame = example_table("iris").frame.head(12).drop(columns=["species"])
    frame.to_csv(source, index=False)
    out = tmp_path / "out.csv"
    asked = {}

    def save(parent, title, suggested, filters):
        asked["suggested"] = suggested
        return str(out), filters

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(source), ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save)
    panel.predict.predict_file()
    assert asked["suggested"].endswith("flowers_predictions.csv")
    result = pd.read_csv(out)
    assert len(result) == 12
    assert list(result.columns[:4]) == list(frame.columns)
    assert set(result["predicted_species"]) <= set(model.dataset.class_names)
    probabilities = result[["p(setosa)", "p(versicolor)", "p(virginica)"]]
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert panel.predict.message_bar.level == "info" and "12 predictions" in panel.predict.message_bar.text()


def test_predict_file_says_which_inputs_were_missing_or_never_seen(panel, model, tmp_path, monkeypatch):
    use(model, "iris")
    source = tmp_path / "flowers.csv"
    frame = example_table("iris").frame.head(5).drop(columns=["species"])
    frame.iloc[1, 0] = None                               # a gap, filled with the training mean
    frame.to_csv(source, index=False)
    with open(source, "a") as f:
        f.write(",,,\n,,,\n")                           # bare delimiters below the table: no rows
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(source), ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "out.csv"), ""))
    panel.predict.predict_file()
    bar = panel.predict.message_bar
    name = frame.columns[0]
    assert bar.level == "warning" and "5 predictions saved to out.csv (2 empty rows skipped)" in bar.text(), \
        bar.text()
    assert f"'{name}': 1 missing value filled with the training mean" in bar.text()
    assert len(pd.read_csv(tmp_path / "out.csv")) == 5   # the row is still predicted


def test_predict_file_keeps_an_empty_line_for_an_empty_row_inside_the_table(panel, model, tmp_path, monkeypatch):
    use(model, "iris")
    source = tmp_path / "groups.csv"
    frame = example_table("iris").frame.drop(columns=["species"])
    lines = frame.to_csv(index=False).splitlines()
    source.write_text("\n".join([lines[0], lines[1], lines[2], ",,,", lines[100]]) + "\n")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(source), ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "out.csv"), ""))
    panel.predict.predict_file()
    assert "3 predictions saved to out.csv (1 empty row left empty in the predictions)" in panel.predict.message_bar.text()
    result = pd.read_csv(tmp_path / "out.csv", skip_blank_lines=False)
    assert result.iloc[:, 0].isna().tolist() == [False, False, True, False]      # line k is row k of the file
    assert result["predicted_species"].isna().tolist() == [False, False, True, False]
    assert result.iloc[3, 0] == pytest.approx(frame.iloc[99, 0])


def test_predict_file_takes_inputs_spelt_another_way(panel, model, tmp_path, monkeypatch):
    use(model, "iris")
    source = tmp_path / "flowers.csv"
    frame = example_table("iris").frame.head(6).drop(columns=["species"])
    first = frame.columns[0]
    frame.rename(columns={first: first.upper().replace("_", " ")}).to_csv(source, index=False)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(source), ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "out.csv"), ""))
    panel.predict.predict_file()
    bar = panel.predict.message_bar
    assert "6 predictions saved to out.csv" in bar.text(), bar.text()
    assert f"'{first.upper().replace('_', ' ')}' as '{first}'" in bar.text()
    assert len(pd.read_csv(tmp_path / "out.csv")) == 6


@pytest.mark.parametrize("content", [b"\x00\x01\x02binary\xff\xfe" * 40, b"colour,size\nred,1\nblue,2\n"])
def test_predict_file_with_a_bad_csv_shows_a_message(panel, model, tmp_path, monkeypatch, content):
    use(model, "iris")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    panel.tabs.setCurrentIndex(PREDICT)
    saved = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: saved.append(1) or ("", ""))
    panel.predict.predict_file()
    bar = panel.predict.message_bar
    assert bar.isVisible() and bar.level == "error" and bar.text()
    assert "Traceback" not in bar.text()
    assert not saved                                  # nothing to save, so no save dialog


def test_hidden_views_wait_until_shown(qtbot, panel, model, controller):
    use(model, "moons")
    panel.tabs.setCurrentIndex(EVALUATION)
    calls = []
    boundary_refresh = panel.boundary._redraw._callback
    panel.boundary._redraw._callback = lambda: (calls.append(1), boundary_refresh())
    report = trained_snapshot(model, 3, lr=0.1, batch_size=32)
    for _ in range(5):
        controller.snapshotArrived.emit(report)
    assert calls == []                                # the Boundary tab is hidden: nothing computed
    panel.tabs.setCurrentIndex(BOUNDARY)
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=WAIT_MS)
    assert panel.mirror.epoch == report.epoch


def test_new_data_rebuilds_every_view(panel, model):
    use(model, "iris")
    use(model, "blobs")
    assert panel.evaluation.table.rowCount() == 3
    assert list(panel.predict.fields) == ["x1", "x2"]
    assert not panel.boundary.axes_row.isVisible()
    use(model, "sine")
    assert panel.evaluation.stack.currentIndex() == 2
    assert panel.predict.bars_scroll.isHidden()          # no class bars for a regression


def _shown(label) -> str:
    """The text a rich-text QLabel shows (its markup rendered, as the user reads it)."""
    from PySide6.QtGui import QTextDocument

    document = QTextDocument()
    document.setHtml(label.text())
    return document.toPlainText()


def test_names_with_angle_brackets_are_shown_as_written(qtbot, panel, model):
    # UCI's adult data: the classes are '<=50K' and '>50K'; rich-text labels once swallowed '<=50K'
    rng = np.random.default_rng(0)
    age = rng.uniform(17, 90, 200)
    frame = pd.DataFrame({"age<30?": age, "hours": rng.uniform(10, 80, 200),
                          "income": np.where(age > 45, ">50K", "<=50K")})
    model.set_dataset(build_dataset(from_frame(frame, "adult"), val_split=0.2, seed=0))
    panel.tabs.setCurrentIndex(PREDICT)
    predict = panel.predict
    qtbot.waitUntil(lambda: predict.last_prediction is not None, timeout=WAIT_MS)
    predicted = str(predict.last_prediction["predicted_income"].iloc[0])
    assert _shown(predict.headline).startswith(f"Predicted income: {predicted} (")
    panel.tabs.setCurrentIndex(BOUNDARY)
    boundary = panel.boundary
    boundary.refresh()
    legend = _shown(boundary.legend)
    assert "<=50K" in legend and ">50K" in legend, legend
    assert boundary.plot.getAxis("bottom").labelText == "age&lt;30?"      # pyqtgraph labels are HTML too


def test_many_classes_scroll_in_the_predict_tab_instead_of_making_the_window_taller(qtbot, panel, model):
    # UCI letter recognition: 26 classes; one bar each made the tab taller than a screen
    rng = np.random.default_rng(1)
    letters = rng.choice(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), 520)
    frame = pd.DataFrame({f"x{j}": rng.integers(0, 16, 520) for j in range(16)})
    frame["letter"] = letters
    model.set_dataset(build_dataset(from_frame(frame, "letters"), val_split=0.2, seed=0))
    panel.tabs.setCurrentIndex(PREDICT)
    predict = panel.predict
    qtbot.waitUntil(lambda: predict.last_prediction is not None, timeout=WAIT_MS)
    assert len(predict.bar_widgets) == 26
    assert panel.minimumSizeHint().height() < 760, panel.minimumSizeHint()
    panel.resize(420, 700)
    qtbot.waitUntil(lambda: predict.bars_scroll.verticalScrollBar().maximum() > 0)   # the rest scrolls
    use(model, "iris")                                                              # three classes: no scrolling
    qtbot.waitUntil(lambda: len(predict.bar_widgets) == 3)
    assert predict.bars_scroll.verticalScrollBar().maximum() == 0


def test_a_hundred_long_class_names_leave_room_for_the_map_and_the_probabilities(qtbot, panel, model):
    # "Very long species name number 37 of the genus Examplea" × 100: the map's legend listed all of them,
    # taller than the map, and the names beside the Predict bars pushed the percentages out of sight
    rng = np.random.default_rng(0)
    names = [f"Very long species name number {k} of the genus Examplea" for k in range(100)]
    codes = np.repeat(np.arange(100), 6)
    frame = pd.DataFrame({"x": codes + rng.normal(size=codes.size), "y": rng.normal(size=codes.size),
                          "species": [names[c] for c in codes]})
    model.set_dataset(build_dataset(from_frame(frame, "flora"), val_split=0.3, seed=0))
    panel.tabs.setCurrentIndex(BOUNDARY)
    panel.boundary.refresh()
    legend = _shown(panel.boundary.legend)
    assert legend.count("■") == 10 and "and 90 more classes" in legend, legend
    assert names[0] not in legend and "■ …17…" in legend         # shortened to what tells them apart

    panel.tabs.setCurrentIndex(PREDICT)
    predict = panel.predict
    qtbot.waitUntil(lambda: predict.last_prediction is not None, timeout=WAIT_MS)
    assert [label.toolTip() for label in predict.bar_labels] == model.dataset.class_names
    assert all(len(label.text()) <= 20 for label in predict.bar_labels)
    qtbot.waitUntil(lambda: predict.bars_scroll.verticalScrollBar().maximum() > 0)
    # every percentage in sight: nothing to scroll sideways in a dock of the default width
    assert predict.bars_scroll.horizontalScrollBar().maximum() == 0
    assert predict.bar_widgets[0].text().endswith("%")


def test_a_column_written_with_a_unit_is_typed_in_that_unit_and_another_unit_is_flagged(
        panel, model, tmp_path, monkeypatch):
    from core.data import read_csv

    source = tmp_path / "cars.csv"
    source.write_text("engine,power,price\n" + "".join(
        f"{800 + (i * 53) % 900} CC,{40 + i % 60} bhp,{100 + 7 * i}\n" for i in range(60)))
    model.set_dataset(build_dataset(read_csv(source), targets=["price"], val_split=0.2))
    engine = panel.predict.fields["engine"]
    assert engine.suffix() == " CC" and engine.text().endswith(" CC")
    assert "CC" in engine.toolTip()
    panel.predict.set_value("engine", 1248)
    typed = float(panel.predict.last_prediction["predicted_price"].iloc[0])

    litres = tmp_path / "litres.csv"
    litres.write_text("engine,power\n1.2 L,74 bhp\n1.5 L,80 bhp\n")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(litres), ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "out.csv"), ""))
    panel.predict.predict_file()
    bar = panel.predict.message_bar
    assert bar.level == "warning" and "'engine': 2 values not in CC as in training (such as '1.2 L')" in bar.text()
    assert np.isfinite(typed)


def test_a_wide_table_gets_a_bounded_number_of_fields_and_held_sliders(qtbot, panel, model, monkeypatch):
    import gui.boundary_view
    import gui.predict_panel

    monkeypatch.setattr(gui.predict_panel, "MAX_FIELDS", 5)
    monkeypatch.setattr(gui.boundary_view, "MAX_HELD", 3)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(120, 9)), columns=[f"g{i}" for i in range(9)])
    frame["label"] = np.where(frame["g0"] > 0, "up", "down")
    model.set_dataset(build_dataset(from_frame(frame), val_split=0.2))
    predict = panel.predict
    assert list(predict.fields) == ["g0", "g1", "g2", "g3", "g4"]
    assert predict.more_inputs.text().startswith("… and 4 more inputs, held at the training median")
    row = predict.row()
    assert list(row) == [f"g{i}" for i in range(9)]                    # the network still gets every input
    predict.set_value("g0", 2.0)
    assert predict.last_prediction["predicted_label"].iloc[0] in ("up", "down")
    boundary = panel.boundary
    labels = [w.text() for w in boundary._held_widgets if hasattr(w, "text")]
    assert labels[-1].startswith("… and 4 more inputs held")       # 9 inputs: 2 on the axes, 3 with sliders
    assert sum(1 for w in boundary._held_widgets if type(w).__name__ == "QSlider") == 3
    boundary.set_held_value("g8", 1.5)                              # an input without a slider can be held too
    assert boundary._held[8] == 1.5


def test_long_class_names_under_the_confusion_matrix_fit_their_columns(qtbot, panel, model):
    # Google Play's "Android Ver": "4.0.3 and up", "Varies with device"… in a narrow Output dock they ran
    # into each other; each is shortened to its column, and the table below names it in full
    rng = np.random.default_rng(0)
    names = ["4.0.3 and up", "4.2 and up", "5.0 - 8.0", "Varies with device"]
    frame = pd.DataFrame({"x": rng.normal(size=120), "version": [names[i % 4] for i in range(120)]})
    model.set_dataset(build_dataset(from_frame(frame, "apps"), val_split=0.25, seed=0))
    view = panel.evaluation
    view.refresh()

    def labels_fit() -> bool:
        (x0, x1), _ = view.matrix_plot.vb.viewRange()
        cell = view.matrix_plot.vb.width() / (x1 - x0)       # one column on screen (the aspect is locked)
        shown = [label for _, label in view.matrix_plot.getAxis("bottom")._tickLevels[0] if label]
        return len(shown) == 4 and all(view.fontMetrics().horizontalAdvance(label) <= cell for label in shown)

    panel.resize(300, 700)
    qtbot.waitUntil(lambda: view.matrix_plot.vb.width() < 250 and labels_fit(), timeout=WAIT_MS)
    panel.resize(1000, 1100)                               # a big dock names them in full
    qtbot.waitUntil(lambda: labels_fit() and "Varies with device" in
                    [label for _, label in view.matrix_plot.getAxis("bottom")._tickLevels[0]], timeout=WAIT_MS)
    assert [view.table.item(i, 0).text() for i in range(4)] == names


def test_a_target_of_hundreds_of_classes_keeps_the_evaluation_live_and_its_matrix_readable(qtbot, panel, model):
    # 300 species with long names: filling the per-class table re-measured its columns after every cell
    # (2.5 s a refresh, which the view then waited 80 s to repeat: it said "untrained" all run long),
    # and the row names took the whole width, squeezing the matrix to a line of stacked names
    rng = np.random.default_rng(0)
    k = 300
    names = [f"Examplea longissima varietas {i:03d}" for i in range(k)]
    codes = np.repeat(np.arange(k), 4)
    frame = pd.DataFrame({"x": codes + rng.normal(size=codes.size) * 0.1, "species": [names[c] for c in codes]})
    model.set_dataset(build_dataset(from_frame(frame, "herbarium"), val_split=0.5, seed=0))
    view = panel.evaluation                              # it evaluates as it would in the window
    qtbot.waitUntil(lambda: "untrained" in view.title.text(), timeout=WAIT_MS)
    assert view.table.rowCount() == k and view.table.item(k - 1, 0).toolTip() == names[-1]
    report = trained_snapshot(model, 2)
    panel.controller.snapshotArrived.emit(report)        # as a run's snapshot would arrive
    qtbot.waitUntil(lambda: f"epoch {report.epoch}" in view.title.text(), timeout=5_000)
    support = [int(view.table.item(i, 4).text()) for i in range(k)]
    assert support == [2] * k

    vb = view.matrix_plot.vb
    qtbot.waitUntil(lambda: vb.width() > 100 and vb.height() > 100, timeout=WAIT_MS)
    _, (y0, y1) = vb.viewRange()
    row_pixels = vb.height() / (y1 - y0)
    rows = [(y, label) for y, label in view.matrix_plot.getAxis("left")._tickLevels[0] if label]
    assert len(rows) >= 2                                # first and last at least, apart
    gaps = np.diff([y for y, _ in rows]) * row_pixels
    assert gaps.min() >= view.fontMetrics().height()     # one name above the other, not on top
    assert vb.width() >= view.matrix_widget.width() / 2   # the names leave the matrix most of the room


def test_an_imbalanced_target_gets_the_majority_baseline_beside_its_accuracy(panel, model):
    # 85 % 'no': an untrained or lazy network scores ~85 % by answering 'no' to everything
    rng = np.random.default_rng(0)
    x = rng.normal(size=400)
    answer = np.where(x > 1.04, "yes", "no")
    model.set_dataset(build_dataset(from_frame(pd.DataFrame({"x": x, "y": answer}), "bank"), val_split=0.25,
                                    seed=0))
    view = panel.evaluation
    view.refresh()
    k, share = view.confusion.majority
    assert model.dataset.class_names[k] == "no" and share == pytest.approx(np.mean(answer == "no"), abs=0.03)
    recall = view.confusion.report.recall
    assert view.confusion.balanced_accuracy == pytest.approx(recall.mean())
    title = view.title.text()
    assert f"Always answering 'no' would score {share:.1%}" in title
    assert f"balanced accuracy (mean recall) {recall.mean():.1%}" in title
    use(model, "iris")                           # 50 / 50 / 50: accuracy needs no baseline
    view.refresh()
    assert "Always answering" not in view.title.text() and "accuracy" in view.title.text()


def test_predict_file_reads_a_files_whole_numbers_with_the_training_files_decimal_comma(
        panel, model, tmp_path, monkeypatch):
    source = tmp_path / "prices.csv"                     # "12.345,50": decimal comma, '.' between thousands
    prices = np.linspace(10_000, 90_000, 40)
    source.write_text("Preis;Fläche\n" + "".join(f"{p / 1000:.3f},50;{p / 500:.0f}\n" for p in prices))
    model.set_dataset(build_dataset(read_csv(source), targets=["Fläche"], val_split=0.2))
    whole = tmp_path / "whole.csv"                       # "12.345" alone would read 12.345
    whole.write_text("Preis;Fläche\n10.000;\n90.000;\n")
    out = tmp_path / "out.csv"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(whole), ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    panel.predict.predict_file()
    written = pd.read_csv(out, sep=None, engine="python")
    network, pre = panel.mirror.network, model.dataset.preprocessor
    expected = pre.inverse_outputs(network.predict(pre.transform([[10_000.0], [90_000.0]])))[:, 0]
    np.testing.assert_allclose(written["predicted_Fläche"].to_numpy(float), expected, rtol=1e-5)


def test_class_bars_show_whole_after_a_regression_data_set(qtbot, panel, model):
    panel.tabs.setCurrentWidget(panel.predict)
    use(model, "sine")                                   # a number to predict: no bars
    assert not panel.predict.bars_scroll.isVisible()
    use(model, "iris")
    qtbot.waitUntil(lambda: panel.predict.bars_scroll.isVisible())
    bars = panel.predict.bar_widgets
    assert len(bars) == 3
    # every bar is on screen inside its scroll area, not squeezed into a 2-pixel strip
    assert panel.predict.bars_scroll.height() >= sum(bar.sizeHint().height() for bar in bars)
    assert all(bar.visibleRegion().boundingRect().height() >= bar.sizeHint().height() - 1 for bar in bars)


def test_a_date_input_is_typed_as_a_date_and_held_at_the_middle_one(qtbot, panel, model):
    # Predict and the boundary map offer the first, middle and last date seen; any other may be typed
    days = pd.date_range("2011-01-01", periods=120, freq="D")
    frame = pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "temp": np.linspace(0, 10, 120),
                          "busy": np.where(days.day_of_week >= 5, "yes", "no")})
    model.set_dataset(build_dataset(read_csv_text(frame.to_csv(index=False)), targets=["busy"], seed=0))
    model.edit_architecture(replace(model.architecture, hidden=(4,), hidden_activations=("tanh",)))
    combos = [w for w in panel.boundary._held_widgets if w.__class__.__name__ == "QComboBox"]
    assert len(combos) == 1 and combos[0].isEditable()
    panel.boundary.refresh()
    assert np.isfinite(panel.boundary.values).all()
    panel.tabs.setCurrentIndex(PREDICT)
    predict = panel.predict
    field = predict.fields["day"]
    seen = [field.itemText(i) for i in range(field.count())]
    assert field.isEditable() and len(seen) == 3 and seen == sorted(seen) and field.currentText() == seen[1]
    assert field.toolTip().startswith("a date written as in the data (such as 2011-")
    assert field.toolTip().endswith("the network reads its year, month, day, weekday")     # one year: no hour
    qtbot.waitUntil(lambda: predict.last_prediction is not None, timeout=WAIT_MS)
    before = predict.probabilities()
    field.setEditText("2031-06-15")                       # a Sunday, far in the future
    qtbot.waitUntil(lambda: predict.probabilities() != before, timeout=WAIT_MS)
    assert sum(predict.probabilities()) == pytest.approx(1.0, abs=0.01)


def test_a_time_of_day_input_is_typed_as_a_time_and_read_as_its_hour(qtbot, panel, model):
    rng = np.random.default_rng(0)
    seconds = rng.integers(9 * 3600, 23 * 3600, 200)
    frame = pd.DataFrame({"order_time": [f"{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}" for t in seconds],
                          "price": 10 + seconds / 3600})
    model.set_dataset(build_dataset(read_csv_text(frame.to_csv(index=False)), targets=["price"], seed=0))
    panel.tabs.setCurrentIndex(PREDICT)
    predict = panel.predict
    field = predict.fields["order_time"]
    assert field.isEditable() and field.toolTip().startswith("a time of day written as in the data (such as ")
    assert field.toolTip().endswith("; the network reads its hour")
    qtbot.waitUntil(lambda: predict.last_prediction is not None, timeout=WAIT_MS)
    before = predict.last_prediction
    field.setEditText("22:45:00")
    qtbot.waitUntil(lambda: predict.last_prediction is not before, timeout=WAIT_MS)
    X = model.dataset.preprocessor.transform(pd.DataFrame({"order_time": ["09:00:00", "22:45:00"]}))
    assert X[1, 0] > X[0, 0]                          # a later hour, a larger input


def test_a_date_written_as_excels_day_number_is_offered_as_a_date_and_read_back(qtbot, panel, model):
    # '41706' in the Predict tab says nothing to a person: the field offers 2014-03-08 and reads it
    days = pd.date_range("2014-01-01", periods=120, freq="D")
    serials = [str((d - pd.Timestamp("1899-12-30")).days) for d in days]
    frame = pd.DataFrame({"date": serials, "temp": np.linspace(0, 10, 120),
                          "busy": np.where(days.day_of_week >= 5, "yes", "no")})
    model.set_dataset(build_dataset(read_csv_text(frame.to_csv(index=False)), targets=["busy"], seed=0))
    panel.tabs.setCurrentIndex(PREDICT)
    field = panel.predict.fields["date"]
    seen = [field.itemText(i) for i in range(field.count())]
    assert len(seen) == 3 and all(pd.Timestamp(t) in set(days) for t in seen), seen
    qtbot.waitUntil(lambda: panel.predict.last_prediction is not None, timeout=WAIT_MS)
    from core.dates import EXCEL_DAYS, read_date
    assert read_date(seen[1], EXCEL_DAYS) == pd.Timestamp(seen[1]).to_pydatetime()
    rows = [{"date": seen[1], "temp": 5.0}, {"date": serials[days.get_loc(pd.Timestamp(seen[1]))], "temp": 5.0}]
    X = model.dataset.preprocessor.transform(pd.DataFrame(rows))
    np.testing.assert_array_equal(X[0], X[1])          # the date written out and its day number: one input


def test_long_input_names_leave_the_predict_fields_whole_in_a_narrow_pane(qtbot, panel, model):
    # star98 at 1280×720: PERMINTE_AVYRSEXP and its like pushed every value field past the pane's right edge
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({name: rng.normal(100, 30, 80) for name in
                          ("MATHTOT", "PERMINTE_AVYRSEXP", "PERSPENK_PTRATIO_PCTAF_LOWINC_MATHTOT")})
    frame["score"] = rng.normal(size=80)
    model.set_dataset(build_dataset(from_frame(frame, "star"), val_split=0.2, seed=0))
    panel.tabs.setCurrentIndex(PREDICT)
    predict = panel.predict
    panel.resize(270, 700)
    qtbot.waitUntil(lambda: predict.form_scroll.width() < 280, timeout=WAIT_MS)
    viewport = predict.form_scroll.viewport()
    for name, field in predict.fields.items():
        right = field.mapTo(viewport, field.rect().topRight()).x()
        assert 0 < right <= viewport.width(), (name, right, viewport.width())
        assert field.width() >= field.fontMetrics().horizontalAdvance("100.00"), name
    assert predict.form_scroll.horizontalScrollBar().maximum() == 0
    labels = {predict.form.labelForField(field).text(): predict.form.labelForField(field).toolTip()
              for field in predict.fields.values()}
    assert labels["MATHTOT"] == ""                                   # short names as written, no tooltip
    shortened_name = next(text for text in labels if text.endswith("…"))
    assert labels[shortened_name] == "PERSPENK_PTRATIO_PCTAF_LOWINC_MATHTOT"


def _smarket():
    # ISLP's Smarket: 'Direction' is the sign of 'Today', and 0.99 accuracy said nothing of it beside the score
    rng = np.random.default_rng(5)
    today, lag = rng.normal(size=300), rng.normal(size=300)
    return pd.DataFrame({"Lag1": lag, "Today": today, "Direction": np.where(today > 0, "Up", "Down")})


def _bikeshare():
    # ISLP's Bikeshare: 'bikers' is 'casual' + 'registered'; without one of them the other tells nothing
    rng = np.random.default_rng(6)
    casual, registered = rng.integers(0, 300, 300), rng.integers(0, 900, 300)
    return pd.DataFrame({"temp": rng.normal(15, 8, 300).round(2), "casual": casual, "registered": registered,
                         "bikers": casual + registered})


@pytest.mark.parametrize("make, said, left_out", [
    (_smarket, "Input 'Today' may tell the network the answer", "Today"),
    (_bikeshare, "Inputs 'casual' + 'registered' may tell the network the answer", "registered"),
])
def test_the_evaluation_names_inputs_that_may_tell_the_network_the_answer_while_they_are_inputs(
        qtbot, panel, model, make, said, left_out):
    frame = make()
    model.set_dataset(build_dataset(from_frame(frame, "data"), val_split=0.2, seed=0))
    view = panel.evaluation
    view.refresh()
    assert said in view.title.text()
    model.set_dataset(build_dataset(from_frame(frame, "data"), val_split=0.2, seed=0, ignore=[left_out]))
    view.refresh()
    assert "may tell the network the answer" not in view.title.text()
