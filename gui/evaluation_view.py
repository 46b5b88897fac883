"""Live evaluation on the validation set: what the network gets right and wrong, as it learns.

Classification: a confusion matrix (true class down, predicted class across; cell colour = share of the
true class, text = count) and a per-class precision / recall / F1 table. Regression: predicted against
actual values in the target's own units with the y = x line, RMSE / MAE / R², and the chosen figure per
epoch from the run's history. Both: a plain-words warning when the validation loss says the network is
overfitting, and `bestEpochMarked` so the error curves can mark the best epoch.

Figures come from core.evaluation_support on the Output dock's private network copy (never the network
being trained); the matrix and scatter are redrawn at most ~10 times a second, and only while visible.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QSizePolicy, QStackedWidget, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from core.evaluation_support import (confusion, confusion_from_outputs, display_sample, evaluation_set,
                                     overfitting_status, predicted_vs_actual, regression_figures)
from gui.controller import RateLimiter
from gui.names import distinct_shortened, shortened
from gui.output_support import TEXT_COLOUR, NetworkMirror, VisibleRefresh, style_plot
from gui.tables import columns_fitted_once
from gui.weights_view import thinned_ticks

EVALUATE_INTERVAL_MS = 1000    # confusion matrix / scatter: once a second at most
OVERFIT_CHECK_MS = 200          # the warning needs no more than 5 checks a second
MAX_CELL_TEXTS = 15             # above this many classes the counts would not fit their cells
CELL_DARK = 0.55                # cells darker than this share get white text
MIN_COUNT_POINTS = 6.5          # counts that only fit smaller than this are not drawn
TABLE_HEADERS = ("class", "precision", "recall", "F1", "support")
SHORT_TABLE_HEADERS = ("class", "prec.", "rec.", "F1", "n")   # when the full ones squeeze the class names
CLASS_COLUMN_CHARS = 12         # the class column asks for room for names up to this long
MATRIX_COLOURS = pg.ColorMap([0.0, 1.0], ["#ffffff", "#1a4f8c"])
SCATTER_BRUSH = (26, 115, 184, 140)
MAX_SCATTER_POINTS = 5000
METRICS = (("RMSE", "val_rmse"), ("MAE", "val_mae"), ("R²", "val_r2"))
WARNING_STYLE = ("QLabel { background: #fff6dd; border: 1px solid #e6c56a; border-radius: 3px; "
                 "padding: 4px; color: #202020; }")


def network_fits(network, dataset) -> bool:
    """The network was built for this data (right after a new data set, the old network is still there)."""
    return (network is not None and dataset is not None
            and network.layer_sizes[0] == dataset.n_features and network.layer_sizes[-1] == dataset.n_outputs)


class CellCounts(pg.GraphicsObject):
    """The count in each cell of a k × k matrix (row i, column j at x = j + ½, y = i + ½), all painted by
    this one item in screen pixels, so the numbers keep their size however the matrix is scaled.

    A pyqtgraph TextItem per cell (100 at ten classes) cost ~8 ms of GUI thread per repaint, each cell a
    Python item with its own layout and bounds; while training runs, the training thread waits for the
    GIL through all of that (measured on 784-128-64-10: ~7 ms of every 450 ms epoch). One item painting
    100 strings costs well under a millisecond.

    Counts that would not fit their cells on screen (a narrow Output dock, a dozen classes) are drawn
    smaller, down to MIN_COUNT_POINTS, and below that not at all: they would run into each other. The
    colours still show the pattern and the table below gives the figures."""

    def __init__(self, font: QFont):
        super().__init__()
        self._font = QFont(font)
        self._k = 0
        self._cells: list[tuple[int, int, str, str]] = []     # (row, column, text, colour)
        self._widest = ""                 # the count that needs the most room
        self.drawn_points = 0.0           # the font size counts were last drawn at (0: not drawn)

    def set_counts(self, matrix: np.ndarray, share: np.ndarray) -> None:
        """Counts from `matrix`; white text on cells whose `share` makes them dark. A matrix too large for
        numbers to fit its cells (over MAX_CELL_TEXTS classes) shows none."""
        k = matrix.shape[0]
        cells = []
        if k <= MAX_CELL_TEXTS:
            cells = [(i, j, str(int(matrix[i, j])), "#ffffff" if share[i, j] > CELL_DARK else TEXT_COLOUR)
                     for i in range(k) for j in range(k)]
        if k != self._k:
            self.prepareGeometryChange()
            self._k = k
        if cells != self._cells:
            self._cells = cells
            self._widest = max((text for _, _, text, _ in cells), key=len, default="")
            self.update()

    def texts(self) -> list[str]:
        """What each cell shows, row by row."""
        return [text for _, _, text, _ in self._cells]

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self._k, self._k)

    def _font_fitting(self, cell_px: float) -> QFont | None:
        """The font that fits the widest count in a cell of `cell_px` pixels, or None if none readable does."""
        points = self._font.pointSizeF()
        if points <= 0:                                    # a font sized in pixels: taken as 9 pt
            points = 9.0
        metrics = QFontMetricsF(self._font)
        need = max(metrics.horizontalAdvance(self._widest) + 2, metrics.height())
        points = min(points, points * cell_px / need)
        if points < MIN_COUNT_POINTS:
            return None
        font = QFont(self._font)
        font.setPointSizeF(points)
        return font

    def paint(self, painter, *_) -> None:
        self.drawn_points = 0.0
        if not self._cells:
            return
        to_screen = painter.transform()
        font = self._font_fitting(min(abs(to_screen.m11()), abs(to_screen.m22())))
        if font is None:
            return
        self.drawn_points = font.pointSizeF()
        painter.save()
        painter.resetTransform()
        painter.setFont(font)
        colours = {}
        for i, j, text, colour in self._cells:
            if colour not in colours:
                colours[colour] = QColor(colour)
            centre = to_screen.map(QPointF(j + 0.5, i + 0.5))
            painter.setPen(colours[colour])
            painter.drawText(QRectF(centre.x() - 60, centre.y() - 30, 120, 60), Qt.AlignmentFlag.AlignCenter,
                             text)
        painter.restore()


def _plot_widget(**labels) -> pg.PlotWidget:
    widget = pg.PlotWidget(background="w")
    style_plot(widget.getPlotItem(), **labels)
    return widget


class EvaluationView(QWidget):
    bestEpochMarked = Signal(int)   # best epoch while the network overfits; 0 when there is none (any more)

    def __init__(self, model, controller, mirror: NetworkMirror | None = None, parent=None):
        super().__init__(parent)
        self.model, self.controller = model, controller
        self.mirror = mirror if mirror is not None else NetworkMirror(model, controller, self)
        self.confusion = None           # the last core.evaluation_support.Confusion shown
        self.figures: dict[str, float] = {}
        self.best_epoch = 0
        self._overfit = None
        self._k = 0

        self.title = QLabel(" ")
        self.title.setWordWrap(True)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.hide()
        self.stack = QStackedWidget()
        self.empty = QLabel("Load data to see how the network does on it.")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #707070;")
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self._build_classification())
        self.stack.addWidget(self._build_regression())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.warning)
        layout.addWidget(self.stack, 1)

        # Once a second: a 10-class matrix is 100 text items to redraw, and during a run each redraw is
        # taken from training (measured ~4 ms of GUI thread per epoch when it followed every snapshot).
        self._evaluate = VisibleRefresh(self, self._refresh_evaluation, EVALUATE_INTERVAL_MS)
        self._curve = VisibleRefresh(self, self._refresh_curve)
        # Not tied to visibility: the curves tab shows the best-epoch mark while this tab is hidden.
        self._overfit_check = RateLimiter(self._check_overfitting, OVERFIT_CHECK_MS, self)
        # the mirror changes when a run ends too (it reads the final weights): shown at once then
        self.mirror.changed.connect(self._evaluate_when_due)
        model.dataChanged.connect(self._on_data_changed)
        controller.reportsArrived.connect(self._on_reports)
        controller.historyCleared.connect(self._on_history_cleared)
        self._on_data_changed()

    @Slot()
    def _evaluate_when_due(self) -> None:
        """Once a second at most while a run trains; at once otherwise (a new file, Reset, a step by hand):
        no run waits, and the header should not name the previous data for a second."""
        self._evaluate.poke()
        if not self.controller.active:
            self._evaluate.flush()

    # ---- building ---------------------------------------------------------------------------------
    def _build_classification(self) -> QWidget:
        page = QWidget()
        self.matrix_widget = _plot_widget(bottom="predicted class", left="true class")
        self.matrix_plot = self.matrix_widget.getPlotItem()
        self.matrix_plot.invertY(True)            # the first class in the top row, as tables read
        self.matrix_plot.setMouseEnabled(x=False, y=False)
        self.matrix_plot.setAspectLocked(True)
        self.matrix_image = pg.ImageItem(axisOrder="row-major")
        self.matrix_image.setColorMap(MATRIX_COLOURS)
        self.matrix_plot.addItem(self.matrix_image)
        self.cell_counts = CellCounts(self.font())
        self.matrix_plot.addItem(self.cell_counts)
        self._class_names: list[str] = []
        self.matrix_plot.vb.sigResized.connect(self._fit_class_ticks)
        self.matrix_plot.vb.sigRangeChanged.connect(self._fit_class_ticks)
        self.matrix_widget.setMinimumHeight(200)

        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(list(TABLE_HEADERS))
        self._short_headers = False
        self.table.installEventFilter(self)            # its width decides the headers (_fit_table_headers)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setToolTip("Precision: of the rows predicted as this class, the share that is it.\n"
                              "Recall: of the rows of this class, the share predicted as it.\n"
                              "F1: the harmonic mean of the two. Support (n): rows of this class.")
        self.table.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.matrix_widget, 1)
        layout.addWidget(self.table)
        return page

    def _build_regression(self) -> QWidget:
        page = QWidget()
        self.target_combo = QComboBox()
        self.target_combo.currentIndexChanged.connect(lambda _: self._evaluate.run_now())
        self.target_row = QWidget()
        row = QHBoxLayout(self.target_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Target"))
        row.addWidget(self.target_combo, 1)

        self.scatter_widget = _plot_widget(bottom="actual", left="predicted")
        self.scatter_plot = self.scatter_widget.getPlotItem()
        self.scatter_plot.setAspectLocked(True)
        self.identity = self.scatter_plot.plot(pen=pg.mkPen("#909090", width=1, style=Qt.PenStyle.DashLine))
        self.scatter = pg.ScatterPlotItem(size=6, pen=None, brush=SCATTER_BRUSH)
        self.scatter_plot.addItem(self.scatter)
        # 150 and 90 px at least (this page is the tallest of the dock's): with 200 and 120 the window could
        # not be shorter than 555 px, taller than a 1920 × 1080 screen at 200 % (540) or 1366 × 768 at 150 %
        self.scatter_widget.setMinimumHeight(150)
        self.figures_label = QLabel(" ")
        self.figures_label.setWordWrap(True)     # big figures (house prices) would widen the whole dock
        self.figures_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.metric_combo = QComboBox()
        self.metric_combo.addItems([name for name, _ in METRICS])
        self.metric_combo.setToolTip("Which validation figure to follow epoch by epoch")
        self.metric_combo.currentIndexChanged.connect(lambda _: self._curve.run_now())
        self.metric_note = QLabel()
        self.metric_note.setStyleSheet("color: #707070;")
        metric_row = QHBoxLayout()
        metric_row.addWidget(QLabel("Per epoch"))
        metric_row.addWidget(self.metric_combo)
        metric_row.addWidget(self.metric_note, 1)
        self.metric_widget = _plot_widget(bottom="epoch")
        self.metric_plot = self.metric_widget.getPlotItem()
        self.metric_plot.setClipToView(True)
        self.metric_plot.setDownsampling(auto=True, mode="peak")
        self.metric_curve = self.metric_plot.plot(pen=pg.mkPen("#ff7f0e", width=2), connect="finite")
        self.metric_widget.setMinimumHeight(90)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.target_row)
        layout.addWidget(self.scatter_widget, 3)
        layout.addWidget(self.figures_label)
        layout.addLayout(metric_row)
        layout.addWidget(self.metric_widget, 2)
        return page

    # ---- data -------------------------------------------------------------------------------------
    @Slot()
    def _on_data_changed(self) -> None:
        dataset = self.model.dataset
        task = dataset.task if dataset is not None else None
        self.stack.setCurrentIndex({"classification": 1, "regression": 2}.get(task, 0))
        if task == "classification":
            self._setup_matrix(list(dataset.class_names))
        elif task == "regression":
            self.target_combo.blockSignals(True)
            self.target_combo.clear()
            self.target_combo.addItems(list(dataset.output_names))
            self.target_combo.blockSignals(False)
            self.target_row.setVisible(dataset.n_outputs > 1)
        if dataset is None:
            self.title.setText(" ")
        self._evaluate_when_due()
        self._curve.poke()

    def _setup_matrix(self, names: list[str]) -> None:
        k = len(names)
        self._k = k
        self.cell_counts.set_counts(np.zeros((k, k), int), np.zeros((k, k)))
        self._class_names = list(names)
        self._fit_class_ticks()
        self.matrix_image.setImage(np.zeros((k, k)), levels=(0, 1))
        self.matrix_plot.setRange(xRange=(0, k), yRange=(0, k), padding=0.02)
        with columns_fitted_once(self.table):
            self.table.setRowCount(k)
            for i, name in enumerate(names):
                item = QTableWidgetItem(name)
                item.setToolTip(name)           # the column shortens long names
                self.table.setItem(i, 0, item)
                for c in range(1, 5):
                    self.table.setItem(i, c, QTableWidgetItem("–"))
        self._fit_table()
        self._fit_table_headers()

    def _fit_class_ticks(self, *_) -> None:
        """Class names under the columns, shortened to their column's width (the Output dock is often
        narrow: "4.2 and up" and "5.0 - 8.0" ran into each other); every name is in the table below."""
        names = self._class_names
        if not names:
            return
        vb = self.matrix_plot.vb
        (x0, x1), (y0, y1) = vb.viewRange()
        # the matrix's own size on screen: the locked aspect pads the view beyond its k × k cells
        width = max(60.0, float(vb.width()) * len(names) / max(x1 - x0, 1e-9))
        height = max(60.0, float(vb.height()) * len(names) / max(y1 - y0, 1e-9))
        char = max(1, self.fontMetrics().averageCharWidth())
        chars = max(3, int(width / len(names) / char) - 1)
        shown = distinct_shortened(names, lambda name: shortened(name, chars))
        longest = max(len(name) for name in shown)
        self.matrix_plot.getAxis("bottom").setTicks(thinned_ticks(shown, width, (longest + 1) * char))
        # Rows: names up to a quarter of the panel's width, as many as fit one above the other. Whole
        # names took all the width: 100 classes of long names squeezed the matrix to nothing and stacked
        # every name on one line.
        chars = max(3, int(self.matrix_widget.width() / 4 / char))
        self.matrix_plot.getAxis("left").setTicks(
            thinned_ticks(distinct_shortened(names, lambda name: shortened(name, chars)), height,
                          self.fontMetrics().height() + 2))

    def _fit_table_headers(self) -> None:
        """Short headers ("prec.", "n") when the full ones would leave the class names too little room: in
        a narrow Output dock "precision" and "support" squeezed "class 10" to "c…"."""
        names = self._class_names
        if not names:
            return
        header, table = self.table.horizontalHeader(), self.table
        metrics = header.fontMetrics()
        shown = SHORT_TABLE_HEADERS if self._short_headers else TABLE_HEADERS
        figures = 0
        for i in range(1, len(TABLE_HEADERS)):
            padding = header.sectionSizeHint(i) - metrics.horizontalAdvance(shown[i])
            figures += max(metrics.horizontalAdvance(TABLE_HEADERS[i]) + padding, table.sizeHintForColumn(i))
        cell = table.fontMetrics()
        wanted = min(max(cell.horizontalAdvance(name) for name in names),
                     cell.averageCharWidth() * CLASS_COLUMN_CHARS) + 12
        short = table.viewport().width() - figures < wanted
        if short != self._short_headers:
            self._short_headers = short
            table.setHorizontalHeaderLabels(list(SHORT_TABLE_HEADERS if short else TABLE_HEADERS))

    def eventFilter(self, obj, event) -> bool:
        if obj is self.table and event.type() == QEvent.Type.Resize:
            QTimer.singleShot(0, self, self._fit_table_headers)    # once the viewport has its new width too
        return False

    def _fit_table(self) -> None:
        # Show every class without a scroll bar up to 8 classes; the matrix takes the rest of the height.
        rows = min(self.table.rowCount(), 8)
        height = self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(i) for i in range(rows))
        self.table.setMaximumHeight(height)
        self.table.setMinimumHeight(height)

    # ---- evaluation -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Evaluate now, visible or not (tests; the panel when it needs the figures at once)."""
        self._evaluate.run_now()
        self._curve.run_now()

    def _refresh_evaluation(self) -> None:
        dataset, network = self.model.dataset, self.mirror.network
        if dataset is not None and network is None:
            self.title.setText("There is no network for this data: change the network in the designer.")
        if not network_fits(network, dataset):
            return
        X, Y, which = evaluation_set(dataset)
        epoch = f" · epoch {self.mirror.epoch}" if self.mirror.epoch else " · untrained"
        head = f"{which.capitalize()} set, {len(X)} rows{epoch}"
        outputs = self.mirror.val_outputs
        if which != "validation" or outputs is None or outputs.shape != (len(X), dataset.n_outputs):
            outputs = None
        if dataset.task == "classification":
            result = (confusion(network, X, Y, dataset.n_classes) if outputs is None
                      else confusion_from_outputs(outputs, Y, dataset.n_classes))
            self._show_confusion(result)
            head += f" · accuracy {result.accuracy:.1%}"
            head += self._baseline_line(result, dataset.class_names)
        else:
            self._show_regression(network, dataset, X, Y, outputs)
        if which == "training":
            head += ("<br><span style='color:#707070'>No validation split: these are the rows it learns "
                     "from, so they flatter it.</span>")
        head += self._telling_line(dataset)
        self.title.setText(head)

    @staticmethod
    def _telling_line(dataset) -> str:
        """Inputs the loader found may hold the answer (ISLP's Smarket: 'Today' gives 'Direction', 0.99),
        while they are still inputs: a score they give says little about new rows."""
        used = set(dataset.preprocessor.input_columns)
        # a pair (two inputs the target is the sum of) tells only while both are inputs
        groups = [key if isinstance(key, tuple) else (key,) for key in dataset.telling_inputs]
        telling = [group for group in groups if set(group) <= used]
        if not telling:
            return ""
        names = ", ".join(" + ".join(f"'{html.escape(str(name), quote=False)}'" for name in group)
                          for group in telling[:3])
        more = f" and {len(telling) - 3} more" if len(telling) > 3 else ""
        inputs = "Inputs" if sum(map(len, telling)) > 1 else "Input"
        return (f"<br><span style='color:#9a5b00'>{inputs} {names}{more} may tell the network the answer (see the "
                "notes under the file name): a score this good may not hold for new rows.</span>")

    @staticmethod
    def _baseline_line(result, class_names) -> str:
        """With one class holding most rows, accuracy flatters: name what always answering it scores."""
        if result.baseline is None or not class_names:
            return ""
        k, share = result.baseline
        name = html.escape(str(class_names[k]), quote=False)
        return (f"<br><span style='color:#707070'>Always answering '{name}' would score {share:.1%}; "
                f"balanced accuracy (mean recall) {result.balanced_accuracy:.1%}.</span>")

    def _show_confusion(self, result) -> None:
        self.confusion = result
        matrix = result.matrix
        if matrix.shape[0] != self._k:
            return
        support = np.maximum(matrix.sum(axis=1, keepdims=True), 1)
        # Colour by share of the true class, so a small class's mistakes show as clearly as a big one's.
        share = matrix / support
        self.matrix_image.setImage(share, levels=(0, 1))
        self.cell_counts.set_counts(matrix, share)
        report = result.report
        with columns_fitted_once(self.table):
            for i in range(self._k):
                for c, value in enumerate((report.precision[i], report.recall[i], report.f1[i]), start=1):
                    self.table.item(i, c).setText(f"{value:.2f}")
                self.table.item(i, 4).setText(str(int(report.support[i])))

    def _show_regression(self, network, dataset, X, Y, outputs=None) -> None:
        j = max(0, self.target_combo.currentIndex())
        predicted, actual = predicted_vs_actual(network, dataset.preprocessor, X, Y, outputs)
        p, a = predicted[:, j], actual[:, j]
        # Figures from every row; dots from a fixed sample, as a million would make each redraw crawl.
        shown = display_sample(len(p), MAX_SCATTER_POINTS)
        self.scatter.setData(a[shown], p[shown])
        finite = np.isfinite(p)
        if finite.any():
            lo = float(min(a.min(), p[finite].min()))
            hi = float(max(a.max(), p[finite].max()))
            self.identity.setData([lo, hi], [lo, hi])
        name = dataset.output_names[j]
        name = html.escape(name, quote=False)            # pyqtgraph labels are rich text
        self.scatter_plot.setLabel("bottom", f"actual {name}", color=TEXT_COLOUR)
        self.scatter_plot.setLabel("left", f"predicted {name}", color=TEXT_COLOUR)
        self.figures = regression_figures(p, a)
        if self.figures:
            self.figures_label.setText(
                f"RMSE {self.figures['rmse']:.4g} · MAE {self.figures['mae']:.4g} · "
                f"R² {self.figures['r2']:.4f}   (in {name}'s units)")

    # ---- history ----------------------------------------------------------------------------------
    @Slot(list)
    def _on_reports(self, _reports) -> None:
        self._overfit_check.poke()
        self._curve.poke()

    @Slot()
    def _on_history_cleared(self) -> None:
        self._overfit = None
        self._check_overfitting()
        self._curve.poke()

    def _refresh_curve(self) -> None:
        dataset = self.model.dataset
        if dataset is None or dataset.task != "regression":
            return
        history = self.controller.history
        name, key = METRICS[max(0, self.metric_combo.currentIndex())]
        values = history.metric(key)
        self.metric_plot.setLabel("left", f"validation {name}", color=TEXT_COLOUR)
        if dataset.n_val == 0:
            self.metric_note.setText("needs a validation split")
        elif dataset.n_outputs > 1:
            self.metric_note.setText("over all targets")
        else:
            self.metric_note.setText("")
        if values is None or not len(values):
            self.metric_curve.setData([], [])
        else:
            self.metric_curve.setData(history.epochs, values)

    def _check_overfitting(self) -> None:
        history = self.controller.history
        status = None
        if len(history):
            status = overfitting_status(history.train_loss, history.val_loss, previous=self._overfit)
        self._overfit = status
        best = int(history.epochs[status.best_index]) if status is not None else 0
        if status is not None:
            self.warning.setText(
                f"Validation loss has risen for {status.since_best} epochs while training loss falls: the "
                f"network is overfitting; best epoch {best}. (Early stopping with some patience would "
                f"keep that epoch's weights.)")
        self.warning.setVisible(status is not None)
        if best != self.best_epoch:
            self.best_epoch = best
            self.bestEpochMarked.emit(best)
