"""Backprop Studio's window: PySide6 + pyqtgraph on top of core/. Nothing here does maths."""
