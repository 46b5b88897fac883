"""Whole projects in one `.bpstudio` file: a zip of `project.json` (settings, names, history labels) and
`arrays.npz` (weights, optimizer state, history curves). No pickle anywhere: the npz is read with
allow_pickle=False, so opening a project can never run code.

Loading validates everything before returning, so a damaged, truncated or newer file is refused with
one ModelFileError line and the caller's current project is untouched. Saving goes through
core.atomic, so a crash mid-save leaves the previous file as it was.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from core.atomic import atomic_write
from core.errors import (BackpropError, ConfigError, ExportError, ModelFileError, ResourceError,
                         check_file_format)

PROJECT_SUFFIX = ".bpstudio"
PROJECT_FORMAT = "backprop-studio-project"
PROJECT_VERSION = "1.0"            # major.minor: newer minor versions open, newer majors are refused
JSON_NAME = "project.json"
ARRAYS_NAME = "arrays.npz"
MAX_UNPACKED_BYTES = 4 * 1024 ** 3  # a project is weights + curves; more than this is not one of ours


@dataclass
class ProjectState:
    """Everything needed to reopen a project where it was left.

    weights[i] (fan_in, fan_out) and biases[i] (fan_out,) as in core.network; `optimizer` is an
    Optimizer.state_dict() (numbers, strings, lists of arrays shaped like [*weights, *biases], or None);
    `history` maps a curve name (epoch, train_loss, val_loss, metrics…) to a 1-D float array.
    `extra` is free plain-JSON data for the GUI (window layout, selected tab, …).
    """
    data_path: str | None = None
    data_hash: str | None = None                   # sha256 hex of the data file's bytes
    data_options: dict = field(default_factory=dict)
    architecture: dict = field(default_factory=dict)
    training: dict = field(default_factory=dict)
    weights: list[np.ndarray] = field(default_factory=list)
    biases: list[np.ndarray] = field(default_factory=list)
    optimizer: dict | None = None
    history: dict[str, np.ndarray] = field(default_factory=dict)
    preprocessor: dict | None = None
    extra: dict = field(default_factory=dict)
    version: str = PROJECT_VERSION
    app_version: str = ""                          # of the app that saved it (filled in on save/load)
    saved_at: str = ""

    @classmethod
    def capture(cls, network, *, optimizer=None, preprocessor=None, data_path=None,
                data_options: dict | None = None, training: dict | None = None,
                history: dict | None = None, extra: dict | None = None) -> "ProjectState":
        """A snapshot of live objects: arrays are copied, the data file hashed now."""
        data_path = None if data_path is None else str(Path(data_path).resolve())
        state = cls(
            data_path=data_path,
            data_hash=file_hash(data_path) if data_path and Path(data_path).is_file() else None,
            data_options=dict(data_options or {}),
            architecture=network.architecture(),
            training=dict(training or {}),
            weights=[w.copy() for w in network.weights],
            biases=[b.copy() for b in network.biases],
            optimizer=None if optimizer is None else _copy_state(optimizer.state_dict()),
            history={k: np.array(v, dtype=np.float64) for k, v in (history or {}).items()},
            preprocessor=None if preprocessor is None else preprocessor.to_dict(),
            extra=dict(extra or {}),
        )
        return state

    def build_network(self):
        """A Network with this project's architecture and weights."""
        from core.network import Network

        arch = self.architecture
        network = Network(arch["layer_sizes"], arch["activations"], arch.get("loss", "mse"),
                          init=arch.get("init", "xavier"), seed=int(arch.get("seed", 0)),
                          dtype=arch.get("dtype", "float32"))
        if self.weights:
            network.set_params(self.weights, self.biases)
        return network

    def build_optimizer(self):
        """The optimizer with its saved state (momentum / Adam moments), or None if none was saved."""
        if not self.optimizer:
            return None
        from core.optimizers import make_optimizer

        state = self.optimizer
        optimizer = make_optimizer(state["name"], state["lr"], momentum=state.get("momentum", 0.9),
                                   l2=state.get("l2", 0.0))
        optimizer.load_state_dict(_copy_state(state))
        return optimizer

    def build_preprocessor(self):
        if self.preprocessor is None:
            return None
        from core.data import Preprocessor

        return Preprocessor.from_dict(self.preprocessor)

    def to_loaded_model(self):
        """The project's network + preprocessing as a core.export.LoadedModel (for exporting)."""
        from core.export import LoadedModel, build_metadata

        network = self.build_network()
        pre = self.build_preprocessor()
        return LoadedModel(network, pre, build_metadata(network, pre, file_format="bpstudio"))


