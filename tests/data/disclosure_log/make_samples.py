"""Writes the sample disclosure logs beside this file (run it after changing a text here):
the same three responses as a row per question (CSV and XLSX) and as a row per request.

Sources (public): the imaging and referral-management responses are Staffordshire and
Stoke-on-Trent ICB's FOI/0925/1434 (14 Nov 2025) and FOI-11-620 (1 Dec 2023), questions and
answers as published (the design seeds 000 and 003), under the references FOI/0825/1390 and
FOI-10-577 here, because the demo already holds the originals and a reference is one
request's only; the physician associates
questions are the round robin as Maidstone and Tunbridge Wells NHS Trust's disclosure log
published it (https://www.mtw.nhs.uk/foi/physician-associates-030424-docx/), with answers
written for the test (the log's figures are not reproduced). No person is named.
"""

import csv
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
REQUEST = (
    "reference",
    "regime",
    "received",
    "title",
    "requester_kind",
    "channel",
    "responded",
    "outcome",
    "published",
)
IMAGING = {
    "reference": "FOI/0825/1390",
    "regime": "FOI",
    "received": "2025-11-04",
    "title": "Diagnostic imaging waiting lists, independent sector contracts and CDCs",
    "requester_kind": "company",
    "channel": "email",
    "responded": "2025-11-14",
    "outcome": "granted_in_full",
    "published": "yes",
}
IMAGING_QA = [
    (
        "What is your current waiting list size for MRI, CT, ultrasound, and non-obstetric "
        "ultrasound scans, by modality and site, as of July 2025?",
        "Providers independently report diagnostic waiting times and activity to NHS England, "
        "which is available from their website (Statistics: Monthly Diagnostics Data 2025-26).",
        "elsewhere",
    ),
    (
        "What percentage of diagnostic imaging patients are currently waiting more than 6 weeks "
        "from referral?",
        "Providers independently report diagnostic waiting times and activity to NHS England, "
        "which is available from their website.",
        "elsewhere",
    ),
    (
        "Please list all diagnostic imaging contracts (CT, MRI, ultrasound) currently held with "
        "independent sector providers, including supplier name, scope, contract value, and "
        "expiry date.",
        "The majority of CT, MRI and ultrasound imaging of Staffordshire and Stoke-on-Trent "
        "residents is undertaken by NHS acute providers. Independent sector provider contracts:\n"
        "- Diagnostic Healthcare Ltd, provision of MRI services, contract value zero and paid on "
        "activity in line with the NHS national tariff, expiry 31 January 2027.\n"
        "- Harmonic Medical Sonography, provision of non-obstetric ultrasound, contract value "
        "zero and paid on activity in line with the NHS national tariff, expiry 31 March 2026.\n"
        "- Health Harmonie Ltd, provision of non-obstetric ultrasound, contract value zero and "
        "paid on activity in line with the NHS national tariff, expiry 31 March 2026.",
        "",
    ),
    (
        "How many patients have been referred to independent sector diagnostic providers under "
        "any formal agreements in the past 6 months?",
        "The ICB does not hold information on the totality of patients referred to independent "
        "sector diagnostic providers.",
        "not_held",
    ),
    (
        "Are there any plans to re-tender for diagnostic imaging services in the next 12 months? "
        "If yes, please specify modality and expected timeline",
        "There are no current plans for re-tendering.",
        "no_plans",
    ),
    (
        "Do you operate or commission a Community Diagnostic Centre (CDC)? If yes, please state "
        "its location, imaging capacity by modality, and commissioning Trust or ICB.",
        "The ICB does not currently host a CDC contract.",
        "",
    ),
    (
        "What is the average utilisation rate of imaging services (by modality) at your CDC(s) "
        "in the last 3 months?",
        "The ICB does not hold this information.",
        "not_held",
    ),
    (
        "Has your CDC delivered to target capacity or been underutilised in the past 6 months? "
        "If not at capacity, what is the average shortfall?",
        "The ICB does not currently host a CDC contract.",
        "not_held",
    ),
]
REFERRALS = {
    "reference": "FOI-10-577",
    "regime": "FOI",
    "received": "2023-11-22",
    "title": "Referral management across the ICS",
    "requester_kind": "company",
    "channel": "email",
    "responded": "2023-12-01",
    "outcome": "granted_in_full",
    "published": "",
}
REFERRALS_QA = [
    (
        "Does your ICS manage any patient referrals centrally, or is this only done by a Trust? "
        "Please detail the specialty / modality that have centrally managed referrals.",
        "There is not a centrally managed referral service for the whole of the ICS. The ICB has "
        "a Referral Assessment Service for ophthalmology, ENT, gastroenterology, general surgery, "
        "vascular surgery and plastics.",
        "",
    ),
    (
        "If your ICS or Trusts do not currently manage referrals centrally, do you have any plans "
        "to? What is the timeline? Which organisation will lead this?",
        "The ICS does not have a plan for developing a centrally managed referral process. Its "
        "Referral Optimisation Group is exploring a referral review process.",
        "no_plans",
    ),
    (
        "What networks operate across your ICS (e.g. endoscopy, pathology, cardio, cancer, etc)?",
        "The ICS does not have any managed networks that have referral managed pathways.",
        "",
    ),
]
ASSOCIATES = {
    "reference": "FOI/0424/0312",
    "regime": "FOI",
    "received": "2024-04-03",
    "title": "Physician Associates",
    "requester_kind": "public",
    "channel": "email",
    "responded": "2024-04-30",
    "outcome": "partially_withheld",
    "published": "",
}
ASSOCIATES_QA = [
    (
        "How many Physician Associates are currently employed by your organisation?",
        "The ICB employs two Physician Associates.",
        "",
    ),
    (
        "Please provide copies of any policies regarding physician associates in your "
        "organisation. For example, policies regarding the scope of practice, clinical "
        "procedures, governance, supervision and appraisal processes for physician associates.",
        "The ICB has no policy specific to Physician Associates; they are supervised under the "
        "medical directorate's supervision and appraisal policy, attached.",
        "",
    ),
    (
        "Please provide details of any patient safety incidents where the clinician involved "
        "was a Physician Associate.",
        "Fewer than five incidents were reported; the number is withheld, as it could identify "
        "the people involved.",
        "exempt",
    ),
]
REQUESTS = [(IMAGING, IMAGING_QA), (REFERRALS, REFERRALS_QA), (ASSOCIATES, ASSOCIATES_QA)]


