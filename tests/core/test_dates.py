"""Dates as inputs: a column of dates gives its year, month, day, weekday and hour as numbers, read the same
way in training, predictions, the exported script and (as numbers) ONNX."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from core.data import Preprocessor, build_dataset, read_csv, read_csv_text
from core.dates import date_format, date_part, date_parts, read_date
from core.export import LoadedModel, export_model, predict_rows
from core.losses import auto_output
from core.network import Network
from core.optimizers import make_optimizer


@pytest.mark.parametrize("cells, fmt", [
    (["2011-01-01", "2011-03-15"], "%Y-%m-%d"),
    (["01/02/2011", "12/31/2011"], "%m/%d/%Y"),            # US order first …
    (["10/03/2004", "13/03/2004"], "%d/%m/%Y"),            # … unless a day past 12 says otherwise
    (["06.01.2011", "31.12.2011"], "%d.%m.%Y"),
    (["2011-01-01 13:00:00", "2011-01-02 14:00:00"], "%Y-%m-%d %H:%M:%S"),
    (["2003-03-03T07:00:00Z", "2003-03-03T07:05:00Z"], "%Y-%m-%dT%H:%M:%S%z"),
    (["2011-01-01 10:02:00 AM", "2011-01-01 10:02:00 PM"], "%Y-%m-%d %I:%M:%S %p"),
    (["Jan-2011", "Feb-2011"], "%b-%Y"), (["May-11", "Jan-12"], "%b-%y"), (["2011-05", "2011-12"], "%Y-%m"),
    (["06-Jan-2011", "07-Feb-2011"], "%d-%b-%Y"), (["Jan 6 2011", "Feb 12 2011"], "%b %d %Y"),
    (["Jan-1-1995", "Feb-1-1995", "Dec-12-1995"], "%b-%d-%Y"),      # statsmodels' elec_equip
    (["Wed, 04 May 2011 00:00:00 +0000"], "%a, %d %b %Y %H:%M:%S %z"),      # RFC 2822, as mail and feeds
    (["Wed May 04 00:00:00 2011"], "%a %b %d %H:%M:%S %Y"),                 # ctime, as logs and Twitter
    (["2011Q1", "2012Q4"], "#quarter"), (["Q1 2011", "Q3 2011"], "#quarter"), (["2011-W06", "1991 W52"], "#week"),
    (["2011/02", "2011/12"], "%Y/%m"), (["2011-W54"], None),
    (["1960 Jan", "1960 Feb", "1961 Dec"], "%Y %b"),               # R tsibble's months (fpp3's canadian_gas)
    (["2019-20", "2020-21"], None), (["1000-01"], None), (["red", "blue"], None),
    (["11:38:36", "23:05:00"], "%H:%M:%S"), (["9:15", "13:40"], "%H:%M"), (["6:05 PM", "11:15 AM"], "%I:%M %p"),
    (["18.00.00", "18.30.00"], "%H.%M.%S"), (["3:1", "2:0"], None),        # times of day alone; not a score
])
def test_a_columns_format_is_found_from_its_cells(cells, fmt):
    assert date_format(cells) == fmt


def test_day_first_files_read_ambiguous_dates_day_first():
    assert date_format(["01/02/2011", "03/04/2011"], day_first=True) == "%d/%m/%Y"
    assert date_format(["2011-01-02"], day_first=True) == "%Y-%m-%d"


def test_a_dates_numbers():
    when = read_date("2011-07-02 18:30", "%Y-%m-%d %H:%M")
    parts = date_parts("%Y-%m-%d %H:%M")
    assert parts == ("year", "month", "day", "weekday", "hour")
    values = dict(zip(parts, (date_part(when, p) for p in parts)))
    assert values["year"] == pytest.approx(2011 + (182 + 18.5 / 24) / 365)    # July 2 is day 183 of 365
    assert (values["month"], values["day"], values["weekday"], values["hour"]) == (7, 2, 5, 18.5)   # a Saturday
    assert date_parts("%b %Y") == ("year", "month") and np.isnan(date_part(None, "month"))


def _riders(n=400, fmt="%m/%d/%Y", seed=0):
    """Daily counts driven by the weekday and the season, as bike and transit ridership files are."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2011-01-01", periods=n, freq="D")
    weekend = np.asarray(days.day_of_week >= 5, float)
    season = np.sin(2 * np.pi * np.asarray(days.day_of_year) / 365)
    y = 100 + 30 * weekend + 10 * season + rng.normal(0, 2, n)
    return pd.DataFrame({"date": days.strftime(fmt), "temp": rng.normal(10, 5, n).round(1), "riders": y.round(1)})


