"""Reading and checking metrics CSV files into the dense arrays ``metrics.core`` uses.

pyarrow's CSV reader parses in parallel in C++ and dictionary-encodes the key
columns (area, sex, age band, IMD, modality) in one hashing pass, so the
hundreds of thousands of rows in a national extract, or the millions in a
practice-level one, become integer codes without a Python loop; the few
distinct values are then checked and mapped with small lookup arrays.

Every check names the file, the line (header = line 1) and the field, and
stops at the first bad line, so a commissioner can fix the extract:
``observed.csv line 14, field age_band: '95-99' is not a known age band``.
No Django, no project imports beyond ``metrics.core``.
"""

from __future__ import annotations

import codecs
import csv
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from foiregister.kernel import csv_export
from metrics import core, stream
from metrics.stream import (
    AGE_BAND_CODES,
    IMD_CODES,
    KEY_FIELDS,
    MAX_FIGURE,
    SEX_CODES,
    as_numpy,
)

STRATUM_FIELDS: tuple[str, ...] = ("sex", "age_band", "imd")
_NUMBER = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"
_KNOWN = {
    "sex": (SEX_CODES, "sex (F or M)"),
    "age_band": (AGE_BAND_CODES, "age band"),
    "imd": (IMD_CODES, "IMD quintile (1-5)"),
}


class InputError(ValueError):
    """A bad input file: says which file, line and field, and what is wrong."""

    def __init__(
        self, path: str | Path, line: int | None, field: str | None, message: str
    ) -> None:
        self.path, self.line, self.field, self.message = str(path), line, field, message
        where = self.path
        if is_parquet(path):  # no lines: rows of data, counted from 1
            line = line - 1 if line is not None and line > 1 else None
            message = re.sub(r"\bline (\d+)", lambda m: f"row {int(m.group(1)) - 1}", message)
            if line is not None:
                where += f" row {line}"
            if field is not None:
                where += f", column {field}" if line is not None else f" column {field}"
            super().__init__(f"{where}: {message}")
            return
        if line is not None:
            where += f" line {line}"
        if field is not None:
            where += f", field {field}" if line is not None else f" field {field}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Population:
    """Population by area and stratum: ``values`` is (areas, 190)."""

    path: str
    areas: npt.NDArray[np.str_]
    values: core.FloatArray
    present: npt.NDArray[np.bool_]  # a row was given for (area, stratum)

    @property
    def rows(self) -> int:
        """Rows in the file: one per (area, stratum) given, repeats being errors."""
        return int(np.count_nonzero(self.present))


@dataclass(frozen=True)
class Counts:
    """Counts by measure, area and stratum: ``values`` is (measures, areas, 190).

    ``measures`` is ``("",)`` when the file is not split by a measure column.
    """

    path: str
    by: str | None
    measures: npt.NDArray[np.str_]
    areas: npt.NDArray[np.str_]
    values: core.FloatArray
    rows: int | None = field(default=None, compare=False)  # rows in the file


def _indices(idx: pa.Array) -> npt.NDArray[np.int32]:
    """Dictionary indices as NumPy, a null as -1 (``fill_null`` would import pandas)."""
    if idx.null_count == 0:
        return as_numpy(idx)
    data = np.frombuffer(idx.buffers()[1], dtype=np.int32, count=idx.offset + len(idx))
    return np.where(as_numpy(pc.is_valid(idx)), data[idx.offset :], np.int32(-1))


def _line(row: int) -> int:
    return int(row) + 2  # header is line 1


SAVE_AS = "save it from the spreadsheet as 'CSV UTF-8 (comma delimited)'"
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _first_line(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            head = f.read(1 << 16)
    except FileNotFoundError:
        raise InputError(path, None, None, "no such file") from None
    for bom, name in _BOMS:
        if head.startswith(bom):
            raise InputError(path, 1, None, f"the file is {name} text, not UTF-8; {SAVE_AS}")
    if head.startswith(b"PK\x03\x04"):
        raise InputError(
            path, None, None, f"the file is a spreadsheet (.xlsx), not CSV; {SAVE_AS}"
        )
    line = head.split(b"\n", 1)[0]
    if b"\x00" in line:
        raise InputError(
            path, 1, None, f"the header holds NUL bytes: the file is UTF-16 or not text; {SAVE_AS}"
        )
    return line


def _header(path: Path) -> list[str]:
    line = _first_line(path)
    try:
        line.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            path, 1, None, f"byte 0x{line[err.start]:02X} is not UTF-8 text; {SAVE_AS}"
        ) from None
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as f:
        header = next(csv.reader(f), None)
    if not header:
        raise InputError(path, 1, None, "the file is empty (no header line)")
    return [h.strip() for h in header]


