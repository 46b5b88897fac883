"""File menu projects end to end: Save As → open in a new window restores data, network, settings,
weights, optimizer and curves, and Train continues exactly; a moved CSV is located; damaged files change
nothing; every export format round-trips through the menu; mismatched imports name the layer; the dirty
flag drives the title and the close / New / open-CSV prompts."""

from __future__ import annotations

import shutil
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from core.errors import ModelFileError
from core.export import load_model
from core.project import load_project
from gui.app import create_window
from gui.project_actions import export_filters

WAIT_MS = 20_000
Button = QMessageBox.StandardButton


def make_window(qtbot, example="circles"):
    window = create_window(example=example)
    qtbot.addWidget(window)
    return window


def small(window, epochs=300, hidden=(4,), **settings):
    model = window.model
    model.edit_architecture(replace(model.architecture, hidden=hidden,
                                    hidden_activations=("tanh",) * len(hidden)))
    model.update_settings(epochs=epochs, **settings)


def train(qtbot, window):
    with qtbot.waitSignal(window.controller.finished, timeout=WAIT_MS):
        window.act_train.trigger()


def answer_save_dialog(monkeypatch, path, chosen=""):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), chosen)))


def answer_open_dialog(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))


def answer_question(monkeypatch, button):
    asked = []

    def question(*args, **kwargs):
        asked.append(args[2] if len(args) > 2 else "")
        return button
    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


def params(network):
    return [a.copy() for a in (*network.weights, *network.biases)]


def same_params(a, b):
    return len(a) == len(b) and all(x.dtype == y.dtype and np.array_equal(x, y) for x, y in zip(a, b))


@pytest.fixture
def trained(qtbot):
    """A circles window trained for 300 epochs with momentum (so there is optimizer state to keep)."""
    window = make_window(qtbot)
    small(window, epochs=300, optimizer="momentum", momentum=0.8, seed=3, batch_size=16)
    train(qtbot, window)
    assert window.controller.history.last_epoch == 300
    return window


def test_save_as_then_open_in_a_new_window_restores_everything_and_training_continues(
        qtbot, trained, tmp_path, monkeypatch):
    first = trained
    assert first.project.dirty and first.windowTitle() == "Circles* — Backprop Studio"
    path = tmp_path / "circles run"                       # the suffix is added
    answer_save_dialog(monkeypatch, path)
    first.project.act_save_as.trigger()
    path = tmp_path / "circles run.bpstudio"
    assert path.is_file() and not first.project.dirty
    assert first.windowTitle() == "circles run.bpstudio — Backprop Studio"

    second = make_window(qtbot, example="spiral")
    answer_open_dialog(monkeypatch, path)
    second.project.act_open.trigger()
    a, b = first.model, second.model
    assert b.example_name == "circles" and b.architecture == a.architecture
    assert b.settings == a.settings and b.data_options == a.data_options
    assert same_params(params(b.network), params(a.network))
    np.testing.assert_array_equal(b.dataset.X_train, a.dataset.X_train)
    ha, hb = first.controller.history, second.controller.history
    assert len(hb) == 300 and hb.last_epoch == 300
    for name in ("epochs", "train_loss", "val_loss", "lr"):
        np.testing.assert_array_equal(getattr(hb, name), getattr(ha, name))
    assert hb.metric_names == ha.metric_names
    # The restored curves are drawn at once (the first window's redraws are rate-limited).
    for which, values in (("train", ha.train_loss), ("val", ha.val_loss),
                          ("train_accuracy", ha.metric("train_accuracy")),
                          ("val_accuracy", ha.metric("val_accuracy"))):
        x, y = second.curves.curve_data(which)
        np.testing.assert_array_equal(x, np.arange(1, 301))
        np.testing.assert_array_equal(y, values)
    opt_a, opt_b = first.controller.optimizer, second.controller.optimizer
    assert opt_b is not None and opt_b.name == "momentum" and opt_b.steps == opt_a.steps
    assert all(np.array_equal(x, y) for x, y in zip(opt_b.velocity, opt_a.velocity))
    assert second.windowTitle() == "circles run.bpstudio — Backprop Studio"
    assert not second.project.dirty
    assert second.status_labels["epoch"].text() == "epoch 300 / 300"
    assert "epoch 301" in second.message_bar.text()

    # Both continue 20 epochs: numbering goes on, and the restored optimizer makes them identical.
    for window in (first, second):
        window.model.update_settings(epochs=320)
        train(qtbot, window)
        assert window.controller.history.last_epoch == 320
    np.testing.assert_array_equal(second.controller.history.epochs, np.arange(1, 321))
    assert same_params(params(second.model.network), params(first.model.network))
    np.testing.assert_array_equal(second.controller.history.train_loss, first.controller.history.train_loss)
    assert second.project.dirty


