"""The Data dock: background loading with progress and Cancel, preview, column roles, options, Apply,
and errors that never replace the data in use."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFileDialog

import core.data
from gui import worker as worker_module
from gui.data_panel import MAX_NOTES_SHOWN, NOTES_LINES, PREVIEW_ROWS, DataPanel
from gui.model import StudioModel
from gui.worker import thread_running

WAIT_MS = 20_000


@pytest.fixture
def model():
    return StudioModel()


@pytest.fixture
def panel(qtbot, model):
    panel = DataPanel(model)
    qtbot.addWidget(panel)
    yield panel
    panel.shutdown()


@pytest.fixture
def messages(model):
    got = []
    model.message.connect(lambda text, level: got.append((level, text)))
    return got


def write_csv(path, n=300):
    lines = ["row_id,width,height,colour,kind"]
    for i in range(n):
        lines.append(f"id{i:04d},{1 + (i % 17) * 0.3:.2f},{2 + (i % 11) * 0.7:.2f},"
                     f"{['red', 'green', 'blue'][i % 3]},{'big' if (i % 17) + (i % 11) > 12 else 'small'}")
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def choose(panel, row, column, value, offered):
    """What a click on a Kind (1) or Role (2) cell and a pick from its list do: the delegate's combo box
    edits the cell."""
    table = panel.columns
    index = table.model().index(row, column)
    table.setCurrentIndex(index)
    table.edit(index)
    editor = table.indexWidget(index)
    assert editor is not None and [editor.itemText(i) for i in range(editor.count())] == offered
    editor.setCurrentText(value)
    editor.activated.emit(editor.currentIndex())
    assert table.indexWidget(index) is None and table.item(row, column).text() == value


def choose_role(panel, row, role):
    choose(panel, row, 2, role, ["input", "target", "ignore"])


def choose_kind(panel, row, kind):
    choose(panel, row, 1, kind, ["numeric", "categorical"])


def oj_csv(path):
    """ISLR's OJ in small: which juice was bought, by store number 1–7 and price."""
    path.write_text("StoreID,Price,Store7,Purchase\n" + "".join(
        f"{1 + i % 7},{2 + (i * 13) % 10 / 10:.1f},{'Yes' if i % 7 == 6 else 'No'},"
        f"{'CH' if (i % 7) in (1, 3, 4) else 'MM'}\n" for i in range(140)))
    return str(path)


def load(qtbot, panel, path):
    with qtbot.waitSignal(panel.loadingChanged, timeout=WAIT_MS, check_params_cb=lambda on: not on):
        panel.load_path(path)


def test_open_previews_types_and_applies_default_roles(qtbot, panel, model, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "shapes.csv")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (path, ""))
    loaded = []
    panel.fileLoaded.connect(lambda path, sheet: loaded.append((path, sheet)))
    with qtbot.waitSignal(model.dataChanged, timeout=WAIT_MS):
        panel.open_button.click()
    preview = panel.preview_model
    assert preview.rowCount() == PREVIEW_ROWS                   # a 300-row file, first 200 shown
    assert preview.headerData(1, Qt.Orientation.Horizontal) == "width\n(numeric)"
    assert preview.headerData(3, Qt.Orientation.Horizontal) == "colour\n(categorical)"
    assert preview.data(preview.index(0, 0)) == "id0000"
    assert [preview.data(preview.index(r, 1)) for r in range(3)] == ["1", "1.3", "1.6"]   # as written
    roles = panel.roles()
    assert roles == {"input": ["width", "height", "colour"], "target": ["kind"], "ignore": ["row_id"]}
    dataset = model.dataset
    assert dataset.task == "classification" and dataset.class_names == ["big", "small"]
    assert model.table is panel.table and model.data_options["targets"] == ["kind"]
    assert loaded == [(path, "")]
    assert "shapes.csv" in panel.file_label.text()
    assert not panel._progress_row.isVisible()


