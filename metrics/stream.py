"""Reading a population or counts file straight into the dense arrays, batch by batch.

A practice-level counts file has 17 million rows; parsed whole (key columns as strings)
it took 2.5 GB before a single cell was laid out. Here the file is cut into byte ranges
at line ends (Parquet: into row groups), each range is parsed a few megabytes at a time
by pyarrow's CSV reader on one thread, and each batch is checked and written into the
dense array before the next is parsed. Ranges run on a thread pool (pyarrow and NumPy
release the GIL), so parsing one range overlaps laying out another and memory stays at
the dense arrays plus a few batches, whatever the file's size.

Cutting at ``\\n`` is what pyarrow's own parallel reader does (``newlines_in_values``
is off there too), so a good file is read the same either way.

Every check is made per batch, on the batch's few distinct values (sex, age band, IMD,
area, measure) or with one vectorised test of its numbers; a repeated stratum is found
at the end by counting the cells written. When anything at all looks wrong (a missing or
unknown value, a bad number, a ragged line, bytes that are not UTF-8, a repeated stratum,
an area the population lacks, a count where nobody lives) this gives up by raising
``NotFast``, and ``metrics.io`` reads the file whole with the full checks, which find
and word the error exactly as before (file, line, field).

No Django; imports only ``metrics.core``. ``metrics.io`` checks the header first and
turns what is laid out here into its ``Population`` and ``Counts``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from metrics import core

SEX_CODES: dict[str, int] = {s: i for i, s in enumerate(core.SEXES)}
AGE_BAND_CODES: dict[str, int] = {a: i for i, a in enumerate(core.AGE_BANDS)}
IMD_CODES: dict[str, int] = {str(q): i for i, q in enumerate(core.IMD_QUINTILES)}
MAX_FIGURE = 1_000_000_000
"""The largest count or population of one stratum taken as real: England has 57 million
people and no area stratum or measure comes near 10^9, so a larger figure (1e23, a
misplaced code) is a mistake in the file, and stays exactly representable in float64."""

KEY_FIELDS: tuple[str, ...] = ("area", "sex", "age_band", "imd")
CHUNK = 1 << 22
"""Bytes of CSV parsed at once (about 130,000 rows of a counts file): small enough that
a batch's columns stay in cache while they are checked and laid out."""
WORKERS = max(1, min(os.cpu_count() or 1, 8))
"""Ranges parsed at once; one per core."""
PARQUET_BATCH = 1 << 17
_TYPES = {"age_band": pa.dictionary(pa.int32(), pa.string())}
"""The parser's dictionary is the cheapest coding of an age band (19 values of 3-5
bytes); sex and IMD are one byte and areas and measures come in runs (_Keys.codes)."""


