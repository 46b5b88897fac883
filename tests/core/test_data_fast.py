"""core.data: a file cut into pieces parsed in parallel gives exactly what one reader gives.

Big files (≥ 2 pieces of core.data._SPLIT_BYTES) are cut just after line ends and the pieces parsed on a
thread pool. These tests shrink the pieces to 1 KB so small files take that path even on one core, and
compare tables, datasets and error messages with the one-reader read of the same file.
"""

import mmap

import numpy as np
import pandas as pd
import pytest

import core.data
from core.data import DataError, LoadCancelled, build_dataset, read_csv


@pytest.fixture
def paths(monkeypatch):
    """Counts which way each read went: 'split', 'fallback' (split abandoned) or 'one'."""
    seen = []
    real = core.data._parse_chunks

    def spy(src, d, progress, cancel, offsets):
        way = "one" if offsets is None else "split"
        try:
            return real(src, d, progress, cancel, offsets)
        except core.data._Fallback:
            way = "fallback"
            raise
        finally:
            seen.append(way)

    monkeypatch.setattr(core.data, "_parse_chunks", spy)
    return seen


def read_both(path, monkeypatch, **kw):
    """(split read, one-reader read) of ``path``; each is a RawTable or the DataError message."""
    return [read_one_way(path, monkeypatch, split, **kw) for split in (True, False)]


def read_one_way(path, monkeypatch, split: bool, **kw):
    with monkeypatch.context() as m:
        m.setattr(core.data, "_SPLIT_BYTES", 1024)
        m.setattr(core.data, "_parse_workers", lambda: 2)
        if not split:
            m.setattr(core.data, "_split_offsets", lambda src, d: None)
        try:
            return read_csv(path, **kw)
        except LoadCancelled:
            raise
        except DataError as exc:
            return str(exc)


def assert_same_table(a, b):
    pd.testing.assert_frame_equal(a.frame, b.frame, check_exact=True)
    assert [dt for dt in a.frame.dtypes] == [dt for dt in b.frame.dtypes]
    assert a.columns == b.columns
    assert a.notes == b.notes
    assert (a.delimiter, a.has_header, a.source) == (b.delimiter, b.has_header, b.source)


