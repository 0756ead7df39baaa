"""Small numbers in published imaging figures (NHS disclosure control: counts 1 to 7).

The admin shows commissioners every figure; anything published (the public API, the
disclosure log, response letters) reads ``selectors.published_*``, where an area or level
with 1 to 7 examinations shows no count, ratio, rate or limits, and one more cell is hidden
when a single one would otherwise be found by subtraction from the total.
"""

from itertools import product

import pytest

from metrics import core, selectors, services
from metrics.selectors import RESULT_DISCLOSIVE, suppress_small_numbers
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
