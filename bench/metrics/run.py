"""Benchmark of the imaging metrics core against the obvious pandas version.

Run on demand:  python -m bench.metrics [--sizes national practice] [--dir DIR]

Generates deterministic inputs (seeded): national = 42 areas x 14 measures x
190 strata (~112,000 count rows); practice = 6,300 areas (~16.8 million rows).
Each measurement runs in its own child process so that peak memory (maxrss)
belongs to that method alone. Reported per size:
  parse    pyarrow.csv of both files (rows per second)
  load     checks, factorising keys, dense arrays (metrics.io.load_*)
  compute  core ISR + rates ratios on the dense arrays (metrics.core)
  pandas   the same ISR + rates ratios by group-by and merge, from DataFrames
           already parsed (its parse time is shown separately)
The speed-up compares like with like: load + compute against pandas' merge,
group-by and compute, both starting from parsed columns.
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


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


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


def child_ours(pop_path: str, obs_path: str) -> dict:
    from metrics import core, io

    csv_pop, csv_obs = (str(Path(p).with_suffix(".csv")) for p in (pop_path, obs_path))
    _warm_up(io, csv_pop, csv_obs)  # the one-off kernel set-up, from the CSV heads
    t0 = time.perf_counter()
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
        "parse_s": t1 - t0, "load_s": t2 - t1, "compute_s": t3 - t2,
        "maxrss_mb": _maxrss_mb(),
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
        "maxrss_mb": _maxrss_mb(),
        "check": [float(r0)],
    }


def _child(kind: str, pop_path: Path, obs_path: Path) -> dict:
    cmd = [sys.executable, "-m", "bench.metrics", "--child", kind, str(pop_path), str(obs_path)]
    done = subprocess.run(
        cmd, capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[2]
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.metrics")
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--dir", default=os.environ.get("METRICS_BENCH_DIR", "/tmp/metrics-bench"))
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per method; the best is reported"
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, p, o = args.child
        print(json.dumps((child_ours if kind == "ours" else child_pandas)(p, o)))
        return
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, cpus {os.cpu_count()}")
    for name in args.sizes:
        t = time.perf_counter()
        pop_path, obs_path = generate(n_areas=SIZES[name], directory=Path(args.dir) / name)
        print(
            f"\n{name}: {SIZES[name]} areas x {len(MEASURES)} measures (inputs ready in {time.perf_counter() - t:.1f} s)"
        )
        ours = min(
            (_child("ours", pop_path, obs_path) for _ in range(args.repeat)),
            key=lambda r: r["load_s"] + r["compute_s"],
        )
        theirs = min(
            (_child("pandas", pop_path, obs_path) for _ in range(args.repeat)),
            key=lambda r: r["compute_s"],
        )
        ppop, pobs = parquet_copies(pop_path, obs_path)
        ours_pq = _child("ours", ppop, pobs)  # one run: the machine is shared
        rel = abs(ours["check"][0] / theirs["check"][0] - 1)
        print(f"  rows (counts + population): {ours['rows']:,}")
        print(
            f"  parse (pyarrow.csv):  {ours['parse_s'] * 1e3:9.1f} ms  ({ours['rows'] / ours['parse_s']:,.0f} rows/s)"
        )
        print(f"  load (checks, dense): {ours['load_s'] * 1e3:9.1f} ms")
        print(f"  compute (core):       {ours['compute_s'] * 1e3:9.1f} ms")
        print(f"  peak memory:          {ours['maxrss_mb']:9.0f} MB")
        print(f"  pandas parse:         {theirs['parse_s'] * 1e3:9.1f} ms")
        print(
            f"  pandas merge+groupby: {theirs['compute_s'] * 1e3:9.1f} ms, peak {theirs['maxrss_mb']:.0f} MB"
        )
        ratio = theirs["compute_s"] / (ours["load_s"] + ours["compute_s"])
        core_ratio = theirs["compute_s"] / ours["compute_s"]
        print(f"  speed-up: {ratio:.1f}x (load + compute), {core_ratio:.0f}x (core compute alone)")
        print(f"  agreement with pandas (one ISR rate): relative {rel:.1e}")
        for label, r, goal in (("CSV", ours, 2.0), ("Parquet", ours_pq, 1.0)):
            total = r["parse_s"] + r["load_s"] + r["compute_s"]
            print(
                f"  end to end from {label}: {total:.2f} s (goal < {goal:.0f} s: "
                f"{total / goal:.2f} of it), peak {r['maxrss_mb']:.0f} MB (goal < 1500 MB)"
            )
        pandas_total = theirs["parse_s"] + theirs["compute_s"]
        print(f"  pandas end to end: {pandas_total:.2f} s, peak {theirs['maxrss_mb']:.0f} MB")
        print(f"  load average now: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