def assert_same_dataset(a, b):
    for name in ("X_train", "Y_train", "X_val", "Y_val", "X_test", "Y_test"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and x.shape == y.shape and x.flags.c_contiguous == y.flags.c_contiguous
        assert np.array_equal(x, y, equal_nan=True), name
    assert (a.feature_names, a.output_names, a.class_names, a.task, a.notes) == \
        (b.feature_names, b.output_names, b.class_names, b.task, b.notes)
    assert a.preprocessor.to_dict() == b.preprocessor.to_dict()
    pd.testing.assert_frame_equal(a.raw_val, b.raw_val, check_exact=True)
    if a.raw_test is not None or b.raw_test is not None:
        pd.testing.assert_frame_equal(a.raw_test, b.raw_test, check_exact=True)


def write(tmp_path, name, text, encoding="utf-8", newline="\n"):
    p = tmp_path / name
    p.write_bytes(text.replace("\n", newline).encode(encoding))
    return p


def pixels(rows=400, cols=30, seed=0):
    rng = np.random.default_rng(seed)
    v = rng.integers(0, 256, (rows, cols + 1))
    v[:, -1] %= 10
    head = ",".join([f"px{i}" for i in range(cols)] + ["label"])
    return head + "\n" + "\n".join(",".join(map(str, r)) for r in v.tolist()) + "\n"


def with_missing(rows=400, seed=1):
    rng = np.random.default_rng(seed)
    lines = ["a,b,c,d,y"]
    for i in range(rows):
        cells = [f"{x:.6g}" for x in rng.normal(1000, 50, 4)] + [f"{rng.normal():.5f}"]
        if i % 7 == 3:
            cells[i % 4] = ("", "NA", "?", "n/a")[i % 4]
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def with_text(rows=400, seed=2):
    rng = np.random.default_rng(seed)
    lines = ["x1,colour,x2,code,kind"]
    for i in range(rows):
        colour = ("red", "green", "blue", "")[i % 4]
        code = str(i % 5) if i < rows // 2 else ("A7", "3", "B2", "4", "C9")[i % 5]  # text only late
        lines.append(f"{rng.normal():.4f},{colour},{rng.integers(0, 9)},{code},{('cat', 'dog')[i % 2]}")
    return "\n".join(lines) + "\n"


CASES = {
    "pixels": (pixels, {}),
    "missing": (with_missing, {}),
    "missing_fill": (with_missing, {"missing": "fill", "test_split": 0.1}),
    "text": (with_text, {}),
    "text_regression": (with_text, {"targets": ["x1"], "scaling": "minmax"}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_split_read_gives_the_same_table_and_dataset(case, tmp_path, monkeypatch, paths):
    make, build_kw = CASES[case]
    path = write(tmp_path, f"{case}.csv", make())
    split, one = read_both(path, monkeypatch)
    assert paths == ["split", "one"]
    assert_same_table(split, one)
    assert_same_dataset(build_dataset(split, **build_kw), build_dataset(one, **build_kw))


@pytest.mark.parametrize("variant", ["crlf", "comments_and_blanks", "semicolon_decimal_comma", "spaces",
                                     "padded", "bom", "cp1252_late"])
def test_split_read_follows_the_dialect(variant, tmp_path, monkeypatch, paths):
    text = with_missing(300)
    kw = {}
    if variant == "crlf":
        kw["newline"] = "\r\n"
    elif variant == "comments_and_blanks":
        lines = text.split("\n")
        for i in range(250, 5, -37):
            lines.insert(i, "# a comment line" if i % 2 else "")
        text = "\n".join(lines)
    elif variant == "semicolon_decimal_comma":
        text = text.replace(",", ";").replace(".", ",")
    elif variant == "spaces":
        text = text.replace("NA", "nan").replace(",,", ",nan,").replace(",\n", ",nan\n").replace(",", "  ")
        text = "\n".join(("nan" + ln) if ln.startswith("  ") else ln for ln in text.split("\n"))
    elif variant == "padded":
        text = text.replace(",", ", ")
    elif variant == "bom":
        text = "\ufeff" + text
    elif variant == "cp1252_late":
        text = text.replace("a,b,c,d,y", "a,b,c,d,y,note").replace("\n", ",plain\n")
        lines = text.split("\n")
        lines[250] = lines[250].replace("plain", "caf\u00e9")  # not UTF-8 only far down the file
        text = "\n".join(lines)
        kw["encoding"] = "cp1252"
        monkeypatch.setattr(core.data, "_SAMPLE_BYTES", 4096)  # the sniffer sees UTF-8 only
    path = write(tmp_path, f"{variant}.csv", text, **kw)
    split, one = read_both(path, monkeypatch)
    assert not isinstance(split, str), split
    assert_same_table(split, one)
    assert_same_dataset(build_dataset(split, targets=["y"]), build_dataset(one, targets=["y"]))
    if variant == "cp1252_late":
        # a non-UTF-8 byte far down: the split read gives up, the one reader finds the encoding is wrong,
        # and the file is read again, split, as Windows-1252 (the one-reader read needs two goes)
        assert paths == ["fallback", "one", "split", "one", "one"]
    else:
        assert paths == ["split", "one"]


def test_a_quoted_field_spanning_a_cut_falls_back_to_one_reader(tmp_path, monkeypatch, paths):
    lines = with_text(300).split("\n")
    lines[0] += ",comment"
    for i in range(1, len(lines) - 1):
        lines[i] += ",ok"
    long_note = '"' + "\n".join(f"line {k}, still the same cell" for k in range(200)) + '"'
    lines[150] = lines[150][: -len(",ok")] + "," + long_note  # ~6 KB: every 1 KB cut in it is inside quotes
    path = write(tmp_path, "quoted.csv", "\n".join(lines))
    split, one = read_both(path, monkeypatch)
    assert paths == ["fallback", "one", "one"]
    assert_same_table(split, one)
    assert split.frame["comment"].iloc[149].count("\n") == 199


@pytest.mark.parametrize("damage", ["ragged_long", "ragged_short", "infinite", "open_quote"])
def test_split_read_reports_errors_like_one_reader(damage, tmp_path, monkeypatch):
    lines = pixels(300).split("\n")
    if damage == "ragged_long":
        lines[250] += ",7,7"
    elif damage == "ragged_short":
        lines[250] = lines[250].rsplit(",", 3)[0]
    elif damage == "infinite":
        lines[250] = "1e39" + lines[250][lines[250].index(","):]
    else:
        lines[250] = '"' + lines[250]
    path = write(tmp_path, f"{damage}.csv", "\n".join(lines))
    split, one = read_both(path, monkeypatch)
    if damage == "ragged_short":   # read, its last three cells missing, with the same note both ways
        assert_same_table(split, one)
        assert one.frame.iloc[249, -3:].isna().all() and one.frame.iloc[248:251, :-3].notna().all().all()
        assert any(note.startswith("line 251 holds 28 of the 31 fields") for note in one.notes), one.notes
        return
    if damage == "infinite":       # missing, with the same note both ways
        assert_same_table(split, one)
        assert split.notes == one.notes
        assert any("(the first on line 251) read as missing" in note for note in one.notes), one.notes
        return
    assert isinstance(one, str) and "line 251" in one or damage == "open_quote", one
    assert split == one


def test_split_read_progress_only_goes_forward_and_cancel_stops_it(tmp_path, monkeypatch, paths):
    path = write(tmp_path, "pixels.csv", pixels(600))
    seen = []
    read_one_way(path, monkeypatch, True, progress=seen.append)
    assert paths == ["split"]
    assert seen[0] == 0.0 and seen[-1] == 1.0 and len(seen) > 10
    assert seen == sorted(seen)

    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 4

    with pytest.raises(LoadCancelled):
        read_one_way(path, monkeypatch, True, cancel=cancel)
    assert len(calls) == 5


def test_a_fallback_does_not_move_the_progress_back(tmp_path, monkeypatch, paths):
    lines = pixels(600).split("\n")
    lines[500] += ",7,7"  # the split read gives up there and the file is read again
    path = write(tmp_path, "ragged.csv", "\n".join(lines))
    seen = []
    assert "line 501" in read_one_way(path, monkeypatch, True, progress=seen.append)
    assert paths == ["fallback", "one"]
    assert seen == sorted(seen) and seen[-1] > 0.5


def test_category_spellings_do_not_depend_on_chunk_boundaries(tmp_path, monkeypatch):
    lines = ["x,code,y"]
    for i in range(400):
        code = f"{i % 3}.0" if i < 300 else ("A7", "B2", "C9", "2.0")[i % 4]
        lines.append(f"{i * 0.5},{code},{i % 2}")
    path = write(tmp_path, "mixed.csv", "\n".join(lines) + "\n")
    whole = read_one_way(path, monkeypatch, False).column("code").categories
    monkeypatch.setattr(core.data, "_CHUNK_BYTES", 1024)  # one reader, small chunks
    assert read_one_way(path, monkeypatch, False).column("code").categories == whole
    assert whole == ("0.0", "1.0", "2.0", "A7", "B2", "C9")


def spellings(rows=480):
    """A mostly-text 'code' column whose numbers come in several spellings, with all-number stretches
    (rows 120..359) between text stretches, so small chunks and 1 KB pieces see that column both ways;
    'flag' does the same with pandas' boolean spellings, 'ok' holds nothing but them."""
    lines = ["x,code,flag,ok,y"]
    for i in range(rows):
        numbers_only = 120 <= i < 360
        code = ("0", "0.0", "1e3", " 7 ")[i % 4] if numbers_only else ("A", "0.0", "B", " 7 ", "0", "1e3")[i % 6]
        flag = ("true", "FALSE")[i % 2] if numbers_only else ("maybe", "true", "FALSE")[i % 3]
        ok = ("true", "false", "true", "", "false")[i % 5]
        lines.append(f"{i * 0.25},{code},{flag},{ok},{('cat', 'dog', '0.0')[i % 3]}")
    return "\n".join(lines) + "\n"


READS = {
    "whole": (False, None),       # one reader, one chunk: the text as pandas sees it
    "small_chunks": (False, 1024),
    "split": (True, None),
    "split_small_chunks": (True, 1024),
}


def read_whole_and_cut(path, monkeypatch, how):
    """The file read in one piece, and read the way `how` (a READS key) cuts it."""
    whole = read_one_way(path, monkeypatch, False)
    split, chunk_bytes = READS[how]
    with monkeypatch.context() as m:
        if chunk_bytes:
            m.setattr(core.data, "_CHUNK_BYTES", chunk_bytes)
        cut = read_one_way(path, monkeypatch, split)
    return whole, cut


@pytest.mark.parametrize("how", sorted(set(READS) - {"whole"}))
def test_the_same_cell_text_gives_the_same_category_however_the_file_is_cut(how, tmp_path, monkeypatch, paths):
    path = write(tmp_path, "spellings.csv", spellings())
    whole, cut = read_whole_and_cut(path, monkeypatch, how)
    assert paths == ["one", "split" if READS[how][0] else "one"]
    assert whole.column("code").categories == ("0", "0.0", "7", "1e3", "A", "B")
    assert whole.column("flag").categories == ("FALSE", "maybe", "true")
    assert whole.column("ok").categories == ("False", "True")  # only booleans: pandas' names, always
    assert_same_table(cut, whole)
    for kw in ({}, {"targets": ["code"], "missing": "fill", "test_split": 0.1}, {"targets": ["x"]}):
        a, b = build_dataset(cut, **kw), build_dataset(whole, **kw)
        assert_same_dataset(a, b)
        np.testing.assert_array_equal(a.preprocessor.transform(a.raw_val), a.X_val)
    d = build_dataset(whole, targets=["code"])
    assert d.class_names == ["0", "0.0", "7", "1e3", "A", "B"]
    assert "flag=maybe" in d.feature_names and "y=0.0" in d.feature_names


def test_small_chunks_really_cut_the_number_stretch(tmp_path, monkeypatch):
    # guards the test above: with 1 KB chunks the 'code' column reaches the loader as numbers in some chunks
    path = write(tmp_path, "spellings.csv", spellings())
    kinds = []
    real = core.data._piece

    def spy(s, kind, *args):
        kinds.append(kind)
        return real(s, kind, *args)

    monkeypatch.setattr(core.data, "_piece", spy)
    monkeypatch.setattr(core.data, "_CHUNK_BYTES", 1024)
    read_one_way(path, monkeypatch, False)
    seen = kinds[1::5]  # each chunk's columns in file order: x, code, flag, ok, y
    assert "O" in seen and set(seen) & set("if")


def test_a_numbers_only_column_in_a_new_file_finds_categories_spelt_otherwise(tmp_path, monkeypatch):
    path = write(tmp_path, "spellings.csv", spellings())
    pre = build_dataset(read_one_way(path, monkeypatch, False), targets=["y"]).preprocessor
    cats = dict(zip(pre.input_columns, (getattr(c, "categories", None) for c in pre.inputs)))["code"]
    assert cats == ("0", "0.0", "7", "1e3", "A", "B")
    as_text = pd.DataFrame({"x": ["1"] * 5, "code": ["0", "0.0", "7", "1e3", "A"], "flag": ["maybe"] * 5,
                            "ok": ["True"] * 5})
    X = pre.transform(as_text)
    # a new file whose code column holds only numbers is parsed as float32: 0.0 and 0 both read as "0"
    numbers = as_text.iloc[:4].assign(code=np.array([0.0, 0.0, 7.0, 1000.0], dtype=np.float32))
    got = pre.transform(numbers)
    np.testing.assert_array_equal(got[[0, 2, 3]], X[[0, 2, 3]])
    np.testing.assert_array_equal(got[1], X[0])  # the plain spelling wins when the training file had both
    # spellings the training file did not have find the category with the same number
    other = pre.transform(as_text.iloc[:3].assign(code=["0.00", "7.0", "1000"]))
    np.testing.assert_array_equal(other, X[[0, 2, 3]])


def test_number_spellings_only_written_one_way_are_found_from_any_spelling():
    from core.data import read_csv_text

    t = read_csv_text("code,y\n" + "".join(f"{c},{c == 'B'}\n" for c in ["0.0", "1e3", "B", "0.0", "B", "1e3"] * 4))
    d = build_dataset(t, targets=["code"], val_split=0)
    assert d.class_names == ["0.0", "1e3", "B"]
    p = d.preprocessor
    np.testing.assert_array_equal(p.transform_targets(pd.DataFrame({"code": [0.0, 1000.0, "0", "B"]})),
                                  p.transform_targets(pd.DataFrame({"code": ["0.0", "1e3", "0.0", "B"]})))


def test_a_number_beyond_float32_in_a_text_column_is_encoded_without_warnings():
    import warnings

    from core.data import read_csv_text

    t = read_csv_text("code,y\n" + "".join(f"{c},{i % 2}\n" for i, c in enumerate(["A", "1e300", "B"] * 6)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # a RuntimeWarning would reach the user's terminal
        d = build_dataset(t, targets=["y"], val_split=0)
        X = d.preprocessor.transform(pd.DataFrame({"code": ["1e300", "A"]}))
    assert X.shape == (2, 3) and np.isfinite(X).all()


@pytest.mark.parametrize("how", sorted(set(READS) - {"whole"}))
def test_an_infinite_number_is_a_category_in_a_text_column_however_the_file_is_cut(how, tmp_path, monkeypatch):
    lines = ["x,code,y"]
    for i in range(480):
        code = ("1", "inf", "1e39", "-2")[i % 4] if 120 <= i < 360 else ("A", "inf", "B")[i % 3]
        lines.append(f"{i},{code},{i % 2}")
    path = write(tmp_path, "inf.csv", "\n".join(lines) + "\n")
    whole, cut = read_whole_and_cut(path, monkeypatch, how)
    assert whole.column("code").categories == ("-2", "1", "1e39", "A", "B", "inf")
    assert_same_table(cut, whole)


@pytest.mark.parametrize("how", sorted(READS))
def test_infinite_numbers_are_said_with_their_first_line_however_the_file_is_cut(how, tmp_path, monkeypatch):
    lines = ["a,b,c,label"]
    for i in range(480):
        a = "1e39" if i == 300 else str(i)
        b = "-inf" if i == 200 else str(-i)
        c = ("x", "y")[i % 2] if i >= 100 else "inf" if i == 50 else "0.5"  # text in the end: no error
        lines.append(f"{a},{b},{c},{i % 2}")
    path = write(tmp_path, "inf.csv", "\n".join(lines) + "\n")
    split, chunk_bytes = READS[how]
    with monkeypatch.context() as m:
        if chunk_bytes:
            m.setattr(core.data, "_CHUNK_BYTES", chunk_bytes)
        table = read_one_way(path, monkeypatch, split)
    assert "column 'a': 1 infinite number or beyond ±3.4e38 (the first on line 302) read as missing" in table.notes
    assert "column 'b': 1 infinite number or beyond ±3.4e38 (the first on line 202) read as missing" in table.notes
    assert table.column("c").kind == "categorical"              # text in the end: 'inf' a category there
    assert table.frame["a"].isna().sum() == 1 and table.frame["b"].isna().sum() == 1


def test_big_arrays_on_their_own_pages_load_like_small_ones(tmp_path, monkeypatch):
    """Matrices of _PLAIN_PAGES_BYTES and more are mapped outside numpy's allocator (see _fresh_array):
    the data set must be the same, and its arrays ordinary writable, C-contiguous numpy arrays."""
    rng = np.random.default_rng(3)
    values = rng.integers(0, 50, (400, 6))
    path = tmp_path / "grid.csv"
    path.write_text("a,b,c,d,e,label\n" + "\n".join(",".join(map(str, r[:5])) + f",{r[5] % 3}" for r in values) + "\n")
    small = build_dataset(read_csv(path), seed=2)
    monkeypatch.setattr(core.data, "_PLAIN_PAGES_BYTES", 64)         # every array on its own pages
    mapped = build_dataset(read_csv(path), seed=2)
    for name in ("X_train", "Y_train", "X_val", "Y_val"):
        a, b = getattr(small, name), getattr(mapped, name)
        np.testing.assert_array_equal(a, b)
        assert b.dtype == np.float32 and b.flags.c_contiguous and b.flags.writeable
    owner = mapped.X_train
    while isinstance(owner, np.ndarray) and owner.base is not None:
        owner = owner.base
    assert isinstance(getattr(owner, "obj", owner), mmap.mmap)     # really the mapped path
    mapped.X_train[0, 0] = 7.0                                       # the training code scales in place
    assert mapped.X_train[0, 0] == 7.0


def test_split_pieces_go_through_one_reused_parser_per_thread_where_pandas_allows(tmp_path, monkeypatch, paths):
    """pandas ≥ 3.1 lets a parser be fed piece after piece (TextReader.load_buffer): the split read uses
    it (tests above show it reads the same as one reader); other pandas versions read each piece anew."""
    path = write(tmp_path, "pixels.csv", pixels(600))
    fed = []
    real = core.data._PieceParser.columns

    def spy(self, data):
        fed.append(self)
        return real(self, data)

    monkeypatch.setattr(core.data._PieceParser, "columns", spy)
    split, one = read_both(path, monkeypatch)
    assert paths == ["split", "one"]
    assert_same_table(split, one)
    if hasattr(pd._libs.parsers.TextReader, "load_buffer"):
        assert len(fed) > 10 and len(set(map(id, fed))) <= 2     # many pieces, at most one parser per thread
    else:
        assert fed == []


def test_a_training_set_built_on_two_threads_is_the_one_built_on_one(tmp_path, monkeypatch):
    """Row blocks of a big numeric table are copied, fitted and scaled on two threads (_in_blocks); the
    means and deviations are summed in block order, so the arrays match a one-thread build bit for bit."""
    rng = np.random.default_rng(4)
    values = rng.normal(1000, 50, (12000, 5)).round(3).astype(object)
    values[rng.random(values.shape) < 0.03] = ""
    lines = ["a,b,c,d,y"] + [",".join(map(str, r)) for r in values.tolist()]
    path = tmp_path / "numbers.csv"
    path.write_text("\n".join(lines) + "\n")
    table = read_csv(path)
    threads = []
    real = core.data._in_blocks

    def spy(n, block, work):
        threads.append(len(range(0, n, block)) >= 8 and core.data._parse_workers() >= 2)
        return real(n, block, work)

    monkeypatch.setattr(core.data, "_in_blocks", spy)
    for kw in ({}, {"missing": "fill", "test_split": 0.1}, {"scaling": "minmax"}):
        monkeypatch.setattr(core.data, "_parse_workers", lambda: 2)
        two = build_dataset(table, targets=["y"], **kw)
        assert any(threads)
        monkeypatch.setattr(core.data, "_parse_workers", lambda: 1)
        one = build_dataset(table, targets=["y"], **kw)
        assert_same_dataset(two, one)
        threads.clear()


def test_text_columns_read_and_encode_the_same_cell_by_cell_or_value_by_value(tmp_path, monkeypatch):
    """Long text columns are typed and encoded one distinct value at a time (a 300,000-row census file
    took 5 s cell by cell, 0.7 s so); the result must be what the cell-by-cell path gives."""
    rng = np.random.default_rng(11)
    spellings = ["Private", " Private", "Private ", "Self-emp", "?", "NA", "", "State-gov", " 7 ", "7.0", "7"]
    rows = ["work,size,money,label"]
    for i in range(600):
        money = rng.choice(["$1,200.50", "$3,000", "(12.00)", "n/a", "$45"])
        rows.append(f"{rng.choice(spellings)},{rng.choice(['S', 'M', 'L', 'NA'])},\"{money}\","
                    f"{rng.choice(['yes', 'no', ' yes'])}")
    path = tmp_path / "census.csv"
    path.write_text("\n".join(rows) + "\n")

    def build():
        table = read_csv(path)
        ds = build_dataset(table, missing="fill", seed=3)
        return ([(c.name, c.kind, c.n_missing, c.n_unique) for c in table.columns], table.notes, ds.feature_names,
                ds.class_names, ds.X_train, ds.Y_train, ds.preprocessor.transform(table.frame.head(40)),
                ds.preprocessor.input_notes(table.frame), ds.preprocessor.transform(raw_rows))

    raw_rows = pd.DataFrame({"work": [" Private", "State-gov ", "7", None, "Unheard-of"] * 30,   # as typed
                             "size": ["M", " L", "XXL", "S", None] * 30, "money": [1.5, None, 3.0, 4.0, 5.0] * 30})

    by_value = build()
    monkeypatch.setattr(core.data, "_FACTORIZE_FROM", 10 ** 9)         # every cell on its own
    by_cell = build()
    for a, b in zip(by_value, by_cell):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
        else:
            assert a == b
    assert "work=Private" in by_value[2] and "money" in by_value[2]         # "$1,200.50" read as money


def test_many_distinct_money_values_read_as_numbers_and_many_names_stay_text(tmp_path):
    """Decorated numbers are tried one distinct value at a time, giving up early on a column of names."""
    rng = np.random.default_rng(12)
    n = 3000
    money = [f"${v:,.2f}" for v in rng.uniform(10, 90_000, n)]
    for i in rng.choice(n, 150, replace=False):            # 5 %: not numbers, left missing with a note
        money[i] = f"see note {i}"
    rows = ["customer,amount,label"] + [f"Customer {rng.integers(10**9)},\"{m}\",{'ab'[i % 2]}"
                                        for i, m in enumerate(money)]
    path = tmp_path / "ledger.csv"
    path.write_text("\n".join(rows) + "\n")
    table = read_csv(path)
    kinds = {c.name: c.kind for c in table.columns}
    assert kinds["amount"] == "numeric" and kinds["customer"] in ("categorical", "identifier")
    assert table.column("amount").n_missing == 150
    assert any("numbers written like '$" in note for note in table.notes), table.notes
    assert any("150 non-numeric values such as 'see note" in note for note in table.notes), table.notes
    first = float(money[0].replace("$", "").replace(",", "")) if not money[0].startswith("see") else np.nan
    assert table.frame["amount"].iloc[0] == pytest.approx(first, rel=1e-6, nan_ok=True)
