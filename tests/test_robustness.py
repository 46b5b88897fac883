"""Trying to break the command line: every error a user can cause is one plain line on stderr and exit
code 2, and a model file that cannot be used is refused without being touched.

Most cases call main.main() in-process (the same code path as `python main.py`, a hundred times faster);
a few run the real interpreter to prove the process exit code and that nothing prints a traceback.
"""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest

import core.data
import main as cli
from core.errors import BackpropError, DataError, ResourceError
from tests.conftest import ROOT


def run_inline(capsys, *args):
    """(exit code, stderr lines) of `main.py ARGS` run in this process."""
    code = cli.main([str(a) for a in args])
    err = capsys.readouterr().err
    return code, err.strip().splitlines()


def assert_one_line(code, lines, fragment=""):
    assert code == 2, lines
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith("error: ") and fragment.lower() in line.lower(), line
    assert "Traceback" not in line and "unexpected" not in line, "a user error, not a bug"


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- one line and exit 2 per error class --------------------------------------------------------------

def write(path, data):
    (path.write_bytes if isinstance(data, bytes) else path.write_text)(data)
    return path


BAD_CSVS = {
    "binary": (b"\x00\x01\x02\xff" * 500, ""),
    "xlsx": (b"PK\x03\x04" + b"\x00" * 100, "zip"),
    "empty": ("", "empty"),
    "header_only": ("a,b,c\n", "no data"),
    "ragged": ("a,b,c\n1,2,3\n4,5\n6,7,8,9\n", "line"),
    "unclosed_quote": ('a,b\n1,"2\n3,4\n', "quote"),
    "inf_value": ("a,b\n1,2\n3,inf\n4,5\n", ""),
    "one_column": ("a\n1\n2\n3\n", ""),
}


@pytest.mark.parametrize("name", sorted(BAD_CSVS))
def test_bad_csv(capsys, tmp_path, name):
    data, fragment = BAD_CSVS[name]
    path = write(tmp_path / f"{name}.csv", data)
    code, lines = run_inline(capsys, "train", path, "--epochs", "2", "--quiet")
    assert_one_line(code, lines, fragment)


def test_a_folder_or_a_missing_file_as_data(capsys, tmp_path):
    assert_one_line(*run_inline(capsys, "train", tmp_path, "--epochs", "2"))
    assert_one_line(*run_inline(capsys, "train", tmp_path / "gone.csv", "--epochs", "2"), "no such file")


@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
    """A trained XOR model in every loadable format, written once."""
    folder = tmp_path_factory.mktemp("models")
    for suffix in ("json", "npz", "safetensors"):
        assert cli.main(["train", "--example", "xor", "--layers", "3", "--epochs", "30", "--quiet",
                         "--export", str(folder / f"xor.{suffix}")]) == 0
    data = write(folder / "xor.csv", "x1,x2\n0,0\n0,1\n1,0\n1,1\n")
    return folder, data


def test_unwritable_export_path_under_a_regular_file(capsys, tmp_path, model_files):
    folder, _ = model_files
    blocker = write(tmp_path / "not_a_folder", "I am a file")
    for suffix in ("npz", "json", "csv", "zip", "safetensors", "onnx", "py"):
        target = blocker / f"model.{suffix}"
        code, lines = run_inline(capsys, "train", "--example", "xor", "--epochs", "3", "--quiet",
                                 "--export", target)
        assert_one_line(code, lines)
        code, lines = run_inline(capsys, "export", folder / "xor.npz", target)
        assert_one_line(code, lines)
        assert blocker.read_text() == "I am a file"
    code, lines = run_inline(capsys, "predict", folder / "xor.json", model_files[1], "--out",
                             blocker / "predictions.csv")
    assert_one_line(code, lines)


def test_divergence(capsys):
    code, lines = run_inline(capsys, "train", "--example", "sine", "--lr", "1e6", "--quiet")
    assert_one_line(code, lines, "diverged at epoch 1")
    assert "learning rate" in lines[0]


def test_oversized_network_is_refused_before_allocating(capsys):
    code, lines = run_inline(capsys, "train", "--example", "xor", "--layers", "100000,100000")
    assert_one_line(code, lines, "10,000,")          # the parameter count (10^10) …
    assert "GB" in lines[0] and "limit" in lines[0]   # … the estimate and the budget


def test_bad_options(capsys):
    for args, fragment in ((["train", "--example", "xor", "--epochs", "-3"], "epochs"),
                           (["train", "--example", "xor", "--val-split", "1.5"], "val-split"),
                           (["train", "--example", "xor", "--batch-size", "x"], "batch-size"),
                           (["train", "--example", "xor", "--target-error", "-1"], "target error"),
                           (["train", "--example", "xor", "--layers", "0,-2"], "neuron"),
                           (["predict"], "required"),
                           (["export", "a.npz"], "required")):
        assert_one_line(*run_inline(capsys, *args), fragment)


