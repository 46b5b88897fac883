"""Backprop Studio's engine: numpy + stdlib only (pandas/onnx imported lazily where needed).

Nothing in this package imports PySide6, pyqtgraph or gui/ (tests/core/test_no_qt.py checks it).
"""

__version__ = "0.1.0"
