"""Model export/import: every format round-trips exactly and says what it is; ONNX and the standalone
script reproduce the app's predictions; bad destinations and bad files give one-line errors."""

import csv
import io
import errno
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core import __version__
from core.activations import HIDDEN_ACTIVATIONS
from core.errors import ExportError, ModelFileError
from core.export import (FORMATS, MODEL_FORMAT, export_model, load_model, load_weights_into,
                         predict_rows)
from core.network import Network

ROOT = Path(__file__).resolve().parents[2]
LOADABLE = [".npz", ".json", ".csv", ".zip", ".safetensors"]
ONNX_TOLERANCE = 1e-5


def _net(hidden="tanh", output="softmax", loss=None, dtype="float32", sizes=(4, 6, 5, 3), seed=1):
    loss = loss or {"softmax": "cross-entropy", "sigmoid": "binary-cross-entropy"}.get(output, "mse")
    net = Network(list(sizes), [hidden] * (len(sizes) - 2) + [output], loss, seed=seed, dtype=dtype)
    rng = np.random.default_rng(seed)
    # Non-zero biases and weights large enough that every activation sees both signs.
    net.set_params([w * 2 for w in net.weights], [rng.normal(0, 0.5, b.shape) for b in net.biases])
    return net


def _rows(n=64, n_in=4, seed=0):
    return np.random.default_rng(seed).normal(0, 1.5, (n, n_in))


def _same_params(a: Network, b: Network):
    assert a.layer_sizes == b.layer_sizes and a.activations == b.activations and a.loss == b.loss
    for x, y in zip(a.weights + a.biases, b.weights + b.biases):
        assert x.dtype == y.dtype and np.array_equal(x, y)


# ---- round trips ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("suffix", LOADABLE)
def test_round_trip_is_exact(tmp_path, suffix, dtype):
    net = _net(dtype=dtype)
    written = export_model(tmp_path / f"model{suffix}", net, extra={"note": "run 3"})
    assert written == (tmp_path / "model" if suffix == ".csv" else tmp_path / f"model{suffix}")
    loaded = load_model(written)
    _same_params(net, loaded.network)
    assert loaded.network.dtype == net.dtype
    X = _rows()
    np.testing.assert_array_equal(loaded.network.predict(X), net.predict(X))
    assert loaded.preprocessor is None
    meta = loaded.metadata
    assert meta["format"] == MODEL_FORMAT and meta["format_version"] == "1.0"
    assert meta["app_version"] == __version__ and meta["created"].startswith("20")
    assert meta["file_format"] == suffix[1:]
    assert meta["architecture"]["layer_sizes"] == [4, 6, 5, 3]
    assert meta["architecture"]["activations"] == ["tanh", "tanh", "softmax"]
    assert meta["architecture"]["loss"] == "cross-entropy" and meta["architecture"]["dtype"] == dtype
    assert meta["feature_names"] == ["x1", "x2", "x3", "x4"]
    assert meta["output_names"] == ["y1", "y2", "y3"]
    assert meta["extra"] == {"note": "run 3"}


def test_csv_path_can_name_folder_or_suffix(tmp_path):
    net = _net()
    export_model(tmp_path / "m.csv", net)
    _same_params(net, load_model(tmp_path / "m.csv").network)
    _same_params(net, load_model(tmp_path / "m").network)


def test_npz_layout_and_metadata_entry(tmp_path):
    net = _net()
    path = export_model(tmp_path / "m.npz", net)
    with np.load(path, allow_pickle=False) as npz:
        assert sorted(npz.files) == ["W0", "W1", "W2", "b0", "b1", "b2", "metadata"]
        assert npz["W1"].shape == (6, 5) and npz["b1"].shape == (5,)
        meta = json.loads(str(npz["metadata"]))
    assert meta["architecture"]["layer_sizes"] == [4, 6, 5, 3]


def test_json_is_readable_and_exact(tmp_path):
    net = _net(dtype="float64")
    doc = json.loads(export_model(tmp_path / "m.json", net).read_text())
    assert np.array_equal(np.array(doc["weights"][0]), net.weights[0])
    assert doc["metadata"]["architecture"]["dtype"] == "float64"


def test_csv_tables_are_labelled(tmp_path):
    net = _net(sizes=(4, 3, 2))
    folder = export_model(tmp_path / "m.csv", net)
    rows = list(csv.reader((folder / "W0.csv").open()))
    assert rows[0] == ["from \\ to", "h1_1", "h1_2", "h1_3"]
    assert [r[0] for r in rows[1:]] == ["x1", "x2", "x3", "x4"]
    rows = list(csv.reader((folder / "b1.csv").open()))
    assert rows == [["neuron", "bias"]] + [[f"y{j + 1}", repr(float(v))] for j, v in enumerate(net.biases[1])]
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["files"] == ["W0.csv", "b0.csv", "W1.csv", "b1.csv"]
    with zipfile.ZipFile(export_model(tmp_path / "m.zip", net)) as zf:
        assert sorted(zf.namelist()) == sorted(f"m/{n}" for n in ["W0.csv", "b0.csv", "W1.csv", "b1.csv",
                                                                   "metadata.json"])


def test_safetensors_header_states_what_it_is(tmp_path):
    from safetensors import safe_open

    path = export_model(tmp_path / "m.safetensors", _net())
    with safe_open(str(path), framework="numpy") as f:
        header = f.metadata()
        assert sorted(f.keys()) == ["W0", "W1", "W2", "b0", "b1", "b2"]
    assert header["format"] == MODEL_FORMAT and header["app_version"] == __version__
    assert json.loads(header["backprop_studio"])["architecture"]["loss"] == "cross-entropy"


def test_onnx_and_script_state_what_they_are(tmp_path):
    import onnx

    model = onnx.load(str(export_model(tmp_path / "m.onnx", _net())))
    props = {p.key: p.value for p in model.metadata_props}
    assert props["format"] == MODEL_FORMAT
    assert json.loads(props["backprop_studio"])["app_version"] == __version__
    assert model.opset_import[0].version >= 17 and "Backprop Studio" in model.doc_string
    source = export_model(tmp_path / "m.py", _net()).read_text()
    assert MODEL_FORMAT in source and "[4, 6, 5, 3]" in source.splitlines()[1]


def test_unknown_suffix_lists_formats(tmp_path):
    with pytest.raises(ExportError) as info:
        export_model(tmp_path / "model.h5", _net())
    for suffix in FORMATS:
        assert suffix in str(info.value)


def test_non_finite_network_is_not_exported(tmp_path):
    net = _net()
    net.set_params([w * np.inf for w in net.weights], net.biases)
    with pytest.raises(ExportError, match="NaN or infinite"):
        export_model(tmp_path / "m.npz", net)
    assert list(tmp_path.iterdir()) == []


# ---- unwritable destinations ---------------------------------------------------------------------

@pytest.mark.parametrize("suffix", sorted(FORMATS))
def test_parent_is_a_file(tmp_path, suffix):
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="not a folder"):
        export_model(blocker / f"m{suffix}", _net())


