"""`make bench`: every benchmark in one run, then one PASS/FAIL line per target.

Each section prints its own table of our figure, each peer's figure and the ratio; the verdicts are
ratios measured in this same run, never absolute times.
"""

from __future__ import annotations

import importlib
import sys
import time

SECTIONS = ["bench.engine", "bench.bench_data", "bench.gui_bench", "bench.soak"]


def main() -> int:
    import numpy as np
    try:
        from threadpoolctl import threadpool_info
        blas = ", ".join(f"{i['internal_api']} {i.get('version')} ({i.get('architecture')}, {i['num_threads']} threads)"
                         for i in threadpool_info())
    except ImportError:
        blas = "threadpoolctl not installed"
    print(f"# Backprop Studio benchmarks — {time.strftime('%Y-%m-%d %H:%M')} — numpy {np.__version__}; BLAS: {blas}")
    verdicts = []
    for name in SECTIONS:
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            print(f"\n## {name}: not available ({exc})")
            continue
        verdicts += module.main() or []
    print("\n## Targets")
    for target, ok, measured in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}  {target}: {measured}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
