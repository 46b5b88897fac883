"""C ← α·Aᵀ·B + β·C in one call of the BLAS numpy already uses: numpy's matmul can only overwrite C.

The training loop's SGD step W ← (1 − ηλ)·W − η·Oᵀδ done this way needs no gradient buffer and no second
pass over W; with two BLAS threads each one updates the half of W it computed, where a numpy update read
both halves from one core. Found through threadpoolctl (the OpenBLAS library numpy loaded, its symbol names
and integer width); any other BLAS, no threadpoolctl, or a self-check that disagrees with numpy, and
`accumulator(dtype)` is None: callers then compute the gradient with numpy, as before.
"""

from __future__ import annotations

import ctypes
import itertools

import numpy as np

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
_UNSET = object()
_resolved: dict = {}


def accumulator(dtype):
    """A function f(A, B, C, alpha, beta) computing C ← alpha·Aᵀ·B + beta·C in place for C-contiguous 2-D
    arrays A (k, m), B (k, n), C (m, n) of `dtype` (float32 or float64), or None where that is not on offer."""
    dtype = np.dtype(dtype)
    found = _resolved.get(dtype, _UNSET)
    if found is _UNSET:
        try:
            found = _checked(_load(dtype), dtype)
        except Exception:  # noqa: BLE001 - a speed-up must never stop training
            found = None
        _resolved[dtype] = found
    return found


def _load(dtype):
    if dtype not in (np.float32, np.float64):
        return None
    from threadpoolctl import ThreadpoolController

    for lib in ThreadpoolController().lib_controllers:
        if lib.internal_api != "openblas" or lib.dynlib is None:
            continue
        letter = "s" if dtype == np.float32 else "d"
        for prefix, suffix in itertools.product(("", "scipy_"), ("", "64_", "_64")):
            gemm = getattr(lib.dynlib, f"{prefix}cblas_{letter}gemm{suffix}", None)
            if gemm is None:
                continue
            blas_int = ctypes.c_int64 if suffix or _built_64bit(lib.dynlib, prefix) else ctypes.c_int32
            return _bind(gemm, blas_int, ctypes.c_float if letter == "s" else ctypes.c_double)
    return None


def _built_64bit(dynlib, prefix: str) -> bool:
    """Whether an OpenBLAS without a suffix on its symbols takes 64-bit integers (built INTERFACE64)."""
    get_config = getattr(dynlib, f"{prefix}openblas_get_config", None)
    if get_config is None:
        raise LookupError("OpenBLAS does not say how it was built")
    get_config.restype = ctypes.c_char_p
    return b"USE64BITINT" in (get_config() or b"")


def _bind(gemm, blas_int, scalar):
    gemm.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int, blas_int, blas_int, blas_int, scalar,
                     ctypes.c_void_p, blas_int, ctypes.c_void_p, blas_int, scalar, ctypes.c_void_p, blas_int]
    gemm.restype = None

    def accumulate(A, B, C, alpha, beta):
        k, m = A.shape
        n = B.shape[1]
        if not (A.flags.c_contiguous and B.flags.c_contiguous and C.flags.c_contiguous
                and B.shape[0] == k and C.shape == (m, n) and A.dtype == B.dtype == C.dtype):
            raise ValueError("accumulate needs C-contiguous arrays of one dtype, shaped (k, m), (k, n), (m, n)")
        if k == 0:
            C *= beta
            return
        # ctypes releases the GIL for the call, as numpy's matmul does
        gemm(_ROW_MAJOR, _TRANS, _NO_TRANS, m, n, k, alpha, A.ctypes.data, m, B.ctypes.data, n, beta,
             C.ctypes.data, n)
    return accumulate


def _checked(accumulate, dtype):
    """`accumulate` if it computes what numpy does on a small product, else None."""
    if accumulate is None:
        return None
    rng = np.random.default_rng(0)
    A, B, C = (rng.standard_normal(shape).astype(dtype) for shape in ((7, 3), (7, 5), (3, 5)))
    expected = 0.5 * C - 2.0 * (A.T @ B)
    accumulate(A, B, C, -2.0, 0.5)
    return accumulate if np.allclose(C, expected, rtol=1e-4, atol=1e-5) else None
