"""Before Qt starts: say in plain words why a window cannot open, instead of letting Qt abort.

Qt's xcb (X11) plugin needs libxcb-cursor0 since Qt 6.5, and many Linux installs lack it; without it Qt
prints a cryptic plugin error and aborts the process, which no Python code can catch afterwards.
"""

from __future__ import annotations

import ctypes.util
import os
import sys


def window_problem() -> str | None:
    """A one-line explanation when no Qt window can be shown here, else None."""
    if sys.platform != "linux":
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None                      # offscreen, wayland, vnc …: the user chose
    if not platform and os.environ.get("WAYLAND_DISPLAY"):
        return None
    if not os.environ.get("DISPLAY"):
        return ("No display found: run Backprop Studio from a desktop session, under `xvfb-run -a`, "
                "or with QT_QPA_PLATFORM=offscreen for a headless window.")
    if ctypes.util.find_library("xcb-cursor") is None:
        return ("Qt needs the system library libxcb-cursor0 to open a window on X11: install it "
                "(Debian/Ubuntu: sudo apt-get install libxcb-cursor0; Fedora: sudo dnf install xcb-util-cursor).")
    return None