_NUL_MARK = "\ufdd0"  # a noncharacter: stands for NUL while the csv module splits lines


def _raise_bad_text(path: Path, header: Sequence[str]) -> None:
    """Name the first line and field that is not UTF-8 or holds a NUL byte (error path)."""
    with path.open(newline="", encoding="utf-8-sig", errors="surrogateescape") as f:
        reader = csv.reader(line.replace("\x00", _NUL_MARK) for line in f)
        next(reader, None)
        logical = 1  # as the fast reader counts (no empty lines): see physical_lines
        for record in reader:
            logical += bool(record)
            for i, value in enumerate(record):
                name = header[i] if i < len(header) else f"column {i + 1}"
                if _NUL_MARK in value:
                    raise InputError(
                        path,
                        logical,
                        name,
                        "holds a NUL byte ('\\x00'): the file is damaged or not text",
                    )
                bad = next((c for c in value if "\udc80" <= c <= "\udcff"), None)
                if bad is not None:
                    raise InputError(
                        path,
                        logical,
                        name,
                        f"byte 0x{ord(bad) - 0xDC00:02X} is not UTF-8 text (the file looks "
                        f"saved as Windows-1252 or Latin-1); {SAVE_AS}",
                    )


def _check_nul(path: Path, table: pa.Table, names: Sequence[str], header: Sequence[str]) -> None:
    """A NUL byte in a key column: PostgreSQL cannot store it, so it is refused here.
    Only the columns' dictionaries (a few values each) are looked at on a good file."""
    for name in names:
        if name not in table.column_names:
            continue
        col = table.column(name)
        chunks = col.chunks
        if pa.types.is_dictionary(col.type):
            hit = any(pc.any(pc.match_substring(c.dictionary, "\x00")).as_py() for c in chunks)
        else:
            hit = any(pc.any(pc.match_substring(c, "\x00")).as_py() for c in chunks)
        if hit:
            if path.suffix.lower() == ".parquet":
                flags = pc.match_substring(col.cast(pa.string()), "\x00")
                row = int(np.flatnonzero(as_numpy(pc.fill_null(flags, False)))[0])
                raise InputError(
                    path, _line(row), name, "holds a NUL byte ('\\x00'): the file is damaged"
                )
            _raise_bad_text(path, header)


def _read(
    path: str | Path,
    *,
    strings: Sequence[str],
    numbers: Sequence[str] = (),
    optional: Sequence[str] = (),
    exact: bool = True,
) -> pa.Table:
    """Read the named columns; key columns as strings (empty = null), numbers as float64."""
    path = Path(path)
    header, wanted = checked_header(
        path, strings=strings, numbers=numbers, optional=optional, exact=exact
    )
    if is_parquet(path):
        table = _read_parquet(path, strings=strings, numbers=numbers, wanted=wanted)
    else:
        table = _read_csv(path, header, strings=strings, numbers=numbers, wanted=wanted)
    _check_nul(path, table, [c for c in strings if c in wanted], header)
    return table


def checked_header(
    path: Path,
    *,
    strings: Sequence[str],
    numbers: Sequence[str] = (),
    optional: Sequence[str] = (),
    exact: bool = True,
) -> tuple[list[str], list[str]]:
    """The file's header, checked (missing, unexpected or repeated columns), and the
    columns of those asked for that it has."""
    header = parquet_header(path) if is_parquet(path) else _header(path)
    for name in (*strings, *numbers):
        if name not in header and name not in optional:
            raise InputError(path, 1, name, f"missing column (header has: {', '.join(header)})")
    if exact:
        known = set(strings) | set(numbers)
        for name in header:
            if name not in known:
                hint = f" (pass --by {name} to split by it)" if name == "modality" else ""
                raise InputError(path, 1, name, f"unexpected column{hint}")
    seen = [h for h in header if h]
    if len(set(seen)) != len(seen):
        raise InputError(path, 1, None, "repeated column names in the header")
    return header, [c for c in (*strings, *numbers) if c in header]


