"""Request register benchmark: 20,000 requests in PostgreSQL.

Prints the admin changelist's query count at several page sizes (it must not grow with the
page size) and its time per page, and the time to recompute every open request's due dates
after a holiday is proclaimed, against the obvious implementation (one request at a time,
each read, recomputed and saved on its own).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test python -m bench.requests [--requests N]
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import time

from bench import dataset

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TEST_DATABASE_NAME", "bench_requests")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20_000)
    args = parser.parse_args()

    dataset.in_throwaway_database(lambda: run(args.requests))


def run(n: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from foiregister import calendar
    from foiregister.requests import selectors, services
    from foiregister.requests.models import ProclaimedHoliday, Request

    rng = random.Random(20)
    (org,) = dataset.organisations()
    admin = get_user_model().objects.create_superuser("bench", "b@x.invalid", "pw")
    requester = dataset.requester(org)
    today = selectors.local_today()
    cal = selectors.working_day_calendar()
    t0 = time.perf_counter()
    rows = []
    for i in range(n):
        rows.append(
            dataset.request(
                i,
                organisation=org,
                received=today - datetime.timedelta(days=rng.randint(0, 60)),
                uk_calendar=cal,
                requester=requester,
                assignee=admin if i % 2 else None,
            )
        )
    Request.objects.bulk_create(rows, batch_size=2000)
    print(f"created {n} requests in {time.perf_counter() - t0:.1f} s")

    client = dataset.signed_in_client(admin)
    print("\nAdmin changelist (/admin/foiregister/request/)")
    print(f"{'page size':>10} {'queries':>8} {'p50 ms':>8} {'max ms':>8}")
    from foiregister.requests.admin.requests import RequestAdmin

    for size in (25, 50, 100, 200):
        RequestAdmin.list_per_page = size
        client.get("/admin/foiregister/request/")
        times = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                t = time.perf_counter()
                response = client.get("/admin/foiregister/request/")
                times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        print(f"{size:>10} {len(queries):>8} {statistics.median(times):>8.1f} {max(times):>8.1f}")
    RequestAdmin.list_per_page = 50

    open_count = selectors.open_requests().count()
    print(f"\nRecompute after a holiday is proclaimed ({open_count} open requests)")
    day = calendar.add_working_days(today, 5, calendar=cal)
    t = time.perf_counter()
    _, changed = services.add_proclaimed_holiday(date=day, name="Bench day", by=admin)
    ours = time.perf_counter() - t
    print(f"  service (bulk, audited):      {ours:7.2f} s  ({changed} requests changed)")
    ProclaimedHoliday.objects.all().delete()
    t = time.perf_counter()
    for request in Request.objects.all():  # the obvious way: one request at a time
        services._recompute(request)
    obvious = time.perf_counter() - t
    print(f"  obvious (per-request saves):  {obvious:7.2f} s  (not audited)")
    print(f"  ratio obvious / service:      {obvious / ours:7.1f}x")


if __name__ == "__main__":
    main()
