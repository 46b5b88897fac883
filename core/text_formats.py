"""Tables in the formats of other tools, rewritten as CSV text: Weka's ARFF (OpenML's downloads, UCI and
Weka data sets), sktime's .ts (the UCR/UEA time-series archive), JSON tables, Excel .xlsx and
LibreOffice .ods spreadsheets.

The loader and the exported numpy script then read them like any CSV file. Each function needs only the
standard library and the other functions here: core/export.py copies their source into the exported
script, so both read these files the same way.
"""

from __future__ import annotations


def arff_or_ts_as_csv(text):
    """(CSV text, a note on how it was read) for an ARFF or .ts file's text; None for any other text.

    ARFF: the column names are those of the @attribute lines, the rows those below @data; values in
    single quotes lose them. .ts: each series' values become columns t1, t2, … (d1_t1, … d2_t1, … for
    several dimensions), the label after the last ':' a column 'class' (or 'target' for a regression
    problem). Every row stays on its line number, the lines above and comments left blank, so that a
    message naming a line names the file's own. Raises ValueError, with a plain-language reason, for
    what a table cannot hold: sparse ARFF rows, time-stamped series, series of different lengths.
    """
    import csv
    import io
    import re

    lines = text.splitlines()
    comment = lambda line: not line.strip() or line.lstrip()[:1] in ("%", "#")
    start = next((i for i, line in enumerate(lines) if not comment(line)), None)
    if start is None:
        return None
    first = lines[start].strip().lower()
    if re.match(r"@relation\b", first):
        kind = "arff"
    elif re.match(r"@(problemname|timestamps|univariate|dimensions|equallength|serieslength|classlabel"
                  r"|targetlabel)\b", first):
        kind = "ts"
    else:
        return None
    names, settings = [], {}
    i = start
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if comment(line):
            continue
        if re.match(r"@data\b", line, re.I):
            break
        if kind == "arff" and re.match(r"@attribute\s", line, re.I):
            rest = line[len("@attribute"):].strip()
            if re.search(r"\srelational\s*$", rest, re.I):
                raise ValueError("it holds a relational attribute (a table inside each cell); a network needs "
                                 "one value per cell")
            if rest[:1] in ("'", '"'):
                end = rest.find(rest[0], 1)
                names.append(rest[1:end] if end > 0 else rest[1:])
            else:
                names.append(rest.split()[0])
        elif kind == "ts" and line.startswith("@"):
            key, _, value = line[1:].partition(" ")
            settings[key.lower()] = value.strip().lower()
    else:
        raise ValueError("it has no @data line above its rows")
    body = ["" if comment(line) else line.strip() for line in lines[i:]]   # "": a blank line in the CSV
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if kind == "arff":
        if any(line.startswith("{") for line in body[:100]):
            raise ValueError("its rows are in sparse ARFF form ({index value, …}); save it as a dense ARFF "
                             "or CSV file first")
        writer.writerow(names)
        out.write("\n" * (i - 1))
        for line in body:
            if "'" in line and '"' not in line:   # values in single quotes: 'Iris-setosa', 'New York'
                try:
                    writer.writerows(csv.reader([line], quotechar="'", escapechar="\\", skipinitialspace=True))
                except csv.Error as exc:
                    raise ValueError(f"a row could not be read ({exc}): {line[:60]}") from None
            else:
                out.write(line + "\n")
        plural = "s" if len(names) != 1 else ""
        return out.getvalue(), f"Weka ARFF file: {len(names)} column{plural} named by its @attribute lines"
    if settings.get("timestamps", "false").startswith("true"):
        raise ValueError("its series carry time stamps ((time, value) pairs); a network needs plain values, "
                         "one per column")
    label = "class" if settings.get("classlabel", "false").startswith("true") else \
        "target" if settings.get("targetlabel", "false").startswith("true") else None
    rows = []
    for line in body:
        parts = line.split(":") if line else []
        tail = [parts.pop().strip()] if label and parts else []
        rows.append(([part.split(",") for part in parts], tail))
    filled = [row for row in rows if row[0]]
    lengths = sorted({len(dims) for dims, _ in filled}), sorted({len(d) for dims, _ in filled for d in dims})
    if len(lengths[0]) > 1 or len(lengths[1]) > 1:
        shape = [len(d) for d in filled[0][0]]
        line = i + 1 + next(k for k, (dims, _) in enumerate(rows) if dims and [len(d) for d in dims] != shape)
        if len(lengths[0]) > 1:
            raise ValueError(f"its rows hold {lengths[0][0]} to {lengths[0][-1]} series each (line {line} differs "
                             "from the first row); a network needs the same number in every row")
        raise ValueError(f"its series have {lengths[1][0]} to {lengths[1][-1]} values (line {line} differs from "
                         "the first row); a network needs the same number of inputs in every row")
    n_dims = lengths[0][0] if filled else 1
    n_values = lengths[1][0] if filled else 0
    columns = [f"t{k + 1}" for k in range(n_values)] if n_dims == 1 else \
        [f"d{d + 1}_t{k + 1}" for d in range(n_dims) for k in range(n_values)]
    writer.writerow(columns + ([label] if label else []))
    out.write("\n" * (i - 1))
    for dims, tail in rows:
        if dims:
            writer.writerow([value.strip() for d in dims for value in d] + tail)
        else:
            out.write("\n")
    shape = f"{n_values} values" if n_dims == 1 else f"{n_dims} series of {n_values} values"
    named = f", its label as '{label}'" if label else ""
    return out.getvalue(), f"sktime .ts file: {shape} per row as columns {columns[0]}…{columns[-1]}{named}" \
        if columns else f"sktime .ts file{named}"


