"""Imaging metrics core: standardised rates, rates ratios and their limits.

Pure NumPy/SciPy, in the manner of openprescribing's ``matrix_ops``: no Django,
no project imports, no files. Callers (``metrics.io``, the CLI, later the Django
selectors) turn tables into dense arrays once and pass them in; every function
here works on all areas and measures at once.

The data model is a dense cube ``(measure, area, stratum)`` where a stratum is
sex (2) x 5-year age band (19) x IMD quintile (5) = 190 cells, laid out
sex-major so that ``cube.reshape(..., 2, 19, 5)`` gives the three factors as
axes. Dense float64 cubes are chosen over sparse or long tables because the
national and practice-level inputs are nearly full (every area has people in
almost every stratum), so the dense form costs no more memory and turns
expected counts into one matrix product.

Methods follow NHS England's *Diagnostic Imaging Dataset: Standardised ICB
rates 2024/25* (sections 2.1 and 3) and, for confidence limits and direct
standardisation, the conventions of England's public-health indicators
(Fingertips / PHEindicatormethods): Byar's approximation for 10 or more events,
exact Poisson limits below that, Dobson limits for directly standardised rates.
See ``docs/metrics.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

SEXES: tuple[str, ...] = ("F", "M")
AGE_BANDS: tuple[str, ...] = tuple(f"{a}-{a + 4}" for a in range(0, 90, 5)) + ("90+",)
IMD_QUINTILES: tuple[int, ...] = (1, 2, 3, 4, 5)
N_SEXES, N_AGE_BANDS, N_IMD = len(SEXES), len(AGE_BANDS), len(IMD_QUINTILES)
N_STRATA = N_SEXES * N_AGE_BANDS * N_IMD  # 190

BROAD_AGE_BANDS: tuple[str, ...] = ("0-<45", "45-<55", "55-<65", "65-<75", "75+")
# Which broad band each 5-year band falls in (annex section 3, footnote 7).
BROAD_AGE_OF_BAND: IntArray = np.array([0] * 9 + [1, 1, 2, 2, 3, 3, 4, 4, 4, 4], dtype=np.intp)

# European Standard Population 2013, 5-year bands to 90+ (Eurostat 2013; the
# weights PHEindicatormethods ships as esp2013, same band order as AGE_BANDS).
ESP2013: FloatArray = np.array(
    [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
     7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000],
    dtype=np.float64,
)  # fmt: skip

CONFIDENCE_LEVELS: tuple[float, ...] = (0.95, 0.998)
BYARS_MIN_OBSERVED = 10
"""Byar's approximation is used from 10 events up; exact Poisson limits below
(PHEindicatormethods and the Fingertips technical guidance)."""

RATES_RATIO_FACTORS: tuple[str, ...] = ("sex", "imd", "age")


# ---------------------------------------------------------------------------
# Strata and dense accumulation
# ---------------------------------------------------------------------------


def stratum_index(
    sex: npt.ArrayLike, /, *, age_band: npt.ArrayLike, imd: npt.ArrayLike
) -> IntArray:
    """Flat stratum number from 0-based sex, age band and IMD codes.

    Sex-major order so a ``(..., 190)`` array reshapes to ``(..., 2, 19, 5)``.
    """
    # int32 is ample (190 strata) and halves memory traffic on millions of rows.
    sex = np.asarray(sex, dtype=np.int32)
    return (sex * N_AGE_BANDS + np.asarray(age_band, dtype=np.int32)) * N_IMD + np.asarray(
        imd, dtype=np.int32
    )


def accumulate(
    flat_index: npt.ArrayLike, /, *, weights: npt.ArrayLike, shape: tuple[int, ...]
) -> FloatArray:
    """Sum ``weights`` into a dense float64 array of ``shape`` at ``flat_index``.

    ``np.bincount`` with weights is a single pass in C and, unlike
    ``np.add.at``, is fast; it sums in float64, which holds every integer count
    below 2**53 exactly.
    """
    size = int(np.prod(shape))
    flat = np.asarray(flat_index)
    out = np.bincount(flat, weights=np.asarray(weights, dtype=np.float64), minlength=size)
    if out.size != size:
        raise ValueError(f"flat index out of range for shape {shape}")
    return out.reshape(shape)


# ---------------------------------------------------------------------------
# Poisson confidence limits
# ---------------------------------------------------------------------------


def _z(confidence: float) -> float:
    """Two-sided normal quantile: 1.96 for 95%, 3.09 for 99.8% (norm.ppf(0.999))."""
    return float(stats.norm.ppf(0.5 + confidence / 2.0))


def byars_lower(observed: npt.ArrayLike, /, *, confidence: float = 0.95) -> FloatArray:
    """Byar's lower limit for a Poisson count.

    O * (1 - 1/(9O) - z/(3 sqrt O))**3. Where the bracket is negative (very
    small O at high confidence) the approximation has broken down and the
    result is NaN, as PHEindicatormethods reports it (NA); callers use exact
    limits for O < 10 anyway.
    """
    o = np.asarray(observed, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        base = 1.0 - 1.0 / (9.0 * o) - _z(confidence) / (3.0 * np.sqrt(o))
        return np.where(base >= 0.0, o * base**3, np.nan)


def byars_upper(observed: npt.ArrayLike, /, *, confidence: float = 0.95) -> FloatArray:
    """Byar's upper limit: (O+1) * (1 - 1/(9(O+1)) + z/(3 sqrt(O+1)))**3."""
    o1 = np.asarray(observed, dtype=np.float64) + 1.0
    return o1 * (1.0 - 1.0 / (9.0 * o1) + _z(confidence) / (3.0 * np.sqrt(o1))) ** 3