@pytest.mark.parametrize("suffix", sorted(FORMATS))
def test_full_disk_keeps_old_export(tmp_path, monkeypatch, suffix):
    import core.atomic

    old = export_model(tmp_path / f"m{suffix}", _net(seed=1))
    snapshot = ({p.name: p.read_bytes() for p in old.iterdir()} if old.is_dir() else old.read_bytes())

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(core.atomic.os, "fsync", full)
    with pytest.raises(ExportError, match="Not enough disk space"):
        export_model(tmp_path / f"m{suffix}", _net(seed=2))
    after = ({p.name: p.read_bytes() for p in old.iterdir()} if old.is_dir() else old.read_bytes())
    assert after == snapshot
    assert [p.name for p in tmp_path.iterdir()] == [old.name]


# ---- loading weights into a network --------------------------------------------------------------

@pytest.mark.parametrize("suffix", LOADABLE)
def test_load_weights_into_matching_network(tmp_path, suffix):
    source = _net(seed=1)
    path = export_model(tmp_path / f"m{suffix}", source)
    target = _net(seed=2)
    load_weights_into(target, path)
    _same_params(source, target)


@pytest.mark.parametrize("suffix", [".npz", ".json", ".safetensors", ".zip"])
def test_load_weights_into_names_first_mismatched_layer(tmp_path, suffix):
    path = export_model(tmp_path / f"m{suffix}", _net(sizes=(4, 6, 5, 3)))
    target = _net(sizes=(4, 6, 7, 3), seed=9)
    before = [w.copy() for w in target.weights]
    with pytest.raises(ModelFileError) as info:
        load_weights_into(target, path)
    message = str(info.value)
    assert message.startswith("Layer 2 ") and "(6, 5)" in message and "(6, 7)" in message
    assert all(np.array_equal(a, b) for a, b in zip(before, target.weights))   # nothing changed


def test_load_weights_into_layer_count_mismatch(tmp_path):
    path = export_model(tmp_path / "m.npz", _net(sizes=(4, 6, 3)))
    with pytest.raises(ModelFileError, match="Layer 2 .*does not fit"):
        load_weights_into(_net(sizes=(4, 6, 5, 3)), path)
    with pytest.raises(ModelFileError, match="extra layer 2"):
        load_weights_into(Network([4, 6], ["tanh"], "mse"), path)


def test_plain_npz_without_metadata(tmp_path):
    net = _net()
    np.savez(tmp_path / "plain.npz", **{f"W{i}": w for i, w in enumerate(net.weights)},
             **{f"b{i}": b for i, b in enumerate(net.biases)})
    target = _net(seed=5)
    load_weights_into(target, tmp_path / "plain.npz")
    _same_params(net, target)
    with pytest.raises(ModelFileError, match="no description of the network"):
        load_model(tmp_path / "plain.npz")


# ---- bad model files -----------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".npz", ".json", ".safetensors", ".zip"])
def test_truncated_files_are_refused(tmp_path, suffix):
    path = export_model(tmp_path / f"m{suffix}", _net())
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    assert "\n" not in str(info.value) and f"m{suffix}" in str(info.value)


def test_other_bad_files(tmp_path):
    (tmp_path / "x.json").write_text('{"hello": 1}')
    with pytest.raises(ModelFileError, match="not a Backprop Studio JSON model"):
        load_model(tmp_path / "x.json")
    with pytest.raises(ModelFileError, match="does not exist"):
        load_model(tmp_path / "absent.npz")
    export_model(tmp_path / "m.onnx", _net())
    with pytest.raises(ModelFileError, match="cannot be loaded back"):
        load_model(tmp_path / "m.onnx")
    np.savez(tmp_path / "obj.npz", W0=np.array([object()], dtype=object), b0=np.zeros(1))
    with pytest.raises(ModelFileError, match="damaged"):
        load_model(tmp_path / "obj.npz")


def test_damaged_files_say_what_is_wrong_in_words_a_user_can_act_on(tmp_path):
    (tmp_path / "notes.npz").write_text("these are my notes, not a model")
    with pytest.raises(ModelFileError, match=r"^notes\.npz is damaged or not a \.npz model file \(it is no archive "
                                             r"of arrays\)\.$"):
        load_model(tmp_path / "notes.npz")                  # not numpy's "load it unsafely" advice
    ds = _dataset("regression")
    path = export_model(tmp_path / "m.json", _fit(ds), ds.preprocessor)
    doc = json.loads(path.read_text())
    pre = doc["metadata"]["preprocessing"]
    pre["inputs"][0]["scale"] = 0.0                         # every prediction would divide by zero
    path.write_text(json.dumps(doc))
    with pytest.raises(ModelFileError, match=r"^m\.json: the saved preprocessing settings are damaged: input .* "
                                             r"scale 0, .*a scale is a finite number other than 0\.$"):
        load_model(path)
    del pre["inputs"][0]["scale"]
    path.write_text(json.dumps(doc))
    with pytest.raises(ModelFileError, match=r"^m\.json: the saved preprocessing settings are damaged: the field "
                                             r"'scale' is missing\.$"):
        load_model(path)


def test_newer_model_format_is_refused(tmp_path):
    path = export_model(tmp_path / "m.json", _net())
    doc = json.loads(path.read_text())
    doc["metadata"]["format_version"] = "2.0"
    path.write_text(json.dumps(doc))
    with pytest.raises(ModelFileError, match="newer Backprop Studio"):
        load_model(path)


def test_nan_weights_in_file_are_refused(tmp_path):
    path = export_model(tmp_path / "m.json", _net())
    doc = json.loads(path.read_text())
    doc["biases"][1][0] = float("nan")
    path.write_text(json.dumps(doc))
    with pytest.raises(ModelFileError, match="layer 2 holds NaN"):
        load_model(path)


# ---- ONNX ----------------------------------------------------------------------------------------

def _onnx_outputs(path, X):
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (name,) = [i.name for i in session.get_inputs()]
    return session.run(None, {name: np.asarray(X, np.float32)})[0]


ONNX_CASES = ([(h, "linear") for h in HIDDEN_ACTIVATIONS]
              + [("tanh", out) for out in ("sigmoid", "softmax", "tanh", "relu", "sign", "softplus",
                                           "leaky_relu", "elu")])


@pytest.mark.parametrize("hidden, output", ONNX_CASES)
def test_onnx_matches_network_for_every_activation(tmp_path, hidden, output):
    net = _net(hidden, output)
    path = export_model(tmp_path / "m.onnx", net)
    X = _rows(256)
    diff = np.abs(_onnx_outputs(path, X) - net.predict(X)).max()
    assert diff <= ONNX_TOLERANCE, f"{hidden}/{output}: {diff}"