def test_mostly_empty_and_free_text_columns_start_ignored_and_can_be_chosen(qtbot, panel, model, tmp_path,
                                                                         messages):
    lines = ["id,cabin,ticket,age,survived"]
    for i in range(120):
        cabin = f"C{i % 9}" if i % 3 == 0 else ""
        lines.append(f"{i},{cabin},T-{i * 7919 % 100003},{20 + i % 51},{i % 2}")
    path = tmp_path / "passengers.csv"
    path.write_text("\n".join(lines) + "\n")
    load(qtbot, panel, str(path))
    assert messages[-1] == ("info", "Loaded passengers.csv: 96 training / 24 validation rows, 1 input → "
                                    "1 output (classification, 2 classes)."), messages
    assert panel.roles() == {"input": ["age"], "target": ["survived"], "ignore": ["id", "cabin", "ticket"]}
    preview = panel.preview_model
    assert [preview.data(preview.index(r, 1)) for r in range(4)] == ["C0", "—", "—", "C3"]  # gaps, not 'None'
    assert model.dataset.n_train + model.dataset.n_val == 120              # no row lost to 'cabin'
    choose_role(panel, 1, "input")                                         # the user wants it anyway
    assert panel.apply(), messages
    assert "cabin=C0" in model.dataset.feature_names


def test_a_column_of_times_of_day_shows_as_time_and_says_it_gives_its_hour(qtbot, panel, model, tmp_path):
    lines = ["clock,load"] + [f"{i // 60 % 24:02d}:{i % 60:02d},{i % 17}" for i in range(0, 1400, 7)]
    path = tmp_path / "clock.csv"
    path.write_text("\n".join(lines) + "\n")
    load(qtbot, panel, str(path))
    assert panel.columns.item(0, 1).text() == "time" and panel.roles()["input"] == ["clock"]
    assert "as an input: its hour, with the minutes as its fraction" in panel.columns.item(0, 0).toolTip()
    assert "column 'clock' holds times of day (written like '13:45'): used as 1 number, clock.hour" in \
        panel.file_label.text()


def test_the_notes_say_what_a_date_column_gives_and_what_building_dropped(qtbot, panel, model, tmp_path, messages):
    lines = ["a<b,temp,count"]
    for i in range(100):
        lines.append(f"2024-0{i // 30 + 1}-{i % 28 + 1:02d},{'' if i % 4 == 0 else i % 31},{i % 5}")
    lines.append(",,")
    path = tmp_path / "days.csv"
    path.write_text("\n".join(lines) + "\n")
    load(qtbot, panel, str(path))
    assert panel.roles()["input"] == ["a<b", "temp"] and panel.columns.item(0, 1).text() == "date"
    assert panel.preview_model.headerData(0, Qt.Orientation.Horizontal) == "a<b\n(date)"
    note = "column 'a<b' holds dates (written like '2024-01-31'): used as 4 numbers, a<b.year, a<b.month, a<b.day, a<b.weekday"
    label = panel.file_label.text()
    assert note.replace("<", "&lt;") in label                                # shown, and as text, not markup
    assert "25 rows with missing values dropped (25% of the rows; filling missing values instead keeps them)" in label
    assert "1 empty row skipped" in label
    assert ("25 rows with missing values dropped (25% of the rows; filling missing values instead keeps them); "
            + note + "; column 'a<b' dates the rows: the validation rows are drawn at random") in messages[-1][1]
    assert "its year, month, day, weekday and hour" in panel.columns.item(0, 1).toolTip()   # the column says so too
    assert model.dataset.feature_names[:2] == ["a<b.year", "a<b.month"]

    choose_role(panel, 0, "ignore")                                        # the user leaves the dates out
    panel.missing.setCurrentIndex(panel.missing.findData("fill"))
    assert panel.apply(), messages
    label = panel.file_label.text()
    assert "holds dates" not in label and "dropped" not in label and "25 missing values filled" in label
    assert model.dataset.feature_names == ["temp"]