def _read_csv(
    path: Path,
    header: list[str],
    *,
    strings: Sequence[str],
    numbers: Sequence[str],
    wanted: list[str],
) -> pa.Table:
    # Key columns are dictionary-encoded by the parser itself, in parallel.
    types = {c: pa.dictionary(pa.int32(), pa.string()) for c in strings} | {
        c: pa.float64() for c in numbers
    }
    read = pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=1 << 24)
    convert = pacsv.ConvertOptions(
        column_types={c: t for c, t in types.items() if c in wanted},
        include_columns=wanted,
        strings_can_be_null=True,
    )
    try:
        return pacsv.read_csv(path, read_options=read, convert_options=convert)
    except pa.ArrowInvalid as err:
        if "UTF8" in str(err) or "UTF-8" in str(err):
            _raise_bad_text(path, header)
        if not numbers or "conversion error" not in str(err):
            _raise_ragged(path, len(header))
            raise InputError(path, None, None, f"not a readable CSV file: {err}") from None
    # A number column held text: read it as text to say exactly where.
    convert = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in wanted},
        include_columns=wanted,
        strings_can_be_null=True,
    )
    try:
        table = pacsv.read_csv(path, read_options=read, convert_options=convert)
    except pa.ArrowInvalid:
        _raise_bad_text(path, header)
        _raise_ragged(path, len(header))
        raise InputError(path, None, None, "not a readable CSV file") from None
    for name in numbers:
        if name in wanted:
            col = table.column(name)
            ok = pc.fill_null(pc.match_substring_regex(col, _NUMBER), True)
            bad = np.flatnonzero(~as_numpy(ok))
            if bad.size:
                row = int(bad[0])
                if "\x00" in col[row].as_py():
                    _raise_bad_text(path, header)
                raise InputError(path, _line(row), name, f"{col[row].as_py()!r} is not a number")
    raise InputError(path, None, None, "not a readable CSV file")  # pragma: no cover


# -- Parquet -------------------------------------------------------------------------------
#
# A ``.parquet`` file is read column by column with pyarrow (no text to parse) and made the
# same table a CSV gives: key columns dictionary-encoded strings (an empty string is a
# missing value, as an empty CSV field is), numbers float64. Errors name the row (1 = the
# first row of data), since a Parquet file has no lines.


def is_parquet(path: str | Path) -> bool:
    return Path(path).suffix.lower() == ".parquet"


def _parquet_file(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except FileNotFoundError:
        raise InputError(path, None, None, "no such file") from None
    except (pa.ArrowException, OSError) as err:
        raise InputError(path, None, None, f"not a readable Parquet file ({err})") from None


def parquet_header(path: str | Path) -> list[str]:
    return list(_parquet_file(Path(path)).schema_arrow.names)


def _as_text(path: Path, name: str, col: pa.ChunkedArray) -> pa.ChunkedArray:
    """A key column as strings: integers (imd 1-5) as their digits; '' is missing."""
    if pa.types.is_dictionary(col.type):
        if pa.types.is_string(col.type.value_type) and col.type.index_type == pa.int32():
            try:
                for chunk in col.chunks:
                    chunk.dictionary.validate(full=True)
            except pa.ArrowInvalid:
                raise InputError(path, None, name, "holds text that is not UTF-8") from None
            if not any(pc.any(pc.equal(c.dictionary, "")).as_py() for c in col.chunks):
                return col  # as the CSV reader gives it: no decoding of millions of rows
        col = col.cast(col.type.value_type)
    if pa.types.is_floating(col.type):
        raise InputError(path, None, name, f"is stored as {col.type}; a code must be text")
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        try:
            col = col.cast(pa.string())
        except pa.ArrowException:
            raise InputError(
                path, None, name, f"is stored as {col.type}; it must be text"
            ) from None
    col = col.cast(pa.string())
    try:
        col.validate(full=True)
    except pa.ArrowInvalid:
        raise InputError(path, None, name, "holds text that is not UTF-8") from None
    empty = pc.equal(col, "")
    return pc.if_else(empty, pa.scalar(None, pa.string()), col)


def _read_parquet(
    path: Path, *, strings: Sequence[str], numbers: Sequence[str], wanted: list[str]
) -> pa.Table:
    schema = _parquet_file(path).schema_arrow
    text = [c for c in strings if c in wanted and pa.types.is_string(schema.field(c).type)]
    try:
        table = pq.ParquetFile(path, read_dictionary=text).read(columns=wanted)
    except (pa.ArrowException, OSError) as err:
        raise InputError(path, None, None, f"not a readable Parquet file ({err})") from None
    columns = []
    for name in wanted:
        col = table.column(name)
        if name in strings:
            col = _as_text(path, name, col)
            if not pa.types.is_dictionary(col.type):
                col = pc.dictionary_encode(col)
        else:
            if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
                ok = pc.fill_null(pc.match_substring_regex(col, _NUMBER), True)
                bad = np.flatnonzero(~as_numpy(ok))
                if bad.size:
                    row = int(bad[0])
                    raise InputError(
                        path, _line(row), name, f"{col[row].as_py()!r} is not a number"
                    )
            elif not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)):
                raise InputError(path, None, name, f"is stored as {col.type}; it must be a number")
            col = col.cast(pa.float64())
        columns.append(col)
    return pa.table(columns, names=wanted)


