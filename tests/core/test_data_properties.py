"""Property tests: whatever text or bytes a user feeds the loader, the answer is a Dataset or a DataError.

Never another exception type, never NaN in the arrays, and within a time bound (hypothesis deadline).
About 1,400 examples in all; the whole file runs in well under a minute on two cores.
"""

import string

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.data import DataError, Dataset, build_dataset, read_csv, read_csv_bytes, read_csv_text



def budget(n: int) -> settings:
    # database=None: failures are reproduced from the printed example, not from files in the work tree
    return settings(max_examples=n, deadline=2000, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# cells that exercise the sniffer: numbers in both decimal styles, NA spellings, quotes, comment marks
CELLS = st.one_of(
    st.integers(-1000, 1000).map(str),
    st.floats(allow_nan=True, allow_infinity=True, width=32).map(repr),
    st.floats(-1e4, 1e4).map(lambda f: f"{f:.3f}".replace(".", ",")),
    st.sampled_from(["", "NA", "N/A", "nan", "?", "null", "None", "-", "inf", "-inf", "1e39", "True", "a", "b",
                     "red", "blue", '"x,y"', '"q""q"', '"', "#", "# c", " ", "\t", "é", "ü", "0x1F",
                     # spellings the loader reads as numbers or as missing: units, flags, durations, heights,
                     # abbreviations, footnotes, statistics offices' marks, a placeholder phrase, month dates
                     "1h 38m", "48:42:00", "6'8\"", "6-8", "523.8 p", "12 e", "..", ":", "---", "4.1M", "201k",
                     "10,000+", "9.5[7]", "6.988,09-", '"4260,7"', '"1.933.535"', "120 444", "Varies with device",
                     "Jan 5, 2020", "$1,234.50", "(12)", "<0.5", "n.d."]),
    st.text(alphabet=string.ascii_letters + string.digits + " .,;|\t\"'#-", max_size=8),
)


@st.composite
def csv_texts(draw):
    delim = draw(st.sampled_from([",", ";", "\t", "|", " ", "  "]))
    n_cols = draw(st.integers(1, 6))
    n_rows = draw(st.integers(0, 30))
    rows = []
    if draw(st.booleans()):
        rows.append(delim.join(draw(st.lists(st.sampled_from(["x", "y", "label", "", "a b", "x"]),
                                             min_size=n_cols, max_size=n_cols))))
    for _ in range(n_rows):
        k = n_cols if draw(st.integers(0, 9)) else draw(st.integers(0, n_cols + 2))  # mostly rectangular
        rows.append(delim.join(draw(st.lists(CELLS, min_size=k, max_size=k))))
        if draw(st.integers(0, 19)) == 0:
            rows.append(draw(st.sampled_from(["", "# comment", "   "])))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return newline.join(rows) + draw(st.sampled_from(["", newline, newline * 3]))


NUMBER_CELLS = st.one_of(st.integers(-50, 50).map(str), st.floats(-100, 100).map(lambda f: f"{f:.4g}"),
                         st.sampled_from(["", "NA", "?", "nan", "0", "1"]))
LABEL_CELLS = st.sampled_from(["a", "b", "c", "x y", '"p,q"', "", "NA", "1", "2"])


@st.composite
def table_texts(draw):
    """Mostly well-formed tables (typed columns, rare defects) so that many examples reach build_dataset."""
    delim = draw(st.sampled_from([",", ";", "\t", "|"]))
    kinds = draw(st.lists(st.sampled_from(["num", "num", "label"]), min_size=1, max_size=5))
    n_rows = draw(st.integers(1, 40))
    lines = []
    if draw(st.booleans()):
        lines.append(delim.join(f"c{j}" for j in range(len(kinds))))
    for _ in range(n_rows):
        cells = [draw(NUMBER_CELLS if k == "num" else LABEL_CELLS) for k in kinds]
        if delim != ",":
            cells = [c.replace('"p,q"', "pq") for c in cells]
        lines.append(delim.join(cells))
    if draw(st.integers(0, 9)) == 0:  # an occasional defect
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] = draw(st.sampled_from([lines[i] + delim + "extra", "# note", "", lines[i] + delim + "inf"]))
    return "\n".join(lines) + "\n"


OPTIONS = st.fixed_dictionaries({
    "task": st.sampled_from(["auto", "classification", "regression"]),
    "scaling": st.sampled_from(["standardize", "minmax", "minmax_sym", "none"]),
    "missing": st.sampled_from(["drop", "fill"]),
    "val_split": st.sampled_from([0.0, 0.2, 0.5]),
    "test_split": st.sampled_from([0.0, 0.1]),
    "seed": st.integers(0, 2**31),
})


def check(make_table, options, target_pick=None):
    try:
        table = make_table()
    except DataError as exc:
        assert "\n" not in str(exc)
        return
    try:
        targets = None
        if target_pick is not None and table.columns:
            targets = [table.columns[target_pick % len(table.columns)].name]
        d = build_dataset(table, targets=targets, **options)
    except DataError as exc:
        assert "\n" not in str(exc)
        return
    assert isinstance(d, Dataset)
    for a in (d.X_train, d.Y_train, d.X_val, d.Y_val, d.X_test, d.Y_test):
        assert np.isfinite(a).all()
        assert a.flags.c_contiguous
    assert d.n_train >= 1
    assert d.X_train.shape[1] == len(d.feature_names) and d.Y_train.shape[1] == len(d.output_names)
    np.testing.assert_array_equal(d.preprocessor.transform(d.raw_val), d.X_val)


@budget(300)
@given(text=csv_texts(), options=OPTIONS, pick=st.integers(0, 10))
def test_structured_text_gives_dataset_or_data_error(text, options, pick):
    check(lambda: read_csv_text(text), options, pick)


@budget(400)
@given(text=table_texts(), options=OPTIONS, pick=st.integers(0, 10))
def test_typed_tables_give_dataset_or_data_error(text, options, pick):
    check(lambda: read_csv_text(text), options, pick)


@budget(200)
@given(text=st.text(max_size=400), options=OPTIONS)
def test_random_text_gives_dataset_or_data_error(text, options):
    check(lambda: read_csv_text(text), options)


@budget(300)
@given(data=st.binary(max_size=600), options=OPTIONS)
def test_random_bytes_give_dataset_or_data_error(data, options):
    check(lambda: read_csv_bytes(data, "random.bin"), options)


@budget(200)
@given(data=st.one_of(st.binary(max_size=300), csv_texts().map(lambda t: t.encode("utf-8"))),
       prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"#\n", b"x,y\n"]))
def test_random_files_give_dataset_or_data_error(tmp_path_factory, data, prefix):
    path = tmp_path_factory.mktemp("prop") / "random.csv"
    path.write_bytes(prefix + data)
    check(lambda: read_csv(path), {})
