"""`python -m bench.screenshot docs/screenshot.png`: the studio training its default example, as a PNG.

Runs offscreen (no display needed), with a throw-away settings file so the picture never depends on
the user's saved layout, trains the default example to its end (a few seconds) while processing events,
lets the rate-limited views draw the last state, then grabs the window.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

MAX_TRAIN_SECONDS = 30.0
SETTLE_SECONDS = 0.5          # longer than the slowest view's redraw interval
SIZE = (1600, 1000)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = argv[0] if argv else "docs/screenshot.png"
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["BACKPROP_STUDIO_SETTINGS"] = os.path.join(tmp, "settings.ini")
        from PySide6.QtWidgets import QApplication

        from gui.app import apply_qt_workarounds, create_window

        apply_qt_workarounds()
        app = QApplication.instance() or QApplication(sys.argv[:1])
        window = create_window()
        window.resize(*SIZE)
        boundary = getattr(window.output_panel, "boundary", None)
        if boundary is not None:                 # the spiral's decision boundary says more than a table
            window.output_panel.tabs.setCurrentWidget(boundary)
        window.show()
        app.processEvents()
        window.controller.train()
        deadline = time.monotonic() + MAX_TRAIN_SECONDS
        while time.monotonic() < deadline and window.controller.active:
            app.processEvents()
            time.sleep(0.005)
        window.controller.pause()            # only if it is still running after MAX_TRAIN_SECONDS
        settle = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < settle:
            app.processEvents()
            time.sleep(0.01)
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        ok = window.grab().save(out)
        epoch = window.controller.history.last_epoch
        window.project.mark_clean()          # no "save changes?" prompt with nobody to answer it
        window.close()
        app.processEvents()
    print(f"{'wrote' if ok else 'FAILED to write'} {out} ({epoch} epochs trained)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