def _raise_ragged(path: Path, width: int) -> None:
    """Name the first line whose number of fields differs from the header's (error path)."""
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as f:
        reader = csv.reader(f)
        next(reader, None)
        for record in reader:
            if record and len(record) != width:
                raise InputError(
                    path,
                    reader.line_num,
                    None,
                    f"{len(record)} field{'s' if len(record) != 1 else ''} "
                    f"where the header has {width}",
                )


def physical_lines(err: InputError) -> InputError:
    """The error with its line numbers counted as an editor counts them.

    The fast reader skips empty lines, so the ``n``-th row it reads is on line ``n + 1``
    only if no empty line comes before it. On the error path (never for a good file) the
    file is scanned once to put back the skipped lines, in ``line`` and in the message.
    """
    lines = [n for n in (err.line, *map(int, re.findall(r"\bline (\d+)", err.message))) if n]
    if not lines or max(lines) <= 1 or is_parquet(err.path):
        return err
    try:
        f = open(err.path, newline="", encoding="utf-8-sig", errors="replace")  # noqa: SIM115
    except OSError:
        return err
    physical = {1: 1}
    with f:
        reader = csv.reader(f)
        next(reader, None)
        logical, last = 1, max(lines)
        for record in reader:
            if record:
                logical += 1
                physical[logical] = reader.line_num
                if logical >= last:
                    break
    if all(physical.get(n, n) == n for n in lines):
        return err

    def fix(match: re.Match) -> str:
        return f"line {physical.get(int(match.group(1)), int(match.group(1)))}"

    line = physical.get(err.line, err.line) if err.line else err.line
    return InputError(err.path, line, err.field, re.sub(r"\bline (\d+)", fix, err.message))


def _null_rows(col: pa.ChunkedArray) -> npt.NDArray[np.bool_]:
    return as_numpy(pc.is_null(col))


def _require_complete(path: str | Path, table: pa.Table, fields: Sequence[str]) -> None:
    for name in fields:
        col = table.column(name)
        if col.null_count:
            row = int(np.flatnonzero(_null_rows(col))[0])
            raise InputError(path, _line(row), name, "missing value")


def _encode(col: pa.ChunkedArray) -> tuple[list, npt.NDArray[np.intp]]:
    """Dictionary-encode a column: (distinct values, per-row index; -1 for null)."""
    enc = (
        col.unify_dictionaries() if pa.types.is_dictionary(col.type) else pc.dictionary_encode(col)
    )
    if enc.num_chunks == 0:
        return [], np.zeros(0, dtype=np.intp)
    values = enc.chunk(0).dictionary.to_pylist()
    idx = pa.chunked_array([c.indices for c in enc.chunks], type=pa.int32()).combine_chunks()
    idx = _indices(idx)
    return values, idx


def _codes(path: str | Path, col: pa.ChunkedArray, *, field: str) -> npt.NDArray[np.intp]:
    """Map sex/age band/IMD text to 0-based codes; unknown values are an error."""
    known, what = _KNOWN[field]
    values, idx = _encode(col)
    lookup = np.array(
        [known.get(v, -1) if v is not None else -2 for v in values] + [-2], dtype=np.int8
    )
    codes = np.take(lookup, idx)  # idx -1 (null) -> last entry (-2)
    if col.null_count or (lookup[:-1] < 0).any():  # scan rows only when something is wrong
        row = int(np.flatnonzero(codes < 0)[0])
        if codes[row] == -2:
            raise InputError(path, _line(row), field, "missing value")
        raise InputError(path, _line(row), field, f"{values[idx[row]]!r} is not a known {what}")
    return codes


def _factorise(col: pa.ChunkedArray) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.intp]]:
    """Sorted distinct keys and each row's position among them (nulls: -1)."""
    values, idx = _encode(col)
    keys = np.array(values, dtype=object)
    order = np.argsort(keys, kind="stable") if keys.size else np.zeros(0, dtype=np.intp)
    rank = np.empty(len(values) + 1, dtype=np.intp)
    rank[order] = np.arange(len(values))
    rank[-1] = -1
    return keys[order].astype(str), rank[idx]


