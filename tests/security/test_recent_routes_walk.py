"""An attacker's walk of the recent routes: the FOI officer and lead of organisation B (the
role fixtures' body) go after organisation A's data (``other_organisation``), with a canary
in every private field of A: requesters' names, emails and addresses, the text and answers of
a request A never published, an email in A's intake, A's standard answer, A's batch and its
lead's comment. Every answer to B must be free of every canary, and nothing of A may change.

Routes: the public request form and its suggestions, the intake message page and its
group / standard-answer / published actions, the workspace's "take earlier answer" with
forged sources (``request:<id>:<n>``, ``published:<id>:<n>``), the batch start, progress,
approve, return and rerun pages, the disclosure-log Q&A import, the statistics CSV and the
organisation export, every admin autocomplete, and the public API."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from foiregister.disclosure import services as disclosure_services
from foiregister.intake import services as intake_services
from foiregister.kernel import audit
from foiregister.kernel.models import AuditEvent
from foiregister.kernel.roles import FOI_LEAD, FOI_OFFICER
from foiregister.letters import services as letter_services
from foiregister.letters.models import BatchIssue, Letter
from foiregister.requests.models import ImportJob, Question, RequestLink
from tests.conftest import _client_for, member
from tests.factories.disclosure import published_entry, responded_request
from tests.factories.foiregister import RequesterFactory

from .test_admin_walk import autocomplete_urls

pytestmark = pytest.mark.django_db

BY = audit.system("tests")
CANARIES = (
    "CANARYreqname",
    "canaryreqmail",
    "CANARYaddress",
    "CANARYunpublishedtext",
    "CANARYunpublishedanswer",
    "CANARYinbound",
    "CANARYstandard",
    "CANARYcomment",
    "CANARYpublishedrequester",
)
QUESTIONS = [
    "Please list your independent sector imaging contracts, with the supplier, the value "
    "and the expiry date of each.",
    "Please state the total expenditure on clinical insourcing in the financial year 2024/25.",
]


def _requester(organisation, tag):
    return RequesterFactory(
        organisation=organisation,
        name=f"CANARYreqname {tag}",
        email=f"canaryreqmail.{tag}@example.invalid",
        postal_address=f"CANARYaddress {tag}\nZZ9 9ZZ",
    )


def _letter_text() -> str:
    listed = "\n".join(f"{n}. {q}" for n, q in enumerate(QUESTIONS, start=1))
    return f"Dear FOI team,\n\nPlease tell me:\n\n{listed}\n\nYours faithfully"


def _eml(message_id: str, sender: str, body: str) -> bytes:
    return (
        f"From: {sender} <{sender.split()[0].lower()}@example.invalid>\r\n"
        "To: foi@body.example\r\n"
        "Subject: Imaging and insourcing\r\n"
        "Date: Mon, 01 Jun 2026 10:00:00 +0100\r\n"
        f"Message-ID: <{message_id}@example.invalid>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body}\r\n"
    ).encode()


@pytest.fixture
def world(organisation, other_organisation, foi_officer, foi_lead, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = other_organisation
    a_officer = member(a, FOI_OFFICER, "a-officer")
    a_lead = member(a, FOI_LEAD, "a-lead")
    published = published_entry(
        organisation=a,
        by=a_lead,
        requester=RequesterFactory(organisation=a, name="CANARYpublishedrequester"),
        title="Imaging and insourcing",
        questions=QUESTIONS,
        answers=("Two contracts.", "See the table."),
        body=_letter_text() + "\nCANARYpublishedrequester",
    )
    unpublished = responded_request(
        organisation=a,
        by=a_lead,
        requester=_requester(a, "one"),
        title="CANARYunpublishedtext imaging and insourcing",
        questions=QUESTIONS,
        answers=("CANARYunpublishedanswer one", "CANARYunpublishedanswer two"),
        body=_letter_text() + "\nCANARYunpublishedtext",
    )
    second = responded_request(
        organisation=a,
        by=a_lead,
        requester=_requester(a, "two"),
        title="CANARYunpublishedtext second copy",
        questions=QUESTIONS,
        answers=("CANARYunpublishedanswer three", "CANARYunpublishedanswer four"),
    )
    withdrawn = published_entry(
        organisation=a,
        by=a_lead,
        requester=_requester(a, "three"),
        title="Withdrawn imaging",
        questions=QUESTIONS,
        answers=("CANARYunpublishedanswer withdrawn", "CANARYunpublishedanswer withdrawn"),
    )
    disclosure_services.withdraw_response(entry=withdrawn, by=a_lead, reason="error")
    for request in (published.request, unpublished, second, withdrawn.request):
        intake_services.index_request(request)
    a_message, _ = intake_services.receive_message(
        organisation=a,
        raw=_eml("a-1", "CANARYreqname Sender", _letter_text() + "\nCANARYinbound body"),
        filename="a.eml",
        by=BY,
    )
    a_standard = intake_services.save_standard_answer(
        organisation=a, question=QUESTIONS[0], answer="CANARYstandard answer", by=a_officer
    )
    batch = letter_services.start_batch_issue(
        source_request=unpublished, requests=[second], by=a_lead
    )
    a_letter = Letter.objects.filter(batch=batch).first() or letter_services.draft_letter(
        request=second, kind="response", by=a_officer, body="CANARYcomment body"
    )
    # B: the same round robin arrives by email and is logged.
    b_message, _ = intake_services.receive_message(
        organisation=organisation,
        raw=_eml("b-1", "Newcomer Requester", _letter_text()),
        filename="b.eml",
        by=BY,
    )
    ours = intake_services.log_request_from_message(
        message=b_message,
        title="Imaging and insourcing",
        body=b_message.body,
        questions=QUESTIONS,
        requester_name="Newcomer Requester",
        requester_email="newcomer@example.invalid",
        by=BY,
    )
    organisation.public_request_form = True
    organisation.save(update_fields=["public_request_form"])
    return {
        "a": a,
        "published": published,
        "unpublished": unpublished,
        "second": second,
        "withdrawn": withdrawn,
        "a_message": a_message,
        "a_standard": a_standard,
        "batch": batch,
        "a_letter": a_letter,
        "ours": ours,
        "b_message": b_message,
    }


class Walker:
    def __init__(self, client: Client):
        self.client = client
        self.walked = 0
        self.problems: list[str] = []

    def check(self, what: str, response, *, not_ok: bool = False) -> None:
        self.walked += 1
        if getattr(response, "streaming", False):
            body = b"".join(response.streaming_content)
        else:
            body = response.content
        text = body.decode("utf-8", "replace").lower()
        for canary in CANARIES:
            if canary.lower() in text:
                self.problems.append(f"{what}: {canary} in a {response.status_code} answer")
        if not_ok and response.status_code == 200:
            self.problems.append(f"{what}: 200 for organisation A's row")

    def get(self, url, *, not_ok=False, **data):
        # A row of A's must answer other than 200 itself (the admin's "not found" redirects
        # to a 200 index page), so it is not followed; everything else is, for canaries.
        response = self.client.get(url, data, follow=not not_ok)
        self.check(f"GET {url} {data}", response, not_ok=not_ok)

    def post(self, url, data, *, not_ok=False):
        self.check(f"POST {url} {data}", self.client.post(url, data, follow=True), not_ok=not_ok)


def _a_state(world) -> dict:
    """What of A must not change: its requests' answers, links, batches, letters, audit."""
    a = world["a"]
    return {
        "answers": list(
            Question.objects.filter(request__organisation=a)
            .order_by("pk")
            .values_list("pk", "answer", "answer_kind")
        ),
        "links": RequestLink.objects.filter(to_request__organisation=a).count()
        + RequestLink.objects.filter(from_request__organisation=a).count(),
        "batches": list(BatchIssue.objects.order_by("pk").values_list("pk", "status")),
        "letters": list(
            Letter.objects.filter(request__organisation=a)
            .order_by("pk")
            .values_list("pk", "status", "approved_by")
        ),
        "imports": ImportJob.objects.filter(organisation=a).count(),
        "audit": AuditEvent.objects.filter(organisation_id=str(a.pk)).count(),
    }


