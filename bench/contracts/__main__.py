"""Import 100,000 spend rows and 10,000 contracts; render the expiring view over 10,000.

Run on demand against a scratch PostgreSQL database (it creates and drops its own test
database, like pytest does):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test python -m bench.contracts

Prints wall time, peak resident memory (getrusage; tracemalloc slowed the run too much) and,
for the expiring view, the number of queries. The per-row import it replaced
(``bench/contracts/obvious.py``) runs on smaller files (``BENCH_OBVIOUS_CONTRACTS``,
``BENCH_OBVIOUS_SPEND``; 0 to skip) for a per-row ratio, since at full size it takes over
15 minutes. Not collected by pytest (it lives outside ``tests/``).
"""

from __future__ import annotations

import datetime
import io
import os
import resource
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TEST_DATABASE_NAME", "test_bench_contracts")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

CONTRACTS = int(os.environ.get("BENCH_CONTRACTS", 10_000))
SPEND = int(os.environ.get("BENCH_SPEND", 100_000))
OBVIOUS_CONTRACTS = int(os.environ.get("BENCH_OBVIOUS_CONTRACTS", 1_000))
OBVIOUS_SPEND = int(os.environ.get("BENCH_OBVIOUS_SPEND", 3_000))


PER_ROW: dict[str, float] = {}  # label -> ms a row, for the ratios


def measure(label, fn, key=None):
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    per_row = elapsed / max(result.rows, 1) * 1000
    if key:
        PER_ROW[key] = per_row
    print(
        f"{label}: {elapsed:.1f} s ({per_row:.2f} ms/row), peak RSS so far {peak:.0f} MB",
        flush=True,
    )
    return result


def ratio(name: str) -> None:
    if f"obvious {name}" in PER_ROW and name in PER_ROW:
        print(
            f"  {name}: per-row import {PER_ROW[f'obvious {name}']:.2f} ms/row, bulk "
            f"{PER_ROW[name]:.2f} ms/row: {PER_ROW[f'obvious {name}'] / PER_ROW[name]:.0f}x",
            flush=True,
        )


def contracts_csv(n: int) -> bytes:
    out = io.StringIO()
    out.write("reference,supplier,title,kind,payment_basis,categories,value,start_date,end_date\n")
    start = datetime.date(2024, 4, 1)
    for i in range(n):
        end = start + datetime.timedelta(days=30 + (i * 7) % 1500)
        out.write(
            f"BENCH-{i:06d},Bench Supplier {i % 200},Imaging service {i},independent_sector,"
            f"annual,{('ct', 'mri', 'nous')[i % 3]},{1000 + i}.00,{start},{end}\n"
        )
    return out.getvalue().encode()


def spend_csv(n: int) -> bytes:
    out = io.StringIO()
    out.write("reference,financial_year,kind,amount,source,supplier,category\n")
    for i in range(n):
        year = 2015 + i % 10
        out.write(
            f"S-{i:07d},{year}/{(year + 1) % 100:02d},insourcing,{i % 9000}.25,ledger,"
            f"Bench Insourcer {i % 500},cardiology\n"
        )
    return out.getvalue().encode()


def _admin_sql(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


def _recreate(name: str) -> None:
    """A scratch database migrated from scratch (only apps with migrations; the test
    runner's syncdb would trip over apps still without them)."""
    _drop(name)
    _admin_sql(f'CREATE DATABASE "{name}"')


def _drop(name: str) -> None:
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}"')


def main() -> int:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.contracts import obvious
    from contracts import imports
    from foiregister.kernel.models import Organisation
    from foiregister.kernel.roles import ensure_roles

    setup_test_environment()
    old = connection.settings_dict["NAME"]
    bench_db = os.environ["TEST_DATABASE_NAME"]
    _recreate(bench_db)
    connection.close()
    connection.settings_dict["NAME"] = bench_db
    call_command("migrate", verbosity=0)
    try:
        ensure_roles()
        org = Organisation.objects.create(name="Bench ICB", ods_code="QXX", kind="icb")
        user = get_user_model().objects.create_superuser("bench", "bench@example.invalid", "x")
        data = contracts_csv(CONTRACTS)
        result = measure(
            f"import {CONTRACTS:,} contracts (first time)",
            lambda: imports.commit(
                content=data, filename="contracts.csv", kind="contracts", organisation=org, by=user
            ),
            key="contracts",
        )
        print(f"  created {result.created:,}")
        result = measure(
            f"re-import {CONTRACTS:,} contracts (unchanged)",
            lambda: imports.commit(
                content=data, filename="contracts.csv", kind="contracts", organisation=org, by=user
            ),
        )
        print(f"  unchanged {result.unchanged:,}")
        changed = data.replace(b"Imaging service", b"Imaging services")
        result = measure(
            f"re-import {CONTRACTS:,} contracts (every title changed)",
            lambda: imports.commit(
                content=changed,
                filename="contracts.csv",
                kind="contracts",
                organisation=org,
                by=user,
            ),
        )
        print(f"  updated {result.updated:,}")
        client = Client()
        client.force_login(user)
        for run in (1, 2):
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get("/admin/contracts/contract/expiring/?today=2026-01-01")
                elapsed = time.perf_counter() - started
            listed = response.context["result"].count
            shown = sum(len(section["contracts"]) for section in response.context["sections"])
            print(
                f"expiring view over {CONTRACTS:,} contracts (run {run}): {elapsed:.2f} s, "
                f"{len(queries)} queries, {listed:,} contracts listed, {shown:,} on the page, "
                f"HTTP {response.status_code}"
            )
        data = spend_csv(SPEND)
        result = measure(
            f"import {SPEND:,} spend rows",
            lambda: imports.commit(
                content=data, filename="spend.csv", kind="spend", organisation=org, by=user
            ),
            key="spend",
        )
        print(f"  created {result.created:,}")
        result = measure(
            f"re-import {SPEND:,} spend rows (unchanged)",
            lambda: imports.commit(
                content=data, filename="spend.csv", kind="spend", organisation=org, by=user
            ),
        )
        print(f"  unchanged {result.unchanged:,}")
        other = Organisation.objects.create(name="Bench Trust", ods_code="RXX", kind="trust")
        if OBVIOUS_CONTRACTS:
            data = contracts_csv(OBVIOUS_CONTRACTS)
            measure(
                f"obvious: per-row import of {OBVIOUS_CONTRACTS:,} contracts",
                lambda: obvious.commit(
                    content=data,
                    filename="contracts.csv",
                    kind="contracts",
                    organisation=other,
                    by=user,
                ),
                key="obvious contracts",
            )
        if OBVIOUS_SPEND:
            data = spend_csv(OBVIOUS_SPEND).replace(b"S-", b"T-")
            measure(
                f"obvious: per-row import of {OBVIOUS_SPEND:,} spend rows",
                lambda: obvious.commit(
                    content=data, filename="spend.csv", kind="spend", organisation=other, by=user
                ),
                key="obvious spend",
            )
        ratio("contracts")
        ratio("spend")
    finally:
        connection.close()
        connection.settings_dict["NAME"] = old
        _drop(bench_db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