def _copy_state(state: dict) -> dict:
    return {k: ([np.array(a) for a in v] if _is_array_list(v) else v) for k, v in state.items()}


def _is_array_list(value) -> bool:
    return isinstance(value, (list, tuple)) and len(value) > 0 and all(
        isinstance(a, np.ndarray) for a in value)


def file_hash(path) -> str:
    """sha256 hex digest of a file's bytes (read in 1 MiB chunks). OSError if it cannot be read."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_data_file(state: ProjectState) -> str | None:
    """A one-line warning if the project's data file is missing or its content changed, else None."""
    if not state.data_path:
        return None
    path = Path(state.data_path)
    if not path.is_file():
        return f"The data file {path} is missing; locate it to keep training this project."
    if state.data_hash:
        try:
            current = file_hash(path)
        except OSError:
            return f"The data file {path} cannot be read; locate it to keep training this project."
        if current != state.data_hash:
            return (f"The data file {path.name} has changed since the project was saved; "
                    "results may differ from the saved ones.")
    return None


# ---- save -------------------------------------------------------------------------------------------

def _jsonable(value, where: str):
    try:
        return json.loads(json.dumps(value, allow_nan=False, default=_json_default))
    except (TypeError, ValueError) as exc:
        raise ExportError(f"Cannot save the project: {where} holds a value that is not plain data ({exc}).") \
            from None


def _json_default(value):
    # numpy scalars creep into settings dicts from widgets and arithmetic; they are plain numbers.
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _relative(data_path: str | None, project_path: Path) -> str | None:
    if not data_path:
        return None
    try:
        return os.path.relpath(data_path, project_path.resolve().parent)
    except ValueError:           # another drive on Windows
        return None


def _build_archive(path: Path, state: ProjectState) -> tuple[bytes, bytes]:
    """(project.json bytes, arrays.npz bytes) for `state`; ExportError for values that cannot be saved."""
    import core

    if len(state.weights) != len(state.biases):
        raise ExportError("Cannot save the project: the numbers of weight matrices and biases differ.")
    for i, (w, b) in enumerate(zip(state.weights, state.biases)):
        if not (np.isfinite(w).all() and np.isfinite(b).all()):
            raise ExportError(f"Cannot save the project: layer {i + 1} has NaN or infinite weights; "
                              "reset the network first.")
    sizes = state.architecture.get("layer_sizes")
    if state.preprocessor is not None and sizes:
        features, outputs = state.preprocessor.get("feature_names"), state.preprocessor.get("output_names")
        # Checked here too, so that a project that load_project would refuse is never written.
        if (features is not None and len(features) != sizes[0]) or \
                (outputs is not None and len(outputs) != sizes[-1]):
            raise ExportError(f"Cannot save the project: the network {sizes} does not fit the data's "
                              f"{len(features or [])} inputs and {len(outputs or [])} outputs; rebuild it first.")
    arrays: dict[str, np.ndarray] = {}
    for i, (w, b) in enumerate(zip(state.weights, state.biases)):
        arrays[f"W{i}"], arrays[f"b{i}"] = np.asarray(w), np.asarray(b)
    optimizer = None
    if state.optimizer is not None:
        optimizer = {}
        for key, value in state.optimizer.items():
            if _is_array_list(value):
                for j, a in enumerate(value):
                    arrays[f"optimizer.{key}.{j}"] = np.asarray(a)
                optimizer[key] = {"arrays": len(value)}
            else:
                optimizer[key] = _jsonable(value, f"optimizer setting '{key}'")
    for name, curve in state.history.items():
        arrays[f"history.{name}"] = np.asarray(curve, dtype=np.float64).reshape(-1)
    doc = {
        "format": PROJECT_FORMAT,
        "format_version": PROJECT_VERSION,
        "app_version": core.__version__,
        "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data": {"path": state.data_path, "relative_path": _relative(state.data_path, path),
                 "sha256": state.data_hash},
        "data_options": _jsonable(state.data_options, "the data options"),
        "architecture": _jsonable(state.architecture, "the architecture"),
        "training": _jsonable(state.training, "the training settings"),
        "layers": len(state.weights),
        "optimizer": optimizer,
        "history": list(state.history),
        "preprocessor": _jsonable(state.preprocessor, "the preprocessing"),
        "extra": _jsonable(state.extra, "the window settings"),
    }
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8"), buffer.getvalue()


