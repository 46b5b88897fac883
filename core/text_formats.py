"""Tables in the text formats of other tools, rewritten as CSV text: Weka's ARFF (OpenML's downloads,
UCI and Weka data sets) and sktime's .ts (the UCR/UEA time-series archive).

The loader and the exported numpy script then read them like any CSV file. `arff_or_ts_as_csv` needs
only the standard library and nothing else from this package: core/export.py copies its source into
the exported script, so both read these files the same way.
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
