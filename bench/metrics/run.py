"""Benchmark of the imaging metrics: reading, checking and computing, against pandas.

Run on demand:  python -m bench.metrics [--sizes national practice] [--dir DIR] [--repeat N]

Generates deterministic inputs (seeded): national = 42 areas x 14 measures x
190 strata (~112,000 count rows); practice = 6,300 areas (~16.8 million rows),
as CSV and as Parquet. Each measurement runs in its own child process so that
peak memory (maxrss) belongs to that method alone; the two reading paths run
alternately, N times each, and the best of each is reported with their ratio:
  streamed  what the product runs (metrics.io.read_population / read_counts):
            the file parsed a few megabytes at a time on every core, each batch
            checked and written into the dense arrays (metrics.stream)
  whole     the path before it, still the fall-back for a file with an error:
            the whole file parsed (read_*_table), then checked and laid out
            (load_*); its parse and load are shown apart
  compute   core ISR + rates ratios on the dense arrays (metrics.core)
  pandas    the same ISR + rates ratios by group-by and merge (one run)
The load average is printed with every run: the machine may be shared.
Goals (issue 18), practice level end to end (parse included): under 2 s from CSV,
under 1 s from Parquet, peak memory under 1,500 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from bench.metrics.memory import peak_mb

SIZES = {"national": 42, "practice": 6300}
MEASURES = (
    "X-ray", "Ultrasound", "CT", "MRI", "Fluoroscopy", "Nuclear Medicine", "PET", "SPECT",
    "Medical Photography", "Brain MRI", "Chest X-ray", "Chest CT",
    "Kidney or Bladder Ultrasound", "Abdomen or Pelvis Ultrasound",
)  # fmt: skip
# National rates per 10,000 (annex Tables 1-2), used to make plausible counts.
RATES = np.array([3670, 1789, 1303, 758, 150, 51, 47, 9, 10, 162, 1316, 139, 36, 209], dtype=float)


def generate(*, n_areas: int, directory: Path, seed: int = 20250401) -> tuple[Path, Path]:
    """Write population.csv and observed.csv (with a modality column) deterministically."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from metrics import core

    directory.mkdir(parents=True, exist_ok=True)
    pop_path, obs_path = directory / "population.csv", directory / "observed.csv"
    if pop_path.exists() and obs_path.exists():
        return pop_path, obs_path
    rng = np.random.default_rng(seed)
    size = rng.lognormal(np.log(1.4e6 if n_areas <= 100 else 9e3), 0.4, n_areas)
    age_profile = np.r_[np.full(13, 1.0), 0.9, 0.8, 0.6, 0.4, 0.25, 0.12]
    share = np.einsum("i,j,k->ijk", [0.505, 0.495], age_profile, np.ones(5)).ravel()
    share /= share.sum()
    pop = rng.poisson(size[:, None] * share * rng.uniform(0.6, 1.4, (n_areas, core.N_STRATA)))
    age_gradient = np.exp(np.linspace(-1, 1.2, 19))
    strat = np.einsum("i,j,k->ijk", [1.1, 0.9], age_gradient, np.linspace(1.15, 0.85, 5)).ravel()
    rate = RATES[:, None] / 1e4 * strat / (strat * share).sum()  # (m, s) per person
    effect = rng.lognormal(0, 0.1, (len(MEASURES), n_areas))
    counts = rng.poisson(pop[None] * rate[:, None, :] * effect[:, :, None])

    s = np.arange(core.N_STRATA)
    sex = np.array(core.SEXES)[s // 95]
    age = np.array(core.AGE_BANDS)[(s // 5) % 19]
    imd = s % 5 + 1
    areas = np.array([f"{'Q' if n_areas <= 100 else 'P'}{i:05d}" for i in range(n_areas)])
    a_col = np.repeat(areas, core.N_STRATA)
    pacsv.write_csv(
        pa.table({
            "area": a_col, "sex": np.tile(sex, n_areas), "age_band": np.tile(age, n_areas),
            "imd": np.tile(imd, n_areas), "population": pop.ravel(),
        }),
        pop_path,
        pacsv.WriteOptions(quoting_style="none"),
    )  # fmt: skip
    n_m = len(MEASURES)
    pacsv.write_csv(
        pa.table({
            "area": np.tile(a_col, n_m), "sex": np.tile(sex, n_areas * n_m),
            "age_band": np.tile(age, n_areas * n_m), "imd": np.tile(imd, n_areas * n_m),
            "modality": np.repeat(np.array(MEASURES), n_areas * core.N_STRATA),
            "count": counts.ravel(),
        }),
        obs_path,
        pacsv.WriteOptions(quoting_style="none"),
    )  # fmt: skip
    return pop_path, obs_path


def parquet_copies(pop_path: Path, obs_path: Path) -> tuple[Path, Path]:
    """The same inputs as Parquet (key columns dictionary-encoded, as a DID extract is)."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    out = []
    for path in (pop_path, obs_path):
        target = path.with_suffix(".parquet")
        if not target.exists():
            table = pacsv.read_csv(
                path, convert_options=pacsv.ConvertOptions(column_types={"imd": "string"})
            )
            pq.write_table(table, target)
        out.append(target)
    return out[0], out[1]


def _warm_up(io, pop_path: str, obs_path: str) -> None:
    """Pay pyarrow's one-off kernel set-up (~0.3 s on first use) before timing."""
    import pyarrow.csv as pacsv

    def head(path: str) -> pa.Table:
        with open(path, "rb") as f:
            text = b"".join(f.readline() for _ in range(191))
        return pacsv.read_csv(
            pa.BufferReader(text),
            convert_options=pacsv.ConvertOptions(
                column_types={
                    "imd": pa.string(),
                    "population": pa.float64(),
                    "count": pa.float64(),
                }
            ),
        )

    import pyarrow as pa

    pop = io.load_population(head(pop_path), path=pop_path)
    io.load_counts(head(obs_path), path=obs_path, population=pop, by="modality")


def _cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def child_ours(pop_path: str, obs_path: str, *, streamed: bool) -> dict:
    from metrics import core, io

    csv_pop, csv_obs = (str(Path(p).with_suffix(".csv")) for p in (pop_path, obs_path))
    _warm_up(io, csv_pop, csv_obs)  # the one-off kernel set-up, from the CSV heads
    t0, c0 = time.perf_counter(), _cpu_s()
    if streamed:
        pop = io.read_population(pop_path)
        obs = io.read_counts(obs_path, population=pop, by="modality")
        t1 = t2 = time.perf_counter()
    else:
        pop_t = io.read_population_table(pop_path)
        obs_t = io.read_counts_table(obs_path, by="modality")
        t1 = time.perf_counter()
        pop = io.load_population(pop_t, path=pop_path)
        obs = io.load_counts(obs_t, path=obs_path, population=pop, by="modality")
        del pop_t, obs_t
        t2 = time.perf_counter()
    isr = core.indirectly_standardised(obs.values, population=pop.values)
    rr = core.rates_ratios(obs.values.sum(axis=1), population=pop.values.sum(axis=0))
    t3 = time.perf_counter()
    return {
        "rows": int(obs.values.size + pop.values.size),
        "read_s": t2 - t0, "parse_s": t1 - t0, "load_s": t2 - t1, "compute_s": t3 - t2,
        "total_s": t3 - t0, "cpu_s": _cpu_s() - c0,
        "maxrss_mb": peak_mb(),
        "check": [float(isr.rate[2, 0]), float(rr["sex"].rate_ratio[0, 1])],
    }  # fmt: skip


def child_pandas(pop_path: str, obs_path: str) -> dict:
    """The obvious version: merge population onto counts, group-by for rates."""
    import pandas as pd

    from metrics import core

    t0 = time.perf_counter()
    pop = pd.read_csv(pop_path, engine="pyarrow", dtype={"imd": str})
    obs = pd.read_csv(obs_path, engine="pyarrow", dtype={"imd": str})
    t1 = time.perf_counter()
    keys = ["area", "sex", "age_band", "imd"]
    df = obs.merge(pop, on=keys, how="left")
    nat = df.groupby(["modality", "sex", "age_band", "imd"], as_index=False)[
        ["count", "population"]
    ].sum()
    nat["std_rate"] = nat["count"] / nat["population"]
    df = df.merge(
        nat[["modality", "sex", "age_band", "imd", "std_rate"]],
        on=["modality", "sex", "age_band", "imd"],
    )
    df["expected"] = df["population"] * df["std_rate"]
    res = df.groupby(["modality", "area"], as_index=False)[["count", "expected"]].sum()
    tot = df.groupby("modality")[["count", "population"]].sum()
    national = tot["count"] / tot["population"] * 1e4
    res["ratio"] = res["count"] / res["expected"]
    res["rate"] = res["ratio"] * res["modality"].map(national)
    for conf in core.CONFIDENCE_LEVELS:
        lo, up = core.poisson_limits(res["count"].to_numpy(), confidence=conf)
        res[f"lower{conf}"] = lo / res["expected"]
        res[f"upper{conf}"] = up / res["expected"]
    # Rates ratios, one factor at a time, the same way.
    natl = df.groupby(["modality", "sex", "age_band", "imd"], as_index=False)[
        ["count", "population"]
    ].sum()
    out = {}
    for factor, others in (
        ("sex", ["age_band", "imd"]),
        ("imd", ["sex", "age_band"]),
        ("age_band", ["sex", "imd"]),
    ):
        ref = natl.groupby(["modality", *others], as_index=False)[["count", "population"]].sum()
        ref["ref_rate"] = ref["count"] / ref["population"]
        m = natl.merge(ref[["modality", *others, "ref_rate"]], on=["modality", *others])
        m["expected"] = m["ref_rate"] * m["population"]
        g = m.groupby(["modality", factor])[["count", "expected"]].sum()
        out[factor] = g["count"] / g["expected"]
    t2 = time.perf_counter()
    r0 = res[res.modality == "CT"].iloc[0]["rate"]
    return {
        "parse_s": t1 - t0,
        "compute_s": t2 - t1,
        "maxrss_mb": peak_mb(),
        "check": [float(r0)],
    }


def _child(kind: str, pop_path: Path, obs_path: Path) -> dict:
    cmd = [sys.executable, "-m", "bench.metrics", "--child", kind, str(pop_path), str(obs_path)]
    load = os.getloadavg()[0]
    done = subprocess.run(
        cmd, capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[2]
    )
    return json.loads(done.stdout.strip().splitlines()[-1]) | {"load": load}


def _alternate(pop_path: Path, obs_path: Path, repeat: int) -> dict[str, list[dict]]:
    """The streamed and whole-table paths, alternately, ``repeat`` times each."""
    runs: dict[str, list[dict]] = {"streamed": [], "whole": []}
    for _ in range(repeat):
        for kind in runs:
            runs[kind].append(r := _child(kind, pop_path, obs_path))
            print(
                f"    {kind:8s} {r['total_s']:6.2f} s (cpu {r['cpu_s']:5.2f} s), "
                f"peak {r['maxrss_mb']:5.0f} MB, load {r['load']:.1f}",
                flush=True,
            )
    return runs


def _best(runs: list[dict]) -> dict:
    return min(runs, key=lambda r: r["total_s"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.metrics")
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--dir", default=os.environ.get("METRICS_BENCH_DIR", "/tmp/metrics-bench"))
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each reading path; the best is reported"
    )
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas comparison")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, p, o = args.child
        if kind == "pandas":
            print(json.dumps(child_pandas(p, o)))
        else:
            print(json.dumps(child_ours(p, o, streamed=kind == "streamed")))
        return
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, cpus {os.cpu_count()}")
    for name in args.sizes:
        t = time.perf_counter()
        pop_path, obs_path = generate(n_areas=SIZES[name], directory=Path(args.dir) / name)
        ppop, pobs = parquet_copies(pop_path, obs_path)
        print(
            f"\n{name}: {SIZES[name]} areas x {len(MEASURES)} measures "
            f"(inputs ready in {time.perf_counter() - t:.1f} s)"
        )
        results = {}
        for label, (p, o) in (("CSV", (pop_path, obs_path)), ("Parquet", (ppop, pobs))):
            print(f"  from {label}, {args.repeat} alternating runs each:")
            results[label] = _alternate(p, o, args.repeat)
        ours, whole = _best(results["CSV"]["streamed"]), _best(results["CSV"]["whole"])
        print(f"  rows (counts + population): {ours['rows']:,}")
        print(
            f"  streamed read (parse, checks, dense): {ours['read_s'] * 1e3:7.1f} ms "
            f"({ours['rows'] / ours['read_s']:,.0f} rows/s)"
        )
        print(
            f"  whole-table read: parse {whole['parse_s'] * 1e3:.1f} ms + "
            f"load {whole['load_s'] * 1e3:.1f} ms"
        )
        print(f"  compute (core):                       {ours['compute_s'] * 1e3:7.1f} ms")
        goals = {"CSV": 2.0, "Parquet": 1.0}
        for label, runs in results.items():
            new, old = _best(runs["streamed"]), _best(runs["whole"])
            goal = goals[label]
            if name == "practice":  # the goals are set for the practice level
                verdict = "met" if new["total_s"] < goal and new["maxrss_mb"] < 1500 else "NOT met"
                print(
                    f"  GOAL end to end from {label}: {new['total_s']:.2f} s (goal < {goal:.0f} s), "
                    f"peak {new['maxrss_mb']:.0f} MB (goal < 1500 MB): {verdict}"
                )
            else:
                print(
                    f"  end to end from {label}: {new['total_s']:.2f} s, "
                    f"peak {new['maxrss_mb']:.0f} MB"
                )
            print(
                f"       whole-table path: {old['total_s']:.2f} s, peak {old['maxrss_mb']:.0f} MB; "
                f"streamed / whole time {new['total_s'] / old['total_s']:.2f}, "
                f"memory {new['maxrss_mb'] / old['maxrss_mb']:.2f}"
            )
        if not args.no_pandas:
            theirs = _child("pandas", pop_path, obs_path)
            rel = abs(ours["check"][0] / theirs["check"][0] - 1)
            pandas_total = theirs["parse_s"] + theirs["compute_s"]
            print(
                f"  pandas: parse {theirs['parse_s'] * 1e3:.1f} ms + merge/group-by "
                f"{theirs['compute_s'] * 1e3:.1f} ms = {pandas_total:.2f} s, "
                f"peak {theirs['maxrss_mb']:.0f} MB"
            )
            print(
                f"  speed-up over pandas end to end (from CSV): "
                f"{pandas_total / ours['total_s']:.1f}x; core compute alone "
                f"{theirs['compute_s'] / ours['compute_s']:.0f}x; "
                f"agreement (one ISR rate): relative {rel:.1e}"
            )
        print(f"  load average now: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
