"""Counting record-level extracts (one row per examination) in bounded memory.

The extract is read and grouped by DuckDB, an embedded engine that streams the file
(CSV or Parquet) through a parallel hash aggregate and spills to disk past its memory
limit, so a year of national records (tens of millions of rows) is counted in a flat
few hundred megabytes. Chosen over Polars by measurement (bench/metrics/records.py):
about the same time on two cores, about half the peak memory, and the same SQL runs
over partitioned Parquet when one machine is no longer enough (docs/metrics.md).

DuckDB does only the grouping: what comes back is one row per distinct combination of
the raw codes (area, sex, age band or banded age, IMD quintile, measure) with its number
of records, a few hundred thousand rows at most. The codes are then checked and mapped
here with NumPy, as ``metrics.io`` checks counts files:

- a record with an empty field is dropped and reported under ``missing_<field>``;
- sex ``U``, ``I``, ``9``, ``X`` or ``0`` (not stated, indeterminate, not known) is
  dropped as ``sex_not_known``;
- with an ``age`` column (whole years), an age over 120 is dropped as ``age_not_known``
  (an empty age is ``missing_age``); ages are put in the 5-year bands;
- with ``--imd-lookup``, an ``lsoa`` the lookup does not have is dropped as
  ``area_not_matched``; the rest get quintile = ceil(decile / 2);
- any other value (sex ``Q``, age band ``95-99``, age ``34.5``) is an error naming the
  file, line and field, found by one more pass over the file (only when there is one).

Each reason is counted per area; a record dropped for two reasons counts under both.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from metrics import core
from metrics.io import (
    AGE_BAND_CODES,
    IMD_CODES,
    SEX_CODES,
    InputError,
    _encode,
    _factorise,
    _header,
    _raise_bad_text,
    _raise_ragged,
    _read,
    as_numpy,
    is_parquet,
    parquet_header,
)

SEX_NOT_KNOWN: frozenset[str] = frozenset({"U", "I", "9", "X", "0"})
"""Person stated gender codes that place no one in a sex: 9/X/0 (not known, not
specified, not stated) in the NHS data dictionary, and the U/I letters extracts use."""
MAX_AGE = 120
NEW_REASONS: tuple[str, ...] = ("sex_not_known", "age_not_known", "area_not_matched")
MEMORY_LIMIT = os.environ.get("METRICS_DUCKDB_MEMORY_LIMIT", "512MB")
"""DuckDB's memory limit for one aggregation; past it the hash tables spill to disk."""


@dataclass(frozen=True)
class Aggregated:
    """Counts from a record-level extract and what was dropped, per area and reason."""

    by: str | None
    header: list[str]
    rows: list[tuple[str, ...]]
    dropped_header: list[str]
    dropped_rows: list[list[str]]
    records: int
    dropped: int


@dataclass(frozen=True)
class _Columns:
    area: str
    sex: str
    age: str  # "age_band" or "age"
    imd: str  # "imd" or "lsoa"
    by: str | None

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.area, self.sex, self.age, self.imd) + ((self.by,) if self.by else ())


def _columns(path: Path, *, by: str | None, lookup: bool) -> tuple[_Columns, list[str]]:
    header = parquet_header(path) if is_parquet(path) else _header(path)
    seen = [h for h in header if h]
    if len(set(seen)) != len(seen):
        raise InputError(path, 1, None, "repeated column names in the header")
    if "age" in header and "age_band" in header:
        raise InputError(path, 1, "age", "use an age column (years) or age_band, not both")
    age = "age" if "age" in header else "age_band"
    if lookup and "imd" in header:
        raise InputError(path, 1, "imd", "with --imd-lookup, give lsoa and no imd column")
    imd = "lsoa" if lookup else "imd"
    cols = _Columns("area", "sex", age, imd, by)
    for name in cols.fields:
        if name not in header:
            raise InputError(path, 1, name, f"missing column (header has: {', '.join(header)})")
    return cols, header


