"""Demo data for ``make run``: the seed letters as requests, plus generated open requests
with invented, clearly fictional requesters so the lists show late, amber and on-time cases.

Everything is created through services, as an officer would, so the audit history and the
clock are real.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from demo import signin as signin_demo
from foiregister import calendar
from foiregister.kernel import roles
from foiregister.kernel.models import Organisation
from foiregister.requests import selectors, services
from foiregister.requests.models import Department, Request, Requester

DEMO_PASSWORD = "demo-register-2026"

ORGANISATIONS = {
    "QNC": dict(
        name="NHS Staffordshire and Stoke-on-Trent Integrated Care Board",
        kind=Organisation.Kind.ICB,
        address="Stafford Education & Enterprise Park\nWeston Road\nStafford\nST18 0BF",
        foi_email="staffsstokefoi@staffsstoke.icb.nhs.uk",
        telephone="0300 123 1461",
        signatory_name="Associate Director of Corporate Governance",
        signatory_title="",
        reference_pattern="FOI/{mm}{yy}/{seq}",
        next_sequence=1434,
        internal_review_wording=(
            "If you are dissatisfied with the response, you may ask for an internal review. "
            "Please ask in writing within two calendar months of the date of this response, "
            "by email to the FOI team or by post to the address at the top of this letter."
        ),
    ),
    "RNA": dict(
        name="The Dudley Group NHS Foundation Trust",
        kind=Organisation.Kind.TRUST,
        address="Trust Headquarters\nRussells Hall Hospital\nDudley\nWest Midlands\nDY1 2HQ",
        foi_email="dgft.foi@nhs.net",
        telephone="01384 456111",
        signatory_name="Freedom of Information Team",
        signatory_title="The Dudley Group NHS Foundation Trust",
        reference_pattern="FOI-{mm}{yyyy}-{seq:07d}",
        next_sequence=1782,
        internal_review_wording=(
            "If you are dissatisfied with our response, you may ask for an internal review by "
            "writing to the Information Governance Manager at Trust Headquarters within 40 "
            "working days of this response."
        ),
    ),
}

ACCOUNTS = [
    ("officer", roles.FOI_OFFICER, "FOI officer"),
    ("lead", roles.FOI_LEAD, "FOI lead (approves responses)"),
    ("commissioner", roles.COMMISSIONER, "Commissioner (registers only)"),
    ("admin", roles.ADMINISTRATOR, "Administrator"),
]

STAFFS_IMAGING_QUESTIONS = [
    (
        "What is your current waiting list size for MRI, CT, ultrasound and non-obstetric "
        "ultrasound scans, by modality and site, as of July 2025?",
        "elsewhere",
        "Providers report diagnostic waiting times and activity to NHS England, which "
        "publishes them.",
    ),
    (
        "What percentage of diagnostic imaging patients are waiting more than 6 weeks from "
        "referral?",
        "elsewhere",
        "Providers report diagnostic waiting times and activity to NHS England, which "
        "publishes them.",
    ),
    (
        "Please list all diagnostic imaging contracts (CT, MRI, ultrasound) held with "
        "independent sector providers, including supplier name, scope, contract value and "
        "expiry date.",
        "provided",
        "Most CT, MRI and ultrasound imaging for residents is undertaken by NHS acute "
        "providers. The independent sector provider contracts are listed below.",
    ),
    (
        "How many patients have been referred to independent sector diagnostic providers "
        "under formal agreements in the past 6 months?",
        "not_held",
        "The ICB does not hold information on the totality of patients referred to "
        "independent sector diagnostic providers.",
    ),
    (
        "Are there any plans to re-tender for diagnostic imaging services in the next 12 "
        "months? If yes, please specify modality and expected timeline.",
        "no_plans",
        "There are no current plans to re-tender.",
    ),
    (
        "Do you operate or commission a Community Diagnostic Centre (CDC)? If yes, its "
        "location, imaging capacity by modality, and commissioning Trust or ICB.",
        "no_plans",
        "The ICB does not currently host a CDC contract.",
    ),
    (
        "What is the average utilisation rate of imaging services (by modality) at your "
        "CDC(s) in the last 3 months?",
        "not_held",
        "The ICB does not hold this information.",
    ),
    (
        "Has your CDC delivered to target capacity or been underutilised in the past 6 "
        "months? If not at capacity, what is the average shortfall?",
        "no_plans",
        "The ICB does not currently host a CDC contract.",
    ),
]

DUDLEY_INSOURCING_QUESTIONS = [
    "Please state the Trust's total expenditure on clinical insourcing services for the "
    "financial year 2024-2025.",
    "For 2024-2025, please list every clinical specialty for which the Trust used "
    "insourcing services and name the insourcing provider(s) for each.",
    "As of 22 July 2025, does the Trust have any active insourcing contracts? For each, "
    "the clinical specialty, the supplier and the contract end date.",
]

REFERRAL_QUESTIONS = [
    (
        "Does your ICS manage any patient referrals centrally, or is this only done by a "
        "Trust? Which specialties or modalities, and which organisations?",
        "The ICB runs referral assessment services for ophthalmology, ENT, gastroenterology, "
        "general surgery, vascular surgery and plastics; there is no centrally managed "
        "referral service for the whole system.",
    ),
    (
        "If referrals are not managed centrally, are there plans to? What is the timeline "
        "and which organisation will lead?",
        "There is no plan for a centrally managed referral process; a referral optimisation "
        "group is exploring a referral review process.",
    ),
    (
        "What networks operate across your ICS (e.g. endoscopy, pathology, cardiology, cancer)?",
        "The ICS has no managed networks with referral-managed pathways.",
    ),
]

GENERATED_TOPICS = [
    ("Insourcing spend on endoscopy 2024/25", "Contracts"),
    ("MRI capacity at community diagnostic centres", "Diagnostics"),
    ("Independent sector ultrasound contracts", "Contracts"),
    ("Agency spend on radiographers", "Workforce"),
    ("Waiting times for non-obstetric ultrasound", "Diagnostics"),
    ("Outsourced radiology reporting contracts", "Contracts"),
    ("CT scanner replacement programme", "Estates"),
    ("Use of AI in chest X-ray reporting", "Digital"),
    ("Mental health out-of-area placements", "Mental health"),
    ("Continuing healthcare assessments backlog", "Continuing care"),
    ("Interpreting services contract", "Contracts"),
    ("Cyber security incidents 2025", "Digital"),
]


def _local(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def ensure_accounts(organisations: list[Organisation]) -> dict[str, object]:
    User = get_user_model()
    users = {}
    for username, role, _ in ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@register.invalid",
                "is_staff": True,
                "first_name": role,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=role))
        for org in organisations:
            org.members.add(user)
        users[username] = user
    signin_demo.ensure_second_factors(users)
    return users


@transaction.atomic
def load(*, today: datetime.date | None = None, seed: int = 2026) -> dict[str, object]:
    """Load the demo (idempotent: a second run changes nothing)."""
    roles.ensure_roles()
    today = today or selectors.local_today()
    orgs = {}
    for ods, fields in ORGANISATIONS.items():
        orgs[ods], _ = Organisation.objects.get_or_create(ods_code=ods, defaults=fields)
    users = ensure_accounts(list(orgs.values()))
    if Request.objects.filter(organisation__in=orgs.values()).exists():
        return {"organisations": orgs, "users": users}
    officer = users["officer"]
    staffs, dudley = orgs["QNC"], orgs["RNA"]
    for org, names in (
        (staffs, ["Contracting", "Planned Care", "Diagnostics Programme"]),
        (dudley, ["Procurement", "Finance", "Radiology"]),
    ):
        for name in names:
            Department.objects.get_or_create(organisation=org, name=name)

    # Seed 000: the imaging round robin, FOI/0925/1434.
    fictional = services.create_requester(
        organisation=staffs,
        name="Alex Example (fictional requester)",
        email="alex.example@requester.invalid",
        kind=Requester.Kind.RESEARCHER,
        by=officer,
    )
    imaging = services.log_request(
        organisation=staffs,
        requester=fictional,
        by=officer,
        title="Diagnostic imaging: waiting lists, independent sector contracts and CDCs",
        body="A round-robin request to ICBs about imaging waiting lists, independent sector "
        "imaging contracts, re-tendering plans and community diagnostic centres.",
        received_at=_local(datetime.date(2025, 9, 1)),
        topic="Diagnostics",
        questions=[
            services.QuestionInput(
                text=text,
                answer=answer,
                answer_kind=kind,
                elsewhere_url=(
                    "https://www.england.nhs.uk/statistics/statistical-work-areas/"
                    "diagnostics-waiting-times-and-activity/"
                    if kind == "elsewhere"
                    else ""
                ),
            )
            for text, kind, answer in STAFFS_IMAGING_QUESTIONS
        ],
        assignee=officer,
    )
    services.record_timeline_event(
        request=imaging, kind="acknowledged", occurred_on=datetime.date(2025, 9, 2), by=officer
    )
    services.change_status(request=imaging, to=Request.Status.IN_APPROVAL, by=officer)

    # Seed 003: referral management, answered and closed.
    researcher = services.create_requester(
        organisation=staffs,
        name="Sam Sample (fictional requester)",
        email="sam.sample@requester.invalid",
        kind=Requester.Kind.COMPANY,
        by=officer,
    )
    referral = services.log_request(
        organisation=staffs,
        requester=researcher,
        by=officer,
        reference="FOI-11-620",
        title="Referral management across the integrated care system",
        received_at=_local(datetime.date(2023, 11, 22)),
        topic="Planned care",
        questions=[
            services.QuestionInput(text=t, answer=a, answer_kind="provided")
            for t, a in REFERRAL_QUESTIONS
        ],
        assignee=officer,
    )
    services.update_request(request=referral, outcome=Request.Outcome.GRANTED, by=officer)
    services.record_timeline_event(
        request=referral, kind="response_sent", occurred_on=datetime.date(2023, 12, 1), by=officer
    )

    # Seed 002: Dudley's clinical insourcing request, answered from the register.
    journalist = services.create_requester(
        organisation=dudley,
        name="Jo Placeholder (fictional requester)",
        email="jo.placeholder@requester.invalid",
        kind=Requester.Kind.JOURNALIST,
        by=officer,
    )
    services.log_request(
        organisation=dudley,
        requester=journalist,
        by=officer,
        title="Clinical insourcing spend and contracts 2024-25",
        received_at=_local(datetime.date(2025, 7, 22)),
        topic="Contracts",
        questions=DUDLEY_INSOURCING_QUESTIONS,
        assignee=officer,
    )

    _generate_open_requests(orgs=[staffs, dudley], officer=officer, today=today, seed=seed)
    return {"organisations": orgs, "users": users}


def _generate_open_requests(*, orgs, officer, today: datetime.date, seed: int) -> None:
    """Open requests received between 35 and 1 working days ago, so some are late, some due
    within 5 working days and some on time."""
    rng = random.Random(seed)
    cal = selectors.working_day_calendar()
    for i, (title, topic) in enumerate(GENERATED_TOPICS * 2):
        org = orgs[i % len(orgs)]
        requester = services.create_requester(
            organisation=org,
            name=f"Fictional Requester {i + 1:02d}",
            email=f"fictional.requester.{i + 1:02d}@requester.invalid",
            kind=rng.choice([k for k, _ in Requester.Kind.choices]),
            by=officer,
        )
        age = rng.randint(1, 30)
        received = calendar.subtract_working_days(today, age, calendar=cal)
        request = services.log_request(
            organisation=org,
            requester=requester,
            by=officer,
            title=title,
            topic=topic,
            body=f"Fictional demo request about {title.lower()}.",
            received_at=_local(received, rng.randint(8, 22)),
            questions=[
                f"{title}: please provide the figures for 2024/25.",
                "Please provide the same figures for 2023/24.",
            ],
            assignee=officer if rng.random() < 0.7 else None,
        )
        if rng.random() < 0.8:
            services.record_timeline_event(
                request=request,
                kind="acknowledged",
                occurred_on=min(today, calendar.add_working_days(received, 1, calendar=cal)),
                by=officer,
            )
