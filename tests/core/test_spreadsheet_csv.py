"""What spreadsheets write into CSV files. Numbers as reports write them ("$1,234.50", "45%", "1,234,567")
are numbers to the loader, to a saved model's preprocessing, to the exported numpy script and to
`main.py predict`, and so are their decimal-comma spellings ("1.234,56", "12,5 %"). Excel's first line
"sep=;" names the delimiter for the loader and the script; a report's title line above the header and
rows of bare delimiters below the table are not data; dates are left out of the inputs by default."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from core.data import build_dataset, decorated_number, read_csv, read_csv_bytes, read_csv_text, rows_with_values
from core.errors import DataError
from tests.conftest import ROOT


@pytest.mark.parametrize("text, value", [
    ("$1,234.50", 1234.5), ("45%", 45.0), ("12.5 €", 12.5), ("-£3", -3.0), ("£-3", -3.0),
    ("1,234,567", 1234567.0), ("¥ 800", 800.0), ("+7", 7.0), (".5%", 0.5), ("  $ 12  ", 12.0),
    ("\u22125", -5.0), ("(1,234.50)", -1234.5), ("($ 12)", -12.0), ("1'234.50", 1234.5),
    ("12\u2019345", 12345.0), ("-1'234'567", -1234567.0),
    ("USD 1,200", 1200.0), ("EUR 603.51", 603.51), ("-USD 100", -100.0), ("US$ 12.5", 12.5),
    ("Rs. 16,52,782", 1652782.0), ("Rs 1,00,000", 100000.0), ("₹17,67,660", 1767660.0),
    ("1,23,456", 123456.0), ("1,00,000.50", 100000.5),
])
def test_decorated_spellings_read_as_their_number(text, value):
    assert decorated_number(text) == value


@pytest.mark.parametrize("text", ["12,34", "1,2,345", "12,34,56", "PC 17599", "ABC 100", "USD", "abc", "$", "-$-3", "€ 1.234,50", "12 apples", "3%%",
                                  "((3))", "(-3)", "(abc)", "1'23", "12'3456", "o'clock"])
def test_other_text_is_no_decorated_number(text):
    assert decorated_number(text) is None


@pytest.mark.parametrize("text, value", [
    ("1.234,56", 1234.56), ("12,5 %", 12.5), ("€ 1.234,50", 1234.5), ("1 234,56", 1234.56),
    ("1\u202f234\u202f567,8", 1234567.8), ("-3,5", -3.5), ("99 €", 99.0),
])
def test_decimal_comma_spellings_read_as_their_number(text, value):
    assert decorated_number(text, ",") == pytest.approx(value)
    assert decorated_number("1,234.56", ",") is None


def test_decimal_comma_files_with_grouped_thousands_and_percents_load_as_numbers(tmp_path):
    from core.export import LoadedModel, export_model, predict_rows
    from core.network import Network

    rng = np.random.default_rng(3)
    price = rng.uniform(100, 5000, 90).round(2)
    rebate = rng.integers(0, 30, 90) + 0.5
    spelt = [f"{p:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".") for p in price]
    rows = [f"{p};{r:.1f} %;{'ja' if v > 2500 else 'nein'}".replace(".5 %", ",5 %")
            for p, r, v in zip(spelt, rebate, price)]
    path = tmp_path / "preise.csv"
    path.write_text("Preis;Rabatt;Kauf\n" + "\n".join(rows) + "\n", encoding="utf-8")
    table = read_csv(path)
    assert table.column("Preis").kind == "numeric" and table.column("Rabatt").kind == "numeric"
    np.testing.assert_allclose(table.frame["Preis"], price, rtol=1e-6)
    np.testing.assert_allclose(table.frame["Rabatt"], rebate)
    assert any(note.startswith("column 'Preis': numbers written like") for note in table.notes)

    ds = build_dataset(table, val_split=0)
    net = Network([ds.n_features, 3, ds.n_outputs], ["tanh", "sigmoid"], "binary-cross-entropy", seed=0)
    expected = predict_rows(LoadedModel(net, ds.preprocessor, {}), table.frame)
    from_text = predict_rows(LoadedModel(net, ds.preprocessor, {}),
                             pd.DataFrame({"Preis": spelt, "Rabatt": [r.split(";")[1] for r in rows]}))
    assert from_text.iloc[:, 0].tolist() == expected.iloc[:, 0].tolist()
    printed = _script_predictions(export_model(tmp_path / "model.py", net, ds.preprocessor), path)
    assert printed.iloc[:, 0].astype(str).tolist() == expected.iloc[:, 0].tolist()


def _sales(n=120, seed=0):
    rng = np.random.default_rng(seed)
    price = rng.uniform(1, 5000, n).round(2)
    discount = rng.integers(0, 60, n)
    units = rng.integers(1, 100_000, n)
    region = rng.choice(["north", "south"], n)
    bought = np.where(price * (1 - discount / 100) < 2000, "yes", "no")
    rows = [f'"${p:,.2f}",{d}%,"{u:,}",{r},{b}' for p, d, u, r, b in zip(price, discount, units, region, bought)]
    return "price,discount,units,region,bought\n" + "\n".join(rows) + "\n", price, discount, units


def test_currency_percent_and_thousands_columns_load_as_numbers():
    text, price, discount, units = _sales()
    table = read_csv_text(text, "sales.csv")
    kinds = {c.name: c.kind for c in table.columns}
    assert kinds["price"] == kinds["discount"] == kinds["units"] == "numeric", kinds
    np.testing.assert_allclose(table.frame["price"].to_numpy(float), price, rtol=1e-6)
    np.testing.assert_array_equal(table.frame["discount"].to_numpy(float), discount)
    np.testing.assert_array_equal(table.frame["units"].to_numpy(float), units)
    ds = build_dataset(table, targets=["bought"], val_split=0.25, seed=0)
    assert ds.feature_names == ["price", "discount", "units", "region=north", "region=south"]
    assert any("'price'" in n and "read as numbers" in n for n in ds.notes), ds.notes


def test_a_header_over_decorated_columns_only_is_found():
    rows = [f'"${i * 13.5:,.2f}",{i % 40}%' for i in range(1, 80)]
    table = read_csv_text("price,discount\n" + "\n".join(rows) + "\n")
    assert table.column_names == ["price", "discount"] and table.n_rows == 79
    assert table.frame["price"].iloc[-1] == pytest.approx(79 * 13.5)


def test_a_file_without_header_keeps_its_first_row_of_prices():
    rows = [f'"${i * 13.5:,.2f}",{i % 40}%' for i in range(1, 80)]
    table = read_csv_text("\n".join(rows) + "\n")
    assert table.column_names == ["col_1", "col_2"] and table.n_rows == 79
    assert table.frame["col_1"].iloc[0] == pytest.approx(13.5)


def test_a_text_column_with_a_few_prices_stays_text():
    rows = [f"{'$12.50' if i % 5 == 0 else ('red', 'green', 'blue')[i % 3]},{i % 2}" for i in range(60)]
    table = read_csv_text("colour,y\n" + "\n".join(rows) + "\n")
    assert table.column("colour").kind == "categorical"


def test_decimal_comma_files_keep_their_reading():
    rows = [f"{i},5;{(i * 7) % 13},25;{i % 2}" for i in range(40)]
    table = read_csv_text("a;b;y\n" + "\n".join(rows) + "\n")
    assert table.frame["a"].to_numpy(float)[:3].tolist() == [0.5, 1.5, 2.5]


def test_saved_preprocessing_script_and_cli_read_decorated_cells_like_plain_ones(tmp_path):
    from core.export import LoadedModel, export_model, predict_rows
    from core.network import Network

    text, *_ = _sales()
    ds = build_dataset(read_csv_text(text, "sales.csv"), targets=["bought"], val_split=0.25, seed=0)
    net = Network([ds.n_features, 6, ds.n_outputs], ["tanh", "sigmoid"], "binary-cross-entropy", seed=1)
    pre = ds.preprocessor
    plain = pd.DataFrame({"price": [1234.5, 80.0], "discount": [45, 5], "units": [1234567, 12],
                          "region": ["north", "south"]})
    written = pd.DataFrame({"price": ["$1,234.50", "80 €"], "discount": ["45%", "5%"],
                            "units": ["1,234,567", "12"], "region": ["north", "south"]})
    np.testing.assert_array_equal(pre.transform(written), pre.transform(plain))

    data = tmp_path / "new.csv"
    data.write_text('price,discount,units,region\n"$1,234.50",45%,"1,234,567",north\n80 €,5%,12,south\n',
                    encoding="utf-8")
    expected = predict_rows(LoadedModel(net, pre, {}), plain)
    script = export_model(tmp_path / "model.py", net, pre)
    out = subprocess.run([sys.executable, str(script), str(data)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    printed = pd.read_csv(io.StringIO(out.stdout))
    assert printed.iloc[:, 0].astype(str).tolist() == expected.iloc[:, 0].tolist()
    np.testing.assert_allclose(printed.iloc[:, 1:].to_numpy(float), expected.iloc[:, 1:].to_numpy(float),
                               atol=1e-6)
    model = export_model(tmp_path / "model.npz", net, pre)
    cli = subprocess.run([sys.executable, str(ROOT / "main.py"), "predict", str(model), str(data)],
                         capture_output=True, text=True, timeout=60)
    assert cli.returncode == 0, cli.stderr
    from_cli = pd.read_csv(io.StringIO(cli.stdout))
    assert from_cli.iloc[:, 0].astype(str).tolist() == expected.iloc[:, 0].tolist()
    assert read_csv(data).column("price").kind == "numeric"


@pytest.mark.parametrize("hint, delimiter", [("sep=;", ";"), ('"sep=,"', ","), ("sep=\t", "\t"), ("SEP=|", "|")])
def test_excels_sep_line_names_the_delimiter_for_the_loader_and_the_script(tmp_path, hint, delimiter):
    from core.export import LoadedModel, export_model, predict_rows
    from core.network import Network

    decimal = "," if delimiter == ";" else "."
    rows = [delimiter.join([f"{i % 9}{decimal}5", str(i % 4), ("ja", "nein")[i % 2]]) for i in range(40)]
    path = tmp_path / "excel.csv"
    path.write_text("\r\n".join([hint, delimiter.join(["a", "b", "y"]), *rows]) + "\r\n", encoding="utf-8")
    table = read_csv(path)
    assert table.column_names == ["a", "b", "y"] and table.n_rows == 40
    assert table.frame["a"].iloc[1] == 1.5
    assert any("sep=" in note.lower() for note in table.notes), table.notes
    ds = build_dataset(table, targets=["y"], val_split=0)
    net = Network([ds.n_features, 3, ds.n_outputs], ["tanh", "sigmoid"], "binary-cross-entropy", seed=0)
    printed = _script_predictions(export_model(tmp_path / "model.py", net, ds.preprocessor), path)
    expected = predict_rows(LoadedModel(net, ds.preprocessor, {}), table.frame)
    assert printed.iloc[:, 0].astype(str).tolist() == expected.iloc[:, 0].tolist()


def test_classes_spelt_alike_but_for_case_are_kept_apart_with_a_note():
    rows = [f"{i % 7},{('yes', 'no', 'No')[i % 3]}" for i in range(60)]
    ds = build_dataset(read_csv_text("x,returned\n" + "\n".join(rows) + "\n"), val_split=0.2, seed=0)
    assert ds.class_names == ["No", "no", "yes"]
    assert ("target 'returned': classes 'No' and 'no' differ only in case; they are kept apart (spell them one way "
            "in the file to make them one class)") in ds.notes
    plain = build_dataset(read_csv_text("x,y\n" + "\n".join(f"{i % 5},{'ab'[i % 2]}" for i in range(40)) + "\n"))
    assert not any("differ only in case" in note for note in plain.notes)


def test_classes_spelt_alike_but_for_a_final_dot_are_kept_apart_with_a_note():
    # UCI adult: the test file's labels end in '.'; pasted below the training file, each class is two
    rows = [f"{i % 7},{('<=50K', '>50K', '<=50K.', '>50K.')[i % 4]}" for i in range(80)]
    ds = build_dataset(read_csv_text("age,income\n" + "\n".join(rows) + "\n"), val_split=0.2, seed=0)
    assert len(ds.class_names) == 4
    assert ("target 'income': classes '<=50K' and '<=50K.' differ only in case, spaces or a final '.'; they are "
            "kept apart (spell them one way in the file to make them one class)") in ds.notes
    assert sum("differ only in" in note for note in ds.notes) == 2


def test_mostly_empty_and_free_text_columns_are_left_out_unless_chosen():
    from core.data import default_exclusion

    lines = ["id,cabin,ticket,port,age,survived"]
    for i in range(200):
        cabin = f"C{i % 9}" if i % 4 == 0 else ""
        lines.append(f"{i},{cabin},T-{i * 7919 % 150},{'SCQ'[i % 3]},{20 + i % 50},{i % 2}")
    table = read_csv_text("\n".join(lines) + "\n")
    ds = build_dataset(table, val_split=0.2, seed=0)
    assert ds.preprocessor.input_columns == ["port", "age"] and ds.n_train + ds.n_val == 200
    assert "column 'cabin' is empty in 75% of the rows: ignored" in ds.notes
    assert "column 'ticket' has 150 different values in 200 rows (free text or codes): ignored" in ds.notes
    chosen = build_dataset(table, inputs=["cabin", "age"], missing="fill", val_split=0.2, seed=0)
    assert chosen.preprocessor.input_columns == ["cabin", "age"]
    assert default_exclusion(table.column("port"), table.n_rows) is None


def test_a_title_above_the_header_and_bare_delimiter_rows_below_are_not_data(tmp_path):
    from core.export import LoadedModel, export_model, predict_rows
    from core.network import Network

    rows = [f"{'NS'[i % 2]},{i % 50 + 1},{(i * 37) % 100 + 0.5},{'yes' if (i * 37) % 100 > 50 else 'no'},"
            for i in range(80)]
    path = tmp_path / "report.csv"
    path.write_text("\n".join(["Sales report 2024,,,,", "", "region,units,price,bought,", *rows, ",,,,", ",,,,"])
                    + "\n", encoding="utf-8")
    table = read_csv(path)
    assert table.column_names == ["region", "units", "price", "bought"]
    assert table.column("units").kind == "numeric" and table.column("price").kind == "numeric"
    assert "line 1 ('Sales report 2024') skipped: a title above the header" in table.notes
    ds = build_dataset(table, val_split=0.25, seed=0)
    assert ds.n_train + ds.n_val == 80 and ds.class_names == ["no", "yes"]
    assert "2 empty rows skipped" in ds.notes
    assert not any("missing" in note for note in ds.notes), ds.notes

    net = Network([ds.n_features, 3, ds.n_outputs], ["tanh", "sigmoid"], "binary-cross-entropy", seed=0)
    printed = _script_predictions(export_model(tmp_path / "model.py", net, ds.preprocessor), path)
    expected = predict_rows(LoadedModel(net, ds.preprocessor, {}), table.frame.iloc[:80])
    assert printed.iloc[:, 0].astype(str).tolist() == expected.iloc[:, 0].tolist()   # and no row for ',,,,'
    rows, skipped = rows_with_values(table)
    assert len(rows) == 80 and skipped == ["2 empty rows skipped"]


def test_notes_below_the_table_are_skipped_in_training_and_prediction(tmp_path):
    from core.export import export_model
    from core.network import Network

    rows = [f"{i % 7 + 0.5},{(i * 13) % 10},{'ab'[i % 2]}" for i in range(40)]
    footer = ["", "Note: 2024 figures are provisional.", '"Source: Example Agency, table 4"', "© 2024 Example Agency"]
    path = tmp_path / "report.csv"
    path.write_text("\n".join(["x,z,label", *rows, *footer]) + "\n", encoding="utf-8")
    table = read_csv(path)
    assert table.n_rows == 40 and table.column("x").kind == "numeric"
    assert "3 lines of text below the table skipped ('Note: 2024 figures are provisional.' …)" in table.notes
    ds = build_dataset(table, val_split=0.25, seed=0)
    assert ds.n_train + ds.n_val == 40 and ds.class_names == ["a", "b"]

    net = Network([ds.n_features, 3, ds.n_outputs], ["tanh", "sigmoid"], "binary-cross-entropy", seed=0)
    script = export_model(tmp_path / "model.py", net, ds.preprocessor)
    out = subprocess.run([sys.executable, str(script), str(path)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert len(pd.read_csv(io.StringIO(out.stdout))) == 40


def test_the_last_lines_of_a_quoted_cell_are_no_notes_below_the_table():
    t = read_csv_text('id,comment\n1,"first line\nsecond line"\n2,"one\nlast line"\n')
    assert t.n_rows == 2 and t.frame["comment"].tolist() == ["first line\nsecond line", "one\nlast line"]
    assert not any("below the table" in note for note in t.notes)


def test_a_one_cell_line_over_numbers_is_no_title_above_a_header():
    table = read_csv_text("first,,\n1,2,3\n4,5,6\n7,,9\n")
    assert not any("title" in note for note in table.notes)
    assert table.n_rows == 3 and table.frame.iloc[:, 0].tolist() == [1, 4, 7]


def test_scikit_learns_line_of_counts_above_its_data_files_is_skipped():
    """scikit-learn ships its data sets as CSV files that start with 'rows,features,class names':
    breast_cancer.csv's first line has 4 fields over rows of 31 (the file failed to load), iris.csv's
    has as many fields as its rows (its first row was read as data with 'setosa' missing)."""
    rng = np.random.default_rng(0)

    def rows(n, features, classes):
        return "".join(",".join(f"{v:.4g}" for v in rng.normal(10, 2, features)) + f",{i % classes}\n"
                       for i in range(n))

    cancer = read_csv_text("569,30,malignant,benign\n" + rows(60, 30, 2), "breast_cancer.csv")
    assert cancer.n_rows == 60 and len(cancer.columns) == 31
    assert ("line 1 ('569,30,malignant,benign') skipped: scikit-learn's count of rows and features; the "
            "last column's codes 0–1 are read as malignant, benign") in cancer.notes
    assert cancer.frame.iloc[:4, -1].tolist() == ["malignant", "benign", "malignant", "benign"]
    iris = read_csv_text("150,4,setosa,versicolor,virginica\n" + rows(30, 4, 3), "iris.csv")
    assert iris.n_rows == 30 and not any("missing" in note or "non-numeric" in note for note in iris.notes)
    ds = build_dataset(iris, val_split=0.2, seed=0)
    assert ds.class_names == ["setosa", "versicolor", "virginica"] and ds.n_features == 4   # not 0, 1, 2
    # a code further down that no name stands for: the codes stay codes
    odd = read_csv_text("40,4,yes,no\n" + rows(39, 4, 2) + "1.5,2.5,3.5,4.5,7\n")
    assert "no" not in set(odd.frame.iloc[:, -1].astype(str))
    # Boston's file: the counts, then a header
    boston = read_csv_text("506,3\nCRIM,ZN,MEDV\n" + "".join(f"{i}.5,{i % 3},{20 + i}\n" for i in range(20)))
    assert [c.name for c in boston.columns] == ["CRIM", "ZN", "MEDV"] and boston.n_rows == 20
    # a first row that merely starts with two whole numbers is data
    plain = read_csv_text("3,4,red\n5,6,blue\n7,8,red\n1,2,blue\n")
    assert plain.n_rows == 4 and not any("skipped" in note for note in plain.notes)
    # any other short first line is a ragged row, measured against most rows (it said "like the first row")
    with pytest.raises(DataError, match=r"^short\.csv, line 1: expected 31 fields like most rows, found 4\.$"):
        read_csv_text("1,2,3,4\n" + rows(60, 30, 2), "short.csv")


@pytest.mark.parametrize("sep", [" ", ",", "\t"])
def test_rs_write_table_files_have_their_row_names_as_a_first_column(sep):
    """R's write.table writes no header cell above the row names: the header is one field short. The
    file failed ('the header names 3 columns but the data rows have 4 fields')."""
    q = lambda cells: sep.join(cells) + "\n"                       # noqa: E731
    text = q(['"speed"', '"dist"', '"kind"']) + "".join(
        q([f'"car {i}"', str(4 + i % 21), str(2 + (i * 7) % 90), f'"{"ab"[i % 2]}"']) for i in range(40))
    table = read_csv_text(text, "cars.txt")
    assert [c.name for c in table.columns] == ["row_names", "speed", "dist", "kind"]
    assert table.frame["speed"].tolist()[:3] == [4, 5, 6] and table.frame["kind"].tolist()[:2] == ["a", "b"]
    assert any(note.startswith("the header names one column fewer than the rows hold") for note in table.notes)
    ds = build_dataset(table, val_split=0.2, seed=0)
    assert ds.preprocessor.input_columns == ["speed", "dist"]          # the names are an identifier: ignored
    # an unquoted cell holding the delimiter in every row is still the error it was
    with pytest.raises(DataError, match="the header names 3 columns but the data rows have 4 fields"):
        read_csv_text("name,age,kind\n" + "".join(f"Smith {i}, John,{20 + i},{'ab'[i % 2]}\n" for i in range(40)))


def test_column_names_in_single_quotes_lose_them():
    """statsmodels' anes96.csv names its columns 'popul', 'TVnews', … 'vote': `--target vote` found nothing."""
    table = read_csv_text("'popul'\t'TVnews'\t'vote'\n" + "".join(f"{i * 3}\t{i % 8}\t{i % 2}\n" for i in range(30)))
    assert [c.name for c in table.columns] == ["popul", "TVnews", "vote"]
    assert "column names written in single quotes ('popul'): quotes removed" in table.notes
    assert build_dataset(table, targets=["vote"], val_split=0.2, seed=0).class_names == ["0", "1"]
    # one quoted name among others is a name with quotes, as written
    assert [c.name for c in read_csv_text("'a',b\n1,2\n3,4\n").columns] == ["'a'", "b"]