def json_as_csv(text):
    """(CSV text, a note on how it was read) for a JSON table; None for text that is not JSON.

    A table is a list of records ([{"a": 1, "b": "x"}, …], or one record per line: JSON Lines), a list of
    rows ([["a", "b"], [1, "x"], …]), an object of columns ({"a": [1, 2], …}, or pandas' to_json forms
    'columns', 'index' and 'split'), or any of these as the one list inside an object ({"data": [...]},
    GeoJSON's "features"). Keys of nested records become columns 'outer.inner'; a list inside a record
    stays one text value; null is an empty cell. Raises ValueError, with a plain-language reason, for JSON
    that is broken or holds no table.
    """
    import csv
    import io
    import json
    import operator
    import re

    body = text.lstrip("\ufeff \t\r\n")
    if body[:1] not in ("[", "{"):
        return None
    # a CSV file may start with "[" or "{" too ("{id},{name}"): only text that starts like JSON is
    # reported as broken JSON; other text is left to the CSV reader
    looks_like_json = re.match(r'\[\s*[\[{"]|\{\s*"', body) is not None
    how = "JSON"
    try:
        data = json.loads(body)
    except ValueError as whole:
        data = []
        for number, line in enumerate(text.splitlines(), 1):      # JSON Lines: one record per line
            if line.strip():
                try:
                    data.append(json.loads(line))
                except ValueError as exc:
                    if not data:
                        if not looks_like_json:
                            return None
                        raise ValueError(f"it is not valid JSON: line {whole.lineno}, column {whole.colno}: "
                                         f"{whole.msg}") from None
                    raise ValueError(f"line {number} is not valid JSON ({exc.msg}, column {exc.colno}); the "
                                     "lines above each hold one record") from None
        how = "JSON Lines"

    def cell(value):             # csv.writer writes None as an empty cell and numbers as Python does
        return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value

    def flat(record, prefix=""):
        out = {}
        for key, value in record.items():
            if isinstance(value, dict) and value:
                out.update(flat(value, f"{prefix}{key}."))
            else:
                out[f"{prefix}{key}"] = cell(value)
        return out

    where = ""
    if isinstance(data, dict):
        keys = list(data)
        values = list(data.values())
        if "columns" in data and isinstance(data.get("data"), list):          # pandas orient="split"
            header, rows = [cell(name) for name in data["columns"]], data["data"]
            data = [dict(zip(header, row)) if isinstance(row, list) else row for row in rows]
        elif values and all(isinstance(v, list) for v in values) and len({len(v) for v in values}) == 1 \
                and not any(isinstance(x, (dict, list)) for v in values for x in v[:50]):
            data = [dict(zip(keys, row)) for row in zip(*values)]           # an object of columns
        elif values and all(isinstance(v, dict) for v in values):
            inner = list(dict.fromkeys(k for v in values for k in v))
            if all(re.fullmatch(r"-?\d+", str(k)) for k in keys) and \
                    not all(re.fullmatch(r"-?\d+", str(k)) for k in inner):
                data = values                                               # pandas orient="index"
            else:                                                           # pandas' default, "columns"
                data = [{k: data[k].get(row) for k in keys} for row in inner]
        else:
            tables = [k for k, v in data.items() if isinstance(v, list) and v and isinstance(v[0], (dict, list))]
            if len(tables) != 1:
                raise ValueError(f"it holds one JSON object ({len(keys)} key{'s' * (len(keys) != 1)}) and no list "
                                 "of records in it: a table is a list with one object per row" if not tables else
                                 f"it holds {len(tables)} lists of records ({', '.join(tables[:4])}): save the "
                                 "one to learn from on its own")
            where = f" (the list under '{tables[0]}')"
            data = data[tables[0]]
    if not isinstance(data, list) or not data:
        raise ValueError("its JSON holds no rows")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if all(isinstance(row, dict) for row in data):
        # records of plain values with the same keys, the usual case, are written as they are (a 44 MB
        # file of 300,000 records: 2.6 s → 1.7 s to a table; pandas.read_json 0.6 s)
        nested = {dict, list}
        records = [flat(row) if nested & set(map(type, row.values())) else row for row in data]
        first = records[0].keys()
        if first and all(record.keys() == first for record in records):
            columns = list(first)
            pick = operator.itemgetter(*columns)
            rows = map(pick, records) if len(columns) > 1 else ([pick(record)] for record in records)
        else:
            columns = list(dict.fromkeys(key for record in records for key in record))
            rows = ([record.get(key) for key in columns] for record in records)
        writer.writerow(columns)
        writer.writerows(rows)
        shape = f"{len(records)} record{'s' * (len(records) != 1)} as rows, their keys as {len(columns)} columns"
    elif all(isinstance(row, list) for row in data):
        writer.writerows([cell(value) for value in row] for row in data)
        shape = f"{len(data)} list{'s' * (len(data) != 1)} as rows"
    elif not any(isinstance(row, (dict, list)) for row in data):
        writer.writerow(["value"])
        writer.writerows([cell(value)] for value in data)
        shape = f"{len(data)} value{'s' * (len(data) != 1)} as column 'value'"
    else:
        raise ValueError("its list mixes records with other values; a table needs one record per row")
    return out.getvalue(), f"{how}{where}: {shape}"


