"""GUI test fixtures: isolated QSettings, no test may leave a QThread running (napari's conftest idea), and
no test may make Qt log a warning."""

from __future__ import annotations

import gc
import re
import sys

import pytest
from PySide6.QtCore import QSettings, QtMsgType, qInstallMessageHandler

from gui import worker
from gui.app import GuiThreadGarbageCollector, apply_qt_workarounds
from gui.main_window import SETTINGS_ENV

# Before the first test emits anything: PySide6 6.12.0 under CPython 3.11 loses a reference to
# None/True per call and would abort the run after a few thousand (see gui/app.py).
apply_qt_workarounds()

# Qt warnings that say something about the test platform, not about the app. Each entry is here because
# the message comes from the platform plugin or the display setup, never from code the app could fix:
QT_WARNING_ALLOW = (
    # The offscreen plugin has no window manager to pass size hints to, and QWidget::show() of every
    # top-level window (QMainWindow, QDialog, QMenu) asks it to; xcb, wayland, Windows and macOS do it.
    # Seen 90 times in one run of this suite (PySide6 6.11).
    r"^This plugin does not support propagateSizeHints\(\)$",
    # Offscreen has no window stacking either: QWidget::raise() of a top-level window (seen twice).
    r"^This plugin does not support raise\(\)$",
    # ... nor a keyboard to grab, which a combo box's open list asks for (the data panel's Role column).
    r"^This plugin does not support grabbing the keyboard$",
)
_ALLOW = re.compile("|".join(f"(?:{p})" for p in QT_WARNING_ALLOW))
_FAILING = (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)


class _QtMessages:
    """The one message handler: records warnings for the test that is running, prints the rest.

    It stays installed between tests on purpose. pytest-qt installs its own handler for the setup and
    call phases and restores the previous one afterwards; restoring ours means warnings raised while
    pytest-qt closes the test's widgets (teardown) are seen as well.
    """

    def __init__(self):
        self.records: list[str] = []
        self.previous = None

    def __call__(self, msg_type, context, message):
        if msg_type in _FAILING and not _ALLOW.search(message):
            where = f" ({context.file}:{context.line})" if context is not None and context.file else ""
            self.records.append(f"{msg_type.name}: {message}{where}")
        elif msg_type not in _FAILING:
            print(message, file=sys.stderr)
        if self.previous is not None and self.previous is not self:
            self.previous(msg_type, context, message)    # keeps pytest-qt's qtlog fixture working


_MESSAGES = _QtMessages()


@pytest.fixture(autouse=True)
def qt_warnings():
    """Fail a test during which Qt logged a warning or critical message (allow-list: QT_WARNING_ALLOW).

    A test that provokes a warning on purpose asserts on the yielded list and clears it.
    """
    _MESSAGES.records = []
    previous = qInstallMessageHandler(_MESSAGES)
    _MESSAGES.previous = None if previous is _MESSAGES else previous
    yield _MESSAGES.records
    records, _MESSAGES.records = _MESSAGES.records, []
    _MESSAGES.previous = None
    if records:
        pytest.fail("Qt logged warnings:\n  " + "\n  ".join(records), pytrace=False)


@pytest.fixture(scope="package", autouse=True)
def garbage_collected_in_the_gui_thread(qapp):
    """As in the app (gui.app.run): cycles are collected by a timer in the GUI thread only, never by a
    training thread that happens to cross the allocation threshold."""
    collector = GuiThreadGarbageCollector()
    yield
    collector.stop()
    gc.collect()


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Every test gets its own settings file; the user's real settings are never read or written."""
    path = tmp_path / "settings.ini"
    monkeypatch.setenv(SETTINGS_ENV, str(path))
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    return path


@pytest.fixture(autouse=True)
def no_running_threads():
    """Fail a test that leaves a gui thread running (checked after pytest-qt closed its widgets).

    Then collect the test's garbage (closed windows and their views) here, with no thread running,
    instead of at whatever moment of a later test the GUI thread's collector timer fires."""
    yield
    leaked = [t for t in worker.LIVE_THREADS if worker.thread_running(t)]
    if not leaked:
        gc.collect()
        return
    names = [t.objectName() for t in leaked]
    for thread in leaked:                       # clean up, so one leak does not fail the next tests too
        stop = getattr(thread, "stop_worker", None)
        if stop is not None:
            stop()
        thread.quit()
        thread.wait(10_000)
    pytest.fail(f"the test left QThreads running: {names}")