BLS_EXPORT = ("Series Id:           LNS14000000Q\n\nSeasonally Adjusted\n"
              "Series title:        (Seas) Unemployment Rate\nLabor force status:  Unemployment rate\n"
              "Type of data:        Percent or rate\nAge:                 16 years and over\n\n\n"
              "Series id,Year,Period,Value,\n"
              + "".join(f"LNS14000000Q,{1959 + i // 4},Q0{i % 4 + 1},{4 + (i * 7) % 50 / 10}\n" for i in range(80)))


def test_several_short_lines_above_a_table_are_skipped_together():
    """The US Bureau of Labor Statistics' CSV starts with six 'key:   value' lines and blank lines; the
    file failed with 'line 10: expected 1 field like the header, found 5'."""
    table = read_csv_text(BLS_EXPORT, "unemp.csv")
    assert [c.name for c in table.columns] == ["Series id", "Year", "Period", "Value"] and table.n_rows == 80
    assert "lines 1–9 skipped: 6 lines above the table, from 'Series Id: LNS14000000Q'" in table.notes
    assert table.frame["Value"].tolist()[:2] == pytest.approx([4.0, 4.7])


def test_a_block_of_key_value_lines_with_a_value_spanning_lines_is_skipped():
    """The UK's Regional Trends CSV: 13 'key:,"value"' lines, one value over five lines, a rule and 'Table'
    above the header (failed: 'line 16: expected 2 fields like the header, found 1')."""
    table = read_csv_text(SCRIPT_CASES["a block of key-value lines, one spanning lines"][0], "rt.csv")
    assert table.column_names == ["col_1", "Area (sq km)", "Persons per sq km", "Kind"] and table.n_rows == 40
    assert "lines 1–16 skipped: 12 lines above the table, from 'Dataset Name: RT331601'" in table.notes
    assert table.frame["Area (sq km)"].iloc[1] == 137