def test_the_preview_shows_big_whole_numbers_and_decimals_as_written(qtbot, panel, tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text("price,ratio,label\n1052023,0.1234567,a\n-98765,2.5,b\n" + "10,1,a\n" * 20)
    load(qtbot, panel, str(path))
    preview = panel.preview_model
    assert [preview.data(preview.index(r, 0)) for r in range(2)] == ["1052023", "-98765"]   # not 1.05202e+06
    assert [preview.data(preview.index(r, 1)) for r in range(2)] == ["0.1234567", "2.5"]


def test_a_column_written_with_a_unit_previews_as_numbers_and_names_its_unit(qtbot, panel, tmp_path):
    path = tmp_path / "cars.csv"
    path.write_text("engine,fuel,price\n" + "".join(f"{900 + 7 * i} CC,{'ab'[i % 2]},{i}\n" for i in range(30)))
    load(qtbot, panel, str(path))
    preview = panel.preview_model
    assert preview.headerData(0, Qt.Orientation.Horizontal) == "engine\n(numeric, CC)"
    assert preview.data(preview.index(1, 0)) == "907"
    assert panel.columns.item(0, 1).toolTip().startswith("engine: numeric in CC")
    assert "numbers in CC (like '900 CC') read as numbers" in panel.file_label.toolTip() + panel.file_label.text()


def test_a_wide_file_previews_every_column_and_offers_every_role(qtbot, panel, model, tmp_path):
    # an MNIST-like table: a label and 784 pixel columns
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (250, 784))
    pixels[:, :200] = 0                                   # the border: 0 in every row
    lines = ["label," + ",".join(f"pixel{j}" for j in range(784))]
    lines += [f"{i % 10}," + ",".join(map(str, row)) for i, row in enumerate(pixels)]
    path = tmp_path / "train.csv"
    path.write_text("\n".join(lines) + "\n")
    load(qtbot, panel, str(path))
    preview = panel.preview_model
    assert preview.columnCount() == 785 and preview.rowCount() == PREVIEW_ROWS
    assert preview.data(preview.index(5, 700)) == str(pixels[5, 699])
    assert panel.columns.rowCount() == 785
    assert [panel.columns.item(i, 2).text() for i in (0, 784)] == ["input", "target"]
    assert panel.columns.cellWidget(784, 2) is None                  # no widget per row: a combo box only to edit
    assert panel.columns.item(784, 0).text() == "pixel783"
    assert "200 columns are constant: ignored (pixel0, pixel1, pixel2, pixel3, …)" in panel.file_label.text()
    panel.set_role("label", "target")
    assert panel.apply()
    assert model.dataset.task == "classification" and model.dataset.n_classes == 10


def test_many_notes_show_the_first_few_and_all_on_hover(qtbot, panel, tmp_path):
    shares = [0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]      # each column empty in another share of rows
    lines = [",".join(f"sparse{k}" for k in range(len(shares))) + ",x,y"]
    for i in range(100):
        cells = ["" if i < share * 100 else str(i) for share in shares]
        lines.append(",".join(cells) + f",{i % 7},{i % 2}")
    path = tmp_path / "sparse.csv"
    path.write_text("\n".join(lines) + "\n")
    load(qtbot, panel, str(path))
    label, tip = panel.file_label.text(), panel.file_label.toolTip()
    assert label.count("is empty in") == MAX_NOTES_SHOWN - 1
    assert f"{len(shares) - MAX_NOTES_SHOWN + 1} more notes: hover here to read them" in label
    assert tip.count("is empty in") == len(shares) and str(path) in tip
    # one note a line, in an area that scrolls once they are more than NOTES_LINES lines: none is cut off
    assert label.count("• ") == MAX_NOTES_SHOWN
    panel.resize(380, 700)
    panel.show()
    qtbot.waitExposed(panel)
    area, line = panel._notes_area, panel.fontMetrics().lineSpacing()
    assert area.height() <= NOTES_LINES * line < panel.file_label.height()
    assert area.verticalScrollBar().maximum() > 0

    load(qtbot, panel, write_csv(tmp_path / "plain.csv"))                  # few notes: no empty space below
    assert area.height() <= panel.file_label.heightForWidth(area.viewport().width()) + 2


