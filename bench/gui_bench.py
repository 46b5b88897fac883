"""The window's cost on top of the engine, measured in one run (offscreen Qt).

- epochs/s training 784-128-64-10 (bs 64) on a 60,000-row set inside the open window vs the headless
  generator on the same data and settings (target ≥ 0.95×);
- the GUI thread's stalls while it trains: a 5 ms QTimer records how late each tick is (p99 ≤ 30 ms,
  max ≤ 100 ms), in window runs of their own (the probe's own wake-ups would slow the timed ones);
- weight snapshots drawn per second (heatmaps + diagram) while training 784-512-10 (target ≥ 30/s);
- `python main.py` to the first painted window (target ≤ 1.5 s), in fresh processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np

ROWS, FEATURES, CLASSES = 60_000, 784, 10
EPOCHS = 12
PAIRS = 4
STALL_RUNS = 2
PROCESSES = 2


def _dataset(rows=ROWS, features=FEATURES, classes=CLASSES):
    import pandas as pd

    from core.data import build_dataset, from_frame

    rng = np.random.default_rng(0)
    labels = rng.integers(0, classes, rows)
    centres = rng.normal(size=(classes, features)).astype(np.float32)
    X = centres[labels] + rng.normal(size=(rows, features)).astype(np.float32) * 3
    frame = pd.DataFrame(X, columns=[f"p{i}" for i in range(features)])
    frame["label"] = np.array([f"c{k}" for k in range(classes)])[labels]
    return build_dataset(from_frame(frame, "bench"), val_split=0.1, seed=0)


def _headless(ds, hidden, epochs, lr=0.01, bs=64) -> float:
    from core.network import Network
    from core.optimizers import SGD
    from core.training import TrainConfig, train

    net = Network([ds.n_features, *hidden, ds.n_outputs], ["relu"] * len(hidden) + ["softmax"], "cross-entropy")
    last = None
    for last in train(net, SGD(lr), ds.X_train, ds.Y_train, ds.X_val, ds.Y_val,
                      TrainConfig(epochs=epochs, batch_size=bs), task=ds.task):
        pass
    return last.epoch / last.elapsed


def _window_run(app, window, ds, hidden, epochs, lr=0.01, bs=64, probe=True):
    """Train inside the window; returns (epochs/s of pure training, timer lateness list in ms, weight
    snapshots drawn by both the heatmaps and the diagram, wall seconds)."""
    from PySide6.QtCore import QEventLoop, QTimer

    from gui.model import Architecture

    model = window.model
    if model.dataset is not ds:
        model.set_dataset(ds)
    model.edit_architecture(Architecture(hidden=tuple(hidden), hidden_activations=("relu",) * len(hidden)))
    model.update_settings(optimizer="sgd", lr=lr, batch_size=bs, epochs=epochs, target_error=0.0, patience=0)
    # A user looks at the loaded data before pressing Train: let deferred work (data summaries, the
    # decision-boundary grid) finish, so what is measured is training, not loading.
    settle = time.perf_counter() + 1.0
    while time.perf_counter() < settle:
        app.processEvents()
        time.sleep(0.005)
    lateness, last = [], [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        lateness.append(max(0.0, (now - last[0]) * 1000 - 5))
        last[0] = now

    drawn = {"heatmaps": 0, "diagram": 0}
    views = {"heatmaps": (window.weights, "set_weights"), "diagram": (window.network_view, "update_snapshot")}
    for key, (view, name) in views.items():      # count what is drawn, not what arrives
        original = getattr(type(view), name).__get__(view)

        def counted(*args, _key=key, _draw=original, **kwargs):
            drawn[_key] += 1
            return _draw(*args, **kwargs)
        setattr(view, name, counted)
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    if probe:
        timer.start()
    loop = QEventLoop()
    window.controller.finished.connect(loop.quit)
    tic = time.perf_counter()
    window.controller.train()
    if window.controller.active:
        loop.exec()                          # the GUI thread runs as it does under app.exec()
    window.controller.finished.disconnect(loop.quit)
    wall = time.perf_counter() - tic
    timer.stop()
    for _ in range(10):
        app.processEvents()
    for view, name in views.values():
        delattr(view, name)
    h = window.controller.history
    return h.last_epoch / float(h.elapsed[-1]), lateness, min(drawn.values()), wall


def _startup_seconds(repeats=3, until="paint") -> float:
    """Fresh `python main.py` processes, timed to the window's first paint (until="paint") or to the
    default example loaded and drawn, ready to train (until="ready"); best of `repeats`."""
    code = r"""