def save_project(path, state: ProjectState) -> Path:
    """Write `state` to `path` (a .bpstudio zip) atomically; ExportError with one line on failure."""
    path = Path(path)
    doc, arrays = _build_archive(path, state)

    def write(handle):
        with zipfile.ZipFile(handle, "w") as zf:
            zf.writestr(JSON_NAME, doc, compress_type=zipfile.ZIP_DEFLATED)
            # Float noise barely compresses; storing keeps saves fast.
            zf.writestr(ARRAYS_NAME, arrays, compress_type=zipfile.ZIP_STORED)

    return atomic_write(path, write, what="the project")


# ---- load -------------------------------------------------------------------------------------------

def _begins_as_project(path: Path) -> bool:
    """Whether the file starts as save_project writes one: a zip whose first entry is project.json.

    A project cut short (a copy or download stopped early) keeps that beginning but loses the zip's table
    of contents at the end; zipfile then reads the stored arrays.npz's own table (it is a zip too) and
    finds no project.json, as in someone else's zip.
    """
    local_header = 30                                      # bytes before an entry's name
    try:
        with open(path, "rb") as handle:
            head = handle.read(local_header + len(JSON_NAME))
    except OSError:
        return False
    return head[:4] == b"PK\x03\x04" and head[local_header:] == JSON_NAME.encode()


def _cut_short(name: str) -> ModelFileError:
    return ModelFileError(f"{name} is a damaged or incomplete project: the file ends early (saved or copied "
                          "only in part), so it cannot be opened.")


