"""The studio window: docks, menus, toolbar and status bar around the live views. No maths here.

Layout (ARCHITECTURE.md, TensorFlow Playground's left-to-right flow): Data and Training docks on the
left, the network diagram in the centre above the live plots, the Output dock on the right. The error
curves and the weight heatmaps sit side by side (a splitter; Weights in a tab widget with Inspector,
Health and Activation) rather than in two tabs: watching E fall while the weights move is the point of
the window, and a tab would hide one of them.

The diagram and the inspection / output views come from other modules and are optional: a missing one
leaves a placeholder, so this window never depends on their progress.
"""

from __future__ import annotations

import importlib
import json
import os
from dataclasses import replace

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QSize, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QDoubleValidator, QKeySequence
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QApplication, QComboBox, QDockWidget, QFormLayout,
                               QLabel, QMainWindow,
                               QProgressBar, QScrollArea, QSplitter, QStyle, QTabWidget, QToolButton, QVBoxLayout,
                               QWidget)
import shiboken6

from core.training import STOP_EARLY, STOP_MAX_EPOCHS, STOP_REQUESTED, STOP_TARGET_ERROR
from gui.controller import PAUSED, RUNNING, RateLimiter, TrainingController
from gui.curves_view import CurvesView
from gui.data_panel import DATA_SUFFIXES, DataPanel
from gui.message_bar import MessageBar
from gui.model import usable_settings
from gui.project_actions import ProjectActions
from gui.training_panel import LR_STEPS, TrainingPanel
from gui.weights_view import WeightsView



def _optional(module: str, name: str):
    """A view class from gui/<module>.py, or None while that module does not exist yet."""
    try:
        return getattr(importlib.import_module(f"gui.{module}"), name)
    except ImportError:
        return None


NetworkView = _optional("network_view", "NetworkView")
OutputPanel = _optional("output_panel", "OutputPanel")
InspectorView = _optional("inspector_view", "InspectorView")
HealthView = _optional("health_view", "HealthView")
ActivationPlot = _optional("activation_view", "ActivationPlot")

ORGANIZATION = "BackpropStudio"
APPLICATION = "Backprop Studio"
SETTINGS_ENV = "BACKPROP_STUDIO_SETTINGS"   # path of an .ini file: tests and screenshots stay isolated
MAX_RECENT = 8
# Redraw rates: the eye needs no more, and each redraw is GUI-thread time a small net's training loses.
STATUS_INTERVAL_MS = 200      # numbers in the status bar
DIAGRAM_INTERVAL_MS = 25      # link colours of the network diagram: every snapshot (≤ 40 a second)
PROJECT_SUFFIX = ".bpstudio"
DEFAULT_SIZE = (1500, 950)    # first launch; later launches restore the user's own geometry
OPENABLE_SUFFIXES = (*DATA_SUFFIXES, PROJECT_SUFFIX)    # what a drop on the window may open


def _fitting(size: tuple[int, int], screen) -> tuple[int, int]:
    """`size`, made smaller where the screen is: a 1366×768 laptop must show the whole window."""
    if screen is None or not screen.availableGeometry().isValid():
        return size
    area = screen.availableGeometry()
    return min(size[0], int(area.width() * 0.96)), min(size[1], int(area.height() * 0.94))


def side_dock_widths(window_width: int, full_output: bool = True) -> list[int]:
    """First-launch widths of the Data/Training and Output docks. A 1500-pixel window gives them 370 and
    300; a smaller one gives them less, so the centre keeps room for the inspect tabs (at 1280×720 the
    fixed widths left the centre 550 px: "Activa…" behind scroll arrows, the third heatmap off-screen)."""
    data = min(370, round(window_width * 0.25))
    output = min(300 if full_output else 230, round(window_width * 0.22))
    return [data, output]


def _scrolling(panel: QWidget) -> QScrollArea:
    """The panel in a frameless vertical scroll area that lets its dock be shorter than the panel."""
    area = QScrollArea()
    area.setWidget(panel)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    # room for the vertical scroll bar beside the panel, so a short dock does not scroll sideways too
    area.setMinimumWidth(panel.minimumSizeHint().width() + area.verticalScrollBar().sizeHint().width())
    return area