import sys, time
t0, until = float(sys.argv[1]), sys.argv[2]
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
class Watch(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
            if until == "paint" or obj.model.dataset is not None:
                print(time.time() - t0, flush=True)
                app.removeEventFilter(self)
                QTimer.singleShot(0, app.quit)
            elif until == "ready":
                QTimer.singleShot(0, obj.update)       # paint again until the example is there
        return False
f = Watch(); app.installEventFilter(f)
sys.argv = ["main.py"]
import main
main.main([])
"""
    best = float("inf")
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code, repr(time.time()), until], capture_output=True,
                             text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=60)
        lines = [line for line in out.stdout.splitlines() if line.strip()]
        if lines:
            best = min(best, float(lines[-1]))
    return best


def _open_window():
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["BACKPROP_STUDIO_SETTINGS"] = os.path.join(tempfile.mkdtemp(), "settings.ini")
    from PySide6.QtWidgets import QApplication

    from gui.app import apply_qt_workarounds, create_window

    apply_qt_workarounds()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = create_window()
    window.resize(1600, 1000)
    window.show()
    app.processEvents()
    return app, window


def _ratio_child() -> None:
    """One process's share of the window/headless comparison, printed as JSON.

    This VM's speed drifts by up to 1.5× over minutes, and the same comparison differs by up to 10 %
    from one process to the next: each window run is compared with the headless runs just before and
    after it, in PROCESSES fresh processes; the lower of the processes' medians is the verdict."""
    import json

    ds = _dataset()
    app, window = _open_window()
    headless, windowed = [_headless(ds, (128, 64), EPOCHS)], []
    for _ in range(PAIRS):
        eps, _, _, _ = _window_run(app, window, ds, (128, 64), EPOCHS, probe=False)
        windowed.append(eps)
        headless.append(_headless(ds, (128, 64), EPOCHS))
    ratios = [w / ((before + after) / 2) for w, before, after in zip(windowed, headless, headless[1:])]
    # The stall probe wakes the GUI thread 200 times a second, which alone costs training ~4 %: it is
    # the instrument, not the window, so stalls are measured in runs of their own.
    lateness = []
    for _ in range(STALL_RUNS):
        lateness.extend(_window_run(app, window, ds, (128, 64), EPOCHS)[1])
    window.project.mark_clean()
    window.close()
    print(json.dumps({"ratios": ratios, "headless": headless, "windowed": windowed, "lateness": lateness}))


def main() -> list[tuple[str, bool, str]]:
    import json

    print("\n## Window: training inside the studio vs headless (offscreen Qt, 60,000 × 784, 784-128-64-10 bs64)")
    runs = []
    for _ in range(PROCESSES):
        out = subprocess.run([sys.executable, "-m", "bench.gui_bench", "--ratio-child"], capture_output=True,
                             text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=600)
        lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
        if not lines:
            raise RuntimeError(f"the window benchmark process failed:\n{out.stderr[-2000:]}")
        runs.append(json.loads(lines[-1]))
    lateness = [t for run in runs for t in run["lateness"]]
    # The verdict takes the lower of the processes' medians: one process often shows ratios above 1,
    # which no window can reach — the VM slowed its headless runs — so the higher figure is not trusted.
    ratio = float(min(np.median(run["ratios"]) for run in runs))
    best_headless = float(np.median([h for run in runs for h in run["headless"]]))
    best_window = float(np.median([w for run in runs for w in run["windowed"]]))
    p99, worst = float(np.percentile(lateness, 99)), float(np.max(lateness))
    per_process = " | ".join(", ".join(f"{r:.3f}" for r in run["ratios"]) for run in runs)
    print(f"headless {best_headless:.3f} epochs/s · window {best_window:.3f} epochs/s (medians) · "
          f"ratio {ratio:.3f} (lower of the per-process medians; pairs: {per_process})")
    print(f"GUI-thread 5 ms timer lateness: p50 {np.percentile(lateness, 50):.1f} ms, p99 {p99:.1f} ms, "
          f"max {worst:.1f} ms over {len(lateness)} ticks")

    app, window = _open_window()
    # Small enough that epochs outpace 30/s: the limit measured is drawing, not training.
    ds_small = _dataset(rows=1_000)
    small_headless = _headless(ds_small, (512,), 300, bs=256)
    small_window, _, drawn, wall = _window_run(app, window, ds_small, (512,), 300, bs=256)
    rate = drawn / wall
    print(f"784-512-10 on 1,000 rows: heatmaps and diagram both redrawn {drawn} times in {wall:.1f} s = "
          f"{rate:.1f}/s, training meanwhile at {small_window / small_headless:.2f}× headless "
          f"({small_window:.0f} vs {small_headless:.0f} epochs/s)")
    window.project.mark_clean()              # no "save changes?" prompt with nobody to answer it
    window.close()
    app.processEvents()

    startup = _startup_seconds()
    ready = _startup_seconds(until="ready")
    print(f"`python main.py` to first painted window: {startup:.2f} s; to the default example drawn and ready "
          f"to train: {ready:.2f} s (best of 3 fresh processes each)")
    return [
        ("training in the open window ≥ 0.95× headless epochs/s", ratio >= 0.95, f"{ratio:.3f}×"),
        ("GUI-thread stall p99 ≤ 30 ms", p99 <= 30, f"{p99:.1f} ms"),
        ("GUI-thread stall max ≤ 100 ms", worst <= 100, f"{worst:.1f} ms"),
        ("784×512 heatmap + diagram refreshes ≥ 30/s", rate >= 30, f"{rate:.1f}/s"),
        ("python main.py to first painted window ≤ 1.5 s", startup <= 1.5, f"{startup:.2f} s"),
    ]


if __name__ == "__main__":
    if "--ratio-child" in sys.argv:
        _ratio_child()
        sys.exit(0)
    for target, ok, measured in main():
        print(f"{'PASS' if ok else 'FAIL'}  {target}: {measured}")
