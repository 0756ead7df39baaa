"""The command line contract: columns, precision, exit status and error messages.

Every input error is checked through the command's ``main`` (exit status 1, one line on
stderr naming file, line and field), run in-process; one test runs ``python -m metrics``
itself, so the entry point is covered too.
"""

import contextlib
import csv
import io
import os
import subprocess
import sys
from itertools import product
from pathlib import Path
from types import SimpleNamespace

import pytest

from metrics import cli, core

ROOT = Path(__file__).resolve().parents[2]
STRATA = list(product(core.SEXES, core.AGE_BANDS, ["1", "2", "3", "4", "5"]))


def run(tmp_path, *args):
    """``python -m metrics ARGS`` in ``tmp_path``, in-process: what the command prints and
    the exit status it returns."""
    out, err, here = io.StringIO(), io.StringIO(), os.getcwd()
    os.chdir(tmp_path)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(list(args))
            except SystemExit as exc:  # argparse's usage errors
                code = exc.code
    finally:
        os.chdir(here)
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def run_module(tmp_path, *args):
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args], cwd=tmp_path, capture_output=True, text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip


def run_on_files(tmp_path, command="isr"):
    """Run ``command`` on population.csv and observed.csv in ``tmp_path``, out to o.csv."""
    return run(
        tmp_path, command, "--population", "population.csv", "--observed", "observed.csv",
        "--out", "o.csv",
    )  # fmt: skip


def write(path, header, rows):
    with path.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def population(tmp_path, areas=("A", "B")):
    write(tmp_path / "population.csv", ["area", "sex", "age_band", "imd", "population"],
          [[a, s, g, q, 1000] for a in areas for s, g, q in STRATA])  # fmt: skip


def observed(tmp_path, rows=None, *, modality=False, count=5):
    header = ["area", "sex", "age_band", "imd"] + (["modality"] if modality else []) + ["count"]
    if rows is None:
        rows = [
            [a, s, g, q] + (["CT"] if modality else []) + [count]
            for a in ("A", "B")
            for s, g, q in STRATA
        ]
    write(tmp_path / "observed.csv", header, rows)


def read(path):
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_isr_writes_the_contract_columns_and_ratio_one_for_uniform_rates(tmp_path):
    population(tmp_path)
    observed(tmp_path, modality=True)
    done = run(tmp_path, "isr", "--population", "population.csv", "--observed", "observed.csv",
               "--by", "modality", "--out", "isr.csv")  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = read(tmp_path / "isr.csv")
    assert list(out[0]) == ["modality", "area", "observed", "expected", "ratio", "ratio_lower95", "ratio_upper95",
                            "ratio_lower998", "ratio_upper998", "national_rate_per_10000", "rate_per_10000",
                            "rate_lower95", "rate_upper95", "rate_lower998", "rate_upper998", "ci_method"]  # fmt: skip
    # 5 per 1,000 people in every stratum: 950 observed, 950 expected, 50 per 10,000.
    assert [(r["modality"], r["area"], r["observed"], r["ci_method"]) for r in out] == [
        ("CT", "A", "950", "Byars"), ("CT", "B", "950", "Byars"),
    ]  # fmt: skip
    assert float(out[0]["ratio"]) == pytest.approx(1.0, rel=1e-12)
    assert float(out[0]["national_rate_per_10000"]) == pytest.approx(50.0, rel=1e-12)


def test_isr_without_by_has_area_key_only(tmp_path):
    population(tmp_path)
    observed(tmp_path)
    done = run(
        tmp_path,
        "isr",
        "--population",
        "population.csv",
        "--observed",
        "observed.csv",
        "--out",
        "isr.csv",
    )
    assert done.returncode == 0, done.stderr
    assert list(read(tmp_path / "isr.csv")[0])[:3] == ["area", "observed", "expected"]


def test_isr_writes_floats_at_full_precision(tmp_path):
    """Byar's upper limit for 950 at 95%, by hand: 951 (1 - 1/8559 + 1.959963984540054/(3 sqrt 951))**3 / 950."""
    population(tmp_path)
    observed(tmp_path)
    run(
        tmp_path,
        "isr",
        "--population",
        "population.csv",
        "--observed",
        "observed.csv",
        "--out",
        "isr.csv",
    )
    text = read(tmp_path / "isr.csv")[0]["ratio_upper95"]
    by_hand = 951 * (1 - 1 / 8559 + 1.959963984540054 / (3 * 951**0.5)) ** 3 / 950
    assert float(text) == pytest.approx(by_hand, rel=1e-12)
    assert len(text.split(".")[1]) >= 12  # repr, not a rounded format