def make_settings() -> QSettings:
    """The app's QSettings: an .ini per user, or the file named by $BACKPROP_STUDIO_SETTINGS."""
    path = os.environ.get(SETTINGS_ENV)
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


def _rate(samples_per_second: float) -> str:
    if samples_per_second >= 1e6:
        return f"{samples_per_second / 1e6:.1f}M samples/s"
    if samples_per_second >= 1e4:
        return f"{samples_per_second / 1e3:.0f}k samples/s"
    return f"{samples_per_second:.0f} samples/s"


class FocusedKeys(QObject):
    """Lets a focused control keep the keys it uses that are also the window's single-key shortcuts: Space
    presses a button, opens a combo box or selects in a list; letters search a combo box or a list. Without
    it Space on a focused button started training and R in the column table reset the weights. Installed
    on the focus widget only (QApplication.focusChanged), not on the whole application: that would put a
    Python call on every event the window handles."""

    SPACE_USERS = (QAbstractButton, QComboBox, QAbstractItemView)
    LETTER_USERS = (QComboBox, QAbstractItemView)

    def claims(self, widget, key: int) -> bool:
        users = self.SPACE_USERS if key == Qt.Key.Key_Space else self.LETTER_USERS
        return isinstance(widget, users)

    def eventFilter(self, obj, event) -> bool:
        if (event.type() == QEvent.Type.ShortcutOverride and event.modifiers() == Qt.KeyboardModifier.NoModifier
                and event.key() in (Qt.Key.Key_Space, Qt.Key.Key_S, Qt.Key.Key_R) and self.claims(obj, event.key())):
            event.accept()          # the key goes to the widget, not to the shortcut
        return False

    @Slot(QWidget, QWidget)
    def follow(self, old, new) -> None:
        if old is not None and shiboken6.isValid(old):
            old.removeEventFilter(self)
        if new is not None and isinstance(new, self.SPACE_USERS):
            new.installEventFilter(self)


class LatestNumbers(QWidget):
    """The Output dock until gui/output_panel.py exists: the latest numbers of the run."""

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self._form = QFormLayout()
        self._rows: dict[str, QLabel] = {}
        note = QLabel("Decision boundary, predicted-vs-actual, confusion matrix and Predict will live "
                      "here.")
        note.setWordWrap(True)
        note.setStyleSheet("color: #707070;")
        layout = QVBoxLayout(self)
        layout.addLayout(self._form)
        layout.addStretch(1)
        layout.addWidget(note)
        self._latest = None
        self._limiter = RateLimiter(self._show_latest, 4 * STATUS_INTERVAL_MS, self)
        controller.reportsArrived.connect(self._on_reports)
        controller.historyCleared.connect(self._clear)

    def _row(self, key: str) -> QLabel:
        if key not in self._rows:
            label = QLabel()
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._rows[key] = label
            self._form.addRow(key, label)
        return self._rows[key]

    @Slot(list)
    def _on_reports(self, reports) -> None:
        self._latest = reports[-1]
        self._limiter.poke()

    def _show_latest(self) -> None:
        report = self._latest
        if report is None:
            return
        self._row("Epoch").setText(str(report.epoch))
        self._row("Training error").setText(f"{report.train_loss:.5g}")
        if report.val_loss is not None:
            self._row("Validation error").setText(f"{report.val_loss:.5g}")
        for name, value in report.metrics.items():
            text = f"{value:.1%}" if name.endswith("accuracy") else f"{value:.5g}"
            self._row(name.replace("_", " ").capitalize()).setText(text)
        if report.best_epoch is not None:
            self._row("Best epoch").setText(str(report.best_epoch))

    @Slot()
    def _clear(self) -> None:
        self._latest = None
        while self._form.rowCount():
            self._form.removeRow(0)
        self._rows.clear()


