"""Dates as numbers a network can use.

A column of dates one-hot encoded gives a feature per day, which says nothing about a day not in the file;
its year, month, day, weekday and hour as numbers carry the trend and the seasons to new rows. A column's
format is found once from its distinct values (:func:`date_format`) and every cell is read with it, in
training, in predictions and in the exported script, which carries these functions (stdlib only).
"""

from __future__ import annotations

import datetime
import math
import re

# Day, month and year as files write them; the month-first US order is tried before the day-first one, so
# "03/04/2011" reads as March 4 unless a cell such as "13/04/2011" shows the day comes first.
_DAYS = ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d/%m/%Y", "%m/%d/%y", "%d/%m/%y", "%m-%d-%Y", "%d-%m-%Y",
         "%d.%m.%Y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y", "%d %b %Y", "%d %B %Y",
         "%d-%b-%Y", "%d-%b-%y", "%Y-%b-%d", "%a, %d %b %Y", "%A, %B %d, %Y", "%a %b %d", "%b %Y", "%B %Y",
         "%b-%Y", "%b-%y", "%Y-%m", "%Y/%m", "%b-%d-%Y", "%B-%d-%Y",    # statsmodels' elec_equip: Jan-1-1995
         "%Y %b", "%Y %B")                       # R tsibble's months, as fpp3's data sets write them: "1960 Jan"
_TIMES = ("", " %H:%M:%S", " %H:%M", "T%H:%M:%S", "T%H:%M", "T%H:%M:%S%z", "T%H:%M%z", " %H:%M:%S%z",
          " %H:%M:%S %z", "T%H:%M:%S.%f", "T%H:%M:%S.%f%z", " %H:%M:%S.%f", " %I:%M:%S %p", " %I:%M %p",
          " %H:%M:%S %Y")
# times of day alone (an order's "11:38:36", a race's "2:05:37"): their hour, with minutes and seconds as its
# fraction, is the one number they give (the hour of a time under 24 h is also its length in hours)
_CLOCKS = ("%H:%M:%S", "%H:%M", "%H:%M:%S.%f", "%I:%M:%S %p", "%I:%M %p", "%I:%M%p", "%I:%M:%S%p", "%H.%M.%S")
_CLOCK_RE = re.compile(r"^\d{1,2}([:.])\d{2}(?:\1\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm])?$")   # "3:1" is a score, no time
# quarters ("2011Q1", "2011-Q1", "Q1 2011") and ISO weeks ("2011-W06") have no strptime format of their own
QUARTERS, ISO_WEEKS = "#quarter", "#week"
DATE_FORMATS = tuple(day + time for day in _DAYS for time in _TIMES
                     if (day == "%a %b %d") == (time == " %H:%M:%S %Y")) + (QUARTERS, ISO_WEEKS) + _CLOCKS  # ctime
_QUARTER_RE = re.compile(r"^(\d{4})\s*[-/ ]?\s*[Qq]([1-4])$|^[Qq]([1-4])\s*[-/ ]?\s*(\d{4})$")
_WEEK_RE = re.compile(r"^(\d{4})[- ]?W(\d{1,2})$")
# years outside these are codes that happen to read as dates ("1000-01" is a part number, not January 1000)
_FIRST_YEAR, _LAST_YEAR = 1800, 2200
DATE_SAMPLE = 200
DATE_SHARE = 0.95          # a format reads at least this share of a column's cells: the rest are noted, not fatal
# A two-digit year up to ten years ahead is this century's, any later one the last's: "Jul-67" is 1967
# (strptime's own pivot, 69, made it 2067), "Mar-29" 2029.
_CENTURY_AHEAD = 10
# Dates a spreadsheet or a program wrote as numbers have no strptime format: these names stand for them.
EXCEL_DAYS = "#excel"             # days since Excel's day 0, a fraction for the time of day (40909.5)
UNIX_SECONDS = "#unix"            # seconds since 1970-01-01 UTC
UNIX_MILLISECONDS = "#unix-ms"    # JavaScript's and Java's milliseconds
# Excel's day 1 is 1900-01-01 and it counts a February 29 1900 that never was, so from March 1900 on
# (every date a file holds) day n is n days after 1899-12-30
_EPOCHS = {EXCEL_DAYS: (datetime.datetime(1899, 12, 30), 86400.0),
           UNIX_SECONDS: (datetime.datetime(1970, 1, 1), 1.0),
           UNIX_MILLISECONDS: (datetime.datetime(1970, 1, 1), 0.001)}
