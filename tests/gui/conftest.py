"""GUI test fixtures: isolated QSettings, and no test may leave a QThread running (napari's conftest idea)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from gui import worker
from gui.app import apply_qt_workarounds
from gui.main_window import SETTINGS_ENV

# Before the first test emits anything: PySide6 6.12.0 under CPython 3.11 loses a reference to
# None/True per call and would abort the run after a few thousand (see gui/app.py).
apply_qt_workarounds()


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
    """Fail a test that leaves a gui thread running (checked after pytest-qt closed its widgets)."""
    yield
    leaked = [t for t in worker.LIVE_THREADS if worker.thread_running(t)]
    if not leaked:
        return
    names = [t.objectName() for t in leaked]
    for thread in leaked:                       # clean up, so one leak does not fail the next tests too
        stop = getattr(thread, "stop_worker", None)
        if stop is not None:
            stop()
        thread.quit()
        thread.wait(10_000)
    pytest.fail(f"the test left QThreads running: {names}")
