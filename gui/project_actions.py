"""File → New / Open Project / Save / Save As / Export Model / Import Weights, and the unsaved-changes
bookkeeping behind the '*' in the window title.

The document is what a `.bpstudio` file holds (core.project): the data (a CSV path + hash, or an example
name) with its column roles and preprocessing, the architecture, the training settings and seed, the
weights, the optimizer state and the loss history. core/ does the reading, writing and validating; this
module asks the questions (file dialogs, Save / Discard / Cancel) and moves the result in and out of the
StudioModel and TrainingController.

Rules of the house, and why:
- Opening validates everything first (core.project.load_project, then reading the data and rebuilding the
  data set off to the side) and only then touches the window, so a damaged file, a missing data file the
  user does not locate, or data that no longer fits the network changes nothing.
- Saving and exporting while training stop the run first (stop, join, deliver its queued reports). The
  worker trains the network's arrays in place, so a copy taken mid-run could pair weights from one batch
  with optimizer moments from another and curves that lag both; after the join all three describe the
  same moment, and Train continues from exactly there.
- Dirty = the undo stack is away from its clean index (architecture edits) or something else changed
  since New / Open / Save: settings, data, a training epoch, Reset, an inspector step, imported weights.
  Loading a built-in example starts a new untitled document (it replaces data, network and rates);
  opening another CSV is an edit of the current document, asked about first if it has unsaved changes.
- Every dialog is a static QFileDialog / QMessageBox call, so tests replace them with monkeypatch.
"""

from __future__ import annotations

import contextlib
import inspect
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from core.errors import BackpropError, ModelFileError
from core.export import FORMATS, export_model, export_notes, load_weights_into
from core.project import (PROJECT_SUFFIX, ProjectState, check_data_file, file_hash, load_project,
                          save_project)
from gui.data_panel import FILE_FILTER as DATA_FILTER
from gui.model import Architecture, TrainSettings, usable_settings

PROJECT_FILTER = f"Backprop Studio projects (*{PROJECT_SUFFIX})"
IMPORT_FILTER = "Model files (*.npz *.json *.safetensors *.zip);;All files (*)"
# Menu order and wording of the export formats; a format core adds later still appears, under its suffix.
FORMAT_LABELS = {".npz": "NumPy archive", ".json": "JSON", ".safetensors": "safetensors",
                 ".onnx": "ONNX model", ".py": "Python script (needs only numpy)",
                 ".csv": "CSV tables in a folder", ".zip": "CSV tables in a zip"}
StandardButton = QMessageBox.StandardButton


def export_filters() -> dict[str, str]:
    """QFileDialog filter text → suffix, one per core.export format."""
    suffixes = [s for s in FORMAT_LABELS if s in FORMATS] + sorted(FORMATS - set(FORMAT_LABELS))
    return {f"{FORMAT_LABELS.get(s, s.lstrip('.'))} (*{s})": s for s in suffixes}


@dataclass
class _Opened:
    """A project read, checked and rebuilt off to the side; applying it cannot fail."""
    path: str
    state: ProjectState
    table: object
    dataset: object
    options: dict
    example: str | None
    data_path: str | None
    architecture: Architecture
    settings: TrainSettings
    network: object
    optimizer: object
    notes: list[str]
    relocated: bool