def _numbers(path: str | Path, table: pa.Table, field: str, *, whole: bool) -> core.FloatArray:
    col = table.column(field)
    _require_complete(path, table, [field])
    x = as_numpy(col)
    x = np.ascontiguousarray(x, dtype=np.float64)
    bad = ~np.isfinite(x) | (x < 0) | (x > MAX_FIGURE)
    if whole:
        bad |= x != np.floor(x)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        text = _format_number(float(x[row]))
        what = "a count" if whole else "a population"
        if not math.isfinite(x[row]):
            raise InputError(path, _line(row), field, f"{text!r} is not a number")
        if x[row] < 0:
            raise InputError(path, _line(row), field, f"{text!r} is negative; {what} cannot be")
        if x[row] > MAX_FIGURE:
            raise InputError(
                path,
                _line(row),
                field,
                f"{text!r} is too large: {what} of one stratum over {MAX_FIGURE:,} "
                "is a mistake in the file",
            )
        raise InputError(
            path, _line(row), field, f"{text!r} is not a whole number; {what} must be"
        )
    return x


def _format_number(x: float) -> str:
    return str(int(x)) if math.isfinite(x) and x == int(x) and abs(x) < 1e15 else repr(x)


def _check_unique(path: str | Path, flat: npt.NDArray[np.intp], *, size: int, fields: str) -> None:
    """Duplicate strata are an error: a second row would silently double a count."""
    if flat.size == 0:
        return
    if np.bincount(flat, minlength=size).max() <= 1:
        return
    order = np.argsort(flat, kind="stable")
    sflat = flat[order]
    repeat = np.flatnonzero(sflat[1:] == sflat[:-1]) + 1
    second = order[repeat]
    row = int(second.min())
    first = int(order[np.searchsorted(sflat, flat[row])])
    raise InputError(
        path, _line(row), fields, f"duplicate stratum, first given on line {_line(first)}"
    )


def _strata(path: str | Path, table: pa.Table) -> npt.NDArray[np.intp]:
    sex = _codes(path, table.column("sex"), field="sex")
    age = _codes(path, table.column("age_band"), field="age_band")
    imd = _codes(path, table.column("imd"), field="imd")
    return core.stratum_index(sex, age_band=age, imd=imd)


def read_population_table(path: str | Path) -> pa.Table:
    """Parse a population file (checks its header; values are checked on load)."""
    return _read(path, strings=KEY_FIELDS, numbers=("population",))


def read_counts_table(path: str | Path, *, by: str | None = None) -> pa.Table:
    """Parse a counts file (checks its header; values are checked on load)."""
    return _read(path, strings=KEY_FIELDS + ((by,) if by else ()), numbers=("count",))


def _streamed(
    path: Path,
    *,
    number: str,
    by: str | None = None,
    workers: int | None = None,
    population: Population | None = None,
) -> stream.Laid | None:
    """The file's header checked, then the file streamed by ``metrics.stream`` on ``workers``
    threads (one per core by default): laid out against ``population``'s areas when one is
    given, else over the file's own areas. None when the file needs the full checks: the
    caller then reads it whole and checks it, so its error names the file, line and field."""
    keys = KEY_FIELDS + ((by,) if by else ())
    header, wanted = checked_header(path, strings=keys, numbers=(number,))
    workers = workers or stream.WORKERS
    try:
        if population is None:
            return stream.read_unplaced(
                path,
                header=header,
                wanted=wanted,
                strings=keys,
                number=number,
                by=by,
                workers=workers,
            )
        return stream.read_counts(
            path,
            header=header,
            wanted=wanted,
            areas=population.areas,
            population=population.values,
            by=by,
            workers=workers,
        )
    except (stream.NotFast, UnicodeDecodeError, pa.ArrowException, OSError):
        return None


def read_population(path: str | Path, *, workers: int | None = None) -> Population:
    """Read ``area,sex,age_band,imd,population``: one row per area and stratum.

    Streamed batch by batch straight into the dense array (``metrics.stream``, on
    ``workers`` threads, one per core by default); a file with any doubt is read whole
    and checked as ``load_population`` does, so its error names the file, line and field.
    """
    path = Path(path)
    laid = _streamed(path, number="population", workers=workers)
    if laid is None:
        return load_population(read_population_table(path), path=path)
    return Population(str(path), laid.areas, laid.values[0], laid.seen[0])


