"""Projects: save → open restores everything; damaged, truncated or newer files are refused cleanly;
a save killed half-way leaves the previous file readable."""

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest

from core.errors import ExportError, ModelFileError
from core.network import Network
from core.optimizers import make_optimizer
from core.project import (PROJECT_VERSION, ProjectState, check_data_file, file_hash, load_project,
                          save_project)

ROOT = Path(__file__).resolve().parents[2]


def _trained(optimizer_name="adam", dtype="float32"):
    rng = np.random.default_rng(0)
    net = Network([3, 5, 4, 2], ["tanh", "relu", "softmax"], "cross-entropy", seed=3, dtype=dtype)
    opt = make_optimizer(optimizer_name, 0.01, l2=1e-4)
    X = rng.normal(size=(32, 3)).astype(dtype)
    T = np.eye(2, dtype=dtype)[rng.integers(0, 2, 32)]
    for _ in range(5):
        net.forward(X)
        net.backward(T)
        opt.step(net)
    return net, opt


def _state(tmp_path, optimizer_name="adam", dtype="float32"):
    net, opt = _trained(optimizer_name, dtype)
    data = tmp_path / "data.csv"
    data.write_text("a,b,c,label\n1,2,3,x\n4,5,6,y\n")
    history = {"epoch": np.arange(1, 6, dtype=float), "train_loss": np.linspace(1, 0.5, 5),
               "val_loss": np.array([1.1, 0.9, np.nan, 0.7, 0.6]), "val_accuracy": np.linspace(0.5, 0.9, 5)}
    state = ProjectState.capture(
        net, optimizer=opt, data_path=data,
        data_options={"roles": {"a": "input", "b": "input", "c": "input", "label": "target"},
                      "scaling": "standard", "missing": "drop", "split": 0.2, "seed": 7, "example": None},
        training={"optimizer": optimizer_name, "lr": 0.01, "batch_size": 16, "epochs": 500,
                  "target_error": None, "patience": 20, "seed": np.int64(7)},
        history=history, extra={"tab": "Weights"})
    return net, opt, state


def _same_state(a: ProjectState, b: ProjectState):
    assert a.architecture == b.architecture
    assert a.data_options == b.data_options
    assert {k: (int(v) if isinstance(v, np.integer) else v) for k, v in a.training.items()} == b.training
    assert a.data_path == b.data_path and a.data_hash == b.data_hash
    assert a.extra == b.extra
    for x, y in zip(a.weights + a.biases, b.weights + b.biases):
        assert x.dtype == y.dtype and np.array_equal(x, y)
    assert list(a.history) == list(b.history)
    for k in a.history:
        np.testing.assert_array_equal(a.history[k], b.history[k])
    assert (a.optimizer is None) == (b.optimizer is None)
    if a.optimizer:
        assert set(a.optimizer) == set(b.optimizer)
        for k, v in a.optimizer.items():
            if isinstance(v, list):
                assert all(np.array_equal(x, y) for x, y in zip(v, b.optimizer[k]))
            else:
                assert v == b.optimizer[k]


@pytest.mark.parametrize("optimizer_name, dtype", [("adam", "float32"), ("momentum", "float64"),
                                                   ("sgd", "float32")])
def test_round_trip_restores_network_optimizer_history(tmp_path, optimizer_name, dtype):
    net, opt, state = _state(tmp_path, optimizer_name, dtype)
    path = save_project(tmp_path / "p.bpstudio", state)
    loaded = load_project(path)
    _same_state(state, loaded)
    assert loaded.version == PROJECT_VERSION and loaded.app_version and loaded.saved_at

    # The restored network predicts identically, and training resumes exactly where it stopped.
    net2, opt2 = loaded.build_network(), loaded.build_optimizer()
    X = np.random.default_rng(1).normal(size=(8, 3))
    np.testing.assert_array_equal(net.predict(X), net2.predict(X))
    T = np.eye(2)[[0, 1, 1, 0, 1, 0, 0, 1]]
    for n, o in ((net, opt), (net2, opt2)):
        n.forward(X.astype(dtype))
        n.backward(T.astype(dtype))
        o.step(n)
    for a, b in zip(net.weights, net2.weights):
        np.testing.assert_array_equal(a, b)
    assert check_data_file(loaded) is None


