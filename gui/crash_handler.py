"""Last line of defence: an unexpected exception anywhere becomes a log entry and a dialog, not a crash.

Errors users can cause arrive as core.errors.BackpropError and are shown where they happen; this handler
is for bugs. It writes the traceback to a log file in the user's data folder and shows a small dialog
with the one-line summary and a "Copy details" button; the window keeps running.
"""

from __future__ import annotations

import datetime
import html
import sys
import threading
import traceback
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import (QApplication, QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton,
                               QVBoxLayout)

LOG_NAME = "backprop-studio.log"
MAX_LOG_BYTES = 1_000_000
MAX_DIALOGS = 3          # a bug in a paint event would otherwise open a dialog per frame


def log_path() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    return Path(base or Path.home() / ".backprop-studio") / "logs" / LOG_NAME


def write_log(details: str) -> Path | None:
    """Append to the log (starting it afresh past MAX_LOG_BYTES); never raises."""
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = "w" if path.exists() and path.stat().st_size > MAX_LOG_BYTES else "a"
        with open(path, mode, encoding="utf-8") as f:
            f.write(f"--- {datetime.datetime.now().isoformat(timespec='seconds')}\n{details}\n")
        return path
    except OSError:
        return None


class CrashDialog(QDialog):
    def __init__(self, summary: str, details: str, log: Path | None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Something went wrong")
        self.details = details
        text = QLabel(f"<b>Backprop Studio hit an unexpected error</b> and carried on:<br>{html.escape(summary)}"
                      f"<br><br>Your data and network are unchanged. "
                      + (f"Details were saved to {html.escape(str(log))}." if log else ""))
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_box = QPlainTextEdit(details)
        self.details_box.setReadOnly(True)
        self.details_box.setVisible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy details")
        self.copy_button.clicked.connect(self.copy_details)
        show = QPushButton("Show details")
        show.setCheckable(True)
        show.toggled.connect(self.details_box.setVisible)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(show, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.details_box)
        layout.addWidget(buttons)
        self.resize(520, 200)

    def copy_details(self):
        QApplication.clipboard().setText(self.details)


class CrashHandler(QObject):
    """Installed once per application; `reported` carries (summary, details) to the GUI thread."""

    reported = Signal(str, str)

    def __init__(self, parent=None, show_dialogs: bool = True):
        super().__init__(parent)
        self.show_dialogs = show_dialogs
        self.count = 0
        self.dialogs_shown = 0
        self.last_dialog: CrashDialog | None = None
        self._previous = (sys.excepthook, threading.excepthook)
        self.reported.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> "CrashHandler":
        sys.excepthook = self.handle
        threading.excepthook = lambda args: self.handle(args.exc_type, args.exc_value, args.exc_traceback)
        return self

    def uninstall(self) -> None:
        sys.excepthook, threading.excepthook = self._previous

    def handle(self, exc_type, exc_value, exc_tb) -> None:
        if exc_type is KeyboardInterrupt:
            QApplication.quit()
            return
        details = "".join(traceback.format_exception(exc_type, exc_value, exc_tb))
        summary = f"{exc_type.__name__}: {exc_value}".strip()
        print(details, file=sys.stderr)
        self.count += 1
        self.log = write_log(details)
        self.reported.emit(summary, details)     # queued: safe from any thread

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        if not self.show_dialogs or self.dialogs_shown >= MAX_DIALOGS:
            return
        app = QApplication.instance()
        if app is None or QThread.currentThread() is not app.thread():
            return
        self.dialogs_shown += 1
        parent = app.activeWindow()
        self.last_dialog = CrashDialog(summary, details, getattr(self, "log", None), parent)
        self.last_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_dialog.show()


def install(app: QApplication, show_dialogs: bool = True) -> CrashHandler:
    handler = CrashHandler(app, show_dialogs=show_dialogs).install()
    app.crash_handler = handler
    return handler
