"""The studio's document: data, architecture and training settings, with undoable edits.

Widgets take a StudioModel in __init__, read from it, call its methods and listen to its signals; the
model never holds widgets. Architecture edits go through `edit_architecture`, which pushes a command on
`undo_stack`, so every click in the designer can be undone with Ctrl+Z.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from core.errors import BackpropError, ConfigError
from core.losses import auto_output, resolve_output
from core.network import DTYPES, INITS, Network, check_layers, check_memory
from core.optimizers import OPTIMIZERS

MAX_NEURONS_PER_LAYER = 4096
MAX_HIDDEN_LAYERS = 32


@dataclass(frozen=True)
class TrainSettings:
    optimizer: str = "sgd"
    lr: float = 0.03
    momentum: float = 0.9
    l2: float = 0.0
    batch_size: int = 10          # 1 = online, 0 = full batch
    epochs: int = 5000
    target_error: float = 0.0     # 0 = no threshold stop
    patience: int = 0             # 0 = no early stopping
    init: str = "xavier"
    seed: int = 0
    dtype: str = "float32"


# What each training setting may hold: the Training panel's choices and ranges (its fields are built from
# them). A settings file or project from another version, or edited by hand, is held to them field by field.
LR_MIN, LR_MAX = 1e-6, 10.0
SETTING_CHOICES = {"optimizer": OPTIMIZERS, "init": INITS, "dtype": DTYPES}
SETTING_RANGES = {"lr": (LR_MIN, LR_MAX), "momentum": (0.0, 0.999), "l2": (0.0, 1.0),
                  "batch_size": (0, 1_000_000), "epochs": (1, 100_000_000), "target_error": (0.0, 1e6),
                  "patience": (0, 1_000_000), "seed": (0, 2**31 - 1)}


def usable_settings(saved: dict) -> tuple[dict, dict]:
    """(the values of `saved` a TrainSettings can take, the others by name): a known field, of its kind,
    one of its choices or within its range. Missing and None values are in neither."""
    defaults, usable, unusable = TrainSettings(), {}, {}
    for f in fields(TrainSettings):
        raw = saved.get(f.name)
        if raw is None:
            continue
        kind = type(getattr(defaults, f.name))
        try:
            value = kind(raw)
            if kind is int and float(raw) != value:      # 2.5 samples is no batch size
                raise ValueError
        except (TypeError, ValueError, OverflowError):
            unusable[f.name] = raw
            continue
        if f.name in SETTING_CHOICES:
            ok = value in SETTING_CHOICES[f.name]
        else:
            low, high = SETTING_RANGES[f.name]
            ok = isinstance(value, (int, float)) and math.isfinite(value) and low <= value <= high
        (usable if ok else unusable)[f.name] = value if ok else raw
    return usable, unusable


@dataclass(frozen=True)
class Architecture:
    hidden: tuple[int, ...] = (8, 8)
    hidden_activations: tuple[str, ...] = ("tanh", "tanh")
    output_activation: str = "auto"   # "auto" picks from the task
    loss: str = "auto"

    def text(self) -> str:
        return ", ".join(str(n) for n in self.hidden)


def parse_hidden(text: str) -> tuple[int, ...]:
    """'8, 8' → (8, 8); raises ConfigError with a plain message on anything else."""
    text = text.strip().strip("[]()")
    if not text:
        return ()
    try:
        sizes = tuple(int(part) for part in text.replace(";", ",").replace(" ", ",").split(",") if part)
    except ValueError:
        raise ConfigError(f"'{text}' is not a list of layer sizes such as '8, 8'.") from None
    if any(n < 1 or n > MAX_NEURONS_PER_LAYER for n in sizes):
        raise ConfigError(f"Each hidden layer needs 1 to {MAX_NEURONS_PER_LAYER} neurons.")
    if len(sizes) > MAX_HIDDEN_LAYERS:
        raise ConfigError(f"At most {MAX_HIDDEN_LAYERS} hidden layers.")
    return sizes


class _ArchitectureCommand(QUndoCommand):
    def __init__(self, model: "StudioModel", old: Architecture, new: Architecture, text: str):
        super().__init__(text)
        self._model, self._old, self._new = model, old, new

    def redo(self):
        self._model._set_architecture(self._new)

    def undo(self):
        self._model._set_architecture(self._old)


class StudioModel(QObject):
    dataChanged = Signal()              # a new Dataset (or None)
    architectureChanged = Signal()      # hidden sizes / activations / output / loss
    networkChanged = Signal()           # a new Network object (rebuilt or re-initialised)
    settingsChanged = Signal()          # TrainSettings
    message = Signal(str, str)          # (text, level: "info" | "warning" | "error")
    trainingLockChanged = Signal(bool)  # training_locked flipped: editors enable/disable themselves

    def __init__(self, parent=None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.dataset = None               # core.data.Dataset
        self.table = None                 # core.data.RawTable the dataset came from (None for examples)
        self.data_options: dict = {}      # kwargs given to build_dataset (targets, scaling, ...)
        self.example_name: str | None = None
        self.architecture = Architecture()
        self.settings = TrainSettings()
        self.network: Network | None = None
        self._training_locked = False     # True while a run is active: architecture edits are refused

    @property
    def training_locked(self) -> bool:
        return self._training_locked

    @training_locked.setter
    def training_locked(self, locked: bool) -> None:
        # A property rather than a plain flag so editors learn of the change without polling.
        locked = bool(locked)
        if locked != self._training_locked:
            self._training_locked = locked
            self.trainingLockChanged.emit(locked)

    # ---- data -----------------------------------------------------------------------------
    def set_dataset(self, dataset, *, table=None, options=None, example_name=None) -> None:
        from core.examples import EXAMPLES
        leaving = EXAMPLES.get(self.example_name) if self.example_name and example_name is None else None
        if leaving is not None and leaving.default_loss != "auto" and self.architecture.loss == leaving.default_loss:
            # the example's own loss (XOR's E = ½Σ(t−o)², after the article), not the user's: a file gets its
            # task's, as softmax + mse would train iris badly
            self.architecture = replace(self.architecture, loss="auto")
            self.architectureChanged.emit()
        self.dataset = dataset
        self.table = table
        self.data_options = dict(options or {})
        self.example_name = example_name
        self.dataChanged.emit()
        self.rebuild_network()

    @property
    def task(self) -> str | None:
        return self.dataset.task if self.dataset is not None else None

    # ---- architecture -----------------------------------------------------------------------
    def resolved_output(self) -> tuple[str, str]:
        n_out = self.dataset.n_outputs if self.dataset is not None else 1
        try:
            return resolve_output(self.task, n_out, self.architecture.output_activation, self.architecture.loss)
        except ConfigError:      # a classification loss kept from earlier data: this data's own choice
            return auto_output(self.task, n_out)

    def layer_sizes(self) -> list[int]:
        return self._layer_sizes_for(self.architecture)

    def _layer_sizes_for(self, arch: Architecture) -> list[int]:
        n_in = self.dataset.n_features if self.dataset is not None else 2
        n_out = self.dataset.n_outputs if self.dataset is not None else 1
        return [n_in, *arch.hidden, n_out]

    def edit_architecture(self, new: Architecture, text: str = "Edit network") -> bool:
        """Apply an architecture change as one undoable step. False (and a message) if refused."""
        if self.training_locked:
            self.message.emit("Stop training before changing the network.", "warning")
            return False
        if new == self.architecture:
            return True
        if len(new.hidden) != len(new.hidden_activations):
            raise ValueError("one activation per hidden layer")
        if len(new.hidden) > MAX_HIDDEN_LAYERS or any(not 1 <= n <= MAX_NEURONS_PER_LAYER for n in new.hidden):
            self.message.emit(
                f"Hidden layers hold 1 to {MAX_NEURONS_PER_LAYER} neurons, at most {MAX_HIDDEN_LAYERS} layers.",
                "warning")
            return False
        try:
            sizes = self._layer_sizes_for(new)
            act, loss = resolve_output(self.task, sizes[-1], new.output_activation, new.loss)
            check_layers(sizes, [*new.hidden_activations, act], loss)
            check_memory(sizes, self.settings.dtype, self.settings.batch_size or 256)
        except BackpropError as exc:
            self.message.emit(str(exc), "warning")
            return False
        self.undo_stack.push(_ArchitectureCommand(self, self.architecture, new, text))
        return True

    def _set_architecture(self, arch: Architecture) -> None:
        self.architecture = arch
        self.architectureChanged.emit()
        self.rebuild_network()

    # Convenience edits used by the designer; each is one undo step.
    def set_hidden_text(self, text: str) -> bool:
        try:
            sizes = parse_hidden(text)
        except ConfigError as exc:
            self.message.emit(str(exc), "warning")
            return False
        acts = list(self.architecture.hidden_activations)
        default = acts[-1] if acts else "tanh"
        acts = (acts + [default] * len(sizes))[:len(sizes)]
        return self.edit_architecture(replace(self.architecture, hidden=sizes, hidden_activations=tuple(acts)),
                                      "Set hidden layers")

    def set_layer_size(self, index: int, size: int) -> bool:
        hidden = list(self.architecture.hidden)
        hidden[index] = size
        return self.edit_architecture(replace(self.architecture, hidden=tuple(hidden)),
                                      f"Layer {index + 1}: {size} neurons")

    def add_neuron(self, index: int) -> bool:
        return self.set_layer_size(index, self.architecture.hidden[index] + 1)

    def remove_neuron(self, index: int) -> bool:
        if self.architecture.hidden[index] <= 1:
            return False
        return self.set_layer_size(index, self.architecture.hidden[index] - 1)

    def insert_layer(self, index: int, size: int = 4, activation: str | None = None) -> bool:
        hidden, acts = list(self.architecture.hidden), list(self.architecture.hidden_activations)
        activation = activation or (acts[min(index, len(acts) - 1)] if acts else "tanh")
        hidden.insert(index, size)
        acts.insert(index, activation)
        return self.edit_architecture(
            replace(self.architecture, hidden=tuple(hidden), hidden_activations=tuple(acts)),
            "Insert layer")

    def remove_layer(self, index: int) -> bool:
        hidden, acts = list(self.architecture.hidden), list(self.architecture.hidden_activations)
        del hidden[index]
        del acts[index]
        return self.edit_architecture(
            replace(self.architecture, hidden=tuple(hidden), hidden_activations=tuple(acts)),
            "Remove layer")

    def set_layer_activation(self, index: int, name: str) -> bool:
        """index counts hidden layers from 0; index == len(hidden) means the output layer."""
        if index == len(self.architecture.hidden):
            return self.edit_architecture(replace(self.architecture, output_activation=name),
                                          f"Output activation: {name}")
        acts = list(self.architecture.hidden_activations)
        acts[index] = name
        return self.edit_architecture(replace(self.architecture, hidden_activations=tuple(acts)),
                                      f"Layer {index + 1} activation: {name}")

    def set_loss(self, name: str) -> bool:
        return self.edit_architecture(replace(self.architecture, loss=name), f"Loss: {name}")

    # ---- settings and network -----------------------------------------------------------------
    def update_settings(self, **changes) -> None:
        new = replace(self.settings, **changes)
        if new != self.settings:
            reinit = any(k in changes and changes[k] != getattr(self.settings, k)
                         for k in ("init", "seed", "dtype"))
            self.settings = new
            self.settingsChanged.emit()
            if reinit:
                self.rebuild_network()

    def rebuild_network(self) -> None:
        """A fresh Network for the current data + architecture, initialised from the seed."""
        act, loss = self.resolved_output()
        try:
            self.network = Network(self.layer_sizes(), [*self.architecture.hidden_activations, act], loss,
                                   init=self.settings.init, seed=self.settings.seed, dtype=self.settings.dtype)
        except BackpropError as exc:
            self.network = None
            self.message.emit(str(exc), "error")
        self.networkChanged.emit()

    def reset_weights(self) -> None:
        if self.network is not None:
            self.network.initialize(self.settings.seed)
            self.networkChanged.emit()

    def settings_dict(self) -> dict:
        return asdict(self.settings)

    def replace_document(self, *, dataset, table, options: dict, example_name: str | None,
                         architecture: Architecture, settings: TrainSettings, network: Network) -> None:
        """Swap in a whole saved document at once (opening a project).

        Everything is assigned before any signal goes out, so no listener ever sees the new data with
        the old network; and the network is the saved one, not rebuilt from the seed. The undo history
        belonged to the previous document, so it goes too. Stop training before calling this.
        """
        self.undo_stack.clear()
        self.dataset, self.table, self.data_options = dataset, table, dict(options)
        self.example_name = example_name
        self.architecture, self.settings, self.network = architecture, settings, network
        self.dataChanged.emit()
        self.architectureChanged.emit()
        self.settingsChanged.emit()
        self.networkChanged.emit()