def redo_shortcuts() -> list[QKeySequence]:
    """The platform's Redo keys, then Ctrl+Shift+Z and Ctrl+Y, each once: on X11 Redo is Ctrl+Shift+Z
    already, and an action holding one key twice is "ambiguous" to Qt, which then fires neither."""
    keys, seen = [], set()
    for key in [*QKeySequence.keyBindings(QKeySequence.StandardKey.Redo), QKeySequence("Ctrl+Shift+Z"),
                QKeySequence("Ctrl+Y")]:
        if not key.isEmpty() and key.toString() not in seen:
            seen.add(key.toString())
            keys.append(key)
    return keys


class MainWindow(QMainWindow):
    def __init__(self, model, settings: QSettings | None = None, parent=None):
        super().__init__(parent)
        self.model = model
        self.settings = settings if settings is not None else make_settings()
        self.restored_settings: dict = {}     # the training settings the last session left (_restore)
        self.controller = TrainingController(model, self)   # first: it retires runs before views redraw
        self.setWindowTitle("Backprop Studio")
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)

        self.message_bar = MessageBar()
        self.curves = CurvesView(self.controller, model)
        self.weights = WeightsView(self.controller, model)
        if NetworkView is not None:
            self.network_view = NetworkView(model)
        else:
            self.network_view = QLabel("The network diagram appears here.")
            self.network_view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.inspect_tabs = QTabWidget()
        self.inspect_tabs.setDocumentMode(True)
        self.inspect_tabs.addTab(self.weights, "Weights")
        self.inspector = InspectorView(model, self.controller) if InspectorView else None
        self.health = HealthView(model, self.controller) if HealthView else None
        self.activation = ActivationPlot(model, self.controller) if ActivationPlot else None
        for view, title in ((self.inspector, "Inspector"), (self.health, "Health"),
                            (self.activation, "Activation")):
            if view is not None:
                self.inspect_tabs.addTab(view, title)
        self.plots = QSplitter(Qt.Orientation.Horizontal)
        self.plots.addWidget(self.curves)
        self.plots.addWidget(self.inspect_tabs)
        self.plots.setStretchFactor(0, 4)
        self.plots.setStretchFactor(1, 5)
        self.centre = QSplitter(Qt.Orientation.Vertical)
        for splitter in (self.plots, self.centre):
            # no pane dragged (or restored from a saved layout) to nothing: the View menu cannot bring the
            # Weights/Inspector/Health tabs back, and a zero-width pane shows only a handle at the edge
            splitter.setChildrenCollapsible(False)
        self.centre.addWidget(self.network_view)
        self.centre.addWidget(self.plots)
        self.centre.setStretchFactor(0, 1)
        self.centre.setStretchFactor(1, 1)
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(4, 4, 4, 0)
        central_layout.setSpacing(4)
        central_layout.addWidget(self.message_bar)
        central_layout.addWidget(self.centre, 1)
        self.setCentralWidget(central)

        self.data_panel = DataPanel(model)
        self.training_panel = TrainingPanel(model, self.controller)
        self.output_panel = (OutputPanel(model, self.controller) if OutputPanel
                             else LatestNumbers(self.controller))
        # the two left panels are taller together than a 1366×768 laptop's window: each scrolls instead
        self.data_dock = self._dock("Data", _scrolling(self.data_panel), Qt.DockWidgetArea.LeftDockWidgetArea)
        self.training_dock = self._dock("Training", _scrolling(self.training_panel),
                                        Qt.DockWidgetArea.LeftDockWidgetArea)
        self.output_dock = self._dock("Output", self.output_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.splitDockWidget(self.data_dock, self.training_dock, Qt.Orientation.Vertical)

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()

        self._status_limiter = RateLimiter(self._update_status, STATUS_INTERVAL_MS, self)
        self._diagram_limiter = RateLimiter(self._draw_snapshot, DIAGRAM_INTERVAL_MS, self)
        self._snapshot = None
        model.message.connect(self.show_message)
        self.controller.errored.connect(lambda text: self.show_message(text, "error"))
        self.controller.finished.connect(self._on_finished)
        self.controller.stateChanged.connect(self._on_state)
        self.controller.reportsArrived.connect(self._on_reports)
        self.controller.historyCleared.connect(self._on_history_cleared)
        self.controller.snapshotArrived.connect(self._on_snapshot)
        model.settingsChanged.connect(self._sync_lr)
        model.settingsChanged.connect(self._update_status)
        self.data_panel.fileLoaded.connect(self.add_recent)
        model.dataChanged.connect(self._update_title)
        self.project.documentChanged.connect(self._update_title)
        self._connect_views()

        self.resize(*_fitting(DEFAULT_SIZE, self.screen()))
        self._docks_follow_first_show = True    # unless _restore brings the user's own layout back
        self.centre.setSizes([420, 480])
        self.plots.setSizes([450, 550])
        self._restore()
        self.project.mark_clean()           # restoring preferences is not an edit of the document
        self._on_state(self.controller.state)
        self._update_status()

    def _connect_views(self) -> None:
        """The optional views' documented connections (each only when both ends exist)."""
        if NetworkView is not None:
            if OutputPanel is not None:
                self.network_view.neuronClicked.connect(self.output_panel.show_neuron)
            if self.activation is not None:
                self.network_view.layerSelected.connect(self.activation.show_layer)
        if OutputPanel is not None:
            self.output_panel.bestEpochMarked.connect(self.curves.mark_epoch)
        if self.inspector is not None:
            self.inspector.weightsEdited.connect(self._on_weights_edited)
        if self.health is not None and NetworkView is not None:
            self.health.measured.connect(self._shade_neurons)

    @Slot()
    def _on_weights_edited(self) -> None:
        """An inspector step changed the weights in place (no run is active): every view redraws them."""
        network = self.model.network
        if network is None:
            return
        self.project.mark_dirty()
        self.weights.show_network()
        if NetworkView is not None:
            self.network_view.update_snapshot(network.weights, network.biases)
        if OutputPanel is not None:
            self.output_panel.sync_network()
        if self.health is not None:
            self.health.refresh()

    @Slot(object)
    def _shade_neurons(self, health) -> None:
        self.network_view.set_mean_activations([h.mean_output for h in health])

    def _dock(self, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{title.lower()}_dock")      # saveState() needs names
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    # ---- actions, menus, toolbar -------------------------------------------------------------------
    def _build_actions(self) -> None:
        style = self.style()
        icon = lambda pixmap: style.standardIcon(pixmap)   # noqa: E731 - local shorthand
        c = self.controller
        self.act_open = QAction(icon(QStyle.StandardPixmap.SP_DialogOpenButton), "&Open CSV…", self)
        self.act_open.setShortcut(QKeySequence.StandardKey.Open)
        self.act_open.setToolTip("Open a CSV file (Ctrl+O); Excel .xlsx, .ods, JSON, .arff and .ts files open too")
        self.act_open.triggered.connect(self.data_panel.open_dialog)
        self.act_quit = QAction("&Quit", self)
        self.act_quit.setShortcut(QKeySequence.StandardKey.Quit)
        self.act_quit.triggered.connect(self.close)

        self._icon_play = icon(QStyle.StandardPixmap.SP_MediaPlay)
        self._icon_pause = icon(QStyle.StandardPixmap.SP_MediaPause)
        self.act_train = QAction(self._icon_play, "Train", self)
        self.act_train.setShortcut(QKeySequence(Qt.Key.Key_Space))
        self.act_train.triggered.connect(c.toggle)
        self.act_step = QAction(icon(QStyle.StandardPixmap.SP_MediaSkipForward), "Step", self)
        self.act_step.setShortcut(QKeySequence(Qt.Key.Key_S))
        self.act_step.setToolTip("Train one epoch, then pause (S)")
        self.act_step.triggered.connect(c.step)
        self.act_stop = QAction(icon(QStyle.StandardPixmap.SP_MediaStop), "Stop", self)
        self.act_stop.setToolTip("Stop training; Train continues from the current weights")
        self.act_stop.triggered.connect(c.stop)
        self.act_reset = QAction(icon(QStyle.StandardPixmap.SP_BrowserReload), "Reset", self)
        self.act_reset.setShortcut(QKeySequence(Qt.Key.Key_R))
        self.act_reset.setToolTip("Re-initialise the weights from the seed and clear the curves (R)")
        self.act_reset.triggered.connect(c.reset)
        for action in (self.act_train, self.act_step, self.act_reset):
            # Single-key shortcuts: keep them away from text fields, which claim their keys first, and from
            # focused buttons, combo boxes and lists (FocusedKeys)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self._focused_keys = FocusedKeys(self)
        QApplication.instance().focusChanged.connect(self._focused_keys.follow)

        # Own actions, not QUndoStack.createUndoAction's: those stay enabled during a run, and an undo then
        # replaced the running network and threw its epochs away, as the diagram's own buttons never could
        stack = self.model.undo_stack
        self.undo_action = QAction("&Undo", self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.triggered.connect(stack.undo)
        self.redo_action = QAction("&Redo", self)
        self.redo_action.setShortcuts(redo_shortcuts())
        self.redo_action.triggered.connect(stack.redo)
        for signal in (stack.indexChanged, stack.canUndoChanged, stack.canRedoChanged, stack.undoTextChanged,
                       stack.redoTextChanged, self.model.trainingLockChanged):
            signal.connect(self._sync_undo_actions)
        self._sync_undo_actions()

        self.project = ProjectActions(self)   # New / Open / Save / Export / Import and the dirty flag
        self.act_reset.triggered.connect(self.project.mark_dirty)
        self.act_reset.triggered.connect(self._on_reset)

    @Slot()
    def _sync_undo_actions(self, *_) -> None:
        model = getattr(self, "model", None)     # a dying stack reports its final clear() from its destructor
        if model is None or not shiboken6.isValid(model.undo_stack) or not shiboken6.isValid(self.undo_action):
            return
        stack, locked = model.undo_stack, model.training_locked
        self.undo_action.setEnabled(stack.canUndo() and not locked)
        self.redo_action.setEnabled(stack.canRedo() and not locked)
        self.undo_action.setText(f"&Undo {stack.undoText()}".strip())
        self.redo_action.setText(f"&Redo {stack.redoText()}".strip())
        tip = "Stop training before changing the network" if locked else ""
        self.undo_action.setToolTip(tip or self.undo_action.text().replace("&", ""))
        self.redo_action.setToolTip(tip or self.redo_action.text().replace("&", ""))

    def _build_menus(self) -> None:
        from core.examples import EXAMPLES
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        p = self.project
        file_menu.addAction(p.act_new)
        file_menu.addAction(p.act_open)
        file_menu.addAction(self.act_open)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.examples_menu = file_menu.addMenu("&Examples")
        for name, example in EXAMPLES.items():
            action = self.examples_menu.addAction(example.title)
            action.setToolTip(example.description)
            action.setStatusTip(example.description)
            action.triggered.connect(lambda _=False, n=name: self.load_example(n))
        self.examples_menu.setToolTipsVisible(True)
        file_menu.addSeparator()
        file_menu.addAction(p.act_save)
        file_menu.addAction(p.act_save_as)
        file_menu.addSeparator()
        file_menu.addAction(p.act_export)
        file_menu.addAction(p.act_import)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        self._rebuild_recent_menu()

        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)

        self.view_menu = bar.addMenu("&View")
        for dock in (self.data_dock, self.training_dock, self.output_dock):
            self.view_menu.addAction(dock.toggleViewAction())

        train_menu = bar.addMenu("&Train")
        for action in (self.act_train, self.act_step, self.act_stop, self.act_reset):
            train_menu.addAction(action)

    def _build_toolbar(self) -> None:
        tb = self.addToolBar("Main")
        tb.setObjectName("main_toolbar")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        tb.setIconSize(QSize(18, 18))
        tb.addAction(self.act_open)
        examples = QToolButton()
        examples.setText("Examples")
        examples.setMenu(self.examples_menu)
        examples.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        examples.setToolTip("Built-in data sets that learn in seconds")
        tb.addWidget(examples)
        tb.addSeparator()
        for action in (self.act_train, self.act_step, self.act_stop, self.act_reset):
            tb.addAction(action)
        tb.addSeparator()
        tb.addWidget(QLabel(" η "))
        self.lr_combo = QComboBox()
        self.lr_combo.setEditable(True)
        self.lr_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.lr_combo.addItems([f"{v:g}" for v in LR_STEPS])
        # Numbers only; the range is checked on Enter, so that "50" is refused with a message rather than
        # left in the field unapplied (a validator's range would hold it back without a word).
        validator = QDoubleValidator(0.0, 1e300, 8, self.lr_combo)
        validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        self.lr_combo.setValidator(validator)
        self.lr_combo.setMinimumContentsLength(7)
        self.lr_combo.setToolTip("Learning rate η — may be changed while training; applies from the next batch")
        self.lr_combo.activated.connect(lambda _: self._on_lr_text(self.lr_combo.currentText()))
        self.lr_combo.lineEdit().editingFinished.connect(lambda: self._on_lr_text(self.lr_combo.currentText()))
        tb.addWidget(self.lr_combo)
        tb.addSeparator()
        self.epoch_label = QLabel()
        self.epoch_label.setMinimumWidth(110)
        tb.addWidget(self.epoch_label)
        self.toolbar = tb
        self._sync_lr()

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.status_labels = {key: QLabel() for key in ("epoch", "train", "val", "speed", "elapsed", "eta")}
        for label in self.status_labels.values():
            label.setContentsMargins(6, 0, 6, 0)
            bar.addPermanentWidget(label)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(180)
        self.progress.setTextVisible(False)
        bar.addPermanentWidget(self.progress)

    # ---- data ----------------------------------------------------------------------------------------
    def open_path(self, path: str, sheet_read_last: str | None = None) -> None:
        """A CSV becomes the data (of a workbook: `sheet_read_last` if it still has it, else its largest
        sheet); a project file is opened as the whole document."""
        if str(path).lower().endswith(PROJECT_SUFFIX):
            self.project.open_project(str(path))
        else:
            self.data_panel.load_path(path, sheet_read_last=sheet_read_last)

    def load_example(self, name: str) -> bool:
        """A built-in example as a new untitled document (after Save / Discard / Cancel if there are
        unsaved changes). False if not loaded (a message says why, or the user cancelled)."""
        return self.project.load_example(name)

    def apply_example(self, name: str) -> bool:
        """Load a built-in example with its own network and learning rate. False (and a message) if not."""
        from core.examples import EXAMPLES
        if not self.data_panel.load_example(name):       # it has said why
            return False
        model = self.model                               # the new data set retired any run
        example = EXAMPLES[model.example_name]
        hidden = tuple(example.default_hidden)
        model.edit_architecture(replace(model.architecture, hidden=hidden,
                                        hidden_activations=(example.default_activation,) * len(hidden),
                                        output_activation="auto", loss=example.default_loss),
                                f"Network for example {example.title}")
        model.update_settings(lr=example.default_lr, epochs=example.default_epochs)
        self.show_message(f"{example.title}: {example.description}", "info")
        return True

    def dragEnterEvent(self, event) -> None:
        if self._dropped_path(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        path = self._dropped_path(event)
        if path is not None:
            event.acceptProposedAction()
            self.open_path(path)

    @staticmethod
    def _dropped_path(event) -> str | None:
        mime = event.mimeData()
        if not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile() and url.toLocalFile().lower().endswith(OPENABLE_SUFFIXES):
                return url.toLocalFile()
        return None

    @Slot()
    def _update_title(self) -> None:
        model = self.model
        name = self.project.display_name()          # a saved project goes by its file name
        if not name and model.example_name:
            from core.examples import EXAMPLES
            name = EXAMPLES[model.example_name].title if model.example_name in EXAMPLES else model.example_name
        elif not name:
            # the data in use: a file whose table is on show but could not be built is not
            name = getattr(model.dataset, "source", "") or os.path.basename(self.data_panel.path or "")
        # A plain '*' rather than Qt's '[*]' placeholder: windowTitle() then reads as it is shown.
        star = "*" if self.project.dirty else ""
        self.setWindowTitle(f"{name or 'Untitled'}{star} — Backprop Studio" if name or star
                            else "Backprop Studio")

    # ---- recent files --------------------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.settings.value("recent_files", [])
        if isinstance(value, str):          # QSettings returns a lone entry as a plain string
            value = [value]
        return [str(v) for v in value or []]

    def recent_sheets(self) -> dict[str, str]:
        """{workbook path: the sheet read from it last} for the recent files that are workbooks."""
        value = self.settings.value("recent_sheets", {})
        return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}

    @Slot(str, str)
    def add_recent(self, path: str, sheet: str = "") -> None:
        path = os.path.abspath(path)
        files = [path] + [p for p in self.recent_files() if p != path]
        self.settings.setValue("recent_files", files[:MAX_RECENT])
        sheets = {p: s for p, s in self.recent_sheets().items() if p in files[:MAX_RECENT] and p != path}
        if sheet:
            sheets[path] = sheet
        self.settings.setValue("recent_sheets", sheets)
        self._rebuild_recent_menu()

    def remove_recent(self, path: str) -> None:
        files = [p for p in self.recent_files() if p != path]
        self.settings.setValue("recent_files", files)
        self.settings.setValue("recent_sheets", {p: s for p, s in self.recent_sheets().items() if p != path})
        self._rebuild_recent_menu()

    def open_recent(self, path: str, sheet: str | None = None) -> None:
        self.open_path(path, sheet)
        if not os.path.exists(path):
            # Opening has said "not found"; an entry that can only fail again leaves the menu. After this
            # slot: rebuilding the menu deletes the action whose triggered signal is still being delivered.
            QTimer.singleShot(0, self, lambda: self.remove_recent(path))

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        files, sheets = self.recent_files(), self.recent_sheets()
        for path in files:
            sheet = sheets.get(path)
            action = self.recent_menu.addAction(os.path.basename(path) + (f" ({sheet})" if sheet else ""))
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path, s=sheet: self.open_recent(p, s))
        self.recent_menu.setEnabled(bool(files))

    # ---- messages ------------------------------------------------------------------------------------
    @Slot(str, str)
    def show_message(self, text: str, level: str = "info") -> None:
        self.message_bar.show_message(text, level)

    @Slot(str)
    def _on_finished(self, reason: str) -> None:
        report = self.controller.last_report
        if report is None:
            return
        if reason == STOP_TARGET_ERROR:
            self.show_message(f"Target error reached at epoch {report.epoch}: E = {report.train_loss:.5g} "
                              f"< {self.model.settings.target_error:g}.", "info")
        elif reason == STOP_MAX_EPOCHS:
            self.show_message(f"Finished the {report.epoch} epochs. Train continues from these weights.",
                              "info")
        elif reason == STOP_EARLY:
            self.show_message(f"Early stopping: the validation error stopped improving; the weights of "
                              f"epoch {report.best_epoch} were kept.", "info")
        elif reason == STOP_REQUESTED:
            self.show_message(f"Stopped at epoch {report.epoch}. Train continues from these weights; Reset "
                              "starts again from the seed.", "info")
        self._update_status()

    @Slot()
    def _on_reset(self) -> None:
        # the last run's outcome ("Finished the 2000 epochs…") no longer describes the weights on show
        if self.model.network is not None:
            self.show_message(f"Weights re-initialised from seed {self.model.settings.seed}; the curves start "
                              "again.", "info")

    # ---- training state and status -------------------------------------------------------------------
    @Slot(str)
    def _on_state(self, state: str) -> None:
        running = state == RUNNING
        self.act_train.setText("Pause" if running else "Resume" if state == PAUSED else "Train")
        self.act_train.setIcon(self._icon_pause if running else self._icon_play)
        self.act_train.setToolTip(("Pause" if running else "Train") + " (Space)")
        self.act_stop.setEnabled(state in (RUNNING, PAUSED))
        if NetworkView is not None:
            self.network_view.set_live(running)
        self._update_status()

    @Slot(list)
    def _on_reports(self, reports) -> None:
        self._status_limiter.poke()

    @Slot(object)
    def _on_snapshot(self, report) -> None:
        self._snapshot = report
        self._diagram_limiter.poke()

    @Slot()
    def _on_history_cleared(self) -> None:
        self._snapshot = None               # from the network before: never draw it on the new one
        self._update_status()

    def _draw_snapshot(self) -> None:
        if NetworkView is not None and self._snapshot is not None:
            self.network_view.update_snapshot(self._snapshot.weights, self._snapshot.biases)

    @Slot()
    def _update_status(self) -> None:
        c = self.controller
        report = c.last_report
        target = max(c.target_epochs, c.history.last_epoch)
        epoch = c.history.last_epoch
        labels = self.status_labels
        labels["epoch"].setText(f"epoch {epoch:,} / {target:,}")
        self.epoch_label.setText(f"  epoch {epoch:,}")
        self.progress.setRange(0, max(1, target))
        self.progress.setValue(min(epoch, target))
        if report is None:
            for key in ("train", "val", "speed", "elapsed", "eta"):
                labels[key].setText("")
            return
        labels["train"].setText(f"train {report.train_loss:.4g}")
        labels["val"].setText(f"val {report.val_loss:.4g}" if report.val_loss is not None else "")
        # A report restored from a project file has no speed: say nothing rather than "0 samples/s".
        labels["speed"].setText(_rate(report.samples_per_second) if report.samples_per_second > 0 else "")
        labels["elapsed"].setText(_clock(float(c.history.elapsed[-1])))
        done_in_run = report.epoch - c.run_start_epoch
        if c.active and done_in_run > 0 and report.elapsed > 0:
            labels["eta"].setText(f"ETA {_clock((target - epoch) * report.elapsed / done_in_run)}")
        else:
            labels["eta"].setText("")

    # ---- learning rate field -------------------------------------------------------------------------
    def _on_lr_text(self, text: str) -> None:
        try:
            lr = float(text)
        except ValueError:
            lr = 0.0
        if not 0 < lr <= 10:
            self.show_message(f"'{text}' is not a learning rate: use a number between 0.000001 and 10.",
                              "warning")
            self._sync_lr()
            return
        self.model.update_settings(lr=lr)

    @Slot()
    def _sync_lr(self) -> None:
        text = f"{self.model.settings.lr:g}"
        if self.lr_combo.currentText() != text:
            self.lr_combo.blockSignals(True)
            self.lr_combo.setEditText(text)
            self.lr_combo.blockSignals(False)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._docks_follow_first_show:
            # the window's size is known only now (a caller may resize it after construction)
            self._docks_follow_first_show = False
            self.resizeDocks([self.data_dock, self.output_dock],
                             side_dock_widths(self.width(), OutputPanel is not None), Qt.Orientation.Horizontal)

    # ---- persistence ---------------------------------------------------------------------------------
    def _restore(self) -> None:
        s = self.settings
        # a value cut short or written by hand comes back as text: left out, or every start would fail
        for key, restore in (("window/geometry", self.restoreGeometry), ("window/state", self.restoreState),
                             ("window/centre", self.centre.restoreState), ("window/plots", self.plots.restoreState)):
            value = s.value(key)
            if isinstance(value, QByteArray) and restore(value) and key == "window/state":
                self._docks_follow_first_show = False
        self.curves.log_y.setChecked(str(s.value("curves/log_y", "false")).lower() == "true")
        self.weights.own_scale.setChecked(str(s.value("weights/own_scale", "false")).lower() == "true")
        raw = s.value("training")
        try:
            saved = json.loads(raw) if isinstance(raw, str) else None
        except ValueError:
            saved = None                    # a damaged settings file is not worth a message
        if isinstance(saved, dict):
            usable, _ = usable_settings(saved)      # another version's or a hand edit's values: defaults
            self.model.update_settings(**usable)
            self.restored_settings = usable

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/centre", self.centre.saveState())
        s.setValue("window/plots", self.plots.saveState())
        s.setValue("curves/log_y", self.curves.log_y.isChecked())
        s.setValue("weights/own_scale", self.weights.own_scale.isChecked())
        s.setValue("training", json.dumps(self.model.settings_dict()))
        s.sync()

    def closeEvent(self, event) -> None:
        if not self.project.maybe_save("closing"):
            event.ignore()
            return
        self.controller.shutdown()
        self.data_panel.shutdown()
        self.save_settings()
        super().closeEvent(event)