def xor_csv(path, rows=60, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(rows, 2))
    label = np.where(x[:, 0] * x[:, 1] > 0, "same", "differ")
    lines = ["a,b,label"] + [f"{p:.4f},{q:.4f},{c}" for (p, q), c in zip(x, label)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def csv_project(qtbot, window, tmp_path, monkeypatch):
    """A window on a CSV with a hand-picked scaling and split, trained a little and saved."""
    data = xor_csv(tmp_path / "data" / "xor.csv")
    with qtbot.waitSignal(window.model.dataChanged, timeout=WAIT_MS):
        window.open_path(str(data))
    panel = window.data_panel
    panel.set_options({"scaling": "minmax", "val_split": 0.25, "seed": 5})
    assert panel.apply()
    small(window, epochs=40)
    train(qtbot, window)
    project = tmp_path / "projects" / "xor.bpstudio"
    project.parent.mkdir()
    answer_save_dialog(monkeypatch, project)
    assert window.project.save()
    return data, project


def test_a_moved_csv_is_located_and_the_project_loads(qtbot, tmp_path, monkeypatch):
    first = make_window(qtbot)
    data, project = csv_project(qtbot, first, tmp_path, monkeypatch)
    moved = tmp_path / "elsewhere" / "renamed.csv"
    moved.parent.mkdir()
    shutil.move(data, moved)

    second = make_window(qtbot, example="spiral")
    warnings = []

    def warning(parent, title, text, *args, **kwargs):
        warnings.append(text)
        return Button.Cancel
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(warning))
    assert not second.project.open_project(str(project))        # Cancel: nothing changes
    assert "missing" in warnings[0] and second.model.example_name == "spiral"

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: Button.Open))
    answer_open_dialog(monkeypatch, moved)
    assert second.project.open_project(str(project))
    model = second.model
    assert model.example_name is None and model.data_options == first.model.data_options
    assert model.data_options["scaling"] == "minmax" and model.data_options["val_split"] == 0.25
    assert second.data_panel.path == str(moved) and second.data_panel.scaling.currentData() == "minmax"
    assert second.data_panel.roles()["target"] == ["label"]
    assert same_params(params(model.network), params(first.model.network))
    assert second.controller.history.last_epoch == 40
    assert second.project.dirty                                  # the new location is worth saving
    assert "new place" in second.message_bar.text()
    assert second.windowTitle() == "xor.bpstudio* — Backprop Studio"


def test_cancelling_the_search_for_a_moved_csv_says_the_project_on_show_is_unchanged(qtbot, tmp_path, monkeypatch):
    # the message bar went on with its old message, unrelated to the project not opened
    first = make_window(qtbot)
    data, project = csv_project(qtbot, first, tmp_path, monkeypatch)
    data.unlink()
    second = make_window(qtbot, example="spiral")
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: Button.Cancel))
    assert not second.project.open_project(str(project))
    assert second.message_bar.text() == f"Opening {project.name} cancelled; the current project is unchanged."
    assert second.model.example_name == "spiral"


def test_a_changed_csv_warns_and_still_loads(qtbot, tmp_path, monkeypatch):
    first = make_window(qtbot)
    data, project = csv_project(qtbot, first, tmp_path, monkeypatch)
    xor_csv(data, seed=1)                                        # same columns, other rows
    second = make_window(qtbot, example="spiral")
    assert second.project.open_project(str(project))
    assert second.message_bar.level == "warning" and "changed" in second.message_bar.text()
    assert same_params(params(second.model.network), params(first.model.network))