def exact_lower(observed: npt.ArrayLike, /, *, confidence: float = 0.95) -> FloatArray:
    """Exact Poisson lower limit chi2(a/2, 2O)/2; 0 when nothing was observed."""
    o = np.asarray(observed, dtype=np.float64)
    alpha = 1.0 - confidence
    with np.errstate(invalid="ignore"):
        lower = stats.chi2.ppf(alpha / 2.0, 2.0 * o) / 2.0
    return np.where(o == 0, 0.0, lower)


def exact_upper(observed: npt.ArrayLike, /, *, confidence: float = 0.95) -> FloatArray:
    """Exact Poisson upper limit chi2(1 - a/2, 2O + 2)/2."""
    o = np.asarray(observed, dtype=np.float64)
    return stats.chi2.ppf(1.0 - (1.0 - confidence) / 2.0, 2.0 * o + 2.0) / 2.0


def wilson_limits(
    numerator: npt.ArrayLike, /, *, denominator: npt.ArrayLike, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Wilson score limits for a proportion x/n (PHEindicatormethods ``wilson_lower/upper``).

    For shares rather than rates, e.g. the proportion of an area's records dropped for a
    missing field: (2x + z**2 -+ z sqrt(z**2 + 4x(1 - x/n))) / (2(n + z**2)).
    """
    x = np.asarray(numerator, dtype=np.float64)
    n = np.asarray(denominator, dtype=np.float64)
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        root = z * np.sqrt(z**2 + 4.0 * x * (1.0 - x / n))
        scale = 2.0 * (n + z**2)
        return (2.0 * x + z**2 - root) / scale, (2.0 * x + z**2 + root) / scale


def poisson_limits(
    observed: npt.ArrayLike, /, *, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Limits on a count: Byar's for O >= 10, exact below (observed 0: lower 0).

    The exact quantiles are only evaluated where they are used, because
    ``chi2.ppf`` is the one slow call here.
    """
    o = np.asarray(observed, dtype=np.float64)
    lower = byars_lower(o, confidence=confidence)
    upper = byars_upper(o, confidence=confidence)
    small = o < BYARS_MIN_OBSERVED
    if np.any(small):
        lower = np.array(lower, copy=True)
        upper = np.array(upper, copy=True)
        lower[small] = exact_lower(o[small], confidence=confidence)
        upper[small] = exact_upper(o[small], confidence=confidence)
    return lower, upper


def ci_method(observed: npt.ArrayLike, /) -> npt.NDArray[np.str_]:
    """'Byars' or 'Exact' per value, '' where the count is missing (NaN)."""
    o = np.asarray(observed, dtype=np.float64)
    return np.where(np.isnan(o), "", np.where(o >= BYARS_MIN_OBSERVED, "Byars", "Exact"))


@dataclass(frozen=True)
class Rate:
    """A rate with 95% and 99.8% limits; arrays of one shape."""

    value: FloatArray
    lower95: FloatArray
    upper95: FloatArray
    lower998: FloatArray
    upper998: FloatArray
    ci_method: npt.NDArray[np.str_]


def crude_rate(
    numerator: npt.ArrayLike, /, *, denominator: npt.ArrayLike, multiplier: float = 10_000.0
) -> Rate:
    """Crude rate per ``multiplier`` with Poisson limits on the numerator.

    Limits are the count's limits divided by the denominator (PHEindicatormethods
    phe_rate); missing inputs give NaN.
    """
    o = np.asarray(numerator, dtype=np.float64)
    scale = multiplier / np.asarray(denominator, dtype=np.float64)
    lo95, up95 = poisson_limits(o, confidence=0.95)
    lo998, up998 = poisson_limits(o, confidence=0.998)
    return Rate(o * scale, lo95 * scale, up95 * scale, lo998 * scale, up998 * scale, ci_method(o))


# ---------------------------------------------------------------------------
# Indirect standardisation (annex section 2.1)
# ---------------------------------------------------------------------------


def standard_rates(counts: FloatArray, /, *, population: FloatArray) -> FloatArray:
    """National stratum rates R[m, s] = sum of counts / sum of population over areas.

    ``counts`` is (measures, areas, strata), ``population`` (areas, strata).
    A stratum nobody lives in has rate 0: it contributes nothing to any area's
    expected count (a count there is rejected by the input checks).
    """
    pop = population.sum(axis=0)
    cnt = counts.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pop > 0, cnt / pop, 0.0)