DIVORCE_DAT = "       id        heduc   heblack   mixed     years   div\n" + "".join(
    f"{9 + 2 * i:>9}{['12-15 years', '< 12 years', '16+ years'][i % 3]:>13}{'No Yes'.split()[i % 5 == 0]:>10}"
    f"{'No Yes'.split()[i % 3 == 1]:>8}{(i * 7.31) % 40:>10.3f}{'No Yes'.split()[i % 2]:>6}\n" for i in range(60))


def test_a_table_lined_up_with_spaces_whose_values_hold_spaces_is_cut_by_position():
    """lifelines' divorce.dat (and R's or Stata's printed tables): 'heduc' holds '12-15 years' and
    '< 12 years'. It was read as one column named 'id heduc heblack mixed years div'."""
    table = read_csv_text(DIVORCE_DAT, "divorce.dat")
    assert table.column_names == ["id", "heduc", "heblack", "mixed", "years", "div"] and table.n_rows == 60
    assert table.frame["heduc"].tolist()[:3] == ["12-15 years", "< 12 years", "16+ years"]
    assert table.frame["years"].iloc[1] == pytest.approx(7.31, abs=1e-3)
    assert table.notes[0] == ("columns read by their positions: a table lined up with spaces whose values "
                              "hold spaces too")
    # lines of free text stay one column, under their header, every line a row
    words = read_csv_text("comment\n" + "".join(f"{'great value' if i % 2 else 'too small for me'}\n"
                                                  for i in range(20)))
    assert words.column_names == ["comment"] and words.n_rows == 20


def test_date_columns_are_inputs_as_their_numbers_and_heavy_row_drops_suggest_filling():
    from core.data import default_exclusion

    lines = ["when,stamp,shift,temp,count"]
    for i in range(300):
        temp = "" if i % 3 == 0 else str(i % 30)
        stamp = f"{i // 2 % 28 + 1}/0{i // 60 + 1}/2024 {i // 2 % 24:02d}:15"
        lines.append(f"2024-{i // 60 + 1:02d}-{i % 28 + 1:02d},{stamp},"
                     f"{'early late night'.split()[i % 3]},{temp},{i % 7}")
    table = read_csv_text("\n".join(lines) + "\n")
    ds = build_dataset(table, val_split=0.2, seed=0)
    # dates are inputs as their numbers ("2024-01-05" for a year, a month, a day and a weekday)
    assert ds.preprocessor.input_columns == ["when", "stamp", "shift", "temp"]
    assert ("column 'when' holds dates (written like '2024-01-31'): used as 4 numbers, when.year, when.month, "
            "when.day, when.weekday") in ds.notes
    assert ("column 'stamp' holds dates (written like '31/01/2024 13:45'): used as 5 numbers, stamp.year, "
            "stamp.month, stamp.day, stamp.weekday, stamp.hour") in ds.notes   # day 13 and more: day first
    assert "100 rows with missing values dropped (33% of the rows; filling missing values instead keeps them)" \
        in ds.notes
    assert ds.n_train + ds.n_val == 200
    filled = build_dataset(table, missing="fill", val_split=0.2, seed=0)
    assert filled.n_train + filled.n_val == 300 and not any("dropped" in note for note in filled.notes)
    chosen = build_dataset(table, inputs=["when", "temp"], val_split=0.2, seed=0)
    assert chosen.preprocessor.input_columns == ["when", "temp"]
    assert default_exclusion(table.column("shift"), table.n_rows) is None
    few = build_dataset(read_csv_text("x,y\n" + "\n".join(f"{i},{i % 2}" for i in range(50)) + "\n,1\n,0\n"))
    assert "2 rows with missing values dropped" in few.notes


