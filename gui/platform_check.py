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
    missing = _missing_xcb_library()
    if missing:
        return (f"Qt cannot open a window on X11: the system library {missing} is missing. On Debian/Ubuntu: "
                f"sudo apt-get install {' '.join(XCB_PACKAGES)}")
    return None


# What Qt 6's xcb plugin links against beyond a minimal X install (Debian/Ubuntu package names).
XCB_PACKAGES = ("libxcb-cursor0", "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1", "libxcb-render-util0",
                "libxcb-xkb1", "libxkbcommon-x11-0", "libxcb-shape0", "libxcb-randr0", "libxcb-xinerama0")


def _missing_xcb_library() -> str | None:
    """Load Qt's xcb plugin the way Qt would; the loader names the first library it cannot find."""
    if ctypes.util.find_library("xcb-cursor") is None:
        return "libxcb-cursor.so.0"      # Qt checks this one itself before loading the plugin
    try:
        import PySide6
    except ImportError:
        return None
    plugin = os.path.join(os.path.dirname(PySide6.__file__), "Qt", "plugins", "platforms", "libqxcb.so")
    if not os.path.exists(plugin):
        return None
    try:
        ctypes.CDLL(plugin)
    except OSError as exc:
        text = str(exc)
        start = text.find(": ", text.find(plugin) + len(plugin)) + 2 if plugin in text else 0
        return text[start:].split(":")[0].strip() or text
    return None
