"""A seeded random session over every surface of the window, as a restless user would click.

Designer edits, undo/redo, training settings, column roles and data options, Train/Step/Stop/Reset, tabs,
the Predict panel, examples, CSV files (good and broken), project Save/Open, model Export and Import,
with each dialog answered by the test. Nothing may escape as an exception (pytest-qt fails the test on
one raised in a slot or a Qt virtual), Qt may log no warning (conftest) and Python no warning either
(a longer run of this kind found numpy warnings from the Health plots and the history).
Afterwards the window must still learn.
"""

from __future__ import annotations

import random
import warnings

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from core.activations import HIDDEN_ACTIVATIONS
from core.examples import EXAMPLES
from gui.project_actions import export_filters
from tests.conftest import ROOT
from tests.gui.studio import open_window

ACTIONS = 200
WAIT_MS = 20_000
FILES = [ROOT / "tests" / "fixtures" / "csv" / name
         for name in ("categorical_inputs.csv", "regression_two_targets.csv", "na_spellings.csv", "ragged.csv",
                      "header_only.csv", "binary.bin")]


@pytest.fixture
def answered_dialogs(monkeypatch):
    """Unsaved changes are discarded, warnings acknowledged; file dialogs answer with `choice[0]`."""
    choice = [("", "")]
    for name in ("question", "warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: choice[0]))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: choice[0]))
    return choice


def user_actions(window, rng: random.Random, folder, dialog):
    model, controller, panel = window.model, window.controller, window.data_panel
    predict = window.output_panel.predict

    def layer():
        return rng.randrange(len(model.architecture.hidden))

    def edit_layer(do):
        if model.architecture.hidden:
            do(layer())

    def role():
        if panel.table is not None:
            panel.set_role(rng.choice(panel.table.columns).name, rng.choice(["input", "target", "ignore"]))
            panel.apply()

    def data_option():
        if panel.table is not None:
            panel.set_options(rng.choice([{"scaling": rng.choice(["standardize", "minmax", "minmax_sym", "none"])},
                                          {"missing": rng.choice(["drop", "fill"])},
                                          {"val_split": rng.choice([0.0, 0.05, 0.2, 0.9])}]))
            panel.apply()

    def predict_value():
        for column, value in list(predict.row().items())[:3]:
            if column in predict.fields:
                predict.set_value(column, rng.choice(["-1e12", "0.5", "3"]) if not isinstance(value, str)
                                  else rng.choice(["", "unseen", value]))

    def save():
        dialog[0] = (str(folder / f"p{rng.randrange(2)}.bpstudio"), "")
        window.project.save_as()

    def open_project():
        saved = sorted(folder.glob("*.bpstudio"))
        if saved:
            dialog[0] = (str(rng.choice(saved)), "")
            window.project.open_project(dialog[0][0])

    def export():
        filters = export_filters()
        chosen = rng.choice(list(filters))
        dialog[0] = (str(folder / f"model{filters[chosen]}"), chosen)
        window.project.export()

    def import_weights():
        exported = [p for p in folder.iterdir() if p.name.startswith("model")]
        if exported:
            dialog[0] = (str(rng.choice(exported)), "")
            window.project.import_weights()

    def settings():
        model.update_settings(**rng.choice([
            {"lr": rng.choice([1e-5, 0.03, 1.0, 50.0])}, {"batch_size": rng.choice([0, 1, 10])},
            {"optimizer": rng.choice(["sgd", "momentum", "adam"])}, {"epochs": rng.choice([1, 5, 200])},
            {"dtype": rng.choice(["float32", "float64"])}, {"init": rng.choice(["xavier", "he", "uniform"])},
            {"l2": rng.choice([0.0, 5.0])}, {"patience": rng.choice([0, 3])}, {"seed": rng.randrange(3)}]))

    return {
        "example": lambda: window.project.load_example(rng.choice(list(EXAMPLES))),
        "open csv": lambda: window.open_path(str(rng.choice(FILES))),
        "new": lambda: window.project.new(),
        "add neuron": lambda: edit_layer(model.add_neuron),
        "remove neuron": lambda: edit_layer(model.remove_neuron),
        "insert layer": lambda: model.insert_layer(rng.randrange(len(model.architecture.hidden) + 1),
                                                   rng.choice([1, 3, 40])),
        "remove layer": lambda: edit_layer(model.remove_layer),
        "activation": lambda: edit_layer(lambda i: model.set_layer_activation(i, rng.choice(HIDDEN_ACTIVATIONS))),
        "loss": lambda: model.set_loss(rng.choice(["auto", "mse", "cross-entropy", "binary-cross-entropy"])),
        "hidden text": lambda: model.set_hidden_text(rng.choice(["8, 8", "", "0", "abc", "1,1,1", "-2", "2.5"])),
        "undo": model.undo_stack.undo,
        "redo": model.undo_stack.redo,
        "settings": settings,
        "role": role,
        "data option": data_option,
        "train": window.act_train.trigger,
        "step": window.act_step.trigger,
        "stop": window.act_stop.trigger,
        "reset": window.act_reset.trigger,
        "inspect tab": lambda: window.inspect_tabs.setCurrentIndex(rng.randrange(window.inspect_tabs.count())),
        "output tab": lambda: window.output_panel.tabs.setCurrentIndex(
            rng.randrange(window.output_panel.tabs.count())),
        "predict value": predict_value,
        "neuron output": lambda: window.output_panel.show_neuron(rng.randrange(3), rng.randrange(4)),
        "save project": save,
        "open project": open_project,
        "export": export,
        "import weights": import_weights,
        "resize": lambda: window.resize(rng.choice([900, 1366]), rng.choice([527, 768])),
    }


def test_a_random_session_over_every_surface_raises_nothing_and_the_window_still_learns(
        qtbot, tmp_path, answered_dialogs):
    window = open_window(qtbot)
    rng = random.Random(11)
    actions = user_actions(window, rng, tmp_path, answered_dialogs)
    names = sorted(actions)
    done = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(ACTIONS):
            name = rng.choice(names)
            actions[name]()
            done.append(name)
            qtbot.wait(rng.choice([0, 1, 1, 20]))
        window.act_stop.trigger()
        qtbot.waitUntil(lambda: not window.controller.active and not window.data_panel.loading, timeout=WAIT_MS)
    assert [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in caught] == [], done[-8:]
    # every kind of action was tried, and the session saved, exported and reopened
    assert set(done) == set(names)
    assert list(tmp_path.glob("*.bpstudio")) and list(tmp_path.glob("model*"))

    # still a working studio: an example trains and its error falls
    assert window.project.load_example("xor")
    assert window.model.set_hidden_text("8") and window.model.set_layer_activation(0, "tanh")
    window.model.update_settings(epochs=300, lr=0.05, batch_size=4, optimizer="adam", l2=0.0, patience=0)
    with qtbot.waitSignal(window.controller.finished, timeout=WAIT_MS):
        window.act_train.trigger()
    losses = window.controller.history.train_loss
    assert window.controller.history.last_epoch == 300 and np.isfinite(losses).all()
    assert losses[-1] < 0.5 * losses[0]
    window.project.mark_clean()
