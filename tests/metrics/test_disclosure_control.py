"""Small numbers in published imaging figures (NHS disclosure control: counts 1 to 7).

The admin shows commissioners every figure; anything published (the public API, the
disclosure log, response letters) reads ``selectors.published_*``, where an area or level
with 1 to 7 examinations shows no count, ratio, rate or limits, and one more cell is hidden
when a single one would otherwise be found by subtraction from the total.
"""

from itertools import product

import pytest

from metrics import core, selectors, services
from metrics.selectors import RATES_RATIO_DISCLOSIVE, RESULT_DISCLOSIVE, suppress_small_numbers
from tests.factories import TEST_DATA
from tests.factories import metrics as f

AREAS = ("A small", "B none", "C twenty", "D fifty")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def row(area, observed, measure="CT"):
    return {"measure": measure, "area": area, "observed": observed, "rate": 1.0, "ratio": 1.0}


@pytest.mark.parametrize("observed, hidden", [(0, False), (1, True), (7, True), (8, False)])
def test_counts_from_1_to_7_are_suppressed_and_zero_is_not(observed, hidden):
    rows = [row("X", observed), row("Y", 100), row("Z", 200)]
    out = suppress_small_numbers(rows, group=("measure",), fields=("observed", "rate", "ratio"))
    assert out[0]["suppressed"] is hidden
    assert (out[0]["observed"] is None) is hidden and (out[0]["rate"] is None) is hidden


def test_a_lone_suppressed_cell_takes_the_next_smallest_with_it():
    """Total 3 + 20 + 50 is known from the national rate: hiding only 3 would not hide it."""
    rows = [row("X", 3), row("Y", 50), row("Z", 20), row("W", 0)]
    out = suppress_small_numbers(rows, group=("measure",), fields=("observed",))
    assert [r["suppressed"] for r in out] == [True, False, True, False]


def test_two_suppressed_cells_protect_each_other():
    rows = [row("X", 3), row("Y", 5), row("Z", 20)]
    out = suppress_small_numbers(rows, group=("measure",), fields=("observed",))
    assert [r["suppressed"] for r in out] == [True, True, False]


def test_secondary_suppression_stays_within_its_measure():
    rows = [row("X", 3, "CT"), row("Y", 40, "CT"), row("X", 30, "MRI"), row("Y", 10, "MRI")]
    out = suppress_small_numbers(rows, group=("measure",), fields=("observed",))
    assert [r["suppressed"] for r in out] == [True, True, False, False]


def test_the_input_rows_are_not_changed():
    rows = [row("X", 3), row("Y", 50)]
    suppress_small_numbers(rows, group=("measure",), fields=("observed",))
    assert rows[0]["observed"] == 3 and "suppressed" not in rows[0]


def small_number_run():
    """A has 3 CT examinations (M, 90+, IMD 5), B none, C 20 and D 50 (F, 0-4, IMD 1)."""
    strata = list(product(core.SEXES, core.AGE_BANDS, core.IMD_QUINTILES))
    pop = ["area,sex,age_band,imd,population"] + [
        f"{a},{s},{g},{q},1000" for a in AREAS for s, g, q in strata
    ]
    counts = {("A small", "M", "90+", 5): 3, ("C twenty", "F", "0-4", 1): 20}
    counts[("D fifty", "F", "0-4", 1)] = 50
    act = ["area,sex,age_band,imd,modality,count"] + [
        f"{a},{s},{g},{q},CT,{counts.get((a, s, g, q), 0)}" for a in AREAS for s, g, q in strata
    ]
    population = f.population_dataset(content=("\n".join(pop) + "\n").encode())
    activity = f.activity_dataset(content=("\n".join(act) + "\n").encode())
    run = services.create_run(population=population, activity=activity, by=TEST_DATA)
    return services.compute_run(run.pk)


