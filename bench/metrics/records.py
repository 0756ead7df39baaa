"""Benchmark of record-level aggregation: ours (metrics.records) against DuckDB and Polars.

Run on demand:  python -m bench.metrics.records [--millions 10 50] [--dir DIR] [--format csv]

Writes a deterministic extract of N million examinations (area of 42, sex with 1% not
known or blank, age band, IMD with 1% blank, 7 modalities) with DuckDB, then times, each
in its own child process so that peak memory (maxrss) is that method's alone:
  ours    python -m metrics aggregate's function: counts + dropped-records report
  duckdb  read_csv + GROUP BY of the five columns, to Arrow
  polars  scan_csv + group_by().len(), streaming engine
The three run alternately, --repeat times each (default 3); every run is printed with
its CPU time and the load average, and the best time of each gives the ratios. CPU time
(user + system) moves less than wall time on a shared machine.
Goal (issue 18): ours within 10% of DuckDB's time, peak memory under 1 GB at 50 million.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.metrics.memory import peak_mb

COLUMNS = ["area", "sex", "age_band", "imd", "modality"]


def generate(n: int, path: Path) -> Path:
    import duckdb

    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    bands = ", ".join(f"'{a}-{a + 4}'" for a in range(0, 90, 5)) + ", '90+'"
    mods = "'X-ray', 'Ultrasound', 'CT', 'MRI', 'Fluoroscopy', 'Nuclear Medicine', 'PET'"
    fmt = "(FORMAT parquet)" if path.suffix == ".parquet" else "(HEADER)"
    tmp = path.with_suffix(path.suffix + ".part")
    duckdb.sql(f"""
        COPY (
          SELECT 'Q' || lpad(CAST(hash(i, 1) % 42 AS VARCHAR), 5, '0') AS area,
                 CASE WHEN hash(i, 2) % 1000 < 520 THEN 'F' WHEN hash(i, 2) % 1000 < 990 THEN 'M'
                      WHEN hash(i, 2) % 1000 < 995 THEN 'U' ELSE NULL END AS sex,
                 [{bands}][CAST(hash(i, 3) % 19 AS BIGINT) + 1] AS age_band,
                 CASE WHEN hash(i, 4) % 100 = 0 THEN NULL
                      ELSE CAST(hash(i, 5) % 5 + 1 AS VARCHAR) END AS imd,
                 [{mods}][CAST(hash(i, 6) % 7 AS BIGINT) + 1] AS modality
          FROM range({n}) t(i)
        ) TO '{tmp}' {fmt}
    """)  # fmt: skip
    tmp.rename(path)
    return path


def child(kind: str, path: str) -> dict:
    """One method on one file, timed after its imports (a second or more on a busy machine)."""
    if kind == "ours":
        from metrics.records import aggregate_records
    elif kind == "duckdb":
        import duckdb
    else:
        import polars as pl
    t0, c0 = time.perf_counter(), _cpu_s()
    if kind == "ours":
        agg = aggregate_records(path, by="modality")
        check = [len(agg.rows), agg.records, agg.dropped]
    elif kind == "duckdb":
        src = (
            f"read_parquet('{path}')"
            if path.endswith(".parquet")
            else (f"read_csv('{path}', header = true, all_varchar = true)")
        )
        t = duckdb.sql(f"SELECT {', '.join(COLUMNS)}, count(*) AS n FROM {src} GROUP BY ALL")
        table = t.to_arrow_table()
        check = [table.num_rows]
    else:
        scan = (
            pl.scan_parquet(path)
            if path.endswith(".parquet")
            else pl.scan_csv(path, infer_schema=False)
        )
        df = scan.group_by(COLUMNS).len().collect(engine="streaming")
        check = [df.height]
    s = time.perf_counter() - t0
    return {"s": s, "cpu_s": _cpu_s() - c0, "maxrss_mb": peak_mb(), "check": check}


def _cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _child(kind: str, path: Path) -> dict:
    cmd = [sys.executable, "-m", "bench.metrics.records", "--child", kind, str(path)]
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=root)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.metrics.records")
    parser.add_argument("--millions", nargs="+", type=int, default=[10])
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    parser.add_argument("--dir", default=os.environ.get("METRICS_BENCH_DIR", "/tmp/metrics-bench"))
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; best reported")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    free = shutil.disk_usage(Path(args.dir).parent if not Path(args.dir).exists() else args.dir)
    print(
        f"python {sys.version.split()[0]}, cpus {os.cpu_count()}, free disk {free.free / 1e9:.0f} GB"
    )
    for m in args.millions:
        need = m * 30e6 if args.format == "csv" else m * 4e6
        if free.free < 3 * need:
            print(f"\n{m} million: skipped, {need / 1e9:.1f} GB file and too little free disk")
            continue
        t = time.perf_counter()
        path = generate(m * 1_000_000, Path(args.dir) / f"records-{m}m.{args.format}")
        size = path.stat().st_size / 1e6
        print(
            f"\n{m} million records, {args.format} {size:,.0f} MB (ready in {time.perf_counter() - t:.1f} s)"
        )
        runs: dict[str, list[dict]] = {"ours": [], "duckdb": [], "polars": []}
        for _ in range(args.repeat):
            for kind, done in runs.items():
                load = os.getloadavg()[0]
                done.append(r := _child(kind, path))
                print(
                    f"  {kind:7s} {r['s']:7.2f} s (cpu {r['cpu_s']:5.2f} s)  "
                    f"peak {r['maxrss_mb']:6.0f} MB   (load {load:.1f})",
                    flush=True,
                )
        ours, duck, pol = (min(runs[k], key=lambda r: r["s"]) for k in runs)
        ratio = ours["s"] / duck["s"]
        cpu = sum(r["cpu_s"] for r in runs["ours"]) / sum(r["cpu_s"] for r in runs["duckdb"])
        print(
            f"  best of {args.repeat}: ours {ours['s']:.2f} s, duckdb {duck['s']:.2f} s, "
            f"polars {pol['s']:.2f} s"
        )
        verdict = "met" if ratio <= 1.10 else "NOT met"
        print(
            f"  GOAL ours / duckdb time: {ratio:.2f} (goal <= 1.10): {verdict}; "
            f"CPU time ratio {cpu:.2f}"
        )
        print(f"  ours / polars time: {ours['s'] / pol['s']:.2f}")
        peak = max(r["maxrss_mb"] for r in runs["ours"])
        print(
            f"  peak memory: ours {peak:.0f} MB (goal < 1000 MB at 50 million), duckdb "
            f"{duck['maxrss_mb']:.0f} MB, polars {pol['maxrss_mb']:.0f} MB"
        )
        print(f"  records {ours['check'][1]:,}, dropped {ours['check'][2]:,}")
        print(f"  load average now: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
