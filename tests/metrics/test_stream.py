"""Population and counts files streamed batch by batch (``metrics.stream``) give exactly
what the whole-file read gives, on files far larger than one chunk, sorted or shuffled,
from CSV and from Parquet; a file with an error falls back to the full checks, which
name the file, line and field as before."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from metrics import core, stream
from metrics import io as mio

AREAS = [f"P{i:05d}" for i in range(9)] + ["QHL Birmingham and Solihull"]
MEASURES = ["Ultrasound", "CT", "X-ray"]


def _strata():
    return [(s, a, q) for s in core.SEXES for a in core.AGE_BANDS for q in core.IMD_QUINTILES]


def _tables(seed=11):
    rng = np.random.default_rng(seed)
    pop = rng.integers(0, 3000, size=(len(AREAS), core.N_STRATA)).astype(float)
    pop[pop < 100] = 0  # some strata where nobody lives
    counts = rng.poisson(pop[None] * 0.01, size=(len(MEASURES), *pop.shape)).astype(float)
    st = _strata()
    population = pa.table(
        {
            "area": [a for a in AREAS for _ in st],
            "sex": [s for _ in AREAS for s, _, _ in st],
            "age_band": [b for _ in AREAS for _, b, _ in st],
            "imd": [str(q) for _ in AREAS for _, _, q in st],
            "population": pop.ravel().tolist(),
        }
    )
    keys = {k: population.column(k).to_pylist() for k in ("area", "sex", "age_band", "imd")}
    observed = pa.table(
        {k: v * len(MEASURES) for k, v in keys.items()}
        | {
            "modality": [m for m in MEASURES for _ in range(pop.size)],
            "count": counts.ravel().tolist(),
        }
    )
    return population, observed


def _write(table, path, *, shuffle=False):
    if shuffle:
        order = np.random.default_rng(5).permutation(table.num_rows)
        table = table.take(pa.array(order))
    if path.suffix == ".parquet":
        pq.write_table(table, path, row_group_size=1000)  # several row groups
    else:
        pacsv.write_csv(table, path)
    return path


def _whole(pop_path, obs_path, whole):
    """The whole-file read and checks (``whole``: the table readers, kept by streamed_only)."""
    pop = mio.load_population(whole[0](pop_path), path=pop_path)
    obs = mio.load_counts(
        whole[1](obs_path, by="modality"),
        path=obs_path,
        population=pop,
        by="modality",
    )
    return pop, obs


def _same(a_pop, a_obs, b_pop, b_obs):
    assert a_pop.areas.tolist() == b_pop.areas.tolist()
    assert np.array_equal(a_pop.values, b_pop.values)
    assert np.array_equal(a_pop.present, b_pop.present)
    assert a_obs.measures.tolist() == b_obs.measures.tolist()
    assert a_obs.areas.tolist() == b_obs.areas.tolist()
    assert np.array_equal(a_obs.values, b_obs.values)


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 4 kB: the 57,000-row counts file is read in hundreds of batches."""
    monkeypatch.setattr(stream, "CHUNK", 4096)
    monkeypatch.setattr(stream, "PARQUET_BATCH", 700)


@pytest.fixture
def streamed_only(monkeypatch):
    """Fail if a reader falls back to the whole-file read: a good file must stream."""
    whole = (mio.read_population_table, mio.read_counts_table)

    def refuse(*args, **kwargs):
        raise AssertionError("fell back to the whole-file read")

    monkeypatch.setattr(mio, "read_population_table", refuse)
    monkeypatch.setattr(mio, "read_counts_table", refuse)
    return whole


@pytest.mark.parametrize("shuffle", [False, True], ids=["sorted", "shuffled"])
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("workers", [1, 2, 3])
def test_a_streamed_file_larger_than_one_batch_equals_the_whole_file_read(
    tmp_path, small_chunks, streamed_only, shuffle, suffix, workers
):
    population, observed = _tables()
    pop_path = _write(population, tmp_path / f"p{suffix}", shuffle=shuffle)
    obs_path = _write(observed, tmp_path / f"o{suffix}", shuffle=shuffle)

    pop = mio.read_population(pop_path, workers=workers)
    obs = mio.read_counts(obs_path, population=pop, by="modality", workers=workers)

    _same(pop, obs, *_whole(pop_path, obs_path, streamed_only))
    assert pop.rows == population.num_rows and obs.rows == observed.num_rows


def test_parquet_and_csv_give_identical_arrays(tmp_path, small_chunks, streamed_only):
    population, observed = _tables(seed=3)
    from_csv = (
        pop := mio.read_population(_write(population, tmp_path / "p.csv")),
        mio.read_counts(_write(observed, tmp_path / "o.csv"), population=pop, by="modality"),
    )
    from_parquet = (
        pop := mio.read_population(_write(population, tmp_path / "p.parquet")),
        mio.read_counts(_write(observed, tmp_path / "o.parquet"), population=pop, by="modality"),
    )
    _same(*from_csv, *from_parquet)


