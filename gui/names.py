"""Users' names (columns, classes) shortened to fit a label, still telling each other apart."""

from __future__ import annotations

import os


def shortened(name: str, chars: int) -> str:
    return name if len(name) <= chars else name[: chars - 1] + "…"


_WORD_ENDS = " _-.,;:/|()[]"


def distinct_shortened(names, shorten) -> list[str]:
    """`shorten` applied to each name; where that makes different names look the same, the words they
    all share at the start and the end are left out first ("Very long species name number 7 of the genus
    Examplea" … "number 8 …" → "…7…", "…8…"), as a reader needs what tells them apart."""
    names = [str(name) for name in names]
    labels = [shorten(name) for name in names]
    if len(set(labels)) == len(set(names)) or len(names) < 2:
        return labels
    prefix = os.path.commonprefix(names)
    suffix = os.path.commonprefix([name[::-1] for name in names])[::-1]
    # whole words only: "item 12" / "item 13" share "item 1", but the 1 belongs to the number
    while prefix and prefix[-1] not in _WORD_ENDS:
        prefix = prefix[:-1]
    while suffix and suffix[0] not in _WORD_ENDS:
        suffix = suffix[1:]
    shortest = min(len(name) for name in names)
    if len(prefix) + len(suffix) > shortest:           # one name is the shared part itself
        suffix = ""
    if len(prefix) > shortest:
        prefix = ""
    if not prefix and not suffix:
        return labels
    cores = [name[len(prefix):len(name) - len(suffix)] for name in names]
    distinct = [shorten(("…" if prefix else "") + core + ("…" if suffix else "")) for core in cores]
    return distinct if len(set(distinct)) > len(set(labels)) else labels


def neuron_names(model, sizes=None) -> list[list[str]]:
    """Display names per layer of `sizes` (by default model.network's): features for the inputs,
    h<layer>.<k> for hidden neurons, classes, P(class) or targets for the outputs. Every view — diagram,
    heatmaps, Inspector, boundary — names neurons with these."""
    if sizes is None:
        if model.network is None:
            return []
        sizes = model.network.layer_sizes
    dataset = model.dataset
    inputs = [str(s) for s in (getattr(dataset, "feature_names", None) or [])]
    if len(inputs) != sizes[0]:
        inputs = [f"x{k + 1}" for k in range(sizes[0])]
    outputs = [str(s) for s in (getattr(dataset, "class_names", None) or [])]
    if sizes[-1] == 1 and len(outputs) == 2:
        outputs = [f"P({outputs[1]})"]          # one sigmoid unit: the probability of the second class
    if len(outputs) != sizes[-1]:
        outputs = [str(s) for s in (getattr(dataset, "output_names", None) or [])]
    if len(outputs) != sizes[-1]:
        outputs = [f"y{k + 1}" for k in range(sizes[-1])]
    hidden = [[f"h{layer}.{k + 1}" for k in range(n)] for layer, n in enumerate(sizes[1:-1], start=1)]
    return [inputs, *hidden, outputs]