def test_onnx_sign_at_exactly_zero_is_plus_one(tmp_path):
    net = Network([2, 3, 1], ["sign", "linear"], "mse")
    net.set_params([np.zeros((2, 3)), np.ones((3, 1))], [np.zeros(3), np.zeros(1)])
    X = np.array([[0.0, 0.0], [1.0, -1.0]])
    assert net.predict(X).ravel().tolist() == [3.0, 3.0]
    np.testing.assert_array_equal(_onnx_outputs(export_model(tmp_path / "m.onnx", net), X), [[3.0], [3.0]])


def test_onnx_from_float64_network(tmp_path):
    net = _net(dtype="float64")
    X = _rows(128)
    assert np.abs(_onnx_outputs(export_model(tmp_path / "m.onnx", net), X) - net.predict(X)).max() <= 1e-5


# ---- standalone script ---------------------------------------------------------------------------

def _write_csv(path, header, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def regex_sub(pattern, repl, text):
    import re
    return re.sub(pattern, repl, text)


def _run_script(script, data, *args):
    result = subprocess.run([sys.executable, str(script), str(data), *args], capture_output=True,
                            text=True, timeout=60, cwd=script.parent)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_script_reproduces_predictions_without_preprocessing(tmp_path, dtype):
    import pandas as pd

    net = _net("elu", "softmax", dtype=dtype)
    X = _rows(40)
    _write_csv(tmp_path / "data.csv", ["x1", "x2", "x3", "x4"], [[repr(float(v)) for v in row] for row in X])
    script = export_model(tmp_path / "model.py", net)
    printed = pd.read_csv(io.StringIO(_run_script(script, tmp_path / "data.csv")))
    from core.data import read_csv

    # read_csv (what `main.py predict` uses) holds numbers as float32; the script does the same.
    expected = predict_rows(load_model(export_model(tmp_path / "m.npz", net)), read_csv(tmp_path / "data.csv").frame)
    assert list(printed.columns) == list(expected.columns) == ["predicted_y1", "predicted_y2", "predicted_y3"]
    np.testing.assert_array_equal(printed.to_numpy(), expected.to_numpy())
    _run_script(script, tmp_path / "data.csv", "--out", str(tmp_path / "out.csv"))
    np.testing.assert_array_equal(pd.read_csv(tmp_path / "out.csv").to_numpy(), expected.to_numpy())


# ---- module hygiene ------------------------------------------------------------------------------

def test_importing_export_and_project_is_cheap():
    code = ("import sys, core.export, core.project, core.atomic; "
            "heavy = [m for m in ('onnx', 'onnxruntime', 'pandas', 'safetensors', 'PySide6') if m in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr


# ---- with preprocessing (raw rows in, app predictions out) ---------------------------------------

def _raw_frame(n=300, seed=0):
    import pandas as pd

    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"a": rng.normal(5, 2, n), "b": rng.uniform(0, 100, n),
                       "color": rng.choice(["red", "green", "blue"], n),
                       "size": rng.choice(["S", "M", "L", None], n)})
    df.loc[rng.choice(n, 20, replace=False), "a"] = np.nan
    a = df.a.fillna(5)
    df["label"] = np.where(a + (df.color == "red") * 2 > 6, "yes", np.where(df.b > 50, "maybe", "no"))
    df["flag"] = np.where(a * 10 > df.b, "high", "low")
    df["y1"] = 3 * a + df.b / 10 + (df.color == "blue") * 4 + rng.normal(0, 0.3, n)
    df["y2"] = a - df.b / 50 + rng.normal(0, 0.3, n)
    return df


TASKS = {  # name → (targets, inputs)
    "multiclass": (["label"], ["a", "b", "color", "size"]),
    "binary": (["flag"], ["a", "b"]),
    "regression": (["y1", "y2"], ["a", "color", "b"]),
}


def _dataset(task):
    from core.data import build_dataset, from_frame

    targets, inputs = TASKS[task]
    return build_dataset(from_frame(_raw_frame(), "synthetic"), targets=targets, inputs=inputs,
                         missing="fill", seed=1)


def _fit(ds, hidden="tanh", steps=150):
    """A briefly trained network for `ds` (so labels and values are not all alike)."""
    from core.losses import auto_output
    from core.optimizers import make_optimizer

    output, loss = auto_output(ds.task, ds.n_outputs)
    net = Network([ds.n_features, 8, 6, ds.n_outputs], [hidden, hidden, output], loss, seed=2)
    opt = make_optimizer("adam", 0.01)
    for _ in range(steps):
        net.forward(ds.X_train)
        net.backward(ds.Y_train)
        opt.step(net)
    assert net.params_finite()
    return net


@pytest.fixture(scope="module", params=list(TASKS))
def fitted(request):
    ds = _dataset(request.param)
    return ds, _fit(ds)


def _odd_rows(ds):
    """The validation rows plus rows the encoder must handle: unseen text, missing cells."""
    import pandas as pd

    raw = ds.raw_val[ds.preprocessor.input_columns].copy()
    extra = raw.iloc[:2].copy()
    for k, column in enumerate(extra.columns):
        if extra[column].dtype == object:
            extra[column] = ["purple", None]
        else:   # a gap in each row, never a row of gaps only (an empty row is skipped, not predicted)
            extra[column] = np.array([np.nan, 1e3][::1 - 2 * (k % 2)], dtype=extra[column].dtype)
    return pd.concat([raw, extra], ignore_index=True)


@pytest.mark.parametrize("suffix", LOADABLE)
def test_round_trip_with_preprocessing(tmp_path, fitted, suffix):
    import pandas as pd
    from core.export import LoadedModel

    ds, net = fitted
    loaded = load_model(export_model(tmp_path / f"m{suffix}", net, ds.preprocessor))
    _same_params(net, loaded.network)
    assert loaded.preprocessor.to_dict() == ds.preprocessor.to_dict()
    meta = loaded.metadata
    assert meta["task"] == ds.task and meta["feature_names"] == ds.feature_names
    assert meta["class_names"] == ds.class_names and meta["output_names"] == ds.output_names
    assert meta["preprocessing"] == ds.preprocessor.to_dict()
    rows = _odd_rows(ds)
    pd.testing.assert_frame_equal(predict_rows(loaded, rows),
                                  predict_rows(LoadedModel(net, ds.preprocessor, {}), rows))


def test_predict_rows_columns(fitted):
    from core.export import LoadedModel

    ds, net = fitted
    rows = ds.raw_val
    frame = predict_rows(LoadedModel(net, ds.preprocessor, {}), rows)
    assert list(frame.index) == list(rows.index)
    outputs = net.predict(ds.X_val)
    if ds.task == "classification":
        target = ds.preprocessor.target_columns[0]
        assert list(frame.columns) == [f"predicted_{target}"] + [f"p({c})" for c in ds.class_names]
        assert frame[f"predicted_{target}"].tolist() == ds.preprocessor.predict_labels(outputs)
        probabilities = frame.iloc[:, 1:].to_numpy()
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-6)
    else:
        assert list(frame.columns) == [f"predicted_{t}" for t in ds.preprocessor.target_columns]
        np.testing.assert_array_equal(frame.to_numpy(), ds.preprocessor.inverse_outputs(outputs))


