"""Benchmark: load a 60,000 × 785 numeric CSV (~170 MB) with core.data vs plain pandas.read_csv.

    python bench/bench_data.py [--rows 60000] [--cols 784] [--repeat 3] [--keep DIR]

Generates an MNIST-shaped file (784 integer "pixel" columns 0-255 and a 0-9 label) in a temporary folder,
then times, in fresh interleaved subprocesses so neither side inherits the other's heap:

* pandas: ``pandas.read_csv(path)`` (int64 frame, nothing else);
* studio: ``core.data.load_csv(path)`` (sniff, chunked float32 parse, column typing, stratified split,
  standardisation fitted on train, one-hot labels).

Peak memory is the process's VmHWM (from /proc/self/status) minus its resident size just before the load,
so interpreter and library imports are not counted. Targets (issue 3): studio time ≤ 1.1 × pandas time
(best of the repeats), studio peak ≤ 3 × the bytes of the float32 arrays it returns.
Benchmarks are not tests: this prints ratios and PASS/FAIL lines and never gates CI.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
sys.path.insert(0, {root!r})
import numpy as np, pandas as pd
import core.data

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    return 0

mode, path = sys.argv[1], sys.argv[2]
before = status("VmRSS")
t0 = time.perf_counter()
if mode == "pandas":
    df = pd.read_csv(path)
    result = int(df.memory_usage(index=False).sum())
    shape = list(df.shape)
else:
    d = core.data.load_csv(path)
    arrays = (d.X_train, d.Y_train, d.X_val, d.Y_val, d.X_test, d.Y_test)
    result = sum(a.nbytes for a in arrays)
    shape = [d.n_train + d.n_val + d.n_test, d.n_features + d.n_outputs]
elapsed = time.perf_counter() - t0
print(json.dumps({{"time": elapsed, "peak": status("VmHWM") - before, "result": result, "shape": shape}}))
"""


def generate(path: Path, rows: int, cols: int, seed: int = 0) -> None:
    """Write ``rows`` × (``cols`` + 1) integers: pixel-like 0-255 values and a 0-9 label column."""
    import numpy as np

    rng = np.random.default_rng(seed)
    tokens = np.array([str(i) for i in range(256)], dtype=object)
    with open(path, "w", newline="") as f:
        f.write(",".join([f"px{i}" for i in range(cols)] + ["label"]) + "\n")
        for start in range(0, rows, 2000):
            block = rng.integers(0, 256, (min(2000, rows - start), cols + 1))
            block[:, -1] %= 10
            f.write("\n".join(",".join(r) for r in tokens[block].tolist()) + "\n")


def run_child(mode: str, path: Path) -> dict:
    code = CHILD.format(root=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code, mode, str(path)], capture_output=True, text=True,
                         check=True, cwd=str(ROOT))
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> list[tuple[str, bool, str]]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=60_000)
    ap.add_argument("--cols", type=int, default=784)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, default=None, help="folder to keep (and reuse) the generated CSV")
    args = ap.parse_args([] if argv is None else argv)
    print("\n## CSV loading vs plain pandas.read_csv (fresh subprocess per run, interleaved)")

    with tempfile.TemporaryDirectory(prefix="bench_data_") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"pixels_{args.rows}x{args.cols + 1}.csv"
        if not path.exists():
            t0 = time.perf_counter()
            generate(path, args.rows, args.cols)
            print(f"generated {path.name}: {path.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - t0:.1f} s")
        runs: dict[str, list[dict]] = {"pandas": [], "studio": []}
        for i in range(args.repeat):
            order = ("pandas", "studio") if i % 2 == 0 else ("studio", "pandas")
            for mode in order:
                runs[mode].append(run_child(mode, path))

    best = {m: min(r["time"] for r in rs) for m, rs in runs.items()}
    peak = {m: max(r["peak"] for r in rs) for m, rs in runs.items()}
    result = {m: rs[0]["result"] for m, rs in runs.items()}
    print(f"\n{'':8} {'best s':>8} {'all runs s':>24} {'peak MB':>9} {'result MB':>10} {'peak/result':>12}")
    for m, rs in runs.items():
        times = " ".join(f"{r['time']:.2f}" for r in rs)
        print(f"{m:8} {best[m]:8.2f} {times:>24} {peak[m] / 2**20:9.0f} {result[m] / 2**20:10.0f} "
              f"{peak[m] / result[m]:12.2f}")
    ratio = best["studio"] / best["pandas"]
    mem = peak["studio"] / result["studio"]
    print(f"\ntime studio/pandas = {ratio:.2f} (target ≤ 1.10)")
    print(f"peak studio/float32 result = {mem:.2f} (target ≤ 3.00)")
    return [("CSV 60,000×785 load time ≤ 1.1× pandas.read_csv", ratio <= 1.10, f"{ratio:.2f}×"),
            ("CSV load peak memory ≤ 3× the float32 result", mem <= 3.0, f"{mem:.2f}×")]


if __name__ == "__main__":
    for target, ok, measured in main(sys.argv[1:]):
        print(f"{'PASS' if ok else 'FAIL'}  {target}: {measured}")
