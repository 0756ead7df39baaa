"""The core against PHEindicatormethods' own test expectations (tests/metrics/data).

Expected values come from PHEindicatormethods' test suite, not from this code;
they agree with an independent implementation to a relative 1e-9.
"""

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from metrics import core

DATA = Path(__file__).parent / "data"
RTOL = 1e-9
LIMITS = ("lower95", "upper95", "lower998", "upper998")


def rows(name):
    with (DATA / name).open(newline="") as f:
        return list(csv.DictReader(row for row in f if not row.startswith("#")))


def num(text):
    return float(text) if text not in ("", "NA") else math.nan


def assert_close_or_missing(actual, expected_text):
    expected = num(expected_text)
    if math.isnan(expected):
        assert math.isnan(actual)
    else:
        assert actual == pytest.approx(expected, rel=RTOL)


RATE_ROWS = rows("phe_tests_rate.csv")


@pytest.mark.parametrize(
    "row",
    RATE_ROWS,
    ids=[f"PHEindicatormethods-phe_rate-{r['area']}-x{r['multiplier']}" for r in RATE_ROWS],
)
def test_crude_rate_limits_match_phe_rate(row):
    result = core.crude_rate(
        num(row["numerator"]),
        denominator=num(row["denominator"]),
        multiplier=num(row["multiplier"]),
    )
    assert_close_or_missing(float(result.value), row["value"])
    for name in LIMITS:
        assert_close_or_missing(float(getattr(result, name)), row[name])
    assert str(result.ci_method) == ("" if row["method"] == "NA" else row["method"])


BYARS_ROWS = [r for r in rows("phe_tests_byars_wilson.csv") if r["method"] == "Byars"]


@pytest.mark.parametrize(
    "row",
    BYARS_ROWS,
    ids=[f"PHEindicatormethods-byars-{r['x']}-{r['confidence']}" for r in BYARS_ROWS],
)
def test_byars_limits_match_phe(row):
    """Where the lower limit is NA (x=1 at 99.8%) Byar's formula has broken down: NaN."""
    conf = float(row["confidence"])
    assert_close_or_missing(
        float(core.byars_lower(float(row["x"]), confidence=conf)), row["lower"]
    )
    assert_close_or_missing(
        float(core.byars_upper(float(row["x"]), confidence=conf)), row["upper"]
    )


WILSON_ROWS = [r for r in rows("phe_tests_byars_wilson.csv") if r["method"] == "Wilson"]


@pytest.mark.parametrize(
    "row",
    WILSON_ROWS,
    ids=[f"PHEindicatormethods-wilson-{r['x']}-{r['n']}-{r['confidence']}" for r in WILSON_ROWS],
)
def test_wilson_limits_match_phe(row):
    lower, upper = core.wilson_limits(
        float(row["x"]), denominator=float(row["n"]), confidence=float(row["confidence"])
    )
    assert float(lower) == pytest.approx(float(row["lower"]), rel=RTOL)
    assert float(upper) == pytest.approx(float(row["upper"]), rel=RTOL)


def test_every_worked_example_row_is_used():
    """Each row of every file in the shared worked examples feeds one of the tests above."""
    used = {
        "phe_tests_rate.csv": len(RATE_ROWS),
        "phe_tests_byars_wilson.csv": len(BYARS_ROWS) + len(WILSON_ROWS),
        "phe_tests_isr_expected.csv": len(ISR_ROWS),
        "phe_tests_dsr_expected.csv": len(DSR_ROWS),
    }
    for name, count in used.items():
        assert count == len(rows(name)), name
    assert {r["dataset"] for r in ISR_ROWS} == {"multiarea", "zero_pop"}
    assert {r["dataset"] for r in DSR_ROWS} == {"esp2013", "esp1976"}


def isr_inputs(dataset):
    data = [r for r in rows("phe_tests_isr_inputs.csv") if r["dataset"] == dataset]
    areas = sorted({r["area"] for r in data})
    counts = np.zeros((1, len(areas), 19))
    pop = np.zeros((len(areas), 19))
    for r in data:
        a, s = areas.index(r["area"]), int(r["stratum"]) - 1
        counts[0, a, s] = (
            0.0 if r["count"] == "" else float(r["count"])
        )  # missing counts count as 0
        pop[a, s] = float(r["pop"])
    std = rows("phe_tests_isr_standard.csv")
    refcount = np.array([float(r["refcount"]) for r in std])
    refpop = np.array([float(r["refpop"]) for r in std])
    return areas, counts, pop, refcount / refpop, refcount.sum() / refpop.sum()


