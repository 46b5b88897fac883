"""The Data dock: open a CSV (in a background thread, with progress and Cancel), preview it, choose each
column's role, scaling, missing-value policy and validation split, then Apply.

Nothing here parses or transforms data: core.data does, and its DataError messages are shown as they
are. A failed load or a failed Apply never touches the model, so the previous data set stays in use.
"""

from __future__ import annotations

import functools
import html
import os
import sys
import threading
import traceback

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QSignalBlocker, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QCheckBox, QComboBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QFrame, QHeaderView, QLabel, QProgressBar, QPushButton, QScrollArea, QSlider,
                               QSpinBox, QStyle,
                               QStyledItemDelegate, QStyleOptionComboBox, QTableView, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from core.dates import time_of_day
from core.errors import BackpropError
from gui.sizing import may_narrow
from gui.tables import columns_fitted_once
from gui.worker import return_home, start_in_thread, thread_running

PREVIEW_ROWS = 200
MEASURED_ROWS = 40            # column widths fit the first rows and the header (measuring all is slow)
MEASURED_COLUMNS = 60         # ... of the first columns: a wide file scrolls anyway
MAX_NOTES_SHOWN = 6           # under the file name; the tooltip has them all
NOTES_LINES = 6               # lines of notes on show before they scroll
ROLES = ("input", "target", "ignore")
NUMBER_KINDS = ("numeric", "categorical")   # what a column of numbers may be read as (Kind column)
SCALINGS = (("standardize", "Standardize (mean 0, sd 1)"), ("minmax", "Min–max to [0, 1]"),
            ("minmax_sym", "Min–max to [−1, 1]"), ("none", "None"))
# the data options a file starts with (an example may set others: build_defaults)
DATA_DEFAULTS = {"val_split": 0.2, "scaling": "standardize", "missing": "drop", "seed": 0, "split": "random"}
MISSING = (("drop", "Drop rows with gaps"), ("fill", "Fill gaps (training mean / most frequent)"))
TASKS = (("auto", "Auto (from the target column)"), ("classification", "Classification (classes)"),
         ("regression", "Regression (a number)"))
# .data, .dat: UCI's tables; .arff: Weka's (and OpenML's downloads); .ts: sktime's time-series archive
DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".data", ".dat", ".xlsx", ".xlsm", ".ods", ".arff", ".ts", ".json", ".jsonl",
                 ".ndjson", ".geojson", ".gz", ".bz2", ".xz", ".zip")
FILE_FILTER = f"Data files ({' '.join('*' + suffix for suffix in DATA_SUFFIXES)});;All files (*)"
JOIN_TIMEOUT_MS = 30_000


class PreviewModel(QAbstractTableModel):
    """The first PREVIEW_ROWS rows of a pandas frame; the header shows each column's kind.

    Cells are turned into text once, a column at a time: the view asks for each cell many times (a column
    width measures every row), and a pandas lookup per ask made a 785-column file take seconds to show."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._frame = None
        self._values = None                         # the head as an object array [row, column]
        self._cells: list[list[str] | None] = []   # [column][row], as shown; None until first shown
        self._kinds: list[str] = []

    def set_frame(self, frame, kinds=None) -> None:
        self.beginResetModel()
        self._frame = None if frame is None else frame.head(PREVIEW_ROWS)
        # One conversion of the whole head; each column's text is made when the view first asks for it:
        # a 5,000-column file shows a handful, and formatting them all took 0.2 s.
        self._values = None if self._frame is None else self._frame.to_numpy(dtype=object)
        self._cells = [] if self._frame is None else [None] * self._frame.shape[1]
        self._kinds = list(kinds or [])
        self.endResetModel()

    def set_kind(self, column: int, kind: str) -> None:
        """Show a column's kind as the user chose it (numbers read as categories)."""
        if column < len(self._kinds) and self._kinds[column] != kind:
            self._kinds[column] = kind
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, column, column)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if self._frame is None or parent.isValid() else len(self._frame)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._cells)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole) or not index.isValid():
            return None
        column = self._cells[index.column()]
        if column is None:
            column = self._cells[index.column()] = [_cell_text(v) for v in self._values[:, index.column()].tolist()]
        return column[index.row()]

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or self._frame is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        name = str(self._frame.columns[section])
        kind = self._kinds[section] if section < len(self._kinds) else ""
        return f"{name}\n({kind})" if kind else name


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"                          # a gap in the file
    if not isinstance(value, float):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))              # a price of 1052023 is not 1.05202e+06
    return f"{value:.7g}"                   # numbers are read as float32: about 7 significant digits


