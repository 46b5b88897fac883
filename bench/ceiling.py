"""How fast an epoch could be: the engine against its own matrix products alone.

`python -m bench.ceiling [sizes] [batch]` (default 784,256,256,10 and 256) times one epoch of 20,000
samples three ways, best of five: the engine's training loop, the same loop's stages one by one, and a
bare loop of the five matrix products an epoch needs (forward a = O W per layer; backward ∂E/∂W = Oᵀ δ per
layer and δ Wᵀ below the first), with the same shapes and reused buffers. The last is a ceiling for any
numpy engine on this machine's BLAS: if PyTorch is faster than the ceiling ÷ target, no leaner loop
reaches the target.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from core.network import Network
from core.optimizers import SGD
from core.training import classification_metrics

SAMPLES = 20_000
ROUNDS = 5


def _bare_products(sizes, bs, X, weights):
    outs = [np.empty((bs, b), np.float32) for b in sizes[1:]]
    grads = [np.empty_like(W) for W in weights]
    deltas = [np.empty((bs, b), np.float32) for b in sizes[1:]]
    for d in deltas:
        d.fill(0.01)
    xb = np.empty((bs, sizes[0]), np.float32)
    tic = time.perf_counter()
    for start in range(0, X.shape[0] - bs + 1, bs):
        xb[:] = X[start:start + bs]
        prev = xb
        for W, out in zip(weights, outs):
            np.matmul(prev, W, out=out)
            prev = out
        for i in range(len(weights) - 1, -1, -1):
            np.matmul((xb if i == 0 else outs[i - 1]).T, deltas[i], out=grads[i])
            if i:
                np.matmul(deltas[i], weights[i].T, out=deltas[i - 1])
    return time.perf_counter() - tic


def _stages(net, opt, X, Y, bs, rng):
    """Seconds per stage of one epoch of the engine's loop (the same calls as core.training)."""
    xb = np.empty((bs, X.shape[1]), np.float32)
    yb = np.empty((bs, Y.shape[1]), np.float32)
    order = rng.permutation(X.shape[0])
    spent = dict(gather=0.0, forward=0.0, accuracy=0.0, backward=0.0, update=0.0)
    for start in range(0, X.shape[0] - bs + 1, bs):
        t0 = time.perf_counter()
        rows = order[start:start + bs]
        np.take(X, rows, axis=0, out=xb, mode="clip")
        np.take(Y, rows, axis=0, out=yb, mode="clip")
        t1 = time.perf_counter()
        out = net.forward(xb)
        t2 = time.perf_counter()
        classification_metrics(out, yb)
        t3 = time.perf_counter()
        net.backward(yb, scale=opt.grad_scale)
        t4 = time.perf_counter()
        opt.step(net)
        t5 = time.perf_counter()
        for key, (a, b) in zip(spent, [(t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5)]):
            spent[key] += b - a
    return spent


def main(argv: list[str]) -> None:
    sizes = tuple(int(v) for v in (argv[0] if argv else "784,256,256,10").split(","))
    bs = int(argv[1]) if len(argv) > 1 else 256
    rng = np.random.default_rng(0)
    X = rng.normal(size=(SAMPLES, sizes[0])).astype(np.float32)
    Y = np.eye(sizes[-1], dtype=np.float32)[rng.integers(0, sizes[-1], SAMPLES)]
    net = Network(sizes, ["relu"] * (len(sizes) - 2) + ["softmax"], "cross-entropy", seed=0)
    opt = SGD(0.01)
    bare, staged = [], []
    for _ in range(ROUNDS):
        bare.append(_bare_products(sizes, bs, X, net.weights))
        staged.append(_stages(net, opt, X, Y, bs, rng))
    best_bare = min(bare)
    best = min(staged, key=lambda s: sum(s.values()))
    total = sum(best.values())
    print(f"{'-'.join(map(str, sizes))} bs{bs}, {SAMPLES:,} samples, best of {ROUNDS}")
    print(f"matrix products alone: {best_bare * 1000:.1f} ms = {SAMPLES / best_bare:,.0f} samples/s (the ceiling)")
    print(f"engine loop:           {total * 1000:.1f} ms = {SAMPLES / total:,.0f} samples/s "
          f"({best_bare / total:.2f} of the ceiling)")
    print("  " + ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in best.items()))


if __name__ == "__main__":
    main(sys.argv[1:])