class ProjectActions(QObject):
    documentChanged = Signal()          # the project path or the dirty flag changed: the title follows

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.model, self.controller, self.data_panel = window.model, window.controller, window.data_panel
        self.path: str | None = None            # the .bpstudio file of the document, None = untitled
        self.data_path: str | None = None       # the CSV the current data set was built from
        self._modified = False
        self._quiet = 0                          # > 0 while a whole document is being swapped in
        self._had_data = self.model.dataset is not None

        def action(text, shortcut, slot, tip):
            act = QAction(text, window)
            act.setShortcut(QKeySequence(shortcut))
            act.setToolTip(f"{tip} ({QKeySequence(shortcut).toString()})")
            act.setStatusTip(tip)
            act.triggered.connect(slot)
            return act

        self.act_new = action("&New Project", "Ctrl+N", lambda: self.new(),
                              "Start again from the default example with a fresh network")
        self.act_open = action("&Open Project…", "Ctrl+Shift+O", lambda: self.open_project(),
                               "Open a saved project: data, network, weights, settings and curves")
        self.act_save = action("&Save Project", "Ctrl+S", lambda: self.save(),
                               "Save the project (data reference, network, weights, settings, curves)")
        self.act_save_as = action("Save Project &As…", "Ctrl+Shift+S", lambda: self.save_as(),
                                  "Save the project under a new name")
        self.act_export = action("&Export Model…", "Ctrl+E", lambda: self.export(),
                                 "Write the trained network for other tools: npz, JSON, CSV, safetensors, "
                                 "ONNX or a standalone Python script")
        self.act_import = action("&Import Weights…", "Ctrl+I", lambda: self.import_weights(),
                                 "Load weights from a model file into the current network (same shape)")

        # Bound slots, not lambdas: the model can outlive this window, and Qt disconnects a deleted
        # receiver's slots but not a lambda.
        self.model.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.model.settingsChanged.connect(self.mark_dirty)
        self.model.dataChanged.connect(self._on_data_changed)
        self.model.trainingLockChanged.connect(self._sync_actions)
        self.controller.reportsArrived.connect(self.mark_dirty)
        self.data_panel.fileLoaded.connect(self._on_file_loaded)
        self.data_panel.confirm_load = self._confirm_csv
        self._sync_actions()

    # ---- the dirty flag ----------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return self._modified or not self.model.undo_stack.isClean()

    @Slot()
    def mark_dirty(self, *_) -> None:
        if self._quiet or self._modified:
            return
        self._modified = True
        self.documentChanged.emit()

    def mark_clean(self) -> None:
        self._modified = False
        self.model.undo_stack.setClean()
        self.documentChanged.emit()

    def display_name(self) -> str:
        """The project file's name, or '' for an untitled document (the window then names the data)."""
        return os.path.basename(self.path) if self.path else ""

    @contextlib.contextmanager
    def _quietly(self):
        """Swapping a whole document in: its many signals are not edits."""
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    def _start_document(self, path: str | None, *, dirty: bool = False) -> None:
        self.path = None if path is None else os.path.abspath(path)
        self._had_data = self.model.dataset is not None
        self.mark_clean()
        if dirty:
            self.mark_dirty()

    @Slot(bool)
    def _on_clean_changed(self, _clean: bool) -> None:
        # A dirty undo stack that is being destroyed (the app quitting) clears itself and says so
        if shiboken6.isValid(self.model.undo_stack):
            self.documentChanged.emit()

    @Slot()
    def _on_data_changed(self) -> None:
        # The first data set of an empty window (a CSV given on the command line) is where the
        # document starts, not a change to it.
        if self._had_data:
            self.mark_dirty()
        self._had_data = self.model.dataset is not None

    def start_with_next_data(self) -> None:
        """The next data set starts the document, as in an empty window: a file given on the command line,
        loading over the example shown meanwhile."""
        self._had_data = False

    @Slot(str, str)
    def _on_file_loaded(self, path: str, _sheet: str = "") -> None:
        self.data_path = os.path.abspath(path)

    @Slot()
    def _sync_actions(self, *_) -> None:
        self.act_import.setEnabled(not self.model.training_locked)

    def maybe_save(self, doing: str = "closing") -> bool:
        """Save / Discard / Cancel when there are unsaved changes. True = go ahead."""
        if not self.dirty:
            return True
        name = self.display_name() or "this untitled project"
        answer = QMessageBox.question(
            self.window, "Unsaved changes",
            f"Save the changes to {name} before {doing}?\n\n"
            "Discard loses the changes (trained weights and curves included).",
            StandardButton.Save | StandardButton.Discard | StandardButton.Cancel, StandardButton.Save)
        if answer == StandardButton.Save:
            return self.save()
        return answer == StandardButton.Discard

    def _confirm_csv(self, path: str) -> bool:
        return self.maybe_save(f"opening {os.path.basename(str(path))}")

    # ---- New and examples ----------------------------------------------------------------------------
    def new(self) -> bool:
        from gui.app import DEFAULT_EXAMPLE

        if not self.maybe_save("starting a new project"):
            return False
        return self.load_example(DEFAULT_EXAMPLE, ask=False)

    def load_example(self, name: str, *, ask: bool = True) -> bool:
        """A built-in example as a new untitled document (the window's example loader does the work)."""
        if ask and not self.maybe_save("loading the example"):
            return False
        with self._quietly():
            ok = self.window.apply_example(name)
        if ok:
            self.data_path = None
            # A new document: edits of the old one must not undo into it, and setting up the example's
            # own network is where it starts, not an edit (Ctrl+Z at start-up undid it to 8, 8).
            self.model.undo_stack.clear()
            self._start_document(None)
        return ok

    # ---- training must stand still while the document is copied -------------------------------------
    def _stop_training(self) -> str:
        """Stop and join an active run; returns a sentence for the message bar ('' if none was running)."""
        if not self.controller.active:
            return ""
        # shutdown() = stop + join + deliver the run's queued reports: weights, optimizer and curves agree.
        self.controller.shutdown()
        return (f" Training was stopped at epoch {self.controller.history.last_epoch} so that weights, "
                "optimizer state and curves belong together; Train continues from there.")

    def _dir(self, key: str) -> str:
        value = self.window.settings.value(f"files/{key}", "")
        return str(value) if value and os.path.isdir(str(value)) else ""

    def _remember_dir(self, key: str, path: str) -> None:
        folder = os.path.dirname(os.path.abspath(path))
        self.window.settings.setValue(f"files/{key}", folder)

    def _default_stem(self) -> str:
        if self.path:
            return Path(self.path).stem
        if self.model.example_name:
            return self.model.example_name
        if self.data_path:
            return Path(self.data_path).stem
        return "untitled"

    # ---- Save ------------------------------------------------------------------------------------------
    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._save_to(self.path)

    def save_as(self) -> bool:
        start = self.path or os.path.join(self._dir("project"), self._default_stem() + PROJECT_SUFFIX)
        path, _ = QFileDialog.getSaveFileName(self.window, "Save Project As", start, PROJECT_FILTER)
        if not path:
            return False
        if not path.lower().endswith(PROJECT_SUFFIX):
            path += PROJECT_SUFFIX
        return self._save_to(path)

    def capture(self) -> ProjectState:
        """The document as a ProjectState (arrays copied). Training must not be running."""
        model, controller = self.model, self.controller
        example = model.example_name
        return ProjectState.capture(
            model.network, optimizer=controller.optimizer, preprocessor=model.dataset.preprocessor,
            data_path=None if example else self.data_path,
            data_options={**model.data_options, "example": example,
                          "sheet": None if example else getattr(model.table, "sheet", None)},
            training=model.settings_dict(), history=controller.history.to_arrays(),
            extra={"architecture": asdict(model.architecture)})

    def _save_to(self, path: str) -> bool:
        model = self.model
        if model.network is None or model.dataset is None:
            self.window.show_message("There is no network to save yet: load data first.", "warning")
            return False
        stopped = self._stop_training()
        try:
            written = save_project(path, self.capture())
        except BackpropError as exc:              # ExportError: unwritable folder, full disk, NaN weights…
            self.window.show_message(str(exc) + stopped, "error")
            return False
        except OSError as exc:                     # the data file could not be read for its hash
            self.window.show_message(f"Cannot save the project: {exc.strerror or exc}.{stopped}", "error")
            return False
        self._remember_dir("project", str(written))
        self._start_document(str(written))
        self.window.add_recent(str(written))
        self.window.show_message(f"Saved {written.name} (epoch {self.controller.history.last_epoch})."
                                 + stopped, "info")
        return True

    # ---- Open ------------------------------------------------------------------------------------------
    def open_project(self, path: str | None = None) -> bool:
        """Open a .bpstudio file (asking for one if `path` is None). On any problem: a message, no change."""
        if not self.maybe_save("opening another project"):
            return False
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self.window, "Open Project", self._dir("project"),
                                                  PROJECT_FILTER)
            if not path:
                return False
        try:
            opened = self._read(str(path))
        except BackpropError as exc:
            self.window.show_message(str(exc), "error")
            return False
        if opened is None:                        # the user did not locate the missing data file
            self.window.show_message(f"Opening {os.path.basename(str(path))} cancelled; the current project is "
                                     "unchanged.", "info")
            return False
        self._apply(opened)
        return True

    def _read(self, path: str) -> _Opened | None:
        """Everything opening needs, built without touching the window. BackpropError if it cannot be."""
        from core.data import build_dataset, read_csv
        from core.examples import EXAMPLES, example_table
        from core.losses import auto_output

        state = load_project(path)
        name = os.path.basename(path)
        options = dict(state.data_options)
        example = options.pop("example", None)
        notes, relocated, data_path = [], False, None
        if example:
            if example not in EXAMPLES:
                raise ModelFileError(f"{name} uses the example '{example}', which this version of "
                                     "Backprop Studio does not have.")
            table = example_table(example)
        elif state.data_path:
            data_path = state.data_path
            if not Path(data_path).is_file():
                data_path = self._locate(check_data_file(state) or f"The data file {data_path} is missing.",
                                         data_path)
                if data_path is None:
                    return None
                relocated = True
                if state.data_hash and file_hash(data_path) != state.data_hash:
                    notes.append(f"{os.path.basename(data_path)} is not byte-for-byte the file the project "
                                 "was saved with; results may differ from the saved ones.")
            else:
                problem = check_data_file(state)
                if problem:
                    notes.append(problem)
            table = read_csv(data_path, sheet=options.get("sheet"))
        else:
            raise ModelFileError(f"{name} names no data file or example, so it cannot be trained or shown.")

        accepted = set(inspect.signature(build_dataset).parameters) - {"table"}
        options = {k: v for k, v in options.items() if k in accepted}
        try:
            dataset = build_dataset(table, **options)
        except (TypeError, ValueError) as exc:
            raise ModelFileError(f"{name} has data options this app cannot use ({exc}).") from None
        network = state.build_network()
        sizes = list(network.layer_sizes)
        if (dataset.n_features, dataset.n_outputs) != (sizes[0], sizes[-1]):
            raise ModelFileError(
                f"The data now makes {dataset.n_features} inputs and {dataset.n_outputs} outputs, but the "
                f"saved network {sizes} needs {sizes[0]} and {sizes[-1]}; the project was not opened.")

        settings = _settings(state.training, name)
        settings = replace(settings, dtype=network.dtype.name)   # the saved weights' dtype wins
        auto_act, auto_loss = auto_output(dataset.task, dataset.n_outputs)
        architecture = _architecture(state.extra.get("architecture"), network, auto_act, auto_loss)
        try:
            optimizer = state.build_optimizer()
        except (BackpropError, KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"{name} has optimizer state this app cannot use ({exc}).") from None
        if optimizer is not None and not _optimizer_matches(optimizer, settings):
            optimizer = None      # settings and optimizer disagree: the next run starts a fresh one
        return _Opened(path=path, state=state, table=table, dataset=dataset, options=options,
                       example=example, data_path=data_path, architecture=architecture, settings=settings,
                       network=network, optimizer=optimizer, notes=notes, relocated=relocated)

    def _locate(self, problem: str, missing: str) -> str | None:
        answer = QMessageBox.warning(
            self.window, "Data file missing",
            f"{problem}\n\nChoose Open to locate the file, or Cancel to keep the current project.",
            StandardButton.Open | StandardButton.Cancel, StandardButton.Open)
        if answer != StandardButton.Open:
            return None
        folder = os.path.dirname(missing)
        start = folder if os.path.isdir(folder) else self._dir("project")
        path, _ = QFileDialog.getOpenFileName(self.window, f"Locate {os.path.basename(missing)}", start,
                                              DATA_FILTER)
        return path or None

    def _apply(self, opened: _Opened) -> None:
        from core.examples import EXAMPLES

        panel, model = self.data_panel, self.model
        with self._quietly():
            self.controller.shutdown()          # the run trains model.network in place: end it first
            panel.cancel_loading()              # a CSV still being read would replace the project's data
            title = f"Example: {EXAMPLES[opened.example].title}" if opened.example else None
            panel.show_table(opened.table, opened.data_path, title=title)
            roles = {name: role for role, key in (("input", "inputs"), ("target", "targets"),
                                                  ("ignore", "ignore"))
                     for name in opened.options.get(key) or []}
            panel.set_roles(roles)
            panel.set_options(opened.options)
            panel.example_options = dict(EXAMPLES[opened.example].build_defaults) if opened.example else {}
            model.replace_document(dataset=opened.dataset, table=opened.table, options=opened.options,
                                   example_name=opened.example, architecture=opened.architecture,
                                   settings=opened.settings, network=opened.network)
            self.controller.restore(opened.state.history, opened.optimizer)
        self.data_path = opened.data_path
        # A located data file is a change: saving records where it is now.
        self._start_document(opened.path, dirty=opened.relocated)
        self._remember_dir("project", opened.path)
        self.window.add_recent(opened.path)
        epoch = self.controller.history.last_epoch
        text = (f"Opened {os.path.basename(opened.path)}: epoch {epoch:,}; Train continues from epoch "
                f"{epoch + 1:,}." if epoch else f"Opened {os.path.basename(opened.path)}.")
        if opened.relocated:
            text += " Save the project to remember the data file's new place."
        if opened.notes:
            self.window.show_message(" ".join(opened.notes) + " " + text, "warning")
        else:
            self.window.show_message(text, "info")

    # ---- Export and import -------------------------------------------------------------------------------
    def export(self) -> bool:
        model = self.model
        if model.network is None or model.dataset is None:
            self.window.show_message("There is no network to export yet: load data first.", "warning")
            return False
        filters = export_filters()
        chosen = str(self.window.settings.value("files/export_filter", ""))
        if chosen not in filters:
            chosen = next(iter(filters))
        start = os.path.join(self._dir("export") or self._dir("project"), self._default_stem())
        path, chosen = QFileDialog.getSaveFileName(self.window, "Export Model", start, ";;".join(filters),
                                                   chosen)
        if not path:
            return False
        suffix = Path(path).suffix.lower()
        if suffix not in FORMATS:
            suffix = filters.get(chosen, ".npz")
            path += suffix
        stopped = self._stop_training()
        network, pre = model.network, model.dataset.preprocessor
        try:
            written = export_model(path, network, pre)
            notes = export_notes(path, network, pre)
        except BackpropError as exc:
            self.window.show_message(str(exc) + stopped, "error")
            return False
        self._remember_dir("export", str(written))
        if chosen in filters:
            self.window.settings.setValue("files/export_filter", chosen)
        what = f"the folder {written}" if written.is_dir() else str(written)
        # Caveats stay on screen (warnings do not fade) until read.
        self.window.show_message(" ".join([f"Exported the model to {what}.", *notes]) + stopped,
                                 "warning" if notes else "info")
        return True

    def import_weights(self) -> bool:
        model = self.model
        if model.training_locked:
            self.window.show_message("Stop training before importing weights.", "warning")
            return False
        if model.network is None:
            self.window.show_message("There is no network to import weights into: load data first.",
                                     "warning")
            return False
        path, _ = QFileDialog.getOpenFileName(self.window, "Import Weights", self._dir("export"),
                                              IMPORT_FILTER)
        if not path:
            return False
        try:
            load_weights_into(model.network, path)      # checks every layer first: no change on error
        except BackpropError as exc:
            self.window.show_message(str(exc), "error")
            return False
        # The curves and the optimizer's moments described the old weights: they start over, as after
        # Reset (networkChanged makes the controller clear both, and every view redraw the weights).
        model.networkChanged.emit()
        self.mark_dirty()
        self._remember_dir("export", path)
        self.window.show_message(f"Imported the weights of {os.path.basename(path)}; the curves start "
                                 "again from here.", "info")
        return True