def _table_height(table, rows: int, header_lines: int) -> int:
    """Pixels for a table's header (of `header_lines` lines) and `rows` rows, with a horizontal scroll bar."""
    line = table.fontMetrics().lineSpacing()
    return (header_lines * line + 8 + rows * table.verticalHeader().defaultSectionSize()
            + table.horizontalScrollBar().sizeHint().height() + 2 * table.frameWidth())


class CsvLoader(QObject):
    """read_csv in a worker thread; cancel() is checked by read_csv between chunks.

    Every signal but `finished` carries the load id: by the time a queued signal is handled the loader
    may already be deleted, so the panel matches ids instead of asking sender().
    """

    progress = Signal(int, float)
    loaded = Signal(int, object, object)     # RawTable, (options, Dataset) or None
    failed = Signal(int, str)
    done = Signal(int)
    finished = Signal()

    def __init__(self, path: str, load_id: int = 0, settings: dict | None = None, sheet: str | None = None,
                 sheet_read_last: str | None = None):
        super().__init__()
        self.path = path
        self.sheet = sheet                # of a workbook: the sheet to read (None: its largest)
        # the sheet this workbook was read with last time (recent files): read it again, the largest if gone
        self.sheet_read_last = sheet_read_last
        self.load_id = load_id
        self.settings = settings          # scaling / missing / val_split / seed: the loader builds with them
        self._cancel = threading.Event()
        self._last_progress = -1.0

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _prepare(self, table):
        """(options, data set) with the roles the panel will offer first and the panel's settings, or None.

        Building here rather than in the GUI thread keeps the window responsive for big files (0.2 s for
        60,000 × 785; the views' input summaries, computed here too, 0.45 s). A DataError is left for the
        panel's own build to report.
        """
        from core.data import build_dataset, default_roles
        from core.evaluation_support import input_summaries
        roles = default_roles(table)
        options = {"targets": [c for c, r in roles.items() if r == "target"],
                   "inputs": [c for c, r in roles.items() if r == "input"],
                   "ignore": [c for c, r in roles.items() if r == "ignore"], "categorical": [], **self.settings}
        try:
            dataset = build_dataset(table, **options)
        except BackpropError:
            return None
        if self.cancelled:                  # Cancel at 100 %: its wait for this thread skips the summaries
            return None
        input_summaries(dataset)            # cached on the data set for the predict and boundary views
        return options, dataset

    def _on_progress(self, fraction: float) -> None:
        if fraction - self._last_progress >= 0.01 or fraction >= 1.0:   # ≤ 100 signals per file
            self._last_progress = fraction
            self.progress.emit(self.load_id, float(fraction))

    def _read(self):
        from core.data import LoadCancelled, read_csv
        read = functools.partial(read_csv, self.path, progress=self._on_progress, cancel=self._cancel.is_set)
        if self.sheet is not None or self.sheet_read_last is None:
            return read(sheet=self.sheet)
        try:
            return read(sheet=self.sheet_read_last)
        except LoadCancelled:
            raise
        except BackpropError as exc:
            # the file changed since: its sheet was renamed or emptied; what the user would see with Open
            table = read(sheet=None)
            reason = str(exc).removeprefix(f"{os.path.basename(self.path)}: ").rstrip(".")
            table.notes.insert(0, f"the sheet '{self.sheet_read_last}' read last time could not be read "
                                  f"({reason}); the largest, '{table.sheet}', is read instead")
            return table

    @Slot()
    def run(self) -> None:
        try:
            table = self._read()
            if not self._cancel.is_set():
                prepared = self._prepare(table) if self.settings is not None else None
                if not self._cancel.is_set():
                    self.loaded.emit(self.load_id, table, prepared)
        except BackpropError as exc:
            if not self._cancel.is_set():
                self.failed.emit(self.load_id, str(exc))
        except Exception as exc:  # a bug in the reader, not the user's fault: details to the terminal
            traceback.print_exc(file=sys.stderr)
            name = os.path.basename(self.path)
            self.failed.emit(self.load_id, f"Could not read {name} ({type(exc).__name__}: {exc}).")
        finally:
            self.done.emit(self.load_id)
            return_home(self)
            self.finished.emit()