def _onnx_feed(session, pre, rows):
    feed = {}
    numeric = [c["name"] for c in pre.to_dict()["inputs"] if c["kind"] == "numeric"]
    for info in session.get_inputs():
        if info.name == "input":
            feed["input"] = rows[numeric].to_numpy(dtype=np.float32)
        else:
            column = info.name
            feed[column] = np.array([["" if v is None else v] for v in rows[column]], dtype=object)
    return feed


def _onnx_vs_app(path, ds, net, rows):
    import onnxruntime as ort
    from core.export import LoadedModel

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, _onnx_feed(session, ds.preprocessor, rows))[0]
    expected = predict_rows(LoadedModel(net, ds.preprocessor, {}), rows)
    if ds.task == "classification":
        expected = expected.iloc[:, 1:]
    assert got.shape == expected.shape
    return float(np.abs(got - expected.to_numpy()).max())


@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("task", list(TASKS))
def test_onnx_takes_raw_rows_and_matches_app(tmp_path, task, hidden):
    ds = _dataset(task)
    net = _fit(ds, hidden, steps=20)
    path = export_model(tmp_path / "m.onnx", net, ds.preprocessor)
    assert _onnx_vs_app(path, ds, net, ds.raw_val) <= ONNX_TOLERANCE
    assert _onnx_vs_app(path, ds, net, _odd_rows(ds)) <= ONNX_TOLERANCE


def test_onnx_text_inputs_are_named_after_columns(tmp_path):
    import onnx

    ds = _dataset("multiclass")
    model = onnx.load(str(export_model(tmp_path / "m.onnx", _fit(ds, steps=1), ds.preprocessor)))
    inputs = {i.name: i.type.tensor_type for i in model.graph.input}
    assert list(inputs) == ["input", "color", "size"]
    assert [d.dim_value for d in inputs["input"].shape.dim[1:]] == [2]
    assert inputs["color"].elem_type == onnx.TensorProto.STRING
    assert "color" in model.doc_string and "NaN = missing" in model.doc_string


def _write_rows(path, rows):
    rows.to_csv(path, index=False)          # None / NaN → empty cells, as users' files have them


def test_script_reproduces_app_predictions(tmp_path, fitted):
    import pandas as pd
    from core.data import read_csv
    from core.export import LoadedModel

    ds, net = fitted
    rows = _odd_rows(ds)
    data = tmp_path / "data.csv"
    _write_rows(data, rows)
    script = export_model(tmp_path / "model.py", net, ds.preprocessor)
    printed = pd.read_csv(io.StringIO(_run_script(script, data)), keep_default_na=False)
    expected = predict_rows(LoadedModel(net, ds.preprocessor, {}), read_csv(data).frame)
    assert list(printed.columns) == list(expected.columns)
    if ds.task == "classification":
        assert printed.iloc[:, 0].astype(str).tolist() == expected.iloc[:, 0].tolist()
        printed, expected = printed.iloc[:, 1:], expected.iloc[:, 1:]
    np.testing.assert_allclose(printed.to_numpy(float), expected.to_numpy(float), rtol=0, atol=1e-6)
    assert np.abs(printed.to_numpy(float) - expected.to_numpy(float)).max() == 0.0   # in fact identical


def test_script_reads_semicolons_comments_and_spaces(tmp_path):
    import pandas as pd
    from core.data import read_csv
    from core.export import LoadedModel

    ds = _dataset("multiclass")
    net = _fit(ds, steps=30)
    rows = _odd_rows(ds).iloc[:12]
    text = "# exported from a spreadsheet\n" + rows.to_csv(index=False, sep=";").replace(";", "; ")
    (tmp_path / "data.csv").write_text(text)
    script = export_model(tmp_path / "model.py", net, ds.preprocessor)
    printed = pd.read_csv(io.StringIO(_run_script(script, tmp_path / "data.csv")))
    expected = predict_rows(LoadedModel(net, ds.preprocessor, {}), read_csv(tmp_path / "data.csv").frame)
    assert printed.iloc[:, 0].tolist() == expected.iloc[:, 0].tolist()
    np.testing.assert_array_equal(printed.iloc[:, 1:].to_numpy(), expected.iloc[:, 1:].to_numpy())


def test_cli_predict_matches_script_for_every_loadable_format(tmp_path):
    import pandas as pd

    ds = _dataset("regression")
    net = _fit(ds, steps=30)
    data = tmp_path / "data.csv"
    _write_rows(data, _odd_rows(ds))
    script_out = pd.read_csv(io.StringIO(_run_script(export_model(tmp_path / "m.py", net, ds.preprocessor),
                                                     data)))
    for suffix in LOADABLE:
        model = export_model(tmp_path / f"m{suffix}", net, ds.preprocessor)
        result = subprocess.run([sys.executable, str(ROOT / "main.py"), "predict", str(model), str(data)],
                                capture_output=True, text=True, timeout=60, cwd=ROOT)
        assert result.returncode == 0, result.stderr
        pd.testing.assert_frame_equal(pd.read_csv(io.StringIO(result.stdout)), script_out)


@pytest.mark.parametrize("example", ["iris", "product", "moons"])
def test_built_in_examples_through_every_format(tmp_path, example):
    """iris (3 classes), product (regression), moons (2 classes, one sigmoid output)."""
    import pandas as pd
    from core.data import read_csv
    from core.examples import load_example
    from core.export import LoadedModel

    ds = load_example(example)
    net = _fit(ds, steps=100)
    app = LoadedModel(net, ds.preprocessor, {})
    data = tmp_path / "val.csv"
    _write_rows(data, ds.raw_val[ds.preprocessor.input_columns])
    expected = predict_rows(app, read_csv(data).frame)
    for suffix in LOADABLE:
        loaded = load_model(export_model(tmp_path / f"m{suffix}", net, ds.preprocessor))
        pd.testing.assert_frame_equal(predict_rows(loaded, read_csv(data).frame), expected)
    assert _onnx_vs_app(export_model(tmp_path / "m.onnx", net, ds.preprocessor), ds, net,
                        ds.raw_val) <= ONNX_TOLERANCE
    printed = pd.read_csv(io.StringIO(_run_script(export_model(tmp_path / "m.py", net, ds.preprocessor), data)))
    pd.testing.assert_frame_equal(printed, expected, check_exact=True)


def test_export_refuses_preprocessing_that_does_not_fit(tmp_path):
    ds = _dataset("multiclass")
    with pytest.raises(ExportError, match="retrain the network"):
        export_model(tmp_path / "m.npz", _net(sizes=(3, 4, 3)), ds.preprocessor)


def test_extra_must_be_plain_data(tmp_path):
    with pytest.raises(ExportError, match="cannot be written as JSON"):
        export_model(tmp_path / "m.json", _net(), extra={"when": object()})
    assert list(tmp_path.iterdir()) == []