# ---- helpers: saved plain data → the GUI's dataclasses ---------------------------------------------------

def _settings(saved: dict, name: str) -> TrainSettings:
    usable, unusable = usable_settings(saved)
    if unusable:
        key, value = next(iter(unusable.items()))
        raise ModelFileError(f"{name} has an unusable training setting {key} = {value!r}.")
    return TrainSettings(**usable)


def _architecture(saved, network, auto_act: str, auto_loss: str) -> Architecture:
    """The designer's Architecture for `network`: the saved one when it describes this network
    (keeping its 'auto' choices), else one read off the network with explicit output and loss."""
    hidden = tuple(int(n) for n in network.layer_sizes[1:-1])
    acts = tuple(str(a) for a in network.activations[:-1])
    out_act, loss = str(network.activations[-1]), str(network.loss)
    arch = None
    if isinstance(saved, dict):
        try:
            arch = Architecture(hidden=tuple(int(n) for n in saved["hidden"]),
                                hidden_activations=tuple(str(a) for a in saved["hidden_activations"]),
                                output_activation=str(saved["output_activation"]), loss=str(saved["loss"]))
        except (KeyError, TypeError, ValueError):
            arch = None
    if arch is None or arch.hidden != hidden or arch.hidden_activations != acts:
        arch = Architecture(hidden=hidden, hidden_activations=acts, output_activation="auto", loss="auto")
    # 'auto' must still pick what the network has (the data's task could have changed).
    if (arch.output_activation if arch.output_activation != "auto" else auto_act) != out_act:
        arch = replace(arch, output_activation=out_act)
    if (arch.loss if arch.loss != "auto" else auto_loss) != loss:
        arch = replace(arch, loss=loss)
    return arch


def _optimizer_matches(optimizer, settings: TrainSettings) -> bool:
    if optimizer.name != settings.optimizer or optimizer.l2 != settings.l2:
        return False
    return optimizer.name != "momentum" or optimizer.momentum == settings.momentum