def other_format_as_csv(text):
    """(CSV text, note) for a JSON table, an ARFF or a .ts file (see json_as_csv, arff_or_ts_as_csv);
    None for any other text."""
    return json_as_csv(text) or arff_or_ts_as_csv(text)


def xlsx_as_csv(source, sheet=None, progress=None):
    """(CSV text, a note on how it was read, the workbook's sheet names, the name of the sheet read) for an
    Excel .xlsx workbook (bytes or a binary file); None for anything else.

    The worksheet named `sheet` is read; by default the one with the most cells (a title page or a summary
    beside the data is smaller); the note names it and the others. `progress(fraction)`, when given, is
    called as the sheets' XML is read and may raise to stop the reading.
    Shared and inline strings are read as text, numbers as written (3.1400000000000001 → 3.14), cells
    formatted as dates or times as ISO dates ("2024-03-01", "2024-03-01 08:30:00", "08:30:00"), TRUE /
    FALSE as such and errors (#N/A) as Excel shows them. Raises ValueError for a damaged workbook or one
    without a table.
    """
    import csv
    import datetime
    import io
    import re
    import xml.etree.ElementTree as ElementTree
    import zipfile

    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    try:
        book = zipfile.ZipFile(source)
        names = set(book.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "xl/workbook.xml" not in names:
        return None
    local = lambda tag: tag.rsplit("}", 1)[-1]         # any namespace: transitional or strict OOXML

    def parse(name):
        try:
            return ElementTree.fromstring(book.read(name))
        except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError) as exc:
            raise ValueError(f"the workbook is damaged ({name}: {exc})") from None

    def text_of(element):                              # <t> runs, without the phonetic guides (<rPh>)
        if local(element.tag) == "t":
            return element.text or ""
        return "".join(text_of(child) for child in element if local(child.tag) in ("t", "r"))

    workbook = parse("xl/workbook.xml")
    date1904 = any(local(e.tag) == "workbookPr" and e.get("date1904") in ("1", "true") for e in workbook.iter())
    sheets = [(e.get("name"), next((v for k, v in e.attrib.items() if local(k) == "id"), None))
              for e in workbook.iter() if local(e.tag) == "sheet"]
    targets = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for e in parse("xl/_rels/workbook.xml.rels").iter():
            target = e.get("Target", "")
            targets[e.get("Id")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    shared = []
    if "xl/sharedStrings.xml" in names:
        shared = [text_of(si) for si in parse("xl/sharedStrings.xml") if local(si.tag) == "si"]
    dated, elapsed = set(), set()      # cell styles that show a number as a date or time / as [h]:mm:ss
    if "xl/styles.xml" in names:
        styles = parse("xl/styles.xml")
        codes = {e.get("numFmtId"): e.get("formatCode", "") for e in styles.iter() if local(e.tag) == "numFmt"}
        built_in = set(range(14, 23)) | set(range(27, 37)) | {45, 47} | set(range(50, 59))
        xfs = next((e for e in styles.iter() if local(e.tag) == "cellXfs"), [])
        for index, xf in enumerate(x for x in xfs if local(x.tag) == "xf"):
            code = codes.get(xf.get("numFmtId", "0"))
            plain = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code or "").lower()
            if xf.get("numFmtId") == "46" if code is None else re.search(r"\[(h+|m+|s+)\]", code.lower()):
                elapsed.add(index)
            elif (int(xf.get("numFmtId", "0")) in built_in) if code is None else re.search("[dmyhs]", plain):
                dated.add(index)
    epoch = datetime.datetime(1904, 1, 1) if date1904 else datetime.datetime(1899, 12, 30)

    def number(v, style):
        value = float(v)
        if style in elapsed and abs(value) < 1e9:          # a duration: 1.5 days shows as 36:00:00
            seconds = round(abs(value) * 86400)
            return f"{'-' if value < 0 else ''}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        if style in dated and 0 <= value < 2958466:
            moment = epoch + datetime.timedelta(days=value)
            moment = moment.replace(microsecond=0) + datetime.timedelta(seconds=round(moment.microsecond / 1e6))
            if value < 1:
                return moment.time().isoformat()
            return moment.date().isoformat() if value == int(value) else moment.isoformat(sep=" ")
        return number_text(value)

    wanted = [(name, rel) for name, rel in sheets if sheet is None or name == sheet]
    reading = ReadProgress(progress, sum(book.getinfo(targets[rel]).file_size for _, rel in wanted
                                         if targets.get(rel) in names))

    def rows_of(path):
        rows, row, column = [], {}, 0
        try:
            with book.open(path) as stream:
                for _, element in ElementTree.iterparse(reading.wrap(stream)):
                    tag = local(element.tag)
                    if tag == "c":
                        ref = re.match(r"[A-Z]+", element.get("r") or "")
                        if ref:
                            column = 0
                            for letter in ref.group(0):
                                column = column * 26 + ord(letter) - 64
                            column -= 1
                        kind = element.get("t", "n")
                        v = next((child.text for child in element if local(child.tag) == "v"), None)
                        if kind == "inlineStr":
                            value = "".join(text_of(child) for child in element if local(child.tag) == "is")
                        elif v is None:
                            value = None
                        elif kind == "s":
                            value = shared[int(v)]
                        elif kind == "b":
                            value = "TRUE" if v.strip() == "1" else "FALSE"
                        elif kind == "n":
                            value = number(v, int(element.get("s", "0")))
                        else:                                      # str (a formula's text), e (#N/A), d
                            value = v
                        if value not in (None, ""):
                            row[column] = value
                        column += 1
                        element.clear()
                    elif tag == "row":
                        if row:        # rows of styled, empty cells far below the table are never written
                            at = int(element.get("r") or len(rows) + 1)
                            rows.extend([{}] * max(0, at - 1 - len(rows)))  # blank lines keep the row numbers
                            rows.append(row)
                        row, column = {}, 0
                        element.clear()
        except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError, IndexError) as exc:
            raise ValueError(f"the workbook is damaged ({path}: {exc})") from None
        return rows

    read = {name: rows_of(targets[rel]) if targets.get(rel) in names else [] for name, rel in wanted}
    return sheets_as_csv([(name, read.get(name)) for name, _ in sheets], "Excel workbook", sheet)