def test_onnx_text_column_named_like_graph_tensors(tmp_path):
    import onnxruntime as ort
    from core.data import build_dataset, from_frame

    df = _raw_frame().rename(columns={"color": "W0", "size": "input"})
    ds = build_dataset(from_frame(df, "clash"), targets=["label"], inputs=["a", "W0", "input"], missing="fill")
    net = _fit(ds, steps=5)
    session = ort.InferenceSession(str(export_model(tmp_path / "m.onnx", net, ds.preprocessor)))
    assert [i.name for i in session.get_inputs()] == ["input", "text_W0", "text_input"]


def test_onnx_text_column_named_like_the_graphs_output(tmp_path):
    # "probabilities" or "predictions" as a column name broke the graph ("used as output names multiple times")
    import onnxruntime as ort
    from core.data import build_dataset, from_frame

    df = _raw_frame().rename(columns={"color": "probabilities", "size": "predictions"})
    for targets in (["label"], ["y1"]):
        ds = build_dataset(from_frame(df, "clash"), targets=targets, inputs=["a", "probabilities", "predictions"],
                           missing="fill")
        session = ort.InferenceSession(str(export_model(tmp_path / "m.onnx", _fit(ds, steps=5), ds.preprocessor)))
        assert [i.name for i in session.get_inputs()] == ["input", "text_probabilities", "text_predictions"]
        feed = {"input": np.array([[5.0]], np.float32), "text_probabilities": np.array([["red"]]),
                "text_predictions": np.array([["M"]])}
        assert np.isfinite(session.run(None, feed)[0]).all()


def test_onnx_finds_true_and_false_as_the_file_spells_them(tmp_path):
    # R's write.csv writes logical columns as TRUE/FALSE; the app reads them as booleans ("True"), and the
    # graph, given the cell's text, must find the same category
    import onnxruntime as ort
    from core.data import build_dataset, read_csv

    rng = np.random.default_rng(0)
    heavy = rng.random(80) > 0.5
    rows = [f"{x:.3f},{'TRUE' if h else 'FALSE'},{'big' if h else 'small'}" for x, h in zip(rng.random(80), heavy)]
    (tmp_path / "d.csv").write_text("x,heavy,kind\n" + "\n".join(rows) + "\n")
    ds = build_dataset(read_csv(tmp_path / "d.csv"), targets=["kind"], val_split=0)
    assert ds.preprocessor.to_dict()["inputs"][1]["categories"] == ["False", "True"]
    net = _fit(ds, steps=30)
    session = ort.InferenceSession(str(export_model(tmp_path / "m.onnx", net, ds.preprocessor)))
    x = np.array([[0.5], [0.5], [0.5], [0.5]], np.float32)
    spelt = session.run(None, {"input": x, "heavy": np.array([["TRUE"], ["true"], ["FALSE"], ["false"]])})[0]
    canonical = session.run(None, {"input": x, "heavy": np.array([["True"], ["True"], ["False"], ["False"]])})[0]
    np.testing.assert_array_equal(spelt, canonical)
    assert not np.allclose(canonical[0], canonical[2])       # the column matters: TRUE is not read as unseen


def test_script_survives_odd_names_in_metadata(tmp_path):
    import pandas as pd

    net = _net(sizes=(4, 3))
    script = export_model(tmp_path / "m.py", net, extra={"note": "__MODEL__ '''quoted''' \\ end\\"})
    X = _rows(5)
    _write_csv(tmp_path / "d.csv", ["x1", "x2", "x3", "x4"], [[repr(float(v)) for v in row] for row in X])
    printed = pd.read_csv(io.StringIO(_run_script(script, tmp_path / "d.csv")))
    assert printed.shape == (5, 3)


def test_load_model_opens_projects_and_checks_data_columns(tmp_path):
    from core.errors import DataError
    from core.project import ProjectState, save_project

    net = _net()
    project = save_project(tmp_path / "p.bpstudio", ProjectState.capture(net))
    loaded = load_model(project)
    _same_params(net, loaded.network)
    with pytest.raises(DataError, match="lacks the model's input column"):
        predict_rows(loaded, [{"x1": 1.0, "x2": 2.0}])


def test_numeric_categories_are_found_by_their_number_in_script_onnx_and_app(tmp_path):
    """A text column whose categories include numbers spelt '0.0', '1e3', '7': a new file's '0', '1000',
    '7.0' mean the same categories in the app, the exported script and the ONNX graph."""
    import pandas as pd
    from core.data import build_dataset, from_frame, read_csv
    from core.export import LoadedModel

    rng = np.random.default_rng(4)
    n = 240
    code = rng.choice(["0.0", "1e3", "7", "x", "y"], n)
    a = rng.normal(0, 1, n)
    label = np.where((code == "0.0") | (code == "7"), "one", np.where(a > 0, "two", "three"))
    ds = build_dataset(from_frame(pd.DataFrame({"a": a, "code": code, "label": label}), "codes"),
                       targets=["label"], seed=0)
    net = _fit(ds, steps=200)
    rows = pd.DataFrame({"a": [0.5, -0.5, 0.2, 1.0, 0.3], "code": ["0", "1000", "7.0", "x", "purple"]})
    data = tmp_path / "new.csv"
    _write_rows(data, rows)
    app_rows = read_csv(data).frame
    expected = predict_rows(LoadedModel(net, ds.preprocessor, {}), app_rows)
    encoded = ds.preprocessor.transform(app_rows)
    codes = ds.preprocessor.to_dict()["inputs"][1]["categories"]
    hot = encoded[:, 1:1 + len(codes)]
    assert [codes[j] for j in hot[:4].argmax(axis=1)] == ["0.0", "1e3", "7", "x"] and hot[4].sum() == 0

    printed = pd.read_csv(io.StringIO(_run_script(export_model(tmp_path / "m.py", net, ds.preprocessor),
                                                  data)), keep_default_na=False)
    assert printed.iloc[:, 0].astype(str).tolist() == expected.iloc[:, 0].tolist()
    np.testing.assert_array_equal(printed.iloc[:, 1:].to_numpy(float), expected.iloc[:, 1:].to_numpy(float))
    assert _onnx_vs_app(export_model(tmp_path / "m.onnx", net, ds.preprocessor), ds, net, app_rows) <= ONNX_TOLERANCE