NUMBER_FORMATS = (EXCEL_DAYS, UNIX_SECONDS, UNIX_MILLISECONDS)
_NUMBER_NAMES = {EXCEL_DAYS: "Excel's day number", UNIX_SECONDS: "Unix seconds",
                 UNIX_MILLISECONDS: "Unix milliseconds"}


def read_date(text, fmt):
    """The datetime `text` spells in format `fmt`, None if it does not (or is no plausible date)."""
    if fmt in _EPOCHS:
        return _number_date(text, fmt)
    if fmt in (QUARTERS, ISO_WEEKS):
        return _period_start(str(text).strip(), fmt)
    if fmt in _CLOCKS and not _CLOCK_RE.match(str(text).strip()):
        return None
    if fmt == "%Y%m%d" and str(text).strip().endswith(".0"):
        text = str(text).strip()[:-2]   # 20110504.0: a column of whole numbers with gaps, saved as floats
    try:
        when = datetime.datetime.strptime(str(text).strip(), fmt)
        if "%y" in fmt and when.year > datetime.date.today().year + _CENTURY_AHEAD:
            when = when.replace(year=when.year - 100)
    except ValueError:                  # also February 29 of a year a century earlier, no leap year
        return None
    return when if _FIRST_YEAR <= when.year <= _LAST_YEAR else None


def _period_start(text, fmt):
    """The first day of a quarter ("2011Q2": April 1) or of an ISO week ("2011-W06": its Monday)."""
    if fmt == QUARTERS:
        m = _QUARTER_RE.match(text)
        if m is None:
            return None
        year, quarter = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        when = datetime.datetime(int(year), 3 * int(quarter) - 2, 1)
    else:
        m = _WEEK_RE.match(text)
        try:
            when = datetime.datetime.fromisocalendar(int(m.group(1)), int(m.group(2)), 1) if m else None
        except ValueError:                    # week 54, or 53 of a year of 52
            return None
    return when if when is not None and _FIRST_YEAR <= when.year <= _LAST_YEAR else None


def _number_date(text, fmt):
    try:
        number = float(str(text).strip())
        epoch, seconds = _EPOCHS[fmt]
        when = epoch + datetime.timedelta(seconds=round(number * seconds, 3))
    except OverflowError:                   # beyond datetime's years 1-9999
        return None
    except ValueError:                      # a date written out, as a person types one (the Predict tab)
        return next((w for f in _ISO_FORMATS if (w := read_date(text, f)) is not None), None)
    return when if _FIRST_YEAR <= when.year <= _LAST_YEAR else None


_ISO_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")


def written_out(when):
    """A day number's or Unix time's date as a person reads it, and read_date reads it back under those
    formats: 2014-03-08, with the time where it has one."""
    return when.strftime("%Y-%m-%d %H:%M" if (when.hour, when.minute, when.second) != (0, 0, 0) else "%Y-%m-%d")