def test_changed_roles_and_options_apply_to_a_new_dataset(qtbot, panel, model, tmp_path):
    load(qtbot, panel, write_csv(tmp_path / "shapes.csv"))
    panel.set_role("height", "target")
    panel.set_role("colour", "ignore")
    panel.val_split.setValue(0)
    panel.scaling.setCurrentIndex(panel.scaling.findData("minmax"))
    assert panel.roles()["target"] == ["height"]                # the old target became an input
    assert panel.apply()
    dataset = model.dataset
    assert dataset.task == "regression" and dataset.output_names == ["height"]
    assert dataset.n_val == 0 and dataset.X_train.min() >= 0.0 and dataset.X_train.max() <= 1.0


def test_the_task_can_be_chosen_for_a_target_of_whole_numbers(qtbot, panel, model, tmp_path, messages):
    """Wine-quality scores 3..8 read as six classes; a scores column with a value seen once could not be
    trained at all in the window (the CLI had --task, the panel had no way to say 'regression')."""
    path = tmp_path / "wine.csv"
    path.write_text("alcohol,acidity,quality\n" + "".join(
        f"{9 + (i % 13) / 3:.2f},{0.2 + (i % 7) / 10:.2f},{3 + (i * 5) % 6}\n" for i in range(60)))
    load(qtbot, panel, str(path))
    assert model.dataset.task == "classification" and model.dataset.n_classes == 6
    assert panel.task.currentData() == "auto" and panel.task.isEnabled()
    panel.task.setCurrentIndex(panel.task.findData("regression"))
    assert panel.apply()
    assert model.dataset.task == "regression" and model.dataset.output_names == ["quality"]
    assert model.data_options["task"] == "regression"                   # saved with a project
    before = model.dataset
    odd = tmp_path / "scores.csv"
    odd.write_text("x,score\n" + "".join(f"{i % 6},{[1, 2, 2, 3, 3, 3, 7][i % 7] if i else 9}\n" for i in range(40)))
    load(qtbot, panel, str(odd))                 # a new file starts from auto: 5 whole numbers, 9 seen once
    assert panel.task.currentData() == "auto"
    assert messages[-1][0] == "error" and "or predict 'score' as a number (task: regression)" in messages[-1][1]
    assert model.dataset is before
    panel.task.setCurrentIndex(panel.task.findData("regression"))
    assert panel.apply() and model.dataset.task == "regression"
    panel.set_options({"task": "classification"})
    assert panel.options()["task"] == "classification"


def test_a_column_of_number_codes_can_be_read_as_categories_from_its_kind(qtbot, panel, model, tmp_path):
    load(qtbot, panel, oj_csv(tmp_path / "oj.csv"))
    assert model.dataset.feature_names[0] == "StoreID"                  # one magnitude, until the user says
    kinds = [panel.columns.item(i, 1) for i in range(4)]
    assert [k.text() for k in kinds] == ["numeric", "numeric", "categorical", "categorical"]
    editable = [bool(k.flags() & Qt.ItemFlag.ItemIsEditable) for k in kinds]
    assert editable == [True, True, False, False]                       # text is categories already
    assert "one input per value" in kinds[0].toolTip()
    choose_kind(panel, 0, "categorical")
    assert panel.preview_model.headerData(0, Qt.Orientation.Horizontal) == "StoreID\n(categorical)"
    assert panel.options()["categorical"] == ["StoreID"]
    assert panel.apply()
    assert model.dataset.feature_names[:7] == [f"StoreID={k}" for k in range(1, 8)]
    assert model.data_options["categorical"] == ["StoreID"]             # saved with a project
    assert "column 'StoreID' read as 7 categories, one input each" in panel.file_label.text()
    choose_kind(panel, 0, "numeric")
    assert panel.preview_model.headerData(0, Qt.Orientation.Horizontal) == "StoreID\n(numeric)"
    assert panel.apply() and model.dataset.feature_names[0] == "StoreID"
    panel.set_options({"categorical": ["StoreID"]})                    # as a project reopened says
    assert panel.columns.item(0, 1).text() == "categorical" and panel.options()["categorical"] == ["StoreID"]
    # another file with a column of that name starts as its kind says, not as the last file's choice
    load(qtbot, panel, oj_csv(tmp_path / "oj2.csv"))
    assert panel.columns.item(0, 1).text() == "numeric" and model.dataset.feature_names[0] == "StoreID"


