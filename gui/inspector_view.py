"""The backprop inspector: the article's derivation for one training sample, with the network's real numbers.

Forward pass (a_j, O_j), the error E, then layer by layer backwards the deltas δ_k / δ_j, the gradients
∂E/∂w_ij = O_i δ_j and the update Δw_ij = −η ∂E/∂w_ij, each table under its formula. Every number comes
from core.inspect.explain_step (the engine's own forward/backward), and "Apply this step" goes through
core.inspect.apply_step, so the teaching view cannot drift from what training does.

Threading: a run (running or paused: its thread is alive either way) writes model.network's arrays in
place. The view therefore explains a private copy of the network — synced from model.network while no run
is active and from the controller's weight snapshots while one is — and touches model.network only to
apply a step, which it allows only while no run is active.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QGridLayout, QHeaderView, QLabel, QPushButton,
                               QScrollArea, QSizePolicy, QSpinBox, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from core.activations import ACTIVATIONS
from core.inspect import StepExplanation, apply_step, explain_step
from core.network import Network
from core.teaching import input_values, output_delta_rule, target_text
from gui.activation_view import math_html
from gui.controller import RateLimiter
from gui.names import neuron_names
from gui.weights_view import layer_title

MAX_SHOWN = 12                 # rows / columns a table shows before it collapses
REDRAW_INTERVAL_MS = 500       # at most 2 re-explanations a second from training snapshots
APPLY_TIP = ("Add Δw and Δθ to every weight and bias: exactly the update shown above (plain SGD on this one "
             "sample with the η shown, whatever optimizer training uses).")
BUSY_TIP = ("Stop training (■) to step by hand: while a run is active — even paused — its thread owns the "
            "weights.")


def fmt(value: float) -> str:
    # + 0.0 turns −0 (e.g. −η · 0 under a dead unit) into 0: a sign on nothing only puzzles a reader.
    return f"{value + 0.0:.4g}"


def _shape_key(arch: dict) -> tuple:
    return (tuple(arch["layer_sizes"]), tuple(arch["activations"]), arch["loss"], arch["dtype"])


def _indices(layer: int, n_layers: int) -> tuple[str, str]:
    """The article's index letters for weight layer `layer`: w_ij into hidden neurons j, w_jk into the
    output neurons k — so the output layer's tables read like the article's δ_k."""
    if layer < n_layers - 1:
        return "i", "j"
    return ("j", "k") if n_layers > 1 else ("i", "k")


class NumberTable(QTableWidget):
    """A read-only table sized to its content, showing at most MAX_SHOWN rows and columns of a matrix.

    `keep_last` keeps the last row (θ) visible when rows are collapsed. The full-precision value of every
    shown cell is stored under Qt.UserRole, the 4-significant-digit text is what the reader sees.
    """

    def __init__(self, row_names: list[str], col_names: list[str], keep_last: bool = False, parent=None):
        super().__init__(parent)
        n_rows, n_cols = len(row_names), len(col_names)
        if n_rows > MAX_SHOWN + keep_last:
            rows = list(range(MAX_SHOWN)) + ([n_rows - 1] if keep_last else [])
        else:
            rows = list(range(n_rows))
        self.row_indices = rows
        self.col_indices = list(range(min(n_cols, MAX_SHOWN)))
        self.full_shape = (n_rows, n_cols)
        self.setRowCount(len(rows))
        self.setColumnCount(len(self.col_indices))
        self.setVerticalHeaderLabels([row_names[i] for i in rows])
        self.setHorizontalHeaderLabels([col_names[j] for j in self.col_indices])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)   # a clipped digit is better than "0.00…"
        self.setCornerButtonEnabled(False)
        # A notch smaller than the text around it: twelve columns in about 900 px.
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 0.92)
        self.setFont(font)
        self.horizontalHeader().setFont(font)
        self.verticalHeader().setFont(font)
        fm = self.fontMetrics()
        number = fm.horizontalAdvance("-0.0001234") + 12
        for c, j in enumerate(self.col_indices):
            self.setColumnWidth(c, max(number, fm.horizontalAdvance(col_names[j]) + 14))
            self.horizontalHeader().setSectionResizeMode(c, QHeaderView.ResizeMode.Fixed)
        row_height = fm.height() + 6
        self.verticalHeader().setDefaultSectionSize(row_height)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        for r in range(len(rows)):
            for c in range(len(self.col_indices)):
                item = QTableWidgetItem("")
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(r, c, item)
        self._fit()

    def _fit(self) -> None:
        # The scroll area scrolls; a table scrolling inside it would hide numbers behind two scroll bars.
        self.verticalHeader().setMinimumWidth(self.verticalHeader().sizeHint().width())
        width = (self.verticalHeader().sizeHint().width() + sum(self.columnWidth(c) for c in range(self.columnCount()))
                 + 2 * self.frameWidth() + 2)
        height = (self.horizontalHeader().sizeHint().height()
                  + self.verticalHeader().defaultSectionSize() * self.rowCount() + 2 * self.frameWidth() + 2)
        self.setFixedSize(width, height)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    @property
    def collapsed(self) -> bool:
        return len(self.row_indices) < self.full_shape[0] or len(self.col_indices) < self.full_shape[1]

    def set_values(self, matrix: np.ndarray, last_row: np.ndarray | None = None) -> None:
        """Show `matrix` (full_shape, or a vector for a one-row table); with `last_row` (the θ row),
        `matrix` holds the rows above it. Only the shown corner is read, so a 4096 × 4096 layer costs
        no more than a small one."""
        matrix = np.asarray(matrix)
        if matrix.ndim == 1:
            matrix = matrix.reshape(1, -1)
        n_above = matrix.shape[0]
        for r, i in enumerate(self.row_indices):
            row = last_row if i == n_above and last_row is not None else matrix[i]
            for c, j in enumerate(self.col_indices):
                value = float(row[j])
                item = self.item(r, c)
                item.setText(fmt(value))
                item.setData(Qt.ItemDataRole.UserRole, value)

    def displayed(self) -> np.ndarray:
        """The shown numbers as read from the cells' text (what the reader sees)."""
        return np.array([[float(self.item(r, c).text()) for c in range(self.columnCount())]
                         for r in range(self.rowCount())])


