"""Start the studio: `run()` is what `python main.py` (no subcommand) calls."""

from __future__ import annotations

import ctypes
import sys

DEFAULT_EXAMPLE = "spiral"    # learns visibly within a few seconds with its default network


def apply_qt_workarounds() -> None:
    """Work around PySide6 6.12.0 returning None / True / False from C++ calls without a new reference.

    pyproject excludes 6.12 (tests/gui/test_qt_binding.py guards it); this covers an environment that
    has it anyway.

    Seen with the 6.12.0 wheels on CPython 3.11: every void method (label.setText), every
    SignalInstance.emit (returns True) and bool getters take one reference away from None / True / False,
    and after a few thousand calls the interpreter aborts with "none_dealloc" or "bool_dealloc".
    6.11.x does not do this, and on CPython >= 3.12 these objects are immortal, so nothing breaks there.
    The bug is detected, not assumed from version numbers; when present, the three singletons get a
    reference count no number of calls can use up — what 3.12 does for everyone.
    """
    if sys.version_info >= (3, 12) or getattr(apply_qt_workarounds, "done", False):
        return
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    calls = 16
    checks = ((None, lambda: probe.setObjectName("probe")), (True, probe.ping.emit),
              (False, probe.signalsBlocked))
    for obj, call in checks:
        before = sys.getrefcount(obj)
        for _ in range(calls):
            call()
        if before - sys.getrefcount(obj) >= calls:
            for singleton in (None, True, False):
                ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 40
            break
    apply_qt_workarounds.done = True


class GuiThreadGarbageCollector:
    """Python's cycle collector runs in whichever thread crosses the allocation threshold; run in a
    training or loading thread it can destroy QObjects of the GUI thread caught in reference cycles,
    from the wrong thread — a known way for PySide/PyQt programs to crash (napari #1029; pyqtgraph and
    calibre pin it the same way). So automatic collection is off and this timer, in the GUI thread,
    collects each generation when it is over its threshold, as the automatic collector would."""

    def __init__(self, interval_ms: int = 500):
        import gc

        from PySide6.QtCore import QTimer

        self._threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer()
        self.timer.timeout.connect(self.collect)
        self.timer.start(interval_ms)

    def collect(self) -> None:
        import gc

        counts = gc.get_count()
        for generation in (2, 1, 0):
            if all(counts[g] > self._threshold[g] for g in range(generation + 1)):
                gc.collect(generation)
                return

    def stop(self) -> None:
        import gc

        self.timer.stop()
        gc.enable()


def create_window(path: str | None = None, example: str | None = None, settings=None, *, open_now: bool = True):
    """The main window with `path` (a CSV, loaded in the background) or a built-in example; with
    open_now=False, an empty window: call open_initial() to fill it."""
    import pyqtgraph as pg

    from gui.main_window import MainWindow
    from gui.model import StudioModel

    apply_qt_workarounds()
    pg.setConfigOptions(antialias=False, foreground="#303030")
    window = MainWindow(StudioModel(), settings=settings)
    if open_now:
        open_initial(window, path, example)
    return window


def open_initial(window, path: str | None = None, example: str | None = None) -> None:
    """Open what the command line asked for: a file, an example, or the default example."""
    if path:
        # the default example underneath: a file that cannot be read leaves a studio ready to use, with the
        # reason on show, not an empty one
        window.load_example(DEFAULT_EXAMPLE)
        window.project.start_with_next_data()
        window.open_path(path)
    elif not window.load_example(example or DEFAULT_EXAMPLE):
        error = window.message_bar.text()           # an unknown name: show something useful, and say so
        window.load_example(DEFAULT_EXAMPLE)
        window.show_message(error, "error")
    elif example is None:
        # the example a plain start opens sets its own η and epochs: the user's last settings win, and are
        # no edit of the untitled example (closing asked to save it, which hung make bench's start-up timing)
        was_dirty = window.project.dirty
        window.model.update_settings(**window.restored_settings)
        if not was_dirty:
            window.project.mark_clean()
    if not window.settings.isWritable():
        # said once, at the start: otherwise every preference of the session is lost without a word
        window.show_message(f"Settings cannot be saved ({window.settings.fileName()} is read-only): recent files, "
                            "the window's layout and the training settings will not be remembered.", "warning")


def after_first_paint(window, callback, fallback_ms: int = 1000) -> None:
    """Call `callback` once, right after the window's first paint (or after `fallback_ms` if it never
    paints, e.g. started minimised).

    Start-up shows the window first and fills it after: building the example (pandas, the network, every
    view's first drawing) took ~0.5 s that the user otherwise spent looking at nothing."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                run_once()
            return False

    done = []

    def run_once():
        if done:
            return
        done.append(True)
        window.removeEventFilter(watcher)
        QTimer.singleShot(0, callback)        # after this paint has reached the screen

    watcher = FirstPaint(window)
    window.installEventFilter(watcher)
    QTimer.singleShot(fallback_ms, run_once)


def run(path: str | None = None, example: str | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    from gui.main_window import APPLICATION, ORGANIZATION

    apply_qt_workarounds()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    from gui.crash_handler import install
    install(app)                 # a bug becomes a logged dialog, not a dead window (not in tests: they
                                 # want pytest-qt to turn an exception in a slot into a failure)
    collector = GuiThreadGarbageCollector()     # noqa: F841  (kept alive until exec returns)
    window = create_window(path, example, open_now=False)
    if not path:
        window.show_message(f"Opening the {example or DEFAULT_EXAMPLE} example…")
    after_first_paint(window, lambda: open_initial(window, path, example))
    window.show()
    return app.exec()
