"""``python -m metrics aggregate`` on real extracts: not-known codes, ages in years, LSOA
codes mapped to IMD quintiles, Parquet, and streaming (issue 18)."""

import csv
from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from metrics import records as rec
from tests.metrics.test_cli import read, run, write

REPORT = ["area", "records", "dropped", "dropped_percent"]
NEW = ["sex_not_known", "age_not_known", "area_not_matched"]


def aggregate(tmp_path, *extra):
    return run(tmp_path, "aggregate", "--records", "records.csv", "--out", "counts.csv",
               "--dropped", "dropped.csv", *extra)  # fmt: skip


def lookup(tmp_path, rows=(("E01000001", "1"), ("E01000002", "2"), ("E01000003", "9"),
                           ("E01000004", "10"), ("E01000005", "5"))):  # fmt: skip
    write(tmp_path / "lsoa_imd.csv", ["lsoa", "imd_decile"], rows)


def test_each_not_known_code_is_dropped_and_reported_per_area(tmp_path):
    records = [
        ["A", "F", "34", "E01000001", "CT"],  # kept: 30-34, decile 1 -> quintile 1
        ["A", "M", "90", "E01000002", "CT"],  # kept: 90+, decile 2 -> quintile 1
        ["A", "F", "0", "E01000003", "MRI"],  # kept: 0-4, decile 9 -> quintile 5
        ["A", "U", "40", "E01000001", "CT"],  # sex not known
        ["A", "I", "40", "E01000001", "CT"],
        ["B", "9", "40", "E01000001", "CT"],
        ["B", "X", "40", "E01000001", "CT"],
        ["B", "0", "40", "E01000001", "CT"],
        ["B", "F", "121", "E01000004", "CT"],  # age not known
        ["B", "F", "", "E01000004", "CT"],  # missing age
        ["B", "M", "89", "E09999999", "CT"],  # area not matched
        ["B", "M", "89", "", "CT"],  # missing lsoa
        ["B", "U", "200", "E09999999", "CT"],  # three reasons, one record
        ["B", "M", "5", "E01000005", "CT"],  # kept: 5-9, decile 5 -> quintile 3
    ]
    write(tmp_path / "records.csv", ["area", "sex", "age", "lsoa", "modality"], records)
    lookup(tmp_path)
    done = aggregate(tmp_path, "--by", "modality", "--imd-lookup", "lsoa_imd.csv")
    assert done.returncode == 0, done.stderr
    assert "dropped 10 of 14 records" in done.stderr
    assert [list(r.values()) for r in read(tmp_path / "counts.csv")] == [
        ["A", "F", "30-34", "1", "CT", "1"], ["A", "M", "90+", "1", "CT", "1"],
        ["B", "M", "5-9", "3", "CT", "1"], ["A", "F", "0-4", "5", "MRI", "1"],
    ]  # fmt: skip
    out = read(tmp_path / "dropped.csv")
    assert list(out[0]) == REPORT + [
        "missing_area", "missing_sex", "missing_age", "missing_lsoa", "missing_modality", *NEW
    ]  # fmt: skip
    by_area = {r["area"]: r for r in out}
    assert [by_area["A"][k] for k in ("records", "dropped", *NEW)] == ["5", "2", "2", "0", "0"]
    assert [by_area["B"][k] for k in ("records", "dropped", "missing_age", "missing_lsoa", *NEW)] == [
        "9", "8", "1", "1", "4", "2", "2",
    ]  # fmt: skip
    assert float(by_area["B"]["dropped_percent"]) == pytest.approx(800 / 9)


def test_age_bands_from_whole_years(tmp_path):
    ages = ["0", "4", "5", "9", "44", "45", "89", "90", "120"]
    write(
        tmp_path / "records.csv", ["area", "sex", "age", "imd"], [["A", "F", a, "3"] for a in ages]
    )
    assert aggregate(tmp_path).returncode == 0
    assert [(r["age_band"], r["count"]) for r in read(tmp_path / "counts.csv")] == [
        ("0-4", "2"), ("5-9", "2"), ("40-44", "1"), ("45-49", "1"), ("85-89", "1"), ("90+", "2"),
    ]  # fmt: skip
    assert read(tmp_path / "dropped.csv") == []


