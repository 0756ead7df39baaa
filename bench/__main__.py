"""``make bench`` / ``python -m bench``: the benchmarks, each run on its own.

Each takes minutes and most build a throwaway PostgreSQL database, so none runs by default:
this lists them with the command that runs each. Every one prints its figures beside the
obvious implementation or its target (a GOAL or "target" line).
"""

BENCHES = [
    ("bench.requests", "request register: the changelist over 20,000 requests (queries, ms)"),
    ("bench.statistics", "FOI statistics over 200,000 requests, against a per-row loop"),
    ("bench.contracts", "importing 100,000 spend rows and 10,000 contracts; expiring view"),
    ("bench.metrics --sizes practice", "imaging metrics at practice level (CSV, Parquet)"),
    ("bench.metrics.records --millions 10", "aggregating records, against DuckDB"),
    ("bench.letters", "200 letters issued as PDFs: letters per second, peak memory"),
    ("bench.disclosure", "disclosure log search and list over 100,000 published responses"),
    ("bench.disclosure.suggestions", "the request form's suggestions over 100,000"),
    ("bench.disclosure_log_import", "importing a past disclosure log of 2,000 requests"),
    ("bench.production", "gunicorn with production settings against runserver, under load"),
    ("bench.intake", "one new request against 50,000 earlier ones (round robins, rewordings)"),
    ("bench/intake_matching.py", "matcher precision and recall on the labelled texts"),
    ("bench/intake_embedding.py", "the same with all-MiniLM-L6-v2 (an experiment)"),
]


def main() -> None:
    print(__doc__.strip().splitlines()[0])
    print("Run one with DATABASE_URL set to PostgreSQL, from the repository root:\n")
    for name, what in BENCHES:
        command = f"python {name}" if name.endswith(".py") else f"python -m {name}"
        print(f"  {command:42} {what}")


if __name__ == "__main__":
    main()
