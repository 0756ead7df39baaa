"""Importing a past disclosure log: a row per question, N requests (default 2,000) of up to
five questions each, made from the real request texts in tests/data/intake/requests.json.

Prints the time to check the file (the job's preview), to commit it (questions, answers and
the matching sketches in one transaction; nothing published, so no personal-data check), to
import the same file again (unchanged), and to find the earlier requests like a new one
among them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test python -m bench.disclosure_log_import [--requests N]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import json
import os
import time
from pathlib import Path

from bench import dataset

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TEST_DATABASE_NAME", "bench_disclosure_log_import")

TEXTS = Path(__file__).resolve().parents[2] / "tests" / "data" / "intake" / "requests.json"


def log_file(n: int) -> bytes:
    from foiregister.requests.imports import numbered_items

    texts = [r["text"] for r in json.loads(TEXTS.read_text())["requests"]]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["reference", "regime", "received", "title", "responded", "outcome"]
        + ["question_number", "question", "answer"]
    )
    for i in range(n):
        text = texts[i % len(texts)]
        questions = numbered_items(text)[:5] or [text[:300]]
        for number, question in enumerate(questions, start=1):
            request = (
                [f"BENCH/{i:05d}", "FOI", "2024-01-02", f"Request {i}", "2024-01-25"]
                + ["granted_in_full"]
                if number == 1
                else [f"BENCH/{i:05d}", "", "", "", "", ""]
            )
            writer.writerow([*request, number, f"{question} ({i})", f"Answer {i}.{number}"])
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2_000)
    args = parser.parse_args()

    dataset.in_throwaway_database(lambda: run(args.requests))


def run(n: int) -> None:
    from foiregister.intake import selectors as intake_selectors
    from foiregister.intake.models import RequestSketch
    from foiregister.kernel import audit
    from foiregister.requests import imports

    (org,) = dataset.organisations()
    by = audit.system("bench: disclosure log import")
    today = datetime.date(2025, 1, 1)
    content = log_file(n)
    kwargs = {"content": content, "filename": "log.csv", "organisation": org, "today": today}

    t0 = time.perf_counter()
    checked = imports.preview(**kwargs)
    t1 = time.perf_counter()
    committed = imports.commit(by=by, **kwargs)
    t2 = time.perf_counter()
    again = imports.commit(by=by, **kwargs)
    t3 = time.perf_counter()
    new = json.loads(TEXTS.read_text())["requests"][0]["text"]
    found = intake_selectors.earlier_requests_like(
        text=new, questions=imports.numbered_items(new), organisation=org
    )
    t4 = time.perf_counter()

    print(
        f"{checked.rows} rows ({len(content) // 1024} KB), {committed.requests} requests, "
        f"{committed.questions} questions, {RequestSketch.objects.count()} sketch rows"
    )
    print(f"check (preview):      {t1 - t0:6.2f} s")
    print(f"commit:               {t2 - t1:6.2f} s ({committed.created} created)")
    print(f"import again:         {t3 - t2:6.2f} s ({again.unchanged} unchanged)")
    print(f"earlier requests like one new request: {t4 - t3:6.3f} s ({len(found)} found)")
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