def read_imd_lookup(path: str | Path) -> pa.Table:
    """``lsoa,imd_decile`` (other columns ignored): each LSOA once, decile 1-10 -> quintile."""
    table = _read(path, strings=("lsoa",), numbers=("imd_decile",), exact=False)
    lsoa = table.column("lsoa")
    if lsoa.null_count:
        row = int(np.flatnonzero(as_numpy(pc.is_null(lsoa)))[0])
        raise InputError(path, row + 2, "lsoa", "missing value")
    decile = as_numpy(table.column("imd_decile"))
    bad = ~np.isin(decile, np.arange(1, 11))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value = decile[row]
        text = "missing value" if value != value else f"{value:g} is not an IMD decile (1-10)"
        raise InputError(path, row + 2, "imd_decile", text)
    names, idx = _factorise(lsoa)
    repeat = np.bincount(idx, minlength=len(names)) > 1
    if repeat.any():
        rows = np.flatnonzero(idx == np.flatnonzero(repeat)[0])
        raise InputError(
            path, int(rows[1]) + 2, "lsoa", f"given twice, first on line {int(rows[0]) + 2}"
        )
    quintile = np.ceil(decile / 2).astype(np.int64).astype(str)
    return pa.table({"lsoa": lsoa.cast(pa.string()), "quintile": pa.array(quintile)})


def _text(name: str, *, parquet: bool) -> str:
    """A column as text, '' as missing. DuckDB's CSV reader already reads an empty field
    (quoted or not) as NULL, so a CSV column is taken as it is: no per-row work."""
    col = '"' + name.replace('"', '""') + '"'
    if not parquet:
        return col
    return f"NULLIF(CAST({col} AS VARCHAR), '')"


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _query(
    path: Path, cols: _Columns, header: list[str], *, lookup: bool, buffer_size: int | None
) -> str:
    parquet = is_parquet(path)
    quoted = str(path).replace("'", "''")
    if parquet:
        source = f"read_parquet('{quoted}')"
    else:
        names = [h or f"column {i + 1}" for i, h in enumerate(header)]
        columns = ", ".join(f"{_sql_text(h)}: 'VARCHAR'" for h in names)
        options = f"header = true, columns = {{{columns}}}, delim = ',', quote = '\"'"
        options += ", escape = '\"', auto_detect = false, strict_mode = true"
        if buffer_size:
            options += f", buffer_size = {int(buffer_size)}"
        source = f"read_csv('{quoted}', {options})"
    select = [
        f"{_text(cols.area, parquet=parquet)} AS area",
        f"{_text(cols.sex, parquet=parquet)} AS sex",
        f"{_text(cols.age, parquet=parquet)} AS age",
        f"{_text(cols.imd, parquet=parquet)} AS imd",
        (f"{_text(cols.by, parquet=parquet)}" if cols.by else "''") + " AS measure",
    ]
    if cols.age == "age":
        # Whole years only (34.5 and 1e2 are errors): DuckDB's cast would round them.
        age = (
            "CASE WHEN age IS NULL THEN NULL "
            "WHEN NOT regexp_full_match(age, '[0-9]{1,9}') THEN 'bad:' || age "
            f"WHEN CAST(age AS BIGINT) > {MAX_AGE} THEN 'not known' "
            "ELSE CAST(least(CAST(age AS BIGINT) // 5, 18) AS VARCHAR) END"
        )
    else:
        age = "age"
    if lookup:
        imd = "CASE WHEN r.imd IS NULL THEN NULL WHEN l.quintile IS NULL THEN 'not matched' "
        imd += "ELSE l.quintile END"
        join = "LEFT JOIN imd_lookup l ON l.lsoa = r.imd"
    else:
        imd, join = "r.imd", ""
    return (
        f"SELECT area, sex, {age} AS age, {imd} AS imd, measure, count(*) AS n "
        f"FROM (SELECT {', '.join(select)} FROM {source}) r {join} "
        "GROUP BY ALL"
    )


def _group(
    path: Path,
    cols: _Columns,
    header: list[str],
    *,
    lookup: pa.Table | None,
    threads: int | None,
    buffer_size: int | None,
) -> pa.Table:
    with tempfile.TemporaryDirectory(prefix="metrics-duckdb-") as spill:
        config = {"memory_limit": MEMORY_LIMIT, "temp_directory": spill}
        if threads:
            config["threads"] = int(threads)
        con = duckdb.connect(":memory:", config=config)
        try:
            if lookup is not None:
                con.register("imd_lookup", lookup)
            sql = _query(path, cols, header, lookup=lookup is not None, buffer_size=buffer_size)
            return con.sql(sql).to_arrow_table()
        except duckdb.IOException as err:
            if not path.exists():
                raise InputError(path, None, None, "no such file") from None
            raise InputError(path, None, None, f"cannot be read ({err})") from None
        except duckdb.Error as err:
            if not is_parquet(path):
                _raise_bad_text(path, header)
                _raise_ragged(path, len(header))
            first = str(err).strip().splitlines()[0]
            kind = "Parquet" if is_parquet(path) else "CSV"
            raise InputError(path, None, None, f"not a readable {kind} file ({first})") from None
        finally:
            con.close()


