import os
import sys
from pathlib import Path

import pytest

# Before anything can import Qt: tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(autouse=True)
def _unsaved_changes_prompt_discards():
    """A modal Save / Discard / Cancel in a headless test would wait for a click forever (pytest-qt
    closes every window it was given, and closing asks). Tests that exercise the prompt patch it themselves.
    Set by hand rather than with monkeypatch: a test calling monkeypatch.undo() must not lose it.
    Only applied once Qt widgets are loaded, so core tests never import Qt through here."""
    widgets = sys.modules.get("PySide6.QtWidgets")
    if widgets is None:
        yield
        return
    box = widgets.QMessageBox
    original = box.__dict__["question"]
    box.question = staticmethod(lambda *a, **k: box.StandardButton.Discard)
    try:
        yield
    finally:
        box.question = original