# ---- the process itself ----------------------------------------------------------------------------------

@pytest.mark.parametrize("args,fragment", [
    (["train", "--example", "sine", "--lr", "1e6"], "diverged"),
    (["train", "--example", "xor", "--layers", "100000,100000"], "parameters"),
    (["train", str(ROOT / "main.py")], ""),            # Python source is not a table
])
def test_real_process_exit_code(args, fragment):
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in result.stderr, result.stderr


# ---- hand-edited model files ---------------------------------------------------------------------------

def _json_edits():
    """name → function(document) → edited document (or raw text/bytes)."""
    def arch(doc):
        return doc["metadata"]["architecture"]

    def edit(fn):
        def apply(doc):
            doc = copy.deepcopy(doc)
            fn(doc)                     # edits in place (what it returns, e.g. a popped value, is ignored)
            return doc
        return apply

    return {
        "weights_row_dropped": edit(lambda d: d["weights"][0].pop()),
        "weights_transposed": edit(lambda d: d["weights"].__setitem__(0, np.array(d["weights"][0]).T.tolist())),
        "extra_column": edit(lambda d: [row.append(0.5) for row in d["weights"][1]]),
        "bias_too_long": edit(lambda d: d["biases"][0].append(0.0)),
        "layer_missing": edit(lambda d: (d["weights"].pop(), d["biases"].pop())),
        "layer_sizes_disagree": edit(lambda d: arch(d).__setitem__("layer_sizes", [2, 5, 1])),
        "no_weights_key": edit(lambda d: d.pop("weights")),
        "no_biases_key": edit(lambda d: d.pop("biases")),
        "no_metadata": edit(lambda d: d.pop("metadata")),
        "no_architecture": edit(lambda d: d["metadata"].pop("architecture")),
        "no_layer_sizes": edit(lambda d: arch(d).pop("layer_sizes")),
        "no_format_version": edit(lambda d: d["metadata"].pop("format_version")),
        "no_format": edit(lambda d: d["metadata"].pop("format")),
        "nan_weight": edit(lambda d: d["weights"][0][0].__setitem__(0, float("nan"))),
        "inf_bias": edit(lambda d: d["biases"][1].__setitem__(0, float("inf"))),
        # (a quoted number such as "0.5" is read as the number: numpy converts it, and that is harmless)
        "word_for_weight": edit(lambda d: d["weights"][0][0].__setitem__(0, "heavy")),
        "nan_as_text": edit(lambda d: d["weights"][0][0].__setitem__(0, "NaN")),
        "null_weight": edit(lambda d: d["weights"][0][0].__setitem__(0, None)),
        "weights_not_a_list": edit(lambda d: d.__setitem__("weights", "W")),
        "ragged_matrix": edit(lambda d: d["weights"][0][0].append(1.0)),
        "newer_major_version": edit(lambda d: d["metadata"].__setitem__("format_version", "2.0")),
        "far_future_version": edit(lambda d: d["metadata"].__setitem__("format_version", "99.7")),
        "version_not_a_string": edit(lambda d: d["metadata"].__setitem__("format_version", [1])),
        "other_format": edit(lambda d: d["metadata"].__setitem__("format", "keras")),
        "unknown_activation": edit(lambda d: arch(d).__setitem__("activations", ["swish", "sigmoid"])),
        "unknown_loss": edit(lambda d: arch(d).__setitem__("loss", "hinge")),
        "negative_layer": edit(lambda d: arch(d).__setitem__("layer_sizes", [2, -3, 1])),
        "unknown_dtype": edit(lambda d: arch(d).__setitem__("dtype", "float8")),
        "ten_billion_parameters": edit(lambda d: arch(d).update(layer_sizes=[2, 100000, 100000, 1],
                                                                activations=["tanh", "tanh", "sigmoid"])),
        "preprocessing_no_inputs": edit(lambda d: d["metadata"]["preprocessing"].pop("inputs")),
        "preprocessing_wrong_width": edit(lambda d: d["metadata"]["preprocessing"]["inputs"].pop()),
        "metadata_is_a_list": edit(lambda d: d.__setitem__("metadata", [1, 2])),
        "document_is_a_list": lambda d: [d["weights"], d["biases"]],
        "truncated": lambda d: json.dumps(d)[: len(json.dumps(d)) // 2],
        "empty": lambda d: "",
        "binary": lambda d: b"\x00\xff\xfe" * 100,
    }


JSON_EDITS = _json_edits()
# What the message must name, for the edits the issue lists (the rest: any one-line refusal).
JSON_EXPECT = {
    "weights_row_dropped": "does not fit", "weights_transposed": "does not fit", "extra_column": "does not fit",
    "bias_too_long": "does not fit", "layer_missing": "missing", "layer_sizes_disagree": "does not fit",
    "no_weights_key": "no weights", "no_biases_key": "no weights", "no_metadata": "no description",
    "no_architecture": "architecture", "nan_weight": "NaN", "inf_bias": "infinite", "nan_as_text": "NaN",
    "newer_major_version": "newer", "far_future_version": "newer", "ten_billion_parameters": "parameters",
}


def _assert_refused(capsys, model_files, path, name):
    folder, data = model_files
    before = digest(path)
    out = path.parent / f"{name}-predictions.csv"
    code, lines = run_inline(capsys, "predict", path, data, "--out", out)
    assert_one_line(code, lines)
    assert digest(path) == before, "the model file was changed"
    assert not out.exists()
    exported = path.parent / f"{name}-copy.npz"
    code, lines = run_inline(capsys, "export", path, exported)
    assert_one_line(code, lines)
    assert digest(path) == before and not exported.exists()
    return lines[0]


@pytest.mark.parametrize("name", sorted(JSON_EDITS))
def test_hand_edited_json_model(capsys, tmp_path, model_files, name):
    folder, _ = model_files
    doc = json.loads((folder / "xor.json").read_text())
    edited = JSON_EDITS[name](doc)
    path = tmp_path / "edited.json"
    if isinstance(edited, bytes):
        path.write_bytes(edited)
    else:
        path.write_text(edited if isinstance(edited, str) else json.dumps(edited))
    line = _assert_refused(capsys, model_files, path, name)
    assert JSON_EXPECT.get(name, "").lower() in line.lower(), line


def _npz_edits():
    def arrays(path):
        with np.load(path, allow_pickle=False) as f:
            return {k: f[k] for k in f.files}

    def meta_edit(fn):
        def apply(a):
            meta = json.loads(str(a["metadata"]))
            fn(meta)
            a["metadata"] = np.array(json.dumps(meta))
        return apply

    return arrays, {
        "W0_wrong_shape": lambda a: a.__setitem__("W0", a["W0"][:, :-1]),
        "b1_missing": lambda a: a.pop("b1"),
        "W1_missing": lambda a: a.pop("W1"),
        "extra_layer": lambda a: (a.__setitem__("W2", np.ones((1, 1), np.float32)),
                                  a.__setitem__("b2", np.ones(1, np.float32))),
        "nan_weight": lambda a: a["W0"].__setitem__((0, 0), np.nan),
        "integer_weights": lambda a: a.__setitem__("W0", a["W0"].astype(np.int64)),
        "string_weights": lambda a: a.__setitem__("W0", a["W0"].astype(str)),
        "no_metadata": lambda a: a.pop("metadata"),
        "metadata_not_json": lambda a: a.__setitem__("metadata", np.array("{not json")),
        "newer_version": meta_edit(lambda m: m.__setitem__("format_version", "3.0")),
        "missing_architecture": meta_edit(lambda m: m.pop("architecture")),
    }


@pytest.mark.parametrize("name", sorted(_npz_edits()[1]))
def test_hand_edited_npz_model(capsys, tmp_path, model_files, name):
    folder, _ = model_files
    read, edits = _npz_edits()
    a = read(folder / "xor.npz")
    edits[name](a)
    path = tmp_path / "edited.npz"
    np.savez(path, **a)
    _assert_refused(capsys, model_files, path, name)


@pytest.mark.parametrize("cut", [0, 10, 100, 0.5, -1])
def test_truncated_binary_models(capsys, tmp_path, model_files, cut):
    folder, _ = model_files
    for suffix in ("npz", "safetensors"):
        data = (folder / f"xor.{suffix}").read_bytes()
        n = int(len(data) * cut) if isinstance(cut, float) else (len(data) + cut if cut < 0 else cut)
        path = write(tmp_path / f"cut.{suffix}", data[:n])
        _assert_refused(capsys, model_files, path, f"cut-{suffix}")


def test_the_untouched_models_still_predict(capsys, tmp_path, model_files):
    """The baseline the edits start from is good: each failure above comes from the edit."""
    folder, data = model_files
    for suffix in ("json", "npz", "safetensors"):
        out = tmp_path / f"{suffix}.csv"
        assert cli.main(["predict", str(folder / f"xor.{suffix}"), str(data), "--out", str(out)]) == 0
        assert len(out.read_text().splitlines()) == 5
    capsys.readouterr()


# ---- a CSV larger than memory allows ----------------------------------------------------------------

@pytest.fixture
def csv_1mb(tmp_path):
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(20_000, 5))
    lines = ["a,b,c,d,y"] + [",".join(f"{v:.5f}" for v in row) for row in rows]
    return write(tmp_path / "numbers.csv", "\n".join(lines) + "\n")


