"""Trained models out of the app and back in: NPZ, JSON, CSV (folder or zip), safetensors, ONNX and a
standalone numpy script.

Every file states what it is: a metadata record (format name and version, app version, creation date,
architecture, feature/class/output names, the preprocessing as `Preprocessor.to_dict()`) travels in each
format — an npz entry, a JSON key, a CSV-folder file, the safetensors header, ONNX metadata_props, the
script's source. Shapes follow core.network: weights[i] (fan_in, fan_out), biases[i] (fan_out,).

numpy is the only import at module level: pandas, onnx and safetensors load inside the functions that
need them, so importing this module stays cheap for the GUI and the CLI.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from core.atomic import atomic_write, atomic_write_dir, check_folder
from core.errors import (BackpropError, ConfigError, DataError, ExportError, ModelFileError,
                         check_file_format)
from core.network import Network

FORMATS = {".npz", ".json", ".csv", ".zip", ".safetensors", ".onnx", ".py"}
LOADABLE = (".npz", ".json", ".safetensors", ".zip", ".csv (folder)", ".bpstudio")
MODEL_FORMAT = "backprop-studio-model"
MODEL_FORMAT_VERSION = "1.0"       # major.minor: a newer major cannot be read, a newer minor can
ONNX_OPSET = 17
ONNX_ML_OPSET = 3                  # ai.onnx.ml (LabelEncoder for text inputs), released with opset 17
ONNX_MAX_BYTES = 2_000_000_000     # a ModelProto cannot serialise past 2 GB
ONNX_IR_VERSION = 8                # the IR that came with opset 17: runtimes from 2022 on can load it
METADATA_NAME = "metadata.json"    # inside the CSV folder / zip


@dataclass
class LoadedModel:
    """A network read back from a file, with the preprocessing it was trained with (None if the file
    had none) and the file's metadata record."""
    network: Network
    preprocessor: Any | None
    metadata: dict = field(default_factory=dict)


# ---- metadata ---------------------------------------------------------------------------------------

def _names(network: Network, preprocessor) -> tuple[list[str], list[str] | None, list[str]]:
    """(feature names, class names or None, output names) — generic x1…/y1… without preprocessing."""
    n_in, n_out = network.layer_sizes[0], network.layer_sizes[-1]
    if preprocessor is None:
        return [f"x{i + 1}" for i in range(n_in)], None, [f"y{i + 1}" for i in range(n_out)]
    features = [str(n) for n in preprocessor.feature_names]
    outputs = [str(n) for n in preprocessor.output_names]
    classes = preprocessor.class_names
    classes = None if classes is None else [str(c) for c in classes]
    if len(features) != n_in or len(outputs) != n_out:
        raise ExportError(
            f"The preprocessing makes {len(features)} inputs and {len(outputs)} outputs but the network has "
            f"{n_in} and {n_out}; retrain the network on this data before exporting.")
    return features, classes, outputs


def build_metadata(network: Network, preprocessor=None, *, file_format: str,
                   extra: dict | None = None) -> dict:
    """The record every export carries (plain JSON data)."""
    import core

    features, classes, outputs = _names(network, preprocessor)
    meta = {
        "format": MODEL_FORMAT,
        "format_version": MODEL_FORMAT_VERSION,
        "file_format": file_format,
        "app": "Backprop Studio",
        "app_version": core.__version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "architecture": network.architecture(),
        "task": None if preprocessor is None else preprocessor.task,
        "input_columns": (list(features) if preprocessor is None
                          else [str(c) for c in preprocessor.input_columns]),
        "target_columns": (None if preprocessor is None
                           else [str(c) for c in preprocessor.target_columns]),
        "feature_names": features,
        "class_names": classes,
        "output_names": outputs,
        "preprocessing": None if preprocessor is None else preprocessor.to_dict(),
        "forward_pass": _forward_pass(network, classes, preprocessor),
        "extra": dict(extra or {}),
    }
    try:
        json.dumps(meta, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ExportError(f"The model description cannot be written as JSON ({exc}).") from None
    return meta


def _forward_pass(network: Network, classes, preprocessor=None) -> dict:
    """What the architecture's names leave out, so that another tool can compute the outputs from the file
    alone: how 'preprocessing' turns a row into x, the layer rule, the constants of leaky_relu and elu, sign
    at 0, and what the outputs mean."""
    from core.activations import ELU_ALPHA, LEAKY_SLOPE

    notes = {"layer": "a = x · W + b, O = f(a), with W fan_in × fan_out and b the bias θ; x is the row "
                      "scaled and one-hot encoded as 'preprocessing' says",
             "leaky_relu": f"f(a) = a for a > 0, {LEAKY_SLOPE:g} · a otherwise",
             "elu": f"f(a) = a for a > 0, {ELU_ALPHA:g} · (exp(a) − 1) otherwise",
             "sign": "f(a) = +1 for a ≥ 0, −1 otherwise",
             "softplus": "f(a) = ln(1 + exp(a))"}
    if classes and len(classes) == 2 and network.layer_sizes[-1] == 1:
        notes["output"] = (f"one sigmoid output: P({classes[1]}), the second class; P({classes[0]}) = 1 − output; "
                           "a class is predicted where its probability is the larger")
    elif classes:
        notes["output"] = "output k is P(class_names[k]); the class with the largest probability is predicted"
    if preprocessor is not None:
        notes["inputs"] = (
            "x is built column by column in the order of preprocessing.inputs: a numeric column gives "
            "(value − offset) / scale, with its 'fill' for a missing value (a column with a 'unit' read "
            "'1248 CC' as 1248); a categorical column gives one 0/1 feature per entry of its 'categories', in "
            "that order, 1 where the cell is that category, all 0 for a value never seen in training, and a "
            "missing cell counts as its 'fill' category (all 0 when fill is null); a cell spelt as one of "
            "'missing_tokens' is missing. A cell is compared without the spaces around it; a category 'True' "
            "or 'False' is also found as TRUE/true and FALSE/false (R and Excel write them so), a category "
            "that is a number also as that number written otherwise ('3' as 3.0). A numeric cell is read "
            "with preprocessing's 'decimal' mark (',' for a decimal comma) and without a currency sign, "
            "thousands separators, a '%' or its column's 'unit'. The app computes in preprocessing's 'dtype' "
            "(float32: a date's year number is rounded to it before scaling); float64 arithmetic agrees to "
            "about 1e-4 relative")
        if any(c.get("kind") == "date" for c in preprocessor.to_dict()["inputs"]):
            notes["dates"] = (
                "an input of kind 'date' is one number of its column's dates, each cell read with the strptime "
                "format 'date_format' (or, for dates written as numbers, '#excel': days since 1899-12-30 with "
                "the time of day as a fraction, '#unix': seconds since 1970-01-01 UTC, '#unix-ms': "
                "milliseconds, '#quarter': '2011Q2' is 2011-04-01, '#week': ISO week '2011-W06' is its Monday): 'part' year is the year plus the fraction of it gone by (2011.5 is early "
                "July), month 1-12, day 1-31, weekday 0 (Monday) to 6, hour 0-24 with the minutes as a fraction; "
                "then (number, or 'fill' when the cell is missing or no such date, − offset) / scale")
        notes["missing_tokens"] = _missing_tokens()
        if preprocessor.task == "regression":
            notes["output"] = ("output k is scaled: the prediction in the target's units is "
                               "output_k · preprocessing.targets[k].std + preprocessing.targets[k].mean")
    return notes


def _check_metadata(meta: Any, source: str) -> dict:
    check_file_format(meta, MODEL_FORMAT, MODEL_FORMAT_VERSION, source, "model")
    if not isinstance(meta.get("architecture"), dict):
        raise ModelFileError(f"{source} does not describe its network architecture.")
    return meta


def _network_from_metadata(meta: dict, source: str) -> Network:
    try:
        return Network.from_architecture(meta["architecture"])
    except (ConfigError, KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{source} describes a network this app cannot build ({exc}).") from None


def _preprocessor_from_metadata(meta: dict, source: str):
    pre = meta.get("preprocessing")
    if pre is None:
        return None
    from core.data import Preprocessor

    try:
        return Preprocessor.from_dict(pre)
    except BackpropError as exc:
        text = str(exc)
        raise ModelFileError(f"{source}: {text[:1].lower()}{text[1:]}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{source} has damaged preprocessing settings ({exc}).") from None


# ---- export -----------------------------------------------------------------------------------------

def _check_exportable(network: Network) -> None:
    if not network.params_finite():
        raise ExportError("The network has NaN or infinite weights; reset or retrain it before exporting.")


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(
            f"Cannot export to '{path.name}': unknown format '{suffix or '(none)'}'. "
            f"Use one of: {', '.join(sorted(FORMATS))}.")
    return suffix


def check_export_path(path) -> None:
    """ExportError now if `path` cannot take a model (unknown suffix, missing folder): `train --export`
    asks before training, as a run of hours was lost when the folder turned out to be missing after it."""
    path = Path(path)
    check_folder(path, f"the model ({_format_of(path)})")


def export_model(path, network: Network, preprocessor=None, *, extra: dict | None = None) -> Path:
    """Write `network` (and the preprocessing it was trained with) to `path`; the suffix picks the format.

    ".csv" writes a folder named like `path` without its suffix, ".zip" the same folder zipped.
    Returns the path written (the folder for ".csv"). The write is atomic: on any error the previous
    file is unchanged and ExportError explains what went wrong in one line.
    """
    path = Path(path)
    suffix = _format_of(path)
    _check_exportable(network)
    meta = build_metadata(network, preprocessor, file_format=suffix.lstrip("."), extra=extra)
    what = f"the model ({suffix})"
    if suffix == ".npz":
        return atomic_write(path, lambda f: _write_npz(f, network, meta), what=what)
    if suffix == ".json":
        return atomic_write(path, _json_text(network, meta).encode("utf-8"), what=what)
    if suffix == ".csv":
        folder = path.with_suffix("")
        return atomic_write_dir(folder, lambda tmp: _write_csv_files(tmp, network, meta), what=what)
    if suffix == ".zip":
        return atomic_write(path, lambda f: _write_csv_zip(f, path.stem, network, meta), what=what)
    if suffix == ".safetensors":
        return atomic_write(path, _safetensors_bytes(network, meta), what=what)
    if suffix == ".onnx":
        if network.n_parameters * 4 > ONNX_MAX_BYTES:
            raise ExportError("The network is too large for an ONNX file (protobuf's 2 GB limit); "
                              "export it as .npz or .safetensors instead.")
        model = onnx_model(network, preprocessor, meta)
        return atomic_write(path, model.SerializeToString(), what=what)
    return atomic_write(path, script_source(network, preprocessor, meta).encode("utf-8"), what=what)


def export_notes(path, network: Network, preprocessor=None) -> list[str]:
    """Plain-language caveats of exporting to `path`, for the GUI/CLI to show next to the result."""
    notes = []
    if Path(path).suffix.lower() != ".onnx":
        return notes
    if preprocessor is not None:
        plan = _preprocessing_plan(preprocessor.to_dict())
        if any(c.kind == "date" for c in plan.columns):
            notes.append("ONNX cannot read dates: the graph takes the numbers of each date column ("
                         + ", ".join(c.feature for c in plan.columns if c.kind == "date")
                         + ") in its 'input' tensor, as computed in the model's 'forward_pass' notes.")
        if plan.categorical:
            notes.append("The ONNX model takes the numeric columns as one float32 input and each column of "
                         f"categories ({', '.join(plan.categorical)}) as a string input of its own (a number as its "
                         "text, '3' or '3.0').")
    if network.dtype == np.float64:
        notes.append("ONNX models compute in float32; predictions may differ from the app's float64 "
                     "network from the 6th significant digit on.")
    return notes


def _layer_arrays(network: Network) -> dict[str, np.ndarray]:
    arrays = {}
    for i, (w, b) in enumerate(zip(network.weights, network.biases)):
        arrays[f"W{i}"] = np.ascontiguousarray(w)
        arrays[f"b{i}"] = np.ascontiguousarray(b)
    return arrays


def _write_npz(handle, network: Network, meta: dict) -> None:
    # The metadata is a 0-d unicode array, so np.load(..., allow_pickle=False) can read it back.
    np.savez(handle, metadata=np.array(json.dumps(meta, ensure_ascii=False)), **_layer_arrays(network))


def _float_list(a: np.ndarray):
    # float32 → python float is exact, and json writes python floats with repr: a lossless round trip.
    return a.astype(np.float64).tolist()


def _json_text(network: Network, meta: dict) -> str:
    # Metadata indented for reading; one matrix row per line rather than one number per line.
    def matrix(w):
        rows = ",\n      ".join(json.dumps(row) for row in _float_list(w))
        return "[\n      " + rows + "\n    ]"

    weights = ",\n    ".join(matrix(w) for w in network.weights)
    biases = ",\n    ".join(json.dumps(_float_list(b)) for b in network.biases)
    head = json.dumps({"metadata": meta}, indent=2, ensure_ascii=False)[:-2]   # drop "\n}"
    return f'{head},\n  "weights": [\n    {weights}\n  ],\n  "biases": [\n    {biases}\n  ]\n}}\n'


def neuron_names(network: Network, meta: dict) -> list[list[str]]:
    """Labels of every layer's neurons: features, h<layer>_<j> for hidden neurons, output names."""
    names = [list(meta["feature_names"])]
    for layer, size in enumerate(network.hidden_sizes, start=1):
        names.append([f"h{layer}_{j + 1}" for j in range(size)])
    names.append(list(meta["output_names"]))
    return names


def _csv_tables(network: Network, meta: dict) -> dict[str, str]:
    """File name → CSV text. W<i>.csv: one row per input neuron, one column per output neuron."""
    names = neuron_names(network, meta)
    files = {}
    for i, (w, b) in enumerate(zip(network.weights, network.biases)):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["from \\ to", *names[i + 1]])
        for name, row in zip(names[i], _float_list(w)):
            writer.writerow([name, *map(repr, row)])
        files[f"W{i}.csv"] = out.getvalue()
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["neuron", "bias"])
        for name, value in zip(names[i + 1], _float_list(b)):
            writer.writerow([name, repr(value)])
        files[f"b{i}.csv"] = out.getvalue()
    meta = {**meta, "files": sorted(files, key=lambda n: (int(n[1:-4]), n[0] != "W"))}
    files[METADATA_NAME] = json.dumps(meta, indent=2, ensure_ascii=False) + "\n"
    return files


