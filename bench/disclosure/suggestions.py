"""How long the public request form takes to find published responses that may answer a
request being typed, with many published responses. On demand:
``python -m bench.disclosure.suggestions [--entries N] [--repeats R]``.

Its own database (``BENCH_DATABASE_URL``, default ``.../bench_request_form``), filled as
``bench.disclosure`` fills its own (bulk rows from a vocabulary of 19 words, so nearly
every response matches some word of any request: the worst case for the OR pre-filter).

Figures on the 2-core development machine shared with other work (load average 7), 29
November 2026, 100,000 responses, one look-up at a time:

    two numbered questions    p50 32 ms   p95 62 ms   (ranking every match: 317 / 347)
    one short question        p50 43 ms   p95 68 ms   (211 / 233)
    a long round robin        p50 18 ms   p95 45 ms   (482 / 515, scoring each pair's text)
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_request_form"
)
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

from bench.disclosure import run  # noqa: E402  (reads BENCH_DATABASE_URL on import)

TEXTS = {
    "two numbered questions": (
        "Please provide:\n1. How many MRI scanners do you lease from independent providers?\n"
        "2. When does each scanner lease contract end?"
    ),
    "one short question": "What did you spend on agency staffing last year?",
    "a long round robin": (
        "Dear FOI team, under the Freedom of Information Act please tell me:\n"
        + "\n".join(
            f"{k}. How many {w} contracts, {w} suppliers and {w} budgets do you hold?"
            for k, w in enumerate(["MRI", "ultrasound", "parking", "insourcing", "estate"], 1)
        )
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.disclosure.suggestions")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    run.ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"populating to {args.entries} published responses")
    run.populate(args.entries)
    run.index_for_search()
    from foiregister.disclosure import selectors

    for label, text in TEXTS.items():
        samples, found = [], []
        for _ in range(args.repeats):
            start = time.perf_counter()
            found = selectors.responses_that_may_answer(text=text)
            samples.append(time.perf_counter() - start)
        print(f"{label:28s} {run.percentiles(samples)}  {len(found)} suggested")


if __name__ == "__main__":
    main()