def test_rates_ratios_rows_and_empty_tests_on_base_levels(tmp_path):
    population(tmp_path)
    observed(tmp_path, modality=True)
    done = run(tmp_path, "rates-ratios", "--population", "population.csv", "--observed", "observed.csv",
               "--by", "modality", "--out", "rr.csv")  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = read(tmp_path / "rr.csv")
    assert list(out[0]) == ["modality", "factor", "level", "base_level", "observed", "expected",
                            "national_rate_per_10000", "std_rate_per_10000", "rate_ratio", "chisq_rates",
                            "p_rates", "sig_rates", "chisq_counts", "p_counts", "sig_counts"]  # fmt: skip
    assert [(r["factor"], r["level"]) for r in out] == (
        [("sex", "F"), ("sex", "M")] + [("imd", str(q)) for q in range(1, 6)]
        + [("age", b) for b in ("0-<45", "45-<55", "55-<65", "65-<75", "75+")]
    )  # fmt: skip
    base = [r for r in out if r["level"] == r["base_level"]]
    assert all(
        r[c] == ""
        for r in base
        for c in ("chisq_rates", "p_rates", "sig_rates", "chisq_counts", "p_counts", "sig_counts")
    )
    assert all(float(r["rate_ratio"]) == pytest.approx(1.0) for r in out)  # uniform rates
    assert all(r["sig_rates"] == "" and r["sig_counts"] == "" for r in out)


def replace(rows, line, index, value):
    rows[line - 2][index] = value
    return rows


def good_rows():
    return [[a, s, g, q, 5] for a in ("A", "B") for s, g, q in STRATA]


ERRORS = {
    "unknown-age-band": (lambda r: replace(r, 14, 2, "95-99"), "observed.csv line 14, field age_band: '95-99' is not a known age band"),
    "unknown-sex": (lambda r: replace(r, 3, 1, "U"), "observed.csv line 3, field sex: 'U' is not a known sex (F or M)"),
    "unknown-imd": (lambda r: replace(r, 5, 3, "6"), "observed.csv line 5, field imd: '6' is not a known IMD quintile (1-5)"),
    "negative-count": (lambda r: replace(r, 7, 4, "-3"), "observed.csv line 7, field count: '-3' is negative; a count cannot be"),
    "fractional-count": (lambda r: replace(r, 8, 4, "2.5"), "observed.csv line 8, field count: '2.5' is not a whole number; a count must be"),
    "text-count": (lambda r: replace(r, 9, 4, "many"), "observed.csv line 9, field count: 'many' is not a number"),
    "missing-count": (lambda r: replace(r, 10, 4, ""), "observed.csv line 10, field count: missing value"),
    "missing-sex": (lambda r: replace(r, 11, 1, ""), "observed.csv line 11, field sex: missing value"),
    "duplicate-stratum": (lambda r: r[:5] + [list(r[2])] + r[5:],
                          "observed.csv line 7, field area,sex,age_band,imd: duplicate stratum, first given on line 4"),
    "unknown-area": (lambda r: r + [["Z", "F", "0-4", "1", 3]],
                     "observed.csv line 382, field area: count 3 for area 'Z', which has no rows in population.csv"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(ERRORS))
def test_bad_observed_file_exits_1_naming_file_line_and_field(tmp_path, case):
    change, message = ERRORS[case]
    population(tmp_path)
    observed(tmp_path, change(good_rows()))
    for command in ("isr", "rates-ratios"):
        done = run_on_files(tmp_path, command)
        assert done.returncode == 1
        assert done.stderr.strip() == message


def test_count_in_stratum_with_zero_population_is_an_error(tmp_path):
    population(tmp_path)
    pop = read(tmp_path / "population.csv")
    pop[3]["population"] = "0"  # line 5: A, F, 0-4, imd 4
    write(tmp_path / "population.csv", list(pop[0]), [list(r.values()) for r in pop])
    observed(tmp_path)
    done = run_on_files(tmp_path)
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        == "observed.csv line 5, field count: count 5 in a stratum with zero population in population.csv"
    )


