"""Files shipped with Backprop Studio (example CSVs, icons, style sheets).

Always locate them through :func:`path`, so nothing depends on the current directory.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent


def path(name: str) -> Path:
    """The Path of resource file ``name`` (e.g. ``path("iris.csv")``); FileNotFoundError if it is missing."""
    p = ROOT / name
    if not p.exists():
        raise FileNotFoundError(f"Resource '{name}' is missing from {ROOT}.")
    return p
