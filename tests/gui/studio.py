"""Shared set-up for window tests: a window on the circles example and a fast small network."""

from __future__ import annotations

from dataclasses import replace

from gui.app import create_window


def open_window(qtbot):
    window = create_window(example="circles")
    qtbot.addWidget(window)
    window.show()
    return window


def small(window, example="circles", epochs=30, hidden=(4,)):
    """A fast run: an example with a small tanh network."""
    model = window.model
    assert window.load_example(example)
    model.edit_architecture(replace(model.architecture, hidden=hidden, hidden_activations=("tanh",) * len(hidden)))
    model.update_settings(epochs=epochs)