def _read_archive(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    name = path.name
    names_read = False                   # past the zip's table of contents, which a file cut short loses
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            names_read = True
            if JSON_NAME not in names:
                if _begins_as_project(path):
                    raise _cut_short(name)
                raise ModelFileError(f"{name} is not a Backprop Studio project (no {JSON_NAME} inside).")
            if ARRAYS_NAME not in names:
                raise ModelFileError(f"{name} is an incomplete project: it has no {ARRAYS_NAME} (the weights) "
                                     "inside.")
            if sum(info.file_size for info in zf.infolist()) > MAX_UNPACKED_BYTES:
                raise ResourceError(f"{name} would unpack to more than 4 GB; it is not a project file.")
            doc = json.loads(zf.read(JSON_NAME).decode("utf-8"))
            raw = zf.read(ARRAYS_NAME)
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except BackpropError:
        raise
    except zipfile.BadZipFile as exc:
        if not names_read and _begins_as_project(path):
            raise _cut_short(name) from None
        what = "is damaged and cannot be opened" if names_read else "is damaged or not a project file"
        raise ModelFileError(f"{name} {what} ({_short(exc)}).") from None
    except (OSError, EOFError, ValueError, KeyError, zlib.error, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{name} is damaged and cannot be opened ({_short(exc)}).") from None
    if not isinstance(doc, dict):
        raise ModelFileError(f"{name} is not a Backprop Studio project.")
    return doc, arrays


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return text[:120]


def _require(doc: dict, key: str, kind, name: str):
    if key not in doc:
        raise ModelFileError(f"{name} is incomplete: it has no '{key}' section.")
    value = doc[key]
    if not isinstance(value, kind):
        raise ModelFileError(f"{name} is damaged: its '{key}' section has the wrong type.")
    return value


def _float_array(arrays: dict, key: str, name: str, what: str) -> np.ndarray:
    if key not in arrays:
        raise ModelFileError(f"{name} is incomplete: {what} is missing.")
    a = arrays[key]
    if not np.issubdtype(a.dtype, np.floating):
        raise ModelFileError(f"{name} is damaged: {what} does not hold floating-point numbers.")
    return a


def load_project(path) -> ProjectState:
    """Read and fully validate a .bpstudio file; ModelFileError (one line) if anything is wrong."""
    from core.network import Network

    path = Path(path)
    name = path.name
    if not path.is_file():
        raise ModelFileError(f"The project file {path} does not exist.")
    doc, arrays = _read_archive(path)
    version = check_file_format(doc, PROJECT_FORMAT, PROJECT_VERSION, name, "project")

    architecture = _require(doc, "architecture", dict, name)
    data = _require(doc, "data", dict, name)
    n_layers = _require(doc, "layers", int, name)
    try:
        network = Network.from_architecture(architecture)
    except (ConfigError, KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{name} describes a network this app cannot build ({_short(exc)}).") from None
    if n_layers != len(network.weights):
        raise ModelFileError(f"{name} is damaged: it stores {n_layers} layers for a "
                             f"{len(network.weights)}-layer network.")
    weights, biases = [], []
    for i, (w_shape, b_shape) in enumerate(zip((w.shape for w in network.weights),
                                               (b.shape for b in network.biases))):
        w = _float_array(arrays, f"W{i}", name, f"the weights of layer {i + 1}")
        b = _float_array(arrays, f"b{i}", name, f"the biases of layer {i + 1}")
        if w.shape != w_shape or b.shape != b_shape:
            raise ModelFileError(f"{name} is damaged: layer {i + 1} has weights {w.shape} / bias {b.shape}, "
                                 f"the architecture needs {w_shape} / {b_shape}.")
        if not (np.isfinite(w).all() and np.isfinite(b).all()):
            raise ModelFileError(f"{name} is damaged: layer {i + 1} holds NaN or infinite weights.")
        weights.append(w)
        biases.append(b)

    optimizer = _load_optimizer(doc.get("optimizer"), arrays, network, name)
    history_names = _require(doc, "history", list, name)
    history = {}
    for key in history_names:
        curve = _float_array(arrays, f"history.{key}", name, f"the '{key}' curve")
        if curve.ndim != 1:
            raise ModelFileError(f"{name} is damaged: the '{key}' curve is not a list of numbers.")
        history[str(key)] = curve

    data_path = data.get("path")
    relative = data.get("relative_path")
    if data_path and not Path(data_path).is_file() and relative:
        # The project and its data were moved together: follow the data.
        moved = (path.resolve().parent / relative).resolve()
        if moved.is_file():
            data_path = str(moved)
    data_hash = data.get("sha256")
    if data_hash is not None and not (isinstance(data_hash, str) and len(data_hash) == 64):
        raise ModelFileError(f"{name} is damaged: the data file's fingerprint is malformed.")
    for key in ("data_options", "training", "extra"):
        if not isinstance(doc.get(key, {}), dict):
            raise ModelFileError(f"{name} is damaged: its '{key}' section has the wrong type.")
    preprocessor = doc.get("preprocessor")
    if preprocessor is not None:
        _check_preprocessor(preprocessor, network, name)
    return ProjectState(
        data_path=data_path, data_hash=data_hash,
        data_options=doc.get("data_options", {}), architecture=architecture,
        training=doc.get("training", {}), weights=weights, biases=biases, optimizer=optimizer,
        history=history, preprocessor=preprocessor, extra=doc.get("extra", {}),
        version=version, app_version=str(doc.get("app_version", "")), saved_at=str(doc.get("saved_at", "")),
    )


def _check_preprocessor(preprocessor: Any, network, name: str) -> None:
    """The saved preprocessing must rebuild and fit the network's inputs and outputs."""
    if not isinstance(preprocessor, dict):
        raise ModelFileError(f"{name} is damaged: its 'preprocessor' section has the wrong type.")
    from core.data import Preprocessor

    try:
        pre = Preprocessor.from_dict(preprocessor)
    except BackpropError as exc:
        raise ModelFileError(f"{name}: {exc}") from None
    if len(pre.feature_names) != network.layer_sizes[0] or len(pre.output_names) != network.layer_sizes[-1]:
        raise ModelFileError(f"{name} is inconsistent: its preprocessing makes {len(pre.feature_names)} inputs "
                             f"and {len(pre.output_names)} outputs for a {network.layer_sizes} network.")


def _load_optimizer(saved: Any, arrays: dict, network, name: str) -> dict | None:
    if saved is None:
        return None
    if not isinstance(saved, dict) or not isinstance(saved.get("name"), str):
        raise ModelFileError(f"{name} is damaged: the optimizer state is malformed.")
    # Per-parameter optimizer state is either one flat array over every parameter (the engine's
    # flat_params layout) or one array per parameter in [*weights, *biases] order; both must fit.
    layouts = ([(network.n_parameters,)],
               [w.shape for w in network.weights] + [b.shape for b in network.biases])
    state = {}
    for key, value in saved.items():
        if isinstance(value, dict) and set(value) == {"arrays"}:
            count = value["arrays"]
            if not isinstance(count, int) or count < 1:
                raise ModelFileError(f"{name} is damaged: the optimizer's '{key}' state is malformed.")
            items = [_float_array(arrays, f"optimizer.{key}.{j}", name, f"the optimizer's '{key}' state")
                     for j in range(count)]
            if [a.shape for a in items] not in layouts or not all(np.isfinite(a).all() for a in items):
                raise ModelFileError(f"{name} is damaged: the optimizer's '{key}' state does not fit "
                                     "the network.")
            state[key] = items
        else:
            state[key] = value
    return state
