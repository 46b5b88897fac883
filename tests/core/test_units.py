"""Numbers written with a unit ("1248 CC", "23.4 kmpl", "8GB"), as used-car and laptop listings write them.

A column whose cells are (nearly all) a number and one unit is numeric; the studio, `main.py predict` and
the exported numpy script read such cells alike. Ordinals, months and times of day are not units.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.data import build_dataset, number_with_unit, read_csv
from core.export import LoadedModel, export_model, predict_rows
from core.network import Network

ROOT = Path(__file__).resolve().parents[2]


def cars(rows=60):
    """Shaped like the CarDekho used-car table: mileage in kmpl (one LPG car in km/kg), engine in CC, power
    in bhp, a torque column too irregular to read as numbers."""
    lines = ["name,year,fuel,mileage,engine,max_power,torque,seats,selling_price"]
    for i in range(rows):
        mileage = "17.3 km/kg" if i == 7 else f"{15 + (i * 37) % 90 / 10:.2f} kmpl"
        engine = f"{796 + (i * 53) % 900} CC"
        power = f"{37 + (i * 29) % 80}.{i % 10} bhp"
        torque = ("190Nm@ 2000rpm", "12.7@ 2,700(kgm@ rpm)", "22.4 kgm at 1750-2750rpm")[i % 3]
        price = 100000 + 4000 * ((i * 13) % 50)
        lines.append(f"Car {i},{2000 + i % 20},{('Diesel', 'Petrol')[i % 2]},{mileage},{engine},{power},"
                     f"\"{torque}\",{4 + i % 3},{price}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("text, decimal, expected", [
    ("1248 CC", ".", (1248.0, "CC")),
    ("23.4 kmpl", ".", (23.4, "kmpl")),
    ("8GB", ".", (8.0, "GB")),
    ("120 km/h", ".", (120.0, "km/h")),
    ("25 °C", ".", (25.0, "°C")),
    ("-3 dB", ".", (-3.0, "dB")),
    ("1,248 CC", ".", (1248.0, "CC")),
    ("1,5 kg", ",", (1.5, "kg")),
    ("1.248 CC", ",", (1248.0, "CC")),
    ("3rd", ".", None),
    ("10 AM", ".", None),
    ("12 Jan", ".", None),
    ("1.2.3 v", ".", None),
    ("kg", ".", None),
])
def test_a_number_and_its_unit(text, decimal, expected):
    assert number_with_unit(text, decimal) == expected


def test_columns_of_numbers_with_one_unit_are_numeric(tmp_path):
    path = tmp_path / "cars.csv"
    path.write_text(cars())
    table = read_csv(path)
    kinds = {c.name: c.kind for c in table.columns}
    assert kinds["mileage"] == kinds["engine"] == kinds["max_power"] == "numeric"
    assert kinds["torque"] != "numeric"
    assert table.frame["engine"].iloc[0] == 796 and table.frame["max_power"].iloc[1] == np.float32(66.1)
    # the km/kg car is another quantity: missing, and said so, not mixed in with the kmpl cars
    assert np.isnan(table.frame["mileage"].iloc[7])
    assert "column 'engine': numbers in CC (like '796 CC') read as numbers" in table.notes
    assert any("'17.3 km/kg' (line 9) treated as missing" in n for n in table.notes), table.notes
    ds = build_dataset(table, targets=["selling_price"], ignore=["name", "torque"])
    assert {"mileage", "engine", "max_power"} <= set(ds.feature_names)


def test_months_ordinals_and_times_stay_text(tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text("day,floor,slot,y\n" + "".join(
        f"{1 + i % 28} Jan,{1 + i % 3}{('st', 'nd', 'rd')[i % 3]},{1 + i % 11} AM,{i % 2}\n" for i in range(40)))
    kinds = {c.name: c.kind for c in read_csv(path).columns}
    assert kinds["day"] != "numeric" and kinds["floor"] != "numeric" and kinds["slot"] != "numeric"


def test_predict_and_the_exported_script_read_units_like_the_studio(tmp_path):
    path = tmp_path / "cars.csv"
    path.write_text(cars())
    table = read_csv(path)
    ds = build_dataset(table, targets=["selling_price"], ignore=["name", "torque"], val_split=0)
    assert {"mileage", "engine", "max_power"} <= set(ds.feature_names)
    net = Network([ds.n_features, 4, 1], ["tanh", "linear"], "mse", seed=0)
    loaded = LoadedModel(net, ds.preprocessor, {})
    one = tmp_path / "one.csv"                   # one row: too few cells to type the column, read cell by cell
    one.write_text("year,fuel,mileage,engine,max_power,seats\n2014,Diesel,23.4 kmpl,\"1,248 CC\",74 bhp,5\n")
    plain = tmp_path / "plain.csv"
    plain.write_text("year,fuel,mileage,engine,max_power,seats\n2014,Diesel,23.4,1248,74,5\n")
    expected = predict_rows(loaded, read_csv(plain).frame).iloc[0, 0]
    assert predict_rows(loaded, read_csv(one).frame).iloc[0, 0] == expected

    model = tmp_path / "cars.npz"
    export_model(model, net, ds.preprocessor)
    cli = subprocess.run([sys.executable, str(ROOT / "main.py"), "predict", str(model), str(one)],
                         capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert cli.returncode == 0, cli.stderr
    assert float(cli.stdout.splitlines()[1].split(",")[0]) == pytest.approx(float(expected), rel=1e-5)

    script = export_model(tmp_path / "cars.py", net, ds.preprocessor)
    in_litres = tmp_path / "litres.csv"          # the whole engine column in another unit
    in_litres.write_text("year,fuel,mileage,engine,max_power,seats\n2014,Diesel,23.4 kmpl,1.2 L,74 bhp,5\n"
                         "2015,Petrol,20 kmpl,1.5 L,80 bhp,5\n2016,Petrol,21 kmpl,1.4 L,85 bhp,5\n")
    for data in (one, path, in_litres):          # the training file holds the km/kg car
        out = subprocess.run([sys.executable, str(script), str(data)], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        printed = [float(line.split(",")[0]) for line in out.stdout.splitlines()[1:]]
        studio = predict_rows(loaded, read_csv(data).frame).iloc[:, 0].astype(float).tolist()
        assert len(printed) == len(studio) > 0
        np.testing.assert_allclose(printed, studio, rtol=1e-5)


def test_a_number_in_another_unit_than_training_is_missing_and_said_so(tmp_path):
    path = tmp_path / "cars.csv"
    path.write_text(cars())
    ds = build_dataset(read_csv(path), targets=["selling_price"], ignore=["name", "torque"], val_split=0)
    pre = ds.preprocessor
    assert {c["name"]: c.get("unit") for c in pre.to_dict()["inputs"]} == {
        "year": None, "fuel": None, "mileage": "kmpl", "engine": "CC", "max_power": "bhp", "seats": None}
    assert type(pre).from_dict(pre.to_dict()).to_dict() == pre.to_dict()      # saved with the model
    rows = [{"year": 2014, "fuel": "Diesel", "mileage": "23.4 kmpl", "engine": "1248 CC", "max_power": "74 bhp",
             "seats": 5},
            {"year": 2014, "fuel": "Diesel", "mileage": "23.4", "engine": "1.2 L", "max_power": 74, "seats": 5}]
    X = pre.transform(rows)
    engine = pre.feature_names.index("engine")
    assert X[0, engine] == pre.transform([dict(rows[0], engine=1248)])[0, engine]
    assert X[1, engine] == pre.transform([dict(rows[0], engine=None)])[0, engine]   # the training mean
    assert pre.input_notes(rows) == [
        f"'engine': 1 value not in CC as in training (such as '1.2 L'), filled with the training mean "
        f"{pre.inputs[3].fill:.6g}"]
    litres = tmp_path / "litres.csv"                   # a file whose engine column is all litres
    litres.write_text("year,fuel,mileage,engine,max_power,seats\n" + "".join(
        f"2015,Petrol,20 kmpl,1.{i} L,80 bhp,5\n" for i in range(5)))
    notes = pre.input_notes(read_csv(litres).frame)
    assert notes == [f"'engine': 5 values not in CC as in training (such as '1 L'), filled with the training "
                     f"mean {pre.inputs[3].fill:.6g}"]


def test_singular_and_plural_spellings_are_one_unit_everywhere(tmp_path):
    """Experience columns say "1 year" and "12 years": one unit, no row dropped; the studio, predictions and
    the exported script read both spellings alike, and a number in another unit still counts as missing."""
    path = tmp_path / "salaries.csv"
    path.write_text("experience,salary\n" + "".join(
        f"{1 + i % 25} {'year' if i % 25 == 0 else 'years'},{30000 + 2000 * (i % 25)}\n" for i in range(60)))
    table = read_csv(path)
    assert table.column("experience").kind == "numeric" and table.column("experience").unit == "years"
    assert not table.frame["experience"].isna().any() and table.frame["experience"].iloc[0] == 1
    ds = build_dataset(table, targets=["salary"], val_split=0)
    assert ds.X_train.shape[0] == 60
    net = Network([ds.n_features, 3, 1], ["tanh", "linear"], "mse", seed=0)
    loaded = LoadedModel(net, ds.preprocessor, {})
    new = tmp_path / "new.csv"
    new.write_text("experience,salary\n1 year,30000\n1 years,31000\n3 Yrs,36000\n")
    predicted = predict_rows(loaded, read_csv(new).frame).iloc[:, 0].astype(float).tolist()
    assert predicted[0] == predicted[1]
    assert ds.preprocessor.input_notes(read_csv(new).frame) == [
        f"'experience': 1 value not in years as in training (such as '3 Yrs'), filled with the training "
        f"mean {ds.preprocessor.inputs[0].fill:.6g}"]
    script = export_model(tmp_path / "salaries.py", net, ds.preprocessor)
    out = subprocess.run([sys.executable, str(script), str(new)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    np.testing.assert_allclose([float(v) for v in out.stdout.splitlines()[1:]], predicted, rtol=1e-5)


def test_prices_in_lakh_and_crore_are_one_quantity(tmp_path):
    """Indian listings write prices in lakh and the dearest in crore ("45 Lac", "1.2 Cr"): one column of
    numbers in the commoner word, the others rescaled with a note; predictions and the exported script
    rescale alike, and a number in a unit of another quantity still counts as missing."""
    path = tmp_path / "flats.csv"
    path.write_text("area,price,sold\n" + "".join(
        f"{500 + 37 * i},{f'{i / 20:.2f} Cr' if i % 5 == 0 else f'{20 + i} Lac'},{'yes' if i % 3 else 'no'}\n"
        for i in range(1, 61)))
    table = read_csv(path)
    assert table.column("price").kind == "numeric" and table.column("price").unit == "Lac"
    assert table.frame["price"].iloc[4] == pytest.approx(25) and table.frame["price"].iloc[0] == 21
    assert any("12 values in Cr converted to Lac" in note for note in table.notes)
    ds = build_dataset(table, targets=["sold"], val_split=0)
    net = Network([ds.n_features, 3, 1], ["tanh", "sigmoid"], "binary-cross-entropy", seed=0)
    loaded = LoadedModel(net, ds.preprocessor, {})
    new = tmp_path / "new.csv"
    new.write_text("area,price\n1200,1.2 Cr\n1200,120 Lac\n1200,120 Lakhs\n1200,5 km\n")
    frame = read_csv(new).frame
    predicted = predict_rows(loaded, frame).iloc[:, 1].astype(float).tolist()
    assert predicted[0] == pytest.approx(predicted[1]) and predicted[1] == predicted[2] != predicted[3]
    assert ds.preprocessor.input_notes(frame) == [
        f"'price': 1 value not in Lac as in training (such as '5 km'), filled with the training mean "
        f"{ds.preprocessor.inputs[1].fill:.6g}"]
    in_crore = tmp_path / "crore.csv"              # a whole column in crore reads as numbers in Cr
    in_crore.write_text("area,price\n" + "".join(f"1200,{1 + i / 10:.1f} Cr\n" for i in range(6)))
    crore = read_csv(in_crore).frame
    assert predict_rows(loaded, crore).iloc[2, 1] == pytest.approx(predicted[0])
    script = export_model(tmp_path / "flats.py", net, ds.preprocessor)
    for data, expected in ((new, predicted), (in_crore, predict_rows(loaded, crore).iloc[:, 1].tolist())):
        out = subprocess.run([sys.executable, str(script), str(data)], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        np.testing.assert_allclose([float(line.split(",")[1]) for line in out.stdout.splitlines()[1:]],
                                   expected, rtol=1e-5)