def test_a_read_error_is_shown_and_the_old_data_kept(qtbot, panel, model, tmp_path, messages):
    load(qtbot, panel, write_csv(tmp_path / "good.csv"))
    before = model.dataset
    bad = tmp_path / "binary.csv"
    bad.write_bytes(b"\x00\x01\x02 not text")
    load(qtbot, panel, str(bad))
    assert messages[-1][0] == "error" and "binary.csv" in messages[-1][1]
    assert model.dataset is before
    assert "good.csv" in panel.file_label.text()


def test_a_build_error_is_shown_and_the_old_data_kept(qtbot, panel, model, tmp_path, messages):
    load(qtbot, panel, write_csv(tmp_path / "good.csv"))
    before = model.dataset
    constant = tmp_path / "constant.csv"
    constant.write_text("x,y\n1,5\n2,5\n3,5\n4,5\n")
    load(qtbot, panel, str(constant))
    assert messages[-1][0] == "error" and "constant" in messages[-1][1]
    assert model.dataset is before
    assert panel.table.source == "constant.csv"                 # shown, so roles can be fixed
    # … and the message says the data on show is not what Train uses
    assert messages[-1][1].endswith("Train still uses good.csv: choose other roles or options and press Apply "
                                    "to use constant.csv."), messages[-1][1]


def test_apply_without_a_target_is_refused(qtbot, panel, model, tmp_path, messages):
    load(qtbot, panel, write_csv(tmp_path / "good.csv"))
    before = model.dataset
    panel.set_role("kind", "input")
    assert not panel.apply()
    assert messages[-1][0] == "warning" and model.dataset is before


def test_cancel_stops_a_slow_load_and_keeps_the_data(qtbot, panel, model, monkeypatch):
    def slow_read(path, *, sheet=None, progress=None, cancel=None):
        step = 0
        while not cancel():
            step += 1
            if step % 2000 == 0:
                progress(min(0.9, step / 2e6))
        raise core.data.LoadCancelled("cancelled")

    monkeypatch.setattr(core.data, "read_csv", slow_read)
    panel.load_path("huge.csv")
    assert panel.loading and not panel.open_button.isEnabled()
    qtbot.waitUntil(lambda: panel.progress.value() > 0, timeout=WAIT_MS)
    panel.cancel_button.click()
    assert not panel.loading and panel.open_button.isEnabled()
    assert model.dataset is None
    qtbot.waitUntil(lambda: not any(thread_running(t) for t in worker_module.LIVE_THREADS), timeout=WAIT_MS)


def test_cancel_says_so_and_that_the_data_on_show_is_unchanged(qtbot, panel, model, messages, monkeypatch):
    # the message bar kept whatever it said before (about the previous file), as if nothing had happened
    import threading
    idle = threading.Event()

    def slow_read(path, *, sheet=None, progress=None, cancel=None):
        while not cancel():
            progress(0.5)
            idle.wait(0.005)
        raise core.data.LoadCancelled("cancelled")

    assert panel.load_example("xor")
    dataset = model.dataset
    monkeypatch.setattr(core.data, "read_csv", slow_read)
    panel.load_path("/data/huge.csv")
    qtbot.waitUntil(lambda: panel.progress.value() > 0, timeout=WAIT_MS)
    panel.cancel_button.click()
    assert messages[-1] == ("info", "Loading huge.csv cancelled; the data on show is unchanged.")
    assert model.dataset is dataset