def test_checking_a_counts_upload_on_its_own_equals_the_whole_file_check(
    tmp_path, small_chunks, streamed_only
):
    _, observed = _tables()
    path = _write(observed, tmp_path / "o.csv", shuffle=True)

    streamed = mio.check_counts(path, by="modality", workers=2)
    whole = mio.check_counts_table(streamed_only[1](path, by="modality"), path=path, by="modality")

    assert streamed.areas.tolist() == whole.areas.tolist() == sorted(AREAS)
    assert streamed.measures.tolist() == whole.measures.tolist() == sorted(MEASURES)
    assert np.array_equal(streamed.values, whole.values)
    assert streamed.rows == whole.rows == observed.num_rows


def test_a_counts_file_without_a_measure_column_is_streamed(tmp_path, small_chunks, streamed_only):
    population, observed = _tables()
    ct = observed.filter(pa.compute.equal(observed.column("modality"), "CT")).drop(["modality"])
    pop_path, obs_path = _write(population, tmp_path / "p.csv"), _write(ct, tmp_path / "o.csv")
    pop = mio.read_population(pop_path, workers=2)

    streamed = mio.read_counts(obs_path, population=pop, workers=2)
    whole = mio.load_counts(streamed_only[1](obs_path), path=obs_path, population=pop)

    assert streamed.measures.tolist() == whole.measures.tolist() == [""]
    assert np.array_equal(streamed.values, whole.values)


def _lines(table, path):
    _write(table, path)
    return path.read_text().splitlines()


@pytest.mark.parametrize(
    ("line", "change", "message"),
    [
        (
            700,
            lambda r: ",".join([r.split(",")[0], "Q", *r.split(",")[2:]]),
            "line 700, field sex: 'Q'",
        ),
        (
            900,
            lambda r: r.rsplit(",", 1)[0] + ",-3",
            "line 900, field count: '-3' is negative; a count cannot be",
        ),
        (
            1500,
            lambda r: r.rsplit(",", 1)[0] + ",2.5",
            "line 1500, field count: '2.5' is not a whole number; a count must be",
        ),
        (1700, lambda r: r.rsplit(",", 1)[0] + ",", "line 1700, field count: missing value"),
    ],
)
def test_an_error_far_past_the_first_batch_is_named_by_file_line_and_field(
    tmp_path, small_chunks, line, change, message
):
    population, observed = _tables()
    pop = mio.read_population(_write(population, tmp_path / "p.csv"))
    rows = _lines(observed, tmp_path / "o.csv")
    rows[line - 1] = change(rows[line - 1])
    (tmp_path / "o.csv").write_text("\n".join(rows) + "\n")

    with pytest.raises(mio.InputError, match=message) as err:
        mio.read_counts(tmp_path / "o.csv", population=pop, by="modality")
    assert str(err.value).startswith(str(tmp_path / "o.csv"))


def test_a_stratum_repeated_in_another_batch_is_named_with_its_first_line(tmp_path, small_chunks):
    population, _ = _tables()
    rows = _lines(population, tmp_path / "p.csv")
    rows.append(rows[3])  # line 4 again, at the end: another batch, another worker
    (tmp_path / "p.csv").write_text("\n".join(rows) + "\n")

    with pytest.raises(
        mio.InputError,
        match=f"line {len(rows)}, field area,sex,age_band,imd: "
        "duplicate stratum, first given on line 4",
    ):
        mio.read_population(tmp_path / "p.csv")


def test_a_count_where_nobody_lives_is_still_refused_with_its_line(tmp_path, small_chunks):
    population, observed = _tables()
    pop = mio.read_population(_write(population, tmp_path / "p.csv"))
    empty = int(np.flatnonzero(pop.values.ravel() == 0)[-1])  # a late stratum, ordered as the file
    rows = _lines(observed, tmp_path / "o.csv")
    rows[empty + 1] = rows[empty + 1].rsplit(",", 1)[0] + ",4"

    (tmp_path / "o.csv").write_text("\n".join(rows) + "\n")
    with pytest.raises(
        mio.InputError, match=f"line {empty + 2}, field count: count 4 in a stratum"
    ):
        mio.read_counts(tmp_path / "o.csv", population=pop, by="modality")


def test_a_good_file_is_read_once_by_default(tmp_path, small_chunks, streamed_only):
    """With the default workers (one per core), as the CLI, runs and uploads read."""
    population, observed = _tables()
    pop_path = _write(population, tmp_path / "p.csv", shuffle=True)
    obs_path = _write(observed, tmp_path / "o.csv", shuffle=True)

    pop = mio.read_population(pop_path)

    assert mio.read_counts(obs_path, population=pop, by="modality").rows == observed.num_rows


def test_reading_and_aggregating_never_import_pandas(tmp_path):
    """pyarrow imports pandas on some calls (to_numpy on a chunked column, fill_null): a
    second or more at every command's start; the product's readers avoid those calls."""
    population, observed = _tables()
    pop_path, obs_path = (
        _write(population, tmp_path / "p.csv"),
        _write(observed, tmp_path / "o.csv"),
    )
    records = tmp_path / "r.csv"
    records.write_text("area,sex,age_band,imd,modality\nA,F,0-4,1,CT\nA,U,5-9,,CT\n")
    code = (
        "import sys\n"
        "from metrics import io, records\n"
        f"pop = io.read_population({str(pop_path)!r})\n"
        f"io.read_counts({str(obs_path)!r}, population=pop, by='modality')\n"
        f"records.aggregate_records({str(records)!r}, by='modality')\n"
        "print('pandas' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "False"