def test_count_in_stratum_with_no_population_row_is_an_error(tmp_path):
    population(tmp_path)
    pop = read(tmp_path / "population.csv")
    write(
        tmp_path / "population.csv",
        list(pop[0]),
        [list(r.values()) for r in pop if not (r["area"] == "B" and r["age_band"] == "90+")],
    )
    observed(tmp_path)
    done = run_on_files(tmp_path)
    assert done.returncode == 1
    # B's first 90+ stratum: 190 rows of A, then F 0-4..85-89 x 5 IMD = 90 rows -> row 281, line 282.
    assert (
        done.stderr.strip()
        == "observed.csv line 282, field count: count 5 in a stratum with no population row in population.csv"
    )


def test_zero_count_in_stratum_with_zero_population_is_fine(tmp_path):
    population(tmp_path)
    pop = read(tmp_path / "population.csv")
    pop[3]["population"] = "0"
    write(tmp_path / "population.csv", list(pop[0]), [list(r.values()) for r in pop])
    observed(tmp_path, replace(good_rows(), 5, 4, 0))
    done = run_on_files(tmp_path)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda r: replace(r, 4, 4, "-10"),
            "population.csv line 4, field population: '-10' is negative; a population cannot be",
        ),
        (
            lambda r: replace(r, 6, 2, "100+"),
            "population.csv line 6, field age_band: '100+' is not a known age band",
        ),
        (
            lambda r: r + [list(r[0])],
            "population.csv line 382, field area,sex,age_band,imd: duplicate stratum, first given on line 2",
        ),
    ],
    ids=["negative-population", "unknown-age-band", "duplicate-stratum"],
)
def test_bad_population_file_exits_1(tmp_path, change, message):
    rows = [[a, s, g, q, 1000] for a in ("A", "B") for s, g, q in STRATA]
    write(
        tmp_path / "population.csv", ["area", "sex", "age_band", "imd", "population"], change(rows)
    )
    observed(tmp_path)
    done = run_on_files(tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == message


def test_missing_column_and_unexpected_modality_column(tmp_path):
    population(tmp_path)
    write(tmp_path / "observed.csv", ["area", "sex", "age_band", "count"], [["A", "F", "0-4", 1]])
    done = run_on_files(tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("observed.csv line 1, field imd: missing column")
    observed(tmp_path, modality=True)
    done = run_on_files(tmp_path)
    assert (
        done.stderr.strip()
        == "observed.csv line 1, field modality: unexpected column (pass --by modality to split by it)"
    )


def test_aggregate_drops_records_with_missing_fields_and_reports_them(tmp_path):
    """Annex section 2.1 and Annex A: incomplete records are removed and counted, per area and field."""
    records = [
        ["A", "F", "0-4", "1", "CT"],
        ["A", "F", "0-4", "1", "CT"],
        ["A", "", "0-4", "1", "CT"],  # missing sex
        ["A", "M", "", "", "MRI"],  # missing age band and IMD
        ["B", "M", "90+", "5", "MRI"],
        ["", "M", "90+", "5", "MRI"],  # missing area
    ]
    write(tmp_path / "records.csv", ["area", "sex", "age_band", "imd", "modality"], records)
    done = run(tmp_path, "aggregate", "--records", "records.csv", "--out", "counts.csv", "--dropped", "dropped.csv",
               "--by", "modality")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "dropped 3 of 6 records" in done.stderr
    assert [list(r.values()) for r in read(tmp_path / "counts.csv")] == [
        ["A", "F", "0-4", "1", "CT", "2"], ["B", "M", "90+", "5", "MRI", "1"],
    ]  # fmt: skip
    dropped = {r["area"]: r for r in read(tmp_path / "dropped.csv")}
    assert set(dropped) == {"A", ""}
    assert (dropped["A"]["records"], dropped["A"]["dropped"]) == ("4", "2")
    assert (
        dropped["A"]["missing_sex"],
        dropped["A"]["missing_age_band"],
        dropped["A"]["missing_imd"],
    ) == ("1", "1", "1")
    assert float(dropped["A"]["dropped_percent"]) == 50.0
    assert dropped[""]["missing_area"] == "1"


def test_aggregate_rejects_unknown_values_with_the_file_line(tmp_path):
    write(tmp_path / "records.csv", ["area", "sex", "age_band", "imd"],
          [["A", "", "0-4", "1"], ["A", "F", "0-4", "1"], ["A", "F", "95-99", "1"]])  # fmt: skip
    done = run(
        tmp_path, "aggregate", "--records", "records.csv", "--out", "c.csv", "--dropped", "d.csv"
    )
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        == "records.csv line 4, field age_band: '95-99' is not a known age band"
    )


def test_aggregated_counts_feed_isr(tmp_path):
    population(tmp_path)
    write(
        tmp_path / "records.csv", ["area", "sex", "age_band", "imd"], [["A", "F", "0-4", "1"]] * 12
    )
    assert (
        run(
            tmp_path,
            "aggregate",
            "--records",
            "records.csv",
            "--out",
            "counts.csv",
            "--dropped",
            "d.csv",
        ).returncode
        == 0
    )
    done = run(
        tmp_path,
        "isr",
        "--population",
        "population.csv",
        "--observed",
        "counts.csv",
        "--out",
        "isr.csv",
    )
    assert done.returncode == 0, done.stderr
    assert [(r["area"], r["observed"]) for r in read(tmp_path / "isr.csv")] == [
        ("A", "12"),
        ("B", "0"),
    ]


def test_lines_are_counted_as_an_editor_counts_them_after_empty_lines(tmp_path):
    """Empty lines are skipped when reading, but never when saying where an error is."""
    population(tmp_path)
    rows = [",".join(map(str, r)) for r in replace(good_rows(), 6, 4, "-3")]
    # Empty lines before data line 3 and after it: the bad row (line 6 of a tidy file)
    # is line 8 in the file; its duplicate of line 4 (now line 5) comes next.
    text = ["area,sex,age_band,imd,count", *rows[:2], "", rows[2], "", *rows[3:]]
    text.insert(9, rows[2])
    (tmp_path / "observed.csv").write_text("\n".join(text) + "\n")
    done = run_on_files(tmp_path)
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        == "observed.csv line 8, field count: '-3' is negative; a count cannot be"
    )
    text[7] = text[7].replace("-3", "5")
    (tmp_path / "observed.csv").write_text("\n".join(text) + "\n")
    done = run_on_files(tmp_path)
    assert done.stderr.strip() == (
        "observed.csv line 10, field area,sex,age_band,imd: duplicate stratum, first given on line 5"
    )


