"""Soak: a long run with the window open must not grow the process's memory.

    python -m bench.soak [--epochs 1000000] [--example xor]

Opens the studio window (offscreen), trains the example for N epochs while the event loop runs — every
view redrawing as it does for a user — and reads the resident set size (VmRSS from /proc/self/status)
before training, at every 10 % of the epochs and after the run. Target (issue 7): growth ≤ 50 MB over
10^6 epochs of XOR, part of `make bench`. Not a test: it takes about a minute, and memory figures are for
reading, not for gating CI on.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time

GROWTH_LIMIT_MB = 50.0


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux); NaN where /proc is missing."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def soak(epochs: int = 1_000_000, example: str = "xor", out=sys.stdout) -> dict:
    """Train `epochs` epochs in the window; returns the memory samples and the run's figures."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from gui.app import apply_qt_workarounds, create_window

    apply_qt_workarounds()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = create_window(example=example)
    window.show()
    controller, model = window.controller, window.model
    model.update_settings(epochs=epochs, target_error=0.0, patience=0)
    for _ in range(20):
        app.processEvents()
    gc.collect()
    samples = [(0, rss_mb())]
    print(f"{'epoch':>10} {'RSS MB':>9} {'Δ MB':>8} {'epochs/s':>10}", file=out)
    print(f"{0:>10,} {samples[0][1]:>9.1f} {0.0:>8.1f} {'':>10}", file=out)

    marks = [epochs * k // 10 for k in range(1, 11)]

    def sample(*_):
        done = controller.history.last_epoch
        while marks and done >= marks[0]:
            samples.append((marks.pop(0), rss_mb()))
            epoch, mb = samples[-1]
            rate = done / (time.perf_counter() - start)
            print(f"{epoch:>10,} {mb:>9.1f} {mb - samples[0][1]:>8.1f} {rate:>10,.0f}", file=out, flush=True)

    # The application's own event loop, as for a user: no hand-written processEvents loop.
    loop = QEventLoop()
    controller.reportsArrived.connect(sample)
    controller.finished.connect(loop.quit)
    start = time.perf_counter()
    QTimer.singleShot(0, window.act_train.trigger)
    loop.exec()
    controller.reportsArrived.disconnect(sample)
    seconds = time.perf_counter() - start
    QTimer.singleShot(500, loop.quit)       # the last redraws the rate limiters still owe
    loop.exec()
    gc.collect()
    end = rss_mb()
    samples.append((controller.history.last_epoch, end))
    print(f"{'end':>10} {end:>9.1f} {end - samples[0][1]:>8.1f}   (after the run, gc.collect)", file=out)
    result = {"epochs": controller.history.last_epoch, "seconds": seconds, "samples": samples,
              "growth_mb": end - samples[0][1], "peak_growth_mb": max(mb for _, mb in samples) - samples[0][1],
              "history_kb": controller.history.nbytes / 1024}
    project = getattr(window, "project", None)
    if project is not None:
        project.mark_clean()    # nothing to save: closing must not wait on the Save/Discard prompt
    window.close()
    window.deleteLater()
    app.processEvents()
    return result


def main(argv=None) -> list[tuple[str, bool, str]]:
    """Prints the memory table; returns (target, passed, measured) for `make bench`'s summary."""
    p = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=1_000_000)
    p.add_argument("--example", default="xor")
    args = p.parse_args([] if argv is None and __name__ != "__main__" else argv)
    print(f"\n## Soak: {args.epochs:,} epochs of {args.example} with the window open (offscreen), resident memory")
    r = soak(args.epochs, args.example)
    print(f"{r['epochs']:,} epochs in {r['seconds']:.1f} s ({r['epochs'] / r['seconds']:,.0f} epochs/s); "
          f"history holds {r['history_kb']:,.0f} KB; peak growth {r['peak_growth_mb']:.1f} MB")
    ok = r["epochs"] == args.epochs and r["growth_mb"] <= GROWTH_LIMIT_MB
    return [(f"soak {args.epochs:,} epochs: RSS growth ≤ {GROWTH_LIMIT_MB:.0f} MB", ok,
             f"{r['growth_mb']:+.1f} MB ({r['samples'][0][1]:.0f} → {r['samples'][-1][1]:.0f} MB)")]


if __name__ == "__main__":
    verdicts = main(sys.argv[1:])
    for target, ok, measured in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}  {target}: {measured}")
    sys.exit(0 if all(ok for _, ok, _ in verdicts) else 1)