class ChoiceDelegate(QStyledItemDelegate):
    """A column of choices (Role; Kind of a column of numbers): drawn as a combo box where the cell can be
    edited, edited with a real one only while the user changes it.

    A QComboBox per row cost ~0.25 ms to make: 1.2 s for a 5,000-column file (gene expression tables
    have 20,000), all before the window could draw again.
    """

    def __init__(self, choices: tuple[str, ...], parent=None):
        super().__init__(parent)
        self.choices = choices
        self._size = None

    def paint(self, painter, option, index) -> None:
        if not index.flags() & Qt.ItemFlag.ItemIsEditable:     # a kind that is not a choice: plain text
            super().paint(painter, option, index)
            return
        combo = QStyleOptionComboBox()
        combo.rect = option.rect.adjusted(1, 1, -1, -1)
        combo.state = option.state
        combo.palette = option.palette
        combo.currentText = str(index.data() or "")
        style = option.widget.style() if option.widget is not None else QApplication.style()
        style.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, combo, painter, option.widget)
        style.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, combo, painter, option.widget)

    def sizeHint(self, option, index):
        if self._size is None:          # the combo box the editor will be, measured once
            probe = QComboBox()
            probe.addItems(self.choices)
            self._size = probe.sizeHint()
        return self._size

    def createEditor(self, parent, option, index):
        editor = QComboBox(parent)
        editor.addItems(self.choices)
        # one click opens the list, one more picks: the same two clicks a combo box in the cell took
        editor.activated.connect(lambda _i, e=editor: (self.commitData.emit(e), self.closeEditor.emit(e)))
        QTimer.singleShot(0, editor.showPopup)
        return editor

    def setEditorData(self, editor, index) -> None:
        editor.setCurrentText(str(index.data() or ""))

    def setModelData(self, editor, model, index) -> None:
        model.setData(index, editor.currentText())