def test_an_example_chosen_while_a_file_loads_is_not_replaced_by_that_file(qtbot, panel, model, monkeypatch):
    # the last choice wins: the file finished later and silently replaced the example
    import threading
    go_on = threading.Event()

    def slow_read(path, *, sheet=None, progress=None, cancel=None):
        while not go_on.wait(0.01):
            if cancel():
                raise core.data.LoadCancelled("cancelled")
        return core.data.read_csv_text("a,b\n1,x\n2,y\n3,x\n4,y\n")

    monkeypatch.setattr(core.data, "read_csv", slow_read)
    panel.load_path("slow.csv")
    assert panel.loading
    assert panel.load_example("xor")
    go_on.set()
    assert not panel.loading and model.example_name == "xor"
    assert not any(thread_running(t) for t in worker_module.LIVE_THREADS)
    QCoreApplication.processEvents()                   # anything the reader had queued is delivered now
    assert model.example_name == "xor" and model.dataset.n_features == 2


def test_the_progress_bar_is_busy_until_the_reader_says_how_far_it_is(qtbot, panel, monkeypatch):
    import threading
    go_on = threading.Event()

    def json_like(path, *, sheet=None, progress=None, cancel=None):
        progress(0.0)
        while not go_on.is_set() and not cancel():      # parsing a whole JSON text: nothing to report
            go_on.wait(0.01)
        progress(0.5)
        while not cancel():
            go_on.wait(0.01)
        raise core.data.LoadCancelled("cancelled")

    monkeypatch.setattr(core.data, "read_csv", json_like)
    panel.load_path("records.json")
    assert (panel.progress.minimum(), panel.progress.maximum()) == (0, 0)      # a busy bar, not a stuck 0 %
    go_on.set()
    qtbot.waitUntil(lambda: panel.progress.maximum() == 100 and panel.progress.value() == 50, timeout=WAIT_MS)
    panel.cancel_button.click()


def test_a_new_load_replaces_one_in_progress(qtbot, panel, model, tmp_path, monkeypatch):
    real = core.data.read_csv

    def read(path, *, sheet=None, progress=None, cancel=None):
        if path.endswith("slow.csv"):
            while not cancel():
                pass
            raise core.data.LoadCancelled("cancelled")
        return real(path, progress=progress, cancel=cancel)

    monkeypatch.setattr(core.data, "read_csv", read)
    panel.load_path("slow.csv")
    path = write_csv(tmp_path / "fast.csv")
    with qtbot.waitSignal(model.dataChanged, timeout=WAIT_MS):
        panel.load_path(path)
    assert panel.table.source == "fast.csv"


def test_examples_show_their_table_and_build_settings(qtbot, panel, model):
    assert panel.load_example("xor")
    assert model.example_name == "xor" and model.table is panel.table
    assert panel.roles()["target"] == ["y"]
    assert panel.val_split.value() == 0 and panel.scaling.currentData() == "none"
    assert model.dataset.n_train == 4
    assert "XOR" in panel.file_label.text()
    assert not panel.load_example("no-such-example")
    assert model.example_name == "xor"


def test_a_loaded_file_is_prepared_off_the_gui_thread_with_the_panels_settings(qtbot, panel, model, tmp_path,
                                                                                monkeypatch):
    """Building the data set and the views' input summaries of a big file took seconds of frozen window:
    the loader thread does both, with the roles the panel offers and its scaling, split and seed."""
    import threading

    from core.evaluation_support import input_summaries
    builds = []
    real = core.data.build_dataset

    def spy(table, **options):
        builds.append((threading.current_thread() is threading.main_thread(), options))
        return real(table, **options)
    monkeypatch.setattr(core.data, "build_dataset", spy)
    panel.scaling.setCurrentIndex(panel.scaling.findData("minmax"))
    panel.seed.setValue(7)
    load(qtbot, panel, write_csv(tmp_path / "shapes.csv"))
    assert [in_gui for in_gui, _ in builds] == [False], builds                     # once, in the loader thread
    assert builds[0][1] == panel.options() and builds[0][1]["scaling"] == "minmax" and builds[0][1]["seed"] == 7
    assert model.dataset is not None and model.dataset.preprocessor.scaling == "minmax"
    assert getattr(model.dataset, "_input_summaries", None) == input_summaries(model.dataset)   # ready for the views

    panel.set_role("width", "ignore")                    # other options: Apply builds again, in the GUI thread
    assert panel.apply()
    assert [in_gui for in_gui, _ in builds] == [False, True]
    assert "width" not in model.dataset.preprocessor.input_columns