def test_a_csv_over_the_data_budget_is_refused_before_it_is_read(monkeypatch, csv_1mb):
    need = 20_000 * 5 * 4                         # the float32 matrix: 400 KB
    monkeypatch.setattr(core.data, "DATA_BUDGET_BYTES", need // 2)
    import pandas
    monkeypatch.setattr(pandas, "read_csv", lambda *a, **k: pytest.fail("the file was parsed"))
    progress = []
    with pytest.raises(core.data.DataTooLarge) as caught:
        core.data.read_csv(csv_1mb, progress=progress.append)
    exc = caught.value
    assert isinstance(exc, DataError) and isinstance(exc, ResourceError) and isinstance(exc, BackpropError)
    message = str(exc)
    assert "\n" not in message and "numbers.csv" in message
    estimate = float(message.split("about ")[2].split(" KB")[0])
    assert 0.8 * need / 1024 < estimate < 1.25 * need / 1024, message    # the estimate is close
    assert "195.3 KB allowed" in message and "BACKPROP_STUDIO_DATA_BUDGET" in message
    assert progress in ([], [0.0])


def test_a_csv_within_the_budget_loads(monkeypatch, csv_1mb):
    monkeypatch.setattr(core.data, "DATA_BUDGET_BYTES", 2 * 20_000 * 5 * 4)
    table = core.data.read_csv(csv_1mb)
    assert len(table.frame) == 20_000


def test_a_csv_over_the_budget_from_the_command_line(capsys, monkeypatch, csv_1mb):
    monkeypatch.setattr(core.data, "DATA_BUDGET_BYTES", 100_000)
    code, lines = run_inline(capsys, "train", csv_1mb, "--epochs", "1")
    assert_one_line(code, lines, "allowed for data")


def test_the_data_budget_comes_from_the_environment(csv_1mb):
    code = ("import core.data, sys\n"
            "try:\n    core.data.read_csv(sys.argv[1])\n"
            "except core.data.DataTooLarge as e:\n    print(e.__class__.__name__)\n")
    env = {"BACKPROP_STUDIO_DATA_BUDGET": "50000", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code, str(csv_1mb)], capture_output=True, text=True,
                            cwd=ROOT, env=env, timeout=60)
    assert result.stdout.strip() == "DataTooLarge", result.stderr