def test_untrained_optimizer_and_no_data(tmp_path):
    net = Network([2, 3, 1], ["sigmoid", "linear"], "mse")
    state = ProjectState.capture(net, optimizer=make_optimizer("momentum", 0.1),
                                 data_options={"example": "xor"})
    loaded = load_project(save_project(tmp_path / "p.bpstudio", state))
    assert loaded.optimizer["velocity"] is None and loaded.data_path is None
    assert loaded.build_optimizer().velocity is None
    assert check_data_file(loaded) is None


def test_file_is_a_zip_of_json_and_npz_without_pickle(tmp_path):
    _, _, state = _state(tmp_path)
    path = save_project(tmp_path / "p.bpstudio", state)
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["arrays.npz", "project.json"]
        doc = json.loads(zf.read("project.json"))
        with np.load(io.BytesIO(zf.read("arrays.npz")), allow_pickle=False) as npz:
            assert all(npz[k].dtype != object for k in npz.files)
    assert doc["format_version"] == PROJECT_VERSION
    assert doc["data"]["sha256"] == file_hash(tmp_path / "data.csv")


def test_data_file_changed_or_missing(tmp_path):
    _, _, state = _state(tmp_path)
    loaded = load_project(save_project(tmp_path / "p.bpstudio", state))
    (tmp_path / "data.csv").write_text("a,b,c,label\n9,9,9,z\n")
    assert "has changed" in check_data_file(loaded)
    (tmp_path / "data.csv").unlink()
    assert "missing" in check_data_file(loaded)


def test_project_moved_with_its_data(tmp_path):
    _, _, state = _state(tmp_path)
    save_project(tmp_path / "p.bpstudio", state)
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    os.replace(tmp_path / "p.bpstudio", moved / "p.bpstudio")
    os.replace(tmp_path / "data.csv", moved / "data.csv")
    loaded = load_project(moved / "p.bpstudio")
    assert Path(loaded.data_path) == (moved / "data.csv").resolve()
    assert check_data_file(loaded) is None


# ---- refusals ------------------------------------------------------------------------------------