def test_many_columns_left_out_for_one_reason_give_one_note():
    # MNIST-like: the border pixels are 0 in every row
    rows = ["label," + ",".join(f"pixel{j}" for j in range(12))]
    rows += [f"{i % 3}," + ",".join("0" if j < 7 else str((i + j) % 5) for j in range(12)) for i in range(60)]
    ds = build_dataset(read_csv_text("\n".join(rows) + "\n"), targets=["label"], val_split=0.2, seed=0)
    assert ds.preprocessor.input_columns == [f"pixel{j}" for j in range(7, 12)]
    assert "7 columns are constant: ignored (pixel0, pixel1, pixel2, pixel3, …)" in ds.notes
    assert not any(note.startswith("column 'pixel") for note in ds.notes)
    two = build_dataset(read_csv_text("a,b,c,y\n" + "\n".join(f"1,2,{i % 6},{i % 2}" for i in range(30)) + "\n"))
    assert "column 'a' is constant: ignored" in two.notes and "column 'b' is constant: ignored" in two.notes


def test_a_typographic_minus_and_accounting_parentheses_are_negative_numbers(tmp_path):
    from core.export import LoadedModel, export_model, predict_rows
    from core.network import Network

    x = [-(i * 0.5 + 1) if i % 20 == 0 else i * 0.5 for i in range(80)]   # a few negatives in x (5%)
    y = [(-1) ** i * (i + 0.5) for i in range(80)]                        # half of y negative
    spelt_x = [f"\u2212{-v}" if v < 0 else f"{v}" for v in x]            # "−3.5", as copied from a web page
    spelt_y = [f"({-v:,.2f})" if v < 0 else f"{v:,.2f}" for v in y]       # "(1.50)", as accounts write it
    lines = ["x,y,label"] + [f'{a},"{b}",{"ab"[i % 2]}' for i, (a, b) in enumerate(zip(spelt_x, spelt_y))]
    path = tmp_path / "ledger.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_csv(path)
    assert table.column("x").kind == "numeric" and table.column("x").n_missing == 0
    np.testing.assert_allclose(table.frame["x"], x, rtol=1e-6)
    np.testing.assert_allclose(table.frame["y"], y, rtol=1e-6)

    ds = build_dataset(table, targets=["label"], val_split=0)
    net = Network([ds.n_features, 3, ds.n_outputs], ["tanh", "sigmoid"], "binary-cross-entropy", seed=0)
    expected = predict_rows(LoadedModel(net, ds.preprocessor, {}), pd.DataFrame({"x": x, "y": y}))
    typed = predict_rows(LoadedModel(net, ds.preprocessor, {}), pd.DataFrame({"x": spelt_x, "y": spelt_y}))
    assert typed.iloc[:, 0].tolist() == expected.iloc[:, 0].tolist()
    script = export_model(tmp_path / "model.py", net, ds.preprocessor)
    out = subprocess.run([sys.executable, str(script), str(path)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert pd.read_csv(io.StringIO(out.stdout)).iloc[:, 0].astype(str).tolist() == expected.iloc[:, 0].tolist()


def test_swiss_apostrophe_thousands_read_alike_in_the_studio_and_the_script(tmp_path):
    from core.export import LoadedModel, export_model, predict_rows
    from core.network import Network

    path = tmp_path / "preise.csv"
    path.write_text("preis,menge,gekauft\n" + "".join(
        f"{1 + i % 7}'{(i * 137) % 1000:03d}.{i % 100:02d},{i % 9},{'ja' if i % 3 else 'nein'}\n"
        for i in range(40)) + "980.50,3,ja\n12\u2019000.00,4,nein\n", encoding="utf-8")
    table = read_csv(path)
    assert table.column("preis").kind == "numeric"
    assert table.frame["preis"].iloc[1] == np.float32(2137.01) and table.frame["preis"].iloc[-1] == 12000
    ds = build_dataset(table, targets=["gekauft"], val_split=0)
    net = Network([ds.n_features, 3, 1], ["tanh", "sigmoid"], "binary-cross-entropy", seed=0)
    expected = predict_rows(LoadedModel(net, ds.preprocessor, {}), table.frame)
    printed = _script_predictions(export_model(tmp_path / "model.py", net, ds.preprocessor), path)
    assert printed.iloc[:, 0].astype(str).tolist() == expected.iloc[:, 0].tolist()
    np.testing.assert_allclose(printed.iloc[:, 1:].to_numpy(float), expected.iloc[:, 1:].to_numpy(float), atol=1e-6)


@pytest.mark.parametrize("split", [False, True])
def test_a_dos_end_of_file_mark_is_not_a_row(tmp_path, monkeypatch, split):
    import core.data

    rows = "".join(f"{i},{i * 0.5},{'ab'[i % 2]}\r\n" for i in range(300))
    plain = tmp_path / "plain.csv"
    plain.write_bytes(("a,b,y\r\n" + rows).encode())
    dos = tmp_path / "dos.csv"
    dos.write_bytes(("a,b,y\r\n" + rows).encode() + b"\x1a")
    if split:  # the file cut in pieces parsed on two threads, as big files are
        monkeypatch.setattr(core.data, "_SPLIT_BYTES", 512)
        monkeypatch.setattr(core.data, "_parse_workers", lambda: 2)
    got, want = read_csv(dos), read_csv(plain)
    pd.testing.assert_frame_equal(got.frame, want.frame)
    assert got.notes == want.notes and len(got.frame) == 300


def test_currency_codes_and_indian_grouping_read_alike_in_the_studio_and_the_script(tmp_path):
    from core.export import LoadedModel, export_model, predict_rows
    from core.network import Network

    path = tmp_path / "cars.csv"
    path.write_text("price,list_price,sold\n" + "".join(
        f"\"Rs. {1 + i % 9},{(i * 37) % 100:02d},{(i * 137) % 1000:03d}\",\"USD {i + 1},{(i * 71) % 1000:03d}\","
        f"{'yes' if i % 3 else 'no'}\n" for i in range(40)) + "\"₹45,000\",USD 950.50,yes\n", encoding="utf-8")
    table = read_csv(path)
    assert [table.column(c).kind for c in ("price", "list_price")] == ["numeric", "numeric"]
    assert table.frame["price"].iloc[1] == 237137 and table.frame["price"].iloc[-1] == 45000
    assert table.frame["list_price"].iloc[1] == 2071 and table.frame["list_price"].iloc[-1] == np.float32(950.5)
    ds = build_dataset(table, targets=["sold"], val_split=0)
    net = Network([ds.n_features, 3, 1], ["tanh", "sigmoid"], "binary-cross-entropy", seed=0)
    expected = predict_rows(LoadedModel(net, ds.preprocessor, {}), table.frame)
    printed = _script_predictions(export_model(tmp_path / "model.py", net, ds.preprocessor), path)
    np.testing.assert_allclose(printed.iloc[:, 1:].to_numpy(float), expected.iloc[:, 1:].to_numpy(float), atol=1e-6)


def _lab_rows(n):
    # water-quality style: results under the method's limit as '<0.5', over it as '>1000', none as 'n.d.'
    lead = ["<0.5", "1.25", "n.d.", "2.5", "3.75", "<0.5", "0.9", "4.1"]
    nitrate = ["12.5", ">1000", "430", "87.5", "990", "250"]
    return [f"S{i % 5},{lead[i % 8]},{nitrate[i % 6]},{6 + (i * 7) % 20 / 10},{'good' if i % 3 else 'poor'}"
            for i in range(n)]


def test_detection_limits_read_as_the_limit_and_nothing_detected_as_missing(tmp_path):
    path = tmp_path / "lab.csv"
    path.write_text("site,lead,nitrate,ph,quality\n" + "\n".join(_lab_rows(48)) + "\n", encoding="utf-8")
    table = read_csv(path)
    assert [table.column(c).kind for c in ("lead", "nitrate")] == ["numeric", "numeric"]
    assert table.frame["lead"].iloc[0] == np.float32(0.5) and np.isnan(table.frame["lead"].iloc[2])
    assert table.frame["nitrate"].iloc[1] == 1000
    assert ("column 'lead': 12 values given as a detection limit (like '<0.5') read as the limit; "
            "6 values like 'n.d.' (nothing detected) treated as missing") in table.notes
    assert "column 'nitrate': 8 values given as a detection limit (like '>1000') read as the limit" in table.notes


@pytest.mark.parametrize("cells", [["<=50K", ">50K"], ["<18", "18-30", "31-65", ">65"]])
def test_classes_written_with_comparisons_stay_classes(cells):
    t = read_csv_text("age,income\n" + "".join(f"{20 + i},{cells[i % len(cells)]}\n" for i in range(40)))
    assert t.column("income").kind == "categorical"
    assert sorted(t.column("income").categories) == sorted(cells)


def _lab_model(tmp_path, header):
    """(file, table, loaded model, exported script) of a small network fitted on _lab_rows under `header`."""
    from core.export import LoadedModel, export_model
    from core.network import Network

    path = tmp_path / "lab.csv"
    path.write_text(header + "\n" + "\n".join(_lab_rows(48)) + "\n", encoding="utf-8")
    table = read_csv(path)
    ds = build_dataset(table, targets=["quality"], val_split=0, missing="fill")
    net = Network([ds.n_features, 3, 1], ["tanh", "sigmoid"], "binary-cross-entropy", seed=0)
    return path, table, LoadedModel(net, ds.preprocessor, {}), export_model(tmp_path / "model.py", net,
                                                                            ds.preprocessor)


def _script_predictions(script, path):
    out = subprocess.run([sys.executable, str(script), str(path)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return pd.read_csv(io.StringIO(out.stdout))


def test_detection_limits_read_alike_in_the_studio_the_predict_form_and_the_script(tmp_path):
    from core.export import predict_rows

    path, table, loaded, script = _lab_model(tmp_path, "site,lead,nitrate,ph,quality")
    expected = predict_rows(loaded, table.frame)
    printed = _script_predictions(script, path)
    np.testing.assert_allclose(printed.iloc[:, 1:].to_numpy(float), expected.iloc[:, 1:].to_numpy(float), atol=1e-6)
    typed = predict_rows(loaded, [{"site": "S1", "lead": "<0.5", "nitrate": ">1000", "ph": "7"}])
    plain = predict_rows(loaded, [{"site": "S1", "lead": "0.5", "nitrate": "1000", "ph": "7"}])
    assert typed.iloc[0, 1] == plain.iloc[0, 1]


def test_the_script_reads_inputs_spelt_with_other_case_spaces_or_underscores(tmp_path):
    from core.data import named_for_model
    from core.export import predict_rows

    _, table, loaded, script = _lab_model(tmp_path, "site,lead,nitrate_mg,ph,quality")
    expected = predict_rows(loaded, table.frame)
    other = tmp_path / "other.csv"
    other.write_text("Site,LEAD,Nitrate mg,pH,quality\n" + "\n".join(_lab_rows(48)) + "\n", encoding="utf-8")
    frame, notes = named_for_model(read_csv(other).frame, loaded.preprocessor.input_columns)
    assert notes == ["columns read as the model's inputs: 'Site' as 'site', 'LEAD' as 'lead', "
                     "'Nitrate mg' as 'nitrate_mg', 'pH' as 'ph'"]
    assert predict_rows(loaded, frame).equals(expected)
    printed = _script_predictions(script, other)
    np.testing.assert_allclose(printed.iloc[:, 1:].to_numpy(float), expected.iloc[:, 1:].to_numpy(float), atol=1e-6)


def _script_rows(tmp_path, table, path):
    """Rows the exported script predicts for `path`, from a model trained on `table`."""
    from core.export import export_model
    from core.network import Network

    ds = build_dataset(table, val_split=0, seed=0)
    net = Network([ds.n_features, 3, ds.n_outputs], ["tanh", "sigmoid"], "binary-cross-entropy", seed=0)
    script = export_model(tmp_path / "model.py", net, ds.preprocessor)
    out = subprocess.run([sys.executable, str(script), str(path)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return len(pd.read_csv(io.StringIO(out.stdout)))


def test_a_header_repeated_by_files_pasted_together_is_no_row(tmp_path):
    part = lambda k: [f"{(i * 37 + k) % 100 / 10},{i % 50 + 1},{'ab'[(i + k) % 2]}" for i in range(30)]
    path = tmp_path / "pasted.csv"
    path.write_text("\n".join(["x,z,label", *part(0), "x,z,label", *part(1), " x,z,label", *part(2)]) + "\n")
    table = read_csv(path)
    assert table.n_rows == 90 and [c.kind for c in table.columns] == ["numeric", "numeric", "categorical"]
    assert table.column("label").categories == ("a", "b")
    assert "2 lines repeating the header skipped (the first is line 32); later line numbers count without them" \
        in table.notes
    assert _script_rows(tmp_path, table, path) == 90


def test_summary_rows_at_the_end_of_a_table_are_no_rows(tmp_path):
    rows = [f"{'NS'[i % 2]},{i % 50 + 1},{(i * 37) % 100 + 0.5},{'yes' if (i * 37) % 100 > 50 else 'no'}"
            for i in range(40)]
    path = tmp_path / "sales.csv"
    path.write_text("\n".join(["region,units,price,bought", *rows, "Total,1020,2000.5,", "Average,25.5,50.0,",
                               "", "Source: sales database"]) + "\n")
    table = read_csv(path)
    assert table.n_rows == 40 and table.column("region").categories == ("N", "S")
    assert ("the 'Total' and 'Average' rows at the end of the table skipped (a summary of the rows above); "
            "1 line of text below the table skipped ('Source: sales database')") in table.notes
    assert _script_rows(tmp_path, table, path) == 40


def test_a_table_whose_rows_repeat_is_read_whole():
    t = read_csv_text("a,b\n1,2\n1,2\n1,2\n3,4\n")                 # no header repeats here: rows do
    assert t.n_rows == 4 and not any("repeating" in note for note in t.notes)


def _rows(n, make):
    return "".join(make(i) for i in range(n))


# files the studio reads and the exported script once read otherwise (found by a sweep of messy files)
SCRIPT_CASES = {
    "None as a category and as no number": ("airbags,weight,kind\n" + _rows(
        40, lambda i: f'{("None", "Driver only", "Driver & Passenger")[i % 3]},{"None" if i % 9 == 4 else 2000 + i * 13},'
                      f'{"ab"[i % 2]}\n'), "kind"),
    "a lone thousands comma among plain numbers": ("weight,size,kind\n" + _rows(
        40, lambda i: f'{chr(34) + "4,075" + chr(34) if i == 3 else 3000 + i * 37},{i % 5},{"ab"[i % 2]}\n'), "kind"),
    "a lone comma in a column of small numbers": ("x,size,kind\n" + _rows(
        40, lambda i: f'{chr(34) + "1,234" + chr(34) if i == 3 else i * 1.5},{i % 5},{"ab"[i % 2]}\n'), "kind"),
    "quoted thousands": ("units,price,kind\n" + _rows(40, lambda i: f'{i % 7},"{1 + i % 5},{(i * 37) % 1000:03d}",'
                                                       f'{"ab"[i % 2]}\n'), "kind"),
    "TRUE/FALSE": ("age,smoker,sporty,label\n" + _rows(40, lambda i: f"{20 + i},{'TRUE' if i % 3 else 'FALSE'},"
                                                       f"{'true' if i % 2 else 'false'},{'xy'[i % 2]}\n"), "label"),
    "line breaks in a quoted cell": ("size,review,label\n" + _rows(40, lambda i: f'{i % 9},"Okay\nbut {i % 3}",'
                                                                   f'{"ab"[i % 2]}\n'), "label"),
    "#N/A first": ("x1,x2,y\n" + _rows(40, lambda i: f"{'#N/A' if i == 5 else i % 7},{(i * 3) % 11},"
                                                     f"{'ab'[i % 2]}\n"), "y"),
    "duplicate names": ("value,value,flag,flag,result\n" + _rows(40, lambda i: f"{i % 7},{i % 5},{'yn'[i % 2]},"
                                                                 f"{'yn'[i % 3 % 2]},{'hl'[i % 2]}\n"), "result"),
    "a word for missing": ("x1,x2,y\n" + _rows(40, lambda i: f"{'.' if i % 13 == 0 else i % 7},{(i * 3) % 11},"
                                                             f"{'ab'[i % 2]}\n"), "y"),
    "units under the header": ("Sample\tpH\tNitrate\tQuality\n\t\tmg/L\t\n" + _rows(
        40, lambda i: f"S{i}\t{6 + i % 10 / 10}\t{1 + (i * 7) % 30 / 10}\t{'gp'[i % 2]}\n"), "Quality"),
    "dotted thousands, decimal comma": ("Gemeinde;Einwohner;Fläche;Typ\n" + _rows(
        40, lambda i: f"G{i};{40 + i}.{100 + i * 7};{100 + i},{i % 10};{'SL'[i % 2]}\n"), "Typ"),
    "a block of key-value lines, one spanning lines": (
        'Dataset Name:,"RT331601"\nTitle:,"Area and population, 1996"\nDescription:,"Area and population\n\n'
        'compiled from Regional Trends 33.\n\n"\n' + "".join(f'{k}:,"{v}"\n' for k, v in [
            ("Source", "ONS"), ("Time Frame", "1996"), ("Universe", "UK population"), ("Measure", "various"),
            ("Units", "See table"), ("Scalar", "various"), ("Formula", "none")])
        + "=========\nTable\n      ,\"Area (sq km)\",\"Persons per sq km\",\"Kind\"\n\n" + _rows(
            40, lambda i: f'"Area {i}","{100 + i * 37}.00","{(i * 13) % 900}.00","{"UR"[i % 2]}"\n')
        + 'Footnotes\n"1 - Provisional."\n', "Kind"),
    "lines above the table": ('"Account:","12345678"\n"Statement period:","01/01/2024 - 31/03/2024"\n\n'
                              "Date,Amount,Balance,Category\n" + _rows(
                                  40, lambda i: f'0{i % 9 + 1}/02/2024,"({i + 10}.50)","1,{300 + i}.06",'
                                                f'{"FG"[i % 2]}\n'), "Category"),
    "a header of merged cells": (",Population,,Area,kind\nDistrict,Male,Female,km²,type\n" + _rows(
        40, lambda i: f'District {i},"{10 + i},{(i * 37) % 1000:03d}",{900 + i * 3},{200 + i % 9}.5,'
                      f'{"ur"[i % 2]}\n'), "kind type"),
    "quoted decimal commas": ("cidade,populacao,renda_media,indice,porte\n" + _rows(
        40, lambda i: (f'C{i},"{1 + i % 3}.{100 + i * 7:03d}.{(i * 37) % 1000:03d}",'
                       f'"{5 + i % 4}.{i * 13 % 1000:03d},{i % 90 + 10}","{i % 9 + 1},{(i * 71) % 1000:03d}"'
                       if i % 5 else f'C{i},"{140 + i}.573","4260,7","5,895"') + f",{'PG'[i % 2]}\n"), "porte"),
    "footnote marks and dashes": ("City,Jan mean,Elevation,Climate\n" + _rows(
        40, lambda i: f"City{i},{'−' if i % 3 else ''}{i % 9}.{i % 7}{'[7]' if i % 4 == 0 else ''},"
                      f"{'---' if i % 6 == 1 else 100 + i * 17},{'AB'[i % 2]}\n"), "Climate"),
    "SAP minus after the amount": ("Buchungskreis;Betrag;Menge;Art\n" + _rows(
        40, lambda i: f"1000;{1 + i % 8}.{(i * 37) % 1000:03d},{i % 100:02d}{'-' if i % 2 else ''};{i % 9};"
                      f"{'GR'[i % 2]}\n"), "Art"),
    "durations": ("task,duration,wait,priority\n" + _rows(
        40, lambda i: f"T{i},{13 + i}:{i % 60:02d}:00,{i % 3}h {(i * 7) % 60}m,{'hl'[i % 2]}\n"), "priority"),
    "unquoted commas in a text column": ("id,temp,notes,ok\n" + _rows(
        40, lambda i: f"{i},{18 + i % 7}.{i % 10},{('calibrated, checked', 'fine', 'recal, new probe, ok')[i % 3]},"
                      f"{'ny'[i % 2]}\n"), "ok"),
    "app-store abbreviations": ("App,Reviews,Size,Installs,Type\n" + _rows(
        40, lambda i: f"App {i},{f'{i % 9 + 1}.{i % 7}M' if i % 4 == 0 else 1000 + i * 37},"
                      f"{('Varies with device', f'{10 + i}M', f'{200 + i * 9}k')[i % 3]},"
                      f'"{10 ** (2 + i % 5):,}+",{"FP"[i % 2]}\n'), "Type"),
    "Eurostat flags and World Bank dots": ("geo\t2020\t2021\tWB\tlabel\n" + _rows(
        40, lambda i: f"R{i}\t{(f'{i + 1} 2{i % 10}5', f'{100 + i}.{i % 9} p', ': ', f'{900 + i} e')[i % 4]}\t"
                      f"{f'{i} 123' if i % 13 == 5 else 20 + i % 7}\t{'..' if i % 5 == 0 else i * 1.5}\t"
                      f"{'xy'[i % 2]}\n"), "label"),
    "heights in feet and inches": ("player,height,reach,position\n" + _rows(
        40, lambda i: f"P{i},{5 + i % 3}-{i % 12},\"{7 + i % 2}' {i % 12}\"\"\",{'GFC'[i % 3]}\n"), "position"),
    "stray delimiters after a row": ("a,b,label\n" + _rows(40, lambda i: f"{i % 7},{(i * 3) % 11},{'xy'[i % 2]}"
                                                                  f"{',,' if i % 9 == 4 else ''}\n"), "label"),
}


def test_quoted_decimal_commas_in_a_comma_file_make_every_quoted_comma_decimal():
    # a Brazilian export: dots between thousands, decimal commas, every number quoted
    t = read_csv_text('cidade,populacao,renda_media,indice\nC0,"1.933.535","6.109,29","5,895"\n'
                      'C1,"143.573","4.329,78","4,607"\nC2,"2.440.547","7.593,45","7,747"\n')
    assert [t.column(n).kind for n in ("populacao", "renda_media", "indice")] == ["numeric"] * 3
    assert t.frame["populacao"].tolist() == [1933535, 143573, 2440547]      # "143.573" is no 143.573
    np.testing.assert_allclose(t.frame["renda_media"], [6109.29, 4329.78, 7593.45], rtol=1e-6)
    np.testing.assert_allclose(t.frame["indice"], [5.895, 4.607, 7.747], rtol=1e-6)   # not 5895
    assert ("decimal commas in quoted numbers (like '6.109,29'): populacao, renda_media, indice read with ',' "
            "as the decimal mark and '.' between thousands") in t.notes
    # a Swedish one: spaces between thousands, decimal commas only where a cell needs quotes
    t = read_csv_text('kommun,invånare,yta_km2,storstad\nK0,120 444,"4260,7",nej\nK1,780 414,"3830,9",ja\n'
                      'K2,139 208,"260,5",nej\n')
    assert t.frame["invånare"].tolist() == [120444, 780414, 139208]
    np.testing.assert_allclose(t.frame["yta_km2"], [4260.7, 3830.9, 260.5], rtol=1e-6)


@pytest.mark.parametrize("text", [
    'item,price,weight\na,"1,234.50","5,895"\nb,"2,100.00","1,250"\nc,"950.00","3,400"\n',   # thousands commas
    'item,size,weight\na,3.5,"5,895"\nb,4.25,"1,250"\nc,"4,5","3,400"\n',     # decimal dots elsewhere
])
def test_quoted_thousands_stay_thousands_where_the_file_shows_dots(text):
    t = read_csv_text(text)
    assert t.frame["weight"].tolist() == [5895, 1250, 3400]


def test_footnote_marks_and_dashes_leave_a_column_of_numbers_numeric():
    t = read_csv_text(SCRIPT_CASES["footnote marks and dashes"][0])
    assert t.column("Jan mean").kind == "numeric" and t.column("Elevation").kind == "numeric"
    np.testing.assert_allclose(t.frame["Jan mean"][:5], [0.0, -1.1, -2.2, 3.3, -4.4], rtol=1e-6)   # "0.0[7]", "−1.1"
    assert np.isnan(t.frame["Elevation"][1]) and t.frame["Elevation"][2] == 134
    assert "column 'Jan mean': footnote marks dropped from 10 numbers (like '0.0[7]')" in t.notes
    assert "column 'Elevation': 7 cells of '---' treated as missing" in t.notes


def test_sap_amounts_with_the_minus_after_them_are_negative():
    t = read_csv_text(SCRIPT_CASES["SAP minus after the amount"][0])
    assert t.column("Betrag").kind == "numeric"
    np.testing.assert_allclose(t.frame["Betrag"][:3], [1000.0, -2037.01, 3074.02], rtol=1e-6)
    assert "column 'Betrag': numbers written like '1.000,00' read as numbers" in t.notes


def test_durations_are_read_as_hours_and_times_of_day_are_not():
    t = read_csv_text(SCRIPT_CASES["durations"][0])
    assert t.column("duration").kind == "numeric" and t.column("duration").unit == "h"
    np.testing.assert_allclose(t.frame["duration"][:2], [13.0, 14 + 1 / 60], rtol=1e-6)     # up to "52:39:00"
    np.testing.assert_allclose(t.frame["wait"][:3], [0.0, 1 + 7 / 60, 2 + 14 / 60], rtol=1e-6)   # "1h 7m"
    assert "column 'duration': durations (like '13:00:00') read as hours" in t.notes
    assert "column 'wait': durations (like '0h 0m') read as hours" in t.notes
    # no cell past 23 hours: times of day, left out as before; lengths in metres stay lengths
    t = read_csv_text("shift,start,len,y\n" + _rows(30, lambda i: f"S{i},{i % 24}:{i % 60:02d}:00,{i + 5}m,"
                                                                    f"{'ab'[i % 2]}\n"))
    assert t.column("start").kind != "numeric"
    assert t.column("len").unit == "m" and t.frame["len"][0] == 5


def test_commas_without_quotes_in_one_text_column_are_mended_with_a_note():
    t = read_csv_text(SCRIPT_CASES["unquoted commas in a text column"][0])
    assert t.n_rows == 40 and t.column_names == ["id", "temp", "notes", "ok"]
    assert t.frame["notes"][:3].tolist() == ["calibrated, checked", "fine", "recal, new probe, ok"]
    assert t.frame["ok"][:3].tolist() == ["n", "y", "n"]
    assert ("27 rows with a ',' inside column 'notes' but no quotes (like line 2: 'calibrated, checked') read as "
            "one cell") in t.notes
    t = read_csv_text("id,name,grade\n" + _rows(30, lambda i: f"{i},{'Ann' if i % 2 else 'Bob, Jr'},"
                                                                 f"{'AB'[i // 2 % 2]}\n"))
    assert t.frame["name"][:3].tolist() == ["Bob, Jr", "Ann", "Bob, Jr"]
    assert t.frame["grade"][:3].tolist() == ["A", "A", "B"]


def test_rows_too_long_to_mend_say_where_and_what_quotes_would_fix():
    # a space after every comma, two columns of free text side by side: "Smith, J0" and "note0", or "Smith"
    # and "J0, note0"? No guess. (A comma with no space after it, "5,6,a,extra", is never mended.)
    text = "id, name, notes\n" + _rows(30, lambda i: f"{i}, {f'Ann{i}' if i % 2 else f'Smith, J{i}'}, note{i}\n")
    with pytest.raises(DataError, match=r"line 2: expected 3 fields like the header, found 4; a cell that holds "
                                        r"a ',' needs quotes around it\."):
        read_csv_text(text)


def test_app_store_abbreviations_read_in_full_and_a_placeholder_phrase_is_missing():
    # shaped like Kaggle's Google Play apps table
    t = read_csv_text(SCRIPT_CASES["app-store abbreviations"][0])
    assert [t.column(c).kind for c in ("Reviews", "Size", "Installs")] == ["numeric"] * 3
    assert t.frame["Reviews"][:2].tolist() == [1_000_000, 1037]                       # "1.0M", "1037"
    assert np.isnan(t.frame["Size"][0]) and t.frame["Size"][1:3].tolist() == [11_000_000, 218_000]
    assert t.frame["Installs"][:3].tolist() == [100, 1000, 10000]                      # "1,000+"
    assert "column 'Size': 14 cells of 'Varies with device' treated as missing" in t.notes
    assert "column 'Reviews': numbers written like '1.0M' read as numbers; '1.0M' is 1,000,000" in t.notes
    # lower-case m is metres, a unit; a word among a few codes is a category, not a missing number
    t = read_csv_text("h,rooms,y\n" + _rows(30, lambda i: f"{1 + i % 9}m,{'Studio' if i % 4 == 0 else i % 3 + 1},"
                                                          f"{'ab'[i % 2]}\n"))
    assert t.column("h").unit == "m" and t.frame["h"][0] == 1
    assert t.column("rooms").kind == "categorical"


def test_statistics_office_marks_are_read_as_their_numbers_or_as_missing():
    t = read_csv_text(SCRIPT_CASES["Eurostat flags and World Bank dots"][0])
    assert [t.column(c).kind for c in ("2020", "2021", "WB")] == ["numeric"] * 3
    assert t.frame["2020"][:4].tolist()[:2] == [1205, pytest.approx(101.1)] and np.isnan(t.frame["2020"][2])
    assert t.frame["2020"][3] == 903                                       # "903 e": estimated
    assert t.frame["2021"][5] == 5123 and t.frame["2021"][18] == 18123     # "5 123" among plain numbers
    assert np.isnan(t.frame["WB"][0]) and t.frame["WB"][1] == 1.5
    assert ("column '2020': flag letters after numbers (like '101.1 p', as Eurostat marks provisional or "
            "estimated figures) dropped") in t.notes
    assert "column '2020': 10 cells of ':' treated as missing" in t.notes
    assert "column 'WB': 8 cells of '..' treated as missing" in t.notes
    # a lone "1,234" among plain numbers from 0 to 43.5 stays a question (1234? 1.234?): missing, and said so
    odd = '"1,234"'
    t = read_csv_text("x,y\n" + _rows(30, lambda i: f"{odd if i == 4 else i * 1.5},{'ab'[i % 2]}\n"))
    assert np.isnan(t.frame["x"][4]) and any("'1,234'" in note for note in t.notes)
    # among numbers from 3000 to 4100 only 4075 fits: a thousands comma (predictions of new rows relied on it)
    t = read_csv_text(SCRIPT_CASES["a lone thousands comma among plain numbers"][0])
    assert t.frame["weight"][3] == 4075 and t.column("weight").kind == "numeric"
    assert "column 'weight': numbers written like '4,075' read as numbers" in t.notes
    t = read_csv_text("weight,y\n" + '"4,075",a\n' + "".join(f"4200,{'ab'[i % 2]}\n" for i in range(10)))
    assert t.frame["weight"].tolist() == [4075] + [4200] * 10


def test_none_is_a_category_among_words_and_no_value_among_numbers():
    # Cars93's AirBags: "None" for cars without airbags was read as missing and given the commonest category
    t = read_csv_text(SCRIPT_CASES["None as a category and as no number"][0])
    assert t.column("airbags").categories == ("Driver & Passenger", "Driver only", "None")
    assert t.column("airbags").n_missing == 0
    assert t.column("weight").kind == "numeric" and t.column("weight").n_missing == 4
    assert "column 'weight': 4 cells of 'None' treated as missing" in t.notes
    ds = build_dataset(t, targets=["kind"], missing="fill")
    assert "airbags=None" in ds.feature_names
    assert ds.preprocessor.input_notes(pd.DataFrame({"airbags": ["None"], "weight": [2100.0]})) == []


def test_heights_in_feet_and_inches_read_as_inches_and_age_bands_stay_bands():
    t = read_csv_text(SCRIPT_CASES["heights in feet and inches"][0])
    assert t.column("height").unit == "in" and t.column("reach").unit == "in"
    assert t.frame["height"][:3].tolist() == [60, 73, 86] and t.frame["reach"][:2].tolist() == [84, 97]
    assert "column 'height': feet and inches (like '5-0') read as inches" in t.notes
    t = read_csv_text("age,y\n" + _rows(30, lambda i: f"{('3-5', '6-8', '7-11')[i % 3]},{'ab'[i % 2]}\n"))
    assert t.column("age").kind == "categorical"


def test_lines_above_the_table_and_two_header_lines_are_read_as_one_table():
    t = read_csv_text(SCRIPT_CASES["lines above the table"][0])
    assert t.column_names == ["Date", "Amount", "Balance", "Category"] and t.n_rows == 40
    assert "line 1 ('Account: 12345678') skipped: a line above the table" in t.notes
    t = read_csv_text(SCRIPT_CASES["a header of merged cells"][0])
    assert t.column_names == ["District", "Population Male", "Population Female", "Area km²", "kind type"]
    assert t.n_rows == 40 and t.frame["Population Male"].iloc[1] == 11037
    assert "two header lines (merged cells) read as one: columns named like 'Population Male'" in t.notes


@pytest.mark.parametrize("case", list(SCRIPT_CASES))
def test_the_exported_script_predicts_what_the_studio_predicts(tmp_path, case):
    from core.export import LoadedModel, export_model, predict_rows
    from core.network import Network

    text, target = SCRIPT_CASES[case]
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    table = read_csv(path)
    ds = build_dataset(table, targets=[target], val_split=0, missing="fill")
    net = Network([ds.n_features, 4, ds.n_outputs], ["tanh", "sigmoid"], "binary-cross-entropy", seed=1)
    rows, _ = rows_with_values(table)
    expected = predict_rows(LoadedModel(net, ds.preprocessor, {}), rows)
    script = export_model(tmp_path / "model.py", net, ds.preprocessor)
    for data in (path, tmp_path / "utf16.txt"):
        if data.name == "utf16.txt":          # Excel's "Unicode text" of the same table
            data.write_bytes(text.encode("utf-16"))
        out = subprocess.run([sys.executable, str(script), str(data)], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        printed = pd.read_csv(io.StringIO(out.stdout), keep_default_na=False)
        assert printed.iloc[:, 0].astype(str).tolist() == expected.iloc[:, 0].tolist()
        np.testing.assert_allclose(printed.iloc[:, 1:].to_numpy(float), expected.iloc[:, 1:].to_numpy(float),
                                   atol=1e-6)


def test_german_tables_percentages_and_lines_under_the_header_read_as_numbers():
    t = read_csv_text(SCRIPT_CASES["dotted thousands, decimal comma"][0])
    assert t.frame["Einwohner"].iloc[1] == 41107 and t.frame["Fläche"].iloc[1] == np.float32(101.1)
    assert "'.' groups thousands ('40.100' reads 40100)" in t.notes
    t = read_csv_text("Region;Quote;Frauen;Bewertung\n" + _rows(30, lambda i: f"R{i};{10 + i % 9},{i % 10} %;"
                                                                   f"{45 + i % 7},{i % 3}%;{'gs'[i % 2]}\n"))
    assert [t.column(c).kind for c in ("Quote", "Frauen")] == ["numeric", "numeric"]
    assert t.frame["Quote"].iloc[1] == np.float32(11.1)
    t = read_csv_text(SCRIPT_CASES["units under the header"][0])
    assert t.n_rows == 40 and t.column("Nitrate").kind == "numeric"
    assert "line 2 ('mg/L') skipped: units, an underline or a second header below the header" in t.notes
    survey = read_csv_text("RespondentID,Q1,Q2,Q3,score\n,Response,Response,Response,Response\n" + _rows(
        30, lambda i: f"{9000000 + i * 17},{'Agree' if i % 2 else 'Disagree'},{'Yes' if i % 3 else 'No'},"
                      f"{'a' if i % 4 else 'b'},{i % 5 + 1}\n"))
    assert survey.n_rows == 30 and survey.column("score").kind == "numeric"
    assert survey.column("RespondentID").kind == "identifier"
    na_first = read_csv_text(SCRIPT_CASES["#N/A first"][0])
    assert na_first.n_rows == 40 and not any("comment" in note for note in na_first.notes)


def test_no_input_column_left_says_why_each_column_was_left_out():
    t = read_csv_text("id,name,label\n" + _rows(30, lambda i: f"{1000 + i * 7},person {i},{'ab'[i % 2]}\n"))
    with pytest.raises(DataError) as caught:
        build_dataset(t, targets=["label"])
    assert "column 'id' looks like an identifier" in str(caught.value)
    assert "column 'name' looks like an identifier" in str(caught.value)


def _people(n: int) -> str:
    names = ("Müller", "Øster", "Smith")
    return "".join(f"{names[i % 3]},{(i * 7) % 10 / 10},{'ab'[i % 3 == 0]}\n" for i in range(n))


@pytest.mark.parametrize("bom, rows", [(b"", 60), (b"\xef\xbb\xbf", 60), (b"", 20_000)])   # 20,000: past the sniff
def test_a_utf8_file_with_a_stray_windows_1252_byte_keeps_its_utf8(tmp_path, bom, rows):
    from core.export import LoadedModel, export_model, predict_rows
    from core.network import Network

    clean = tmp_path / "clean.csv"
    clean.write_bytes(bom + ("name,x,label\n" + _people(rows)).encode("utf-8"))
    mixed = tmp_path / "mixed.csv"          # the same rows, and one typed in a Windows-1252 editor
    mixed.write_bytes(clean.read_bytes() + b"Caf\xe9,0.5,a\n")
    table = read_csv(mixed)
    assert set(table.frame["name"]) == {"Müller", "Øster", "Smith", "Café"}        # not 'MÃ¼ller'
    assert "the file is UTF-8 with some Windows-1252 characters: each read as written" in table.notes
    # a model trained on the clean file knows the mixed file's 'Müller': same predictions, row for row
    ds = build_dataset(read_csv(clean), targets=["label"], val_split=0)
    net = Network([ds.n_features, 4, ds.n_outputs], ["tanh", "sigmoid"], "binary-cross-entropy", seed=1)
    model = LoadedModel(net, ds.preprocessor, {})
    from_clean = predict_rows(model, rows_with_values(read_csv(clean))[0])
    from_mixed = predict_rows(model, rows_with_values(table)[0])
    pd.testing.assert_frame_equal(from_mixed.iloc[:-1].reset_index(drop=True), from_clean.reset_index(drop=True))
    if rows > 100:
        return
    script = export_model(tmp_path / "model.py", net, ds.preprocessor)
    out = subprocess.run([sys.executable, str(script), str(mixed)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    printed = pd.read_csv(io.StringIO(out.stdout), keep_default_na=False)
    assert printed.iloc[:, 0].astype(str).tolist() == from_mixed.iloc[:, 0].tolist()
    np.testing.assert_allclose(printed.iloc[:, 1:].to_numpy(float), from_mixed.iloc[:, 1:].to_numpy(float), atol=1e-6)


def test_a_windows_1252_file_is_still_read_as_windows_1252():
    t = read_csv_bytes(("name,x,label\n" + _people(30)).encode("cp1252"))
    assert set(t.frame["name"]) == {"Müller", "Øster", "Smith"}
    assert "the file is not UTF-8: read as Windows-1252/Latin-1" in t.notes


def test_cells_whose_formula_failed_are_missing_numbers_not_text():
    # Excel shows #DIV/0!, #VALUE!… where a formula failed; saved as CSV, one in seven cells of a ratio
    rng = np.random.default_rng(0)
    n = 140
    size, weight = np.round(rng.uniform(1, 20, n), 3), np.round(rng.uniform(100, 2000, n), 1)
    errors = ["#DIV/0!", "#VALUE!", "#N/A", "#REF!", "#NAME?", "#NUM!", "#NULL!"]
    ratio = [errors[k // 7 % 7] if k % 7 == 0 else f"{w / s:.2f}" for k, (s, w) in enumerate(zip(size, weight))]
    label = np.where(weight / size > 100, "heavy", "light")
    text = "size,weight,ratio,label\n" + "".join(f"{s},{w},{r},{c}\n" for s, w, r, c in zip(size, weight, ratio, label))
    table = read_csv_text(text)
    assert table.column("ratio").kind == "numeric"
    assert table.frame["ratio"].isna().sum() == n // 7
    ds = build_dataset(table, targets=["label"])
    assert "ratio" in ds.feature_names                           # an input, not ignored as free text
    as_target = build_dataset(table, targets=["ratio"])
    assert as_target.task == "regression" and len(as_target.X_train) + len(as_target.X_val) == n - n // 7


def test_a_file_to_predict_without_decimal_commas_is_read_as_the_models_training_file(tmp_path):
    # trained on German prices ("508.442,28"); the file to predict holds whole prices only ("508.442"), which
    # on their own read as 508.442: the model says the dot groups thousands there too
    from core.data import Preprocessor
    from core.export import LoadedModel, export_model, predict_rows
    from core.network import Network

    rng = np.random.default_rng(0)
    price = rng.uniform(50_000, 900_000, 60).round(2)
    german = lambda v, cents: f"{v:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")[:None if cents else -3]
    train = tmp_path / "prices.csv"
    train.write_text("Preis;Fläche\n" + "".join(f"{german(v, True)};{v / 3000:.0f}\n" for v in price), encoding="utf-8")
    table = read_csv(train)
    ds = build_dataset(table, targets=["Fläche"], val_split=0)
    assert ds.preprocessor.decimal == ","
    restored = Preprocessor.from_dict(ds.preprocessor.to_dict())
    assert restored.decimal == "," and "decimal" not in build_dataset(read_csv_text("a,b\n1,2\n3,4\n5,6\n"),
                                                                       val_split=0).preprocessor.to_dict()
    whole = tmp_path / "whole.csv"
    whole.write_text("Preis;Fläche\n" + "".join(f"{german(v, False)};\n" for v in price[:5]), encoding="utf-8")
    assert read_csv(whole).frame["Preis"][0] == pytest.approx(float(german(price[0], False).replace(".", "")) / 1000)
    hinted = read_csv(whole, decimal=",")
    np.testing.assert_allclose(hinted.frame["Preis"], np.floor(price[:5]), rtol=1e-6)   # cents cut off
    assert "decimal comma, as in the file the model was trained on" in hinted.notes
    dotted = tmp_path / "dotted.csv"                    # a file that shows its decimal dots keeps them
    dotted.write_text("Preis;Fläche\n508.442;\n1250.5;\n", encoding="utf-8")
    assert read_csv(dotted, decimal=",").frame["Preis"].tolist() == pytest.approx([508.442, 1250.5])

    net = Network([ds.n_features, 3, 1], ["tanh", "linear"], "mse", seed=0)
    expected = predict_rows(LoadedModel(net, ds.preprocessor, {}), hinted.frame).iloc[:, -1].to_numpy(float)
    script = export_model(tmp_path / "model.py", net, ds.preprocessor)
    np.testing.assert_allclose(_script_predictions(script, whole).iloc[:, -1].to_numpy(float), expected, rtol=1e-5)
    cli = subprocess.run([sys.executable, str(ROOT / "main.py"), "predict", str(export_model(tmp_path / "m.npz", net,
                          ds.preprocessor)), str(whole)], capture_output=True, text=True, timeout=60)
    assert cli.returncode == 0, cli.stderr
    np.testing.assert_allclose(pd.read_csv(io.StringIO(cli.stdout)).iloc[:, -1].to_numpy(float), expected, rtol=1e-5)
