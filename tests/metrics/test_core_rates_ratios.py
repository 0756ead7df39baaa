"""Rates ratios (annex section 3) and their two significance tests."""

import csv
from pathlib import Path

import numpy as np
import pytest

from metrics import core

DATA = Path(__file__).parent / "data"


def annex_rows():
    with (DATA / "annex_did_2024_25_rates_ratios.csv").open(newline="") as f:
        return list(csv.DictReader(row for row in f if not row.startswith("#")))


def annex_groups():
    groups = {}
    for r in annex_rows():
        groups.setdefault((r["table"], r["factor"], r["measure"]), []).append(r)
    return groups


GROUPS = annex_groups()


@pytest.mark.parametrize("spread", [0.99, 1.0, 1.01])
@pytest.mark.parametrize(
    "key", list(GROUPS), ids=[f"NHSE-DID-annex-2024-25-table{t}-{f}-{m}" for t, f, m in GROUPS]
)
def test_annex_convention_reproduces_published_stars(key, spread):
    """The annex publishes ratios, national rates and stars, not the standardised rates.

    The base rate is rebuilt as national rate / mean of the level ratios (levels
    of near-equal weight: F/M, IMD quintiles), then moved by +-1% to show the
    stars do not hinge on that reconstruction. Each level is tested against the
    base, as the tables mark each level.
    """
    group = GROUPS[key]
    ratios = np.array([float(r["rate_ratio"]) for r in group])
    base = float(group[0]["national_rate_per_10000"]) / np.mean(np.r_[1.0, ratios]) * spread
    _, p = core.rates_ratio_significance(ratios * base, base_rate=base)
    assert core.significance_stars(p).tolist() == [r["stars"] for r in group]


def test_annex_worked_xray_example_is_significant_at_0_001():
    """Section 3.1: Female 4,027 and Male 3,202 per 10,000 X-rays; Table 1 marks 0.80***."""
    chisq, p = core.rates_ratio_significance(3202.0, base_rate=4027.0)
    assert float(chisq) == pytest.approx(825.0**2 / 7229.0, rel=1e-12)
    assert core.significance_stars(p).tolist() == "***"


def test_pearson_two_groups_equal_exposure_by_hand():
    """30 v 10 events, equal exposure: expected 20 each, (10**2 + 10**2) / 20 = 10."""
    chisq, p = core.pearson_chisq_two_groups(30.0, 10.0)
    assert float(chisq) == pytest.approx(10.0, rel=1e-12)
    assert float(p) == pytest.approx(0.0015654022580025487, rel=1e-9)  # 1 - pchisq(10, 1) in R


def test_pearson_two_groups_unequal_exposure_by_hand():
    """30 events in 10 units v 10 in 30: pooled 40 split 10/30; 20**2/10 + 20**2/30 = 53.33."""
    chisq, _ = core.pearson_chisq_two_groups(30.0, 10.0, exposure_a=10.0, exposure_b=30.0)
    assert float(chisq) == pytest.approx(160.0 / 3.0, rel=1e-12)


def test_stars_thresholds():
    assert core.significance_stars([0.0009, 0.001, 0.0099, 0.01, 0.049, 0.05, np.nan]).tolist() == [
        "***", "**", "**", "*", "*", "", "",
    ]  # fmt: skip


def multiplicative_national(sex_rate, age_rate, imd_rate):
    """Counts = population x sex effect x age effect x IMD effect, with population a product too.

    Then each factor's standardised rates ratio is exactly the ratio of its
    effects, whatever the other two factors do: worked out on paper, not by the code.
    """
    pop = (
        np.einsum("i,j,k->ijk", [1.0, 3.0], np.arange(1.0, 20.0), [5.0, 4.0, 3.0, 2.0, 1.0]) * 100
    )
    rate = np.einsum("i,j,k->ijk", sex_rate, age_rate, imd_rate)
    return (pop * rate).reshape(1, 190), pop.reshape(190)


def test_rates_ratios_recover_multiplicative_effects():
    sex = np.array([0.5, 0.8])
    age = np.repeat([1.0, 2.0, 3.0, 5.0, 8.0], [9, 2, 2, 2, 4])  # constant within each broad band
    imd = np.array([1.0, 0.9, 0.8, 0.7, 0.6])
    counts, pop = multiplicative_national(sex, age, imd)
    result = core.rates_ratios(counts, population=pop)
    assert result["sex"].rate_ratio[0] == pytest.approx([1.0, 1.6], rel=1e-12)
    assert result["imd"].rate_ratio[0] == pytest.approx([1.0, 0.9, 0.8, 0.7, 0.6], rel=1e-12)
    assert result["age"].rate_ratio[0] == pytest.approx([1.0, 2.0, 3.0, 5.0, 8.0], rel=1e-12)
    assert result["age"].levels == ("0-<45", "45-<55", "55-<65", "65-<75", "75+")