def _write_csv_files(folder: Path, network: Network, meta: dict) -> None:
    for name, text in _csv_tables(network, meta).items():
        (folder / name).write_text(text, encoding="utf-8")


def _write_csv_zip(handle, stem: str, network: Network, meta: dict) -> None:
    # Files sit in a folder named like the zip so that unzipping does not scatter them.
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in _csv_tables(network, meta).items():
            zf.writestr(f"{stem}/{name}", text)


def _safetensors_bytes(network: Network, meta: dict) -> bytes:
    from safetensors.numpy import save

    # The header holds only str → str; the full record goes in as JSON next to a few readable keys.
    header = {"format": MODEL_FORMAT, "format_version": MODEL_FORMAT_VERSION,
              "app_version": meta["app_version"], "created": meta["created"],
              "backprop_studio": json.dumps(meta, ensure_ascii=False)}
    return save(_layer_arrays(network), metadata=header)


# ---- import -----------------------------------------------------------------------------------------

def _read_file(path: Path) -> tuple[list[np.ndarray], list[np.ndarray], dict | None]:
    """(weights, biases, metadata or None) from any loadable format; ModelFileError on anything else."""
    source = path.name
    if path.is_dir() or (path.suffix.lower() == ".csv" and path.with_suffix("").is_dir()):
        folder = path if path.is_dir() else path.with_suffix("")
        return _read_csv_folder({p.name: p for p in folder.iterdir() if p.is_file()}, folder.name)
    if not path.exists():
        raise ModelFileError(f"The model file {path} does not exist.")
    suffix = path.suffix.lower()
    try:
        if suffix == ".npz":
            return _read_npz(path)
        if suffix == ".json":
            return _read_json(path)
        if suffix == ".safetensors":
            return _read_safetensors(path)
        if suffix == ".zip":
            return _read_csv_zip(path)
    except ModelFileError:
        raise
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile,
            UnicodeDecodeError) as exc:
        # numpy takes a file that is no archive of arrays for a pickle, and says so in words that invite
        # loading it "unsafely": not advice to pass on
        why = "it is no archive of arrays" if "pickled" in str(exc) else _short(exc)
        raise ModelFileError(f"{source} is damaged or not a {suffix} model file ({why}).") from None
    if suffix == ".onnx" or suffix == ".py":
        raise ModelFileError(
            f"{source}: {suffix} exports cannot be loaded back; use a .npz, .json, .safetensors, .csv or .zip export.")
    raise ModelFileError(f"Cannot load '{source}': use one of {', '.join(LOADABLE)}.")


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return text[:120]


def _split_layers(arrays: dict[str, np.ndarray], source: str):
    """W0, b0, W1, b1, … → (weights, biases), checking the sequence is complete."""
    weights, biases = [], []
    while f"W{len(weights)}" in arrays:
        i = len(weights)
        if f"b{i}" not in arrays:
            raise ModelFileError(f"{source} has weights W{i} but no bias b{i}.")
        weights.append(arrays[f"W{i}"])
        biases.append(arrays[f"b{i}"])
    if not weights:
        raise ModelFileError(f"{source} holds no weight matrices (W0, b0, W1, b1, …).")
    return weights, biases


def _read_npz(path: Path):
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    meta = None
    if "metadata" in arrays:
        meta = json.loads(str(arrays.pop("metadata")))
    weights, biases = _split_layers(arrays, path.name)
    return weights, biases, meta