def read_counts(
    path: str | Path,
    *,
    population: Population,
    by: str | None = None,
    workers: int | None = None,
) -> Counts:
    """Read ``area,sex,age_band,imd[,<by>],count`` against a population (streamed, as
    ``read_population``)."""
    path = Path(path)
    laid = _streamed(path, number="count", by=by, workers=workers, population=population)
    if laid is None:
        return load_counts(read_counts_table(path, by=by), path=path, population=population, by=by)
    return Counts(str(path), by, laid.measures, population.areas, laid.values, rows=laid.rows)


def check_counts(path: str | Path, *, by: str | None = None, workers: int | None = None) -> Counts:
    """Check a counts file on its own (as ``check_counts_table``), streamed when it is good:
    laid out over its own areas."""
    path = Path(path)
    laid = _streamed(path, number="count", by=by, workers=workers)
    if laid is None:
        return check_counts_table(read_counts_table(path, by=by), path=path, by=by)
    return Counts(str(path), by, laid.measures, laid.areas, laid.values, rows=laid.rows)


# -- The fast path -------------------------------------------------------------------------
#
# A good file is checked and laid out batch by batch (pyarrow's record batches of about a
# million rows, which stay in cache): every check is made on the batch's dictionaries (a few
# values each) or with one vectorised pass over its numbers, and each row's dense cell is
# computed in place in int32. When anything at all looks wrong the fast path gives up and
# the full checks above run from the start, so every error is found and worded exactly as
# before (file, line, field).


class _NotFast(Exception):
    """Something in the file needs the full checks (usually: it has an error)."""


def _lut(array: pa.DictionaryArray, mapping: dict[str, int]) -> npt.NDArray[np.int32] | None:
    """Codes of a batch's rows via its dictionary; None when they are the indices as they are."""
    values = array.dictionary.to_pylist()
    lut = np.fromiter((mapping.get(v, -1) for v in values), dtype=np.int32, count=len(values))
    if lut.size and lut.min() < 0:
        raise _NotFast
    if np.array_equal(lut, np.arange(lut.size, dtype=np.int32)):
        return None
    return lut


def _codes_of(
    array: pa.DictionaryArray, mapping: dict[str, int]
) -> tuple[np.ndarray, np.ndarray | None]:
    """A batch's dictionary indices and the lookup from them to codes (None: the same)."""
    return as_numpy(array.indices), _lut(array, mapping)


def _area_codes(
    array: pa.DictionaryArray, areas: npt.NDArray[np.str_]
) -> tuple[np.ndarray, np.ndarray | None]:
    names = np.array(array.dictionary.to_pylist(), dtype=str)
    if not len(areas) or not names.size:
        raise _NotFast
    pos = np.minimum(np.searchsorted(areas, names), len(areas) - 1).astype(np.int32)
    if not (areas[pos] == names).all():
        raise _NotFast  # an area the population does not have
    idx = as_numpy(array.indices)
    return idx, None if np.array_equal(pos, np.arange(pos.size, dtype=np.int32)) else pos


def _batches(table: pa.Table, keys: Sequence[str], number: str) -> list[pa.RecordBatch]:
    if table.num_rows == 0:
        raise _NotFast
    for name in (*keys, number):
        col = table.column(name)
        if col.null_count:
            raise _NotFast
        if name in keys and not pa.types.is_dictionary(col.type):
            raise _NotFast
    if table.column(number).type != pa.float64():
        raise _NotFast
    return table.select([*keys, number]).to_batches()


def _dictionary_values(table: pa.Table, name: str) -> list[str]:
    values: set[str] = set()
    for chunk in table.column(name).chunks:
        values.update(chunk.dictionary.to_pylist())
    return sorted(values)


STEP = 1 << 16
"""Rows worked on at once: small enough that the temporaries stay in cache."""