def test_a_failed_export_at_the_end_of_training_keeps_the_trained_model(tmp_path, capsys, monkeypatch):
    # `train --export m.onnx` that could not write the ONNX file lost the whole run
    import core.export
    from core.errors import ExportError

    real = core.export.export_model

    def no_onnx(path, *args, **kwargs):
        if str(path).endswith(".onnx"):
            raise ExportError("The ONNX graph failed validation: something ONNX refuses.")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(core.export, "export_model", no_onnx)
    (tmp_path / "m.npz").write_bytes(b"the user's earlier model")              # never overwritten
    code, lines = run_inline(capsys, "train", "--example", "xor", "--epochs", "20", "--quiet",
                             "--export", tmp_path / "m.onnx")
    assert_one_line(code, lines, "The trained model was saved as")
    assert f"saved as {tmp_path / 'm-1.npz'} instead; 'main.py export {tmp_path / 'm-1.npz'} {tmp_path / 'm.onnx'}'" \
        in lines[0]
    assert (tmp_path / "m.npz").read_bytes() == b"the user's earlier model"
    kept = core.export.load_model(tmp_path / "m-1.npz")                      # the run itself, ready to use
    assert kept.network.layer_sizes[0] == 2 and kept.network.layer_sizes[-1] == 1


@pytest.mark.parametrize("name,fragment", [("nowhere/m.onnx", "the folder"), ("m.txt", "unknown format '.txt'")])
def test_an_export_path_that_cannot_be_written_is_refused_before_training(tmp_path, capsys, monkeypatch, name,
                                                                          fragment):
    # a missing folder was found after the run (hours, for a big file) and nothing was kept
    import core.training
    runs = []
    monkeypatch.setattr(core.training, "train", lambda *args, **kwargs: runs.append(args) or iter(()))
    code, lines = run_inline(capsys, "train", "--example", "xor", "--epochs", "20", "--quiet",
                             "--export", tmp_path / name)
    assert_one_line(code, lines, fragment)
    assert runs == [] and list(tmp_path.iterdir()) == []
