"""An in-window, dismissible message bar (info / warning / error), like an IDE's notification strip.

Errors users can cause are shown here as one plain line instead of a dialog that interrupts the work.
Info messages fade out by themselves; warnings and errors stay until dismissed or replaced.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QStyle, QToolButton

INFO_TIMEOUT_MS = 8000

_STYLES = {
    "info": ("#e8f1fb", "#9cbde6", QStyle.StandardPixmap.SP_MessageBoxInformation),
    "warning": ("#fff6dd", "#e6c56a", QStyle.StandardPixmap.SP_MessageBoxWarning),
    "error": ("#fde7e7", "#e59a9a", QStyle.StandardPixmap.SP_MessageBoxCritical),
}


class MessageBar(QFrame):
    dismissed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("MessageBar")
        self.level = ""
        self._icon = QLabel()
        self._text = QLabel()
        self._text.setTextFormat(Qt.TextFormat.PlainText)   # messages quote file, column and class names
        self._text.setWordWrap(True)
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self._icon)
        layout.addWidget(self._text, 1)
        layout.addWidget(close)
        self._timer = QTimer(self, singleShot=True, interval=INFO_TIMEOUT_MS)
        self._timer.timeout.connect(self.dismiss)
        self.hide()

    def text(self) -> str:
        """The message on show ('' once dismissed)."""
        return self._text.text()

    def show_message(self, text: str, level: str = "info") -> None:
        background, border, icon = _STYLES.get(level, _STYLES["info"])
        self.level = level
        self.setStyleSheet(f"#MessageBar {{ background: {background}; border: 1px solid {border}; "
                           f"border-radius: 3px; }} QLabel {{ color: #202020; }}")
        self._icon.setPixmap(self.style().standardIcon(icon).pixmap(16, 16))
        self._text.setText(text)
        self.show()
        if level == "info":
            self._timer.start()
        else:
            self._timer.stop()

    def dismiss(self) -> None:
        self._timer.stop()
        self.level = ""
        self._text.clear()
        self.hide()
        self.dismissed.emit()