def _b_answers(world) -> list[str]:
    return list(world["ours"].questions.order_by("number").values_list("answer", flat=True))


def _walk(walker: Walker, world) -> None:
    a, ours = world["a"], world["ours"]
    unpublished, second = world["unpublished"], world["second"]
    published, withdrawn = world["published"], world["withdrawn"]
    a_pks = [unpublished.pk, second.pk, published.request.pk, withdrawn.request.pk]

    # The public request form and its suggestions, for B's form and A's (off: 404).
    for ods in ("QNC", a.ods_code):
        url = reverse("disclosure:request_form", args=[ods])
        walker.get(url)
        walker.post(url, {"check": "1", "text": _letter_text()})
        walker.post(url, {"check": "1", "text": "unpublishedtext imaging and insourcing"})
        suggestions = reverse("disclosure:request_suggestions", args=[ods])
        for text in (_letter_text(), "unpublishedtext imaging insourcing second copy"):
            walker.post(suggestions, {"text": text})

    # The workspace and its earlier answers; taking forged sources.
    walker.get(reverse("admin:letters_workspace", args=[ours.pk]))
    for number in (1, 2):
        take = reverse("admin:disclosure_take_earlier_answer", args=[ours.pk, number])
        sources = [f"request:{pk}:{n}" for pk in a_pks for n in (1, 2, 3)]
        sources += [f"published:{pk}:{number}" for pk in a_pks]
        sources += [
            f"published:{unpublished.reference}:{number}",
            f"published:{withdrawn.public_id}:{number}",
            f"published:{published.public_id}:99",
            f"request:{unpublished.pk}:{number}:1",
            f"request:{unpublished.pk}",
            f"published::{number}",
            "",
        ]
        for source in sources:
            walker.post(take, {"source": source})
    # A's workspace and take URL, directly.
    walker.get(reverse("admin:letters_workspace", args=[unpublished.pk]), not_ok=True)
    walker.post(
        reverse("admin:disclosure_take_earlier_answer", args=[unpublished.pk, 1]),
        {"source": f"published:{published.public_id}:1"},
    )

    # The intake message pages and their actions.
    review = reverse("admin:intake_inboundmessage_review", args=[world["b_message"].pk])
    walker.get(review)
    for pk in a_pks:
        walker.post(review, {"group": "1", "earlier": pk})
        walker.post(review, {"group_published": "1", "public_id": str(pk)})
    walker.post(review, {"group_published": "1", "public_id": unpublished.reference})
    walker.post(review, {"group_published": "1", "public_id": withdrawn.public_id})
    for question in ours.questions.all():
        walker.post(
            review,
            {"use_standard": "1", "question": question.pk, "standard": world["a_standard"].pk},
        )
    for question in unpublished.questions.all():  # A's question on B's message
        walker.post(review, {"use_standard": "1", "question": question.pk, "standard": 0})
    a_review = reverse("admin:intake_inboundmessage_review", args=[world["a_message"].pk])
    walker.get(a_review, not_ok=True)
    walker.post(a_review, {"log": "1", "title": "x", "body": "x", "questions": "x"})
    walker.get(
        reverse("admin:intake_inboundmessage_raw", args=[world["a_message"].pk]), not_ok=True
    )

    # Batch issue: start from or with A's requests; A's batch pages.
    start = reverse("admin:letters_batchissue_start")
    for pk in a_pks:
        walker.get(start, source=pk)
        walker.post(start, {"source_request": pk, "requests": [pk], "issued_on": "2026-06-02"})
    walker.post(
        start,
        {"source_request": ours.pk, "requests": [ours.pk, *a_pks], "issued_on": "2026-06-02"},
    )
    batch, letter = world["batch"], world["a_letter"]
    for name in ("progress",):
        walker.get(reverse(f"admin:letters_batchissue_{name}", args=[batch.pk]), not_ok=True)
    walker.get(reverse("admin:letters_batchissue_change", args=[batch.pk]), not_ok=True)
    walker.post(
        reverse("admin:letters_batchissue_approve", args=[batch.pk]),
        {"letter": [letter.pk], f"hash_{letter.pk}": ""},
    )
    walker.post(
        reverse("admin:letters_batchissue_return", args=[batch.pk]),
        {"letter": letter.pk, "comment": "x"},
    )
    walker.post(reverse("admin:letters_batchissue_rerun", args=[batch.pk]), {})
    walker.get(reverse("admin:letters_batchissue_changelist"))

    # The disclosure-log Q&A import: into A, and into B naming A's references.
    csv = (
        "reference,regime,received,title,question_number,question,answer,answer_kind,published\n"
        + "".join(
            f"{r.reference},foi,2025-09-01,x,1,{QUESTIONS[0]},x,provided,yes\n"
            for r in (unpublished, second)
        )
    ).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    imp = reverse("admin:foiregister_request_import")
    for org in (a.pk, ours.organisation_id):
        walker.post(
            imp, {"organisation": org, "file": SimpleUploadedFile("log.csv", csv, "text/csv")}
        )
    for job in ImportJob.objects.filter(organisation=ours.organisation):
        walker.get(reverse("admin:foiregister_importjob_change", args=[job.pk]))
        walker.post(reverse("admin:foiregister_importjob_commit", args=[job.pk]), {})

    # Exports: the statistics CSV and the organisation export, for A.
    stats = reverse("admin:foiregister_request_statistics")
    for fmt in ("", "csv"):
        walker.get(
            stats,
            organisation=a.pk,
            date_from="2025-01-01",
            date_to="2026-12-31",
            as_of="2026-06-01",
            format=fmt,
        )
    walker.post(
        reverse("admin:disclosure_organisationexport_start"),
        {"organisation": a.pk, "include_requesters": "on"},
    )

    # Every admin autocomplete, with a canary and an empty term.
    for url in autocomplete_urls():
        walker.get(url)
        walker.get(url.replace("term=", "term=CANARYreqname"))

    # The public API, every resource, searched for the canaries and for A's references.
    public = Client()
    api = Walker(public)
    for resource in ("responses", "organisations", "contracts", "cdcs", "runs"):
        base = f"/api/v1/{resource}/"
        api.get(base)
        for term in ("CANARYunpublishedtext", "CANARYreqname", unpublished.reference):
            api.get(base, search=term)
        api.get(base, organisation=a.ods_code)
    for key in (unpublished.reference, str(unpublished.pk), withdrawn.public_id):
        api.get(f"/api/v1/responses/{key}/", not_ok=True)
    api.get("/api/v1/ocds/", organisation=a.ods_code)
    walker.walked += api.walked
    walker.problems += api.problems


