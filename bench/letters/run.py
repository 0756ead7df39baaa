"""Render 200 typical response letters to PDF and report letters per second and peak
memory. On demand: ``python -m bench.letters`` (no database needed: render.py is pure).

A typical letter: 8 questions, one live block listing three contracts, one spend total,
internal review and ICO paragraphs; PDF/UA-1, A4.
"""

from __future__ import annotations

import datetime
import os
import resource
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from foiregister.letters.context import render_context  # noqa: E402
from foiregister.letters.render import render_letter_pdf  # noqa: E402

CONTRACTS = [
    {"supplier": s, "scope": scope, "title": scope, "payment_basis": "activity_at_tariff",
     "value": "0.00", "value_withheld": False, "end_date": end, "end_date_to_be_agreed": False,
     "end_date_reason": ""}
    for s, scope, end in (
        ("Diagnostic Healthcare Ltd", "Provision of MRI services", "2027-01-31"),
        ("Harmonic Medical Sonography", "Provision of Non-Obstetric Ultrasound", "2026-03-31"),
        ("Health Harmonie Ltd", "Provision of Non-Obstetric Ultrasound", "2026-03-31"),
    )
]  # fmt: skip


def content(n: int) -> dict:
    questions = []
    for i in range(1, 9):
        blocks = []
        if i == 3:
            blocks = [
                {
                    "template": "letters/blocks/independent_sector_contracts.html",
                    "data": {"active_on": "2025-11-14", "contracts": CONTRACTS},
                    "params": {},
                    "title": "",
                    "error": "",
                }
            ]
        if i == 5:
            blocks = [
                {
                    "template": "letters/blocks/spend_total.html",
                    "data": {
                        "financial_year": "2024/25",
                        "kind_label": "Insourcing",
                        "total": "3091519.00",
                    },
                    "params": {},
                    "title": "",
                    "error": "",
                }
            ]
        questions.append({
            "number": i, "text": f"Question {i} of request {n}: please list the diagnostic "
            "imaging contracts held with independent sector providers?",
            "answer_kind": "provided" if i % 4 else "not_held", "answer": "Our answer. " * 12,
            "standard_wording": "" if i % 4 else "We do not hold this information.",
            "public_interest_reasoning": "", "blocks": blocks,
        })  # fmt: skip
    return {
        "kind": "response", "kind_label": "Response", "reference": f"FOI/0925/{n:04d}",
        "regime": "foi", "request_title": "Imaging", "received_on": "2025-09-01",
        "due_on": "2025-09-29", "body": "", "fee_amount": "", "pit_estimate_on": "",
        "review_decision": "", "review_decision_label": "", "corrects": None,
        "publication_notice": True, "review_rights": True, "ico_rights": True,
        "questions": questions,
        "organisation": {
            "name": "Staffordshire and Stoke-on-Trent ICB",
            "address_lines": ["Stafford Education & Enterprise Park", "Weston Road", "Stafford",
                              "ST18 0BF"],
            "telephone": "0300 123 1461", "foi_email": "foi@icb.example", "website": "",
            "signatory_name": "Paul Winter",
            "signatory_title": "Associate Director of Corporate Governance",
            "internal_review_wording": "",
        },
    }  # fmt: skip


def main(count: int = 200) -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else count
    day = datetime.date(2025, 11, 14)
    addressee = {
        "name": "A Requester",
        "address_lines": ["1 Street"],
        "email": "a@example.invalid",
    }
    t0 = time.perf_counter()
    render_letter_pdf(render_context(content=content(0), letter_date=day, addressee=addressee))
    first = time.perf_counter() - t0
    sizes, times = [], []
    start = time.perf_counter()
    for n in range(1, count + 1):
        t = time.perf_counter()
        pdf = render_letter_pdf(
            render_context(content=content(n), letter_date=day, addressee=addressee)
        )
        times.append(time.perf_counter() - t)
        sizes.append(len(pdf))
    elapsed = time.perf_counter() - start
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times.sort()
    print(f"letters rendered:      {count} (first, with font loading: {first:.2f} s)")
    print(f"letters per second:    {count / elapsed:.1f}")
    print(f"per letter: median {times[len(times) // 2] * 1000:.0f} ms, "
          f"95th percentile {times[int(len(times) * 0.95)] * 1000:.0f} ms, "
          f"max {times[-1] * 1000:.0f} ms")  # fmt: skip
    print(f"PDF size:              median {sorted(sizes)[len(sizes) // 2] / 1024:.0f} KiB")
    # ru_maxrss (KiB on Linux): the whole process, fonts and Pango included. tracemalloc
    # is not used: it slows WeasyPrint's pure-Python layout several times over.
    print(f"peak memory:           {peak_rss:.0f} MiB RSS")


if __name__ == "__main__":
    main()