def _lookup_codes(
    values: list, known: dict[str, int], *, not_known: frozenset[str] = frozenset()
) -> npt.NDArray[np.int64]:
    """Codes for a column's distinct values: >= 0 known, -1 missing, -2 not known, -3 bad."""
    out = []
    for v in values:
        if v is None:
            out.append(-1)
        elif v in known:
            out.append(known[v])
        elif v.upper() in not_known:
            out.append(-2)
        else:
            out.append(-3)
    return np.array(out + [-1], dtype=np.int64)  # the last entry: null indices


def _codes(col: pa.ChunkedArray, known: dict[str, int], **kw) -> tuple[list, np.ndarray]:
    values, idx = _encode(col)
    return values, np.take(_lookup_codes(values, known, **kw), idx)


AGE_YEARS_CODES = {str(i): i for i in range(core.N_AGE_BANDS)}


def aggregate_records(
    path: str | Path,
    *,
    by: str | None = None,
    imd_lookup: str | Path | None = None,
    threads: int | None = None,
    buffer_size: int | None = None,
) -> Aggregated:
    """Count records by area, stratum and optional measure; report what was dropped.

    ``threads`` and ``buffer_size`` (bytes of CSV read at once) are for tests and
    benchmarks; by default DuckDB uses every core and its own buffer.
    """
    path = Path(path)
    cols, header = _columns(path, by=by, lookup=imd_lookup is not None)
    lookup = read_imd_lookup(imd_lookup) if imd_lookup is not None else None
    g = _group(path, cols, header, lookup=lookup, threads=threads, buffer_size=buffer_size)
    n = as_numpy(g.column("n")).astype(np.int64)

    for name in ("area", "measure"):
        values, _ = _encode(g.column(name))
        if any(v is not None and "\x00" in v for v in values):
            if is_parquet(path):
                field = cols.area if name == "area" else cols.by
                raise InputError(path, None, field, "holds a NUL byte ('\\x00')")
            _raise_bad_text(path, header)
    sex_values, sex = _codes(g.column("sex"), SEX_CODES, not_known=SEX_NOT_KNOWN)
    if cols.age == "age":
        age_values, age = _codes(
            g.column("age"), AGE_YEARS_CODES, not_known=frozenset({"NOT KNOWN"})
        )
    else:
        age_values, age = _codes(g.column("age"), AGE_BAND_CODES)
    if lookup is not None:
        imd_values, imd = _codes(g.column("imd"), IMD_CODES, not_known=frozenset({"NOT MATCHED"}))
    else:
        imd_values, imd = _codes(g.column("imd"), IMD_CODES)

    areas, area_idx = _factorise(g.column("area"))
    if (area_idx < 0).any():  # records with no area are reported under ""
        areas = np.append(areas, "")
        area_idx = np.where(area_idx < 0, len(areas) - 1, area_idx)
    if by:
        measures, measure_idx = _factorise(g.column("measure"))
        measure_missing = measure_idx < 0
    else:
        measures, measure_idx = np.array([""]), np.zeros(len(n), dtype=np.intp)
        measure_missing = np.zeros(len(n), dtype=bool)

    missing = {
        cols.area: as_numpy(pc.is_null(g.column("area"))),
        cols.sex: sex == -1,
        cols.age: age == -1,
        cols.imd: imd == -1,
    }
    if by:
        missing[by] = measure_missing
    any_missing = np.zeros(len(n), dtype=bool)
    for m in missing.values():
        any_missing |= m
    reasons = {
        "sex_not_known": sex == -2,
        "age_not_known": age == -2,
        "area_not_matched": imd == -2,
    }
    bad = ~any_missing & ((sex == -3) | (age == -3) | (imd == -3))
    if bad.any():
        _raise_first_bad(path, cols, header, sex_values, age_values, imd_values, lookup=lookup)

    dropped = any_missing.copy()
    for r in reasons.values():
        dropped |= r
    keep = ~dropped
    n_a = len(areas)
    stratum = core.stratum_index(sex[keep], age_band=age[keep], imd=imd[keep])
    flat = (measure_idx[keep] * n_a + area_idx[keep]) * core.N_STRATA + stratum
    dense = np.bincount(flat, weights=n[keep], minlength=len(measures) * n_a * core.N_STRATA)
    rows = _count_rows(dense, areas=areas, measures=measures, by=by)

    per_area = np.bincount(area_idx, weights=n, minlength=n_a)
    dropped_area = np.bincount(area_idx, weights=n * dropped, minlength=n_a)
    by_reason = {
        f"missing_{f}": np.bincount(area_idx, weights=n * m, minlength=n_a)
        for f, m in missing.items()
    } | {r: np.bincount(area_idx, weights=n * m, minlength=n_a) for r, m in reasons.items()}
    dropped_header = ["area", "records", "dropped", "dropped_percent", *by_reason]
    dropped_rows = []
    for a in np.flatnonzero(dropped_area):
        pct = 100.0 * dropped_area[a] / per_area[a]
        dropped_rows.append(
            [str(areas[a]), str(int(per_area[a])), str(int(dropped_area[a])), repr(float(pct))]
            + [str(int(v[a])) for v in by_reason.values()]
        )
    header_out = ["area", "sex", "age_band", "imd"] + ([by] if by else []) + ["count"]
    return Aggregated(
        by, header_out, rows, dropped_header, dropped_rows, int(n.sum()), int((n * dropped).sum())
    )


