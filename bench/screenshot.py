"""`python -m bench.screenshot docs/screenshot.png`: the studio training its default example, as a PNG.

Runs offscreen (no display needed), with a throw-away settings file so the picture never depends on
the user's saved layout, trains for a few seconds while processing events, then grabs the window.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

TRAIN_SECONDS = 4.0
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
        window.show()
        app.processEvents()
        window.controller.train()
        deadline = time.monotonic() + TRAIN_SECONDS
        while time.monotonic() < deadline and window.controller.active:
            app.processEvents()
            time.sleep(0.005)
        window.controller.pause()            # freeze the picture on a mid-run state
        for _ in range(20):                  # let the last reports and the 30 fps redraw land
            app.processEvents()
            time.sleep(0.01)
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        ok = window.grab().save(out)
        epoch = window.controller.history.last_epoch
        window.close()
        app.processEvents()
    print(f"{'wrote' if ok else 'FAILED to write'} {out} ({epoch} epochs trained)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
