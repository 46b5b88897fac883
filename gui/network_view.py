"""The clickable network diagram: inputs ▸ hidden layers ▸ outputs, edited through StudioModel.

Every edit (the +/−/× buttons, "+ layer", the activation and loss combos, the "hidden: 8, 8" field)
calls a StudioModel method, so it is one undo step and the diagram redraws from the model's signals.

The scene is rebuilt only when the drawn structure changes. `update_snapshot` (up to ~30 calls a second
while training) just swaps pens and brushes picked from small pre-built palettes, and only on items
whose quantised value changed. Large layers are collapsed and the link count is capped, so a 784-512-10
network costs about as much to draw as an 8-8 one.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import shiboken6
from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QTransform
from PySide6.QtWidgets import (QComboBox, QFrame, QGraphicsEllipseItem, QGraphicsItem, QGraphicsLineItem,
                               QGraphicsPathItem, QGraphicsRectItem, QGraphicsScene, QGraphicsSimpleTextItem,
                               QGraphicsView, QHBoxLayout, QLabel, QLineEdit, QSizePolicy, QSpacerItem,
                               QToolButton, QToolTip, QVBoxLayout, QWidget)

from core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from core.losses import LOSSES, auto_output
from gui.names import distinct_shortened, neuron_names
from gui.sizing import may_narrow

MAX_NODES = 12            # nodes drawn per layer; a bigger layer shows MAX_NODES - 1 and a "…" label
MAX_LINKS = 1000          # links drawn in the whole diagram: fewer nodes per layer when deep
LOCKED_TIP = "stop training to edit"

# Scene geometry, in scene units (≈ pixels at scale 1).
NODE_R = 11.0
SLOT = 30.0               # vertical distance between node centres
COL_W = 116.0             # width of a layer's clickable column
COL_GAP = 190.0           # distance between column centres
LABEL_W = 130.0           # input / output names are elided to this width
HEADER_TOP = -92.0        # column title row; nodes start at y = 0
BUTTON = 20.0             # side of the square +/− buttons
DROP = 16.0               # side of the × (remove layer) button

# Colours for a light background. Orange / blue for sign, as TensorFlow Playground does.
POSITIVE = QColor("#e8710a")
NEGATIVE = QColor("#1967d2")
BACKGROUND = QColor("#fbfbfd")
TEXT = QColor("#202124")
MUTED = QColor("#5f6368")
DISABLED = QColor("#b0b3b8")
SELECTED_FILL = QColor("#e4eefc")
SELECTED_EDGE = QColor("#8ab4f8")
NODE_EDGE = QColor("#3c4043")
NEUTRAL_LINK = QColor(150, 150, 160)
LEVELS = 8                # quantisation of |w| and |mean O| into palette entries

# Item data slot (QGraphicsItem.setData) holding an int that indexes NetworkView._keys, whose key tuple
# says what a click or hover on the item means: ("add", hidden_index), ("node", layer, neuron),
# ("link", weight_layer, i, j), ("column", layer), ... Only a plain int goes into the QVariant, so C++
# never holds Python objects that scene.clear() would have to release.
_KEY = 0
_EDITS = ("remove", "add", "drop", "insert")


def _blend(colour: QColor, t: float, base: QColor = BACKGROUND) -> QColor:
    """`colour` at opacity t over `base`, as an opaque colour."""
    return QColor(round(base.red() + (colour.red() - base.red()) * t),
                  round(base.green() + (colour.green() - base.green()) * t),
                  round(base.blue() + (colour.blue() - base.blue()) * t))


def _link_palette() -> list[QPen]:
    """Index sign * LEVELS + level; the last entry is the neutral pen used before any weights.

    Opaque colours with flat caps: translucent, round-capped antialiased lines cost the raster engine
    about ten times more (≈30 ms against 3 ms for 350 links), too much at 30 snapshots a second.
    """
    pens = []
    for colour in (NEGATIVE, POSITIVE):
        for level in range(LEVELS):
            t = level / (LEVELS - 1)
            pen = QPen(_blend(colour, 0.25 + 0.75 * t), 0.8 + 4.2 * t)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            pens.append(pen)
    neutral = QPen(_blend(NEUTRAL_LINK, 0.45), 0.8)
    neutral.setCapStyle(Qt.PenCapStyle.FlatCap)
    pens.append(neutral)
    return pens


def _node_palette() -> list[QBrush]:
    brushes = [QBrush(_blend(colour, 0.85 * level / (LEVELS - 1), QColor("white")))
               for colour in (NEGATIVE, POSITIVE) for level in range(LEVELS)]
    brushes.append(QBrush(QColor("white")))
    return brushes


def _quantise(values: np.ndarray, peak: float) -> np.ndarray:
    """Palette indices for values scaled by peak: sign picks the colour, |v|/peak the level."""
    with np.errstate(invalid="ignore", divide="ignore"):
        level = np.abs(values) / peak * (LEVELS - 1) + 0.5
    level = np.nan_to_num(level, nan=0.0, posinf=LEVELS - 1)
    level = np.clip(level, 0, LEVELS - 1).astype(np.intp)
    return np.where(values >= 0, LEVELS + level, level)


def _peak(a: np.ndarray) -> float:
    peak = float(np.max(np.abs(a))) if a.size else 0.0
    if not np.isfinite(peak):                     # a diverged run: scale by what is still finite
        finite = np.abs(a[np.isfinite(a)])
        peak = float(finite.max()) if finite.size else 0.0
    return peak


def drawn_counts(sizes: Sequence[int]) -> list[int]:
    """How many nodes to draw per layer: ≤ MAX_NODES each and ≤ MAX_LINKS links in total."""
    for cap in range(MAX_NODES, 1, -1):
        shown = [n if n <= cap else cap - 1 for n in sizes]
        if sum(a * b for a, b in zip(shown, shown[1:])) <= MAX_LINKS:
            return shown
    return [1] * len(sizes)


def _gap() -> QSpacerItem:
    """10 px between the toolbar's groups while there is room; none in a window squeezed to a small screen."""
    return QSpacerItem(10, 0, QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)