def _count_rows(
    dense: npt.NDArray[np.float64], *, areas: np.ndarray, measures: np.ndarray, by: str | None
) -> list[tuple[str, ...]]:
    n_a = len(areas)
    nz = np.flatnonzero(dense)
    m_i, rest = np.divmod(nz, n_a * core.N_STRATA)
    a_i, s_i = np.divmod(rest, core.N_STRATA)
    sex_i, rest2 = np.divmod(s_i, core.N_AGE_BANDS * core.N_IMD)
    age_i, imd_i = np.divmod(rest2, core.N_IMD)
    sexes, ages = np.array(core.SEXES), np.array(core.AGE_BANDS)
    imds = np.array([str(q) for q in core.IMD_QUINTILES])
    cols = [areas[a_i], sexes[sex_i], ages[age_i], imds[imd_i]]
    cols += [measures[m_i]] if by else []
    cols.append(dense[nz].astype(np.int64).astype(str))
    if by:  # order by measure first, as the counts files are read
        order = np.lexsort((s_i, a_i, m_i))
        cols = [c[order] for c in cols]
    return list(zip(*(c.tolist() for c in cols), strict=True))


# -- the error path ------------------------------------------------------------------------


def _records(path: Path, names: Sequence[str]) -> Iterator[tuple[int, dict[str, str | None]]]:
    """(line or row, the named fields trimmed, '' as None), in file order."""
    if is_parquet(path):
        row = 1
        for batch in pq.ParquetFile(path).iter_batches(columns=list(names), batch_size=65536):
            data = {c: batch.column(c).cast(pa.string()).to_pylist() for c in names}
            for i in range(batch.num_rows):
                row += 1
                yield row, {c: (data[c][i] or None) for c in names}
        return
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader)]
        pos = {c: header.index(c) for c in names}
        line = 1  # counted as the fast reader counts (no empty lines): see io.physical_lines
        for record in reader:
            if not record:
                continue
            line += 1
            yield (
                line,
                {c: ((record[i] if i < len(record) else "") or None) for c, i in pos.items()},
            )


def _raise_first_bad(
    path: Path,
    cols: _Columns,
    header: list[str],
    sex_values: list,
    age_values: list,
    imd_values: list,
    *,
    lookup: pa.Table | None,
) -> None:
    """Find the first complete record with a value that is neither known nor not-known."""
    bad_sex = {v for v in sex_values if v is not None and v not in SEX_CODES}
    bad_sex -= {v for v in bad_sex if v.upper() in SEX_NOT_KNOWN}
    bad_imd = set() if lookup is not None else {v for v in imd_values if v and v not in IMD_CODES}
    bad_band = (
        {v for v in age_values if v and v not in AGE_BAND_CODES}
        if cols.age == "age_band"
        else set()
    )
    for line, r in _records(path, cols.fields):
        if any(v is None for v in r.values()):
            continue
        if r[cols.sex] in bad_sex:
            raise InputError(path, line, cols.sex, f"{r[cols.sex]!r} is not a known sex (F or M)")
        if cols.age == "age":
            if not (r["age"].isascii() and r["age"].isdigit() and len(r["age"]) <= 9):
                raise InputError(path, line, "age", f"{r['age']!r} is not an age in whole years")
        elif r["age_band"] in bad_band:
            raise InputError(path, line, "age_band", f"{r['age_band']!r} is not a known age band")
        if r.get("imd") in bad_imd:
            raise InputError(path, line, "imd", f"{r['imd']!r} is not a known IMD quintile (1-5)")
    raise InputError(path, None, None, "holds a value that is not known")  # pragma: no cover