@pytest.mark.parametrize(
    ("header", "rows", "extra", "message"),
    [
        (["area", "sex", "age", "age_band", "imd"], [["A", "F", "3", "0-4", "1"]], (),
         "records.csv line 1, field age: use an age column (years) or age_band, not both"),
        (["area", "sex", "age", "imd"], [["A", "F", "3", "1"], ["A", "F", "34.5", "1"]], (),
         "records.csv line 3, field age: '34.5' is not an age in whole years"),
        (["area", "sex", "age", "imd"], [["A", "", "x", "1"], ["A", "Q", "3", "1"]], (),
         "records.csv line 3, field sex: 'Q' is not a known sex (F or M)"),
        (["area", "sex", "age", "imd", "lsoa"], [["A", "F", "3", "1", "E01000001"]],
         ("--imd-lookup", "lsoa_imd.csv"),
         "records.csv line 1, field imd: with --imd-lookup, give lsoa and no imd column"),
    ],
)  # fmt: skip
def test_bad_extracts_are_errors_naming_line_and_field(tmp_path, header, rows, extra, message):
    write(tmp_path / "records.csv", header, rows)
    lookup(tmp_path)
    done = aggregate(tmp_path, *extra)
    assert (done.returncode, done.stderr.strip()) == (1, message)
    assert not (tmp_path / "counts.csv").exists()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("E01000001", "1"), ("E01000002", "11")],
         "lsoa_imd.csv line 3, field imd_decile: 11 is not an IMD decile (1-10)"),
        ([("E01000001", "1"), ("E01000002", "2"), ("E01000001", "3")],
         "lsoa_imd.csv line 4, field lsoa: given twice, first on line 2"),
        ([("E01000001", "1"), ("", "2")], "lsoa_imd.csv line 3, field lsoa: missing value"),
    ],
)  # fmt: skip
def test_bad_imd_lookup_is_named(tmp_path, rows, message):
    write(tmp_path / "records.csv", ["area", "sex", "age", "lsoa"], [["A", "F", "3", "E01000001"]])
    lookup(tmp_path, rows)
    done = aggregate(tmp_path, "--imd-lookup", "lsoa_imd.csv")
    assert (done.returncode, done.stderr.strip()) == (1, message)


def _to_parquet(csv_path, parquet_path):
    with csv_path.open(newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    pq.write_table(pa.table({h: [r[i] for r in body] for i, h in enumerate(header)}), parquet_path)


def test_parquet_and_csv_records_give_identical_results(tmp_path):
    records = [["A", "F", "34", "1", "CT"], ["A", "U", "34", "1", "CT"], ["B", "M", "", "2", "MRI"],
               ["B", "M", "70", "5", "MRI"], ["B", "M", "70", "5", "MRI"]]  # fmt: skip
    write(tmp_path / "records.csv", ["area", "sex", "age", "imd", "modality"], records)
    _to_parquet(tmp_path / "records.csv", tmp_path / "records.parquet")
    assert aggregate(tmp_path, "--by", "modality").returncode == 0
    done = run(tmp_path, "aggregate", "--records", "records.parquet", "--out", "pc.csv",
               "--dropped", "pd.csv", "--by", "modality")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "pc.csv").read_text() == (tmp_path / "counts.csv").read_text()
    assert (tmp_path / "pd.csv").read_text() == (tmp_path / "dropped.csv").read_text()
    assert read(tmp_path / "pc.csv")[-1] == {
        "area": "B", "sex": "M", "age_band": "70-74", "imd": "5", "modality": "MRI", "count": "2",
    }  # fmt: skip


def test_parquet_errors_name_the_row(tmp_path):
    pq.write_table(
        pa.table({"area": ["A", "A"], "sex": ["F", "Q"], "age": ["3", "4"], "imd": [1, 2]}),
        tmp_path / "records.parquet",
    )
    done = run(tmp_path, "aggregate", "--records", "records.parquet", "--out", "c.csv",
               "--dropped", "d.csv")  # fmt: skip
    assert (
        done.stderr.strip() == "records.parquet row 2, column sex: 'Q' is not a known sex (F or M)"
    )