def date_format(texts, day_first=False):
    """The first of DATE_FORMATS that reads every one of a sample of `texts` (distinct cell texts), or None.
    With `day_first` (a file of European conventions, ';' between cells) "03/04/2011" is 3 April when no
    cell says otherwise."""
    texts = list(texts)
    if not texts:
        return None
    sample = texts[:: max(1, len(texts) // DATE_SAMPLE)]
    enough = DATE_SHARE * len(sample)

    def reads(fmt):
        return sum(read_date(t, fmt) is not None for t in sample) >= enough

    for fmt in DATE_FORMATS:
        if read_date(sample[0], fmt) is None and len(sample) > 1 and read_date(sample[-1], fmt) is None:
            continue                    # most formats fail on the first cell: no need to try the rest
        if reads(fmt):
            swapped = "%d" + fmt[2:3] + "%m" + fmt[5:] if fmt.startswith(("%m/%d", "%m-%d")) else fmt
            if swapped != fmt and (day_first or not _all_read(sample, fmt)) and _all_read(sample, swapped):
                return swapped          # ';' files, or the cells month-first leaves unread (13/04/2011)
            return fmt
    return None


def _all_read(texts, fmt):
    return all(read_date(t, fmt) is not None for t in texts)


def time_of_day(fmt):
    """Whether `fmt` writes a time of day alone, no date: it gives the hour only and dates no row."""
    return fmt in _CLOCKS


def date_parts(fmt):
    """The numbers a date of format `fmt` gives: year and month always, the day and weekday where it names a
    day, the hour where it has a time; a time of day alone gives its hour."""
    if time_of_day(fmt):
        return ("hour",)
    parts = ["year", "month"]
    if fmt in (QUARTERS, ISO_WEEKS):   # the start of a quarter or a week: its day says nothing more
        return tuple(parts)
    if fmt in _EPOCHS:                  # a number can hold a time of day: a constant hour is left out later
        return ("year", "month", "day", "weekday", "hour")
    if "%d" in fmt:
        parts += ["day", "weekday"]
    if "%H" in fmt or "%I" in fmt:
        parts.append("hour")
    return tuple(parts)


def date_part(when, part):
    """One number of a datetime: the year with its fraction gone by (2011.5 is early July: the trend moves
    smoothly from one year into the next), the month 1-12, the day 1-31, the weekday 0 (Monday)-6, the
    hour 0-24 with its minutes as a fraction."""
    if when is None:
        return math.nan
    if part == "year":
        start = datetime.datetime(when.year, 1, 1, tzinfo=when.tzinfo)
        length = (start.replace(year=when.year + 1) - start).total_seconds()
        return when.year + (when - start).total_seconds() / length
    if part == "month":
        return float(when.month)
    if part == "day":
        return float(when.day)
    if part == "weekday":
        return float(when.weekday())
    if part == "hour":
        return when.hour + when.minute / 60 + when.second / 3600
    raise ValueError(f"unknown date part {part!r}")


def year_text(year):
    """A year number with its fraction as words: 2016.73 → 'September 2016'."""
    whole = int(math.floor(year))
    days = (datetime.date(whole + 1, 1, 1) - datetime.date(whole, 1, 1)).days
    # to the nearest day: the year number passed through float32 (an hour's precision), and July 1 is
    # 0.4959 of a year, not 0.5
    day = min(days - 1, round((year - whole) * days))
    return f"{datetime.date(whole, 1, 1) + datetime.timedelta(days=day):%B %Y}"


def dates_of(texts, fmt):
    """(each text read as a date, the format used): `fmt`, the training data's, unless it reads under half of
    the texts given and another format reads more of them (a file saved again by a spreadsheet writes
    2015-11-03 as 11/3/2015; read with the old format every row would get the average day)."""
    dates = [read_date(t, fmt) if t else None for t in texts]
    present = [t for t in texts if t]
    read = sum(d is not None for d in dates)
    if present and read < 0.5 * len(present):
        other = date_format(sorted(set(present)))
        if other is not None and other != fmt:
            again = [read_date(t, other) if t else None for t in texts]
            if sum(d is not None for d in again) > read:
                return again, other
    return dates, fmt


def example_of(fmt):
    """How `fmt` writes January 31, 2024, 13:45: what a note shows of a format."""
    if fmt in _EPOCHS:
        epoch, seconds = _EPOCHS[fmt]
        number = (datetime.datetime(2024, 1, 31) - epoch).total_seconds() / seconds
        return f"{number:.0f}, {_NUMBER_NAMES[fmt]} for 2024-01-31"
    if fmt == QUARTERS:
        return "2024Q1"
    if fmt == ISO_WEEKS:
        return "2024-W05"
    return datetime.datetime(2024, 1, 31, 13, 45).strftime(fmt.replace("%z", "")).strip()
