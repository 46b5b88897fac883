"""Predict: type in one raw row and watch the network's answer; or run a whole CSV file through it.

One field per raw input column (a number box, or a combo of the training categories), starting at the
training median / most common value. The output follows every edit: class probabilities as bars, or
the predicted value(s) in the target's own units. "Predict file…" reads a CSV with the same columns,
adds the prediction columns to each row (core.export.predict_rows, as `main.py predict` does) and saves
the result atomically. Errors a user can cause (a broken or unsuitable file, an unwritable folder) are
shown in the panel in one plain line.

The network used is the Output dock's private copy, so predicting while training shows the latest
snapshot's answer without touching the network being trained.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (QAbstractSpinBox, QApplication, QComboBox, QDoubleSpinBox, QFileDialog,
                               QFormLayout, QGridLayout, QHBoxLayout, QLabel, QProgressBar, QPushButton,
                               QScrollArea, QVBoxLayout, QWidget)

from core.atomic import atomic_write_text
from core.data import named_for_model, read_csv, rows_with_values, with_empty_rows
from core.errors import BackpropError
from core.evaluation_support import DATE, NUMERIC, input_summaries, prediction_model, predictions_table
from core.export import predict_rows
from gui.data_panel import FILE_FILTER
from gui.evaluation_view import network_fits
from gui.message_bar import MessageBar
from gui.names import distinct_shortened, shortened
from gui.output_support import NetworkMirror, VisibleRefresh, class_colour, discard

BAR_STEPS = 1000
SPIN_LIMIT = 1e12
MAX_UNSCROLLED_FIELDS = 10
MAX_FIELDS = 200              # fields made at most: 6,000 gene columns took 0.6 s of frozen window to build
BAR_NAME_CHARS = 20           # class names beside the bars: longer ones pushed the percentages out of sight
FIELD_NAME_CHARS = 22         # input names beside the fields: star98's PERMINTE_AVYRSEXP pushed them off the pane
FIELD_MIN_WIDTH = 90          # a spin box over ±1e12 asks for ~150 px; the value typed is rarely that long
MAX_UNSCROLLED_BARS = 10      # classes shown whole under the headline; more scroll (26 letters would be
                              # taller than a screen)
SAVE_FILTER = "CSV files (*.csv);;All files (*)"


def _decimals(summary) -> int:
    """Enough decimals to type the training values (a range of 0.001 needs more than one of 1000)."""
    span = abs(summary.high - summary.low) if math.isfinite(summary.high - summary.low) else 1.0
    if span <= 0:
        span = abs(summary.default) or 1.0
    return int(min(8, max(2, 3 - math.floor(math.log10(span)))))


class PredictPanel(QWidget):
    def __init__(self, model, controller, mirror: NetworkMirror | None = None, parent=None):
        super().__init__(parent)
        self.model, self.controller = model, controller
        self.mirror = mirror if mirror is not None else NetworkMirror(model, controller, self)
        self.fields: dict[str, QWidget] = {}
        self._summaries = []
        self.last_prediction = None          # the one-row DataFrame predict_rows returned
        self.last_saved: Path | None = None

        self.message_bar = MessageBar()
        self.form_box = QWidget()
        self.form = QFormLayout(self.form_box)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # In a narrow pane a field goes under its name rather than past the right edge.
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form_scroll = QScrollArea()
        self.form_scroll.setWidget(self.form_box)
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.reset_button = QPushButton("Medians")
        self.reset_button.setToolTip("Put every field back to the training median / most common value")
        self.reset_button.clicked.connect(self.reset_fields)
        head = QHBoxLayout()
        inputs_title = QLabel("<b>Inputs</b>")
        head.addWidget(inputs_title, 1)
        head.addWidget(self.reset_button)

        self.headline = QLabel(" ")
        self.headline.setWordWrap(True)
        self.headline.setStyleSheet("font-size: 11pt;")
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bars_box = QWidget()
        self.bars = QGridLayout(self.bars_box)
        self.bars.setContentsMargins(0, 0, 0, 0)
        self.bars.setColumnStretch(1, 1)
        self.bars_scroll = QScrollArea()
        self.bars_scroll.setWidget(self.bars_box)
        self.bars_scroll.setWidgetResizable(True)
        self.bars_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.bar_widgets: list[QProgressBar] = []
        self.bar_labels: list[QLabel] = []

        self.file_button = QPushButton("Predict file…")
        self.file_button.setToolTip("Run a CSV file with the same input columns through the network and save "
                                    "its rows with the predictions added")
        self.file_button.clicked.connect(self.predict_file)
        self.more_inputs = QLabel()          # says how many inputs past MAX_FIELDS are held at their defaults
        self.more_inputs.setWordWrap(True)
        self.more_inputs.setStyleSheet("color: #505050;")
        self.empty = QLabel("Load data to make predictions.")
        self.empty.setStyleSheet("color: #707070;")
        self.empty.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.empty)
        layout.addLayout(head)
        layout.addWidget(self.form_scroll, 2)
        layout.addWidget(self.more_inputs)
        layout.addWidget(QLabel("<b>Network output</b>"))
        layout.addWidget(self.headline)
        layout.addWidget(self.bars_scroll, 1)
        layout.addStretch(0)                 # what the form and the bars leave keeps the file button down
        layout.addWidget(self.file_button)
        self._head_widgets = [inputs_title, self.reset_button, self.form_scroll, self.headline, self.bars_scroll,
                              self.file_button]

        self._live = VisibleRefresh(self, self.update_prediction)
        self.mirror.changed.connect(self._live.poke)
        model.dataChanged.connect(self._on_data_changed)
        self._on_data_changed()

    # ---- fields -----------------------------------------------------------------------------------
    @Slot()
    def _on_data_changed(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields = {}
        dataset = self.model.dataset
        self._summaries = input_summaries(dataset) if dataset is not None else []
        shown = distinct_shortened([summary.name for summary in self._summaries[:MAX_FIELDS]],
                                   lambda name: shortened(name, FIELD_NAME_CHARS))
        for summary, shown_name in zip(self._summaries[:MAX_FIELDS], shown):
            if summary.kind == NUMERIC:
                field = QDoubleSpinBox()
                field.setRange(-SPIN_LIMIT, SPIN_LIMIT)
                if summary.integer:            # a count or a code: typed and stepped as whole numbers
                    field.setDecimals(0)
                else:
                    field.setDecimals(_decimals(summary))
                    field.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
                if summary.unit:               # the file wrote "1248 CC": typed and shown in CC
                    field.setSuffix(f" {summary.unit}")
                field.setValue(summary.default)
                unit = f" {summary.unit}" if summary.unit else ""
                field.setToolTip(f"training range {summary.low:.4g} to {summary.high:.4g}{unit}, "
                                 f"median {summary.default:.4g}{unit}")
                field.valueChanged.connect(self._on_edit)
                field.setMinimumWidth(FIELD_MIN_WIDTH)
            else:
                field = QComboBox()
                field.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                field.setMinimumContentsLength(8)
                field.addItems(list(summary.categories))
                field.setCurrentText(str(summary.default))
                field.setToolTip(f"most common in training: {summary.default}")
                field.currentIndexChanged.connect(self._on_edit)
                if summary.kind == DATE:       # any date may be typed; the list holds the first, middle and last
                    field.setEditable(True)
                    what = "a time of day" if summary.parts == ("hour",) else "a date"
                    field.setToolTip(f"{what} written as in the data (such as " + ", ".join(summary.categories)
                                     + f"); the network reads its {', '.join(summary.parts)}")
                    field.currentTextChanged.connect(self._on_edit)
            self.fields[summary.name] = field
            label = QLabel(shown_name)
            label.setTextFormat(Qt.TextFormat.PlainText)
            if shown_name != summary.name:
                label.setToolTip(summary.name)
            self.form.addRow(label, field)
            # Children added to a shown parent stay hidden until the event loop runs, and hidden rows
            # count for nothing in the size hint the form's height is taken from below.
            label.show()
            field.show()
        more = len(self._summaries) - MAX_FIELDS
        self.more_inputs.setText(f"… and {more:,} more input{'s' if more != 1 else ''}, held at the training "
                                 "median or most common value; Predict file… takes whole rows." if more > 0 else "")
        self.more_inputs.setVisible(more > 0)
        has_data = dataset is not None
        self.empty.setVisible(not has_data)
        for widget in self._head_widgets:
            widget.setVisible(has_data)
        self._build_outputs(dataset)
        # Up to ten fields show whole, with the output right under them; more scroll inside the form.
        height = self.form.sizeHint().height() + 2
        if len(self._summaries) <= MAX_UNSCROLLED_FIELDS:
            self.form_scroll.setFixedHeight(height)
        else:
            self.form_scroll.setMinimumHeight(min(height, MAX_UNSCROLLED_FIELDS * 30))
            self.form_scroll.setMaximumHeight(height)
        self.message_bar.dismiss()
        self._live.poke()

    def _build_outputs(self, dataset) -> None:
        discard([*self.bar_widgets, *self.bar_labels])
        self.bar_widgets, self.bar_labels = [], []
        if dataset is None or dataset.task != "classification":
            self.bars_scroll.hide()
            return
        shown = distinct_shortened(dataset.class_names, lambda name: shortened(name, BAR_NAME_CHARS))
        for c, name in enumerate(dataset.class_names):
            label = QLabel(shown[c])
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setToolTip(str(name))
            bar = QProgressBar()
            bar.setRange(0, BAR_STEPS)
            bar.setTextVisible(True)
            bar.setFormat("–")
            colour = class_colour(c).name()
            # The class's own colour ties each bar to the boundary map's colours.
            bar.setStyleSheet(f"QProgressBar {{ border: 1px solid #b0b0b0; border-radius: 2px; background: "
                              f"#ffffff; text-align: right; padding-right: 4px; color: #202020; }} "
                              f"QProgressBar::chunk {{ background: {colour}; }}")
            self.bars.addWidget(label, c, 0)
            self.bars.addWidget(bar, c, 1)
            label.show()                 # as the form's fields: hidden children count for nothing below
            bar.show()
            self.bar_labels.append(label)
            self.bar_widgets.append(bar)
        height = self.bars.sizeHint().height() + 2
        if len(self.bar_widgets) <= MAX_UNSCROLLED_BARS:
            self.bars_scroll.setFixedHeight(height)
        else:
            self.bars_scroll.setMinimumHeight(height * MAX_UNSCROLLED_BARS // len(self.bar_widgets))
            self.bars_scroll.setMaximumHeight(height)
        self.bars_scroll.show()

    def row(self) -> dict:
        """The raw input row the fields hold, by column name (inputs without a field: their default)."""
        values = {}
        for summary in self._summaries:
            field = self.fields.get(summary.name)
            if field is None:
                values[summary.name] = summary.default
            else:
                values[summary.name] = field.value() if isinstance(field, QDoubleSpinBox) else field.currentText()
        return values

    def set_value(self, column: str, value) -> None:
        field = self.fields[column]
        if isinstance(field, QDoubleSpinBox):
            field.setValue(float(value))
        else:
            field.setCurrentText(str(value))

    @Slot()
    def reset_fields(self) -> None:
        for summary in self._summaries[:MAX_FIELDS]:
            field = self.fields[summary.name]
            field.blockSignals(True)
            self.set_value(summary.name, summary.default)
            field.blockSignals(False)
        self.update_prediction()

    def _on_edit(self, *_) -> None:
        # One row through the network costs microseconds: answer every keystroke at once.
        self.update_prediction()

    # ---- prediction -------------------------------------------------------------------------------
    def update_prediction(self) -> None:
        dataset, network = self.model.dataset, self.mirror.network
        if dataset is None or not self.fields:
            return
        if not network_fits(network, dataset):
            self.headline.setText("The network is being rebuilt for this data.")
            return
        try:
            result = predict_rows(prediction_model(network, dataset.preprocessor), [self.row()])
        except BackpropError as exc:
            self.last_prediction = None
            self.headline.setText(f"<span style='color:#a02020'>{html.escape(str(exc), quote=False)}</span>")
            for bar in self.bar_widgets:
                bar.setValue(0)
                bar.setFormat("–")
            return
        self.last_prediction = result
        first = result.iloc[0]
        if dataset.task == "classification":
            target = dataset.preprocessor.target_columns[0]
            predicted = first[f"predicted_{target}"]
            probability = float(first[f"p({predicted})"])
            self.headline.setText(f"Predicted {html.escape(target, quote=False)}: "
                                  f"<b>{html.escape(str(predicted), quote=False)}</b> ({probability:.1%})")
            for bar, name in zip(self.bar_widgets, dataset.class_names):
                p = float(first[f"p({name})"])
                bar.setValue(round(p * BAR_STEPS) if math.isfinite(p) else 0)
                bar.setFormat(f"{p:.1%}")
        else:
            lines = [f"{html.escape(target, quote=False)} = <b>{float(first[f'predicted_{target}']):.6g}</b>"
                     for target in dataset.preprocessor.target_columns]
            self.headline.setText("<br>".join(lines))

    def probabilities(self) -> list[float]:
        """The bars' probabilities (classification), in class order."""
        return [bar.value() / BAR_STEPS for bar in self.bar_widgets]

    # ---- file -------------------------------------------------------------------------------------
    @Slot()
    def predict_file(self) -> None:
        dataset, network = self.model.dataset, self.mirror.network
        if dataset is None or not network_fits(network, dataset):
            self.message_bar.show_message("Load data and build a network before predicting a file.", "warning")
            return
        path, _ = QFileDialog.getOpenFileName(self, "Predict file", "", FILE_FILTER)
        if not path:
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            table = read_csv(path, decimal=dataset.preprocessor.decimal)
            rows, skipped = rows_with_values(table)
            rows, renamed = named_for_model(rows, dataset.preprocessor.input_columns)
            # A copy: training may send new weights while the file is written, the saved rows are one model's.
            predicted = predictions_table(network.copy(), dataset.preprocessor, rows)
            text = with_empty_rows(predicted, rows).to_csv(index=False)
            made_up = renamed + dataset.preprocessor.input_notes(rows)
        except BackpropError as exc:
            name, message = Path(path).name, str(exc)
            # Some messages name a column but not the file; the user just picked it, so say which.
            self.message_bar.show_message(message if name in message else f"{name}: {message}", "error")
            return
        finally:
            QApplication.restoreOverrideCursor()
        source = Path(path)
        suggested = str(source.with_name(f"{source.stem}_predictions.csv"))
        out, _ = QFileDialog.getSaveFileName(self, "Save predictions", suggested, SAVE_FILTER)
        if not out:
            return
        try:
            atomic_write_text(out, text, what="the predictions")
        except BackpropError as exc:
            self.message_bar.show_message(str(exc), "error")
            return
        self.last_saved = Path(out)
        n = len(rows)
        saved = f"{n} prediction{'s' if n != 1 else ''} saved to {Path(out).name}" + (
            f" ({'; '.join(skipped)})." if skipped else ".")
        if made_up:       # the rows the model had to guess inputs for: worth a second look
            self.message_bar.show_message(f"{saved} Some inputs were not as in training: {'; '.join(made_up)}.",
                                          "warning")
        else:
            self.message_bar.show_message(saved, "info")