def test_standardised_rate_is_effect_over_population_mean_times_national_rate():
    """Sex effects 0.5 (F, weight 1) and 0.8 (M, weight 3): mean 0.725; F rate = 0.5/0.725 x national."""
    counts, pop = multiplicative_national(np.array([0.5, 0.8]), np.ones(19), np.ones(5))
    result = core.rates_ratios(counts, population=pop)
    national = counts.sum() / pop.sum() * 10_000
    assert result["sex"].national_rate[0] == pytest.approx(national, rel=1e-12)
    assert result["sex"].std_rate[0] == pytest.approx(
        [0.5 / 0.725 * national, 0.8 / 0.725 * national], rel=1e-12
    )


def test_base_level_has_no_test():
    counts, pop = multiplicative_national(np.array([0.5, 0.8]), np.ones(19), np.ones(5))
    r = core.rates_ratios(counts, population=pop)["sex"]
    assert np.isnan(
        [r.chisq_rates[0, 0], r.p_rates[0, 0], r.chisq_counts[0, 0], r.p_counts[0, 0]]
    ).all()


def test_counts_test_uses_observed_and_expected_counts():
    """The counts test is Pearson's on the two levels' observed counts with their expected counts as exposure."""
    counts, pop = multiplicative_national(np.array([0.5, 0.8]), np.ones(19), np.ones(5))
    r = core.rates_ratios(counts, population=pop)["sex"]
    # By hand: F pop 100*190*15 = 285,000 at 0.5 -> 142,500; M pop 855,000 at 0.8 -> 684,000.
    assert r.observed[0].tolist() == pytest.approx([142_500.0, 684_000.0])
    e_f, e_m = 285_000 * 0.725, 855_000 * 0.725
    pooled = 142_500 + 684_000
    exp_m = pooled * e_m / (e_f + e_m)
    exp_f = pooled - exp_m
    by_hand = (684_000 - exp_m) ** 2 / exp_m + (142_500 - exp_f) ** 2 / exp_f
    assert r.chisq_counts[0, 1] == pytest.approx(by_hand, rel=1e-9)


def test_uniform_rates_give_ratio_one_everywhere():
    """If every area has the national stratum rates, O = E: ratio 1, rate = national rate."""
    pop = np.arange(1.0, 3 * 190 + 1).reshape(3, 190)
    stratum_rate = np.linspace(0.01, 0.2, 190)
    counts = (pop * stratum_rate)[None]
    result = core.indirectly_standardised(counts, population=pop)
    assert result.ratio[0] == pytest.approx([1.0, 1.0, 1.0], rel=1e-12)
    national = counts.sum() / pop.sum() * 10_000
    assert result.rate[0] == pytest.approx([national] * 3, rel=1e-12)


def national_by_sex(female_per_10000, male_per_10000, people_per_stratum):
    """Equal populations, a sex effect only: the standardised rates are the given rates.

    By hand: the reference (national rate by age x IMD) is the mean of the two rates, each
    sex's expected count is its population times that mean, so O/E x national rate gives
    back the sex's own rate.
    """
    pop = np.full(190, float(people_per_stratum))
    rate = np.repeat([female_per_10000, male_per_10000], 95) / 10_000
    return (pop * rate)[None], pop


def test_rates_ratios_mark_the_annex_worked_example_with_the_annex_convention():
    """Section 3.1: F 4,027 and M 3,202 per 10,000, ratio 0.80, Table 1 marks it ***."""
    counts, pop = national_by_sex(4027.0, 3202.0, 10_000)
    sex = core.rates_ratios(counts, population=pop)["sex"]
    assert sex.std_rate[0] == pytest.approx([4027.0, 3202.0], rel=1e-12)
    assert sex.rate_ratio[0, 1] == pytest.approx(3202.0 / 4027.0, rel=1e-12)
    assert sex.chisq_rates[0, 1] == pytest.approx(825.0**2 / 7229.0, rel=1e-9)
    assert core.significance_stars(sex.p_rates[0, 1]).item() == "***"


def test_the_two_tests_part_on_large_numbers():
    """1,000 v 1,010 per 10,000 in 950,000 people each: the rates differ by 1%.

    Annex convention, by hand: 10**2 / 2010 = 0.0498, p = 0.82, no star. Counts test:
    95,000 v 95,950 events with equal exposure, 950**2 / 190,950 = 4.726, p = 0.0297, *.
    """
    counts, pop = national_by_sex(1000.0, 1010.0, 10_000)
    sex = core.rates_ratios(counts, population=pop)["sex"]
    assert sex.chisq_rates[0, 1] == pytest.approx(100.0 / 2010.0, rel=1e-9)
    assert sex.chisq_counts[0, 1] == pytest.approx(950.0**2 / 190_950.0, rel=1e-9)
    assert core.significance_stars(sex.p_rates[0, 1]).item() == ""
    assert core.significance_stars(sex.p_counts[0, 1]).item() == "*"
