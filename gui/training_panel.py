"""Training settings: every knob of issue 4, written straight into model.update_settings.

The tooltips use the article's words (η, E = ½Σ(t−o)², θ, epoch, threshold) so a reader can hold the
article next to the panel. The learning rate may change during a run (the controller forwards it to the
worker); max epochs, target error, patience, batch and optimizer too (the run goes on as a new one from its
weights); settings that would re-create the network (init, seed, precision) are locked while a run owns it.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QSlider, QSpinBox,
                               QWidget)

from core.network import DTYPES, INITS
from core.optimizers import OPTIMIZERS
from gui.model import LR_MAX, LR_MIN, SETTING_RANGES
from gui.sizing import may_narrow

LR_STEPS = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
SLIDER_STEPS_PER_DECADE = 10

OPTIMIZER_LABELS = {"sgd": "SGD (the article's rule)", "momentum": "SGD + momentum", "adam": "Adam"}
# Short names: at 1280×720 the Training pane is ~280 px wide and "Online (1 sample)" / "10 samples" were cut.
BATCH_MODES = (("online", "Online"), ("mini", "Mini-batch"), ("full", "Full batch"))

TIPS = {
    "optimizer": "How a weight moves once its gradient ∂E/∂w is known.\n"
                 "SGD: Δw = −η ∂E/∂w, exactly the article's rule.\n"
                 "Momentum: keeps part of the previous step, rolling through flat stretches.\n"
                 "Adam: scales each weight's step by its own gradient history; try η ≈ 0.001–0.01.",
    "lr": "Learning rate η: how far each update moves the weights, Δw = −η ∂E/∂w.\n"
          "Too small: E falls slowly. Too large: E jumps around or diverges.\n"
          "Arrow keys and the slider move on a log scale; changes apply from the next batch, even while training.",
    "momentum": "Momentum μ (SGD + momentum only): the share of the previous step kept, v ← μv − η∂E/∂w.",
    "l2": "L2 weight decay λ: adds ½λΣw² to the error E, pulling weights (not the biases θ) towards zero.\n"
          "Fights over-fitting; 0 turns it off.",
    "batch": "How many samples are seen before each weight update.\n"
             "Online: after every sample, the article's rule. Full batch: once per epoch, on the mean error.\n"
             "Mini-batch: after every group of as many samples as the number beside it — usually the fastest "
             "to learn.",
    "epochs": "Maximum number of epochs (passes over the training set) before training stops.\n"
              "Pressing Train after a stop continues from the current weights.",
    "target": "The article's threshold: stop as soon as the training error E falls below it. 0 = off.\n"
              "E is the epoch's mean over the training samples, as the error curve shows it.",
    "patience": "Early stopping: stop after this many epochs without improvement of the validation error,\n"
                "and keep the best weights seen. 0 = off.",
    "init": "How the weights start: the article's 'small random numbers' (uniform ±0.5),\n"
            "Xavier (scaled for tanh/sigmoid) or He (scaled for ReLU). Biases θ start at 0.",
    "seed": "Seed of the random start weights and of the shuffling: the same seed repeats the same run.",
    "dtype": "Number precision of the weights and data. float32 is faster; float64 is more exact.",
}


class LogSpinBox(QDoubleSpinBox):
    """A spin box for rates: shows 0.03, not 0.030000; arrows walk the 1–3–10 ladder of LR_STEPS."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setDecimals(10)
        self.setRange(LR_MIN, LR_MAX)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:
        # as typed: η = 0.123456 shows all its digits (the toolbar and the Inspector do), 0.03 no zeros
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        stripped = text.strip()
        try:
            value = float(stripped)
        except ValueError:
            ok = all(c in "0123456789.eE-+" for c in stripped)
            return (QValidator.State.Intermediate if ok else QValidator.State.Invalid), text, pos
        state = QValidator.State.Acceptable if LR_MIN <= value <= LR_MAX else QValidator.State.Intermediate
        return state, text, pos

    def stepBy(self, steps: int) -> None:
        value = self.value()
        if steps > 0:
            higher = [v for v in LR_STEPS if v > value * (1 + 1e-9)]
            target = higher[min(steps, len(higher)) - 1] if higher else LR_MAX
        else:
            lower = [v for v in LR_STEPS if v < value * (1 - 1e-9)]
            target = lower[-min(-steps, len(lower))] if lower else LR_MIN
        self.setValue(target)