@pytest.mark.django_db
def test_published_results_hide_small_areas_and_their_complement():
    run = small_number_run()
    published = {r["area"]: r for r in selectors.published_run_results(run=run)}
    small = published["A small"]
    assert small["suppressed"] and small["ci_method"] == ""
    assert all(small[name] is None for name in RESULT_DISCLOSIVE)
    assert small["expected"] == pytest.approx(73 * 190 / (4 * 190))  # from the population
    assert small["compared_with_national_95"] == "suppressed"
    assert published["C twenty"]["suppressed"] and published["C twenty"]["observed"] is None
    assert published["B none"]["observed"] == 0 and published["B none"]["rate"] == 0
    assert published["D fifty"]["observed"] == 50 and not published["D fifty"]["suppressed"]
    # Commissioners in the admin still see every figure.
    internal = {r["area"]: r for r in selectors.run_results(run=run)}
    assert internal["A small"]["observed"] == 3 and "suppressed" not in internal["A small"]


@pytest.mark.django_db
def test_published_results_for_one_measure_and_one_area_are_suppressed_the_same_way():
    run = small_number_run()
    assert selectors.published_run_results(run=run, measure="CT") == (
        selectors.published_run_results(run=run)
    )
    assert selectors.published_run_results(run=run, measure="MRI") == []
    letter = selectors.published_result_for(run=run, area="C twenty", measure="CT")
    assert letter["suppressed"] and letter["rate"] is None
    assert selectors.published_result_for(run=run, area="Nowhere", measure="CT") is None


@pytest.mark.django_db
def test_published_rates_ratios_hide_a_small_level_and_its_complement():
    """M has 3 of the 73 examinations: M is hidden, and F with it (F = total - M)."""
    run = small_number_run()
    rr = {(r["factor"], r["level"]): r for r in selectors.published_rates_ratios(run=run)}
    assert rr[("sex", "M")]["suppressed"] and rr[("sex", "M")]["rate_ratio"] is None
    assert rr[("sex", "F")]["suppressed"] and rr[("sex", "F")]["std_rate"] is None
    assert rr[("imd", "5")]["suppressed"] and rr[("imd", "1")]["suppressed"]
    assert not rr[("imd", "3")]["suppressed"] and rr[("imd", "3")]["observed"] == 0
    assert rr[("age", "75+")]["suppressed"] and rr[("age", "75+")]["sig_rates"] == ""


# -- Rounding to 5 (NHS Digital disclosure control for HES and ECDS, September 2018) ------


@pytest.mark.parametrize(
    "observed, published",
    [(0, 0), (8, 10), (9, 10), (12, 10), (13, 15), (55, 55), (1330, 1330), (1333, 1335)],
)
def test_counts_are_rounded_to_the_nearest_5(observed, published):
    assert selectors.round_count(observed) == published


def result_row(area, observed, *, expected=50.0, national_rate=200.0, measure="CT"):
    return {
        "measure": measure,
        "area": area,
        "observed": float(observed),
        "expected": expected,
        "national_rate": national_rate,
        **{name: 0.123 for name in RESULT_DISCLOSIVE if name != "observed"},
        "ci_method": "Byars",
        "compared_with_national_95": "similar",
        "compared_with_national_998": "similar",
    }


def test_a_published_ratio_rate_and_limits_are_those_of_the_rounded_count():
    """63 examinations against 50 expected, England 200 per 10,000: published as 65, so
    ratio 65/50 = 1.3 and rate 260; the limits are Byar's for 65 from PHEindicatormethods'
    tests (95%: 50.1631877104595 to 82.8491385459398; 99.8%: 42.8802614714802 to
    94.000290844318), divided by 50. At 95% the rounded count's lower limit is above 1
    (1.0033): 'higher' is what 65 says, and the published figures all agree with it."""
    rows = [result_row("A", 63), result_row("B", 200)]
    out = selectors.disclosure_control(rows, kind="results")[0]
    assert out["observed"] == 65 and not out["suppressed"]
    assert out["ratio"] == pytest.approx(1.3, rel=1e-12)
    assert out["rate"] == pytest.approx(260.0, rel=1e-12)
    assert out["ratio_lower95"] == pytest.approx(50.1631877104595 / 50, rel=1e-9)
    assert out["ratio_upper95"] == pytest.approx(82.8491385459398 / 50, rel=1e-9)
    assert out["rate_lower998"] == pytest.approx(42.8802614714802 / 50 * 200, rel=1e-9)
    assert out["rate_upper998"] == pytest.approx(94.000290844318 / 50 * 200, rel=1e-9)
    assert out["ci_method"] == "Byars"
    assert out["compared_with_national_95"] == "higher"
    assert out["compared_with_national_998"] == "similar"


