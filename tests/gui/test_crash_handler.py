"""An unexpected exception in a slot or a thread is logged and shown; the app keeps running."""

import threading

import pytest
from PySide6.QtCore import QObject, QStandardPaths, Signal

from gui import crash_handler


class _Emitter(QObject):
    fire = Signal()


# pytest-qt would turn the deliberate exceptions into test failures; here they are the subject.
@pytest.mark.qt_no_exception_capture
def test_exception_in_slot_is_logged_and_shown(qtbot, tmp_path, monkeypatch):
    QStandardPaths.setTestModeEnabled(True)
    log = tmp_path / "logs" / "crash.log"
    monkeypatch.setattr(crash_handler, "log_path", lambda: log)
    handler = crash_handler.CrashHandler().install()
    try:
        emitter = _Emitter()

        def broken_slot():
            raise ZeroDivisionError("boom in a slot")

        emitter.fire.connect(broken_slot)
        with qtbot.waitSignal(handler.reported, timeout=2000):
            emitter.fire.emit()
        qtbot.waitUntil(lambda: handler.last_dialog is not None)
        dialog = handler.last_dialog
        assert "boom in a slot" in log.read_text()
        assert "Traceback" in dialog.details and "ZeroDivisionError" in dialog.details
        dialog.copy_button.click()
        from PySide6.QtWidgets import QApplication
        assert "boom in a slot" in QApplication.clipboard().text()
        dialog.close()

        # a worker thread's exception goes the same way, and the GUI thread shows it
        with qtbot.waitSignal(handler.reported, timeout=2000):
            t = threading.Thread(target=lambda: 1 / 0)
            t.start()
            t.join()
        assert handler.count == 2 and log.read_text().count("\n--- ") + 1 == 2
    finally:
        handler.uninstall()
        QStandardPaths.setTestModeEnabled(False)


@pytest.mark.qt_no_exception_capture
def test_dialogs_are_capped(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(crash_handler, "log_path", lambda: tmp_path / "x.log")
    handler = crash_handler.CrashHandler()
    shown = []
    monkeypatch.setattr(crash_handler.CrashDialog, "show", lambda self: shown.append(self))
    for i in range(10):
        try:
            raise ValueError(i)
        except ValueError as exc:
            handler.handle(type(exc), exc, exc.__traceback__)
    qtbot.waitUntil(lambda: len(shown) == crash_handler.MAX_DIALOGS)
    qtbot.wait(50)
    assert len(shown) == crash_handler.MAX_DIALOGS
