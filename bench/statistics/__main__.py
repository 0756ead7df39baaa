"""FOI statistics benchmark: 200,000 requests over five years (PostgreSQL).

Builds four organisations' requests received over 2021-2025 with their timelines
(clarifications, fees, extensions, responses, withdrawals, reviews) and exemptions, then
times ``statistics.foi_statistics`` for every organisation-year (goal: under 1 s each)
against the obvious Python loop (``bench/statistics/obvious.py``), and checks that both
give the same figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test python -m bench.statistics \
        [--requests 200000] [--obvious-years 2]
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics as stats
import time

from bench import dataset

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TEST_DATABASE_NAME", "bench_statistics")

YEARS = (2021, 2022, 2023, 2024, 2025)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--organisations", type=int, default=4)
    parser.add_argument(
        "--obvious-years", type=int, default=2, help="organisation-years timed the obvious way"
    )
    args = parser.parse_args()

    dataset.in_throwaway_database(lambda: run(args))


def build(n: int, organisations: int) -> list:
    from foiregister import calendar
    from foiregister.requests import selectors
    from foiregister.requests.models import Exemption, Question, Request, RequestEvent

    E = RequestEvent.Kind
    rng = random.Random(16)
    cal = selectors.working_day_calendar()
    orgs = dataset.organisations(organisations)
    exemptions = list(Exemption.objects.values_list("pk", flat=True))
    outcomes = [o for o in Request.Outcome.values if o not in ("", "lapsed", "withdrawn")]
    start = datetime.date(YEARS[0], 1, 1)
    span = (datetime.date(YEARS[-1], 12, 31) - start).days
    as_of = datetime.date(YEARS[-1] + 1, 3, 31)
    t0 = time.perf_counter()
    requests, timelines = [], []
    for i in range(n):
        received = start + datetime.timedelta(days=rng.randint(0, span))
        regime = rng.choices(("foi", "eir", "sar"), (90, 7, 3))[0]
        ev: list[tuple[str, datetime.date, str]] = []
        day = received
        ended = False
        if rng.random() < 0.10:
            day += datetime.timedelta(days=rng.randint(1, 5))
            ev.append((E.CLARIFICATION_SOUGHT, day, ""))
            if rng.random() < 0.8:
                day += datetime.timedelta(days=rng.randint(1, 10))
                ev.append((E.CLARIFICATION_RECEIVED, day, ""))
            else:
                ended = True
                if rng.random() < 0.5:
                    ev.append((E.LAPSED, day + datetime.timedelta(days=60), ""))
        if not ended and rng.random() < 0.05:
            day += datetime.timedelta(days=rng.randint(1, 5))
            ev.append((E.FEES_NOTICE, day, ""))
            if rng.random() < 0.7:
                day += datetime.timedelta(days=rng.randint(1, 10))
                ev.append((E.FEE_PAID, day, ""))
            else:
                ended = True
        if not ended and regime == "foi" and rng.random() < 0.05:
            ev.append((E.PIT_EXTENSION, day + datetime.timedelta(days=20), ""))
        if not ended and regime == "eir" and rng.random() < 0.3:
            ev.append((E.EIR_EXTENSION, day + datetime.timedelta(days=20), ""))
        outcome = ""
        if not ended:
            roll = rng.random()
            if roll < 0.03:
                ev.append((E.WITHDRAWN, day + datetime.timedelta(days=rng.randint(1, 10)), ""))
                outcome = "withdrawn"
            elif roll < 0.95:
                day += datetime.timedelta(days=rng.randint(3, 45))
                ev.append((E.RESPONSE_SENT, day, ""))
                outcome = rng.choice(outcomes)
                if rng.random() < 0.04:
                    day += datetime.timedelta(days=rng.randint(1, 30))
                    ev.append((E.REVIEW_REQUESTED, day, ""))
                    if rng.random() < 0.9:
                        decided = day + datetime.timedelta(days=rng.randint(5, 50))
                        decision = rng.choice(("upheld", "overturned", "partly"))
                        ev.append((E.REVIEW_DECIDED, decided, decision))
        ev.sort(key=lambda e: e[1])
        requests.append(
            dataset.request(
                i,
                organisation=orgs[i % organisations],
                received=received,
                at=datetime.time(rng.randint(0, 23)),
                regime=regime,
                timeline=[calendar.TimelineStep(k, on) for k, on, _ in ev],
                uk_calendar=cal,
                imported=True,
                outcome=outcome,
            )
        )
        timelines.append(ev)
    Request.objects.bulk_create(requests, batch_size=5000)
    RequestEvent.objects.bulk_create(
        [
            RequestEvent(request=r, kind=k, occurred_on=on, decision=decision)
            for r, ev in zip(requests, timelines, strict=True)
            for k, on, decision in ev
        ],
        batch_size=5000,
    )
    questions = Question.objects.bulk_create(
        [Question(request=r, number=1, text=r.title) for r in requests], batch_size=5000
    )
    through = Question.exemptions.through
    links = []
    for q in questions:
        if rng.random() < 0.3:
            for pk in rng.sample(exemptions, rng.randint(1, 2)):
                links.append(through(question_id=q.pk, exemption_id=pk))
    through.objects.bulk_create(links, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"built {n} requests, {sum(map(len, timelines))} events, {len(links)} exemption "
        f"citations for {organisations} organisations in {time.perf_counter() - t0:.0f} s"
    )
    return orgs, as_of


def run(args) -> None:
    from bench.statistics.obvious import obvious_statistics
    from foiregister.requests.statistics import foi_statistics

    orgs, as_of = build(args.requests, args.organisations)
    print(f"\nfoi_statistics per organisation-year (as of {as_of}; goal < 1 s)")
    print(f"{'organisation':>12} {'year':>5} {'received':>9} {'best ms':>8} {'max ms':>8}")
    times = []
    for org in orgs:
        for year in YEARS:
            window = dict(
                organisation=org,
                date_from=datetime.date(year, 1, 1),
                date_to=datetime.date(year, 12, 31),
                as_of=as_of,
            )
            runs = []
            for _ in range(3):
                t = time.perf_counter()
                figures = foi_statistics(**window)
                runs.append(time.perf_counter() - t)
            times.append(min(runs))
            print(
                f"{org.ods_code:>12} {year:>5} {figures['received']:>9} "
                f"{min(runs) * 1000:>8.0f} {max(runs) * 1000:>8.0f}"
            )
    print(f"  median {stats.median(times) * 1000:.0f} ms, slowest {max(times) * 1000:.0f} ms")

    print("\nagainst the obvious Python loop (same figures?)")
    for org, year in [(orgs[0], y) for y in YEARS[: args.obvious_years]]:
        window = dict(
            organisation=org,
            date_from=datetime.date(year, 1, 1),
            date_to=datetime.date(year, 12, 31),
            as_of=as_of,
        )
        t = time.perf_counter()
        ours = foi_statistics(**window)
        ours_time = time.perf_counter() - t
        t = time.perf_counter()
        theirs = obvious_statistics(**window)
        obvious_time = time.perf_counter() - t
        same = "yes" if ours == theirs else f"NO\n  ours   {ours}\n  theirs {theirs}"
        print(
            f"  {org.ods_code} {year}: database {ours_time:.2f} s, obvious {obvious_time:.2f} s, "
            f"ratio {obvious_time / ours_time:.1f}x; same figures: {same}"
        )


if __name__ == "__main__":
    main()