def test_damaged_project_files_change_nothing(qtbot, trained, tmp_path, monkeypatch):
    window = trained
    saved = tmp_path / "good.bpstudio"
    answer_save_dialog(monkeypatch, saved)
    assert window.project.save_as()
    window.model.update_settings(lr=0.05)                       # unsaved change: must survive
    before = (params(window.model.network), window.model.architecture, window.model.settings,
              window.controller.history.train_loss.copy(), window.windowTitle(), window.project.path)
    truncated = tmp_path / "truncated.bpstudio"
    truncated.write_bytes(saved.read_bytes()[: saved.stat().st_size // 2])
    garbage = tmp_path / "garbage.bpstudio"
    garbage.write_bytes(b"not a zip at all")
    answer_question(monkeypatch, Button.Discard)
    for bad in (truncated, garbage):
        with pytest.raises(ModelFileError) as expected:
            load_project(bad)
        answer_open_dialog(monkeypatch, bad)
        window.project.act_open.trigger()
        assert window.message_bar.level == "error" and window.message_bar.text() == str(expected.value)
        after = (params(window.model.network), window.model.architecture, window.model.settings,
                 window.controller.history.train_loss, window.windowTitle(), window.project.path)
        assert same_params(after[0], before[0]) and after[1:3] == before[1:3]
        np.testing.assert_array_equal(after[3], before[3])
        assert after[4:] == before[4:] and window.project.dirty


def test_a_failed_save_says_why_and_keeps_the_old_file(qtbot, trained, tmp_path, monkeypatch):
    window = trained
    saved = tmp_path / "p.bpstudio"
    answer_save_dialog(monkeypatch, saved)
    assert window.project.save_as()
    old = saved.read_bytes()
    answer_save_dialog(monkeypatch, tmp_path / "no such folder" / "p.bpstudio")
    assert not window.project.save_as()
    assert window.message_bar.level == "error" and "does not exist" in window.message_bar.text()
    assert window.project.path == str(saved)

    window.model.network.flat_params[0] = np.nan                 # core refuses to save NaN weights
    window.project.mark_dirty()
    window.project.act_save.trigger()
    assert window.message_bar.level == "error" and "NaN" in window.message_bar.text()
    assert saved.read_bytes() == old and window.project.dirty


def test_saving_while_training_stops_first_so_the_snapshot_is_consistent(qtbot, tmp_path, monkeypatch):
    window = make_window(qtbot)
    small(window, epochs=1_000_000)
    window.controller.train()
    qtbot.waitUntil(lambda: window.controller.history.last_epoch >= 5, timeout=WAIT_MS)
    answer_save_dialog(monkeypatch, tmp_path / "live.bpstudio")
    assert window.project.save()
    assert not window.controller.active and window.controller.thread is None
    state = load_project(tmp_path / "live.bpstudio")
    assert len(state.history["epoch"]) == window.controller.history.last_epoch
    assert same_params(state.weights + state.biases, params(window.model.network))
    assert "stopped" in window.message_bar.text()


def test_every_export_format_from_the_menu_reads_back_with_identical_weights(
        qtbot, trained, tmp_path, monkeypatch):
    window = trained
    expected = params(window.model.network)
    for label, suffix in export_filters().items():
        answer_save_dialog(monkeypatch, tmp_path / f"model_{suffix[1:]}", label)   # no suffix typed
        window.project.act_export.trigger()
        assert window.message_bar.level in ("info", "warning"), window.message_bar.text()
        written = tmp_path / (f"model_{suffix[1:]}" + ("" if suffix == ".csv" else suffix))
        assert written.exists(), suffix
        if suffix in (".onnx", ".py"):
            assert written.stat().st_size > 0
            continue
        loaded = load_model(written)
        assert same_params(params(loaded.network), expected), suffix
        assert loaded.preprocessor.class_names == window.model.dataset.preprocessor.class_names


def test_import_weights_fits_or_names_the_first_mismatched_layer(qtbot, trained, tmp_path, monkeypatch):
    window = trained
    exported = tmp_path / "w.npz"
    answer_save_dialog(monkeypatch, exported)
    assert window.project.export()
    model = window.model
    small(window, epochs=300, hidden=(5,))
    fresh = params(model.network)
    answer_open_dialog(monkeypatch, exported)
    window.project.act_import.trigger()
    assert window.message_bar.level == "error" and "Layer 1" in window.message_bar.text()
    assert same_params(params(model.network), fresh)

    model.undo_stack.undo()                                      # back to 4 hidden neurons
    window.project.act_import.trigger()
    assert window.message_bar.level == "info"
    assert same_params(params(model.network), [a for a in params(load_model(exported).network)])
    assert len(window.controller.history) == 0 and window.project.dirty

    window.controller.step()                                     # a paused run: still training
    assert model.training_locked and not window.project.act_import.isEnabled()
    assert not window.project.import_weights()
    window.controller.stop()
    qtbot.waitUntil(lambda: not window.controller.active, timeout=WAIT_MS)


def test_dirty_flag_title_and_close_prompt(qtbot, monkeypatch):
    window = make_window(qtbot)
    window.show()
    project = window.project
    assert not project.dirty and window.windowTitle() == "Circles — Backprop Studio"
    window.model.set_hidden_text("3")
    assert project.dirty and window.windowTitle() == "Circles* — Backprop Studio"
    window.undo_action.trigger()                                 # back to the saved architecture
    assert not project.dirty and window.windowTitle() == "Circles — Backprop Studio"
    window.model.update_settings(patience=9)
    assert project.dirty

    asked = answer_question(monkeypatch, Button.Cancel)
    window.close()
    assert asked and window.isVisible()
    answer_question(monkeypatch, Button.Discard)
    window.close()
    assert not window.isVisible()


def test_quitting_the_app_with_unsaved_edits_and_discard_exits_cleanly(tmp_path):
    # The whole app as `python main.py` runs it, in its own process: edit, close, answer Discard.
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = ("import sys\n"
            "from PySide6.QtCore import QTimer\n"
            "from PySide6.QtWidgets import QApplication, QMessageBox\n"
            "QMessageBox.question = staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard)\n"
            "import gui.app\n"
            "app = QApplication(sys.argv[:1])\n"
            "def edit_and_close():\n"
            "    window = next(w for w in QApplication.topLevelWidgets() if w.inherits('QMainWindow'))\n"
            "    window.model.set_hidden_text('3, 3')\n"
            "    assert window.project.dirty\n"
            "    window.close()\n"
            "QTimer.singleShot(300, edit_and_close)\n"
            "code = gui.app.run(example='circles')\n"
            "print('exited', code)\n"
            "sys.exit(code)\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "BACKPROP_STUDIO_SETTINGS": str(tmp_path / "settings.ini")}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "exited 0" in done.stdout, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr


def test_close_prompt_save_writes_the_project(qtbot, tmp_path, monkeypatch):
    window = make_window(qtbot)
    window.show()
    window.model.update_settings(patience=9)
    answer_question(monkeypatch, Button.Save)
    answer_save_dialog(monkeypatch, tmp_path / "on close.bpstudio")
    window.close()
    assert not window.isVisible()
    assert load_project(tmp_path / "on close.bpstudio").training["patience"] == 9


def test_new_and_opening_a_csv_ask_first_when_there_are_changes(qtbot, tmp_path, monkeypatch):
    window = make_window(qtbot)
    small(window, epochs=5)
    asked = answer_question(monkeypatch, Button.Cancel)
    window.project.act_new.trigger()
    assert window.model.example_name == "circles" and window.model.architecture.hidden == (4,)
    window.open_path(str(xor_csv(tmp_path / "x.csv")))
    assert not window.data_panel.loading and window.model.example_name == "circles"
    assert len(asked) == 2 and "x.csv" in asked[1]

    answer_question(monkeypatch, Button.Discard)
    window.project.act_new.trigger()
    assert window.model.example_name == "spiral" and not window.project.dirty
    assert window.model.undo_stack.count() == 0 and len(window.controller.history) == 0
    assert window.windowTitle() == "Spiral — Backprop Studio"


def test_an_example_starts_a_document_with_nothing_to_undo(qtbot, monkeypatch):
    from core.examples import EXAMPLES

    window = make_window(qtbot)                          # opened on an example: its network is where it starts
    assert window.model.undo_stack.count() == 0 and not window.undo_action.isEnabled()
    window.model.edit_architecture(replace(window.model.architecture, hidden=(3,)), "one layer of 3")
    assert window.undo_action.isEnabled()
    answer_question(monkeypatch, Button.Discard)
    assert window.load_example("xor")
    assert window.model.undo_stack.count() == 0 and not window.undo_action.isEnabled()
    window.model.undo_stack.undo()                       # nothing happens: the old edits are gone
    assert window.model.architecture.hidden == tuple(EXAMPLES["xor"].default_hidden)


def test_the_sheet_chosen_in_the_data_dock_is_trained_saved_and_reopened(qtbot, tmp_path, monkeypatch):
    from tests.core.test_data import _two_data_sheets

    book = _two_data_sheets(tmp_path / "parts.xlsx", n_small=30, n_large=40)
    first = make_window(qtbot)
    with qtbot.waitSignal(first.model.dataChanged, timeout=WAIT_MS):
        first.open_path(str(book))
    panel, model = first.data_panel, first.model
    combo = panel.sheet_combo
    assert not panel._sheet_row.isHidden()
    assert [combo.itemText(i) for i in range(combo.count())] == ["Cover", "2023", "2024"]
    assert combo.currentText() == "2024" and model.table.n_rows == 40      # the largest sheet first
    with qtbot.waitSignal(model.dataChanged, timeout=WAIT_MS):
        combo.setCurrentIndex(1)
        combo.activated.emit(1)                                           # what picking it from the list does
    assert (panel.table.sheet, model.table.n_rows, panel.roles()["target"]) == ("2023", 30, ["verdict_2023"])
    assert "sheet '2023', as chosen" in panel.file_label.text()
    second = trained_saved_and_reopened(qtbot, first, tmp_path / "parts.bpstudio", monkeypatch)
    assert second.model.table.sheet == "2023" and second.model.table.n_rows == 30
    assert second.data_panel.sheet_combo.currentText() == "2023"


def trained_saved_and_reopened(qtbot, first, project, monkeypatch):
    """`first` trained a little and saved as `project`, which a second window opens: that window, with the
    same weights."""
    small(first, epochs=5)
    train(qtbot, first)
    answer_save_dialog(monkeypatch, project)
    assert first.project.save()
    second = make_window(qtbot, example="spiral")
    assert second.project.open_project(str(project))
    assert same_params(params(second.model.network), params(first.model.network))
    return second


def test_numbers_read_as_categories_are_saved_with_the_project_and_reopened_so(qtbot, tmp_path, monkeypatch):
    from tests.gui.test_data_panel import oj_csv

    first = make_window(qtbot)
    with qtbot.waitSignal(first.model.dataChanged, timeout=WAIT_MS):
        first.open_path(oj_csv(tmp_path / "oj.csv"))
    first.data_panel.set_categorical(["StoreID"])
    assert first.data_panel.apply()
    second = trained_saved_and_reopened(qtbot, first, tmp_path / "oj.bpstudio", monkeypatch)
    assert second.model.dataset.feature_names[:7] == [f"StoreID={k}" for k in range(1, 8)]
    assert second.data_panel.columns.item(0, 1).text() == "categorical"
    assert second.data_panel.options()["categorical"] == ["StoreID"]


def open_workbook(qtbot, tmp_path):
    """(window, its data panel, its model, the workbook path): a window that has opened a two-year workbook."""
    from tests.core.test_data import _two_data_sheets

    book = _two_data_sheets(tmp_path / "parts.xlsx", n_small=30, n_large=40)
    window = make_window(qtbot)
    with qtbot.waitSignal(window.model.dataChanged, timeout=WAIT_MS):
        window.open_path(str(book))
    return window, window.data_panel, window.model, book


def test_a_sheet_that_cannot_be_read_leaves_the_sheet_box_on_the_sheet_in_use(qtbot, tmp_path):
    window, panel, model, _ = open_workbook(qtbot, tmp_path)
    with qtbot.waitSignal(panel.loadingChanged, timeout=WAIT_MS, check_params_cb=lambda on: not on):
        panel.sheet_combo.setCurrentIndex(0)
        panel.sheet_combo.activated.emit(0)                               # "Cover": a title, no table
    assert "sheet 'Cover'" in window.message_bar.text()
    assert panel.sheet_combo.currentText() == "2024" == model.table.sheet   # it said "Cover" over 2024's data


def test_the_title_names_the_data_in_use_not_a_file_that_could_not_be_used(qtbot, tmp_path):
    window = make_window(qtbot)
    with qtbot.waitSignal(window.model.dataChanged, timeout=WAIT_MS):
        window.open_path(str(xor_csv(tmp_path / "xor.csv")))
    one_class = tmp_path / "one_class.csv"
    one_class.write_text("a,label\n" + "".join(f"{i},same\n" for i in range(30)))
    with qtbot.waitSignal(window.data_panel.loadingChanged, timeout=WAIT_MS, check_params_cb=lambda on: not on):
        window.open_path(str(one_class))                                  # read, shown, but no data set
    assert window.model.dataset.source == "xor.csv" and window.data_panel.path.endswith("one_class.csv")
    window.project.mark_clean()
    window.model.update_settings(epochs=77)                               # an edit re-titles the window
    assert window.windowTitle().startswith("xor.csv*")


def test_a_csv_file_shows_no_sheet_choice(qtbot, tmp_path):
    window = make_window(qtbot)
    with qtbot.waitSignal(window.model.dataChanged, timeout=WAIT_MS):
        window.open_path(str(xor_csv(tmp_path / "xor.csv")))
    assert window.data_panel._sheet_row.isHidden()


def test_a_workbook_reopened_from_recent_files_reads_the_sheet_chosen_last(qtbot, tmp_path):
    import pandas as pd

    window, panel, model, book = open_workbook(qtbot, tmp_path)
    with qtbot.waitSignal(model.dataChanged, timeout=WAIT_MS):
        panel.sheet_combo.setCurrentIndex(1)
        panel.sheet_combo.activated.emit(1)
    assert [a.text() for a in window.recent_menu.actions()] == ["parts.xlsx (2023)"]
    window.load_example("xor")
    with qtbot.waitSignal(model.dataChanged, timeout=WAIT_MS):
        window.recent_menu.actions()[0].trigger()
    assert (model.table.sheet, model.table.n_rows, panel.sheet_combo.currentText()) == ("2023", 30, "2023")

    # the workbook changed since: last year's sheet is gone, so it opens as Open would, and says why
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"a": range(5), "b": range(5), "c": list("xyxyx")}).to_excel(writer, sheet_name="2024", index=False)
        pd.DataFrame({"a": range(9), "b": range(9), "c": list("xyxyxyxyx")}).to_excel(writer, sheet_name="2025", index=False)
    window.load_example("xor")
    with qtbot.waitSignal(model.dataChanged, timeout=WAIT_MS):
        window.recent_menu.actions()[0].trigger()
    assert (model.table.sheet, model.table.n_rows) == ("2025", 9)
    assert "the sheet '2023' read last time could not be read (it has no sheet named '2023'" \
           in panel.file_label.toolTip()
    assert "the largest, '2025', is read instead" in panel.file_label.toolTip()
    assert [a.text() for a in window.recent_menu.actions()] == ["parts.xlsx (2025)"]


def test_a_project_of_another_shape_opens_under_the_inspector_it_replaces(qtbot, trained, tmp_path, monkeypatch):
    # the page explained the old network's sample; the project's η arrived before its network (a monkey
    # test's IndexError)
    path = tmp_path / "circles.bpstudio"
    answer_save_dialog(monkeypatch, path)
    trained.project.act_save_as.trigger()
    other = make_window(qtbot)                             # the same data, another network: (8, 8) for (4,)
    other.model.edit_architecture(replace(other.model.architecture, hidden=(8, 8), hidden_activations=("tanh",) * 2))
    other.inspect_tabs.setCurrentWidget(other.inspector)
    other.model.update_settings(lr=0.2)
    assert other.inspector.explanation.lr == 0.2
    answer_open_dialog(monkeypatch, path)
    other.project.act_open.trigger()
    assert other.model.network.layer_sizes == trained.model.network.layer_sizes
    explained = other.inspector.explanation
    assert explained.lr == trained.model.settings.lr
    assert [layer.weights.shape for layer in explained.layers] == [w.shape for w in other.model.network.weights]