@pytest.mark.parametrize("role", ["officer", "lead"])
def test_bs_staff_walk_every_recent_route_and_find_or_change_nothing_of_a(
    role, world, foi_officer, foi_lead
):
    user = foi_officer if role == "officer" else foi_lead
    walker = Walker(_client_for(user))
    before, b_before = _a_state(world), _b_answers(world)
    batches = BatchIssue.objects.count()

    _walk(walker, world)

    assert walker.problems == [], "\n".join(walker.problems)
    assert _a_state(world) == before
    assert BatchIssue.objects.count() == batches
    assert not any("CANARY" in answer.upper() for answer in _b_answers(world))
    assert _b_answers(world) == b_before
    assert walker.walked >= 140, walker.walked
    print(f"{role}: walked {walker.walked} requests")


def test_the_walk_sees_the_published_answer_it_may_take(world, foi_officer):
    """The walk is not blind: B's officer is offered A's published answer, and takes it."""
    client = _client_for(foi_officer)
    ours, entry = world["ours"], world["published"]

    page = client.get(reverse("admin:letters_workspace", args=[ours.pk])).content.decode()
    client.post(
        reverse("admin:disclosure_take_earlier_answer", args=[ours.pk, 1]),
        {"source": f"published:{entry.public_id}:1"},
    )

    assert "Two contracts." in page
    assert ours.questions.get(number=1).answer == "Two contracts."