def test_numbers_read_as_categories_are_found_alike_in_script_onnx_and_app(tmp_path):
    """A store number read as categories: a new file's '3', '3.0', an unseen '9' and an empty cell encode the
    same in the app, the exported script and the ONNX graph."""
    import pandas as pd
    from core.data import build_dataset, from_frame, read_csv
    from core.export import LoadedModel

    rng = np.random.default_rng(5)
    n = 300
    store = rng.integers(1, 8, n)
    price = rng.normal(2, 0.3, n)
    label = np.where(np.isin(store, [2, 4, 7]) ^ (price > 2.3), "CH", "MM")
    ds = build_dataset(from_frame(pd.DataFrame({"store": store, "price": price, "buy": label}), "oj"),
                       categorical=["store"], seed=0)
    assert ds.feature_names[:7] == [f"store={k}" for k in range(1, 8)]
    net = _fit(ds, steps=200)
    data = tmp_path / "new.csv"
    data.write_text("store,price\n3,2.1\n3.0,2.1\n9,2.1\n,2.1\n7,1.5\n")
    app_rows = read_csv(data).frame
    expected = predict_rows(LoadedModel(net, ds.preprocessor, {}), app_rows)
    hot = ds.preprocessor.transform(app_rows)[:, :7]
    assert hot[0].argmax() == hot[1].argmax() == 2 and hot[2].sum() == 0 and hot[4].argmax() == 6
    printed = pd.read_csv(io.StringIO(_run_script(export_model(tmp_path / "m.py", net, ds.preprocessor),
                                                  data)), keep_default_na=False)
    assert printed.iloc[:, 0].astype(str).tolist() == expected.iloc[:, 0].tolist()
    np.testing.assert_array_equal(printed.iloc[:, 1:].to_numpy(float), expected.iloc[:, 1:].to_numpy(float))
    as_text = pd.DataFrame({"store": ["3", "3.0", "9", "", "7"], "price": app_rows["price"]})
    assert _onnx_vs_app(export_model(tmp_path / "m.onnx", net, ds.preprocessor), ds, net, as_text) <= ONNX_TOLERANCE


@pytest.mark.parametrize("name, target, text", [
    ("adult.data", None, "".join(f"{20 + i % 50}, {'ab'[i % 2]}x, {i % 9}, {'<=50K' if i % 3 else '>50K'}\n"
                           for i in range(60))),
    ("auto-mpg.data", "col_1", "".join(f"{10 + i % 30:.1f}   {4 + i % 3}   {100 + i * 3:.1f}      {60 + i % 40:.1f}"
                              f"\t\"car {i} model\"\n" for i in range(60))),
    ("seeds.txt", None, "".join("\t".join(f"{(i * 7 + j) % 13 + 0.5:.2f}" for j in range(4))
                                .replace("\t", "\t\t", i % 9 == 0) + f"\t{i % 3 + 1}\n" for i in range(60))),
    ("breast_cancer.csv", None, "60,5,malignant,benign\n" + "".join(
        ",".join(f"{(i * 7 + j) % 13 + 0.5:.2f}" for j in range(5)) + f",{i % 2}\n" for i in range(60))),
])
def test_the_script_reads_files_without_a_header_like_the_one_it_learnt_from(tmp_path, name, target, text):
    assert not _script_agrees_with_the_studio(tmp_path, name, target, text).has_header


def test_the_script_reads_rs_row_names_like_the_studio(tmp_path):
    """R's write.table: every name quoted, no header cell over the row names."""
    text = '"speed" "dist" "kind"\n' + "".join(f'"car {i}" {4 + i % 21} {2 + (i * 7) % 90} "{"ab"[i % 2]}"\n'
                                             for i in range(60))
    table = _script_agrees_with_the_studio(tmp_path, "cars.txt", "kind", text)
    assert [c.name for c in table.columns] == ["row_names", "speed", "dist", "kind"]


def test_the_script_reads_single_quoted_column_names_like_the_studio(tmp_path):
    text = "'OBS' 'GPA' 'TUCE' 'GRADE'\n" + "".join(f"{i} {2 + (i % 9) / 5:.2f} {19 + i % 11} {i % 2}\n"
                                                   for i in range(1, 61))
    table = _script_agrees_with_the_studio(tmp_path, "spector.csv", "GRADE", text)
    assert [c.name for c in table.columns] == ["OBS", "GPA", "TUCE", "GRADE"]


def test_the_script_skips_the_lines_above_a_table_like_the_studio(tmp_path):
    from tests.core.test_spreadsheet_csv import BLS_EXPORT

    table = _script_agrees_with_the_studio(tmp_path, "unemp.csv", "Value", BLS_EXPORT)
    assert table.n_rows == 80


def test_the_script_cuts_a_table_lined_up_with_spaces_like_the_studio(tmp_path):
    from tests.core.test_spreadsheet_csv import DIVORCE_DAT

    table = _script_agrees_with_the_studio(tmp_path, "divorce.dat", "div", DIVORCE_DAT)
    assert table.column_names[1] == "heduc"


def test_the_script_reads_a_few_numbers_with_a_letter_as_missing_like_the_studio(tmp_path):
    """Galton's families are numbered 1..205, with '136A' for a second family: a few such cells among
    plain numbers are stray text to the studio (missing), but the script read them as 136 'in A'."""
    text = "family,father,mother,gender,childHeight\n" + "".join(
        f"{i // 4 + 1}{'A' if i // 4 == 30 else ''},{64 + i % 9},{60 + i % 7},{'mf'[i % 2]},{60 + (i * 7) % 15}\n"
        for i in range(200))
    table = _script_agrees_with_the_studio(tmp_path, "galton.csv", "childHeight", text)
    assert np.isnan(table.frame["family"].iloc[120]) and table.frame["family"].iloc[119] == 30