def _rewrite(path, json_edit=None, arrays_edit=None):
    with zipfile.ZipFile(path) as zf:
        doc = json.loads(zf.read("project.json"))
        with np.load(io.BytesIO(zf.read("arrays.npz")), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    if json_edit:
        json_edit(doc)
    if arrays_edit:
        arrays_edit(arrays)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.json", json.dumps(doc))
        zf.writestr("arrays.npz", buf.getvalue())


def _refused(path, *words):
    with pytest.raises(ModelFileError) as info:
        load_project(path)
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    for word in words:
        assert word in message, message
    return message


@pytest.fixture
def saved(tmp_path):
    _, _, state = _state(tmp_path)
    return save_project(tmp_path / "p.bpstudio", state)


def test_refuses_newer_major_version(saved):
    _rewrite(saved, lambda d: d.update(format_version="2.0"))
    _refused(saved, "newer Backprop Studio")


def test_accepts_newer_minor_version(saved):
    _rewrite(saved, lambda d: d.update(format_version="1.7", something_new={"x": 1}))
    assert load_project(saved).version == "1.7"


def test_refuses_truncated(saved):
    data = saved.read_bytes()
    for cut in (10, len(data) // 2, len(data) - 30):
        saved.write_bytes(data[:cut])
        _refused(saved, "p.bpstudio")


def test_a_project_cut_short_is_called_damaged_not_someone_elses(saved):
    # with its last 30 bytes gone the zip's table of contents is lost, and zipfile reads the stored
    # arrays.npz's table instead: the message said "not a Backprop Studio project (no project.json inside)"
    data = saved.read_bytes()
    for cut in (len(data) - 30, len(data) // 2):
        saved.write_bytes(data[:cut])
        message = _refused(saved, "damaged or incomplete project")
        assert "not a Backprop Studio project" not in message
    with zipfile.ZipFile(io.BytesIO(data)) as whole, zipfile.ZipFile(saved, "w") as part:
        part.writestr("project.json", whole.read("project.json"))        # the weights never written
    message = _refused(saved, "incomplete project", "arrays.npz")
    assert "not a Backprop Studio project" not in message


def test_refuses_corrupted_bytes(saved):
    data = bytearray(saved.read_bytes())
    with zipfile.ZipFile(saved) as zf:
        info = zf.getinfo("arrays.npz")
    offset = info.header_offset + 30 + len(info.filename) + 200     # inside the stored array data
    data[offset] ^= 0xFF
    saved.write_bytes(bytes(data))
    _refused(saved, "damaged")


def test_refuses_not_a_zip(tmp_path):
    path = tmp_path / "p.bpstudio"
    path.write_text("just some text")
    _refused(path, "not a project file")
    _refused(tmp_path / "absent.bpstudio", "does not exist")


def test_refuses_other_zip(tmp_path):
    path = tmp_path / "p.bpstudio"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hi")
    _refused(path, "not a Backprop Studio project")


@pytest.mark.parametrize("key", ["architecture", "data", "layers", "history"])
def test_refuses_missing_keys(saved, key):
    _rewrite(saved, lambda d: d.pop(key))
    _refused(saved, key)


def test_refuses_missing_array(saved):
    _rewrite(saved, arrays_edit=lambda a: a.pop("W1"))
    _refused(saved, "layer 2")


def test_refuses_wrong_shape(saved):
    _rewrite(saved, arrays_edit=lambda a: a.update(W1=np.zeros((5, 3), np.float32)))
    _refused(saved, "layer 2", "(5, 3)")


def test_refuses_nan_weights(saved):
    def poison(a):
        a["b2"] = a["b2"].copy()
        a["b2"][0] = np.nan
    _rewrite(saved, arrays_edit=poison)
    _refused(saved, "layer 3", "NaN")


def test_refuses_optimizer_state_that_does_not_fit(saved):
    _rewrite(saved, arrays_edit=lambda a: a.update({"optimizer.m.0": np.zeros(3)}))
    _refused(saved, "optimizer")


def test_refuses_bad_architecture(saved):
    _rewrite(saved, lambda d: d["architecture"].update(activations=["tanh", "relu", "nonsense"]))
    _refused(saved, "cannot build")


def test_refuses_pickled_arrays(saved):
    _rewrite(saved, arrays_edit=lambda a: a.update(W0=np.array([object()], dtype=object)))
    _refused(saved, "damaged")


def test_save_refuses_nan_weights_and_keeps_old_file(saved, tmp_path):
    before = saved.read_bytes()
    net, opt = _trained()
    net.set_params([w * np.nan for w in net.weights], net.biases)
    with pytest.raises(ExportError, match="NaN"):
        save_project(saved, ProjectState.capture(net, optimizer=opt))
    assert saved.read_bytes() == before


def test_unwritable_destination(tmp_path, monkeypatch):
    _, _, state = _state(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="not a folder"):
        save_project(blocker / "p.bpstudio", state)

    path = save_project(tmp_path / "p.bpstudio", state)
    before = path.read_bytes()
    import core.atomic

    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(core.atomic.os, "replace", full)
    with pytest.raises(ExportError, match="Not enough disk space"):
        save_project(path, state)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv", "file", "p.bpstudio"]


# ---- a save killed half-way ----------------------------------------------------------------------

_SAVER = textwrap.dedent("""
    import sys, threading
    import numpy as np
    import core.atomic
    from core.network import Network
    from core.project import ProjectState, save_project

    path, mode = sys.argv[1], sys.argv[2]
    net = Network([400, 600, 300, 4], ["tanh", "tanh", "softmax"], "cross-entropy", dtype="float64")
    state = ProjectState.capture(net, history={"train_loss": np.zeros(1000)}, extra={"generation": 0})
    save_project(path, state)
    print("saved", flush=True)
    if mode == "hook":
        def park(tmp):
            print("replacing", flush=True)
            threading.Event().wait(60)          # parked mid-save until the parent kills the process
        core.atomic._before_replace = park
    generation = 0
    while True:
        generation += 1
        net.initialize(generation)
        state = ProjectState.capture(net, history={"train_loss": np.full(1000, generation)},
                                     extra={"generation": generation})
        save_project(path, state)
        print("saved", generation, flush=True)
""")


def _spawn_saver(path, mode):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", _SAVER, str(path), mode], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_kill_between_temp_file_and_replace_keeps_previous_project(tmp_path):
    path = tmp_path / "big.bpstudio"
    proc = _spawn_saver(path, "hook")
    try:
        assert proc.stdout.readline().strip() == "saved"
        assert proc.stdout.readline().strip() == "replacing"      # the new file is fully written
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    loaded = load_project(path)
    assert loaded.extra == {"generation": 0}
    assert not loaded.history["train_loss"].any()
    # Only a hidden temp file may remain next to the project; the next save replaces the project.
    assert all(p.name.startswith(".big.bpstudio.") for p in tmp_path.iterdir() if p != path)
    net = Network([2, 2], ["sigmoid"], "mse")
    save_project(path, ProjectState.capture(net))
    assert load_project(path).architecture["layer_sizes"] == [2, 2]


def test_kill_at_arbitrary_moments_of_repeated_saves(tmp_path):
    path = tmp_path / "big.bpstudio"
    for delay_lines in (1, 2, 3):
        proc = _spawn_saver(path, "loop")
        try:
            for _ in range(delay_lines):
                proc.stdout.readline()
            proc.send_signal(signal.SIGKILL)      # somewhere inside the next save
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        loaded = load_project(path)               # either the last or the one before: never partial
        generation = loaded.extra["generation"]
        assert np.all(loaded.history["train_loss"] == generation)


def test_preprocessing_round_trip_and_export_from_project(tmp_path):
    import pandas as pd
    from core.examples import load_example
    from core.export import LoadedModel, predict_rows

    ds = load_example("iris")
    net = Network([ds.n_features, 8, ds.n_outputs], ["tanh", "softmax"], "cross-entropy")
    state = ProjectState.capture(net, preprocessor=ds.preprocessor, data_options={"example": "iris"})
    loaded = load_project(save_project(tmp_path / "p.bpstudio", state))
    assert loaded.preprocessor == ds.preprocessor.to_dict()
    assert loaded.build_preprocessor().to_dict() == ds.preprocessor.to_dict()
    model = loaded.to_loaded_model()                 # what `main.py export x.bpstudio out.onnx` uses
    pd.testing.assert_frame_equal(predict_rows(model, ds.raw_val),
                                  predict_rows(LoadedModel(net, ds.preprocessor, {}), ds.raw_val))


def test_refuses_damaged_or_mismatched_preprocessing(tmp_path):
    from core.examples import load_example

    ds = load_example("iris")
    net = Network([ds.n_features, 8, ds.n_outputs], ["tanh", "softmax"], "cross-entropy")
    path = save_project(tmp_path / "p.bpstudio", ProjectState.capture(net, preprocessor=ds.preprocessor))
    _rewrite(path, lambda d: d["preprocessor"]["inputs"][0].pop("offset"))
    _refused(path, "preprocessing")
    other = Network([ds.n_features + 1, 8, ds.n_outputs], ["tanh", "softmax"], "cross-entropy")
    with pytest.raises(ExportError, match="does not fit the data's 4 inputs"):
        save_project(tmp_path / "q.bpstudio", ProjectState.capture(other, preprocessor=ds.preprocessor))
    path = save_project(tmp_path / "q.bpstudio", ProjectState.capture(net, preprocessor=ds.preprocessor))
    _rewrite(path, lambda d: d["architecture"].update(layer_sizes=[5, 8, 3]),
             lambda a: a.update(W0=np.zeros((5, 8), np.float32)))
    _refused(path, "inconsistent")