def _slider_position(lr: float) -> int:
    return round((math.log10(lr) - math.log10(LR_MIN)) * SLIDER_STEPS_PER_DECADE)


def _slider_value(position: int) -> float:
    value = 10 ** (math.log10(LR_MIN) + position / SLIDER_STEPS_PER_DECADE)
    return float(f"{value:.2g}")         # round numbers: 0.03, not 0.0316227766


class TrainingPanel(QWidget):
    settingEdited = Signal(str)          # name of the setting the user just changed

    def __init__(self, model, controller=None, parent=None):
        super().__init__(parent)
        self.model, self.controller = model, controller
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)

        self.optimizer = QComboBox()
        for name in OPTIMIZERS:
            self.optimizer.addItem(OPTIMIZER_LABELS.get(name, name), name)

        self.lr = LogSpinBox()
        self.lr_slider = QSlider(Qt.Orientation.Horizontal)
        self.lr_slider.setRange(0, _slider_position(LR_MAX))
        lr_row = QHBoxLayout()
        lr_row.addWidget(self.lr)
        lr_row.addWidget(self.lr_slider, 1)

        self.momentum = QDoubleSpinBox(decimals=3, minimum=SETTING_RANGES["momentum"][0],
                                       maximum=SETTING_RANGES["momentum"][1], singleStep=0.05)
        self.l2 = QDoubleSpinBox(decimals=6, minimum=SETTING_RANGES["l2"][0], maximum=SETTING_RANGES["l2"][1],
                                 singleStep=0.0001)
        self.l2.setSpecialValueText("off")

        self.batch_mode = QComboBox()
        for key, label in BATCH_MODES:
            self.batch_mode.addItem(label, key)
        self.batch_size = QSpinBox(minimum=2, maximum=SETTING_RANGES["batch_size"][1])     # 0 and 1: the modes
        batch_row = QHBoxLayout()
        batch_row.addWidget(self.batch_mode, 5)
        batch_row.addWidget(self.batch_size, 3)

        self.epochs = QSpinBox(minimum=SETTING_RANGES["epochs"][0], maximum=SETTING_RANGES["epochs"][1], singleStep=100)
        self.epochs.setGroupSeparatorShown(True)
        self.target_error = QDoubleSpinBox(decimals=6, minimum=SETTING_RANGES["target_error"][0],
                                           maximum=SETTING_RANGES["target_error"][1], singleStep=0.001)
        self.target_error.setSpecialValueText("off")
        self.patience = QSpinBox(minimum=SETTING_RANGES["patience"][0], maximum=SETTING_RANGES["patience"][1],
                                 singleStep=10)
        self.patience.setSpecialValueText("off")
        self.patience.setSuffix(" epochs")
        self.init = QComboBox()
        self.init.addItems(list(INITS))
        self.seed = QSpinBox(minimum=SETTING_RANGES["seed"][0], maximum=SETTING_RANGES["seed"][1])
        self.dtype = QComboBox()
        self.dtype.addItems(list(DTYPES))

        may_narrow(self.optimizer, self.batch_mode, self.batch_size, self.init, self.dtype)
        for spin in (self.momentum, self.l2, self.batch_size, self.epochs, self.target_error, self.patience,
                     self.seed):
            spin.setKeyboardTracking(False)      # one update when the typing is done, not per digit

        rows = (("Optimizer", self.optimizer, "optimizer"), ("Learning rate η", lr_row, "lr"),
                ("Momentum μ", self.momentum, "momentum"), ("L2 decay λ", self.l2, "l2"),
                ("Batch", batch_row, "batch"), ("Max epochs", self.epochs, "epochs"),
                ("Target error", self.target_error, "target"), ("Patience", self.patience, "patience"),
                ("Initial weights", self.init, "init"), ("Seed", self.seed, "seed"),
                ("Precision", self.dtype, "dtype"))
        # the widgets of each row by name: a wrapper of QLayout.itemAt's item can outlive the item (a
        # monkey test that read a layout so crashed PySide 6.11 after a few dozen rebuilds)
        in_row = {id(lr_row): [self.lr, self.lr_slider], id(batch_row): [self.batch_mode, self.batch_size]}
        for label, field, tip in rows:
            form.addRow(label, field)
            form.labelForField(field).setToolTip(TIPS[tip])
            for widget in in_row.get(id(field), [field]):
                widget.setToolTip(TIPS[tip])

        self.optimizer.activated.connect(lambda: self._edit("optimizer", self.optimizer.currentData()))
        self.lr.valueChanged.connect(lambda v: self._edit("lr", float(v)))
        self.lr_slider.valueChanged.connect(self._on_slider)
        self.momentum.valueChanged.connect(lambda v: self._edit("momentum", float(v)))
        self.l2.valueChanged.connect(lambda v: self._edit("l2", float(v)))
        self.batch_mode.activated.connect(self._on_batch_edited)
        self.batch_size.valueChanged.connect(self._on_batch_edited)
        self.epochs.valueChanged.connect(lambda v: self._edit("epochs", int(v)))
        self.target_error.valueChanged.connect(lambda v: self._edit("target_error", float(v)))
        self.patience.valueChanged.connect(lambda v: self._edit("patience", int(v)))
        self.init.activated.connect(lambda: self._edit("init", self.init.currentText()))
        self.seed.valueChanged.connect(lambda v: self._edit("seed", int(v)))
        self.dtype.activated.connect(lambda: self._edit("dtype", self.dtype.currentText()))

        model.settingsChanged.connect(self.sync)
        if controller is not None:
            controller.stateChanged.connect(self._on_state)
        self.sync()

    # ---- model → widgets ---------------------------------------------------------------------------
    @Slot()
    def sync(self) -> None:
        s = self.model.settings
        widgets = (self.optimizer, self.lr, self.lr_slider, self.momentum, self.l2, self.batch_mode,
                   self.batch_size, self.epochs, self.target_error, self.patience, self.init, self.seed,
                   self.dtype)
        for w in widgets:
            w.blockSignals(True)
        try:
            self.optimizer.setCurrentIndex(max(0, self.optimizer.findData(s.optimizer)))
            self.lr.setValue(s.lr)
            self.lr_slider.setValue(_slider_position(min(max(s.lr, LR_MIN), LR_MAX)))
            self.momentum.setValue(s.momentum)
            self.l2.setValue(s.l2)
            mode = "online" if s.batch_size == 1 else "full" if not s.batch_size else "mini"
            self.batch_mode.setCurrentIndex(self.batch_mode.findData(mode))
            if mode == "mini":
                self.batch_size.setValue(s.batch_size)
            self.epochs.setValue(s.epochs)
            self.target_error.setValue(s.target_error)
            self.patience.setValue(s.patience)
            self.init.setCurrentText(s.init)
            self.seed.setValue(s.seed)
            self.dtype.setCurrentText(s.dtype)
        finally:
            for w in widgets:
                w.blockSignals(False)
        self.momentum.setEnabled(s.optimizer == "momentum")
        self.batch_size.setEnabled(mode == "mini")

    @Slot(str)
    def _on_state(self, state: str) -> None:
        # These re-create the network, which a running training owns.
        locked = state in ("running", "paused")
        for widget in (self.init, self.seed, self.dtype):
            widget.setEnabled(not locked)

    # ---- widgets → model ---------------------------------------------------------------------------
    def _edit(self, name: str, value) -> None:
        self.model.update_settings(**{name: value})
        self.settingEdited.emit(name)

    @Slot(int)
    def _on_slider(self, position: int) -> None:
        self._edit("lr", _slider_value(position))

    @Slot()
    def _on_batch_edited(self, *_):
        mode = self.batch_mode.currentData()
        size = 1 if mode == "online" else 0 if mode == "full" else int(self.batch_size.value())
        self.batch_size.setEnabled(mode == "mini")
        self._edit("batch_size", size)