def _script_agrees_with_the_studio(tmp_path, name, target, text):
    from core.data import build_dataset, read_csv
    from core.export import LoadedModel, predict_rows

    path = tmp_path / name
    (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
    table = read_csv(path)
    ds = build_dataset(table, targets=[target] if target else None, val_split=0)
    net = Network([ds.n_features, 3, ds.n_outputs], ["tanh", "linear" if ds.task == "regression" else
                                                     "sigmoid" if ds.n_outputs == 1 else "softmax"],
                  "mse" if ds.task == "regression" else "binary-cross-entropy" if ds.n_outputs == 1
                  else "cross-entropy", seed=0)
    expected = predict_rows(LoadedModel(net, ds.preprocessor, {}), table.frame).iloc[:, 0].astype(str).tolist()
    script = export_model(tmp_path / "model.py", net, ds.preprocessor)
    out = subprocess.run([sys.executable, str(script), str(path)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    printed = [line.split(",")[0] for line in out.stdout.splitlines()[1:]]
    if ds.task == "regression":
        np.testing.assert_allclose([float(v) for v in printed], [float(v) for v in expected], rtol=1e-5)
    else:
        assert printed == expected
    return table


def test_the_script_piped_into_head_stops_quietly(tmp_path):
    net, pre = _net(), None
    rows = _rows(5000)
    data = tmp_path / "many.csv"
    data.write_text("x1,x2,x3,x4\n" + "\n".join(",".join(f"{v:.4f}" for v in row) for row in rows) + "\n")
    script = export_model(tmp_path / "model.py", net, pre)
    proc = subprocess.Popen([sys.executable, str(script), str(data)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()                                       # what `| head -1` does
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0 and "Traceback" not in stderr, stderr


def test_the_script_reads_weka_arff_and_sktime_ts_files_like_the_studio(tmp_path):
    from tests.core.test_data import UCR_TS, WEKA_IRIS

    table = _script_agrees_with_the_studio(tmp_path, "iris.arff", "class", WEKA_IRIS.replace("?", "0.2"))
    assert table.column_names[1] == "sepal width"
    table = _script_agrees_with_the_studio(tmp_path, "Demand_TEST.ts", "class", UCR_TS)
    assert table.column_names[-2:] == ["t6", "class"]


def test_the_script_reads_json_tables_like_the_studio(tmp_path):
    import json

    from tests.core.test_data import JSON_CARS

    cars = JSON_CARS * 3
    table = _script_agrees_with_the_studio(tmp_path, "cars.json", "Origin", json.dumps(cars))
    assert table.column_names == ["Name", "Miles_per_Gallon", "Cylinders", "Origin"]
    lines = "".join(json.dumps({"car": r["Name"], "spec": {"mpg": r["Miles_per_Gallon"], "cyl": r["Cylinders"]}})
                    + "\n" for r in cars)
    table = _script_agrees_with_the_studio(tmp_path, "cars.jsonl", "spec.cyl", lines)
    assert table.column_names == ["car", "spec.mpg", "spec.cyl"]


def test_the_script_reads_excel_workbooks_like_the_studio(tmp_path):
    import io

    import pandas as pd

    from tests.core.test_data import JSON_CARS

    cars = pd.DataFrame(JSON_CARS * 3)
    cars["built"] = pd.date_range("1970-01-01", periods=len(cars), freq="W")
    book = io.BytesIO()
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"about": ["cars, from vega-datasets"]}).to_excel(writer, sheet_name="About", index=False)
        cars.to_excel(writer, sheet_name="Cars", index=False)
    table = _script_agrees_with_the_studio(tmp_path, "cars.xlsx", "Origin", book.getvalue())
    assert table.column_names == ["Name", "Miles_per_Gallon", "Cylinders", "Origin", "built"]


def test_the_script_reads_libreoffice_spreadsheets_like_the_studio(tmp_path):
    import io
    import zipfile

    from tests.core.test_data import LIBREOFFICE_CONTENT, LIBREOFFICE_ROW

    rows = "".join(LIBREOFFICE_ROW.format(k=k, mpg=18 + k / 4, day=k + 1, origin="USA" if k % 3 else "Japan")
                   for k in range(24))
    book = io.BytesIO()
    with zipfile.ZipFile(book, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", LIBREOFFICE_CONTENT.replace("__ROWS__", rows))
    table = _script_agrees_with_the_studio(tmp_path, "cars.ods", "origin", book.getvalue())
    assert table.n_rows == 24


def test_the_script_says_why_it_cannot_read_a_sparse_arff_file(tmp_path):
    net = Network([2, 2, 1], ["tanh", "linear"], "mse", seed=0)
    script = export_model(tmp_path / "model.py", net, None)
    data = tmp_path / "sparse.arff"
    data.write_text("@relation s\n@attribute a real\n@attribute b real\n@attribute y real\n@data\n{0 1.5, 2 2}\n")
    out = subprocess.run([sys.executable, str(script), str(data)], capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "sparse ARFF form" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("hidden", ["leaky_relu", "elu", "sign"])
def test_a_json_model_alone_is_enough_to_compute_its_predictions(tmp_path, hidden):
    # what another tool has: the file and its documented keys; the constants come from 'forward_pass'
    import re as regex

    from core.export import LoadedModel, predict_rows

    ds = _dataset("binary")
    net = _fit(ds, hidden=hidden, steps=40)
    meta = json.loads(export_model(tmp_path / "m.json", net, ds.preprocessor).read_text())
    doc, how = meta, meta["metadata"]["forward_pass"]
    slope = float(regex.search(r"([\d.]+) · a otherwise", how["leaky_relu"]).group(1))
    alpha = float(regex.search(r"([\d.]+) · \(exp", how["elu"]).group(1))
    f = {"leaky_relu": lambda a: np.where(a > 0, a, slope * a), "elu": lambda a: np.where(a > 0, a, alpha * np.expm1(a)),
         "sign": lambda a: np.where(a >= 0, 1.0, -1.0), "sigmoid": lambda a: 1 / (1 + np.exp(-a))}
    x = ds.preprocessor.transform(ds.raw_val).astype(np.float64)
    for W, b, act in zip(doc["weights"], doc["biases"], meta["metadata"]["architecture"]["activations"]):
        x = f[act](x @ np.array(W) + np.array(b))
    second = meta["metadata"]["class_names"][1]
    assert how["output"].startswith(f"one sigmoid output: P({second}), the second class")
    expected = predict_rows(LoadedModel(net, ds.preprocessor, {}), ds.raw_val)[f"p({second})"].to_numpy()
    np.testing.assert_allclose(x[:, 0], expected, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("task", ["regression", "multiclass"])
def test_the_json_file_documents_how_a_raw_row_becomes_x_and_what_the_outputs_mean(tmp_path, task):
    # followed to the letter, 'forward_pass' turns raw cells (gaps, unseen categories, NA) into predict's numbers
    from core.export import LoadedModel, predict_rows

    ds = _dataset(task)
    net = _fit(ds, steps=40)
    meta = json.loads(export_model(tmp_path / "m.json", net, ds.preprocessor).read_text())
    md, how = meta["metadata"], meta["metadata"]["forward_pass"]
    assert {"inputs", "missing_tokens", "output"} <= set(how)
    rows = [{"a": "4.5", "b": "20", "color": "red", "size": "M"}, {"a": "", "b": "70", "color": "purple", "size": "NA"},
            {"a": "NA", "b": "55", "color": "", "size": "L"}, {"a": " 3 ", "b": "40", "color": " blue ", "size": "S "}]
    assert "without the spaces around it" in how["inputs"]

    def x_of(row):
        features = []
        for column in md["preprocessing"]["inputs"]:
            cell = row[column["name"]].strip()
            cell = None if cell in how["missing_tokens"] else cell
            if column["kind"] == "numeric":
                value = column["fill"] if cell is None else float(cell)
                features.append((value - column["offset"]) / column["scale"])
            else:
                cell = column["fill"] if cell is None else cell
                features += [1.0 if cell == c else 0.0 for c in column["categories"]]
        return features

    x = np.array([x_of(r) for r in rows])
    for W, b, act in zip(meta["weights"], meta["biases"], md["architecture"]["activations"]):
        a = x @ np.array(W) + np.array(b)
        x = {"tanh": np.tanh, "linear": lambda v: v,
             "softmax": lambda v: np.exp(v - v.max(1, keepdims=True)) / np.exp(v - v.max(1, keepdims=True)).sum(
                 1, keepdims=True)}[act](a)
    expected = predict_rows(LoadedModel(net, ds.preprocessor, {}), pd.DataFrame(rows).replace({"": None}))
    if task == "regression":
        assert "targets[k].std" in how["output"]
        targets = md["preprocessing"]["targets"]
        x = x * np.array([t["std"] for t in targets]) + np.array([t["mean"] for t in targets])
        np.testing.assert_allclose(x, expected.to_numpy(float), rtol=1e-4)
    else:
        assert how["output"].startswith("output k is P(class_names[k])")
        np.testing.assert_allclose(x, expected.iloc[:, 1:].to_numpy(float), rtol=1e-4, atol=1e-6)


def test_the_script_says_what_it_made_up_and_refuses_a_file_without_rows_as_predict_does(tmp_path):
    from core.data import read_csv

    ds = _dataset("multiclass")
    pre = ds.preprocessor
    fill = {c.name: c.fill for c in pre.inputs}
    script = export_model(tmp_path / "m.py", _fit(ds, steps=20), pre)
    data = tmp_path / "odd.csv"
    data.write_text("a,b,color,size\n4.5,20,red,M\n,70,purple,\n6,,Red,L\n")
    out = subprocess.run([sys.executable, str(script), str(data)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stderr.splitlines() == [
        f"note: 'a': 1 missing value filled with the training mean {fill['a']:.6g}",
        f"note: 'b': 1 missing value filled with the training mean {fill['b']:.6g}",
        "note: 'color': 2 values never seen in training ('purple', 'Red'), encoded as none of its categories",
        f"note: 'size': 1 missing value filled with the most frequent one, '{fill['size']}'",
    ]
    assert len(pre.input_notes(read_csv(data).frame)) == 4            # what predict says of the same file
    (tmp_path / "head.csv").write_text("a,b,color,size\n")
    out = subprocess.run([sys.executable, str(script), str(tmp_path / "head.csv")], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 2 and out.stderr.strip() == f"error: {tmp_path / 'head.csv'} has no data rows to predict"


def test_the_script_says_gaps_in_many_columns_in_one_note_as_predict_does(tmp_path):
    from core.data import build_dataset, from_frame, read_csv

    rng = np.random.default_rng(0)
    years = {f"y{y}": rng.normal(size=40).round(3) for y in range(2000, 2008)}
    frame = pd.DataFrame({**years, "rich": rng.choice(["no", "yes"], 40)})
    ds = build_dataset(from_frame(frame, "years"), targets=["rich"], val_split=0)
    script = export_model(tmp_path / "m.py", _fit(ds, steps=5), ds.preprocessor)
    data = tmp_path / "gaps.csv"
    data.write_text(",".join(years) + "\n" + ",".join([""] * 4 + ["0.5"] * 4) + "\n" + ",".join(["0.1"] * 8) + "\n")
    out = subprocess.run([sys.executable, str(script), str(data)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stderr.splitlines() == ["note: 4 columns ('y2000', 'y2001', 'y2002', …): 4 missing values filled "
                                       "with each column's training mean"]
    assert ds.preprocessor.input_notes(read_csv(data).frame) == [
        "4 columns ('y2000', 'y2001', 'y2002', …): 4 missing values filled with each column's training mean"]


def test_the_script_reads_a_row_cut_short_as_predict_does_and_says_so(tmp_path):
    from core.data import read_csv

    ds = _dataset("multiclass")
    script = export_model(tmp_path / "m.py", _fit(ds, steps=5), ds.preprocessor)
    data = tmp_path / "cut.csv"
    data.write_text("a,b,color,size\n4.5,20,red,M\n5,30,blue,S\n6,40\n")
    out = subprocess.run([sys.executable, str(script), str(data)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stderr.splitlines()[0] == ("note: row 3 holds 2 of the 4 fields of the header: the cells it leaves "
                                          "out at the end are read as missing")
    table = read_csv(data)
    assert table.n_rows == 3 and table.frame["color"].isna().tolist() == [False, False, True]
    assert "line 4 holds 2 of the 4 fields of the header: the cells it leaves out at the end are read as missing" \
        in table.notes
    assert len(out.stdout.strip().splitlines()) == 4      # a header and a prediction for every row


def test_the_scripts_out_file_is_replaced_whole_or_not_at_all(tmp_path):
    ds = _dataset("multiclass")
    script = export_model(tmp_path / "m.py", _fit(ds, steps=5), ds.preprocessor)
    data = tmp_path / "rows.csv"
    data.write_text("a,b,color,size\n4.5,20,red,M\n5,30,blue,S\n")
    previous = tmp_path / "preds.csv"
    previous.write_text("the previous predictions\n")
    run = lambda out: subprocess.run([sys.executable, str(script), str(data), "--out", str(out)],
                                     capture_output=True, text=True, timeout=60)
    result = run(previous)
    assert result.returncode == 0, result.stderr
    assert previous.read_text().splitlines()[0].startswith("predicted_") and len(previous.read_text().splitlines()) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.py", "preds.csv", "rows.csv"]   # no file left behind
    missing = run(tmp_path / "nowhere" / "p.csv")
    assert missing.returncode == 2 and missing.stderr.strip().splitlines() == [
        f"error: cannot write {tmp_path / 'nowhere' / 'p.csv'}: the folder {tmp_path / 'nowhere'} does not exist"]
    (tmp_path / "taken").mkdir()                          # the write itself fails: one line, nothing left over
    taken = run(tmp_path / "taken")
    assert taken.returncode == 2 and "Traceback" not in taken.stderr
    assert taken.stderr.strip().endswith("nothing was changed") and len(taken.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.py", "preds.csv", "rows.csv", "taken"]


def test_the_script_says_what_predict_says_of_the_same_file(tmp_path):
    # renamed columns, a word in a number column, unseen categories and gaps: the same notes, counted alike
    ds = _dataset("multiclass")
    net = _fit(ds, steps=5)
    export_model(tmp_path / "m.npz", net, ds.preprocessor)
    script = export_model(tmp_path / "m.py", net, ds.preprocessor)
    rows = ["A,B,Color,Size", "4.5,20,red,M", "abc,70,purple,", "6,,Red,L", "1000000,20,red,M"] + [
        f"{i},{i * 3},blue,S" for i in range(12)]
    data = tmp_path / "new.csv"
    data.write_text("\n".join(rows) + "\n")
    said = subprocess.run([sys.executable, str(Path(__file__).resolve().parents[2] / "main.py"), "predict",
                           str(tmp_path / "m.npz"), str(data)], capture_output=True, text=True, timeout=60)
    ran = subprocess.run([sys.executable, str(script), str(data)], capture_output=True, text=True, timeout=60)
    assert said.returncode == 0 == ran.returncode, (said.stderr, ran.stderr)
    by_predict = [regex_sub(r" \(line \d+\)", "", line) for line in said.stderr.splitlines()]
    assert sorted(ran.stderr.splitlines()) == sorted(by_predict), (ran.stderr, said.stderr)
    assert any(line.startswith("note: columns read as the model's inputs: 'A' as 'a'") for line in by_predict)
    assert any(line.startswith("note: 'a': 1 value far outside the training data (such as 1e+06;") for line in by_predict)