class WrappedText(QLabel):
    """A word-wrapped label that may be held narrower than the page it sits on (maximumWidth).

    Qt's box layout asks a label its height for the width of the whole column, not for the width its
    maximum allows; on a page made wide by a 12-column table the label would be sized for one long line
    and cut after the first of the several it wraps to."""

    def __init__(self, text: str = "", parent=None):
        super().__init__(text, parent)
        self.setWordWrap(True)

    def heightForWidth(self, width: int) -> int:
        return super().heightForWidth(min(width, self.maximumWidth()))


class InspectorView(QWidget):
    weightsEdited = Signal()          # "Apply this step" changed model.network's weights in place

    def __init__(self, model, controller, parent=None):
        super().__init__(parent)
        self.model, self.controller = model, controller
        self.explanation: StepExplanation | None = None
        self.tables: dict[tuple[str, int], NumberTable] = {}
        self.formulas: dict[tuple[str, int], QLabel] = {}
        self._net: Network | None = None      # private copy: the one explain_step may run on any time
        self._structure = None
        self._sample = 0
        self._pending = None                  # snapshot not explained yet
        self._show_due = False                # explained while hidden: shown when the tab is
        self._limiter = RateLimiter(self._explain_pending, REDRAW_INTERVAL_MS, self)
        self._rule_note: QLabel | None = None  # how training's update differs from this page's

        self.spin = QSpinBox()
        self.spin.setPrefix("sample ")
        self.spin.setToolTip("Which training sample to push through the network")
        self.spin.valueChanged.connect(lambda v: self.set_sample(v - 1))
        # short button texts and labels that may be cut: the pane shares a 1280-pixel screen with the
        # error curves, which it squeezed to a sliver when its controls needed 333 px
        self.next_button = QPushButton("Next")
        self.next_button.setToolTip("Show the next training sample")
        self.next_button.clicked.connect(self.next_sample)
        self.count_label = QLabel()
        self.count_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.apply_button = QPushButton("Apply this step")
        self.apply_button.setToolTip("Update the weights by this sample's Δw = −η ∂E/∂w, as training would")
        self.apply_button.clicked.connect(self.apply)
        self.status = QLabel()
        self.status.setStyleSheet("color: #505050;")
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        controls = QGridLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(self.spin, 0, 0)
        controls.addWidget(self.next_button, 0, 1)
        controls.addWidget(self.count_label, 0, 2)
        controls.addWidget(self.apply_button, 1, 0, 1, 2)
        controls.addWidget(self.status, 1, 2)
        controls.setColumnStretch(2, 1)

        # The sample's description scrolls with the derivation: above the scroll area, a file of many
        # columns gave it 100 px of a 290 px tab (1366 × 768) and left the derivation 107.
        self.sample_label = WrappedText()
        self.sample_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sample_label.setContentsMargins(6, 4, 6, 0)
        self._texts: list[WrappedText] = [self.sample_label]   # held to the visible width (_fit_texts)
        self._page: QWidget | None = None                      # the derivation under the sample line
        self._content = QWidget()
        self._content_column = QVBoxLayout(self._content)
        self._content_column.setContentsMargins(0, 0, 0, 0)
        self._content_column.setSpacing(0)
        self._content_column.addWidget(self.sample_label)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self._content)
        self.scroll.viewport().installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(controls)
        layout.addWidget(self.scroll, 1)

        model.settingsChanged.connect(self._on_settings)
        controller.stateChanged.connect(self._on_state)
        # cleared on every new network or data set (as the Health view): one refresh, not three
        controller.historyCleared.connect(self.refresh)
        controller.snapshotArrived.connect(self._on_snapshot)
        self.refresh()

    # ---- public API --------------------------------------------------------------------------------
    @property
    def sample(self) -> int:
        """0-based index of the shown training sample."""
        return self._sample

    @Slot(int)
    def set_sample(self, index: int) -> None:
        n = self._n_samples()
        index = int(index) % n if n else 0
        if index != self._sample or self.explanation is None:
            self._sample = index
            self.status.setText("")
            self._explain()
        self._sync_spin()

    @Slot()
    def next_sample(self) -> None:
        self.set_sample(self._sample + 1)

    @Slot()
    def refresh(self) -> None:
        """Re-read network and data (when no run owns the weights) and explain the sample again."""
        self.status.setText("")              # "Step applied: …" was about weights that may be gone
        self._sync_network()
        n = self._n_samples()
        self._sample = min(self._sample, max(n - 1, 0))
        self._sync_spin()
        self._update_apply()
        self._explain()

    @Slot()
    def apply(self) -> None:
        """w ← w + Δw on model.network through the engine, for the shown sample and η."""
        ex, network = self.explanation, self.model.network
        if self.controller.active or ex is None or network is None or not self._data_fits(network):
            return
        if self._net is None or not np.array_equal(self._net.flat_params, network.flat_params):
            # Something changed the weights without a signal: never apply a step computed from others.
            self.refresh()
            self.status.setText("The weights had changed: this is the step for the current weights.")
            return
        before = ex.error
        apply_step(network, ex.x, ex.target, ex.lr)
        self.refresh()
        after = self.explanation.error if self.explanation is not None else float("nan")
        self.status.setText(f"Step applied: E for this sample {fmt(before)} → {fmt(after)}")
        self.weightsEdited.emit()

    # ---- keeping the private copy current ----------------------------------------------------------
    def _n_samples(self) -> int:
        ds = self.model.dataset
        return int(ds.X_train.shape[0]) if ds is not None else 0

    def _data_fits(self, network) -> bool:
        ds = self.model.dataset
        return (ds is not None and ds.X_train.shape[0] > 0 and ds.X_train.shape[1] == network.layer_sizes[0]
                and ds.Y_train.shape[1] == network.layer_sizes[-1])

    def _sync_network(self) -> None:
        live = self.model.network
        if live is None:
            self._net = None
            return
        # Architecture fields are never written by a run, so reading them is safe even while one is active.
        arch = live.architecture()
        if self._net is None or _shape_key(self._net.architecture()) != _shape_key(arch):
            self._net = Network(**arch)
        if not self.controller.active:
            self._net.set_params(live.weights, live.biases)
        elif self.controller.last_snapshot is not None:
            self._set_snapshot(self.controller.last_snapshot)

    def _set_snapshot(self, report) -> bool:
        if self._net is None or [w.shape for w in report.weights] != [w.shape for w in self._net.weights]:
            return False
        self._net.set_params(report.weights, report.biases)
        return True

    @Slot(object)
    def _on_snapshot(self, report) -> None:
        if not self.controller.active:
            return                           # the run has ended: refresh() reads the final weights
        self._pending = report
        if self.isVisible():
            self._limiter.poke()

    def _explain_pending(self) -> None:
        report, self._pending = self._pending, None
        if report is not None and self._set_snapshot(report):
            self._explain()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._show_due and self.explanation is not None:
            self._show_due = False
            self._show(self.explanation)
        self._explain_pending()

    @Slot(str)
    def _on_state(self, _state: str) -> None:
        self._update_apply()
        if not self.controller.active:
            self._pending = None
            self.refresh()

    @Slot()
    def _on_settings(self) -> None:
        if self.explanation is not None and self.explanation.lr != self.model.settings.lr:
            self._explain()
        self._show_training_rule()

    def training_rule(self) -> str:
        """How Step and Train update, where that differs from the one-sample SGD step on this page."""
        settings, ds = self.model.settings, self.model.dataset
        n = int(ds.X_train.shape[0]) if ds is not None else 0
        batch = settings.batch_size if 0 < settings.batch_size < n else n
        parts = []
        if batch > 1:
            parts.append(f"Step and Train update once per {'epoch' if batch == n else 'mini-batch'} of {batch} "
                         f"samples, with the mean of their ∂E/∂w: one update is the mean of {batch} steps "
                         "like this one.")
        if settings.optimizer == "momentum":
            parts.append(f"Momentum adds μ = {settings.momentum:g} times the previous update to each one.")
        elif settings.optimizer == "adam":
            parts.append("Adam scales each weight's step by running averages of its gradients, so its Δw "
                         "differs from −η ∂E/∂w.")
        if settings.l2 > 0:
            parts.append(f"L2 decay adds −ηλw (λ = {settings.l2:g}) to every weight's update.")
        if parts:
            parts.append("Apply this step makes exactly the update shown here.")
        return " ".join(parts)

    def _show_training_rule(self) -> None:
        note = self._rule_note
        if note is not None:
            text = self.training_rule()
            note.setText(math_html(text))
            note.setVisible(bool(text))

    def _update_apply(self) -> None:
        busy = self.controller.active
        self.apply_button.setEnabled(not busy and self.model.network is not None and self._n_samples() > 0)
        self.apply_button.setToolTip(BUSY_TIP if busy else APPLY_TIP)

    def _sync_spin(self) -> None:
        n = self._n_samples()
        self.spin.blockSignals(True)
        self.spin.setRange(1, max(n, 1))
        self.spin.setValue(self._sample + 1)
        self.spin.blockSignals(False)
        self.spin.setEnabled(n > 0)
        self.next_button.setEnabled(n > 1)
        self.count_label.setText(f"of {n}" if n else "")

    # ---- the explanation ---------------------------------------------------------------------------
    def _explain(self) -> None:
        live = self.model.network
        if live is not None and (self._net is None or
                                 _shape_key(self._net.architecture()) != _shape_key(live.architecture())):
            # a project opened announces its settings before the history that would have synced the copy
            self._sync_network()
            self._sample = min(self._sample, max(self._n_samples() - 1, 0))
            self._sync_spin()
        net, ds = self._net, self.model.dataset
        if net is None or not self._data_fits(net):
            self.explanation = None
            self._show_message("Load data and build a network to see backpropagation step by step."
                               if net is None or ds is None else
                               "The network does not match the data yet.")
            return
        x, t = ds.X_train[self._sample], ds.Y_train[self._sample]
        self.explanation = explain_step(net, x, t, self.model.settings.lr)
        if self.isVisible() or not self.window().isVisible():
            self._show(self.explanation)
        else:
            self._show_due = True       # a page behind another tab: built when shown (a wide file: 1,000 rows)

    def _show_message(self, text: str) -> None:
        self._structure = None
        self._rule_note = None
        self.tables.clear()
        self.formulas.clear()
        self.sample_label.setText("")
        label = QLabel(text)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setStyleSheet("color: #606060;")
        self._replace_content(label)

    def _replace_content(self, widget: QWidget) -> None:
        old = self._page
        if old is not None:
            self._content_column.removeWidget(old)
            old.hide()
            old.deleteLater()
        self._page = widget
        self._content_column.addWidget(widget, 1)
        widget.show()          # now, not on the layout's queued show: a page built in showEvent is read at once
        self._texts = [self.sample_label, *widget.findChildren(WrappedText)]
        self._fit_texts()

    def eventFilter(self, obj, event) -> bool:
        if obj is self.scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_texts()
        return False

    def _fit_texts(self) -> None:
        """Text wraps at the visible width: the tables of a wide file make the page wider than the pane,
        and a sentence running under them could only be read by scrolling sideways line by line."""
        width = max(120, self.scroll.viewport().width() - 12)     # the page's side margins
        for label in self._texts:
            if label.maximumWidth() != width:
                label.setMaximumWidth(width)

    def _show(self, ex: StepExplanation) -> None:
        names = neuron_names(self.model)
        structure = (tuple(self._net.layer_sizes), tuple(self._net.activations), ex.loss,
                     tuple(tuple(n) for n in names))
        if structure != self._structure:
            self._build(names, ex)
            self._structure = structure
        ds = self.model.dataset
        values = input_values(ds, ex.x)
        raw = html.escape(", ".join(f"{name} = {value}" for name, value in values[:MAX_SHOWN]), quote=False)
        if len(values) > MAX_SHOWN:
            raw += f", … ({len(values) - MAX_SHOWN} more columns)"
        t = ", ".join(fmt(v) for v in ex.target[:MAX_SHOWN])
        if len(ex.target) > MAX_SHOWN:         # 100 classes: a hundred 0s and a 1 filled the tab
            hot = np.flatnonzero(np.asarray(ex.target) == 1)
            where = f"; 1 at output {hot[0] + 1}" if ds.task == "classification" and len(hot) == 1 else ""
            t += f", … ({len(ex.target)} values{where})"
        rows = getattr(ds, "train_rows", None)
        where = (f" (row {int(rows[self._sample]) + 1} of the data table)"
                 if rows is not None and len(rows) == self._n_samples() else "")
        self.sample_label.setText(
            f"<b>Sample {self._sample + 1}</b> of the training set{where}:&nbsp; {raw}&nbsp; → target "
            f"<b>{html.escape(target_text(ds, ex.target), quote=False)}</b>&nbsp; (t = [{t}])")

        self.tables["input", 0].set_values(ex.layers[0].inputs)
        for i, layer in enumerate(ex.layers):
            self.tables["weights", i].set_values(layer.weights, layer.bias)
            self.tables["forward", i].set_values(np.vstack([layer.net_input, layer.output]))
            self.tables["delta", i].set_values(layer.delta)
            self.tables["grad", i].set_values(layer.grad_weights, layer.grad_bias)
            self.tables["update", i].set_values(layer.update_weights, layer.update_bias)
        self.tables["error", 0].set_values(np.vstack([ex.target, ex.layers[-1].output]))
        self._set_formula(("error", 0), f"{ex.loss_formula} = {fmt(ex.error)}")
        for i in range(len(ex.layers)):
            i_, j_ = _indices(i, len(ex.layers))
            self._set_formula(("update", i), f"Δw_{i_}{j_} = −η ∂E/∂w_{i_}{j_},   Δθ_{j_} = −η δ_{j_},   "
                                             f"with η = {ex.lr:g}")

    def _set_formula(self, key, text: str) -> None:
        label = self.formulas[key]
        label.setText(math_html(text))
        label.setProperty("plain", text)

    # ---- building the page -------------------------------------------------------------------------
    def _build(self, names: list[list[str]], ex: StepExplanation) -> None:
        self.tables.clear()
        self.formulas.clear()
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(6, 4, 6, 12)
        col.setSpacing(3)
        n_layers = len(ex.layers)
        out_act = ex.layers[-1].activation

        def heading(text: str) -> None:
            label = WrappedText(text)
            font = label.font()
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 1.2)
            label.setFont(font)
            col.addSpacing(10)
            col.addWidget(label)

        def subheading(text: str) -> None:
            label = WrappedText(text)
            font = label.font()
            font.setBold(True)
            label.setFont(font)
            col.addSpacing(6)
            col.addWidget(label)

        def formula(key, text: str, why: str = "") -> None:
            # wrapped, not one line: "a_j = Σ_i w_ij O_i + θ_j, O_j = f(a_j) with …" asked 465 px of a
            # 317 px pane, and every line of the page scrolled sideways with it
            label = WrappedText()
            label.setTextFormat(Qt.TextFormat.RichText)
            font = label.font()
            font.setPointSizeF(font.pointSizeF() * 1.1)
            label.setFont(font)
            label.setStyleSheet("color: #1a3f7a;")
            self.formulas[key] = label
            self._set_formula(key, text)
            col.addWidget(label)
            if why:
                note(why)

        def note(text: str) -> None:
            label = WrappedText(math_html(text))
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setStyleSheet("color: #606060;")
            col.addWidget(label)

        def table(key, rows, cols, keep_last=False) -> None:
            widget = NumberTable(rows, cols, keep_last)
            self.tables[key] = widget
            col.addWidget(widget, 0, Qt.AlignmentFlag.AlignLeft)
            if widget.collapsed:
                n_rows, n_cols = widget.full_shape
                parts = []
                if len(widget.row_indices) < n_rows:
                    parts.append(f"the first {MAX_SHOWN} of {n_rows - 1} rows and θ" if keep_last
                                 else f"{MAX_SHOWN} of {n_rows} rows")
                if len(widget.col_indices) < n_cols:
                    parts.append(f"{len(widget.col_indices)} of {n_cols} columns")
                note(f"Showing {' and '.join(parts)}; the step uses them all.")

        heading("1  Forward pass")
        formula(("input", 0), "O_i = x_i   (the sample's inputs as the network sees them, after scaling)")
        table(("input", 0), ["Oᵢ"], names[0])
        for i, layer in enumerate(ex.layers):
            src, dst = layer_title(i, n_layers)
            act = ACTIVATIONS[layer.activation]
            subheading(f"Layer {i + 1}: {src} → {dst}  ·  {layer.activation}")
            i_, j_ = _indices(i, n_layers)
            formula(("weights", i), f"w_{i_}{j_} and θ_{j_}",
                    "θ, the bias, is the weight from a node that always outputs 1 (row θ)." if i == 0 else "")
            table(("weights", i), [*names[i], "θ"], names[i + 1], keep_last=True)
            formula(("forward", i), f"a_{j_} = Σ_{i_} w_{i_}{j_} O_{i_} + θ_{j_},     O_{j_} = f(a_{j_})  with  "
                                    f"{act.formula}")
            sub = "ₖ" if j_ == "k" else "ⱼ"
            table(("forward", i), [f"a{sub}  net input", f"O{sub}  output"], names[i + 1])

        heading("2  Error")
        formula(("error", 0), ex.loss_formula,
                "t and O are in the scaled units the network learns in; the line above gives the target in "
                "its own units." if getattr(self.model.dataset, "task", None) == "regression" else "")
        table(("error", 0), ["tₖ  target", "Oₖ  output"], names[-1])

        heading("3  Backward pass: deltas, gradients, update")
        note("From the output layer down: each layer's δ comes from the δ of the layer above it.")
        self._rule_note = WrappedText()
        self._rule_note.setStyleSheet("color: #8a5a00;")
        col.addWidget(self._rule_note)
        self._show_training_rule()
        for i in range(n_layers - 1, -1, -1):
            layer = ex.layers[i]
            src, dst = layer_title(i, n_layers)
            subheading(f"Layer {i + 1}: {src} → {dst}")
            if i == n_layers - 1:
                rule, why = output_delta_rule(ex.loss, out_act)
                formula(("delta", i), rule, why)
                table(("delta", i), ["δₖ"], names[i + 1])
            else:
                act = ACTIVATIONS[layer.activation]
                above = "" if i + 1 == n_layers - 1 else (
                    f"Here k runs over the neurons of {layer_title(i + 1, n_layers)[1]}: their δ is the table "
                    f"just above, and w_jk are layer {i + 2}'s weights.")
                formula(("delta", i), f"δ_j = f'(a_j) Σ_k δ_k w_jk   with  {act.derivative_formula}", above)
                table(("delta", i), ["δⱼ"], names[i + 1])
            i_, j_ = _indices(i, n_layers)
            formula(("grad", i), f"∂E/∂w_{i_}{j_} = O_{i_} δ_{j_},     ∂E/∂θ_{j_} = δ_{j_}   (row θ)")
            table(("grad", i), [*names[i], "θ"], names[i + 1], keep_last=True)
            formula(("update", i), "Δw = −η ∂E/∂w")
            table(("update", i), [*names[i], "θ"], names[i + 1], keep_last=True)
        col.addStretch(1)
        self._replace_content(page)
