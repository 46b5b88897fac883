import sys


def test_qt_binding_keeps_none_alive():
    """PySide6 6.12.0 on Python 3.11 drops a reference to None on every void call; a training window
    makes thousands a second and aborts with 'none_dealloc'. pyproject pins a version without it."""
    from PySide6.QtCore import QObject

    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(20000):
        obj.setObjectName("x")
    assert sys.getrefcount(None) >= before - 100
