"""The Output dock: live evaluation, decision boundary and predictions, one tab each.

The three views share one NetworkMirror — the dock's own copy of the network, fed from training
snapshots — so they never read the network the training thread is changing, and a snapshot is copied
once for all of them.

Connections for the window (each optional):
    panel.bestEpochMarked(int)   → the error curves: mark this epoch (0 = remove the mark)
    NetworkView.neuronClicked    → panel.show_neuron(layer, index): that neuron's map on the Boundary tab
    anything that changes the weights while no run is active (an inspector step, imported weights)
                                 → panel.sync_network()
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from gui.boundary_view import BoundaryView
from gui.evaluation_view import EvaluationView
from gui.output_support import NetworkMirror
from gui.predict_panel import PredictPanel


class OutputPanel(QWidget):
    bestEpochMarked = Signal(int)       # best epoch while overfitting, 0 when there is none

    def __init__(self, model, controller, parent=None):
        super().__init__(parent)
        self.model, self.controller = model, controller
        self.mirror = NetworkMirror(model, controller, self)
        self.evaluation = EvaluationView(model, controller, self.mirror)
        self.boundary = BoundaryView(model, controller, self.mirror)
        self.predict = PredictPanel(model, controller, self.mirror)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.evaluation, "Evaluation")
        self.tabs.addTab(self.boundary, "Boundary")
        self.tabs.addTab(self.predict, "Predict")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.evaluation.bestEpochMarked.connect(self.bestEpochMarked)

    @Slot(int, int)
    def show_neuron(self, layer: int, index: int) -> None:
        """Map one neuron's output on the Boundary tab (layer_sizes numbering: 1 = first hidden layer)."""
        self.boundary.show_neuron(layer, index)
        if self.boundary.applicable and self.boundary.neuron == (layer, index):
            self.tabs.setCurrentWidget(self.boundary)

    @Slot()
    def show_network_output(self) -> None:
        self.boundary.show_network_output()

    @Slot()
    def sync_network(self) -> None:
        """Take the studio network's weights again (only while no run is active)."""
        self.mirror.sync()