def as_numpy(col: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A column as a NumPy array without pandas.

    ``ChunkedArray.to_numpy`` goes through pyarrow's pandas shim, which imports pandas
    (half a second to two seconds on first use, paid by every command); joining the
    chunks and reading the buffers (or DLPack) keeps to pyarrow's own memory.
    """
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    if col.null_count == 0:
        if pa.types.is_boolean(col.type):
            if len(col) == 0:
                return np.zeros(0, dtype=bool)
            bits = np.frombuffer(col.buffers()[1], dtype=np.uint8)
            end = col.offset + len(col)
            return np.unpackbits(bits, count=end, bitorder="little")[col.offset :].view(bool)
        if pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
            return np.from_dlpack(col)
    return col.to_numpy(zero_copy_only=False)


class NotFast(Exception):
    """Something in the file needs the full checks (usually: it has an error)."""


# -- sources: each yields record batches of one part of the file ---------------------------

Source = Callable[[], Iterator[pa.RecordBatch]]


def _csv_sources(
    path: Path, header: list[str], wanted: list[str], types: dict[str, pa.DataType], pieces: int
) -> list[Source]:
    """One source per range of the file; each reads its range a chunk at a time, every
    chunk cut at a line end, straight into an Arrow buffer (no copy in Python)."""
    size = path.stat().st_size
    cuts = []
    with path.open("rb") as f:
        at = len(f.readline())
        while at < size:
            cuts.append(at)
            f.seek(at + CHUNK)
            f.readline()  # to the end of the line holding the cut
            at = max(f.tell(), at + 1) if at + CHUNK < size else size
    cuts.append(size)
    chunks = list(zip(cuts, cuts[1:], strict=False))
    read = pacsv.ReadOptions(column_names=header, use_threads=False, block_size=CHUNK * 4)
    convert = pacsv.ConvertOptions(
        column_types=types, include_columns=wanted, strings_can_be_null=True
    )

    def source(part: list[tuple[int, int]]) -> Iterator[pa.RecordBatch]:
        with pa.OSFile(str(path)) as f:
            for lo, hi in part:
                f.seek(lo)
                data = f.read_buffer(hi - lo)
                try:
                    table = pacsv.read_csv(data, read_options=read, convert_options=convert)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    raise NotFast from None
                yield from table.to_batches()

    n = len(chunks)
    parts = [chunks[n * k // pieces : n * (k + 1) // pieces] for k in range(pieces)]
    return [(lambda part=part: source(part)) for part in parts if part]


def _parquet_sources(
    path: Path, wanted: list[str], strings: Sequence[str], pieces: int
) -> list[Source]:
    try:
        meta = pq.ParquetFile(path)
        schema = meta.schema_arrow
        groups = meta.num_row_groups
    except (pa.ArrowException, OSError):
        raise NotFast from None
    text = [c for c in wanted if c in strings and pa.types.is_string(schema.field(c).type)]

    def source(row_groups: list[int]) -> Iterator[pa.RecordBatch]:
        try:
            f = pq.ParquetFile(path, read_dictionary=text)
            yield from f.iter_batches(
                batch_size=PARQUET_BATCH, row_groups=row_groups, columns=wanted
            )
        except (pa.ArrowException, OSError):
            raise NotFast from None

    parts = [list(range(k, groups, pieces)) for k in range(min(pieces, groups))]
    return [(lambda rg=rg: source(rg)) for rg in parts]


# -- keys: a column's codes per row ---------------------------------------------------------


@dataclass
class _Keys:
    """Codes of a key column: fixed (sex, known areas) or given on first sight (``grow``)."""

    known: dict[str, int]
    grow: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    _bytes: npt.NDArray[np.int32] | None = None
    _last: tuple[pa.Array, npt.NDArray[np.int32]] | None = None

    def lut(self, values: list) -> npt.NDArray[np.int32]:
        out = np.empty(len(values), dtype=np.int32)
        known = self.known
        for i, v in enumerate(values):
            code = known.get(v)
            if code is None:
                if not self.grow or v is None or v == "" or "\x00" in v:
                    raise NotFast
                with self.lock:
                    code = known.setdefault(v, len(known))
            out[i] = code
        return out

    def bytes_table(self) -> npt.NDArray[np.int32]:
        """Codes by byte value for the known one-byte values (sex, IMD); -1 for others."""
        if self._bytes is None:
            table = np.full(256, -1, dtype=np.int32)
            for value, code in self.known.items():
                raw = value.encode("utf-8")
                if len(raw) == 1:
                    table[raw[0]] = code
            self._bytes = table
        return self._bytes

    def codes(self, array: pa.Array) -> npt.NDArray[np.int32]:
        if array.null_count:
            raise NotFast
        n = len(array)
        if pa.types.is_dictionary(array.type):
            # A Parquet row group's dictionary (thousands of areas) comes with each of its
            # batches: coded once, reused while it is the same.
            last = self._last
            if last is not None and last[0].equals(array.dictionary):
                lut = last[1]
            else:
                lut = self.lut(array.dictionary.to_pylist())
                self._last = (array.dictionary, lut)
            return lut[as_numpy(array.indices)]
        if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
            raise NotFast
        if n == 0:
            return np.zeros(0, dtype=np.int32)
        _, offsets, data = array.buffers()
        if not self.grow and pa.types.is_string(array.type):
            # One byte a value (sex, IMD), so n values in n bytes: coded by a table of 256.
            at = np.frombuffer(offsets, dtype=np.int32)[array.offset : array.offset + n + 1]
            start, end = int(at[0]), int(at[-1])
            if end - start == n and np.diff(at).min() == 1:
                codes = self.bytes_table()[np.frombuffer(data, dtype=np.uint8)[start:end]]
                if codes.min() < 0:
                    raise NotFast
                return codes
        # Sorted extracts hold long runs of one value (an area's 190 strata): code each run.
        change = pc.not_equal(array.slice(1), array.slice(0, n - 1))
        runs = pc.sum(change).as_py() or 0
        if runs > n // 8:
            return self.codes(pc.dictionary_encode(array))
        heads = [array[0].as_py(), *array.slice(1).filter(change).to_pylist()]
        starts = np.concatenate(([0], np.flatnonzero(as_numpy(change)) + 1))
        return np.repeat(self.lut(heads), np.diff(np.append(starts, n)))


_SEX = _Keys(SEX_CODES)
_AGE = _Keys(AGE_BAND_CODES)
_IMD = _Keys(IMD_CODES)
_IMD_NUMBER = {int(k): v for k, v in IMD_CODES.items()}


def _strata(batch: pa.RecordBatch) -> npt.NDArray[np.int32]:
    stratum = _SEX.codes(batch.column("sex")) * np.int32(core.N_AGE_BANDS)
    stratum += _AGE.codes(batch.column("age_band"))
    stratum *= np.int32(core.N_IMD)
    imd = batch.column("imd")
    if pa.types.is_integer(imd.type):  # a Parquet file may hold IMD as a number
        if imd.null_count:
            raise NotFast
        q = as_numpy(imd)
        if q.size and (q.min() < 1 or q.max() > 5):
            raise NotFast
        stratum += (q - 1).astype(np.int32)
    else:
        stratum += _IMD.codes(imd)
    return stratum


def _numbers(array: pa.Array, *, whole: bool) -> npt.NDArray[np.float64]:
    if array.null_count or not (
        pa.types.is_floating(array.type) or pa.types.is_integer(array.type)
    ):
        raise NotFast
    x = as_numpy(array).astype(np.float64, copy=False)
    ok = (x >= 0) & (x <= MAX_FIGURE)  # also false for NaN and infinity
    if whole:
        ok &= np.trunc(x) == x
    if not ok.all():
        raise NotFast
    return x


def _run(sources: list[Source], work: Callable[[pa.RecordBatch], None], *, workers: int) -> int:
    """Feed every batch of every source to ``work``; the number of rows read."""
    stop = threading.Event()

    def drain(source: Source) -> int:
        rows = 0
        for batch in source():
            if stop.is_set():
                raise NotFast
            if batch.num_rows:
                work(batch)
                rows += batch.num_rows
        return rows

    if workers <= 1 or len(sources) <= 1:
        return sum(drain(s) for s in sources)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="metrics-read") as pool:
        futures = [pool.submit(drain, s) for s in sources]
        total, failed = 0, None
        for fut in futures:
            try:
                total += fut.result()
            except BaseException as err:  # noqa: BLE001 - the first failure stops the rest
                stop.set()
                failed = failed or err
        if failed is not None:
            raise failed
        return total


def _sources(
    path: Path,
    *,
    header: list[str],
    wanted: list[str],
    strings: Sequence[str],
    number: str,
    workers: int,
) -> list[Source]:
    if path.suffix.lower() == ".parquet":
        return _parquet_sources(path, wanted, strings, workers)
    # Keys as plain strings but the age band (coded in _Keys.codes, most without hashing);
    # numbers as float64, exactly as the full read parses them.
    types = {c: _TYPES.get(c, pa.string()) for c in strings} | {number: pa.float64()}
    return _csv_sources(path, header, wanted, types, workers * 2)


# -- what is laid out ----------------------------------------------------------------------


def _write(
    block: npt.NDArray[np.float64],
    seen: npt.NDArray[np.bool_],
    cell: npt.NDArray[np.intp],
    x: npt.NDArray[np.float64],
) -> None:
    first = int(cell[0])
    if int(cell[-1]) - first == cell.size - 1 and (np.diff(cell) == 1).all():
        block[first : first + cell.size] = x  # a run of consecutive cells, as sorted files give
        seen[first : first + cell.size] = True
    else:
        block[cell] = x
        seen[cell] = True


@dataclass
class Laid:
    """What a file holds, laid out: ``values`` and ``seen`` are (measures, areas, 190)."""

    areas: npt.NDArray[np.str_]
    measures: npt.NDArray[np.str_]
    values: npt.NDArray[np.float64]
    seen: npt.NDArray[np.bool_] | None
    rows: int


def read_counts(
    path: Path,
    *,
    header: list[str],
    wanted: list[str],
    areas: npt.NDArray[np.str_],
    population: npt.NDArray[np.float64],
    by: str | None,
    workers: int = WORKERS,
) -> Laid:
    """A counts file laid out against a population's areas and values (areas, 190)."""
    keys = KEY_FIELDS + ((by,) if by else ())
    sources = _sources(
        path, header=header, wanted=wanted, strings=keys, number="count", workers=workers
    )
    n_a = len(areas)
    if not n_a:
        raise NotFast
    size = n_a * core.N_STRATA
    area_keys = _Keys({str(a): i for i, a in enumerate(areas)})
    measures = _Keys({}, grow=True)
    blocks: list[npt.NDArray[np.float64]] = []
    seen: list[npt.NDArray[np.bool_]] = []

    def block(m: int) -> None:
        with measures.lock:
            while len(blocks) <= m:
                blocks.append(np.zeros(size))
                seen.append(np.zeros(size, dtype=bool))

    def work(batch: pa.RecordBatch) -> None:
        x = _numbers(batch.column("count"), whole=True)
        cell = area_keys.codes(batch.column("area")).astype(np.intp) * core.N_STRATA
        cell += _strata(batch)
        if not by:
            block(0)
            _write(blocks[0], seen[0], cell, x)
            return
        m = measures.codes(batch.column(by))
        lo, hi = int(m.min()), int(m.max())
        block(hi)
        if lo == hi:
            _write(blocks[lo], seen[lo], cell, x)
            return
        for k in np.unique(m):
            rows = m == k
            _write(blocks[k], seen[k], cell[rows], x[rows])

    rows = _run(sources, work, workers=workers)
    if not by:
        block(0)
    if rows == 0 or sum(int(np.count_nonzero(s)) for s in seen) != rows:
        raise NotFast  # an empty file or a repeated stratum: the full checks say where
    empty = population.ravel() <= 0
    if empty.any() and any((b[empty] > 0).any() for b in blocks):
        raise NotFast  # a count where nobody lives
    names = sorted(measures.known, key=measures.known.__getitem__) if by else [""]
    order = sorted(range(len(names)), key=names.__getitem__)
    if len(blocks) == 1:
        values = blocks[0].reshape(1, n_a, core.N_STRATA)
    else:
        values = np.empty((len(names), n_a, core.N_STRATA))
        for i, m in enumerate(order):
            values[i] = blocks[m].reshape(n_a, core.N_STRATA)
            blocks[m] = seen[m] = None  # freed as it is copied
    measure_names = np.array([names[m] for m in order], dtype=str)
    return Laid(areas, measure_names, values, None, rows)


def read_unplaced(
    path: Path,
    *,
    header: list[str],
    wanted: list[str],
    strings: Sequence[str],
    number: str,
    by: str | None,
    workers: int = WORKERS,
) -> Laid:
    """Areas (and measures) are known only at the end: each batch is kept compact
    (area and measure ids given on first sight, stratum, value) and laid out then."""
    sources = _sources(
        path, header=header, wanted=wanted, strings=strings, number=number, workers=workers
    )
    areas = _Keys({}, grow=True)
    measures = _Keys({}, grow=True)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]] = []
    whole = number == "count"

    def work(batch: pa.RecordBatch) -> None:
        x = _numbers(batch.column(number), whole=whole)
        a = areas.codes(batch.column("area"))
        s = _strata(batch).astype(np.int16)
        m = measures.codes(batch.column(by)).astype(np.int16) if by else None
        parts.append((a, s, m, x))

    rows = _run(sources, work, workers=workers)
    if rows == 0:
        raise NotFast
    names = sorted(areas.known)
    rank = np.empty(len(names), dtype=np.intp)
    for i, name in enumerate(names):
        rank[areas.known[name]] = i
    measure_names = sorted(measures.known) if by else [""]
    mrank = np.empty(max(len(measure_names), 1), dtype=np.intp)
    for i, name in enumerate(measure_names):
        if by:
            mrank[measures.known[name]] = i
    n_a = len(names)
    size = len(measure_names) * n_a * core.N_STRATA
    values = np.zeros(size)
    seen = np.zeros(size, dtype=bool)
    while parts:
        a, s, m, x = parts.pop()
        cell = rank[a] * core.N_STRATA + s
        if m is not None:
            cell += mrank[m] * (n_a * core.N_STRATA)
        values[cell] = x
        seen[cell] = True
    if int(np.count_nonzero(seen)) != rows:
        raise NotFast  # a repeated stratum
    shape = (len(measure_names), n_a, core.N_STRATA)
    return Laid(
        np.array(names, dtype=str),
        np.array(measure_names, dtype=str),
        values.reshape(shape),
        seen.reshape(shape),
        rows,
    )