def test_a_line_with_the_wrong_number_of_fields_is_named(tmp_path):
    population(tmp_path)
    rows = [",".join(map(str, r)) for r in good_rows()]
    text = ["area,sex,age_band,imd,count", *rows[:3], "# a comment", *rows[3:]]
    (tmp_path / "observed.csv").write_text("\n".join(text) + "\n")
    done = run_on_files(tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == "observed.csv line 5: 1 field where the header has 5"


def test_python_m_metrics_runs_the_command_and_exits_with_its_status(tmp_path):
    population(tmp_path)
    observed(tmp_path)

    ok = run_module(
        tmp_path, "isr", "--population", "population.csv", "--observed", "observed.csv",
        "--out", "o.csv",
    )  # fmt: skip
    missing = run_module(
        tmp_path, "isr", "--population", "nowhere.csv", "--observed", "observed.csv",
        "--out", "o.csv",
    )  # fmt: skip

    assert ok.returncode == 0 and (tmp_path / "o.csv").exists()
    assert missing.returncode == 1 and "nowhere.csv" in missing.stderr


def test_dsr_matches_phe_worked_values(tmp_path):
    """PHEindicatormethods' phe_dsr test data (tests/metrics/data/phe_tests_dsr_*.csv):
    testdata_big gives 1043.02479914694 per 10,000 (95%: 971.770906798568 to
    1117.89409154792); testdata_tiny (9 observed) has no rate. Each area's counts and
    population sit in one sex and IMD quintile; the rest are zero."""
    data = ROOT / "tests" / "metrics" / "data"
    with (data / "phe_tests_dsr_inputs.csv").open(newline="") as f:
        inputs = [r for r in csv.DictReader(f) if r["dataset"] == "esp2013"]
    areas = sorted({r["area"] for r in inputs})
    given = {(r["area"], r["age_band"]): r for r in inputs}
    pop_rows, obs_rows = [], []
    for a in areas:
        for s, g, q in STRATA:
            r = given[(a, g)] if (s, q) == ("F", "1") else None
            pop_rows.append([a, s, g, q, r["pop"] if r else 0])
            obs_rows.append([a, s, g, q, (r["count"] or 0) if r else 0])  # NA as 0, as phe_dsr
    write(tmp_path / "population.csv", ["area", "sex", "age_band", "imd", "population"], pop_rows)
    write(tmp_path / "observed.csv", ["area", "sex", "age_band", "imd", "count"], obs_rows)
    done = run_on_files(tmp_path, "dsr")
    assert done.returncode == 0, done.stderr
    out = {r["area"]: r for r in read(tmp_path / "o.csv")}
    assert list(next(iter(out.values()))) == [
        "area", "observed", "population", "dsr_per_10000",
        "dsr_lower95", "dsr_upper95", "dsr_lower998", "dsr_upper998",
    ]  # fmt: skip
    big = out["testdata_big"]
    assert (big["observed"], float(big["population"])) == ("895", 8970.0)
    assert float(big["dsr_per_10000"]) == pytest.approx(1043.02479914694, rel=1e-9)
    assert float(big["dsr_lower95"]) == pytest.approx(971.770906798568, rel=1e-9)
    assert float(big["dsr_upper95"]) == pytest.approx(1117.89409154792, rel=1e-9)
    assert float(big["dsr_upper998"]) == pytest.approx(1162.05959995221, rel=1e-9)
    assert float(out["testdata_small"]["dsr_lower95"]) == pytest.approx(87.7455767536709, rel=1e-9)
    assert out["testdata_tiny"]["observed"] == "9" and out["testdata_tiny"]["dsr_per_10000"] == ""


def test_rates_ratios_annex_tables_put_measures_in_columns(tmp_path):
    """Annex Tables 5-6 by age band: counts = population x sex x age x IMD effects, so the
    age rates ratios are exactly the age effects (1, 2, 3, 5, 8 by broad band; worked out
    on paper), and with counts in the thousands every one is significant at p < 0.001."""
    sex_w, sex_r = {"F": 1, "M": 3}, {"F": 0.5, "M": 0.8}
    broad = [1] * 9 + [2] * 2 + [3] * 2 + [5] * 2 + [8] * 4  # 19 bands -> 5 broad bands
    imd_w, imd_r = (
        dict(zip("12345", [5, 4, 3, 2, 1], strict=True)),
        dict(zip("12345", [1, 0.9, 0.8, 0.7, 0.6], strict=True)),
    )
    pop_rows, obs_rows = [], []
    for s, g, q in STRATA:
        j = core.AGE_BANDS.index(g)
        pop = sex_w[s] * (j + 1) * imd_w[q] * 1000
        pop_rows.append(["A", s, g, q, pop])
        for modality, scale in (("CT", 1), ("MRI", 2)):
            obs_rows.append(["A", s, g, q, modality,
                             round(pop * sex_r[s] * broad[j] * imd_r[q] * scale)])  # fmt: skip
    write(tmp_path / "population.csv", ["area", "sex", "age_band", "imd", "population"], pop_rows)
    write(tmp_path / "observed.csv", ["area", "sex", "age_band", "imd", "modality", "count"],
          obs_rows)  # fmt: skip
    done = run(tmp_path, "rates-ratios", "--population", "population.csv", "--observed",
               "observed.csv", "--by", "modality", "--out", "rr.csv", "--annex", "annex.csv")  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = read(tmp_path / "annex.csv")
    assert list(table[0]) == ["factor", "level", "CT", "MRI"]
    age = [(r["level"], r["CT"], r["MRI"]) for r in table if r["factor"] == "age"]
    assert age == [
        ("0-<45", "1.00", "1.00"), ("45-<55", "2.00***", "2.00***"), ("55-<65", "3.00***", "3.00***"),
        ("65-<75", "5.00***", "5.00***"), ("75+", "8.00***", "8.00***"),
    ]  # fmt: skip
    assert [r["CT"] for r in table if r["factor"] == "sex"] == ["1.00", "1.60***"]