def _layout(
    batches: list[pa.RecordBatch],
    *,
    size: int,
    n_areas: int,
    areas: npt.NDArray[np.str_],
    by: str | None,
    measures: dict[str, int],
    whole: bool,
) -> tuple[core.FloatArray, list[npt.NDArray]]:
    """The dense array and each slice's cells; raises _NotFast on any doubt."""
    dtype = np.int32 if size < 2**31 else np.int64
    dense = np.zeros(size, dtype=np.float64)
    cells: list[npt.NDArray] = []
    last, increasing = -1, True
    for batch in batches:
        if batch.num_rows == 0:
            continue
        values = as_numpy(batch.column(batch.num_columns - 1))
        parts = [(_area_codes(batch.column("area"), areas), n_areas)]
        if by:
            parts.insert(0, (_codes_of(batch.column(by), measures), 1))
        parts += [
            (_codes_of(batch.column("sex"), SEX_CODES), core.N_SEXES),
            (_codes_of(batch.column("age_band"), AGE_BAND_CODES), core.N_AGE_BANDS),
            (_codes_of(batch.column("imd"), IMD_CODES), core.N_IMD),
        ]
        for lo in range(0, batch.num_rows, STEP):
            hi = min(lo + STEP, batch.num_rows)
            x = values[lo:hi]
            ok = (x >= 0) & (x <= MAX_FIGURE)  # also false for NaN and infinity
            if whole:
                ok &= np.trunc(x) == x
            if not ok.all():
                raise _NotFast
            flat = None
            for (idx, lut), n in parts:
                code = idx[lo:hi] if lut is None else lut[idx[lo:hi]]
                if flat is None:
                    flat = code.astype(dtype)
                else:
                    flat *= n
                    flat += code
            first, end = int(flat[0]), int(flat[-1]) + 1
            if increasing:
                increasing = first > last and bool((flat[1:] > flat[:-1]).all())
                last = end - 1
            if increasing and end - first == flat.size:
                dense[first:end] = x  # a run of consecutive cells, as sorted extracts give
            else:
                dense[flat] = x
            cells.append(flat)
    if not increasing:  # unsorted rows: a repeated cell is found by who last wrote it
        owner = np.empty(size, dtype=np.int64)
        start = 0
        for flat in cells:
            owner[flat] = np.arange(start, start + flat.size)
            start += flat.size
        start = 0
        for flat in cells:
            if not (owner[flat] == np.arange(start, start + flat.size)).all():
                raise _NotFast  # a duplicate stratum
            start += flat.size
    return dense, cells


def _fast_population(table: pa.Table, /, *, path: str | Path) -> Population | None:
    try:
        batches = _batches(table, KEY_FIELDS, "population")
        areas = np.array(_dictionary_values(table, "area"), dtype=str)
        size = len(areas) * core.N_STRATA
        dense, cells = _layout(
            batches, size=size, n_areas=len(areas), areas=areas, by=None, measures={}, whole=False
        )
    except _NotFast:
        return None
    present = np.zeros(size, dtype=bool)
    for flat in cells:
        present[flat] = True
    shape = (len(areas), core.N_STRATA)
    return Population(str(path), areas, dense.reshape(shape), present.reshape(shape))


def _fast_counts(
    table: pa.Table, /, *, path: str | Path, population: Population, by: str | None
) -> Counts | None:
    keys = KEY_FIELDS + ((by,) if by else ())
    try:
        batches = _batches(table, keys, "count")
        names = _dictionary_values(table, by) if by else [""]
        n_a = len(population.areas)
        size = len(names) * n_a * core.N_STRATA
        dense, _ = _layout(
            batches,
            size=size,
            n_areas=n_a,
            areas=population.areas,
            by=by,
            measures={m: i for i, m in enumerate(names)},
            whole=True,
        )
    except _NotFast:
        return None
    dense = dense.reshape(len(names), n_a * core.N_STRATA)
    empty = population.values.ravel() <= 0
    if empty.any() and (dense[:, empty] > 0).any():
        return None  # a count where nobody lives: the full checks say where
    measures = np.array(names, dtype=str)
    values = dense.reshape(len(names), n_a, -1)
    return Counts(str(path), by, measures, population.areas, values, rows=table.num_rows)


def load_population(table: pa.Table, /, *, path: str | Path) -> Population:
    """Check a parsed population table and make the dense (areas, 190) array."""
    fast = _fast_population(table, path=path)
    if fast is not None:
        return fast
    _require_complete(path, table, KEY_FIELDS)
    areas, area_idx = _factorise(table.column("area"))
    stratum = _strata(path, table)
    pop = _numbers(path, table, "population", whole=False)
    flat = area_idx * core.N_STRATA + stratum
    shape = (len(areas), core.N_STRATA)
    _check_unique(path, flat, size=shape[0] * shape[1], fields="area,sex,age_band,imd")
    present = np.bincount(flat, minlength=shape[0] * shape[1]).reshape(shape) > 0
    return Population(str(path), areas, core.accumulate(flat, weights=pop, shape=shape), present)