class DataPanel(QWidget):
    fileLoaded = Signal(str, str)    # a CSV (and the sheet of a workbook, or "") became the data set
    loadingChanged = Signal(bool)

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self.table = None                  # the RawTable on show (may not be applied yet)
        self._title = ""                   # what the file label calls the table
        self._exclusions: dict[str, str | None] = {}   # column → why it starts ignored (None: it does not)
        self.path: str | None = None
        self._loader: CsvLoader | None = None
        self._load_id = 0
        self._thread = None
        # the data options the example on show set apart from DATA_DEFAULTS: a file opened next, with them
        # unchanged, gets the defaults instead
        self.example_options: dict = {}
        # Asked before another file replaces the data (the window's unsaved-project prompt); False stops it.
        self.confirm_load = None

        self.open_button = QPushButton("Open CSV…")
        self.open_button.setToolTip("Open a CSV file (Ctrl+O), or drop one onto the window. Excel .xlsx, .ods, JSON, "
                                    "Weka .arff and sktime .ts files open too.")
        self.open_button.clicked.connect(self.open_dialog)
        self.file_label = QLabel("No data")
        self.file_label.setWordWrap(True)
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.file_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # The notes can be many and long (a messy file): they scroll instead of being cut off.
        self._notes_area = QScrollArea()
        self._notes_area.setWidget(self.file_label)
        self._notes_area.setWidgetResizable(True)
        self._notes_area.setFrameShape(QFrame.Shape.NoFrame)
        self._notes_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._fit_notes_area()
        top = QHBoxLayout()
        top.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self._notes_area, 1)
        # a workbook's sheets: shown only when the file has several
        self.sheet_combo = QComboBox()
        self.sheet_combo.setToolTip("The sheet of the workbook to read. The largest is read first; "
                                    "choosing another reads the file again.")
        self.sheet_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.sheet_combo.activated.connect(self._on_sheet_chosen)
        self._sheet_row = QWidget()
        sheet_layout = QHBoxLayout(self._sheet_row)
        sheet_layout.setContentsMargins(0, 0, 0, 0)
        sheet_label = QLabel("&Sheet")
        sheet_label.setBuddy(self.sheet_combo)
        sheet_layout.addWidget(sheet_label)
        sheet_layout.addWidget(self.sheet_combo)
        sheet_layout.addStretch(1)
        self._sheet_row.hide()

        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._cancel_clicked)
        self._progress_row = QWidget()
        progress_layout = QHBoxLayout(self._progress_row)
        progress_layout.setContentsMargins(0, 0, 0, 0)
        progress_layout.addWidget(self.progress, 1)
        progress_layout.addWidget(self.cancel_button)
        self._progress_row.hide()

        self.preview_model = PreviewModel(self)
        self.preview = QTableView()
        self.preview.setModel(self.preview_model)
        self.preview.setAlternatingRowColors(True)
        self.preview.verticalHeader().setDefaultSectionSize(20)
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.preview.horizontalHeader().setResizeContentsPrecision(MEASURED_ROWS)
        self.preview.setToolTip(f"The first {PREVIEW_ROWS} rows; each header shows the column's kind.")

        self.columns = QTableWidget(0, 3)
        self.columns.setHorizontalHeaderLabels(["Column", "Kind", "Role"])
        self.columns.verticalHeader().hide()
        self.columns.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.columns.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.columns.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.columns.horizontalHeader().setResizeContentsPrecision(MEASURED_ROWS)
        self.columns.setToolTip("Role of each column: an input feature, a target to predict, or ignored.\n"
                                "Kind of a column of numbers: numeric (one input, its magnitude) or categorical "
                                "(codes such as a store number: one input per value).")
        self.role_delegate = ChoiceDelegate(ROLES, self.columns)
        self.columns.setItemDelegateForColumn(2, self.role_delegate)
        self.kind_delegate = ChoiceDelegate(NUMBER_KINDS, self.columns)
        self.columns.setItemDelegateForColumn(1, self.kind_delegate)
        self.columns.itemChanged.connect(self._on_column_edited)
        self.columns.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)

        self.scaling = QComboBox()
        for key, label in SCALINGS:
            self.scaling.addItem(label, key)
        self.scaling.setToolTip("How input columns are rescaled. Fitted on the training rows only.")
        self.missing = QComboBox()
        for key, label in MISSING:
            self.missing.addItem(label, key)
        self.missing.setToolTip("What to do with empty cells: drop the rows that have one, or fill a number with "
                                "the training rows' mean and a text with their most frequent value.")
        self.task = QComboBox()
        for key, label in TASKS:
            self.task.addItem(label, key)
        may_narrow(self.task, self.scaling, self.missing)
        self.task.setToolTip("What the network predicts. Auto: a text target, or whole numbers with at most "
                             "10 values,\nare classes; other numbers are a quantity (regression). Choose "
                             "Regression for scores or counts,\nClassification for codes with more than 10 values.")
        self.val_split = QSlider(Qt.Orientation.Horizontal)
        self.val_split.setRange(0, 50)
        self.val_split.setValue(20)
        self.val_label = QLabel()
        self.val_split.valueChanged.connect(lambda v: self.val_label.setText(f"{v} %"))
        self.val_label.setText("20 %")
        self.val_label.setMinimumWidth(36)
        self.val_split.setToolTip("Share of the rows held out as a validation set: never trained on, used "
                                  "to see over-fitting and for early stopping.")
        self.latest = QCheckBox("latest")
        self.latest.setToolTip("Validate on the latest rows, by the first date column or else the file's order, "
                               "as a forecast is judged;\nunchecked: rows drawn at random, which measures filling "
                               "in between known rows.")
        split_row = QHBoxLayout()
        split_row.addWidget(self.val_split, 1)
        split_row.addWidget(self.val_label)
        split_row.addWidget(self.latest)
        self.seed = QSpinBox(minimum=0, maximum=2**31 - 1)
        self.seed.setToolTip("Seed of the random train/validation split.")
        self.apply_button = QPushButton("Apply")
        self.apply_button.setToolTip("Build the training set from the file with these choices.")
        self.apply_button.clicked.connect(lambda: self.apply())   # clicked(bool) must not reach `prepared`

        options = QFormLayout()
        options.addRow("Task", self.task)
        options.addRow("Scaling", self.scaling)
        options.addRow("Missing values", self.missing)
        options.addRow("Validation", split_row)
        options.addRow("Split seed", self.seed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self._sheet_row)
        layout.addWidget(self._progress_row)
        layout.addWidget(self.preview, 3)
        layout.addWidget(self.columns, 2)
        # A short dock scrolls rather than squeeze the tables: at 1280×800 they showed one row of data and
        # two of the 28 columns whose roles one chooses there.
        self.preview.setMinimumHeight(_table_height(self.preview, rows=3, header_lines=2))
        self.columns.setMinimumHeight(_table_height(self.columns, rows=4, header_lines=1))
        layout.addLayout(options)
        layout.addWidget(self.apply_button)
        self._set_options_enabled(False)

    # ---- loading -------------------------------------------------------------------------------------
    @property
    def loading(self) -> bool:
        return self._loader is not None

    @Slot()
    def open_dialog(self) -> None:
        start = os.path.dirname(self.path) if self.path else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open CSV", start, FILE_FILTER)
        if path:
            self.load_path(path)

    def load_path(self, path: str, sheet: str | None = None, sheet_read_last: str | None = None) -> None:
        """Read `path` (of a workbook: its sheet `sheet`, by default `sheet_read_last` if it still has it,
        else the largest) in the background; on success it is previewed and applied with default roles."""
        if self.confirm_load is not None and not self.confirm_load(path):
            return
        self.cancel_loading()
        self._load_id += 1
        settings = {k: v for k, v in self.options().items()
                    if k not in ("targets", "inputs", "ignore", "categorical")}      # of this file's columns
        settings["task"] = "auto"          # a new file's target: the task chosen for the last one may not fit
        for key, value in self.example_options.items():
            if settings.get(key) == value:   # the example's own (XOR: its whole 4-row table, raw 0/1), not the user's
                settings[key] = DATA_DEFAULTS[key]
        self._loader = CsvLoader(str(path), self._load_id, settings, sheet, sheet_read_last)
        self._loader.progress.connect(self._on_progress)
        self._loader.loaded.connect(self._on_loaded)
        self._loader.failed.connect(self._on_failed)
        self._loader.done.connect(self._on_loader_done)
        # busy until the reader says how far it is (a JSON file is parsed whole before it can tell)
        self.progress.setRange(0, 0)
        self.progress.setFormat(f"Reading {os.path.basename(path)}… %p%")
        self._progress_row.show()
        self.open_button.setEnabled(False)
        self.loadingChanged.emit(True)
        self._thread = start_in_thread(self._loader, "csv-loader")

    @Slot()
    def cancel_loading(self) -> None:
        """Cancel a load in progress and wait for its thread (read_csv checks cancel between chunks)."""
        loader, thread = self._loader, self._thread
        if loader is not None:
            loader.cancel()
        if thread_running(thread):              # also a finished load's thread still winding down
            thread.wait(JOIN_TIMEOUT_MS)
        if loader is not None:
            self._finish_loading()

    @Slot()
    def _cancel_clicked(self) -> None:
        loader = self._loader
        if loader is None:
            return
        # Not waited for: at 100 % the thread may be building the data set (0.4 s for 200,000 rows, frozen
        # window). It winds down on its own; what it still sends carries a retired load id.
        loader.cancel()
        self._finish_loading()
        # said in the message bar: what was there before (often about the previous file) no longer fits
        unchanged = "; the data on show is unchanged" if self.model.dataset is not None else ""
        self.model.message.emit(f"Loading {os.path.basename(loader.path)} cancelled{unchanged}.", "info")

    def shutdown(self) -> None:
        self.cancel_loading()

    def _current(self, load_id: int) -> bool:
        return self._loader is not None and load_id == self._load_id and not self._loader.cancelled

    @Slot(int, float)
    def _on_progress(self, load_id: int, fraction: float) -> None:
        if self._current(load_id) and fraction > 0:
            self.progress.setRange(0, 100)
            self.progress.setValue(round(100 * fraction))

    @Slot(int, object, object)
    def _on_loaded(self, load_id: int, table, prepared) -> None:
        if self._current(load_id):
            path, settings = self._loader.path, self._loader.settings or {}
            self._finish_loading()
            self.show_table(table, path)
            self.set_options({key: settings[key] for key in self.example_options if key in settings})
            self.example_options = {}
            self.apply(prepared)

    @Slot(int, str)
    def _on_failed(self, load_id: int, message: str) -> None:
        if self._current(load_id):
            self._finish_loading()
            if self.table is not None:
                self._show_sheets()        # the Sheet box names the sheet still on show, not the one refused
            self.model.message.emit(message, "error")

    @Slot(int)
    def _on_loader_done(self, load_id: int) -> None:
        if self._current(load_id):
            self._finish_loading()

    @Slot(int)
    def _on_sheet_chosen(self, index: int) -> None:
        sheet = self.sheet_combo.itemText(index)
        if self.path and self.table is not None and sheet != self.table.sheet:
            self.load_path(self.path, sheet)
            if not self.loading:               # the user kept the project: show the sheet that is read
                self._show_sheets()

    def _show_sheets(self) -> None:
        sheets = self.table.sheets if self.path else ()
        self._sheet_row.setVisible(len(sheets) > 1)
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        self.sheet_combo.addItems(list(sheets))
        self.sheet_combo.setCurrentIndex(max(0, self.sheet_combo.findText(self.table.sheet or "")))
        self.sheet_combo.blockSignals(False)

    def _finish_loading(self) -> None:
        self._loader = None
        self._progress_row.hide()
        self.open_button.setEnabled(True)
        self.loadingChanged.emit(False)

    # ---- preview and roles ---------------------------------------------------------------------------
    def load_example(self, name: str) -> bool:
        """Show a built-in example's raw table and use it, with the example's own build settings.

        Examples are tables like any CSV (core.examples builds them through build_dataset), so the
        roles, scaling and split can be changed and applied here as well.
        """
        from core.data import build_dataset
        from core.examples import EXAMPLES, example_table
        self.cancel_loading()          # a file still being read would replace the example when done
        try:
            table = example_table(name)
            example = EXAMPLES[table.source]
            self.show_table(table, None, title=f"Example: {example.title}")
            self.set_role(example.target, "target")
            self.set_options({**DATA_DEFAULTS, **example.build_defaults})
            self.example_options = dict(example.build_defaults)
            options = self.options()
            dataset = build_dataset(table, **options)
        except BackpropError as exc:
            self.model.message.emit(str(exc), "error")
            return False
        self.model.set_dataset(dataset, table=table, options=options, example_name=example.name)
        return True

    def show_table(self, table, path: str | None = None, title: str | None = None) -> None:
        """Preview a RawTable and offer its columns with default roles (last usable column = target)."""
        from core.data import default_exclusion, default_roles

        self.table, self.path = table, path
        self.task.setCurrentIndex(0)       # auto, until the user or a project says otherwise
        kinds = [_kind_text(c) for c in table.columns]
        self.preview_model.set_frame(table.frame, kinds)
        for j in range(min(len(kinds), MEASURED_COLUMNS)):    # the rest keep the default width
            self.preview.resizeColumnToContents(j)
        self.columns.setRowCount(0)
        # why a column starts as 'ignore' (build_dataset's rule; the user may still pick any role)
        self._exclusions = {c.name: default_exclusion(c, table.n_rows) for c in table.columns}
        roles = default_roles(table)
        # once: a flag operation is a Python enum's, ~30 µs, and a 1,000-column file made 4,000 of them
        read_only = QTableWidgetItem().flags() & ~Qt.ItemFlag.ItemIsEditable
        editable = QTableWidgetItem().flags()
        # a 785-column file: fitted once, not per cell, and no itemChanged per cell (the header has its kinds)
        with columns_fitted_once(self.columns), QSignalBlocker(self.columns):
            self.columns.setRowCount(len(table.columns))
            for i, column in enumerate(table.columns):
                role = roles[column.name]
                tip = "\n\n".join(filter(None, [self._exclusions[column.name] if role != "target" else None,
                                                   _column_tip(column)]))
                name = QTableWidgetItem(str(column.name))
                name.setFlags(read_only)
                name.setToolTip(tip)
                kind = QTableWidgetItem(_kind_text(column).split(",")[0])
                if _may_be_categories(column):
                    kind.setToolTip(f"{tip}\n\nChoose categorical for codes (a store or region number): one "
                                    "input per value instead of one magnitude.")
                    kind.setFlags(editable)
                else:
                    kind.setToolTip(tip)
                    kind.setFlags(read_only)
                self.columns.setItem(i, 0, name)
                self.columns.setItem(i, 1, kind)
                self.columns.setItem(i, 2, QTableWidgetItem(role))
        self.columns.resizeRowsToContents()
        self._title = title or (os.path.basename(path) if path else (table.source or "table"))
        self._show_sheets()
        self._show_notes()
        self._set_options_enabled(True)

    def _show_notes(self, built: list[str] = ()) -> None:
        """Under the file name: what the loader noticed, why columns start ignored, and what building
        the data set did (rows dropped, values filled) — the CLI prints the same notes."""
        from core.data import exclusion_notes

        table = self.table
        ignored = {c: self._exclusions[c] for c in self.roles()["ignore"] if self._exclusions.get(c)}
        notes = list(dict.fromkeys([*table.notes, *exclusion_notes(ignored), *built]))
        shown = notes if len(notes) <= MAX_NOTES_SHOWN else [
            *notes[:MAX_NOTES_SHOWN - 1], f"{len(notes) - MAX_NOTES_SHOWN + 1} more notes: hover here to read them"]
        text = "<br>".join("• " + html.escape(note, quote=False) for note in shown)
        title = html.escape(self._title, quote=False)
        self.file_label.setText(f"<b>{title}</b> — {len(table.frame)} rows × {len(table.columns)} columns"
                                + (f"<br><small>{text}</small>" if text else ""))
        self.file_label.setToolTip("\n".join([self.path or "", *notes]).strip())
        self._fit_notes_area()

    def _fit_notes_area(self) -> None:
        """As tall as the notes, up to NOTES_LINES lines; more scroll."""
        width = max(100, self._notes_area.viewport().width())
        needed = self.file_label.heightForWidth(width)
        most = self.fontMetrics().lineSpacing() * NOTES_LINES
        self._notes_area.setFixedHeight(max(self.fontMetrics().lineSpacing(), min(most, needed + 2)))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_notes_area()

    def roles(self) -> dict[str, list[str]]:
        result = {role: [] for role in ROLES}
        for i, column in enumerate(self.table.columns if self.table else []):
            result[self.columns.item(i, 2).text()].append(column.name)
        return result

    def set_role(self, column: str, role: str) -> None:
        """Give `column` a role; a new target demotes the previous one(s) to input."""
        for i, info in enumerate(self.table.columns):
            cell = self.columns.item(i, 2)
            if info.name == column:
                cell.setText(role)
            elif role == "target" and cell.text() == "target":
                cell.setText("input")

    def set_roles(self, roles: dict[str, str]) -> None:
        """Give each named column its role ('input' / 'target' / 'ignore'), several targets allowed."""
        with columns_fitted_once(self.columns):
            for i, info in enumerate(self.table.columns):
                if info.name in roles:
                    self.columns.item(i, 2).setText(roles[info.name])

    def categorical(self) -> list[str]:
        """The columns of numbers the user chose to read as categories."""
        return [column.name for i, column in enumerate(self.table.columns if self.table else [])
                if _may_be_categories(column) and self.columns.item(i, 1).text() == "categorical"]

    def set_categorical(self, names) -> None:
        """Read the named columns of numbers as categories, the others as numbers."""
        chosen = set(names or [])
        with columns_fitted_once(self.columns):
            for i, column in enumerate(self.table.columns if self.table else []):
                if _may_be_categories(column):
                    self.columns.item(i, 1).setText("categorical" if column.name in chosen else "numeric")

    def _on_column_edited(self, item) -> None:
        if item.column() == 1 and self.table is not None:
            column = self.table.columns[item.row()]
            self.preview_model.set_kind(item.row(), _kind_text(column) if item.text() == "numeric" else item.text())

    def set_options(self, options: dict) -> None:
        """Show build_dataset options (scaling, missing, val_split, seed, columns read as categories) in the
        widgets."""
        if "categorical" in options:
            self.set_categorical(options["categorical"])
        if "task" in options:
            self.task.setCurrentIndex(max(0, self.task.findData(options["task"])))
        if "scaling" in options:
            self.scaling.setCurrentIndex(max(0, self.scaling.findData(options["scaling"])))
        if "missing" in options:
            self.missing.setCurrentIndex(max(0, self.missing.findData(options["missing"])))
        if "val_split" in options:
            self.val_split.setValue(round(100 * float(options["val_split"])))
        if "seed" in options:
            self.seed.setValue(int(options["seed"]))
        if "split" in options:
            self.latest.setChecked(options["split"] == "latest")

    def options(self) -> dict:
        roles = self.roles()
        return {"targets": roles["target"], "inputs": roles["input"], "ignore": roles["ignore"],
                "categorical": self.categorical(), "task": self.task.currentData(),
                "scaling": self.scaling.currentData(), "missing": self.missing.currentData(),
                "val_split": self.val_split.value() / 100.0, "seed": int(self.seed.value()),
                "split": "latest" if self.latest.isChecked() else "random"}

    @Slot()
    def apply(self, prepared: tuple[dict, object] | None = None) -> bool:
        """Build the data set from the table on show; on DataError the model keeps its data.

        `prepared`: (options, data set) the loader already built from this table; used when the options
        on show are still those.
        """
        if self.table is None:
            return False
        from core.data import build_dataset
        options = self.options()
        if not options["targets"]:
            self.model.message.emit("Choose at least one target column (the value to predict).", "warning")
            return False
        if prepared is not None and prepared[0] == options:
            dataset = prepared[1]
        else:
            try:
                dataset = build_dataset(self.table, **options)
            except BackpropError as exc:
                self.model.message.emit(str(exc) + self._still_in_use(), "error")
                return False
        self.model.set_dataset(dataset, table=self.table, options=options,
                               example_name=None if self.path else self.model.example_name)
        built = [note for note in dataset.notes if note not in self.table.notes]
        self._show_notes(built)
        self.model.message.emit(_summary(dataset, self.path, built), "info")
        if self.path:
            self.fileLoaded.emit(self.path, self.table.sheet or "")
        return True

    def _still_in_use(self) -> str:
        """After a failed Apply: which data Train still uses, when the table on show is another one."""
        model = self.model
        if model.dataset is None or model.table is self.table:
            return ""
        in_use = f"the {model.example_name} example" if model.example_name else os.path.basename(model.dataset.source)
        return (f" Train still uses {in_use}: choose other roles or options and press Apply to use "
                f"{self._title}.")

    def _set_options_enabled(self, enabled: bool) -> None:
        for widget in (self.columns, self.task, self.scaling, self.missing, self.val_split, self.latest, self.seed,
                       self.apply_button):
            widget.setEnabled(enabled)