def by_question() -> list[list[str]]:
    """A row per question; the request's columns on its first row only."""
    header = [*REQUEST, "question_number", "question", "answer", "answer_kind", "exemptions"]
    rows = [header]
    for request, questions in REQUESTS:
        for number, (question, answer, kind) in enumerate(questions, start=1):
            first = (
                [request[c] for c in REQUEST]
                if number == 1
                else [request["reference"], *[""] * (len(REQUEST) - 1)]
            )
            rows.append(
                [
                    *first,
                    str(number),
                    question,
                    answer,
                    kind,
                    "s.40(2)" if kind == "exempt" else "",
                ]
            )
    return rows


def by_request() -> list[list[str]]:
    """A row per request: the request's text and the response's, as numbered lists."""
    header = [*REQUEST, "request_text", "response_text", "exemptions"]
    rows = [header]
    for request, questions in REQUESTS:
        asked = "I would like to request the following information.\n" + "\n".join(
            f"{n}. {q}" for n, (q, _, _) in enumerate(questions, start=1)
        )
        answered = "\n".join(f"{n}. {a}" for n, (_, a, _) in enumerate(questions, start=1))
        exempt = "s.40(2)" if any(k == "exempt" for _, _, k in questions) else ""
        rows.append([*(request[c] for c in REQUEST), asked, answered, exempt])
    return rows


def write_csv(name: str, rows: list[list[str]]) -> None:
    with open(HERE / name, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def write_xlsx(name: str, rows: list[list[str]]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Disclosure log"
    for row in rows:
        sheet.append([int(v) if v.isdigit() else (v or None) for v in row])
    book.save(HERE / name)


if __name__ == "__main__":
    write_csv("by_question.csv", by_question())
    write_xlsx("by_question.xlsx", by_question())
    write_csv("by_request.csv", by_request())