def _train(ds, epochs=300):
    output, loss = auto_output(ds.task, ds.n_outputs)
    net = Network([ds.n_features, 16, ds.n_outputs], ["tanh", output], loss, seed=0)
    opt = make_optimizer("adam", 0.01)
    rng = np.random.default_rng(0)
    for _ in range(epochs):
        for batch in np.array_split(rng.permutation(ds.n_train), max(1, ds.n_train // 32)):
            net.forward(ds.X_train[batch])
            net.backward(ds.Y_train[batch])
            opt.step(net)
    return net


def _r2(net, ds):
    pred = ds.preprocessor.inverse_outputs(net.predict(ds.X_val))[:, 0]
    truth = ds.preprocessor.inverse_outputs(ds.Y_val)[:, 0]
    return 1 - np.sum((pred - truth) ** 2) / np.sum((truth - truth.mean()) ** 2)


def test_a_network_learns_from_the_weekday_and_season_of_a_date_column(tmp_path):
    path = tmp_path / "riders.csv"
    _riders().to_csv(path, index=False)
    table = read_csv(path)
    assert table.column("date").date_format == "%m/%d/%Y"
    ds = build_dataset(table, targets=["riders"], val_split=0.25, seed=0)
    assert ds.preprocessor.feature_names == ["date.year", "date.month", "date.day", "date.weekday", "temp"]
    assert ("column 'date' holds dates (written like '01/31/2024'): used as 4 numbers, date.year, date.month, "
            "date.day, date.weekday") in ds.notes
    with_dates = _r2(_train(ds), ds)
    without = build_dataset(table, targets=["riders"], ignore=["date"], val_split=0.25, seed=0)
    assert with_dates > 0.85 and with_dates > _r2(_train(without), without) + 0.5, with_dates


def test_predictions_read_the_date_column_as_training_did_and_say_what_they_made_up(tmp_path):
    frame = _riders(200)
    ds = build_dataset(read_csv_text(frame.to_csv(index=False)), targets=["riders"], val_split=0.25, seed=0)
    pre = ds.preprocessor
    np.testing.assert_array_equal(pre.transform(ds.raw_val), ds.X_val)      # the same numbers, bit for bit
    again = Preprocessor.from_dict(pre.to_dict())
    assert again.feature_names == pre.feature_names and pre.to_dict()["inputs"][0]["kind"] == "date"
    np.testing.assert_array_equal(again.transform(ds.raw_val), ds.X_val)
    new = pd.DataFrame({"date": ["07/02/2011", None, "2011-13-45", "07/02/2031"], "temp": [10, 11, 12, 13]})
    assert again.input_notes(new) == [
        "'date': 1 value not read as dates or times like the training data's (such as '2011-13-45'), filled with the "
        "training mean of each number a date gives",
        "'date': 1 missing value filled with the training mean of each number a date gives",
        "'date': 1 date outside the span of the training file's dates (January 2011 to July 2011): predictions there "
        "extrapolate"]
    X = again.transform(new)
    assert np.isfinite(X).all() and not np.array_equal(X[0], X[1])


def _script_agrees_with_predict(tmp_path, net, ds, rows):
    """predict's outputs for `rows` (text cells, "" missing), and the exported script's run on them as a file,
    having checked that it printed the same numbers."""
    (tmp_path / "new.csv").write_text(rows.to_csv(index=False))
    expected = predict_rows(LoadedModel(net, ds.preprocessor, {}), rows.replace({"": None}))
    script = export_model(tmp_path / "m.py", net, ds.preprocessor)
    out = subprocess.run([sys.executable, str(script), str(tmp_path / "new.csv")], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    printed = pd.read_csv(pd.io.common.StringIO(out.stdout))
    np.testing.assert_allclose(printed.to_numpy(float), expected.to_numpy(float), rtol=1e-6)
    return expected, out


def test_the_exported_script_and_onnx_compute_a_dates_numbers_as_predict_does(tmp_path):
    import onnxruntime as ort

    frame = _riders(120, fmt="%d.%m.%Y")
    ds = build_dataset(read_csv_text(frame.to_csv(index=False)), targets=["riders"], val_split=0.25, seed=0)
    net = _train(ds, epochs=20)
    rows = pd.DataFrame({"date": ["02.07.2011", "", "31.12.2011", "02.07.2031"], "temp": ["10", "11", "12.5", "9"]})
    expected, out = _script_agrees_with_predict(tmp_path, net, ds, rows)
    assert "'date': 1 missing value filled with the training mean of each number a date gives" in out.stderr
    span = [n for n in LoadedModel(net, ds.preprocessor, {}).preprocessor.input_notes(rows.replace({"": None}))
            if "outside the span" in n]
    assert len(span) == 1 and f"note: {span[0]}" in out.stderr.splitlines()     # 2031 and Dec 31: after them
    # ONNX cannot read text as dates: it takes each date's numbers in its numeric input
    session = ort.InferenceSession(str(export_model(tmp_path / "m.onnx", net, ds.preprocessor)))
    parts = [f.split(".")[1] for f in ds.preprocessor.feature_names if f.startswith("date.")]
    when = [read_date(t, "%d.%m.%Y") for t in rows["date"]]
    x = np.array([[date_part(w, p) for p in parts] + [float(t)] for w, t in zip(when, rows["temp"])], np.float32)
    np.testing.assert_allclose(session.run(None, {"input": x})[0][:, 0], expected.to_numpy(float)[:, 0], rtol=1e-5)


def test_months_written_year_first_are_dates_that_predict_and_the_script_read_alike(tmp_path):
    # fpp3's souvenirs: "1987 Jan" was a text column of a different value in every row, ignored
    months = pd.date_range("1987-01-01", periods=84, freq="MS")
    sales = 1000 + 40 * np.arange(84) + 600 * (months.month == 12)
    frame = pd.DataFrame({"Month": months.strftime("%Y %b"), "Sales": sales})
    table = read_csv_text(frame.to_csv(index=False))
    assert table.column("Month").date_format == "%Y %b"
    ds = build_dataset(table, targets=["Sales"], val_split=0.2, split="latest")
    assert ds.preprocessor.feature_names == ["Month.year", "Month.month"]
    assert "validation on the latest dates in column 'Month' (17 rows), training on the earlier ones" in ds.notes
    # a file of the months to forecast alone: one column whose cells hold a space, not a table cut at its spaces
    rows = pd.DataFrame({"Month": [*pd.date_range("1994-01-01", periods=24, freq="MS").strftime("%Y %b"), "", "1996 Foo"]})
    expected, _ = _script_agrees_with_predict(tmp_path, _train(ds, epochs=20), ds, rows)
    again = read_csv(tmp_path / "new.csv").frame
    assert list(again.columns) == ["Month"] and again["Month"].iloc[0] == "1994 Jan"
    assert len(expected) == 26


def _orders(n=300, seed=0):
    """Orders through the day: the price rises in the evening, as a pizza place's or a taxi's do."""
    rng = np.random.default_rng(seed)
    seconds = rng.integers(9 * 3600, 23 * 3600, n)
    size = rng.integers(1, 4, n)
    price = 10 + 3 * size + 0.8 * seconds / 3600 + rng.normal(0, 0.5, n)
    times = [f"{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}" for t in seconds]
    return pd.DataFrame({"order_time": times, "size": size, "price": price.round(2)})


def test_a_column_of_times_of_day_is_an_input_as_its_hour_and_dates_no_row(tmp_path):
    assert date_parts("%H:%M:%S") == ("hour",)
    assert date_part(read_date("18:30:36", "%H:%M:%S"), "hour") == pytest.approx(18.51)
    table = read_csv_text(_orders().to_csv(index=False))
    assert table.column("order_time").date_format == "%H:%M:%S"          # was ignored: "dates or times"
    ds = build_dataset(table, targets=["price"], val_split=0.25, seed=0)
    assert ds.preprocessor.feature_names == ["order_time.hour", "size"]
    assert ("column 'order_time' holds times of day (written like '13:45:00'): used as 1 number, order_time.hour"
            in ds.notes)
    with_time = _r2(_train(ds, epochs=100), ds)
    without = build_dataset(table, targets=["price"], ignore=["order_time"], val_split=0.25, seed=0)
    assert with_time > 0.9 and with_time > _r2(_train(without, epochs=100), without) + 0.3, with_time
    # a time of day does not date a row: the latest split takes the file's last rows, not the evening's
    latest = build_dataset(table, targets=["price"], val_split=0.2, split="latest")
    assert "validation on the last rows of the file (60 rows), training on the earlier ones" in latest.notes
    assert not any("dates the rows" in note for note in ds.notes)
    # predict and the exported script read new times alike, a missing one and an unread one included
    net = _train(ds, epochs=20)
    rows = pd.DataFrame({"order_time": ["09:15:00", "", "22:59:59", "noon"], "size": ["1", "2", "3", "2"]})
    _, out = _script_agrees_with_predict(tmp_path, net, ds, rows)
    said = ds.preprocessor.input_notes(rows.replace({"": None}))
    assert ("'order_time': 1 value not read as dates or times like the training data's (such as 'noon'), filled "
            "with the training mean of each number a date gives") in said
    assert all(f"note: {note}" in out.stderr.splitlines() for note in said)
    assert not any("outside the span" in note for note in said)


def test_a_target_of_dates_is_refused():
    rows = "".join(f"2011-01-{1 + i % 28:02d},{i % 5}\n" for i in range(40))
    with pytest.raises(Exception, match="holds dates or times"):
        build_dataset(read_csv_text("when,x\n" + rows), targets=["when"])


def test_a_split_of_the_latest_rows_validates_on_the_latest_dates_whatever_the_files_order():
    frame = _riders(100).iloc[::-1]                                   # newest first, as price tables list them
    table = read_csv_text(frame.to_csv(index=False))
    ds = build_dataset(table, targets=["riders"], val_split=0.2, split="latest")
    days = pd.to_datetime(ds.raw_val["date"], format="%m/%d/%Y")
    assert len(days) == 20 and days.min() == pd.Timestamp("2011-03-22") and days.max() == pd.Timestamp("2011-04-10")
    assert "validation on the latest dates in column 'date' (20 rows), training on the earlier ones" in ds.notes
    # a random split of dated rows says what it measures
    mixed = build_dataset(table, targets=["riders"], val_split=0.2)
    assert pd.to_datetime(mixed.raw_val["date"], format="%m/%d/%Y").min() < pd.Timestamp("2011-03-01")
    assert any(note.startswith("column 'date' dates the rows: the validation rows are drawn at random")
               for note in mixed.notes)
    # no dates: the last rows of the file, classes or numbers
    plain = read_csv_text("x,size,y\n" + "".join(f"{i},{i % 7},{'ab'[i % 2]}\n" for i in range(50)))
    last = build_dataset(plain, targets=["y"], inputs=["x", "size"], val_split=0.2, split="latest")
    assert last.raw_val["x"].tolist() == list(range(40, 50))
    assert "validation on the last rows of the file (10 rows), training on the earlier ones" in last.notes
    with pytest.raises(Exception, match="Unknown split 'future'"):
        build_dataset(plain, targets=["y"], split="future")


def test_two_digit_years_far_ahead_are_last_centurys_and_a_few_odd_cells_are_said_not_fatal():
    # strptime reads "Jul-67" as 2067; an economics series from 1967 then sorted last
    assert date_format(["Jul-67", "Dec-68", "Jan-15"]) == "%b-%y"
    assert read_date("Jul-67", "%b-%y").year == 1967 and read_date("Mar-29", "%b-%y").year == 2029
    assert read_date("22/01/50", "%d/%m/%y").year == 1950
    # two cells of 302 written otherwise: the column is still dates, and the note names them
    rows = "d,x,y\n" + "".join(f"2011-{1 + i % 12:02d}-{1 + i % 28:02d},{i % 7},{'ab'[i % 2]}\n" for i in range(300))
    table = read_csv_text(rows + "03/04/2011,1,a\nsoon,2,b\n")
    assert table.column("d").date_format == "%Y-%m-%d"
    ds = build_dataset(table, targets=["y"])
    assert any(note.endswith("; 2 cells not written like '2024-01-31' (such as '03/04/2011') filled with the "
                             "training mean of each number") for note in ds.notes), ds.notes


def test_a_file_that_writes_its_dates_otherwise_is_read_in_its_own_way_by_predict_and_the_script(tmp_path):
    # a spreadsheet saves 2011-11-03 again as 11/3/2011: read with the training format, every row got the mean day
    frame = _riders(200, fmt="%Y-%m-%d")
    ds = build_dataset(read_csv_text(frame.to_csv(index=False)), targets=["riders"], val_split=0.25, seed=0)
    net = _train(ds, epochs=10)
    days = pd.to_datetime(["2011-02-05", "2011-03-14", "2011-05-03", "2011-06-25"])
    iso = pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "temp": ["10", "11", "12", "13"]})
    excel = iso.assign(date=[f"{d.month}/{d.day}/{d.year}" for d in days])
    model = LoadedModel(net, ds.preprocessor, {})
    np.testing.assert_array_equal(predict_rows(model, excel).to_numpy(float), predict_rows(model, iso).to_numpy(float))
    note = "'date': dates read as this file writes them ('1/31/2024'), not as the training data's ('2024-01-31')"
    assert ds.preprocessor.input_notes(excel) == [note.replace("'1/31/2024'", "'01/31/2024'")]
    (tmp_path / "excel.csv").write_text(excel.to_csv(index=False))
    script = export_model(tmp_path / "m.py", net, ds.preprocessor)
    out = subprocess.run([sys.executable, str(script), str(tmp_path / "excel.csv")], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stderr.splitlines() == ["note: " + note.replace("'1/31/2024'", "'01/31/2024'")]
    printed = pd.read_csv(pd.io.common.StringIO(out.stdout)).to_numpy(float)
    np.testing.assert_allclose(printed, predict_rows(model, iso).to_numpy(float), rtol=1e-6)


def _as_numbers(days, how):
    """The same days as files write them in numbers."""
    if how == "yyyymmdd":
        return days.strftime("%Y%m%d")
    if how == "excel":
        return [f"{(d - pd.Timestamp('1899-12-30')) / pd.Timedelta(days=1)}".removesuffix(".0") for d in days]
    seconds = (days - pd.Timestamp("1970-01-01")) // pd.Timedelta(seconds=1)
    return [str(s * 1000 if how == "unix-ms" else s) for s in seconds]


@pytest.mark.parametrize("how, name, freq", [("yyyymmdd", "day", "D"), ("excel", "Date", "D"),
                                             ("excel", "order_date", "6h"), ("unix", "timestamp", "h"),
                                             ("unix-ms", "createdTime", "h")])
def test_dates_written_as_numbers_give_the_numbers_the_same_dates_written_out_give(how, name, freq):
    # a spreadsheet's General format saves dates as day numbers (40909), programs as 20110504 or Unix
    # seconds; as plain numbers 20110505 was 20110504 in float32 and a new year a jump of 8,870
    days = pd.date_range("2011-01-01 00:00", periods=300, freq=freq)
    y = np.arange(300) % 7
    iso = pd.DataFrame({name: days.strftime("%Y-%m-%d %H:%M:%S"), "y": y}).to_csv(index=False)
    numbers = pd.DataFrame({name: _as_numbers(days, how), "y": y}).to_csv(index=False)
    table = read_csv_text(numbers)
    assert table.column(name).date_format is not None
    written, expected = (build_dataset(read_csv_text(text), targets=["y"], val_split=0.2, seed=0)
                         for text in (numbers, iso))
    assert written.preprocessor.feature_names == expected.preprocessor.feature_names
    assert f"{name}.weekday" in written.preprocessor.feature_names
    np.testing.assert_allclose(written.X_train, expected.X_train, atol=1e-6)
    assert any(f"column '{name}' holds dates" in n for n in written.notes)


@pytest.mark.parametrize("name, cells", [
    ("time", ["25100", "26240", "31007", "28000"]),          # a marathon in seconds, not a day in 1968
    ("date", ["1", "15", "31", "7"]),                          # days of the month
    ("code", ["12345678", "20110504", "20110505", "20110506"]),  # 8 digits, but not every one a date
    ("price", ["41000", "42000", "43000", "44000"]),          # Excel's range, but no date in the name
])
def test_numbers_that_are_not_dates_stay_numbers(name, cells):
    table = read_csv_text(f"{name},y\n" + "".join(f"{c},{i}\n" for i, c in enumerate(cells)))
    assert table.column(name).kind == "numeric" and table.column(name).date_format is None


def test_a_model_trained_on_day_numbers_predicts_a_one_row_file_and_the_script_agrees(tmp_path):
    frame = _riders(200, fmt="%Y%m%d")
    ds = build_dataset(read_csv_text(frame.to_csv(index=False)), targets=["riders"], val_split=0.25, seed=0)
    assert ds.preprocessor.to_dict()["inputs"][0]["kind"] == "date"
    net = _train(ds, epochs=10)
    model = LoadedModel(net, ds.preprocessor, {})
    # one row: no column of dates to judge by, yet 20110505 is not read through float32 (20110504)
    friday, saturday = (pd.DataFrame({"date": [d], "temp": ["10"]}) for d in ("20110506", "20110507"))
    iso = pd.DataFrame({"date": ["2011-05-07"], "temp": ["10"]})
    (tmp_path / "one.csv").write_text(saturday.to_csv(index=False))
    read_back = read_csv(tmp_path / "one.csv").frame
    np.testing.assert_array_equal(predict_rows(model, read_back).to_numpy(float),
                                  predict_rows(model, saturday).to_numpy(float))
    assert not np.array_equal(predict_rows(model, friday).to_numpy(float), predict_rows(model, saturday).to_numpy(float))
    np.testing.assert_array_equal(predict_rows(model, iso).to_numpy(float), predict_rows(model, saturday).to_numpy(float))
    script = export_model(tmp_path / "m.py", net, ds.preprocessor)
    out = subprocess.run([sys.executable, str(script), str(tmp_path / "one.csv")], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    printed = pd.read_csv(pd.io.common.StringIO(out.stdout)).to_numpy(float)
    np.testing.assert_allclose(printed, predict_rows(model, saturday).to_numpy(float), rtol=1e-6)


def test_a_span_of_dates_is_named_by_the_month_it_starts_in():
    from core.dates import year_text
    july = date_part(read_date("1967-07-01", "%Y-%m-%d"), "year")
    assert year_text(july) == "July 1967" and year_text(float(np.float32(july))) == "July 1967"
    assert year_text(date_part(read_date("2016-12-31", "%Y-%m-%d"), "year")) == "December 2016"


def test_quarters_and_iso_weeks_are_dates_of_their_first_day():
    # economics files write quarters, retail files weeks: both were categories, a feature per period
    periods = [f"{1990 + i // 4}Q{1 + i % 4}" for i in range(80)]
    table = read_csv_text("quarter,gdp\n" + "".join(f"{p},{100 + i + 5 * (i % 4)}\n" for i, p in enumerate(periods)))
    assert table.column("quarter").date_format == "#quarter"
    ds = build_dataset(table, targets=["gdp"], val_split=0.2, seed=0)
    assert ds.preprocessor.feature_names == ["quarter.year", "quarter.month"]
    assert read_date("2011Q2", "#quarter").date() == read_date("2011-04-01", "%Y-%m-%d").date()
    assert read_date("2011-W06", "#week").strftime("%Y-%m-%d %a") == "2011-02-07 Mon"


def test_predicting_the_training_file_itself_finds_no_date_outside_its_span():
    # the span was the training rows', so a first or last day drawn for validation lay "outside" it
    frame = _riders(900, fmt="%Y-%m-%d").iloc[::3]                   # a reading every third day
    for seed in range(5):
        ds = build_dataset(read_csv_text(frame.to_csv(index=False)), targets=["riders"], val_split=0.25, seed=seed)
        assert not [n for n in ds.preprocessor.input_notes(frame) if "outside the span" in n], seed