def test_cancel_while_the_loader_builds_returns_at_once_and_skips_the_rest(qtbot, panel, model, tmp_path,
                                                                          monkeypatch):
    """Cancel at 100 % waited for the loader thread, which was building the data set and the views' input
    summaries: the window froze ~0.5 s for a 200,000-row file."""
    import threading
    built, release = [], threading.Event()
    real = core.data.build_dataset

    def slow_build(table, **options):
        built.append(real(table, **options))
        release.wait(WAIT_MS / 1000)                 # still building when the user clicks Cancel
        return built[-1]
    monkeypatch.setattr(core.data, "build_dataset", slow_build)
    before = model.dataset
    panel.load_path(str(write_csv(tmp_path / "shapes.csv")))
    qtbot.waitUntil(lambda: len(built) == 1, timeout=WAIT_MS)
    panel._cancel_clicked()
    assert not panel.loading and panel.open_button.isEnabled()
    assert thread_running(panel._thread)             # the click did not wait for the build
    release.set()
    qtbot.waitUntil(lambda: not thread_running(panel._thread), timeout=WAIT_MS)
    QCoreApplication.processEvents()                 # what the retired loader sent is dropped
    assert not hasattr(built[0], "_input_summaries")
    assert model.dataset is before and not panel.loading


def test_a_file_whose_default_build_fails_still_shows_and_says_why(qtbot, panel, model, tmp_path, messages):
    path = tmp_path / "rare.csv"                      # one 'rare' row: no stratified split can hold it
    path.write_text("a,b,label\n" + "".join(f"{i},{i * 2 % 7},{'rare' if i == 3 else 'common'}\n" for i in range(30)))
    load(qtbot, panel, str(path))
    assert panel.table is not None and panel.roles()["target"] == ["label"]
    assert messages[-1][0] == "error" and "class 'rare'" in messages[-1][1], messages
    assert model.dataset is None


def test_clicking_apply_rebuilds_the_data_with_the_options_on_show(qtbot, panel, model, tmp_path, messages):
    # clicked(bool) reached apply(prepared) as False: every click raised TypeError and applied nothing
    load(qtbot, panel, write_csv(tmp_path / "shapes.csv"))
    assert model.data_options["scaling"] == "standardize"
    panel.scaling.setCurrentIndex(panel.scaling.findData("minmax"))
    with qtbot.waitSignal(model.dataChanged, timeout=WAIT_MS):
        qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    assert model.data_options["scaling"] == "minmax" and model.dataset.preprocessor.scaling == "minmax"
    assert not [m for m in messages if m[0] == "error"], messages


def test_latest_validates_on_the_latest_dates(qtbot, panel, model, tmp_path):
    days = [f"2024-{1 + i // 28:02d}-{1 + i % 28:02d}" for i in range(100)]
    path = tmp_path / "days.csv"
    path.write_text("day,x,y\n" + "".join(f"{d},{i % 9},{i % 5}\n" for i, d in reversed(list(enumerate(days)))))
    load(qtbot, panel, str(path))
    assert not panel.latest.isChecked() and model.data_options["split"] == "random"
    panel.latest.setChecked(True)
    assert panel.apply()
    assert model.data_options["split"] == "latest"
    assert sorted(model.dataset.raw_val["day"]) == days[80:]
    assert "validation on the latest dates in column 'day' (20 rows)" in panel.file_label.text()
    assert panel.load_example("xor") and not panel.latest.isChecked()     # an example starts afresh