def test_a_count_of_8_or_9_is_published_as_10_with_byars_limits():
    """Rounded to 10, the count is in Byar's range (10 or more), not the exact method's."""
    out = selectors.disclosure_control([result_row("A", 9), result_row("B", 40)], kind="results")
    assert out[0]["observed"] == 10 and out[0]["ci_method"] == "Byars"


def test_differencing_a_total_and_its_parts_across_two_runs_gives_no_small_count():
    """The issue's attack by hand: A has 3 CT and 1,330 MRI, so 1,333 in all. Published,
    MRI is 1,330 and the total 1,335: their difference is 5, and since each published count
    is within 2 of the truth, A's CT count could be anything from 1 to 7 (it is suppressed
    in the CT run, with B's 40 beside it)."""
    by_modality = [
        result_row("A", 3, measure="CT"),
        result_row("B", 40, measure="CT"),
        result_row("C", 55, measure="CT"),
        result_row("A", 1330, measure="MRI"),
        result_row("B", 962, measure="MRI"),
    ]
    all_activity = [result_row("A", 1333, measure=""), result_row("B", 1002, measure="")]
    modality = {
        (r["measure"], r["area"]): r
        for r in selectors.disclosure_control(by_modality, kind="results")
    }
    total = {r["area"]: r for r in selectors.disclosure_control(all_activity, kind="results")}
    assert modality[("CT", "A")]["observed"] is None and modality[("CT", "B")]["observed"] is None
    assert modality[("MRI", "A")]["observed"] == 1330 and total["A"]["observed"] == 1335
    assert total["A"]["observed"] - modality[("MRI", "A")]["observed"] == 5
    assert total["A"]["ratio"] * total["A"]["expected"] == pytest.approx(1335)


def rr_row(level, observed, expected, *, factor="imd", base="1", national=100.0):
    return {
        "measure": "CT",
        "factor": factor,
        "level": level,
        "base_level": base,
        "observed": float(observed),
        "expected": expected,
        "national_rate": national,
        **{name: 0.5 for name in RATES_RATIO_DISCLOSIVE if name != "observed"},
        "sig_rates": "*",
        "sig_counts": "*",
    }


def test_rates_ratios_are_worked_from_the_rounded_counts():
    """F 102 of 100 expected and M 48 of 50, England 100 per 10,000: published F 100 and
    M 50, standardised rates 100 and 100, so M's rates ratio is 1 and neither test finds
    a difference (chi-square 0, p = 1, no star)."""
    rows = [
        rr_row("F", 102, 100.0, factor="sex", base="F"),
        rr_row("M", 48, 50.0, factor="sex", base="F"),
    ]
    f_row, m_row = selectors.disclosure_control(rows, kind="rates_ratios")
    assert (f_row["observed"], m_row["observed"]) == (100, 50)
    assert f_row["std_rate"] == pytest.approx(100) and m_row["std_rate"] == pytest.approx(100)
    assert f_row["rate_ratio"] == pytest.approx(1) and f_row["chisq_rates"] is None
    assert m_row["rate_ratio"] == pytest.approx(1)
    assert m_row["chisq_rates"] == pytest.approx(0) and m_row["p_rates"] == pytest.approx(1)
    assert m_row["chisq_counts"] == pytest.approx(0) and m_row["sig_counts"] == ""


def test_no_level_is_compared_with_a_suppressed_base():
    """IMD 1 (the base) has 3 examinations: IMD 2's rates ratio (its rate / the base's)
    beside its own rate would give the base's rate, and so its count, away."""
    rows = [rr_row("1", 3, 10.0), rr_row("2", 60, 40.0), rr_row("3", 90, 50.0)]
    out = {r["level"]: r for r in selectors.disclosure_control(rows, kind="rates_ratios")}
    assert out["1"]["suppressed"] and out["2"]["suppressed"]  # 60 goes with the 3
    assert out["3"]["observed"] == 90 and out["3"]["std_rate"] == pytest.approx(180)
    assert all(out["3"][name] is None for name in selectors.RATES_RATIO_COMPARISONS)
    assert out["3"]["sig_rates"] == "" and out["3"]["sig_counts"] == ""