class _Diagram(QGraphicsView):
    """Routes clicks and tooltips to the owning NetworkView by what lies under the cursor.

    Items are plain, non-interactive graphics; the view decides what a click means. That keeps a click
    that rebuilds the scene from deleting the very item Qt is still delivering the event to.
    """

    def __init__(self, owner: "NetworkView"):
        super().__init__(owner)
        self._owner = owner
        self._pressed = None
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        # Many link pens change per snapshot; one full repaint is cheaper than merging their regions.
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMouseTracking(True)
        self.setMinimumSize(240, 120)     # it scrolls below; 160 held the window taller than a 540 px screen
        self.viewport().installEventFilter(self)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._owner._fit()

    def mousePressEvent(self, event):
        key = self._owner._click_key_at(event.position().toPoint())
        if key is not None and event.button() == Qt.MouseButton.LeftButton:
            self._pressed = key
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event):
        pressed, self._pressed = self._pressed, None
        if pressed is not None and event.button() == Qt.MouseButton.LeftButton:
            event.accept()
            if self._owner._click_key_at(event.position().toPoint()) == pressed:
                self._owner._activate(pressed)
            return
        super().mouseReleaseEvent(event)

    def mouseMoveEvent(self, event):
        self._owner._hover(self._owner._click_key_at(event.position().toPoint()))
        super().mouseMoveEvent(event)

    def leaveEvent(self, event):
        self._owner._hover(None)
        super().leaveEvent(event)

    def eventFilter(self, obj, event):
        # Tooltips come through a filter on the viewport, not a viewportEvent override: with a Python
        # override every paint of the diagram would run inside Python, holding the GIL for the whole
        # C++ drawing, and a training thread waits for the GIL through it (measured ~4 ms a repaint
        # at 784-128-64-10). Without one, Qt paints the diagram without the GIL.
        if obj is self.viewport() and event.type() == QEvent.Type.ToolTip:
            text = self._owner.tooltip_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return False


