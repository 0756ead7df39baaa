"""Command line for the imaging metrics: a contract other tools rely on.

    python -m metrics isr          --population P.csv --observed O.csv [--by modality] --out F.csv
    python -m metrics rates-ratios --population P.csv --observed O.csv [--by modality] --out F.csv
                                   [--annex tables.csv]
    python -m metrics dsr          --population P.csv --observed O.csv [--by modality] --out F.csv
    python -m metrics aggregate    --records R.csv --out counts.csv --dropped dropped.csv
                                   [--by modality] [--imd-lookup lsoa_imd.csv]

Any input may be Parquet instead of CSV (by its ``.parquet`` extension).

Column names and order are fixed (see docs/metrics.md); floats are written at
full precision (repr). Bad input exits with status 1 and one line on stderr
naming file, line and field.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import numpy as np

from metrics import core
from metrics.io import (
    InputError,
    format_column,
    physical_lines,
    read_counts,
    read_population,
    write_csv,
    write_rows,
)
from metrics.records import aggregate_records

MULTIPLIER = 10_000.0

ISR_COLUMNS: tuple[str, ...] = (
    "observed", "expected", "ratio",
    "ratio_lower95", "ratio_upper95", "ratio_lower998", "ratio_upper998",
    "national_rate_per_10000", "rate_per_10000",
    "rate_lower95", "rate_upper95", "rate_lower998", "rate_upper998",
    "ci_method",
)  # fmt: skip

RATES_RATIOS_COLUMNS: tuple[str, ...] = (
    "factor", "level", "base_level", "observed", "expected",
    "national_rate_per_10000", "std_rate_per_10000", "rate_ratio",
    "chisq_rates", "p_rates", "sig_rates", "chisq_counts", "p_counts", "sig_counts",
)  # fmt: skip


DSR_COLUMNS: tuple[str, ...] = (
    "observed", "population", "dsr_per_10000",
    "dsr_lower95", "dsr_upper95", "dsr_lower998", "dsr_upper998",
)  # fmt: skip


def _counts_column(values: np.ndarray) -> list[str]:
    """Observed counts are whole numbers: write them as such."""
    return [str(int(x)) for x in values.tolist()]


def run_isr(*, population: str, observed: str, by: str | None, out: str) -> None:
    pop = read_population(population)
    counts = read_counts(observed, population=pop, by=by)
    res = core.indirectly_standardised(counts.values, population=pop.values, multiplier=MULTIPLIER)
    n_m, n_a = res.observed.shape
    keys = [format_column(np.repeat(counts.measures, n_a))] if by else []
    keys.append(format_column(np.tile(pop.areas, n_m)))
    flat = {name: getattr(res, name).ravel() for name in ("expected", "ratio", "rate")}
    cols = [
        _counts_column(res.observed.ravel()),
        format_column(flat["expected"]),
        format_column(flat["ratio"]),
        *(
            format_column(getattr(res, f"ratio_{b}").ravel())
            for b in ("lower95", "upper95", "lower998", "upper998")
        ),
        format_column(np.repeat(res.reference_rate, n_a)),
        format_column(flat["rate"]),
        *(
            format_column(getattr(res, f"rate_{b}").ravel())
            for b in ("lower95", "upper95", "lower998", "upper998")
        ),
        format_column(res.ci_method.ravel()),
    ]
    write_csv(out, ([by] if by else []) + ["area", *ISR_COLUMNS], keys + cols)


def annex_tables(results: dict, measures: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """The annex's layout (its Tables 1-6): one row per factor and level, one column per
    measure, each cell the rates ratio to 2 decimals with its stars (``0.80***``)."""
    header = ["factor", "level", *(m or "all" for m in measures)]
    rows = []
    for factor in core.RATES_RATIO_FACTORS:
        r = results[factor]
        for j, level in enumerate(r.levels):
            row = [factor, level]
            for m in range(len(measures)):
                stars = "" if j == 0 else str(core.significance_stars(r.p_rates[m])[j])
                ratio = r.rate_ratio[m, j]
                row.append("" if ratio != ratio else f"{ratio:.2f}{stars}")
            rows.append(row)
    return header, rows


def run_rates_ratios(
    *, population: str, observed: str, by: str | None, out: str, annex: str | None = None
) -> None:
    pop = read_population(population)
    counts = read_counts(observed, population=pop, by=by)
    results = core.rates_ratios(
        counts.values.sum(axis=1), population=pop.values.sum(axis=0), multiplier=MULTIPLIER
    )
    rows: list[list[str]] = []

    def num(x: float) -> str:
        return "" if x != x else repr(float(x))

    for m, measure in enumerate(counts.measures.tolist()):
        for factor in core.RATES_RATIO_FACTORS:
            r = results[factor]
            sig_r = core.significance_stars(r.p_rates[m])
            sig_c = core.significance_stars(r.p_counts[m])
            for j, level in enumerate(r.levels):
                base = j == 0
                row = [measure] if by else []
                row += [
                    factor,
                    level,
                    r.base_level,
                    str(int(r.observed[m, j])),
                    num(r.expected[m, j]),
                ]
                row += [num(r.national_rate[m]), num(r.std_rate[m, j]), num(r.rate_ratio[m, j])]
                if base:
                    row += ["", "", "", "", "", ""]
                else:
                    row += [num(r.chisq_rates[m, j]), num(r.p_rates[m, j]), str(sig_r[j])]
                    row += [num(r.chisq_counts[m, j]), num(r.p_counts[m, j]), str(sig_c[j])]
                rows.append(row)
    write_rows(out, ([by] if by else []) + list(RATES_RATIOS_COLUMNS), rows)
    if annex:
        write_rows(annex, *annex_tables(results, counts.measures.tolist()))


def run_dsr(*, population: str, observed: str, by: str | None, out: str) -> None:
    """Directly standardised rates per area (ESP 2013 over the 19 age bands, Dobson limits).

    Counts and population are summed over sex and IMD quintile within each age band; an
    area with fewer than 10 observed has no rate (empty), as in PHE's method.
    """
    pop = read_population(population)
    counts = read_counts(observed, population=pop, by=by)
    n_m, n_a = counts.values.shape[:2]
    by_age = (core.N_SEXES, core.N_AGE_BANDS, core.N_IMD)
    c = counts.values.reshape(n_m, n_a, *by_age).sum(axis=(2, 4))
    p = pop.values.reshape(n_a, *by_age).sum(axis=(1, 3))
    res = core.directly_standardised(c, population=p[None], multiplier=MULTIPLIER)
    keys = [format_column(np.repeat(counts.measures, n_a))] if by else []
    keys.append(format_column(np.tile(pop.areas, n_m)))
    cols = [
        _counts_column(res.total_count.ravel()),
        format_column(res.total_population.ravel()),
        *(
            format_column(getattr(res, name).ravel())
            for name in ("value", "lower95", "upper95", "lower998", "upper998")
        ),
    ]
    write_csv(out, ([by] if by else []) + ["area", *DSR_COLUMNS], keys + cols)


def run_aggregate(
    *, records: str, out: str, dropped: str, by: str | None, imd_lookup: str | None = None
) -> None:
    agg = aggregate_records(records, by=by, imd_lookup=imd_lookup)
    write_rows(out, agg.header, agg.rows)
    write_rows(dropped, agg.dropped_header, agg.dropped_rows)
    pct = 100.0 * agg.dropped / agg.records if agg.records else 0.0
    print(
        f"{records}: dropped {agg.dropped} of {agg.records} records ({pct:.1f}%) with a missing "
        f"or not-known field; per area and reason in {dropped}",
        file=sys.stderr,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m metrics", description="Imaging metrics (DID standardised rates)."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("isr", "indirectly standardised ratios and rates per 10,000 by area"),
        ("rates-ratios", "rates ratios by sex, IMD quintile and age band"),
        ("dsr", "directly standardised rates per 10,000 by area (ESP 2013, Dobson limits)"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--population", required=True, help="area,sex,age_band,imd,population")
        p.add_argument("--observed", required=True, help="area,sex,age_band,imd[,modality],count")
        p.add_argument("--by", default=None, help="measure column to split by, e.g. modality")
        p.add_argument("--out", required=True)
        if name == "rates-ratios":
            p.add_argument(
                "--annex",
                default=None,
                help="also write the annex's tables: factor, level, one column per measure",
            )
    p = sub.add_parser("aggregate", help="count record-level extracts, reporting dropped records")
    p.add_argument(
        "--records",
        required=True,
        help="one row per examination: area,sex,age_band|age,imd|lsoa[,modality]",
    )
    p.add_argument("--out", required=True)
    p.add_argument("--dropped", required=True)
    p.add_argument("--by", default=None)
    p.add_argument(
        "--imd-lookup",
        default=None,
        help="CSV of lsoa,imd_decile: records give lsoa, mapped to IMD quintiles",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "isr":
            run_isr(population=args.population, observed=args.observed, by=args.by, out=args.out)
        elif args.command == "rates-ratios":
            run_rates_ratios(
                population=args.population,
                observed=args.observed,
                by=args.by,
                out=args.out,
                annex=args.annex,
            )
        elif args.command == "dsr":
            run_dsr(population=args.population, observed=args.observed, by=args.by, out=args.out)
        else:
            run_aggregate(
                records=args.records,
                out=args.out,
                dropped=args.dropped,
                by=args.by,
                imd_lookup=args.imd_lookup,
            )
    except InputError as err:
        print(str(physical_lines(err)), file=sys.stderr)
        return 1
    except OSError as err:
        print(f"{err.filename}: {err.strerror}", file=sys.stderr)
        return 1
    return 0