ISR_ROWS = rows("phe_tests_isr_expected.csv")


@pytest.mark.parametrize(
    "row",
    ISR_ROWS,
    ids=[
        f"PHEindicatormethods-{r['dataset']}-{r['statistic']}-x{r['scale']}-{r['area']}"
        for r in ISR_ROWS
    ],
)
def test_indirect_standardisation_matches_phe(row):
    areas, counts, pop, standard, reference = isr_inputs(row["dataset"])
    scale = float(row["scale"])
    result = core.indirectly_standardised(
        counts, population=pop, standard=standard[None], reference_rate=reference, multiplier=scale
    )
    a = areas.index(row["area"])
    assert result.observed[0, a] == float(row["observed"])
    assert result.expected[0, a] == pytest.approx(float(row["expected"]), rel=RTOL)
    assert result.ci_method[0, a] == row["method"]
    if row["statistic"] == "israte":
        assert result.reference_rate[0] == pytest.approx(float(row["ref_rate"]), rel=RTOL)
        got = [result.rate[0, a]] + [getattr(result, f"rate_{n}")[0, a] for n in LIMITS]
    else:  # isratio, scaled as PHE scales it (x1 or x100)
        got = [result.ratio[0, a] * scale] + [
            getattr(result, f"ratio_{n}")[0, a] * scale for n in LIMITS
        ]
    for value, name in zip(got, ("value", *LIMITS), strict=True):
        if row[name] != "":
            assert value == pytest.approx(float(row[name]), rel=RTOL)


DSR_ROWS = rows("phe_tests_dsr_expected.csv")


@pytest.mark.parametrize(
    "row",
    DSR_ROWS,
    ids=[
        f"PHEindicatormethods-phe_dsr-{r['dataset']}-{r['area']}-x{r['multiplier']}"
        for r in DSR_ROWS
    ],
)
def test_direct_standardisation_matches_phe_dsr(row):
    data = [
        r
        for r in rows("phe_tests_dsr_inputs.csv")
        if r["dataset"] == row["dataset"] and r["area"] == row["area"]
    ]
    counts = np.array([0.0 if r["count"] == "" else float(r["count"]) for r in data])
    pop = np.array([float(r["pop"]) for r in data])
    stdpop = np.array([float(r["stdpop"]) for r in data])
    result = core.directly_standardised(
        counts, population=pop, standard_population=stdpop, multiplier=float(row["multiplier"])
    )
    assert float(result.total_count) == float(row["total_count"])
    assert float(result.total_population) == float(row["total_pop"])
    for name in ("value", *LIMITS):
        if row[name] == "" and row["note"].startswith("dsr NA"):
            assert math.isnan(float(getattr(result, name)))
        elif row[name] != "":
            assert float(getattr(result, name)) == pytest.approx(float(row[name]), rel=RTOL)


def test_esp2013_default_is_the_weights_phe_ships():
    """The ESP 2013 weights in PHE's test inputs are the module's default standard."""
    data = [
        r
        for r in rows("phe_tests_dsr_inputs.csv")
        if r["dataset"] == "esp2013" and r["area"] == "testdata_big"
    ]
    assert [float(r["stdpop"]) for r in data] == core.ESP2013.tolist()
    assert [r["age_band"] for r in data] == list(core.AGE_BANDS)


def test_nothing_observed_has_lower_limit_zero_and_the_closed_form_upper_limit():
    """chi2 on 2 df has the closed form -2 ln(1 - p): the exact upper limit for O = 0 is
    -ln(0.025) = 3.6889 at 95% and -ln(0.001) = 6.9078 at 99.8% (Garwood 1936)."""
    result = core.crude_rate(0.0, denominator=1.0, multiplier=1.0)
    assert float(result.lower95) == 0.0 and float(result.lower998) == 0.0
    assert float(result.upper95) == pytest.approx(-math.log(0.025), rel=RTOL)
    assert float(result.upper998) == pytest.approx(-math.log(0.001), rel=RTOL)
    assert str(result.ci_method) == "Exact"


def test_byars_is_used_from_ten_observed_and_exact_below():
    """O = 9 takes the exact limits: chi2(0.025, 18) / 2, not Byar's formula."""
    assert core.ci_method([9.0, 10.0]).tolist() == ["Exact", "Byars"]
    lower, _ = core.poisson_limits([9.0, 10.0])
    assert lower[0] == pytest.approx(8.230746 / 2, rel=1e-6)  # qchisq(0.025, 18) = 8.230746 in R
    assert lower[1] == pytest.approx(float(core.byars_lower(10.0)), rel=1e-15)
