"""How narrow fields may get: the window must fit a screen 1024 pixels wide (a 1280 × 720 laptop at 125 %
scaling, a 1366 × 768 one at 133 %)."""

from __future__ import annotations

NARROW_PX = 72


def may_narrow(*widgets, px: int = NARROW_PX) -> None:
    """Let each widget shrink below its content (a combo box then elides its text) when the window is
    small; its size hint, the width it gets when there is room, stays that of its content."""
    for widget in widgets:
        widget.setMinimumWidth(px)