def _may_be_categories(column) -> bool:
    """A column of numbers (not dates) the user may read as categories instead."""
    return column.kind == "numeric" and not getattr(column, "date_format", None)


def _kind_text(column) -> str:
    """A column's kind as the tables show it: "date" for dates (an input as their numbers), "time" for times of
    day alone (an input as their hour), "numeric, CC"."""
    fmt = getattr(column, "date_format", None)
    if fmt:
        return "time" if time_of_day(fmt) else "date"
    return f"{column.kind}, {column.unit}" if getattr(column, "unit", None) else column.kind


def _column_tip(column) -> str:
    unit = getattr(column, "unit", None)
    parts = [f"{column.name}: {_kind_text(column).split(',')[0]}"
             + (f" in {unit} (the file writes it after each number)" if unit else ""),
             f"{column.n_unique} distinct values"]
    if getattr(column, "date_format", None):
        parts.append("as an input: its hour, with the minutes as its fraction" if time_of_day(column.date_format) else
                     "as an input: its year, month, day, weekday and hour (where the dates have them) as numbers")
    if column.n_missing:
        parts.append(f"{column.n_missing} missing")
    categories = getattr(column, "categories", None)
    if categories:
        shown = ", ".join(map(str, list(categories)[:8]))
        parts.append(f"categories: {shown}{' …' if len(categories) > 8 else ''}")
    return "\n".join(parts)


def _summary(dataset, path, built: list[str] = ()) -> str:
    name = os.path.basename(path) if path else "data"
    classes = f", {dataset.n_classes} classes" if dataset.task == "classification" else ""
    def count(n, word):
        return f"{n} {word}{'' if n == 1 else 's'}"
    said = "; ".join(built)
    return (f"Loaded {name}: {len(dataset.X_train)} training / {count(len(dataset.X_val), 'validation row')}, "
            f"{count(dataset.n_features, 'input')} → {count(dataset.n_outputs, 'output')} "
            f"({dataset.task}{classes})." + (f" {said[0].upper()}{said[1:]}." if said else ""))