def expected_counts(population: FloatArray, /, *, rates: FloatArray) -> FloatArray:
    """Expected[m, a] = sum_s rates[m, s] * population[a, s]: one matrix product."""
    return rates @ population.T


@dataclass(frozen=True)
class IndirectlyStandardised:
    """Per (measure, area): ratio O/E and the rate (O/E) x reference rate.

    ``reference_rate`` is per measure, already scaled by the multiplier
    (e.g. per 10,000); rates and their limits are in the same unit.
    """

    observed: FloatArray
    expected: FloatArray
    ratio: FloatArray
    ratio_lower95: FloatArray
    ratio_upper95: FloatArray
    ratio_lower998: FloatArray
    ratio_upper998: FloatArray
    reference_rate: FloatArray
    rate: FloatArray
    rate_lower95: FloatArray
    rate_upper95: FloatArray
    rate_lower998: FloatArray
    rate_upper998: FloatArray
    ci_method: npt.NDArray[np.str_]


def indirectly_standardised(
    counts: FloatArray,
    /,
    *,
    population: FloatArray,
    standard: FloatArray | None = None,
    reference_rate: npt.ArrayLike | None = None,
    multiplier: float = 10_000.0,
) -> IndirectlyStandardised:
    """Indirectly standardised ratios and rates for every measure and area at once.

    ``counts`` (measures, areas, strata); ``population`` (areas, strata).
    The standard defaults to the national stratum rates of these same areas
    (the annex's method). An external standard, as in PHEindicatormethods'
    ``calculate_ISRate`` with ``refcount/refpop``, is given as ``standard``
    (measures, strata) rates per person together with ``reference_rate``, the
    standard's crude rate per person (per measure); both or neither.

    Observed counts in strata with no population still count as observed
    (they add nothing to expected); PHEindicatormethods does the same, and the
    file readers reject such rows before they get here.
    """
    counts = np.asarray(counts, dtype=np.float64)
    population = np.asarray(population, dtype=np.float64)
    if (standard is None) != (reference_rate is None):
        raise ValueError("give both standard and reference_rate, or neither")
    if standard is None:
        standard = standard_rates(counts, population=population)
        total_pop = population.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            reference = counts.sum(axis=(1, 2)) / total_pop
    else:
        standard = np.asarray(standard, dtype=np.float64).reshape(counts.shape[0], counts.shape[2])
        reference = np.broadcast_to(
            np.asarray(reference_rate, dtype=np.float64), (counts.shape[0],)
        )
    reference = reference * multiplier

    by_area = standardised_from_totals(
        counts.sum(axis=2),
        expected=expected_counts(population, rates=standard),
        reference_rate=reference[:, None],
    )
    return replace(by_area, reference_rate=reference)  # one per measure, as documented