def test_parquet_population_and_counts_give_the_same_isr_as_csv(tmp_path):
    from tests.metrics.test_cli import observed, population

    population(tmp_path)
    observed(tmp_path, modality=True)
    for name in ("population", "observed"):
        _to_parquet(tmp_path / f"{name}.csv", tmp_path / f"{name}.parquet")
    for ext in ("csv", "parquet"):
        done = run(tmp_path, "isr", "--population", f"population.{ext}", "--observed",
                   f"observed.{ext}", "--by", "modality", "--out", f"isr-{ext}.csv")  # fmt: skip
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "isr-csv.csv").read_text() == (tmp_path / "isr-parquet.csv").read_text()
    # A bad value in Parquet is named by row and column.
    t = pq.read_table(tmp_path / "observed.parquet")
    counts = t.column("count").to_pylist()
    counts[4] = "-3"
    pq.write_table(t.set_column(t.schema.get_field_index("count"), "count", pa.array(counts)),
                   tmp_path / "observed.parquet")  # fmt: skip
    done = run(tmp_path, "isr", "--population", "population.parquet", "--observed",
               "observed.parquet", "--by", "modality", "--out", "o.csv")  # fmt: skip
    assert done.stderr.strip() == (
        "observed.parquet row 5, column count: '-3' is negative; a count cannot be"
    )


def test_streamed_aggregation_equals_counting_in_memory(tmp_path):
    """200,000 records read 64 KB at a time (the file is ~4 MB: over 60 buffers) on two
    threads give exactly the counts a plain Counter gives with every record in memory."""
    rng = np.random.default_rng(18)
    n = 200_000
    area = rng.choice(["Q01", "Q02", "Q03", ""], n, p=[0.4, 0.3, 0.299, 0.001])
    sex = rng.choice(["F", "M", "U", ""], n, p=[0.5, 0.48, 0.01, 0.01])
    age = rng.integers(-1, 125, n).astype(str)
    age[age == "-1"] = ""
    imd = rng.choice(["1", "2", "3", "4", "5"], n)
    mod = rng.choice(["CT", "MRI", "X-ray"], n)
    rows = list(zip(area, sex, age, imd, mod, strict=True))
    write(tmp_path / "records.csv", ["area", "sex", "age", "imd", "modality"], rows)
    assert (tmp_path / "records.csv").stat().st_size > 40 * (1 << 16)

    agg = rec.aggregate_records(
        tmp_path / "records.csv", by="modality", threads=2, buffer_size=1 << 16
    )

    bands = [f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"]
    expected = Counter()
    dropped = Counter()
    for a, s, y, q, m in rows:
        if a and s in ("F", "M") and y and int(y) <= 120:
            expected[(a, s, bands[min(int(y) // 5, 18)], q, m)] += 1
        else:
            dropped[a] += 1
    got = {tuple(r[:5]): int(r[5]) for r in agg.rows}
    assert got == dict(expected)
    assert {r[0]: int(r[2]) for r in agg.dropped_rows} == dict(dropped)
    assert agg.records == n and agg.dropped == sum(dropped.values())


def test_nul_bytes_and_latin1_in_records_are_named(tmp_path):
    (tmp_path / "records.csv").write_bytes(b"area,sex,age_band,imd\nA,F,0-4,1\nA\x00,F,0-4,1\n")
    done = aggregate(tmp_path)
    assert done.stderr.strip() == (
        "records.csv line 3, field area: holds a NUL byte ('\\x00'): the file is damaged or not text"
    )
    (tmp_path / "records.csv").write_bytes(
        "area,sex,age_band,imd\nA,F,0-4,1\nHôpital,F,0-4,1\n".encode("latin-1")
    )
    done = aggregate(tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("records.csv line 3, field area: byte 0xF4 is not UTF-8 text")
    assert not (tmp_path / "counts.csv").exists()