class NetworkView(QWidget):
    """Toolbar row (hidden sizes, activation, loss, undo/redo) above the clickable diagram."""

    neuronClicked = Signal(int, int)          # (layer index in layer_sizes, neuron index)
    layerSelected = Signal(int)               # weight-layer index whose activation is being edited

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self._link_pens = _link_palette()
        self._node_brushes = _node_palette()
        self._title_font = QFont()
        self._title_font.setPixelSize(14)
        self._title_font.setBold(True)
        self._font = QFont()
        self._font.setPixelSize(13)
        self._small_font = QFont()
        self._small_font.setPixelSize(12)
        self._selected = 0                    # weight-layer index: hidden layers, then the output
        self._live = False                    # a run is drawing snapshots (see set_live)
        self._structure = None
        self._hovered = None
        self._syncing = False
        self._scroll_to_inputs = True
        self._sizes: list[int] = []
        self._weights: list[np.ndarray] | None = None
        self._biases: list[np.ndarray] | None = None
        self._means: list[np.ndarray | None] | None = None
        self._reset_items()

        self.scene = QGraphicsScene(self)
        self.scene.setBackgroundBrush(BACKGROUND)
        # Items never move, but link pens (hence bounding rects) change every snapshot: an index
        # would be rebuilt constantly for a scene of ~1,000 items that a linear scan handles fine.
        self.scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.view = _Diagram(self)
        self.view.setScene(self.scene)
        self.view.horizontalScrollBar().actionTriggered.connect(self._on_user_scroll)

        self._build_toolbar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self._toolbar)
        layout.addWidget(self.view, 1)

        model.architectureChanged.connect(self._on_model_changed)
        model.dataChanged.connect(self._on_model_changed)
        model.networkChanged.connect(self._on_network_changed)
        model.trainingLockChanged.connect(self._apply_lock)
        model.undo_stack.canUndoChanged.connect(self._sync_undo)
        model.undo_stack.canRedoChanged.connect(self._sync_undo)
        model.undo_stack.undoTextChanged.connect(self._sync_undo)
        model.undo_stack.redoTextChanged.connect(self._sync_undo)
        self._on_network_changed()

    # ---- public API --------------------------------------------------------------------------------
    def update_snapshot(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                        mean_activations: Sequence[np.ndarray] | None = None) -> None:
        """Recolour links by weights[i] (fan_in, fan_out) and shade nodes by mean activation.

        mean_activations holds one (n,) array per layer of layer_sizes, or one per weight layer (hidden
        layers and the output). A snapshot whose shapes do not match the drawn network (a stale run
        after an edit) is ignored.
        """
        sizes = self._sizes
        if len(weights) != len(sizes) - 1 or any(
                np.shape(w) != (sizes[i], sizes[i + 1]) for i, w in enumerate(weights)):
            return
        self._weights = list(weights)
        self._biases = list(biases) if len(biases) == len(weights) and all(
            np.shape(b) == (sizes[i + 1],) for i, b in enumerate(biases)) else None
        pens = self._link_pens
        for wl, w in enumerate(weights):
            rows, cols = self._link_index[wl]
            if not rows.size:
                continue
            # Width is relative to the largest |w| of the whole layer, not just the drawn corner.
            idx = _quantise(np.asarray(w)[rows, cols], _peak(np.asarray(w)))
            items = self._links[wl]
            for k in np.flatnonzero(idx != self._link_state[wl]).tolist():
                items[k].setPen(pens[idx[k]])
                # Opaque links hide what is under them: keep the strong ones on top.
                items[k].setZValue(1 + (idx[k] % LEVELS) / LEVELS)
            self._link_state[wl] = idx
        if mean_activations is not None:
            self.set_mean_activations(mean_activations)

    def set_mean_activations(self, mean_activations: Sequence[np.ndarray | None]) -> None:
        """Shade each neuron by its mean output O_j (hover shows it): one (n,) array per layer of
        layer_sizes, or one per weight layer (hidden layers and the output). Mismatched shapes (a
        measurement of the network before an edit) leave the shading as it is."""
        sizes = self._sizes
        means = list(mean_activations)
        if len(means) == len(sizes) - 1:
            means = [None, *means]
        if len(means) == len(sizes) and all(m is None or np.shape(m) == (n,) for m, n in zip(means, sizes)):
            self._means = means
            self._shade_nodes()

    def set_live(self, live: bool) -> None:
        """While training runs, links are drawn without antialiasing: they recolour up to 30 times a
        second and antialiased lines are half the cost of each repaint (2.2 → 1.1 ms measured). The still
        picture of a paused or finished run is antialiased again."""
        if live == self._live:
            return
        self._live = live
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing, not live)
        self.view.viewport().update()

    def select_layer(self, index: int) -> None:
        """Select weight layer `index` (0 = first hidden layer, len(hidden) = output) for editing."""
        index = max(0, min(index, len(self._sizes) - 2))
        self._selected = index
        self._paint_selection()
        self._sync_toolbar()
        self.layerSelected.emit(index)

    @property
    def selected_layer(self) -> int:
        return self._selected

    def control(self, *key) -> QGraphicsItem | None:
        """The item for a clickable key, e.g. control("add", 0), control("insert", 1),
        control("node", 1, 3), control("column", 2). For tests and for pointing at things."""
        return self._clickables.get(tuple(key))

    def node_items(self, layer: int) -> list[QGraphicsEllipseItem]:
        return list(self._nodes[layer])

    def link_items(self) -> list[QGraphicsLineItem]:
        return [item for layer in self._links for item in layer]

    # ---- toolbar -----------------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        self._toolbar = QWidget(self)
        row = QHBoxLayout(self._toolbar)
        row.setContentsMargins(6, 4, 6, 2)
        row.setSpacing(6)

        row.addWidget(QLabel("hidden:"))
        self.hidden_edit = QLineEdit()
        self.hidden_edit.setPlaceholderText("e.g. 8, 8")
        self.hidden_edit.setMinimumWidth(56)     # this row sets the window's least width: 911 px must do
        # "16, 16, 16, 16" fits; wider only took room from the loss beside it ("auto (binary-cross-entr")
        self.hidden_edit.setMaximumWidth(self.hidden_edit.fontMetrics().horizontalAdvance("16, 16, 16, 16") + 16)
        self.hidden_edit.editingFinished.connect(self._apply_hidden_text)
        row.addWidget(self.hidden_edit)
        row.addItem(_gap())

        self.layer_label = QLabel()
        row.addWidget(self.layer_label)
        self.activation_combo = QComboBox()
        self.activation_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        may_narrow(self.activation_combo, px=60)
        self.activation_combo.currentIndexChanged.connect(self._apply_activation)
        row.addWidget(self.activation_combo)
        row.addItem(_gap())

        row.addWidget(QLabel("loss:"))
        self.loss_combo = QComboBox()
        self.loss_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        may_narrow(self.loss_combo, px=60)
        self.loss_combo.currentIndexChanged.connect(self._apply_loss)
        row.addWidget(self.loss_combo)
        row.addStretch(1)

        # Plain glyph buttons rather than QUndoStack.createUndoAction, whose text grows with the command
        # name and would make the row jump and widen; the command name goes into the tooltip. Shortcuts
        # (Ctrl+Z / Ctrl+Shift+Z) belong to the main window's Edit menu, so none are set here.
        self.undo_button = QToolButton()
        self.undo_button.setText("↶")
        self.undo_button.clicked.connect(self.model.undo_stack.undo)
        self.redo_button = QToolButton()
        self.redo_button.setText("↷")
        self.redo_button.clicked.connect(self.model.undo_stack.redo)
        row.addWidget(self.undo_button)
        row.addWidget(self.redo_button)
        self._toolbar.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def _sync_toolbar(self) -> None:
        model, arch = self.model, self.model.architecture
        self._syncing = True
        try:
            if not self.hidden_edit.hasFocus() or self.hidden_edit.text() != arch.text():
                self.hidden_edit.setText(arch.text())
            n_hidden = len(arch.hidden)
            n_out = model.dataset.n_outputs if model.dataset is not None else 1
            auto_act, auto_loss = auto_output(model.task, n_out)
            combo = self.activation_combo
            combo.clear()
            if self._selected < n_hidden:
                self.layer_label.setText(f"hidden {self._selected + 1}:")
                for name in HIDDEN_ACTIVATIONS:
                    combo.addItem(name, name)
                current = arch.hidden_activations[self._selected]
            else:
                self.layer_label.setText("output:")
                combo.addItem(f"auto ({auto_act})", "auto")
                for name in OUTPUT_ACTIVATIONS:
                    combo.addItem(name, name)
                current = arch.output_activation
            combo.setCurrentIndex(max(0, combo.findData(current)))

            self.loss_combo.clear()
            self.loss_combo.addItem(f"auto ({auto_loss})", "auto")
            for name in LOSSES:
                self.loss_combo.addItem(name, name)
            self.loss_combo.setCurrentIndex(max(0, self.loss_combo.findData(arch.loss)))
        finally:
            self._syncing = False
        self._apply_lock()

    @Slot()
    def _sync_undo(self) -> None:
        # A dying QUndoStack reports its final clear() from its destructor; by then the stack, or this
        # view's attributes (cleared by the garbage collector), may already be gone.
        model = getattr(self, "model", None)
        if model is None or not shiboken6.isValid(model.undo_stack):
            return
        stack, locked = model.undo_stack, model.training_locked
        self.undo_button.setEnabled(stack.canUndo() and not locked)
        self.redo_button.setEnabled(stack.canRedo() and not locked)
        self.undo_button.setToolTip(LOCKED_TIP if locked else f"Undo {stack.undoText()}".strip())
        self.redo_button.setToolTip(LOCKED_TIP if locked else f"Redo {stack.redoText()}".strip())

    @Slot()
    def _apply_lock(self) -> None:
        locked = self.model.training_locked
        tips = {self.hidden_edit: "Hidden layer sizes, comma separated; Enter applies",
                self.activation_combo: "Activation of the selected layer (click a layer to select it)",
                self.loss_combo: "Loss; auto picks it from the task"}
        for widget, tip in tips.items():
            widget.setEnabled(not locked)
            widget.setToolTip(LOCKED_TIP if locked else tip)
        self._sync_undo()
        self._paint_buttons()

    @Slot()
    def _apply_hidden_text(self) -> None:
        if self._syncing:
            return
        text = self.hidden_edit.text()
        if text.strip() == self.model.architecture.text():
            return
        messages: list[str] = []
        self.model.message.connect(self._collect, Qt.ConnectionType.DirectConnection)
        self._collected = messages
        try:
            ok = self.model.set_hidden_text(text)
        finally:
            self.model.message.disconnect(self._collect)
        # Valid or not, show the model's spelling ("8,8" becomes "8, 8"; bad text reverts).
        self.hidden_edit.setText(self.model.architecture.text())
        if not ok:
            if messages:
                anchor = self.hidden_edit.mapToGlobal(QPoint(0, self.hidden_edit.height()))
                QToolTip.showText(anchor, messages[-1], self.hidden_edit)

    @Slot(str, str)
    def _collect(self, text: str, _level: str) -> None:
        self._collected.append(text)

    @Slot(int)
    def _apply_activation(self, index: int) -> None:
        if self._syncing or index < 0:
            return
        if not self.model.set_layer_activation(self._selected, self.activation_combo.itemData(index)):
            self._sync_toolbar()

    @Slot(int)
    def _apply_loss(self, index: int) -> None:
        if self._syncing or index < 0:
            return
        if not self.model.set_loss(self.loss_combo.itemData(index)):
            self._sync_toolbar()

    # ---- model signals -----------------------------------------------------------------------------
    @Slot()
    def _on_model_changed(self) -> None:
        self._rebuild_if_needed()
        self._sync_toolbar()

    @Slot()
    def _on_network_changed(self) -> None:
        self._rebuild_if_needed()
        self._sync_toolbar()
        net = self.model.network
        if net is not None:
            self.update_snapshot(net.weights, net.biases)

    # ---- scene construction ------------------------------------------------------------------------
    def _reset_items(self) -> None:
        self._nodes: list[list[QGraphicsEllipseItem]] = []
        self._links: list[list[QGraphicsLineItem]] = []
        self._link_index: list[tuple[np.ndarray, np.ndarray]] = []
        self._link_state: list[np.ndarray] = []
        self._node_state: list[np.ndarray] = []
        self._columns: list[QGraphicsRectItem] = []
        self._buttons: dict[tuple, QGraphicsPathItem] = {}
        self._clickables: dict[tuple, QGraphicsItem] = {}
        self._keys: list[tuple] = []
        self._content = QRectF()

    def _labels(self) -> tuple[list[str], list[str]]:
        names = neuron_names(self.model, self.model.layer_sizes())
        return names[0], names[-1]

    def _rebuild_if_needed(self) -> None:
        model = self.model
        inputs, outputs = self._labels()
        structure = (tuple(model.layer_sizes()), model.architecture.hidden_activations,
                     model.resolved_output()[0], tuple(inputs), tuple(outputs))
        if structure != self._structure:
            # Other inputs (a file opened) start at their names again; an edit of the hidden layers keeps
            # the place the user scrolled to, so that editing layer 7 does not jump the view back.
            self._scroll_to_inputs = self._structure is None or structure[3] != self._structure[3]
            self._structure = structure
            self._rebuild(inputs, outputs)

    def _rebuild(self, inputs: list[str], outputs: list[str]) -> None:
        self.view._pressed = None
        self._hovered = None
        self.scene.clear()
        self._reset_items()
        self._weights = self._biases = self._means = None
        sizes = self._sizes = self.model.layer_sizes()
        n_layers = len(sizes)
        self._selected = max(0, min(self._selected, n_layers - 2))
        shown = drawn_counts(sizes)
        slots = [k + (1 if k < n else 0) for k, n in zip(shown, sizes)]   # a collapsed layer's label
        height = max(slots) * SLOT
        acts = [*self.model.architecture.hidden_activations, self.model.resolved_output()[0]]

        centres: list[list[tuple[float, float]]] = []
        for layer, n in enumerate(sizes):
            x = layer * COL_GAP
            top = (height - slots[layer] * SLOT) / 2 + SLOT / 2
            pts = [(x, top + j * SLOT) for j in range(shown[layer])]
            centres.append(pts)
            self._add_column(layer, x, height)
            self._add_header(layer, x, n, acts[layer - 1] if layer else None)
            nodes = []
            for j, (cx, cy) in enumerate(pts):
                node = QGraphicsEllipseItem(cx - NODE_R, cy - NODE_R, 2 * NODE_R, 2 * NODE_R)
                node.setPen(QPen(NODE_EDGE, 1.3))
                node.setBrush(self._node_brushes[-1])
                node.setZValue(2)
                self._register(node, ("node", layer, j))
                nodes.append(node)
            self._nodes.append(nodes)
            self._node_state.append(np.full(len(nodes), -1, np.intp))
            if shown[layer] < n:
                more = self._text(f"… {n} {'inputs' if layer == 0 else 'neurons'}", self._small_font, MUTED)
                r = more.boundingRect()
                more.setPos(x - r.width() / 2, top + shown[layer] * SLOT - r.height() / 2)
                self._tag(more, ("more", layer))
        self._add_names(inputs, centres[0], left=True)
        self._add_names(outputs, centres[-1], left=False)

        neutral = len(self._link_pens) - 1
        for wl in range(n_layers - 1):
            a, b = shown[wl], shown[wl + 1]
            rows, cols = np.divmod(np.arange(a * b), b)
            self._link_index.append((rows, cols))
            self._link_state.append(np.full(a * b, neutral, np.intp))
            items = []
            for i, j in zip(rows.tolist(), cols.tolist()):
                (x1, y1), (x2, y2) = centres[wl][i], centres[wl + 1][j]
                line = QGraphicsLineItem(x1 + NODE_R, y1, x2 - NODE_R, y2)
                line.setPen(self._link_pens[neutral])
                line.setZValue(1)
                self._tag(line, ("link", wl, i, j))
                self.scene.addItem(line)
                items.append(line)
            self._links.append(items)

        for layer in range(1, n_layers - 1):          # hidden layers get +, −, ×
            h, x = layer - 1, layer * COL_GAP
            self._add_button(("remove", h), "−", x - BUTTON / 2 - 3, HEADER_TOP + 58, BUTTON)
            self._add_button(("add", h), "+", x + BUTTON / 2 + 3, HEADER_TOP + 58, BUTTON)
        for layer in range(n_layers - 1):             # "+ layer" between every pair of columns
            self._add_button(("insert", layer), "+ layer", (layer + 0.5) * COL_GAP, HEADER_TOP + 58, None)

        # Everything but the links changes rarely: drawn once into a pixmap and blitted on the repaint that
        # every snapshot's link colours cause (measured 2.9 → 2.2 ms per snapshot of 784-128-64-10).
        links = {id(item) for layer in self._links for item in layer}
        for item in self.scene.items():
            if id(item) not in links:
                item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._content = self.scene.itemsBoundingRect().adjusted(-12, -10, 12, 10)
        self.scene.setSceneRect(self._content)
        self._paint_selection()
        self._paint_buttons()
        self._fit()

    def _tag(self, item: QGraphicsItem, key: tuple) -> None:
        item.setData(_KEY, len(self._keys))
        self._keys.append(key)

    def _register(self, item: QGraphicsItem, key: tuple) -> None:
        self._tag(item, key)
        self.scene.addItem(item)
        self._clickables[key] = item

    def _text(self, text: str, font: QFont, colour: QColor, parent: QGraphicsItem | None = None):
        item = QGraphicsSimpleTextItem(text, parent)
        item.setFont(font)
        item.setBrush(colour)
        item.setZValue(3)
        if parent is None:
            self.scene.addItem(item)
        return item

    def _add_column(self, layer: int, x: float, height: float) -> None:
        rect = QGraphicsRectItem(x - COL_W / 2, HEADER_TOP, COL_W, height - HEADER_TOP + 8)
        rect.setPen(Qt.PenStyle.NoPen)
        rect.setBrush(Qt.BrushStyle.NoBrush)
        rect.setZValue(-10)
        self._register(rect, ("column", layer))
        self._columns.append(rect)

    def _add_header(self, layer: int, x: float, n: int, activation: str | None) -> None:
        last = len(self._sizes) - 1
        hidden = 0 < layer < last
        title = "input" if layer == 0 else "output" if layer == last else f"hidden {layer}"
        sub = (f"{n} feature{'s' * (n != 1)}" if layer == 0 else f"{n} · {activation}")
        item = self._text(title, self._title_font, TEXT)
        width = item.boundingRect().width()
        # A hidden layer's title and its × button are centred together so long titles never touch it.
        group = width + (4 + DROP if hidden else 0)
        item.setPos(x - group / 2, HEADER_TOP + 4)
        self._tag(item, ("column", layer))
        if hidden:
            self._add_button(("drop", layer - 1), "×", x + group / 2 - DROP / 2,
                             HEADER_TOP + 4 + item.boundingRect().height() / 2, DROP)
        item = self._text(sub, self._small_font, MUTED)
        item.setPos(x - item.boundingRect().width() / 2, HEADER_TOP + 25)
        self._tag(item, ("column", layer))

    def _add_names(self, names: list[str], centres: list[tuple[float, float]], left: bool) -> None:
        metrics = QFontMetricsF(self._font)
        layer = 0 if left else len(self._sizes) - 1
        # Middle elision keeps both a column name's stem and its distinguishing suffix.
        texts = distinct_shortened(names, lambda name: metrics.elidedText(name, Qt.TextElideMode.ElideMiddle,
                                                                              LABEL_W))
        for j, (cx, cy) in enumerate(centres):
            text = texts[j]
            item = self._text(text, self._font, TEXT)
            r = item.boundingRect()
            item.setPos(cx - NODE_R - 8 - r.width() if left else cx + NODE_R + 8, cy - r.height() / 2)
            self._tag(item, ("node", layer, j))

    def _add_button(self, key: tuple, label: str, cx: float, cy: float, side: float | None) -> None:
        font = self._small_font if side is None else self._title_font
        width = QFontMetricsF(font).horizontalAdvance(label) + 14 if side is None else side
        height = BUTTON if side is None else side
        path = QPainterPath()
        path.addRoundedRect(QRectF(cx - width / 2, cy - height / 2, width, height), 4, 4)
        button = QGraphicsPathItem(path)
        button.setZValue(5)
        text = self._text(label, font, TEXT, parent=button)
        r = text.boundingRect()
        text.setPos(cx - r.width() / 2, cy - r.height() / 2 - 0.5)
        self._tag(text, key)
        self._register(button, key)
        self._buttons[key] = button

    # ---- painting state ----------------------------------------------------------------------------
    def _button_enabled(self, key: tuple) -> bool:
        if self.model.training_locked:
            return False
        if key[0] == "remove":
            return self.model.architecture.hidden[key[1]] > 1
        return True

    def _paint_buttons(self) -> None:
        for key, button in self._buttons.items():
            enabled = self._button_enabled(key)
            hovered = enabled and key == self._hovered
            fill = QColor("#d2e3fc") if hovered else QColor("white") if enabled else QColor("#f1f3f4")
            button.setBrush(fill)
            button.setPen(QPen(SELECTED_EDGE if hovered else QColor("#9aa0a6") if enabled else DISABLED, 1))
            for child in button.childItems():
                child.setBrush(TEXT if enabled else DISABLED)

    def _paint_selection(self) -> None:
        for layer, column in enumerate(self._columns):
            selected = layer >= 1 and layer - 1 == self._selected
            column.setBrush(SELECTED_FILL if selected else Qt.BrushStyle.NoBrush)
            column.setPen(QPen(SELECTED_EDGE, 1) if selected else Qt.PenStyle.NoPen)

    def _shade_nodes(self) -> None:
        for layer, nodes in enumerate(self._nodes):
            mean = self._means[layer] if self._means is not None else None
            if mean is None or np.shape(mean) != (self._sizes[layer],) or not nodes:
                continue
            mean = np.asarray(mean)
            # Bounded activations keep an absolute scale (tanh 0.3 looks pale); ReLU-like ones get one
            # relative to the layer's largest mean so they do not all saturate.
            idx = _quantise(mean[:len(nodes)], max(1.0, _peak(mean)))
            for k in np.flatnonzero(idx != self._node_state[layer]).tolist():
                nodes[k].setBrush(self._node_brushes[idx[k]])
            self._node_state[layer] = idx

    def _fit(self) -> None:
        if self._content.isEmpty():
            return
        vp = self.view.viewport().size()
        # A few pixels of slack so that an exact fit never rounds up past the viewport.
        fit = min((vp.width() - 4) / self._content.width(), (vp.height() - 4) / self._content.height())
        # Below ~0.7 the labels become hard to read: scroll instead. Above 1.5 the diagram looks bloated.
        scale = max(0.7, min(1.5, fit))
        # Scroll bars only when the diagram cannot fit; as-needed bars alone stayed visible after the
        # view grew back. Changing the policy resizes the viewport, which refits once more.
        policy = (Qt.ScrollBarPolicy.ScrollBarAlwaysOff if fit >= 0.7
                  else Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.view.setTransform(QTransform.fromScale(scale, scale))
        if self.view.horizontalScrollBarPolicy() != policy:
            self.view.setHorizontalScrollBarPolicy(policy)
            self.view.setVerticalScrollBarPolicy(policy)
        if fit >= 0.7:
            self.view.centerOn(self._content.center())
        elif self._scroll_to_inputs:
            # A deep network overflows: start at the inputs. Kept up through the resizes that showing the
            # scroll bars causes, until the user scrolls (_on_user_scroll) or edits the network.
            self.view.horizontalScrollBar().setValue(self.view.horizontalScrollBar().minimum())

    @Slot(int)
    def _on_user_scroll(self, _action: int) -> None:
        self._scroll_to_inputs = False

    # ---- clicks and tooltips -----------------------------------------------------------------------
    def _keys_at(self, pos: QPoint, radius: int = 0):
        area = QRect(pos.x() - radius, pos.y() - radius, 2 * radius + 1, 2 * radius + 1)
        for item in self.view.items(area) if radius else self.view.items(pos):
            tag = item.data(_KEY)
            if tag is not None:
                yield self._keys[tag]

    def _click_key_at(self, pos: QPoint):
        for key in self._keys_at(pos):
            if key[0] in _EDITS or key[0] in ("node", "column"):
                return key
        return None

    def _activate(self, key: tuple) -> None:
        kind, model = key[0], self.model
        if kind in _EDITS:
            if not self._button_enabled(key):
                return
            {"remove": model.remove_neuron, "add": model.add_neuron,
             "drop": model.remove_layer, "insert": model.insert_layer}[kind](key[1])
            return
        layer = key[1]
        if kind == "node":
            self.neuronClicked.emit(layer, key[2])
        if layer >= 1:
            self.select_layer(layer - 1)

    def _hover(self, key) -> None:
        clickable = key is not None and (
            key[0] == "node" or (key[0] == "column" and key[1] >= 1)
            or (key[0] in _EDITS and self._button_enabled(key)))
        self.view.viewport().setCursor(Qt.CursorShape.PointingHandCursor if clickable
                                       else Qt.CursorShape.ArrowCursor)
        key = key if key in self._buttons else None
        if key != self._hovered:
            self._hovered = key
            self._paint_buttons()

    def tooltip_at(self, pos: QPoint) -> str:
        """The hover text for viewport position `pos`; links get a few pixels of slack."""
        exact = list(self._keys_at(pos))
        for key in exact:
            if key[0] != "column":
                return self._describe(key)
        for key in self._keys_at(pos, radius=3):
            if key[0] == "link":
                return self._describe(key)
        return self._describe(exact[0]) if exact else ""

    def _neuron_id(self, layer: int, j: int) -> str:
        """The neuron's name as the heatmaps and the Inspector write it: the feature, h<layer>.<k>, the
        class or target."""
        last = len(self._sizes) - 1
        if layer == 0:
            return self._structure[3][j]
        if layer == last:
            return self._structure[4][j]
        return f"h{layer}.{j + 1}"

    def _layer_name(self, layer: int) -> str:
        last = len(self._sizes) - 1
        return "input" if layer == 0 else "output" if layer == last else f"hidden layer {layer}"

    def _describe(self, key: tuple) -> str:
        kind = key[0]
        locked = self.model.training_locked
        if kind in _EDITS:
            if locked:
                return LOCKED_TIP
            h = key[1]
            return {"remove": f"Remove a neuron from hidden layer {h + 1}",
                    "add": f"Add a neuron to hidden layer {h + 1}",
                    "drop": f"Remove hidden layer {h + 1}",
                    "insert": f"Insert a hidden layer here (it becomes hidden layer {h + 1})"}[kind]
        if kind == "link":
            wl, i, j = key[1:]
            a, b = self._neuron_id(wl, i), self._neuron_id(wl + 1, j)
            if self._weights is None:
                return f"w[{a} → {b}]"
            return f"w[{a} → {b}] = {float(self._weights[wl][i, j]):.4g}"
        if kind == "more":
            layer = key[1]
            n, shown = self._sizes[layer], len(self._nodes[layer])
            return f"{self._layer_name(layer)}: {n} neurons, the first {shown} drawn"
        if kind == "column":
            layer = key[1]
            if layer == 0:
                return f"input: {self._sizes[0]} encoded features"
            return f"{self._layer_name(layer)}: {self._sizes[layer]} neurons — click to choose its activation"
        layer, j = key[1], key[2]
        parts = [f"{self._layer_name(layer)} neuron {j + 1}: {self._neuron_id(layer, j)}"]
        if layer >= 1 and self._biases is not None:
            parts.append(f"θ = {float(self._biases[layer - 1][j]):.4g}")
        mean = self._means[layer] if self._means is not None else None
        if mean is not None and np.shape(mean) == (self._sizes[layer],):
            parts.append(f"mean O = {float(mean[j]):.4g}")
        return ", ".join(parts)