def _read_json(path: Path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or "weights" not in doc or "biases" not in doc:
        raise ModelFileError(f"{path.name} is not a Backprop Studio JSON model (no weights/biases).")
    meta = doc.get("metadata")
    dtype = "float64"
    if isinstance(meta, dict) and isinstance(meta.get("architecture"), dict):
        dtype = meta["architecture"].get("dtype", "float64")
    # python float → float32 is exact for values that were float32 when written.
    weights = [np.array(w, dtype=dtype) for w in doc["weights"]]
    biases = [np.array(b, dtype=dtype) for b in doc["biases"]]
    if len(weights) != len(biases) or not weights:
        raise ModelFileError(f"{path.name} has {len(weights)} weight matrices and {len(biases)} biases.")
    return weights, biases, meta


def _read_safetensors(path: Path):
    from safetensors import SafetensorError
    from safetensors.numpy import safe_open

    try:
        with safe_open(str(path), framework="numpy") as f:
            header = f.metadata() or {}
            arrays = {k: f.get_tensor(k) for k in f.keys()}
    except SafetensorError as exc:
        raise ModelFileError(f"{path.name} is damaged or not a safetensors file ({_short(exc)}).") from None
    meta = json.loads(header["backprop_studio"]) if "backprop_studio" in header else None
    weights, biases = _split_layers(arrays, path.name)
    return weights, biases, meta


def _parse_csv_table(text: str, source: str, name: str) -> tuple[list[str], list[list[float]]]:
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2:
        raise ModelFileError(f"{source}: {name} is empty.")
    try:
        return rows[0], [[float(v) for v in row[1:]] for row in rows[1:]]
    except ValueError as exc:
        raise ModelFileError(f"{source}: {name} holds a value that is not a number ({exc}).") from None


def _read_csv_folder(files: dict[str, Any], source: str):
    """`files` maps file name → Path or zip text; the CSV layout written by _csv_tables."""
    def text(name):
        item = files[name]
        return item.read_text(encoding="utf-8") if isinstance(item, Path) else item

    if METADATA_NAME not in files:
        raise ModelFileError(f"{source} has no {METADATA_NAME}: not a Backprop Studio CSV export.")
    meta = json.loads(text(METADATA_NAME))
    dtype = (meta.get("architecture") or {}).get("dtype", "float64") if isinstance(meta, dict) else "float64"
    weights, biases = [], []
    while f"W{len(weights)}.csv" in files:
        i = len(weights)
        if f"b{i}.csv" not in files:
            raise ModelFileError(f"{source} has W{i}.csv but no b{i}.csv.")
        _, w = _parse_csv_table(text(f"W{i}.csv"), source, f"W{i}.csv")
        _, b = _parse_csv_table(text(f"b{i}.csv"), source, f"b{i}.csv")
        try:
            weights.append(np.array(w, dtype=dtype))
            biases.append(np.array([r[0] for r in b], dtype=dtype))
        except (ValueError, IndexError):
            raise ModelFileError(f"{source}: layer {i + 1} has rows of different lengths.") from None
    if not weights:
        raise ModelFileError(f"{source} holds no weight tables (W0.csv, b0.csv, …).")
    return weights, biases, meta


def _read_csv_zip(path: Path):
    with zipfile.ZipFile(path) as zf:
        files = {}
        for info in zf.infolist():
            if info.is_dir():
                continue
            if info.file_size > 512 * 1024 * 1024:
                raise ModelFileError(f"{path.name} holds an implausibly large file ({info.filename}).")
            files[info.filename.rsplit("/", 1)[-1]] = zf.read(info).decode("utf-8")
    return _read_csv_folder(files, path.name)


def _check_finite(weights, biases, source: str) -> None:
    for i, (w, b) in enumerate(zip(weights, biases)):
        if not (np.issubdtype(w.dtype, np.floating) and np.issubdtype(b.dtype, np.floating)):
            raise ModelFileError(f"{source}: layer {i + 1} does not hold floating-point numbers.")
        if not (np.isfinite(w).all() and np.isfinite(b).all()):
            raise ModelFileError(f"{source}: layer {i + 1} holds NaN or infinite weights.")


def _check_shapes(network: Network, weights, biases, source: str) -> None:
    """ModelFileError naming the first layer (1-based) whose weight or bias shape differs."""
    n = max(len(weights), len(network.weights))
    for i in range(n):
        if i >= len(weights):
            raise ModelFileError(
                f"Layer {i + 1} is missing from {source}: the file has {len(weights)} layers, "
                f"the network {len(network.weights)}.")
        if i >= len(network.weights):
            raise ModelFileError(
                f"{source} has an extra layer {i + 1}: the file has {len(weights)} layers, "
                f"the network {len(network.weights)}.")
        want_w, want_b = network.weights[i].shape, network.biases[i].shape
        if weights[i].shape != want_w or biases[i].shape != want_b:
            raise ModelFileError(
                f"Layer {i + 1} of {source} does not fit: weights {weights[i].shape} / bias "
                f"{biases[i].shape} in the file, the network needs {want_w} / {want_b}.")


def load_model(path) -> LoadedModel:
    """Read a model exported as .npz, .json, .safetensors, or the CSV folder / .zip (or a .bpstudio
    project's current network).

    The network is rebuilt from the file's architecture record and its weights set exactly (same
    dtype, same values); the preprocessing comes back as a Preprocessor when the file has one.
    """
    path = Path(path)
    if path.suffix.lower() == ".bpstudio":
        from core.project import load_project

        return load_project(path).to_loaded_model()
    weights, biases, meta = _read_file(path)
    source = path.name
    if meta is None:
        raise ModelFileError(
            f"{source} holds weights but no description of the network; in the studio, File → Import "
            "Weights… loads them into a network of the same shape.")
    meta = _check_metadata(meta, source)
    network = _network_from_metadata(meta, source)
    _check_finite(weights, biases, source)
    _check_shapes(network, weights, biases, source)
    network.set_params(weights, biases)
    pre = _preprocessor_from_metadata(meta, source)
    if pre is not None and (len(pre.feature_names) != network.layer_sizes[0]
                            or len(pre.output_names) != network.layer_sizes[-1]):
        raise ModelFileError(f"{source} is inconsistent: its preprocessing makes {len(pre.feature_names)} "
                             f"inputs and {len(pre.output_names)} outputs for a {network.layer_sizes} network.")
    return LoadedModel(network, pre, meta)


def load_weights_into(network: Network, path) -> None:
    """Copy weights from a model file into `network` after checking every layer's shape.

    Accepts files without metadata too (any npz/safetensors with W0, b0, W1, b1, …). The network is
    unchanged if anything does not fit.
    """
    path = Path(path)
    weights, biases, meta = _read_file(path)
    if meta is not None:
        _check_metadata(meta, path.name)
    _check_finite(weights, biases, path.name)
    _check_shapes(network, weights, biases, path.name)
    network.set_params(weights, biases)


# ---- prediction -------------------------------------------------------------------------------------

def _probability_columns(outputs: np.ndarray, classes: list[str]) -> np.ndarray:
    """(n, n_classes) probabilities: a single sigmoid output is P(classes[1]), so P(classes[0]) = 1 − p."""
    if outputs.shape[1] == 1 and len(classes) == 2:
        p = outputs[:, 0].astype(np.float64)
        return np.column_stack([1.0 - p, p])
    return outputs.astype(np.float64)


def predict_rows(loaded: LoadedModel, frame) -> "pandas.DataFrame":
    """Predictions for raw rows (DataFrame or list of dicts with the input columns), as the app shows them.

    Classification: "predicted_<target>" (class name) then "p(<class>)" per class. Regression:
    "predicted_<target>" per target, in the target's units. Without preprocessing the frame must hold the
    feature columns, and the columns are "predicted_<output>". The index is the input frame's.
    """
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        frame = pd.DataFrame(frame)
    network, pre, meta = loaded.network, loaded.preprocessor, loaded.metadata
    if pre is None:
        features = meta.get("feature_names") or [f"x{i + 1}" for i in range(network.layer_sizes[0])]
        missing = [c for c in features if c not in frame.columns]
        if missing:
            raise DataError(f"The data lacks the model's input column(s): {', '.join(map(str, missing))}.")
        try:
            X = frame[features].to_numpy(dtype=np.float64)
        except (TypeError, ValueError):
            raise DataError("The model's input columns must hold numbers.") from None
        outputs = network.predict(X)
        names = meta.get("output_names") or [f"y{i + 1}" for i in range(outputs.shape[1])]
        return pd.DataFrame({f"predicted_{n}": outputs[:, j].astype(np.float64) for j, n in enumerate(names)},
                            index=frame.index)
    outputs = network.predict(pre.transform(frame))
    if pre.task == "classification":
        target = pre.target_columns[0]
        classes = [str(c) for c in pre.class_names]
        columns = {f"predicted_{target}": [str(label) for label in pre.predict_labels(outputs)]}
        probabilities = _probability_columns(outputs, classes)
        for j, name in enumerate(classes):
            columns[f"p({name})"] = probabilities[:, j]
        return pd.DataFrame(columns, index=frame.index)
    values = np.asarray(pre.inverse_outputs(outputs), dtype=np.float64).reshape(len(frame), -1)
    return pd.DataFrame({f"predicted_{t}": values[:, j] for j, t in enumerate(pre.target_columns)},
                        index=frame.index)


# ---- preprocessing plan (the numbers ONNX and the script need) ----------------------------------------

@dataclass(frozen=True)
class _Column:
    """One raw input column, as core.data.Preprocessor encodes it.

    numeric: feature = ((x, or `fill` when missing) − offset) / scale, computed in the plan's dtype.
    categorical: one 0/1 feature per entry of `categories`; a missing cell counts as `fill_category`,
    an unseen value gives all zeros.
    """
    name: str
    kind: str
    offset: float = 0.0
    scale: float = 1.0
    fill: float = 0.0
    categories: tuple[str, ...] = ()
    fill_category: str | None = None
    unit: str | None = None             # numeric: cells in another unit count as missing
    part: str | None = None             # date: the number of each cell's date (core.dates.date_part) …
    date_format: str | None = None      # … read with this format (core.dates.read_date); then scaled like a number
    # numbers (and a date's year) beyond [low − far, high + far] are said to lie outside the training data
    low: float | None = None
    high: float | None = None
    far: float | None = None

    @property
    def feature(self) -> str:
        return self.name if self.part is None else f"{self.name}.{self.part}"

    @property
    def width(self) -> int:
        return len(self.categories) if self.kind == "categorical" else 1


@dataclass(frozen=True)
class _Plan:
    columns: tuple[_Column, ...]        # raw input columns; their features concatenate in this order
    task: str                           # "classification" | "regression"
    targets: tuple[str, ...]
    dtype: str = "float32"              # the dtype the preprocessing computes in
    class_names: tuple[str, ...] = ()
    out_mean: tuple[float, ...] = ()    # regression: value = output · out_std + out_mean (float64)
    out_std: tuple[float, ...] = ()

    @property
    def categorical(self) -> list[str]:
        return [c.name for c in self.columns if c.kind == "categorical"]


def _preprocessing_plan(pre_dict: dict) -> _Plan:
    """Adapter from core.data.Preprocessor.to_dict() (format "backprop-studio/preprocessor" v1) to the
    plain numbers of the ONNX graph and the script. ExportError if the layout is not understood."""
    from core.data import DATE_SLACK_YEARS, far_margin

    try:
        columns = []
        scaling = pre_dict.get("scaling", "standardize")
        for c in pre_dict["inputs"]:
            seen = {}
            if c.get("low") is not None and c.get("high") is not None:
                low, high, scale = float(c["low"]), float(c["high"]), float(c["scale"])
                if c["kind"] == "date":
                    far = DATE_SLACK_YEARS if c.get("part") == "year" else None
                else:                                               # as Preprocessor judges it
                    far = far_margin(scaling, scale, low, high)
                seen = {"low": low, "high": high, "far": far} if far is not None else {}
            if c["kind"] == "numeric":
                unit = c.get("unit")
                columns.append(_Column(str(c["name"]), "numeric", float(c["offset"]), float(c["scale"]),
                                       float(c["fill"]), unit=None if unit is None else str(unit), **seen))
            elif c["kind"] == "date":
                columns.append(_Column(str(c["name"]), "date", float(c["offset"]), float(c["scale"]),
                                       float(c["fill"]), part=str(c["part"]), date_format=str(c["date_format"]),
                                       **seen))
            elif c["kind"] == "categorical":
                fill = c.get("fill")
                columns.append(_Column(str(c["name"]), "categorical",
                                       categories=tuple(str(v) for v in c["categories"]),
                                       fill_category=None if fill is None else str(fill)))
            else:
                raise ValueError(f"input kind {c['kind']!r}")
        task = pre_dict["task"]
        targets = tuple(str(t["name"]) for t in pre_dict["targets"])
        plan = _Plan(tuple(columns), task, targets, str(pre_dict.get("dtype", "float32")))
        if task == "classification":
            return _Plan(plan.columns, task, targets, plan.dtype,
                         class_names=tuple(str(c) for c in pre_dict["class_names"]))
        if task == "regression":
            return _Plan(plan.columns, task, targets, plan.dtype,
                         out_mean=tuple(float(t["mean"]) for t in pre_dict["targets"]),
                         out_std=tuple(float(t["std"]) for t in pre_dict["targets"]))
        raise ValueError(f"task {task!r}")
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ExportError(f"The preprocessing settings cannot be exported ({_short(exc)}).") from None


def _number_aliases(categories) -> dict[str, int]:
    """Spellings that find a numeric category by its number, as the app's encoder does: each number's
    plain label (the plain category wins a shared number) and, for an integer, that label with ".0"."""
    from core.data import _by_number

    aliases = {}
    for label, j in _by_number(categories).items():
        aliases[label] = j
        if label.lstrip("+-").isdigit():
            aliases[f"{label}.0"] = j
    return aliases


def _bool_aliases(categories) -> dict[str, int]:
    """A column of TRUE/FALSE (R's write.csv, Excel) is read as booleans, whose categories are "True" and
    "False": the app finds them under TRUE and true too."""
    return {alias: j for j, c in enumerate(categories) if c in ("True", "False") for alias in (c.upper(), c.lower())}


def _missing_tokens() -> list[str]:
    from core.data import NA_TOKENS

    return list(NA_TOKENS)


# ---- ONNX -------------------------------------------------------------------------------------------

def _onnx_activation(name: str, x: str, out: str, helper, consts: dict):
    """ONNX node(s) computing core.activations[name] from tensor `x` into `out`."""
    if name == "sigmoid":
        return [helper.make_node("Sigmoid", [x], [out])]
    if name == "tanh":
        return [helper.make_node("Tanh", [x], [out])]
    if name == "relu":
        return [helper.make_node("Relu", [x], [out])]
    if name == "leaky_relu":
        from core.activations import LEAKY_SLOPE
        return [helper.make_node("LeakyRelu", [x], [out], alpha=LEAKY_SLOPE)]
    if name == "elu":
        from core.activations import ELU_ALPHA
        return [helper.make_node("Elu", [x], [out], alpha=ELU_ALPHA)]
    if name == "softplus":
        return [helper.make_node("Softplus", [x], [out])]
    if name == "linear":
        return [helper.make_node("Identity", [x], [out])]
    if name == "softmax":
        return [helper.make_node("Softmax", [x], [out], axis=-1)]
    if name == "sign":
        # ONNX Sign(0) = 0 but the app's threshold unit gives +1 at 0: Where(x ≥ 0, 1, −1) matches it.
        consts.setdefault("_one", np.array(1.0, np.float32))
        consts.setdefault("_minus_one", np.array(-1.0, np.float32))
        consts.setdefault("_zero", np.array(0.0, np.float32))
        return [helper.make_node("GreaterOrEqual", [x, "_zero"], [out + "_ge0"]),
                helper.make_node("Where", [out + "_ge0", "_one", "_minus_one"], [out])]
    raise ExportError(f"Cannot export the {name} activation to ONNX: ONNX has no matching operator.")


def _onnx_input_names(plan: _Plan | None) -> dict[str, str]:
    """Graph input name per text column (the column's own name, unless it clashes with "input" or an output)."""
    names, taken = {}, {"input", "probabilities", "predictions", "outputs"}    # the graph's inputs and outputs
    for c in (plan.columns if plan else ()):
        if c.kind == "categorical":
            name = c.name
            # "_…" and W<i>/b<i> are the graph's own tensors.
            while name in taken or name.startswith("_") or re.fullmatch(r"[Wb]\d+", name):
                name = f"text_{name}"
            names[c.name] = name
            taken.add(name)
    return names


def onnx_model(network: Network, preprocessor=None, meta: dict | None = None):
    """The network and its preprocessing as an onnx.ModelProto (opset 17, ai.onnx.ml 3).

    Inputs, N rows each:
      "input"  float32 (N, n_numeric): the raw numeric input columns in input-column order, NaN for a
               missing value (filled and scaled inside the graph); without preprocessing, the
               network's features (N, n_in).
      one string tensor (N, 1) per input column of categories (text, or numbers read as categories), named
               after the column: the raw category text
               (exact spelling, no surrounding spaces; "" or "NA" etc. = missing), one-hot encoded
               inside the graph. An unseen value encodes as all zeros, as in the app.
    Output "probabilities" float32 (N, n_classes) for classification, "predictions" float64
    (N, n_targets) in target units for regression, "outputs" float32 (N, n_out) without preprocessing.
    Computes in float32 (a float64 network is rounded to float32).
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    meta = meta or build_metadata(network, preprocessor, file_format="onnx")
    plan = None if preprocessor is None else _preprocessing_plan(preprocessor.to_dict())
    consts: dict[str, np.ndarray] = {}
    nodes, inputs, input_docs = [], [], []
    uses_ml = False
    if plan is None:
        n_in = network.layer_sizes[0]
        inputs.append(helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", n_in]))
        input_docs.append("'input' (N, %d): %s" % (n_in, ", ".join(meta["feature_names"])))
        x = "input"
    else:
        numeric = [c for c in plan.columns if c.kind in ("numeric", "date")]   # a date: its numbers, as given
        text_inputs = _onnx_input_names(plan)
        if numeric:
            inputs.append(helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", len(numeric)]))
            input_docs.append("'input' (N, %d) raw numbers (plain floats: no decimal comma, currency sign, "
                              "thousands separator or unit), NaN = missing: %s"
                              % (len(numeric), ", ".join(c.feature for c in numeric)))
            consts["_fill"] = np.array([c.fill for c in numeric], np.float32)
            consts["_offset"] = np.array([c.offset for c in numeric], np.float32)
            consts["_scale"] = np.array([c.scale for c in numeric], np.float32)
            # The same float32 steps as Preprocessor.transform: fill, subtract, divide.
            nodes += [helper.make_node("IsNaN", ["input"], ["_missing"]),
                      helper.make_node("Where", ["_missing", "_fill", "input"], ["_filled"]),
                      helper.make_node("Sub", ["_filled", "_offset"], ["_centred"]),
                      helper.make_node("Div", ["_centred", "_scale"], ["_numeric"])]
        if not plan.categorical:
            x = "_numeric"
        else:
            uses_ml = True
            missing = _missing_tokens()
            pieces, j_num = [], 0
            for col in plan.columns:
                if col.kind in ("numeric", "date"):
                    consts[f"_col{j_num}"] = np.array([j_num], np.int64)
                    nodes.append(helper.make_node("Gather", ["_numeric", f"_col{j_num}"], [f"_num{j_num}"],
                                                  axis=1))
                    pieces.append(f"_num{j_num}")
                    j_num += 1
                    continue
                name = text_inputs[col.name]
                inputs.append(helper.make_tensor_value_info(name, TensorProto.STRING, ["N", 1]))
                input_docs.append(f"'{name}' (N, 1) text, matched as written (strip the spaces around a "
                                  f"value first), one of: {', '.join(col.categories)}")
                keys = list(col.categories)
                values = list(range(len(keys)))
                # The app also finds a numeric category by its number ("0" finds "0.0", "1000" finds
                # "1e3", "3.0" finds "3"); the graph cannot parse, so the common spellings of each such
                # number are keys of their own: its plain label and, for integers, the label with ".0".
                for alias, k in {**_number_aliases(col.categories), **_bool_aliases(col.categories)}.items():
                    if alias not in keys:
                        keys.append(alias)
                        values.append(k)
                fill = -1 if col.fill_category is None else col.categories.index(col.fill_category)
                for token in missing:
                    if token not in keys:
                        keys.append(token)
                        values.append(fill)
                t = len(pieces)
                consts[f"_range{t}"] = np.arange(len(col.categories), dtype=np.int64)
                nodes += [
                    helper.make_node("LabelEncoder", [name], [f"_code{t}"], domain="ai.onnx.ml",
                                     keys_strings=keys, values_int64s=values, default_int64=-1),
                    helper.make_node("Equal", [f"_code{t}", f"_range{t}"], [f"_hot{t}"]),
                    helper.make_node("Cast", [f"_hot{t}"], [f"_onehot{t}"], to=TensorProto.FLOAT),
                ]
                pieces.append(f"_onehot{t}")
            nodes.append(helper.make_node("Concat", pieces, ["_features"], axis=1))
            x = "_features"
    for i, (w, b, act) in enumerate(zip(network.weights, network.biases, network.activations)):
        consts[f"W{i}"] = w.astype(np.float32)
        consts[f"b{i}"] = b.astype(np.float32)
        nodes += [helper.make_node("MatMul", [x, f"W{i}"], [f"_mm{i}"]),
                  helper.make_node("Add", [f"_mm{i}", f"b{i}"], [f"_a{i}"])]
        nodes += _onnx_activation(act, f"_a{i}", f"_O{i}", helper, consts)
        x = f"_O{i}"
    n_out = network.layer_sizes[-1]
    out_type = TensorProto.FLOAT
    if plan is None:
        out_name, out_doc = "outputs", "network outputs " + ", ".join(meta["output_names"])
        nodes.append(helper.make_node("Identity", [x], [out_name]))
    elif plan.task == "classification":
        out_name, out_doc = "probabilities", "class probabilities " + ", ".join(plan.class_names)
        if n_out == 1 and len(plan.class_names) == 2:
            # One sigmoid output is P(second class); the app lists P(first) = 1 − p too.
            consts["_one"] = np.array(1.0, np.float32)
            nodes += [helper.make_node("Sub", ["_one", x], ["_p_first"]),
                      helper.make_node("Concat", ["_p_first", x], [out_name], axis=1)]
            n_out = 2
        else:
            nodes.append(helper.make_node("Identity", [x], [out_name]))
    else:
        # Un-scaling in float64, as Preprocessor.inverse_outputs: target units can be large numbers
        # whose float32 rounding alone would exceed the app's precision.
        out_name, out_doc = "predictions", "predicted " + ", ".join(plan.targets) + " (original units)"
        out_type = TensorProto.DOUBLE
        consts["_out_std"] = np.array(plan.out_std, np.float64)
        consts["_out_mean"] = np.array(plan.out_mean, np.float64)
        nodes += [helper.make_node("Cast", [x], ["_out64"], to=TensorProto.DOUBLE),
                  helper.make_node("Mul", ["_out64", "_out_std"], ["_unscaled"]),
                  helper.make_node("Add", ["_unscaled", "_out_mean"], [out_name])]
    initializers = [numpy_helper.from_array(v, name=k) for k, v in consts.items()]
    outputs = [helper.make_tensor_value_info(out_name, out_type, ["N", n_out])]
    arch = meta["architecture"]
    doc = (f"Backprop Studio {meta['app_version']} network {arch['layer_sizes']} "
           f"({', '.join(arch['activations'])}), exported {meta['created']}. "
           f"Inputs: {'; '.join(input_docs)}. Output '{out_name}': {out_doc}.")
    graph = helper.make_graph(nodes, "backprop_studio", inputs, outputs, initializers, doc_string=doc)
    opsets = [helper.make_opsetid("", ONNX_OPSET)]
    if uses_ml:
        opsets.append(helper.make_opsetid("ai.onnx.ml", ONNX_ML_OPSET))
    model = helper.make_model(graph, opset_imports=opsets, producer_name="Backprop Studio",
                              producer_version=meta["app_version"], doc_string=doc)
    model.ir_version = ONNX_IR_VERSION
    helper.set_model_props(model, {"format": MODEL_FORMAT, "format_version": MODEL_FORMAT_VERSION,
                                   "backprop_studio": json.dumps(meta, ensure_ascii=False)})
    try:
        onnx.checker.check_model(model)
    except onnx.checker.ValidationError as exc:   # a bug here, but say so plainly rather than crash
        raise ExportError(f"The ONNX graph failed validation: {_short(exc)}") from None
    return model


# ---- standalone script ------------------------------------------------------------------------------

def script_source(network: Network, preprocessor=None, meta: dict | None = None) -> str:
    """Python source of a numpy-only script reproducing predict_rows for a CSV file."""
    import inspect

    from core.activations import ELU_ALPHA, LEAKY_SLOPE
    from core.text_formats import (ReadProgress, _Counted, arff_or_ts_as_csv, json_as_csv, number_text, ods_as_csv,
                                   other_format_as_csv, sheets_as_csv, workbook_as_csv, xlsx_as_csv)

    meta = meta or build_metadata(network, preprocessor, file_format="py")
    plan = None if preprocessor is None else _preprocessing_plan(preprocessor.to_dict())
    layers = []
    for w, b, act in zip(network.weights, network.biases, network.activations):
        little = network.dtype.newbyteorder("<")      # raw bytes: the exact values, any platform
        layers.append({"activation": act, "shape": list(w.shape),
                       "W": base64.b64encode(np.ascontiguousarray(w, little).tobytes()).decode("ascii"),
                       "b": base64.b64encode(np.ascontiguousarray(b, little).tobytes()).decode("ascii")})
    model = {"dtype": network.dtype.name, "layers": layers,
             "plan": None if plan is None else _plan_dict(plan),
             "feature_names": meta["feature_names"], "output_names": meta["output_names"],
             "missing_tokens": _missing_tokens(), "leaky_slope": LEAKY_SLOPE, "elu_alpha": ELU_ALPHA,
             "decimal": preprocessor.decimal if preprocessor is not None else "."}
    from core.data import (_AMBIGUOUS_COMMA_RE, _CLOCK_DURATION_RE, _COMMA_DECIMAL_ONLY_RE, _COMMA_THOUSANDS_ONLY_RE,
                           _DECORATED_RE, _FEET_INCHES_RE, _FLAGGED_RE, _FOOTNOTE_RE, _LIMIT_RE, _MAGNITUDES, _NO_VALUE,
                           _NOT_DETECTED, _NOT_UNITS, _NUM_RE, _SCALE_WORDS, _TOTAL_WORDS, _UNIT_RE,
                           _WORD_DURATION_RE, thousands_fit)
    from core import dates

    arch = meta["architecture"]
    title = (f"Backprop Studio {meta['app_version']} model {arch['layer_sizes']} "
             f"({', '.join(arch['activations'])}), exported {meta['created']}")
    values = {"__TITLE__": title,
              "__METADATA__": _python_text(json.dumps(meta, ensure_ascii=False, indent=1)),
              "__MODEL__": repr(json.dumps(model)), "__NOT_UNITS__": repr(sorted(_NOT_UNITS)),
              "__DECORATED__": repr(_DECORATED_RE.pattern), "__UNIT__": repr(_UNIT_RE.pattern),
              "__SCALE_WORDS__": repr(_SCALE_WORDS), "__LIMIT__": repr(_LIMIT_RE.pattern),
              "__NOT_DETECTED__": repr(sorted(_NOT_DETECTED)), "__TOTAL_WORDS__": repr(sorted(_TOTAL_WORDS)),
              "__COMMA_DECIMAL_ONLY__": repr(_COMMA_DECIMAL_ONLY_RE.pattern),
              "__COMMA_THOUSANDS_ONLY__": repr(_COMMA_THOUSANDS_ONLY_RE.pattern),
              "__AMBIGUOUS_COMMA__": repr(_AMBIGUOUS_COMMA_RE.pattern),
              "__FOOTNOTE__": repr(_FOOTNOTE_RE.pattern), "__NO_VALUE__": repr(sorted(_NO_VALUE)),
              "__CLOCK_DURATION__": repr(_CLOCK_DURATION_RE.pattern),
              "__WORD_DURATION__": repr(_WORD_DURATION_RE.pattern), "__NUM__": repr(_NUM_RE.pattern),
              "__MAGNITUDES__": repr(_MAGNITUDES), "__FLAGGED__": repr(_FLAGGED_RE.pattern),
              "__FEET_INCHES__": repr(_FEET_INCHES_RE.pattern),
              "__OTHER_FORMATS__": "\n\n\n".join(
                  # core/dates.py whole: dates are read by the same code in the studio and in the script
                  [inspect.getsource(dates).replace("from __future__ import annotations\n", "").strip()]
                  + [inspect.getsource(f).rstrip() for f in (
                      thousands_fit, number_text, sheets_as_csv, ReadProgress,
                      _Counted, xlsx_as_csv, ods_as_csv, workbook_as_csv, json_as_csv, arff_or_ts_as_csv,
                      other_format_as_csv)])}
    # One pass, so a placeholder spelled inside the inserted text (a column name…) stays as it is.
    return re.sub("__TITLE__|__METADATA__|__MODEL__|__NOT_UNITS__|__DECORATED__|__UNIT__|__SCALE_WORDS__"
                  "|__LIMIT__|__NOT_DETECTED__|__TOTAL_WORDS__|__COMMA_DECIMAL_ONLY__|__COMMA_THOUSANDS_ONLY__|__AMBIGUOUS_COMMA__"
                  "|__FOOTNOTE__|__NO_VALUE__|__CLOCK_DURATION__|__WORD_DURATION__|__NUM__"
                  "|__MAGNITUDES__|__FLAGGED__|__FEET_INCHES__|__OTHER_FORMATS__",
                  lambda m: values[m.group(0)],
                  _SCRIPT_TEMPLATE)


def _python_text(text: str) -> str:
    """A Python literal for `text`, as a readable raw triple-quoted block where that is exact."""
    if "'''" not in text and not text.endswith("\\") and "\r" not in text:
        return "r'''" + text + "'''"
    return repr(text)


def _plan_dict(plan: _Plan) -> dict:
    return {"columns": [{"name": c.name, "kind": c.kind, "offset": c.offset, "scale": c.scale,
                         "fill": c.fill, "categories": list(c.categories), "fill_category": c.fill_category,
                         "unit": c.unit, "part": c.part, "date_format": c.date_format, "low": c.low,
                         "high": c.high, "far": c.far}
                        for c in plan.columns],
            "task": plan.task, "targets": list(plan.targets), "dtype": plan.dtype,
            "class_names": list(plan.class_names), "out_mean": list(plan.out_mean),
            "out_std": list(plan.out_std)}


# The script mirrors core.data.Preprocessor (transform / inverse_outputs / predict_labels) and
# core.network.Network.predict operation for operation, so that its numbers match the app's (to the bit on
# most files; BLAS may sum a row in another order: Forbes2000 differs by ≤ 2e-5 relative on 277 of 2,000
# rows); tests/core/test_export.py runs it against predict_rows.
_SCRIPT_TEMPLATE = '''#!/usr/bin/env python3
"""__TITLE__.

Usage:  python THIS_FILE.py data.csv [--out predictions.csv]

Prints (or writes) one prediction row per data row, as Backprop Studio predicts them. Needs only numpy.
The data file: UTF-8 (or Windows-1252) text with a header line naming the model's input columns,
separated by , ; tab or |; blank lines and lines starting with # are skipped; it may be compressed (.gz, .bz2, .xz)
or the one file in a .zip; Weka ARFF and sktime .ts files are read too.
The weights, the preprocessing and a description of the model (METADATA) are embedded below.
"""

import argparse
import base64
import bz2
import codecs
import collections
import csv
import datetime
import gzip
import io
import json
import lzma
import math
import os
import re
import sys
import tempfile
import zipfile

import numpy as np

METADATA = json.loads(__METADATA__)
MODEL = json.loads(__MODEL__)
MISSING = frozenset(MODEL["missing_tokens"])
DECIMAL_COMMA = re.compile(r"^[+-]?(?:\\d+,\\d*|,\\d+)(?:[eE][+-]?\\d+)?$")
GROUPED_DEC_COMMA = re.compile(r"^[+-]?\\d{1,3}(?:\\.\\d{3})+,\\d+$")     # "1.234,56"
NUMBER = re.compile(r"^[+-]?(?:\\d+[.,]?\\d*|[.,]\\d+)(?:[eE][+-]?\\d+)?$")
DEC_DOT = re.compile(r"^[+-]?\\d*\\.\\d+(?:[eE][+-]?\\d+)?$")
NUM = re.compile(__NUM__, re.I)    # a number as the studio's first look reads one ("1.5", "-2e3", "inf")
DOT_THOUSANDS = re.compile(r"^[+-]?\\d{1,3}(?:\\.\\d{3})+$")               # "43.445"
# in a comma-delimited file: cells only a decimal comma explains ("4260,7", "6.109,29"), and cells only
# thousands commas explain ("1,234.50", "1,933,535")
COMMA_DECIMAL_ONLY = re.compile(__COMMA_DECIMAL_ONLY__)
COMMA_THOUSANDS_ONLY = re.compile(__COMMA_THOUSANDS_ONLY__)
AMBIGUOUS_COMMA = re.compile(__AMBIGUOUS_COMMA__)     # "1,234": a thousand and more, or a typo for 1.234
EXCEL_ERROR = re.compile(r"#(?:N/A|NA|VALUE!|DIV/0!|REF!|NAME\\?|NUM!|NULL!)")   # a cell, not a comment
# "$1,234.50", "45%", "12.5 €", "USD 1,200", "Rs. 5,00,000": currency, percent signs, thousands commas
# (the studio's own pattern)
DECORATED = re.compile(__DECORATED__)
GROUP_SPACE = re.compile(r"(?<=\\d)[ \\u00a0\\u202f](?=\\d{3}(?!\\d))")
GROUP_APOSTROPHE = re.compile(r"(?<=\\d)['\\u2019](?=\\d{3}(?!\\d))")     # Swiss "1'234.50"
SWAP_MARKS = str.maketrans(",.", ".,")
# "1248 CC", "23.4 kmpl", "8GB", "120 km/h": a number and its unit (the studio reads the unit away too)
UNIT = re.compile(__UNIT__)
NOT_UNITS = frozenset(__NOT_UNITS__)
SCALE_WORDS = __SCALE_WORDS__          # "1.2 Cr" where the model learnt Lakh is 120 Lakh
LIMIT = re.compile(__LIMIT__)          # "<0.5", ">1000": a detection limit, read as the limit
NOT_DETECTED = frozenset(__NOT_DETECTED__)   # "n.d.", "BDL": nothing detected, missing
NO_VALUE = frozenset(__NO_VALUE__)           # "---", "..", ":" where a number belongs: no value
FOOTNOTE = re.compile(__FOOTNOTE__)          # "9.5[7]": a footnote mark, no part of the number
FEET_INCHES = re.compile(__FEET_INCHES__, re.I)    # 6'8", 6 ft 8 in, 6-8: heights, in inches
FLAGGED = re.compile(__FLAGGED__)            # "523.8 p": Eurostat's flag after a number
MAGNITUDES = __MAGNITUDES__                  # "4.1M", "201k": 4,100,000 and 201,000; "10,000+" is 10,000
# durations, read as hours where the model learnt a column of them: "48:42:00", "1h 38m"
CLOCK_DURATION = re.compile(__CLOCK_DURATION__)
WORD_DURATION = re.compile(__WORD_DURATION__, re.I)
TOTAL_WORDS = frozenset(__TOTAL_WORDS__)     # first cells of a summary row at the end of a table
BATCH = 4096
FILE = {"decimal": ".", "thousands": None}    # the data file's marks, read as the studio reads them
NOT_NUMBERS = {}                              # column → words found where a number belongs (read as missing)
NOTES = []                                    # what the predictions had to make up, as Backprop Studio says it
SPELT = {}                                    # model column → the file's spelling of its name, where they differ


def count(n, noun):
    """'1 missing value', '34 missing values', '1,089 values', as Backprop Studio writes a count."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _sigmoid(z):
    # ½(1 + tanh(a/2)), the form Backprop Studio uses, so results match to the last bit.
    out = np.multiply(z, 0.5)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def _elu(z):
    out = z.copy()
    negative = z < 0
    out[negative] = MODEL["elu_alpha"] * np.expm1(z[negative])
    return out


def _softplus(z):
    tail = np.log1p(np.exp(-np.abs(z)))
    out = np.maximum(z, 0.0)
    out += tail
    return out


def _softmax(z):
    out = z - z.max(axis=1, keepdims=True)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


ACTIVATIONS = {
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "leaky_relu": lambda z: np.maximum(z, MODEL["leaky_slope"] * z),
    "elu": _elu,
    "softplus": _softplus,
    "linear": lambda z: z,
    "sign": lambda z: np.where(z >= 0, 1.0, -1.0).astype(z.dtype),
    "softmax": _softmax,
}


def layers():
    """(W (fan_in, fan_out), b (fan_out,), activation) per layer, in the network's dtype."""
    stored = np.dtype(MODEL["dtype"]).newbyteorder("<")
    for layer in MODEL["layers"]:
        W = np.frombuffer(base64.b64decode(layer["W"]), stored).reshape(layer["shape"])
        b = np.frombuffer(base64.b64decode(layer["b"]), stored)
        yield W.astype(MODEL["dtype"]), b.astype(MODEL["dtype"]), ACTIVATIONS[layer["activation"]]


def missing(text):
    return text in MISSING or text.lower() in NOT_DETECTED or text in NO_VALUE


def column_numbers(cells, column, unit):
    """A numeric column's cells, as the studio reads a column: where the model's column has no unit,
    numbers written with one ("136A") count only when more than a tenth of the cells need reading so;
    fewer are stray text among plain numbers, and missing."""
    values = [number(cell, column, unit, units=unit is not None) for cell in cells]
    if unit is None:
        present = [(cell or "").strip() for cell in cells]
        present = [(text, value) for text, value in zip(present, values) if not missing(text)]
        if sum(1 for _, value in present if math.isnan(value)) > 0.1 * len(present):
            NOT_NUMBERS.pop(column, None)       # they were words to the first reading
            values = [number(cell, column, unit) for cell in cells]
        plain = [value for text, value in present if NUM.match(text)]
        if FILE["decimal"] != "," and len(present) - len(plain) <= 0.1 * len(present):
            # a few "4,075" among plain numbers: thousands if the other numbers say so, else a question
            low, high = (min(plain), max(plain)) if plain else (math.nan, math.nan)
            for i, cell in enumerate(cells):
                text = (cell or "").strip()
                if AMBIGUOUS_COMMA.match(text) and not thousands_fit(text, low, high):
                    values[i] = math.nan
                    NOT_NUMBERS.setdefault(column, []).append(text)
    return values


def number(cell, column, unit=None, units=True):
    """A numeric cell: missing spellings give NaN; a decimal comma is accepted. A number written with another
    unit than `unit`, the one the model learnt ("2 L" where training read "1248 CC"), counts as missing;
    with `units` False any number written with a unit does."""
    text = (cell or "").strip()
    if missing(text):
        return math.nan
    if FILE["thousands"] and "." in text:
        text = text.replace(".", "")        # "43.445" in a file of decimal commas is 43445
    try:
        value = float(text)
    except ValueError:
        if DECIMAL_COMMA.match(text) and FILE["decimal"] == ",":
            value = float(text.replace(",", "."))
        elif limit := LIMIT.match(text):
            value = float(limit.group(1).replace(",", "."))
        else:
            value = decorated_or_comma(text)
            if value is None and unit is not None and unit_key(unit) == "h":
                value = hours(text)         # the studio read this column as durations, in hours
            if value is None and unit is not None and unit_key(unit) == "in":
                height = FEET_INCHES.match(text)     # 6'8", 6-8: the studio read this column as heights
                value = int(height.group(1)) * 12 + float(height.group(3) or 0) if height else None
            flag = FLAGGED.match(text) if value is None else None
            if flag:                        # Eurostat's "523.8 p", "57 897 e": the number without its flag
                try:
                    value = float(flag.group(1))
                except ValueError:
                    value = decorated_or_comma(flag.group(1))
            if value is None and units:
                value, spelt = with_unit(text)
                if value is not None and unit is not None and unit_key(spelt) != unit_key(unit):
                    scales = SCALE_WORDS.get(unit_key(spelt)), SCALE_WORDS.get(unit_key(unit))
                    if not all(scales):
                        return math.nan
                    value = value * scales[0] / scales[1]
            if value is None:   # as the studio reads a stray word in a column of numbers: missing
                NOT_NUMBERS.setdefault(column, []).append(text)
                return math.nan
    if math.isinf(value) or abs(value) > 3.4028234663852886e38:
        NOT_NUMBERS.setdefault(column, []).append(text)     # missing, as the studio reads 'inf' and 1e39
        return math.nan
    return value


def unit_key(unit):
    """One unit however it is spelt: "CC" and "cc", "years" and "year" (as the studio compares them)."""
    unit = unit.lower()
    return unit[:-1] if len(unit) > 2 and unit.endswith("s") else unit


def hours(text):
    """The hours of a duration, "48:42:00", "3 days 04:00:00", "1h 38m", or None."""
    match = CLOCK_DURATION.match(text) or WORD_DURATION.match(text)
    if not match or not any(match.groups()):
        return None
    days, h, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return days * 24 + h + minutes / 60 + seconds / 3600


def decorated_or_comma(text):
    value = decorated(text)
    if value is None:   # "1.234,50 €", "12,5 %": decimal comma, '.' or space between groups
        value = decorated(GROUP_SPACE.sub("", text).translate(SWAP_MARKS))
    return value


def with_unit(text):
    """(number, unit) of "1248 CC", "1,5 kg", "120 km/h" and the like, or (None, None)."""
    match = UNIT.match(text)
    if not match or match.group(2).lower() in NOT_UNITS:
        return None, None
    value = decorated_or_comma(match.group(1))
    if value is None:
        try:
            value = float(match.group(1))
        except ValueError:
            return None, None
    return value, match.group(2)


def decorated(text):
    """The number in "$1,234.50", "45%", "12.5 €", "−5", "(1,234.50)", "1'234.50" and the like, or None."""
    text = GROUP_APOSTROPHE.sub("", FOOTNOTE.sub("", text.strip().replace("\\u2212", "-")))
    if (text.startswith("(") and text.endswith(")")) or (text[-2:-1].isdigit() and text.endswith("-")):
        inner = decorated(text[1:-1] if text.endswith(")") else text[:-1])   # "(1,234.50)", SAP's "6.988,09-"
        return None if inner is None or inner < 0 else -inner
    scale = 1.0
    if text[-2:-1].isdigit() and text[-1:] in "+kKMB":
        scale, text = MAGNITUDES.get(text[-1], 1.0), text[:-1]
    match = DECORATED.match(text)
    if not match or (match.group(1) and match.group(2)):
        return None
    value = float(match.group(3).replace(",", "")) * scale
    return -value if "-" in (match.group(1), match.group(2)) else value


def category(cell):
    text = (cell or "").strip()
    return None if text in MISSING else text


def number_label(value):
    """How a number reads as a category: integers without '.0'."""
    if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(np.float32(value))


def by_number(categories):
    """Numeric categories by their number's label; where two spell one number, the plain one wins."""
    out = {}
    for j, text in enumerate(categories):
        try:
            value = float(text)
        except ValueError:
            continue
        if not math.isnan(value):
            label = number_label(value)
            if label not in out or text == label:
                out[label] = j
    return out


def features(rows):
    """Raw rows (dicts of cell text) → the network's input matrix X (n, n_features)."""
    plan = MODEL["plan"]
    if plan is None:
        # float32, as Backprop Studio holds every parsed number
        return np.array([[number(row.get(name), name) for name in MODEL["feature_names"]] for row in rows],
                        dtype=np.float32).reshape(len(rows), -1)
    dtype = plan["dtype"]
    width = sum(len(c["categories"]) if c["kind"] == "categorical" else 1 for c in plan["columns"])
    X = np.empty((len(rows), width), dtype=dtype)
    k, numeric, offset, scale = 0, [], [], []
    filled = []                      # (index in NOTES, column, gaps): many columns get one note, as in the studio
    dates = {}                       # a date column's cells read once for all the numbers it gives
    for column in plan["columns"]:
        name = column["name"]
        if column["kind"] == "date":
            first = name not in dates
            if first:
                cells = [(cell or "").strip() for cell in (row.get(name) for row in rows)]
                dates[name], used = dates_of([None if missing(cell) else cell for cell in cells],
                                             column["date_format"])
                if used != column["date_format"]:
                    NOTES.append(f"'{name}': dates read as this file writes them ('{example_of(used)}'), not as "
                                 f"the training data's ('{example_of(column['date_format'])}')")
            x = np.array([date_part(when, column["part"]) for when in dates[name]], dtype=np.float32)
            if column["far"] is not None:
                outside = int(((x < column["low"] - column["far"]) | (x > column["high"] + column["far"])).sum())
                if outside:
                    NOTES.append(f"'{name}': {count(outside, 'date')} outside the span of the training file's dates "
                                 f"({year_text(column['low'])} to {year_text(column['high'])}): predictions there "
                                 "extrapolate")
            if first:
                present = sum(1 for cell in cells if not missing(cell))
                odd = [cell for cell, when in zip(cells, dates[name]) if when is None and not missing(cell)]
                gaps = len(rows) - present
                if odd:
                    shown = odd[0] if len(odd[0]) <= 20 else odd[0][:19] + "…"
                    NOTES.append(f"'{name}': {count(len(odd), 'value')} not read as dates or times like the training "
                                 f"data's (such as '{shown}'), filled with the training mean of each number a date gives")
                if gaps:
                    filled.append((len(NOTES), name, gaps))
                    NOTES.append(f"'{name}': {count(gaps, 'missing value')} filled with the training mean of each "
                                 "number a date gives")
            X[:, k] = np.where(np.isnan(x), np.float32(column["fill"]), x)
            numeric.append(k)
            offset.append(column["offset"])
            scale.append(column["scale"])
            k += 1
            continue
        if column["kind"] == "numeric":
            x = np.array(column_numbers([row.get(name) for row in rows], name, column.get("unit")), dtype=np.float32)
            gaps = int(np.isnan(x).sum())     # the words read as missing too, as the studio counts them
            far = ((x < column["low"] - column["far"]) | (x > column["high"] + column["far"])
                   if column["far"] is not None else np.zeros(len(x), bool))
            if gaps > 0:
                filled.append((len(NOTES), name, gaps))
                NOTES.append(f"'{name}': {count(gaps, 'missing value')} filled with the training mean {column['fill']:.6g}")
            if far.any():
                NOTES.append(f"'{name}': {count(int(far.sum()), 'value')} far outside the training data (such as "
                             f"{float(x[np.argmax(far)]):.6g}; the training data ran from {column['low']:.6g} to "
                             f"{column['high']:.6g}): predictions there are guesses; check the units and the number "
                             "format")
            x = np.where(np.isnan(x), np.float32(column["fill"]), x)
            X[:, k] = x
            numeric.append(k)
            offset.append(column["offset"])
            scale.append(column["scale"])
            k += 1
            continue
        index = {label: j for j, label in enumerate(column["categories"])}
        numbers = by_number(column["categories"])
        block = np.zeros((len(rows), len(index)), dtype=np.float32)
        gaps, unseen, n_unseen = 0, [], 0
        for r, row in enumerate(rows):
            key = category(row.get(name))
            if key is None:
                gaps += 1
                key = column["fill_category"]
            j = index.get(key)
            if j is None and key is not None and key.lower() in ("true", "false"):
                j = index.get(key.capitalize())    # "TRUE": the studio's reader spells booleans True/False
            if j is None and key is not None:
                try:
                    j = numbers.get(number_label(float(key)))   # "0" finds "0.0", as in the app
                except ValueError:
                    pass
            if j is not None:
                block[r, j] = 1.0
            elif key is not None:
                n_unseen += 1
                if key not in unseen:
                    unseen.append(key)
        if gaps:
            NOTES.append(f"'{name}': {count(gaps, 'missing value')} " + (
                f"filled with the most frequent one, '{column['fill_category']}'" if column["fill_category"] is not None
                else "encoded as none of its categories"))
        if unseen:
            shown = ", ".join(f"'{key}'" for key in unseen[:3]) + (", …" if len(unseen) > 3 else "")
            NOTES.append(f"'{name}': {count(n_unseen, 'value')} never seen in training ({shown}), encoded as none "
                         "of its categories")
        X[:, k:k + len(index)] = block
        k += len(index)
    if len(filled) > 3:
        names = ", ".join(f"'{name}'" for _, name, _ in filled[:3])
        summary = (f"{len(filled)} columns ({names}, …): {count(sum(g for _, _, g in filled), 'missing value')} "
                   "filled with each column's training mean")
        first, rest = filled[0][0], {i for i, _, _ in filled[1:]}
        NOTES[:] = [summary if i == first else note for i, note in enumerate(NOTES) if i not in rest]
    if numeric:
        part = X[:, numeric]
        np.subtract(part, np.array(offset, dtype=dtype), out=part)
        np.divide(part, np.array(scale, dtype=dtype), out=part)
        X[:, numeric] = part
    return X


def predict(X):
    """Network outputs (n, n_out) for X (n, n_features)."""
    X = np.asarray(X, dtype=MODEL["dtype"])
    params = list(layers())
    result = np.empty((X.shape[0], params[-1][0].shape[1]), dtype=MODEL["dtype"])
    for start in range(0, X.shape[0], BATCH):
        o = X[start:start + BATCH]
        for W, b, f in params:
            a = o @ W
            a += b
            o = f(a)
        result[start:start + BATCH] = o
    return result


def prediction_table(rows):
    """(header, rows of text): the columns Backprop Studio shows for predictions."""
    outputs = predict(features(rows))
    plan = MODEL["plan"]
    if plan is None:
        return (["predicted_" + name for name in MODEL["output_names"]],
                [[repr(float(v)) for v in row] for row in outputs])
    if plan["task"] == "classification":
        classes = plan["class_names"]
        out = outputs.astype(np.float64)
        if len(classes) == 2 and out.shape[1] == 1:
            labels = [classes[1] if v >= 0.5 else classes[0] for v in out[:, 0]]
            probabilities = np.column_stack([1.0 - out[:, 0], out[:, 0]])
        else:
            labels = [classes[j] for j in np.argmax(out, axis=1)]
            probabilities = out
        header = ["predicted_" + plan["targets"][0]] + ["p(" + name + ")" for name in classes]
        return header, [[label] + [repr(float(v)) for v in row] for label, row in zip(labels, probabilities)]
    values = outputs.astype(np.float64) * np.array(plan["out_std"]) + np.array(plan["out_mean"])
    return (["predicted_" + name for name in plan["targets"]],
            [[repr(float(v)) for v in row] for row in values])


def not_utf8(raw):
    """Text of a file that is not valid UTF-8: UTF-8 with each stray byte read as Windows-1252 when its
    UTF-8 characters are at least a twentieth of the stray bytes (the studio's rule), else Windows-1252."""
    text = raw.decode("utf-8", errors="replace")
    stray = text.count("\\ufffd")
    wide = len(re.findall("[^\\x00-\\x7f]", text)) - stray
    if wide and wide * 20 >= stray:
        stray_as_cp1252 = lambda err: (err.object[err.start:err.end].decode("cp1252", errors="replace"), err.end)
        codecs.register_error("stray-cp1252", stray_as_cp1252)
        return raw.decode("utf-8", errors="stray-cp1252")
    return raw.decode("cp1252", errors="replace")


def read_rows(path, needed=(), sheet=None):
    """The data rows of a CSV file as dicts {column name: cell text}; `needed`: the model's input columns;
    `sheet`: the sheet of a workbook to read (by default its largest)."""
    raw = open(path, "rb").read()
    if raw[:2] == b"\\x1f\\x8b":
        raw = gzip.decompress(raw)
    elif raw[:3] == b"BZh":
        raw = bz2.decompress(raw)
    elif raw[:6] == b"\\xfd7zXZ\\x00":
        raw = lzma.decompress(raw)
    try:
        workbook = workbook_as_csv(raw, sheet) if raw[:4] == b"PK\\x03\\x04" else None   # as the studio reads it
        if workbook is None and raw[:4] == b"PK\\x03\\x04":
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                names = [n for n in archive.namelist() if not n.endswith("/") and not n.startswith("__MACOSX/")]
                if len(names) != 1:
                    fail(f"{path} holds {len(names)} files; unpack it and give one of them")
                raw = archive.read(names[0])
            workbook = workbook_as_csv(raw, sheet) if raw[:4] == b"PK\\x03\\x04" else None
    except ValueError as exc:
        fail(f"{path}: {exc}")
    if workbook:
        raw = workbook[0].encode("utf-8")
    if raw[:2] in (b"\\xff\\xfe", b"\\xfe\\xff"):
        text = raw.decode("utf-16")                        # Excel's "Unicode text"
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = not_utf8(raw[3:] if raw.startswith(b"\\xef\\xbb\\xbf") else raw)
    try:
        converted = other_format_as_csv(text)     # JSON, Weka's ARFF and sktime's .ts, as the studio reads them
    except ValueError as exc:
        fail(f"{path}: {exc}")
    if converted:
        text = converted[0]
    comment = lambda line: line.lstrip().startswith("#") and not EXCEL_ERROR.match(line.lstrip())
    lines = [line for line in text.splitlines() if line.strip() and not comment(line)]
    if not lines:
        return []
    # the first line with a delimiter: "Series Id:     LNS14000000Q" lines may stand above the table
    probe = next((line for line in lines[:30] if any(d in line for d in ",;\\t|")), lines[0])
    delimiter = max(",;\\t|", key=probe.count)
    hint = re.match(r'^"?sep=([^"])"?[ ]*$', lines[0], re.I)   # Excel's "sep=;" line names it
    if hint:
        delimiter = hint.group(1)
        sep_line = lines.pop(0)
    if not hint and (not probe.count(delimiter) or (delimiter == "\\t" and spaced(lines))):
        records = [next(csv.reader([line.strip().replace("\\t", " ")], delimiter=" ", skipinitialspace=True))
                   for line in lines]                      # columns lined up with spaces (UCI's .data files)
        if len({len(r) for r in records[1:]}) > 1:
            records = by_position(lines) or records       # values with spaces in them: '12-15 years'
        if one_spaced_column(records):
            records = [[line.strip()] for line in lines]  # "Month" over "1960 Jan": one column, as the studio reads it
    else:   # the whole text, so a quoted cell may hold line breaks
        body = text.split(sep_line, 1)[1] if hint else text
        records = [r for r in csv.reader(io.StringIO(body), delimiter=delimiter, skipinitialspace=True)
                   if r and not comment(r[0])]
    # ",,,," or missing marks only: empty rows, skipped as the studio skips them; the row with values below one
    # remembers how many stood above it, so that the predictions keep an empty line for each (gaps)
    gaps, waiting = {}, 0
    for r in records:
        if any(cell.strip() not in MISSING for cell in r):
            gaps[id(r)], waiting = waiting, 0
        else:
            waiting += 1
    bare = sum(1 for r in records if not any(cell.strip() for cell in r))
    records = [r for r in records if any(cell.strip() for cell in r)]
    filled = lambda record: sum(1 for cell in record if cell.strip())
    widths = collections.Counter(len(r) for r in records[:60])
    width = max(widths, key=lambda k: (widths[k], k))
    while len(records) > 2 and ((filled(records[0]) == 1 and filled(records[1]) > 1)
                                or (1 <= filled(records[0]) <= 2 and len(records[0]) < width and width >= 3)):
        records.pop(0)   # a title above the header ("Sales report 2024,,,"), or "Account:,12345678"
    counts = [cell.strip() for cell in records[0][:2]]
    if len(records) > 2 and len(counts) == 2 and all(c.isdigit() for c in counts) and int(counts[1]) == width - 1 \
            and len(records[0]) <= width and all(NUM.match(records[1][j].strip()) and not NUM.match(c.strip())
                                                 for j, c in enumerate(records[0][2:], 2) if c.strip()):
        records.pop(0)   # scikit-learn's data files start with "rows,features,class names", as the studio skips
    if sub_header(records):
        below = records.pop(1)   # units ("mg/L"), an underline or a survey's second header, as the studio skips
        if any(not cell.strip() for cell in records[0]) and all(cell.strip() for cell in below):
            group, merged = "", []     # a header of merged cells over each column's name: "Population Male"
            for j, name in enumerate(below):
                cell = records[0][j].strip() if j < len(records[0]) else ""
                group = cell or (group if j else "")
                merged.append(f"{group} {name.strip()}".strip())
            records[0] = merged
    kept = [r for r in records if any(cell.strip() not in MISSING for cell in r)]
    n_empty = bare + len(records) - len(kept)
    records = kept
    while len(records) > 2 and len(records[-1]) == 1 < len(records[0]):
        records.pop()    # notes below the table ("Source: …", "© 2024 …"), skipped by the studio too
    totals = []
    for _ in range(3):   # a "Total" or "Average" row at the end sums the rows above
        if len(records) > 2 and len(records[-1]) > 1 and records[-1][0].strip().casefold() in TOTAL_WORDS:
            totals.insert(0, records.pop()[0].strip())
    if totals:
        NOTES.append("the " + " and ".join(repr(t) for t in totals) + f" row{'s' if len(totals) != 1 else ''} at "
                     "the end of the table skipped (a summary of the rows above)")
    cells = [cell.strip().strip("%€$£ \\u00a0\\u202f") for r in records[1:] for cell in r]
    if delimiter != "," and any(DECIMAL_COMMA.match(c) or GROUPED_DEC_COMMA.match(c) for c in cells) \
            and not any(DEC_DOT.match(c) and not DOT_THOUSANDS.match(c) for c in cells):
        FILE["decimal"] = ","          # the studio's rule: decimal commas, and no number with a decimal dot
        FILE["thousands"] = "." if any(DOT_THOUSANDS.match(c) for c in cells) else None
    elif delimiter != "," and MODEL.get("decimal") == "," and any(DOT_THOUSANDS.match(c) for c in cells) \\
            and not any(DEC_DOT.match(c) and not DOT_THOUSANDS.match(c) for c in cells):
        FILE["decimal"], FILE["thousands"] = ",", "."   # nothing says which: "508.442" as in the training file
    elif delimiter == "," and any(COMMA_DECIMAL_ONLY.match(c) for c in cells) and not any(
            COMMA_THOUSANDS_ONLY.match(c) or (DEC_DOT.match(c) and not DOT_THOUSANDS.match(c)) for c in cells):
        FILE["decimal"] = ","          # decimal commas in quoted numbers ("4260,7"): "5,895" is 5.895 there too
        FILE["thousands"] = "." if any(DOT_THOUSANDS.match(c) for c in cells) else None
    if len(records[0]) == width - 1 and all(line.lstrip().startswith('"') for line in lines[:21]) \
            and len({r[0] for r in records[1:]}) == len(records) - 1:
        records[0] = ["row_names", *records[0]]   # R's write.table: no header cell over the row names
    records[1:] = mended(len(records[0]), records[1:], delimiter, text)
    short = [(k, len(r)) for k, r in enumerate(records[1:], 1) if len(r) < len(records[0])]
    if short:   # a row cut short: its missing cells are missing, as the studio reads them
        NOTES.append(f"row {short[0][0]} holds {short[0][1]} of the {len(records[0])} fields of the header: the cells "
                     "it leaves out at the end are read as missing" if len(short) == 1 else
                     f"{len(short)} rows hold fewer than the {len(records[0])} fields of the header (the first is row "
                     f"{short[0][0]}): the cells they leave out at the end are read as missing")
    first = [cell.strip() for cell in records[0]]
    if first and all(len(n) > 2 and n[0] == n[-1] == "'" for n in first if n):
        first = [n[1:-1] for n in first]   # every name in single quotes ('popul', 'vote'), removed as by the studio
    first = unique_names(first)
    loose = lambda name: " ".join(name.replace("_", " ").split()).casefold()
    renamed = []
    for name in needed or []:
        if name not in first:   # "Sepal Length" for the model's sepal_length, as the studio reads it
            alike = [k for k, cell in enumerate(first) if cell not in needed and loose(cell) == loose(name)]
            if len(alike) == 1:
                renamed.append(f"'{first[alike[0]]}' as '{name}'")
                SPELT[name] = first[alike[0]]
                first[alike[0]] = name
    if renamed:
        NOTES.insert(0, ("columns read as the model's inputs: " if len(renamed) > 1 else
                         "column read as the model's input: ") + ", ".join(renamed))
    if needed and not set(needed) & set(first) and all(re.fullmatch(r"col_\\d+", name) for name in needed):
        # no header row, like the file the model learnt from: the studio named its columns col_1, col_2, …
        numbers_below = [j for j, cell in enumerate(records[1] if len(records) > 1 else []) if NUM.match(cell.strip())]
        if numbers_below and all(j < len(first) and first[j] not in MISSING and not NUM.match(first[j])
                                 for j in numbers_below):
            fail(f"the first line ({', '.join(first[:4])}{', …' if len(first) > 4 else ''}) names columns, but the "
                 "model learnt from a file without a header row and knows its inputs by position: give the rows "
                 "without a header line, their columns in the training file's order")
        return with_gaps([dict(zip([f"col_{k + 1}" for k in range(len(record))], record)) for record in records],
                         records, gaps, n_empty)
    header = [cell.strip() for cell in records[0]]
    # files pasted together repeat their header line: not a row
    data = [record for record in records[1:] if [cell.strip() for cell in record] != header]
    return with_gaps([dict(zip(first, record)) for record in data], data, gaps, n_empty)


def with_gaps(rows, records, gaps, n_empty):
    """`rows` (one per record) with None for each empty row that stood above one of them, and the notes
    predict gives: those empty lines are kept in the predictions, the empty rows below the table skipped."""
    out = []
    for row, record in zip(rows, records):
        out.extend([None] * gaps.get(id(record), 0))
        out.append(row)
    n_inside = len(out) - len(rows)
    if n_inside:
        NOTES.append(f"{n_inside} empty row{'s' if n_inside != 1 else ''} left empty in the predictions")
    if n_empty > n_inside:
        NOTES.append(f"{n_empty - n_inside} empty row{'s' if n_empty - n_inside != 1 else ''} skipped")
    return out


__OTHER_FORMATS__


def by_position(lines):
    """A table lined up in columns whose values hold spaces, cut where every line is blank, as the
    studio reads it; None if that gives no table with a name over every column."""
    lines = [line.expandtabs(8).rstrip() for line in lines]
    used = [False] * max(map(len, lines))
    for line in lines:
        for j, ch in enumerate(line):
            used[j] = used[j] or ch != " "
    spans, start = [], None
    for j, flag in enumerate(used + [False]):
        if flag and start is None:
            start = j
        elif not flag and start is not None:
            spans.append((start, j))
            start = None
    while len(spans) > 1:    # a span with no name above it joins the neighbour it is closer to
        unnamed = [k for k, (a, b) in enumerate(spans) if not lines[0][a:b].strip()]
        if not unnamed:
            break
        k = unnamed[0]
        left = spans[k][0] - spans[k - 1][1] if k > 0 else None
        right = spans[k + 1][0] - spans[k][1] if k + 1 < len(spans) else None
        j = k - 1 if right is None or (left is not None and left < right) else k + 1
        spans[min(j, k):max(j, k) + 1] = [(spans[min(j, k)][0], spans[max(j, k)][1])]
    rows = [[line[a:b].strip() for a, b in spans] for line in lines]
    if len(spans) < 2 or not all(rows[0]) or sum(all(r) for r in rows[1:]) < 0.8 * (len(rows) - 1):
        return None
    return rows


def mended(n, rows, delimiter, text):
    """Rows with more cells than the header's n, where a text column holds the delimiter and a space
    without quotes ("0,19.1,calibrated, checked,n"): that column's cells joined, at the column the studio
    chooses (the rows then fit the other rows best: numbers in columns of numbers, known values in
    columns of few)."""
    good = [r for r in rows if len(r) == n]
    long = [r for r in rows if len(r) > n]
    if not long or len(good) < 2 or n < 2 or delimiter == " " or any(len(r) < n for r in rows):
        return rows
    raw = {}      # a long row's cells with the spaces after each delimiter, by the row as read
    for line in text.splitlines():
        if line.count(delimiter) >= n:
            fields = next(csv.reader([line], delimiter=delimiter), [])
            raw.setdefault(tuple(f.lstrip(" ") for f in fields), fields)
    if any(tuple(r) not in raw for r in long):
        return rows
    comma = FILE["decimal"] == "," and delimiter != ","
    is_number = lambda cell: (cell.strip() in MISSING or NUM.match(cell.strip()) is not None
                              or (comma and DECIMAL_COMMA.match(cell.strip()) is not None))
    numeric = [all(is_number(r[j]) for r in good) for j in range(n)]
    known = [None if numeric[j] or len({r[j].strip() for r in good}) > 20 else {r[j].strip() for r in good}
             for j in range(n)]

    def joined(fields, k):
        extra = len(fields) - n
        if any(not f.startswith(" ") for f in fields[k + 1:k + extra + 1]):
            return None
        return ([f.strip() for f in fields[:k]] + [delimiter.join(fields[k:k + extra + 1]).strip()]
                + [f.strip() for f in fields[k + extra + 1:]])

    def fit(row):
        if row is None or any(numeric[j] and not is_number(cell) for j, cell in enumerate(row)):
            return None
        return sum(numeric[j] or (known[j] is not None and cell in known[j]) for j, cell in enumerate(row))

    totals = [-1 if numeric[k] else 0 for k in range(n)]
    for r in long:
        for k in range(n):
            score = None if totals[k] < 0 else fit(joined(raw[tuple(r)], k))
            totals[k] = -1 if score is None else totals[k] + score
    ranked = sorted(range(n), key=lambda k: -totals[k])
    if totals[ranked[0]] < 0 or totals[ranked[1]] >= totals[ranked[0]]:
        return rows
    return [joined(raw[tuple(r)], ranked[0]) if len(r) > n else r for r in rows]


def sub_header(records):
    """The line below the header holds no number: words over columns of numbers, or one word under
    every column (the studio's rule)."""
    if len(records) < 4:
        return False
    second, below = records[1], records[2:22]
    is_number = lambda cell: NUMBER.match(cell.strip()) is not None or decorated(cell.strip()) is not None
    if any(is_number(cell) for cell in second):
        return False
    words = [j for j, cell in enumerate(second) if cell.strip() and cell.strip() not in MISSING]
    over = [j for j in words if all(j < len(r) and is_number(r[j]) for r in below)]
    if over and 2 * len(over) >= len(words):
        return True
    same = {second[j].strip() for j in words}
    return (len(words) >= 3 and len(same) == 1
            and not any(j < len(r) and r[j].strip() in same for r in below for j in words))


def unique_names(names):
    """Header names as the studio makes them: one line each, a repeated or empty one numbered."""
    out, seen = [], set()
    for j, name in enumerate(names):
        base = " ".join(name.split()) or f"col_{j + 1}"
        candidate, k = base, 2
        while candidate in seen:
            candidate, k = f"{base}_{k}", k + 1
        seen.add(candidate)
        out.append(candidate)
    return out


def one_spaced_column(records):
    """One name over values with a space in them, the data rows' kinds all alike; a title's header stands
    over numbers."""
    if len(records) < 3 or len(records[0]) != 1:
        return False
    kinds = lambda record: tuple(bool(NUM.match(cell)) for cell in record)
    rest = collections.Counter(kinds(r) for r in records[2:] if len(r) > 1)   # an empty or one-word cell: no say
    if not rest:
        return False
    common, n = rest.most_common(1)[0]
    return kinds(records[1]) == common and n >= 0.9 * sum(rest.values())


def spaced(lines):
    """Tab-separated at first sight, but the columns are runs of whitespace: numbers lined up with spaces
    before a tab (auto-mpg), or a tab doubled on some lines (seeds)."""
    sample = lines[:50]
    return (any(re.search(r"\\d {2,}\\d", line) for line in sample)
            or (any("\\t\\t" in line for line in sample) and len({len(line.split()) for line in sample}) == 1))


def fail(message):
    """One line on stderr and exit code 2, as Backprop Studio's own command line."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="CSV file with the model's input columns")
    parser.add_argument("--out", help="write the predictions to this CSV file instead of printing them")
    parser.add_argument("--sheet", help="the sheet of an .xlsx / .ods workbook to read (default: its largest)")
    args = parser.parse_args(argv)
    plan = MODEL["plan"]
    needed = list(dict.fromkeys(c["name"] for c in plan["columns"])) if plan else MODEL["feature_names"]
    try:
        rows = read_rows(args.data, needed, args.sheet)
    except OSError as exc:
        fail(f"cannot read {args.data}: {exc.strerror}")
    present = [row for row in rows if row is not None]     # None: an empty row, an empty line in the output
    if not present:
        fail(f"{args.data} has no data rows to predict")
    missing = [name for name in needed if name not in present[0]]
    if missing:
        fail("the data lacks the model's input column(s): " + ", ".join(missing))
    try:
        header, predicted = prediction_table(present)
    except ValueError as exc:
        fail(exc)
    predicted = iter(predicted)
    table = [[""] * len(header) if row is None else next(predicted) for row in rows]
    for column, words in NOT_NUMBERS.items():   # stderr: stdout may be the predictions themselves
        print(f"note: column '{SPELT.get(column, column)}': {count(len(words), 'non-numeric value')} such as "
              f"'{words[0]}' treated as missing", file=sys.stderr)
    for note in NOTES:
        print(f"note: {note}", file=sys.stderr)
    if args.out:
        write_atomically(args.out, header, table)
        return
    try:
        writer = csv.writer(sys.stdout, lineterminator="\\n")
        writer.writerow(header)
        writer.writerows(table)
        sys.stdout.flush()
    except BrokenPipeError:             # `python THIS_FILE.py data.csv | head`: the reader has had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def write_atomically(path, header, table):
    """The predictions into `path` through a file beside it renamed over it once complete: a full disk or
    a missing folder leaves a file of that name as it was, with one line on stderr."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        fail(f"cannot write {path}: the folder {folder} does not exist")
    temp = None
    try:
        handle, temp = tempfile.mkstemp(prefix=".predictions-", suffix=".tmp", dir=folder)
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, lineterminator="\\n")
            writer.writerow(header)
            writer.writerows(table)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except OSError as exc:
        if temp is not None and os.path.exists(temp):
            os.remove(temp)
        fail(f"cannot write {path}: {exc.strerror or exc}; nothing was changed")


if __name__ == "__main__":
    main()
'''