def standardised_from_totals(
    observed: npt.ArrayLike, /, *, expected: npt.ArrayLike, reference_rate: npt.ArrayLike
) -> IndirectlyStandardised:
    """Ratio O/E, rate and limits from observed and expected totals (any matching shapes).

    The second half of ``indirectly_standardised``, on its own so that published figures
    can be worked from a rounded count by exactly the same arithmetic as the stored ones
    (``metrics.selectors``): what is published is then consistent with the rounded count
    and with nothing finer. ``reference_rate`` is already per multiplier.
    """
    observed = np.asarray(observed, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    r = np.asarray(reference_rate, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_e = 1.0 / expected
    lo95, up95 = poisson_limits(observed, confidence=0.95)
    lo998, up998 = poisson_limits(observed, confidence=0.998)
    ratio = observed * inv_e
    return IndirectlyStandardised(
        observed=observed,
        expected=expected,
        ratio=ratio,
        ratio_lower95=lo95 * inv_e,
        ratio_upper95=up95 * inv_e,
        ratio_lower998=lo998 * inv_e,
        ratio_upper998=up998 * inv_e,
        reference_rate=r,
        rate=ratio * r,
        rate_lower95=lo95 * inv_e * r,
        rate_upper95=up95 * inv_e * r,
        rate_lower998=lo998 * inv_e * r,
        rate_upper998=up998 * inv_e * r,
        ci_method=ci_method(observed),
    )


# ---------------------------------------------------------------------------
# Rates ratios (annex section 3)
# ---------------------------------------------------------------------------


def pearson_chisq_two_groups(
    observed_a: npt.ArrayLike,
    observed_b: npt.ArrayLike,
    /,
    *,
    exposure_a: npt.ArrayLike = 1.0,
    exposure_b: npt.ArrayLike = 1.0,
) -> tuple[FloatArray, FloatArray]:
    """Pearson's chi-square (1 df) that two Poisson groups share one rate.

    Under the null the pooled events O_a + O_b split in proportion to the
    exposures: e_a = (O_a + O_b) E_a / (E_a + E_b). With equal exposures this
    is (O_a - O_b)**2 / (O_a + O_b). Returns (statistic, p-value).
    """
    oa = np.asarray(observed_a, dtype=np.float64)
    ob = np.asarray(observed_b, dtype=np.float64)
    ea = np.asarray(exposure_a, dtype=np.float64)
    eb = np.asarray(exposure_b, dtype=np.float64)
    total = oa + ob
    with np.errstate(divide="ignore", invalid="ignore"):
        exp_a = total * ea / (ea + eb)
        exp_b = total - exp_a
        chisq = (oa - exp_a) ** 2 / exp_a + (ob - exp_b) ** 2 / exp_b
    return chisq, stats.chi2.sf(chisq, 1)


def significance_stars(p: npt.ArrayLike, /) -> npt.NDArray[np.str_]:
    """'***', '**', '*' at p < 0.001, 0.01, 0.05 (annex section 3.2), else ''."""
    p = np.asarray(p, dtype=np.float64)
    return np.select([p < 0.001, p < 0.01, p < 0.05], ["***", "**", "*"], default="")


def rates_ratio_significance(
    level_rate: npt.ArrayLike, /, *, base_rate: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """The annex's convention: Pearson's chi-square on two standardised rates per 10,000.

    The two rates are treated as if they were counts observed in equal
    populations, chi-square = (r2 - r1)**2 / (r1 + r2) on 1 df. This is what
    reproduces every star in the annex's sex and deprivation tables (Tables
    1-4 of section 3; see docs/metrics.md and tests/metrics). It depends on the
    unit (per 10,000), not on how many examinations there were, so it is
    conservative for national figures; ``pearson_chisq_two_groups`` on the
    counts is the conventional test.
    """
    return pearson_chisq_two_groups(level_rate, base_rate)


@dataclass(frozen=True)
class RatesRatios:
    """One factor's rates ratios; arrays are (measures, levels)."""

    factor: str
    levels: tuple[str, ...]
    base_level: str
    observed: FloatArray
    expected: FloatArray
    national_rate: FloatArray  # (measures,), per multiplier
    std_rate: FloatArray
    rate_ratio: FloatArray
    chisq_rates: FloatArray  # NaN on the base level
    p_rates: FloatArray
    chisq_counts: FloatArray
    p_counts: FloatArray


def rates_ratios(
    counts: FloatArray, /, *, population: FloatArray, multiplier: float = 10_000.0
) -> dict[str, RatesRatios]:
    """Rates ratios by sex, IMD quintile and broad age band (annex section 3.1).

    ``counts`` is (measures, strata) and ``population`` (strata,): national
    totals, i.e. already summed over areas. For each factor the reference
    rates are the national rates by the other two factors; a level's expected
    count is those rates applied to its population, and its standardised rate
    is O/E x national rate. Age is standardised in 5-year bands (its reference
    is sex x IMD, applied band by band) and reported in broad bands.
    Base levels: F, IMD 1 (most deprived), age 0-<45.
    """
    n_m = counts.shape[0]
    c = np.asarray(counts, dtype=np.float64).reshape(n_m, N_SEXES, N_AGE_BANDS, N_IMD)
    p = np.asarray(population, dtype=np.float64).reshape(N_SEXES, N_AGE_BANDS, N_IMD)
    with np.errstate(divide="ignore", invalid="ignore"):
        national = c.sum(axis=(1, 2, 3)) / p.sum() * multiplier

    def reference(axis: int) -> FloatArray:
        # National rates by the other two factors: collapse this factor's axis.
        cp = p.sum(axis=axis - 1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(cp > 0, c.sum(axis=axis, keepdims=True) / cp, 0.0)

    results: dict[str, RatesRatios] = {}
    specs = (
        ("sex", 1, SEXES, None),
        ("imd", 3, tuple(str(q) for q in IMD_QUINTILES), None),
        ("age", 2, BROAD_AGE_BANDS, BROAD_AGE_OF_BAND),
    )
    for factor, axis, levels, grouping in specs:
        exp_cells = reference(axis) * p  # (m, 2, 19, 5)
        other = tuple(a for a in (1, 2, 3) if a != axis)
        obs = c.sum(axis=other)
        exp = exp_cells.sum(axis=other)
        if grouping is not None:
            # Sum the 5-year bands into broad bands: (m, 19) @ (19, 5).
            onehot = np.eye(len(levels))[grouping]
            obs, exp = obs @ onehot, exp @ onehot
        with np.errstate(divide="ignore", invalid="ignore"):
            std_rate = obs / exp * national[:, None]
            rate_ratio = std_rate / std_rate[:, :1]
        chisq_r, p_r = rates_ratio_significance(std_rate, base_rate=std_rate[:, :1])
        chisq_c, p_c = pearson_chisq_two_groups(
            obs, obs[:, :1], exposure_a=exp, exposure_b=exp[:, :1]
        )
        for arr in (chisq_r, p_r, chisq_c, p_c):
            arr[:, 0] = np.nan
        results[factor] = RatesRatios(
            factor=factor,
            levels=tuple(levels),
            base_level=levels[0],
            observed=obs,
            expected=exp,
            national_rate=national,
            std_rate=std_rate,
            rate_ratio=rate_ratio,
            chisq_rates=chisq_r,
            p_rates=p_r,
            chisq_counts=chisq_c,
            p_counts=p_c,
        )
    return results


# ---------------------------------------------------------------------------
# Direct standardisation
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectlyStandardised:
    """Directly standardised rates with Dobson limits; arrays of the leading shape."""

    total_count: FloatArray
    total_population: FloatArray
    value: FloatArray
    lower95: FloatArray
    upper95: FloatArray
    lower998: FloatArray
    upper998: FloatArray


def directly_standardised(
    counts: FloatArray,
    /,
    *,
    population: FloatArray,
    standard_population: npt.ArrayLike = ESP2013,
    multiplier: float = 100_000.0,
    min_count: int = 10,
) -> DirectlyStandardised:
    """Directly standardised rates (ESP 2013 by default) with Dobson limits.

    The last axis of ``counts`` and ``population`` is the standard's strata
    (19 age bands for ESP 2013); any leading axes are areas/measures. Unlike
    indirectly standardised rates these can be compared between areas.

    Dobson et al. (1991), as in PHEindicatormethods ``phe_dsr``: the limits of
    the total count O (Byar's) are carried to the rate through the variance of
    the weighted sum, DSR + sqrt(var/O) (O_limit - O). Not computed (NaN)
    when O < ``min_count``, where the method is unreliable.
    """
    c = np.asarray(counts, dtype=np.float64)
    n = np.asarray(population, dtype=np.float64)
    w = np.asarray(standard_population, dtype=np.float64)
    sum_w = w.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        dsr = (w * c / n).sum(axis=-1) / sum_w
        var = (w**2 * c / n**2).sum(axis=-1) / sum_w**2
    total = c.sum(axis=-1)
    ok = total >= min_count
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.sqrt(var / total)
    limits = []
    for conf in CONFIDENCE_LEVELS:
        for bound in (byars_lower, byars_upper):
            limits.append(
                np.where(
                    ok, (dsr + root * (bound(total, confidence=conf) - total)) * multiplier, np.nan
                )
            )
    return DirectlyStandardised(
        total_count=total,
        total_population=n.sum(axis=-1),
        value=np.where(ok, dsr * multiplier, np.nan),
        lower95=limits[0],
        upper95=limits[1],
        lower998=limits[2],
        upper998=limits[3],
    )