def number_text(value):
    """A spreadsheet number as its cell shows it: whole numbers without ".0", others as Python's shortest
    repr (3.1400000000000001 → 3.14)."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def sheets_as_csv(sheets, kind, sheet=None):
    """(CSV text, note, sheet names, the name of the sheet read) of the sheet named `sheet` among `sheets`,
    [(name, rows)] with each row a dict {column index: text} and {} for an empty row (rows None: not read).
    By default the sheet with the most cells is read: a title page or a summary beside the data is the
    smaller one. Raises ValueError when there is no such sheet or it holds no table (two rows or more)."""
    import csv
    import io

    names = [name for name, _ in sheets]
    if sheet is not None:
        if sheet not in names:
            raise ValueError(f"it has no sheet named '{sheet}' (its sheets: {', '.join(names)})")
        name, rows = sheet, dict(sheets)[sheet] or []
        if sum(1 for row in rows if row) < 2:
            raise ValueError(f"its sheet '{sheet}' holds no table (two rows or more)")
    else:
        best, name, rows = 0, None, []
        for other, found in sheets:
            cells = sum(len(row) for row in found or [])
            if cells > best and sum(1 for row in found if row) >= 2:
                best, name, rows = cells, other, found
        if name is None:
            raise ValueError("the workbook has no sheet with a table (two rows or more)")
    width = 1 + max(max(row) for row in rows if row)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([row.get(c, "") for c in range(width)] if row else [] for row in rows)
    others = [other for other in names if other != name]
    how = ", as chosen" if sheet is not None else ", the largest" if others else ""
    also = f"; its other sheets ({', '.join(others[:5])}{', …' if len(others) > 5 else ''}) were not read" \
        if others else ""
    return out.getvalue(), f"{kind}: sheet '{name}'{how}{also}", names, name


class ReadProgress:
    """Counts the bytes read through the streams it wraps and calls progress(share of `total` read);
    progress may raise to stop the reading. With progress None the streams are used as they are."""

    def __init__(self, progress, total):
        self.progress, self.total, self.done = progress, max(1, total), 0

    def wrap(self, stream):
        return stream if self.progress is None else _Counted(stream, self)


class _Counted:
    def __init__(self, stream, reading):
        self.stream, self.reading = stream, reading

    def read(self, size=-1):
        data = self.stream.read(size)
        self.reading.done += len(data)
        self.reading.progress(min(1.0, self.reading.done / self.reading.total))
        return data


def ods_as_csv(source, sheet=None, progress=None):
    """(CSV text, a note on how it was read, the sheet names, the name of the sheet read) for a
    LibreOffice / OpenDocument .ods spreadsheet (bytes or a binary file); None for anything else.

    As xlsx_as_csv: the sheet named `sheet`, by default the one with the most cells; numbers as written,
    dates as ISO dates, times as h:mm:ss, TRUE / FALSE; cells and rows repeated by the format are repeated, the empty rows it
    repeats down to the sheet's end are not. Raises ValueError for a damaged file.
    """
    import io
    import re
    import xml.etree.ElementTree as ElementTree
    import zipfile

    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    try:
        book = zipfile.ZipFile(source)
        names = set(book.namelist())
        mimetype = book.read("mimetype").decode("ascii", "replace") if "mimetype" in names else ""
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None
    if "content.xml" not in names or "opendocument.spreadsheet" not in mimetype:
        return None
    table_ns = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
    office_ns = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
    text_ns = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"

    def text_of(element):              # a paragraph: spans, links, runs of spaces (<text:s text:c="3"/>)
        parts = [element.text or ""]
        for child in element:
            if child.tag == text_ns + "s":
                parts.append(" " * int(child.get(text_ns + "c", "1")))
            elif child.tag == text_ns + "tab":
                parts.append("\t")
            elif child.tag == text_ns + "line-break":
                parts.append("\n")
            elif child.tag != office_ns + "annotation":          # a comment is not the cell's text
                parts.append(text_of(child))
            parts.append(child.tail or "")
        return "".join(parts)

    def value_of(cell):
        kind = cell.get(office_ns + "value-type")
        if kind in ("float", "percentage", "currency"):
            value = float(cell.get(office_ns + "value", "nan"))
            return number_text(value)
        if kind == "date":
            return cell.get(office_ns + "date-value", "").replace("T", " ")
        if kind == "time":                                         # PT08H30M00S
            parts = re.fullmatch(r"-?PT(\d+)H(\d+)M([\d.]+)S", cell.get(office_ns + "time-value", ""))
            if parts:
                hours, minutes, seconds = int(parts.group(1)), int(parts.group(2)), round(float(parts.group(3)))
                return f"{hours:02d}:{minutes:02d}:{seconds:02d}"
        if kind == "boolean":
            return "TRUE" if cell.get(office_ns + "boolean-value") == "true" else "FALSE"
        return "\n".join(text_of(p) for p in cell if p.tag == text_ns + "p")

    sheets, rows, row, column, blank, skip = [], [], {}, 0, 0, False
    reading = ReadProgress(progress, book.getinfo("content.xml").file_size)
    try:
        with book.open("content.xml") as stream:
            for event, element in ElementTree.iterparse(reading.wrap(stream), events=("start", "end")):
                tag = element.tag
                if event == "start":
                    if tag == table_ns + "table":
                        rows, blank = [], 0
                        skip = sheet is not None and element.get(table_ns + "name") != sheet
                    elif tag == table_ns + "table-row":
                        row, column = {}, 0
                    continue
                if skip and tag != table_ns + "table":
                    element.clear()                                # a sheet not asked for: not read
                elif tag in (table_ns + "table-cell", table_ns + "covered-table-cell"):
                    repeat = int(element.get(table_ns + "number-columns-repeated", "1"))
                    value = value_of(element)
                    if value:
                        for k in range(min(repeat, 16384 - column)):
                            row[column + k] = value
                    column += repeat
                    element.clear()
                elif tag == table_ns + "table-row":
                    repeat = int(element.get(table_ns + "number-rows-repeated", "1"))
                    if row:
                        rows.extend([{}] * blank)                          # blank lines keep row numbers
                        rows.extend([row] * min(repeat, 1_048_576))
                        blank = 0
                    else:
                        blank += repeat                                    # written only if a row follows
                    element.clear()
                elif tag == table_ns + "table":
                    sheets.append((element.get(table_ns + "name"), None if skip else rows))
                    element.clear()
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValueError(f"the spreadsheet is damaged (content.xml: {exc})") from None
    return sheets_as_csv(sheets, "OpenDocument spreadsheet", sheet)


def workbook_as_csv(source, sheet=None, progress=None):
    """(CSV text, note, sheet names, the name of the sheet read) for an Excel .xlsx or an OpenDocument .ods
    spreadsheet (bytes or a seekable binary file); None for anything else. `sheet` and `progress` as for
    xlsx_as_csv."""
    converted = xlsx_as_csv(source, sheet, progress)
    if converted is None and hasattr(source, "seek"):
        source.seek(0)
    return converted if converted is not None else ods_as_csv(source, sheet, progress)

