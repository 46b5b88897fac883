"""InspectorView: its numbers are the engine's, and "Apply this step" is the engine's SGD step."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from core.examples import load_example
from core.optimizers import SGD
from gui import inspector_view
from gui.controller import PAUSED, TrainingController
from gui.inspector_view import BUSY_TIP, MAX_SHOWN, InspectorView
from gui.model import StudioModel

WAIT_MS = 20_000
DISPLAY_RTOL = 6e-4          # 4 significant digits


def make_model(example="iris", hidden=(5, 3), acts=("tanh", "sigmoid"), dtype="float64", **settings):
    model = StudioModel()
    model.update_settings(dtype=dtype, lr=0.1, **settings)
    model.set_dataset(load_example(example), example_name=example)
    model.edit_architecture(replace(model.architecture, hidden=hidden, hidden_activations=acts))
    return model


@pytest.fixture
def setup(qtbot):
    model = make_model()
    controller = TrainingController(model)
    view = InspectorView(model, controller)
    qtbot.addWidget(view)
    yield model, controller, view
    controller.shutdown()


def sample(model, index):
    ds = model.dataset
    return ds.X_train[index:index + 1], ds.Y_train[index:index + 1]


def shown(table, matrix):
    """The corner of `matrix` a collapsed table shows."""
    matrix = np.asarray(matrix).reshape(table.full_shape)
    return matrix[np.ix_(table.row_indices, table.col_indices)]


def test_numbers_are_the_engines_gradients(setup):
    model, _, view = setup
    view.set_sample(7)
    X, T = sample(model, 7)
    engine = model.network.copy()
    error, grad_w, grad_b = engine.gradients(X, T)
    deltas = engine.last_deltas()
    trace = engine.trace(X)

    ex = view.explanation
    assert ex.error == error and ex.lr == model.settings.lr
    np.testing.assert_array_equal(ex.x, X[0])
    for i, layer in enumerate(ex.layers):
        np.testing.assert_array_equal(layer.grad_weights, grad_w[i])
        np.testing.assert_array_equal(layer.grad_bias, grad_b[i])
        np.testing.assert_array_equal(layer.delta, deltas[i][0])
        np.testing.assert_array_equal(layer.update_weights, -model.settings.lr * grad_w[i])

    def check(key, expected):
        table = view.tables[key]
        np.testing.assert_allclose(table.displayed(), shown(table, expected), rtol=DISPLAY_RTOL, atol=1e-300)

    check(("input", 0), X[0])
    for i in range(len(ex.layers)):
        # the w_ij and θ_j a learner needs to redo a_j = Σ_i w_ij O_i + θ_j by hand
        check(("weights", i), np.vstack([model.network.weights[i], model.network.biases[i]]))
        check(("forward", i), np.vstack([trace[i][0][0], trace[i][1][0]]))
        check(("delta", i), deltas[i][0])
        check(("grad", i), np.vstack([grad_w[i], grad_b[i]]))
        check(("update", i), -model.settings.lr * np.vstack([grad_w[i], grad_b[i]]))
    check(("error", 0), np.vstack([T[0], trace[-1][1][0]]))
    assert view.formulas["error", 0].property("plain") == f"E = −Σ_k t_k ln O_k = {error:.4g}"


def test_formulas_name_the_article_symbols_and_the_delta_rule_used(qtbot):
    model = make_model("xor", hidden=(3,), acts=("tanh",))
    model.set_loss("mse")                      # sigmoid output + ½Σ(t − O)²: the article's own pair
    controller = TrainingController(model)
    view = InspectorView(model, controller)
    qtbot.addWidget(view)
    plain = {key: label.property("plain") for key, label in view.formulas.items()}
    assert plain["forward", 0].startswith("a_j = Σ_i w_ij O_i + θ_j,     O_j = f(a_j)  with  f(a) = tanh(a)")
    assert plain["error", 0].startswith("E = ½ Σ_k (t_k − O_k)² = ")
    assert plain["delta", 1] == "δ_k = ∂E/∂a_k = (O_k − t_k) O_k (1 − O_k)"
    assert plain["delta", 0] == "δ_j = f'(a_j) Σ_k δ_k w_jk   with  f'(a) = 1 − O²"
    assert plain["grad", 0].startswith("∂E/∂w_ij = O_i δ_j")
    assert plain["grad", 1].startswith("∂E/∂w_jk = O_j δ_k")          # into the output neurons k
    assert plain["forward", 1].startswith("a_k = Σ_j w_jk O_j + θ_k,     O_k = f(a_k)")
    assert plain["update", 0].startswith("Δw_ij = −η ∂E/∂w_ij") and "η = 0.1" in plain["update", 0]
    assert "a<sub>j</sub>" in view.formulas["forward", 0].text()
    # the engine really took that branch
    layer = view.explanation.layers[-1]
    o, t = layer.output, view.explanation.target
    np.testing.assert_allclose(layer.delta, (o - t) * o * (1 - o), rtol=1e-12)

    model.set_loss("binary-cross-entropy")
    assert view.formulas["delta", 1].property("plain") == "δ_k = ∂E/∂a_k = O_k − t_k"
    controller.shutdown()


def test_sample_choice_and_labels(setup):
    model, _, view = setup
    n = model.dataset.n_train
    view.spin.setValue(n)
    assert view.sample == n - 1
    view.next_button.click()
    assert view.sample == 0 and view.spin.value() == 1
    np.testing.assert_array_equal(view.explanation.x, model.dataset.X_train[0])
    target = model.dataset.class_names[int(np.argmax(model.dataset.Y_train[0]))]
    assert f"target <b>{target}</b>" in view.sample_label.text()
    assert "sepal_length = " in view.sample_label.text()
    table = view.tables["forward", 0]
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == [f"h1.{k}" for k in range(1, 6)]
    assert [view.tables["error", 0].horizontalHeaderItem(c).text() for c in range(3)] == model.dataset.class_names


def test_learning_rate_change_updates_the_step(setup):
    model, _, view = setup
    model.update_settings(lr=0.5)
    ex = view.explanation
    assert ex.lr == 0.5
    np.testing.assert_array_equal(ex.layers[0].update_weights, -0.5 * ex.layers[0].grad_weights)
    assert "η = 0.5" in view.formulas["update", 0].property("plain")


def test_big_layers_collapse_but_keep_theta(qtbot):
    model = make_model("iris", hidden=(20, 15), acts=("relu", "tanh"))
    controller = TrainingController(model)
    view = InspectorView(model, controller)
    qtbot.addWidget(view)
    grad = view.tables["grad", 1]                 # 20 + θ rows × 15 columns
    assert grad.full_shape == (21, 15) and grad.collapsed
    assert grad.rowCount() == MAX_SHOWN + 1 and grad.columnCount() == MAX_SHOWN
    assert grad.row_indices[-1] == 20 and grad.verticalHeaderItem(MAX_SHOWN).text() == "θ"
    layer = view.explanation.layers[1]
    np.testing.assert_allclose(grad.displayed()[-1], layer.grad_bias[:MAX_SHOWN], rtol=DISPLAY_RTOL)
    assert view.tables["grad", 2].row_indices[-1] == 15            # θ of the output layer, under h2.12
    controller.shutdown()


def test_apply_is_exactly_the_engines_sgd_step(setup, qtbot):
    model, _, view = setup
    view.set_sample(3)
    X, T = sample(model, 3)
    engine = model.network.copy()
    engine.forward(X)
    engine.backward(T)
    SGD(model.settings.lr).step(engine)
    before = model.network.get_params()
    shown_step = view.explanation
    assert view.apply_button.isEnabled()
    with qtbot.waitSignal(view.weightsEdited, timeout=1000):
        view.apply_button.click()
    for i, (w, b) in enumerate(zip(model.network.weights, model.network.biases)):
        np.testing.assert_array_equal(w, engine.weights[i])
        np.testing.assert_array_equal(b, engine.biases[i])
        # … which is exactly the update the view showed
        np.testing.assert_array_equal(w, before[0][i] + shown_step.layers[i].update_weights)
        np.testing.assert_array_equal(b, before[1][i] + shown_step.layers[i].update_bias)
    # the page now explains the next step, from the new weights
    assert view.explanation.error == engine.copy().gradients(X, T)[0]
    assert view.explanation.error < shown_step.error
    assert "Step applied" in view.status.text()
    controller = setup[1]
    controller.reset()                         # Reset (R): the seed's weights again
    assert view.status.text() == ""            # its numbers were about weights that are gone


def test_apply_is_refused_while_a_run_is_active(setup, qtbot, monkeypatch):
    model, controller, view = setup
    calls = []
    monkeypatch.setattr(inspector_view, "apply_step", lambda *a: calls.append(a))
    with qtbot.waitSignal(controller.stateChanged, timeout=WAIT_MS):
        controller.step()                              # one epoch, then paused: the thread stays alive
    assert controller.state == PAUSED
    assert not view.apply_button.isEnabled() and view.apply_button.toolTip() == BUSY_TIP
    view.apply()
    assert calls == []
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS):
        controller.stop()
    assert view.apply_button.isEnabled()
    # after the run the page explains the trained weights
    X, T = sample(model, view.sample)
    _, grad_w, _ = model.network.copy().gradients(X, T)
    np.testing.assert_array_equal(view.explanation.layers[0].grad_weights, grad_w[0])


def test_follows_snapshots_while_training_without_touching_the_network(setup, qtbot):
    model, controller, view = setup
    view.show()
    qtbot.waitExposed(view)
    with qtbot.waitSignal(controller.snapshotArrived, timeout=WAIT_MS) as snap:
        controller.step()
    report = snap.args[0]
    qtbot.waitUntil(lambda: np.array_equal(view._net.weights[0], report.weights[0]), timeout=2000)
    X, T = sample(model, view.sample)
    reference = model.network.copy()
    reference.set_params(report.weights, report.biases)
    qtbot.waitUntil(lambda: view.explanation.error == reference.gradients(X, T)[0], timeout=2000)
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS):
        controller.stop()


def test_no_data_shows_a_message(qtbot):
    model = StudioModel()
    controller = TrainingController(model)
    view = InspectorView(model, controller)
    qtbot.addWidget(view)
    assert view.explanation is None and not view.apply_button.isEnabled()
    model.set_dataset(load_example("xor"), example_name="xor")
    assert view.explanation is not None and view.apply_button.isEnabled()


def test_apply_never_uses_a_step_computed_from_other_weights(setup):
    model, _, view = setup
    model.network.weights[0][0, 0] += 0.5          # changed behind the view's back, no signal
    changed = model.network.get_params()
    view.apply()
    for w, expected in zip(model.network.weights, changed[0]):
        np.testing.assert_array_equal(w, expected)
    assert "changed" in view.status.text()
    X, T = sample(model, view.sample)
    assert view.explanation.error == model.network.copy().gradients(X, T)[0]


def test_the_sample_line_shows_names_with_angle_brackets_as_written(qtbot):
    import pandas as pd
    from PySide6.QtGui import QTextDocument

    from core.data import build_dataset, from_frame

    rng = np.random.default_rng(0)
    age = rng.uniform(17, 90, 60)
    frame = pd.DataFrame({"age<30?": age, "job": rng.choice(["R&D", "<none>"], 60),
                          "income": np.where(age > 45, ">50K", "<=50K")})
    model = StudioModel()
    model.set_dataset(build_dataset(from_frame(frame, "adult"), val_split=0, seed=0))
    controller = TrainingController(model)
    view = InspectorView(model, controller)
    qtbot.addWidget(view)
    view.refresh()
    document = QTextDocument()
    document.setHtml(view.sample_label.text())
    line = document.toPlainText()
    target = model.dataset.class_names[int(model.dataset.Y_train[0, 0])]   # two classes: one 0/1 output
    assert "age<30? = " in line and ("job = R&D" in line or "job = <none>" in line), line
    assert f"→ target {target}" in line, line
    controller.shutdown()


def test_a_target_of_many_classes_is_written_short(qtbot):
    # 40 classes: the one-hot t was forty numbers, lines of zeros above the first table
    import pandas as pd
    from PySide6.QtGui import QTextDocument

    from core.data import build_dataset, from_frame

    rng = np.random.default_rng(0)
    codes = np.repeat(np.arange(40), 3)
    frame = pd.DataFrame({"x": codes + rng.normal(size=codes.size), "kind": [f"k{c:02d}" for c in codes]})
    model = StudioModel()
    model.set_dataset(build_dataset(from_frame(frame, "kinds"), val_split=0, seed=0))
    controller = TrainingController(model)
    view = InspectorView(model, controller)
    qtbot.addWidget(view)
    view.set_sample(4)
    document = QTextDocument()
    document.setHtml(view.sample_label.text())
    line = document.toPlainText()
    hot = int(np.argmax(model.dataset.Y_train[4]))
    assert f"→ target {model.dataset.class_names[hot]}" in line, line
    assert f", … (40 values; 1 at output {hot + 1})" in line, line
    assert line.count(", 0") + line.count("[0") <= MAX_SHOWN, line
    controller.shutdown()


def texts(view):
    from PySide6.QtWidgets import QLabel
    from PySide6.QtGui import QTextDocument
    shown = []
    for label in view.scroll.widget().findChildren(QLabel):
        if label.isVisibleTo(view):
            document = QTextDocument()
            document.setHtml(label.text())            # what the label shows: w_jk, not w<sub>jk</sub>
            shown.append(document.toPlainText())
    return shown


def test_the_page_says_how_training_updates_differ_from_its_one_sample_step(qtbot):
    model = make_model(batch_size=1)
    controller = TrainingController(model)
    view = InspectorView(model, controller)
    qtbot.addWidget(view)
    assert view.training_rule() == "" and not any("Step and Train" in t for t in texts(view))
    model.update_settings(batch_size=10)
    n = model.dataset.X_train.shape[0]
    assert view.training_rule().startswith("Step and Train update once per mini-batch of 10 samples, with the "
                                           "mean of their ∂E/∂w")
    assert any("once per mini-batch of 10" in t for t in texts(view))
    model.update_settings(batch_size=0, optimizer="adam", l2=0.01)
    rule = view.training_rule()
    assert f"once per epoch of {n} samples" in rule and "Adam" in rule and "λ = 0.01" in rule
    assert rule.endswith("Apply this step makes exactly the update shown here.")
    controller.shutdown()


def test_index_letters_of_two_hidden_layers_are_explained_and_regression_targets_called_scaled(qtbot):
    model = make_model("product", hidden=(4, 3), acts=("tanh", "tanh"))
    controller = TrainingController(model)
    view = InspectorView(model, controller)
    qtbot.addWidget(view)
    shown_texts = " ".join(texts(view))
    # layer 1's δ_j sums over hidden 2's neurons, whose own table calls them δⱼ
    assert "Here k runs over the neurons of hidden 2: their δ is the table just above, and wjk are layer " \
           "2's weights." in shown_texts                  # (w_jk as the label shows it, with a subscript)
    assert "t and O are in the scaled units the network learns in" in shown_texts
    assert "the weight from a node that always outputs 1" in shown_texts
    controller.shutdown()


def test_the_sample_line_names_the_samples_row_in_the_data_table(setup):
    model, _, view = setup
    view.set_sample(4)
    row = int(model.dataset.train_rows[4])
    assert f"<b>Sample 5</b> of the training set (row {row + 1} of the data table)" in view.sample_label.text()
