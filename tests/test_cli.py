"""The command-line contract: `python main.py train/predict/export` as other tools will call it."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from tests.conftest import ROOT

IRIS = ROOT / "resources" / "iris.csv"
SUMMARY_KEYS = {"epochs", "stop_reason", "train_loss", "val_loss", "val_accuracy", "val_r2", "val_rmse",
                "samples_per_second", "elapsed_s"}


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def last_json(stdout):
    return json.loads(stdout.strip().splitlines()[-1])


def test_train_iris_string_classes_reaches_093(tmp_path):
    """Default settings + --layers 16. The split is drawn from the seed; seed 0's 30 validation rows hold
    3 versicolor/virginica rows that no model separates (scikit-learn's MLP 0.87, logistic regression and
    SVC 0.90 on that same split), so the bar is the mean over four splits, each split at least 0.86."""
    accuracies = []
    for seed in range(4):
        result = run_cli("train", IRIS, "--layers", "16", "--json", "--seed", seed)
        assert result.returncode == 0, result.stderr
        summary = last_json(result.stdout)
        assert set(summary) == SUMMARY_KEYS
        assert summary["val_r2"] is None and summary["val_rmse"] is None
        assert summary["stop_reason"] == "max_epochs" and summary["epochs"] == 500
        assert summary["samples_per_second"] > 0
        assert "Traceback" not in result.stderr
        accuracies.append(summary["val_accuracy"])
    assert min(accuracies) >= 0.86 and sum(accuracies) / 4 >= 0.93, accuracies


def test_train_says_what_it_made_of_a_messy_file(tmp_path):
    path = tmp_path / "sales.csv"
    rows = ["order id,units,region,returned"]
    rows += [f"A-{i:04d},{i % 17},{('north', 'south')[i % 2]},{('yes', 'no', '')[i % 3]}" for i in range(90)]
    path.write_text("\n".join(rows) + "\n")
    result = run_cli("train", path, "--epochs", "3")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == ("data: 48 training / 12 validation rows; 2 input columns (3 features) → returned "
                        "(2 classes: no, yes)"), lines
    assert "note: column 'order id' looks like an identifier (a different value in every row): ignored" in lines
    assert "note: 30 rows with a missing target dropped" in lines
    assert lines[3].startswith("[3, 8, 1]")
    as_json = run_cli("train", path, "--epochs", "3", "--json")          # --json: one object, nothing else
    assert as_json.stdout.count("\n") == 1 and set(last_json(as_json.stdout)) == SUMMARY_KEYS
    # … and the notes on stderr, where a script's log keeps them
    assert [line for line in lines if line.startswith("note:")] == as_json.stderr.splitlines()


def test_an_unusable_last_column_error_says_how_to_choose_the_target(tmp_path):
    """UCI's auto-mpg.data ends with the car's name: the default target cannot be learnt."""
    path = tmp_path / "cars.data"
    path.write_text("".join(f"{18 + i % 20}.0 {4 + 2 * (i % 3)} {100 + i}.0\t\"car model {i}\"\n" for i in range(60)))
    result = run_cli("train", path, "--epochs", "2")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "choose another with --target NAME" in result.stderr and "col_4" in result.stderr, result.stderr
    chosen = run_cli("train", path, "--epochs", "2", "--target", "col_1", "--json")
    assert chosen.returncode == 0, chosen.stderr
    assert last_json(chosen.stdout)["val_r2"] is not None
    explicit = run_cli("train", path, "--epochs", "2", "--target", "col_4")    # the user's own choice: no hint
    assert explicit.returncode == 2 and "--target" not in explicit.stderr


def test_train_regression_reports_r2_in_target_units(tmp_path):
    result = run_cli("train", "--example", "product", "--layers", "8,8", "--optimizer", "adam",
                     "--epochs", "200", "--json")
    assert result.returncode == 0, result.stderr
    summary = last_json(result.stdout)
    assert summary["val_accuracy"] is None
    assert summary["val_r2"] > 0.8 and summary["val_rmse"] is not None


def test_target_error_stop_and_export(tmp_path):
    out = tmp_path / "xor.json"
    result = run_cli("train", "--example", "xor", "--layers", "4", "--activation", "sigmoid",
                     "--output-activation", "sigmoid", "--loss", "mse", "--lr", "2", "--batch-size", "1",
                     "--epochs", "20000", "--target-error", "0.01", "--json", "--export", out)
    assert result.returncode == 0, result.stderr
    summary = last_json(result.stdout)
    assert summary["stop_reason"] == "target_error" and summary["train_loss"] < 0.02
    assert out.exists() and json.loads(out.read_text())


def test_the_xor_example_trains_on_the_articles_error_unless_told_otherwise():
    result = run_cli("train", "--example", "xor", "--epochs", "3")
    assert result.returncode == 0, result.stderr
    assert "[2, 2, 1] sigmoid-sigmoid mse:" in result.stdout
    chosen = run_cli("train", "--example", "xor", "--epochs", "3", "--loss", "binary-cross-entropy")
    assert "[2, 2, 1] sigmoid-sigmoid binary-cross-entropy:" in chosen.stdout, chosen.stderr


@pytest.mark.parametrize("args,fragment", [
    (["train", "missing.csv"], "no such file"),
    (["train", IRIS, "--target", "nope"], "nope"),
    (["train", IRIS, "--optimizer", "nesterov"], "invalid choice"),
    (["train", IRIS, "--layers", "8,x"], "layer sizes"),
    (["train", IRIS, "--lr", "-1"], "learning rate"),
    (["train", IRIS, "--epochs", "-5"], "--epochs: must be at least 1, not -5"),
    (["train", IRIS, "--epochs", "0"], "--epochs: must be at least 1, not 0"),
    (["train", IRIS, "--batch-size", "-1"], "--batch-size: must be zero or positive, not -1"),
    (["train", "--example", "moons", "--output-activation", "softmax"], "softmax over a single output is always 1"),
    (["train", IRIS, "--activation", "swish"], "Unknown activation"),
    (["train", "--example", "nosuch"], "nosuch"),
    (["predict", "nomodel.npz", IRIS], "nomodel"),
])
def test_errors_are_one_plain_line_and_exit_2(args, fragment):
    result = run_cli(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment.lower() in lines[0].lower(), result.stderr
    assert "Traceback" not in result.stderr


def test_predict_notes_inputs_it_had_to_fill_or_did_not_know(tmp_path):
    train = tmp_path / "pets.csv"
    train.write_text("weight,colour,kind\n" + "".join(
        f"{3 + i % 7},{'black' if i % 3 else 'white'},{('cat', 'dog')[(i // 2) % 2]}\n" for i in range(80)))
    model = tmp_path / "pets.npz"
    assert run_cli("train", train, "--epochs", "5", "--export", model).returncode == 0
    new = tmp_path / "new.csv"
    # columns in another order; a row of bare delimiters at the end, as spreadsheets leave them
    new.write_text("colour,weight\nblack,4\nginger,5\nwhite,\n,6\n,\n")
    result = run_cli("predict", model, new)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 5                        # header + every row with a value
    notes = [line for line in result.stderr.splitlines() if line.startswith("note: ")]
    assert len(notes) == 4 and notes[0] == "note: 1 empty row skipped", result.stderr
    assert notes[1].startswith("note: 'weight': 1 missing value filled with the training mean ")
    assert 3 <= float(notes[1].rsplit(" ", 1)[1]) <= 9                          # a weight of the training rows
    assert notes[2:] == ["note: 'colour': 1 missing value filled with the most frequent one, 'black'",
                     "note: 'colour': 1 value never seen in training ('ginger'), encoded as none of its categories"], \
        result.stderr


def test_predict_round_trip(tmp_path):
    model = tmp_path / "iris.npz"
    result = run_cli("train", IRIS, "--layers", "16", "--epochs", "200", "--export", model)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "pred.csv"
    result = run_cli("predict", model, IRIS, "--out", out)
    assert result.returncode == 0, result.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 151
    body = "\n".join(lines[1:])
    assert "setosa" in body and "virginica" in body


def test_column_names_match_whatever_their_case_spaces_or_underscores(tmp_path):
    model = tmp_path / "iris.npz"
    result = run_cli("train", IRIS, "--target", "Species", "--ignore", "Petal Width", "--epochs", "30",
                     "--export", model)
    assert result.returncode == 0, result.stderr
    assert "→ species" in result.stdout and "3 input columns" in result.stdout
    lines = IRIS.read_text().splitlines()
    renamed = tmp_path / "flowers.csv"
    renamed.write_text("\n".join(["Sepal Length,SEPAL_WIDTH,Petal_Length,petal width"]
                                 + [",".join(line.split(",")[:4]) for line in lines[1:]]) + "\n")
    plain = run_cli("predict", model, IRIS)
    loose = run_cli("predict", model, renamed)
    assert loose.returncode == 0, loose.stderr
    assert loose.stdout == plain.stdout and len(loose.stdout.splitlines()) == len(lines)
    assert ("note: columns read as the model's inputs: 'Sepal Length' as 'sepal_length', "
            "'SEPAL_WIDTH' as 'sepal_width', 'Petal_Length' as 'petal_length'") in loose.stderr


def test_predict_names_the_file_that_lacks_an_input_and_target_cannot_be_ignored(tmp_path):
    model = tmp_path / "iris.npz"
    assert run_cli("train", IRIS, "--epochs", "5", "--export", model).returncode == 0
    short = tmp_path / "three.csv"
    short.write_text("sepal_length,sepal_width,petal_length\n5.1,3.5,1.4\n")
    result = run_cli("predict", model, short)
    assert result.returncode == 2
    assert result.stderr.startswith("error: three.csv: column 'petal_width' is missing"), result.stderr
    short.write_text("sepal_width,petal_length\n3.5,1.4\n")          # every column it lacks, not the first
    result = run_cli("predict", model, short)
    assert result.returncode == 2 and "2 columns are missing: sepal_length, petal_width" in result.stderr
    result = run_cli("train", IRIS, "--target", "species", "--ignore", "SPECIES")
    assert result.returncode == 2
    assert "column 'species' cannot be both the target and ignored" in result.stderr


def test_messages_for_a_one_column_file_a_date_target_and_several_regression_targets(tmp_path):
    one = tmp_path / "one.csv"
    one.write_text("x\n1\n2\n3\n4\n")
    result = run_cli("train", one)
    assert result.returncode == 2 and "one.csv has a single column ('x')" in result.stderr
    dated = tmp_path / "dated.csv"
    dated.write_text("a,b,when\n" + "".join(f"{i},{i * 3 % 7},2024-01-{i % 28 + 1:02d}\n" for i in range(40)))
    result = run_cli("train", dated)
    assert result.returncode == 2
    assert "target column 'when' holds dates or times, which a network does not predict as classes." \
        in result.stderr and "--target NAME" in result.stderr
    two = tmp_path / "two.csv"
    two.write_text("x,celsius,grams\n" + "".join(f"{i % 9 / 2},{i % 30},{1000 * i + 5}\n" for i in range(60)))
    result = run_cli("train", two, "--target", "celsius", "--target", "grams", "--epochs", "5")
    assert result.returncode == 0, result.stderr
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("val rmse"))
    assert line.startswith("val rmse: celsius ") and ", grams " in line and line.endswith("(each in its target's units)")


def test_train_names_the_majority_baseline_of_an_imbalanced_target(tmp_path):
    path = tmp_path / "churn.csv"
    rows = [f"{i % 17},{(i * 7) % 23},{'yes' if i % 10 == 0 else 'no'}" for i in range(300)]
    path.write_text("calls,months,churned\n" + "\n".join(rows) + "\n")
    result = run_cli("train", path, "--epochs", "3")
    assert result.returncode == 0, result.stderr
    assert "always answering 'no' would score 0.9000; balanced accuracy (mean recall)" in result.stdout
    iris = run_cli("train", IRIS, "--epochs", "3")
    assert "val accuracy" in iris.stdout and "always answering" not in iris.stdout


def test_sheet_picks_the_table_of_a_workbook_in_train_predict_and_the_exported_script(tmp_path):
    from tests.core.test_data import _two_data_sheets

    book = _two_data_sheets(tmp_path / "parts.xlsx", n_small=30, n_large=40)
    model, script = tmp_path / "model.npz", tmp_path / "model.py"
    result = run_cli("train", book, "--sheet", "2023", "--target", "verdict_2023", "--epochs", "5", "--json",
                     "--export", model)
    assert result.returncode == 0, result.stderr
    assert last_json(result.stdout)["epochs"] == 5
    assert run_cli("export", model, script).returncode == 0
    out = tmp_path / "pred.csv"
    result = run_cli("predict", model, book, "--sheet", "2023", "--out", out)
    assert result.returncode == 0, result.stderr
    predicted = out.read_text().splitlines()
    assert len(predicted) == 31                          # the 30 rows of 2023, not the 40 of the larger sheet
    by_script = subprocess.run([sys.executable, str(script), str(book), "--sheet", "2023"], capture_output=True,
                               text=True, timeout=60)
    assert by_script.returncode == 0, by_script.stderr
    assert [line.split(",")[0] for line in by_script.stdout.splitlines()] == \
        [line.split(",")[0] for line in predicted]
    result = run_cli("train", book, "--sheet", "2025", "--epochs", "5")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == "error: parts.xlsx: it has no sheet named '2025' (its sheets: Cover, 2023, 2024)."


def test_an_output_activation_chosen_alone_brings_its_own_loss(tmp_path):
    # iris with sigmoid outputs: the auto loss is binary cross-entropy, not softmax's cross-entropy (refused)
    result = run_cli("train", "--example", "iris", "--output-activation", "sigmoid", "--epochs", "20")
    assert result.returncode == 0, result.stderr
    assert "sigmoid binary-cross-entropy" in result.stdout


def test_export_says_what_the_onnx_file_does_differently(tmp_path):
    result = run_cli("train", "--example", "iris", "--epochs", "3", "--dtype", "float64", "--export",
                     tmp_path / "iris.onnx", "--json")
    assert result.returncode == 0, result.stderr
    assert "note: ONNX models compute in float32" in result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["epochs"] == 3      # stdout's last line stays JSON
    assert run_cli("train", "--example", "iris", "--epochs", "3", "--dtype", "float64", "--export",
                   tmp_path / "iris.npz").returncode == 0
    result = run_cli("export", tmp_path / "iris.npz", tmp_path / "again.onnx")
    assert result.returncode == 0 and "note: ONNX models compute in float32" in result.stderr


def test_a_word_in_a_column_of_numbers_is_predicted_as_missing_by_predict_and_the_script_alike(tmp_path):
    model, script = tmp_path / "iris.npz", tmp_path / "iris.py"
    assert run_cli("train", IRIS, "--epochs", "20", "--export", model).returncode == 0
    assert run_cli("export", model, script).returncode == 0
    lines = IRIS.read_text().splitlines()[:3]           # two rows: the column reads as text, not numbers
    cells = lines[2].split(",")
    cells[0] = "n/k"                                     # a typo where a sepal length belongs
    lines[2] = ",".join(cells)
    data = tmp_path / "typo.csv"
    data.write_text("\n".join(lines) + "\n")
    by_cli = run_cli("predict", model, data)
    assert by_cli.returncode == 0, by_cli.stderr
    assert "1 value that is no number (such as 'n/k'), filled with the training mean" in by_cli.stderr
    by_script = subprocess.run([sys.executable, str(script), str(data)], capture_output=True, text=True, timeout=60)
    assert by_script.returncode == 0 and by_script.stdout == by_cli.stdout


def test_a_run_that_overfits_says_so_and_how_to_keep_its_best_epoch(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 5))
    y = X[:, 0] + rng.normal(0, 1.0, 60)                     # mostly noise: a wide network learns it by heart
    path = tmp_path / "noisy.csv"
    pd.DataFrame(np.c_[X, y], columns=["a", "b", "c", "d", "e", "y"]).to_csv(path, index=False)
    result = run_cli("train", path, "--target", "y", "--layers", "64", "--epochs", "1000", "--lr", "0.1")
    assert result.returncode == 0, result.stderr
    assert "the network overfits its training rows; --patience 20 stops there" in result.stdout
    as_json = run_cli("train", path, "--target", "y", "--layers", "64", "--epochs", "1000", "--lr", "0.1", "--json")
    assert "overfits" in as_json.stderr and as_json.stdout.count("\n") == 1
    kept = run_cli("train", path, "--target", "y", "--layers", "64", "--epochs", "1000", "--lr", "0.1",
                   "--patience", "20")
    assert kept.returncode == 0 and "overfits" not in kept.stdout, kept.stderr


def test_train_with_a_date_column_uses_its_numbers_and_can_validate_on_the_latest_days(tmp_path):
    data = tmp_path / "daily.csv"
    lines = ["date,temp,sales"] + [f"2023-{1 + i // 28:02d}-{1 + i % 28:02d},{i % 11},{20 + 15 * (i % 7 >= 5) + i % 3}"
                                   for i in range(200)]
    data.write_text("\n".join(lines) + "\n")
    out = run_cli("train", data, "--target", "sales", "--epochs", "5", "--split", "latest")
    assert out.returncode == 0, out.stderr
    assert ("note: column 'date' holds dates (written like '2024-01-31'): used as 4 numbers, date.year, "
            "date.month, date.day, date.weekday") in out.stdout + out.stderr
    assert "note: validation on the latest dates in column 'date' (40 rows), training on the earlier ones" \
        in out.stdout + out.stderr
    bad = run_cli("train", data, "--target", "sales", "--split", "future")
    assert bad.returncode == 2 and "invalid choice: 'future'" in bad.stderr and "Traceback" not in bad.stderr


def test_a_column_left_out_can_be_put_back_with_input(tmp_path):
    path = tmp_path / "series.csv"
    path.write_text("row,y\n" + "".join(f"{i + 1},{(i * 7) % 11 + 0.5}\n" for i in range(60)))
    refused = run_cli("train", path, "--epochs", "3")
    assert refused.returncode == 2 and "(--input NAME, --target NAME)" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    kept = run_cli("train", path, "--epochs", "3", "--input", "row", "--json")
    assert kept.returncode == 0, kept.stderr
    assert last_json(kept.stdout)["epochs"] == 3


def test_a_column_of_codes_is_read_as_categories_with_categorical_and_predicted_so(tmp_path):
    data = tmp_path / "oj.csv"
    data.write_text("StoreID,Price,Purchase\n" + "".join(
        f"{1 + i % 7},{2 + (i * 13) % 10 / 10:.1f},{'CH' if (i % 7) in (1, 3, 4) else 'MM'}\n" for i in range(140)))
    model = tmp_path / "oj.json"
    out = run_cli("train", data, "--categorical", "StoreID", "--epochs", "300", "--export", model, "--json")
    assert out.returncode == 0, out.stderr
    assert "note: column 'StoreID' read as 7 categories, one input each" in out.stdout + out.stderr
    # the stores alone decide: as categories the network gets them all right, as one number it cannot
    assert last_json(out.stdout)["val_accuracy"] == 1.0
    predicted = run_cli("predict", model, data)
    assert predicted.returncode == 0, predicted.stderr
    lines = predicted.stdout.splitlines()
    assert lines[0] == "predicted_Purchase,p(CH),p(MM)"
    assert [line.split(",")[0] for line in lines[1:8]] == ["MM", "CH", "MM", "CH", "CH", "MM", "MM"]
    bad = run_cli("train", data, "--categorical", "Store")
    assert bad.returncode == 2 and "there is no column 'Store'" in bad.stderr and "Traceback" not in bad.stderr


def test_the_results_start_with_what_the_file_gave_and_end_with_the_model_written(tmp_path):
    out = tmp_path / "m.npz"
    result = run_cli("train", IRIS, "--epochs", "3", "--export", out)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("data: ") and lines[-1] == f"model written to {out}" and out.is_file()


def test_a_model_of_a_headerless_file_refuses_a_header_in_predict_and_the_script_alike(tmp_path):
    # the script took the header line for a row of data (a prediction too many), predict said col_1 was missing
    rows = IRIS.read_text().splitlines()
    headerless = tmp_path / "plain.csv"
    headerless.write_text("\n".join(rows[1:]) + "\n")
    model, script = tmp_path / "plain.npz", tmp_path / "plain.py"
    assert run_cli("train", headerless, "--epochs", "20", "--export", model).returncode == 0
    assert run_cli("export", model, script).returncode == 0
    named = tmp_path / "named.csv"
    named.write_text("\n".join(line.rsplit(",", 1)[0] for line in rows[:6]) + "\n")
    by_cli = run_cli("predict", model, named)
    by_script = subprocess.run([sys.executable, str(script), str(named)], capture_output=True, text=True, timeout=60)
    for result in (by_cli, by_script):
        assert result.returncode == 2 and result.stdout == ""
        assert "without a header row" in result.stderr and "give the rows without a header line" in result.stderr
    plain = tmp_path / "plain_rows.csv"                  # the same rows without the header: both predict 5 rows
    plain.write_text("\n".join(line.rsplit(",", 1)[0] for line in rows[1:6]) + "\n")
    by_cli = run_cli("predict", model, plain)
    by_script = subprocess.run([sys.executable, str(script), str(plain)], capture_output=True, text=True, timeout=60)
    assert by_cli.returncode == 0 and by_cli.stdout == by_script.stdout
    assert len(by_cli.stdout.strip().splitlines()) == 1 + 5


def test_an_infinite_cell_is_missing_for_predict_and_the_script_alike(tmp_path):
    # the script stopped with "the value inf is infinite or too large" where training reads it as missing
    model, script = tmp_path / "iris.npz", tmp_path / "iris.py"
    assert run_cli("train", IRIS, "--epochs", "20", "--export", model).returncode == 0
    assert run_cli("export", model, script).returncode == 0
    data = tmp_path / "odd.csv"
    data.write_text("sepal_length,sepal_width,petal_length,petal_width\n5.1,inf,1.4,0.2\n6.0,3.0,1e39,1.5\n")
    by_cli = run_cli("predict", model, data)
    by_script = subprocess.run([sys.executable, str(script), str(data)], capture_output=True, text=True, timeout=60)
    assert by_cli.returncode == 0 and by_script.returncode == 0, (by_cli.stderr, by_script.stderr)
    assert by_cli.stdout == by_script.stdout and len(by_cli.stdout.splitlines()) == 3
    for result in (by_cli, by_script):
        assert "'sepal_width': 1 missing value filled with the training mean" in result.stderr


def test_predictions_keep_a_line_for_each_empty_row_inside_the_table_and_skip_those_below(tmp_path):
    # a sheet with rows left empty between groups: the predictions came out shifted by one after each
    model, script = tmp_path / "iris.npz", tmp_path / "iris.py"
    assert run_cli("train", IRIS, "--epochs", "5", "--export", model).returncode == 0
    assert run_cli("export", model, script).returncode == 0
    header, *rows = IRIS.read_text().splitlines()
    data = tmp_path / "groups.csv"
    data.write_text("\n".join([header, ",,,,", rows[0], rows[1], ",,,,", "NA,NA,NA,NA,NA", rows[60], ",,,,", ",,,,"])
                    + "\n")
    by_cli = run_cli("predict", model, data)
    by_script = subprocess.run([sys.executable, str(script), str(data)], capture_output=True, text=True, timeout=60)
    assert by_cli.returncode == by_script.returncode == 0, by_cli.stderr + by_script.stderr
    assert by_cli.stdout == by_script.stdout
    lines = by_cli.stdout.splitlines()[1:]
    assert [line == ",,," for line in lines] == [True, False, False, True, True, False]
    plain = tmp_path / "plain.csv"                       # the same three rows without the empty ones
    plain.write_text("\n".join([header, rows[0], rows[1], rows[60]]) + "\n")
    assert [line for line in lines if line != ",,,"] == run_cli("predict", model, plain).stdout.splitlines()[1:]
    for result in (by_cli, by_script):
        said = result.stderr.splitlines()
        assert "note: 3 empty rows left empty in the predictions" in said and "note: 2 empty rows skipped" in said
    out = tmp_path / "predicted.csv"
    assert run_cli("predict", model, data, "--out", out).stdout.strip() == f"3 predictions written to {out}"
    assert out.read_text() == by_cli.stdout


def test_predict_and_the_script_both_say_which_rows_they_skipped(tmp_path):
    # the script dropped an empty row and a 'Total' row without a word: its output had two lines fewer than
    # the file, and nothing said why
    model, script = tmp_path / "iris.npz", tmp_path / "iris.py"
    assert run_cli("train", IRIS, "--epochs", "5", "--export", model).returncode == 0
    assert run_cli("export", model, script).returncode == 0
    rows = IRIS.read_text().splitlines()
    data = tmp_path / "sheet.csv"
    data.write_text("\n".join([*rows[:3], ",,,,", rows[3], "Total,,,,"]) + "\n")
    by_cli = run_cli("predict", model, data)
    by_script = subprocess.run([sys.executable, str(script), str(data)], capture_output=True, text=True, timeout=60)
    # the empty row between rows with values stays an empty line: line k of the output is row k of the file
    assert by_cli.stdout == by_script.stdout and len(by_cli.stdout.splitlines()) == 1 + 4
    assert by_cli.stdout.splitlines()[3] == ",,,"
    for result in (by_cli, by_script):
        assert "note: 1 empty row left empty in the predictions" in result.stderr.splitlines(), result.stderr
        assert ("note: the 'Total' row at the end of the table skipped (a summary of the rows above)"
                in result.stderr.splitlines()), result.stderr