def load_counts(
    table: pa.Table, /, *, path: str | Path, population: Population, by: str | None = None
) -> Counts:
    """Check a parsed counts table against a population; dense (measures, areas, 190).

    Areas follow the population file (an area with no rows here has count 0).
    A positive count in a stratum whose population is zero or absent is an
    error: no rate can be formed for it and dropping it would bias the area.
    """
    fast = _fast_counts(table, path=path, population=population, by=by)
    if fast is not None:
        return fast
    keys = KEY_FIELDS + ((by,) if by else ())
    _require_complete(path, table, keys)
    count = _numbers(path, table, "count", whole=True)
    stratum = _strata(path, table)
    if by:
        measures, measure_idx = _factorise(table.column(by))
    else:
        measures, measure_idx = np.array([""]), np.zeros(table.num_rows, dtype=np.intp)
    values, idx = _encode(table.column("area"))
    names = np.array(values, dtype=str) if values else np.zeros(0, dtype=str)
    pos = np.searchsorted(population.areas, names) if names.size else np.zeros(0, dtype=np.intp)
    pos = np.minimum(pos, max(len(population.areas) - 1, 0))
    found = (
        population.areas[pos] == names
        if len(population.areas)
        else np.zeros(names.size, dtype=bool)
    )
    area_idx = np.take(np.where(found, pos, -1).astype(np.int32), idx)
    raw = (measure_idx * max(len(names), 1) + idx) * core.N_STRATA + stratum
    _check_unique(
        path, raw, size=len(measures) * max(len(names), 1) * core.N_STRATA, fields=",".join(keys)
    )
    n_a = len(population.areas)
    unknown = (area_idx < 0) & (count > 0) if not found.all() else np.zeros(1, dtype=bool)
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise InputError(
            path,
            _line(row),
            "area",
            f"count {_format_number(count[row])} for area {str(names[idx[row]])!r}, "
            f"which has no rows in {population.path}",
        )
    keep = area_idx >= 0 if not found.all() else np.ones(1, dtype=bool)
    if not keep.all():  # zero counts for areas with no population carry nothing
        area_idx, stratum, measure_idx, count = (
            area_idx[keep],
            stratum[keep],
            measure_idx[keep],
            count[keep],
        )
        rows = np.flatnonzero(keep)
    else:
        rows = None
    cell = area_idx * core.N_STRATA + stratum
    popcell = population.values.ravel()[cell]
    empty = (count > 0) & (popcell <= 0)
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        row = int(rows[i]) if rows is not None else i
        why = "zero population" if population.present.ravel()[cell[i]] else "no population row"
        raise InputError(
            path,
            _line(row),
            "count",
            f"count {_format_number(count[i])} in a stratum with {why} in {population.path}",
        )
    shape = (len(measures), n_a, core.N_STRATA)
    flat = measure_idx * (n_a * core.N_STRATA) + cell
    return Counts(
        str(path),
        by,
        measures,
        population.areas,
        core.accumulate(flat, weights=count, shape=shape),
        rows=table.num_rows,
    )


def format_column(values: npt.ArrayLike) -> list[str]:
    """Text for a CSV column: floats at full precision (repr), NaN as empty."""
    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        return ["" if x != x else repr(x) for x in arr.tolist()]
    return [str(x) for x in arr.tolist()]


def write_csv(path: str | Path, header: Sequence[str], columns: Sequence[Sequence[str]]) -> None:
    """Write already-formatted columns."""
    with Path(path).open("w", newline="", encoding="utf-8") as f:
        w = csv_export.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(zip(*columns, strict=True))


def write_rows(path: str | Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    with Path(path).open("w", newline="", encoding="utf-8") as f:
        w = csv_export.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def counts_measure_column(path: str | Path) -> str | None:
    """The measure column of a counts file (e.g. ``modality``), or None if it has none.

    A counts file has the key columns, ``count`` and at most one more column, which
    splits it into measures.
    """
    path = Path(path)
    header = parquet_header(path) if is_parquet(path) else _header(path)
    extra = [h for h in header if h not in (*KEY_FIELDS, "count")]
    if len(extra) > 1:
        raise InputError(
            path,
            1,
            extra[1],
            f"unexpected column; a counts file has one measure column ({extra[0]})",
        )
    return extra[0] if extra else None


def check_counts_table(table: pa.Table, /, *, path: str | Path, by: str | None = None) -> Counts:
    """Check a counts table on its own, before a population is chosen for it.

    Every check of ``load_counts`` that does not need the population is made (missing
    values, unknown sex/age band/IMD, counts that are negative, fractional or not numbers,
    duplicate strata); the counts are laid out over the file's own areas.
    """
    _require_complete(path, table, KEY_FIELDS + ((by,) if by else ()))
    areas, _ = _factorise(table.column("area"))
    own = Population(
        str(path),
        areas,
        np.ones((len(areas), core.N_STRATA)),
        np.ones((len(areas), core.N_STRATA), dtype=bool),
    )
    return load_counts(table, path=path, population=own, by=by)
