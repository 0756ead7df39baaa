"""Importing an organisation's past disclosure log, questions and answers included, through
the FOI-log import: both layouts, every error named by file, line and column, one atomic
commit that also sketches the requests for matching and publishes only what the file marks.

The samples in tests/data/disclosure_log/ are real published responses (their README-like
docstring in make_samples.py names the sources); expected values are read off those files
by eye, not computed by the import."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from foiregister.disclosure.models import DisclosureLogEntry
from foiregister.intake import matching
from foiregister.intake.models import RequestSketch
from foiregister.kernel.models import AuditEvent
from foiregister.requests import imports
from foiregister.requests.models import Question, Request
from tests.factories import TEST_DATA

TODAY = datetime.date(2025, 12, 1)
SAMPLES = Path(__file__).resolve().parent.parent / "data" / "disclosure_log"
IMAGING, REFERRALS, ASSOCIATES = "FOI/0825/1390", "FOI-10-577", "FOI/0424/0312"
K = Question.AnswerKind

HEADER = "reference,regime,received,title,responded,outcome,published,question_number,question,answer,answer_kind,exemptions"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def qa(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def do_import(organisation, content, *, by, filename="log.csv"):
    return imports.commit(
        content=content, filename=filename, organisation=organisation, by=by, today=TODAY
    )


def errors_of(organisation, content, filename="log.csv", by=TEST_DATA):
    with pytest.raises(imports.ImportFailed) as failed:
        do_import(organisation, content, by=by, filename=filename)
    return [str(e) for e in failed.value.result.errors]


def questions_of(reference):
    return list(Request.objects.get(reference=reference).questions.order_by("number"))


# -- the two layouts ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("filename", ["by_question.csv", "by_question.xlsx"])
def test_a_row_per_question_log_gives_each_request_its_questions_and_answers(
    organisation, foi_lead, filename
):
    result = do_import(organisation, sample(filename), by=foi_lead, filename=filename)

    assert result.summary() == {
        "rows": 14,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "committed": True,
        "layout": "questions",
        "requests": 3,
        "questions": 14,
        "answers": 14,
        "published": 1,
    }
    imaging = questions_of(IMAGING)
    assert [q.number for q in imaging] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert imaging[2].text.startswith("Please list all diagnostic imaging contracts")
    assert "Diagnostic Healthcare Ltd, provision of MRI services" in imaging[2].answer
    assert [q.answer_kind for q in imaging] == [
        K.ELSEWHERE, K.ELSEWHERE, K.PROVIDED, K.NOT_HELD, K.NO_PLANS, K.PROVIDED, K.NOT_HELD,
        K.NOT_HELD,
    ]  # fmt: skip
    associates = questions_of(ASSOCIATES)
    assert associates[2].answer_kind == K.EXEMPT
    assert [e.section for e in associates[2].exemptions.all()] == ["s.40(2)"]
    assert not associates[0].exemptions.exists()
    request = Request.objects.get(reference=ASSOCIATES)
    assert request.imported and request.requester is None
    assert request.outcome == Request.Outcome.PARTIAL
    assert request.responded_on == datetime.date(2024, 4, 30)


@pytest.mark.django_db
def test_a_row_per_request_log_is_split_at_its_numbered_lists(organisation, foi_lead):
    result = do_import(organisation, sample("by_request.csv"), by=foi_lead)

    assert (result.summary()["layout"], result.requests, result.questions) == ("texts", 3, 14)
    imaging = questions_of(IMAGING)
    assert len(imaging) == 8
    assert imaging[4].text == (
        "Are there any plans to re-tender for diagnostic imaging services in the next 12 "
        "months? If yes, please specify modality and expected timeline"
    )
    assert imaging[4].answer == "There are no current plans for re-tendering."
    # The bulleted contracts stay inside answer 3: only the numbered list splits.
    assert imaging[2].answer.count("\n- ") == 3
    request = Request.objects.get(reference=IMAGING)
    assert request.body.startswith("I would like to request the following information.")
    # The request's exemptions stay on question 1 in this layout (documented).
    assert [e.section for e in questions_of(ASSOCIATES)[0].exemptions.all()] == ["s.40(2)"]


def test_a_year_or_a_figure_at_the_start_of_a_line_does_not_start_an_answer():
    text = "1. Spend was:\n2024. £3,091,519\n- Cobalt\n2. No plans.\n5) Not numbered in order."

    assert imports.numbered_items(text, join="\n") == [
        "Spend was:\n2024. £3,091,519\n- Cobalt",
        "No plans.\n5) Not numbered in order.",
    ]


# -- errors --------------------------------------------------------------------------------

REQ = "FOI/1,FOI,2025-06-02,Parking,2025-06-20,granted_in_full,"


@pytest.mark.django_db
def test_a_repeated_question_number_names_both_lines(organisation):
    errors = errors_of(organisation, qa(REQ + ",1,Q one,A one,,", "FOI/1,,,,,,,1,Q two,A two,,"))

    assert errors == [
        "log.csv line 3, column question_number: '1' repeats question 1 of FOI/1 (line 2)"
    ]


@pytest.mark.django_db
def test_an_answer_without_a_question_is_refused(organisation):
    errors = errors_of(
        organisation, qa(REQ + ",1,Q one,A one,,", "FOI/1,,,,,,,2,,Orphan answer,,")
    )

    assert errors == [
        "log.csv line 3, column answer: 'Orphan answer' is an answer without a question"
    ]


@pytest.mark.django_db
def test_request_columns_that_disagree_between_rows_name_the_line_and_column(organisation):
    errors = errors_of(
        organisation, qa(REQ + ",1,Q one,A one,,", "FOI/1,,2025-06-03,,,,,2,Q two,A two,,")
    )

    assert errors == [
        "log.csv line 3, column received: '2025-06-03' disagrees with line 2 ('2025-06-02') "
        "for FOI/1: give a request's columns once, or the same on each of its rows"
    ]


@pytest.mark.django_db
def test_a_request_column_given_on_a_later_row_is_checked_on_that_row(organisation):
    errors = errors_of(
        organisation,
        qa("FOI/1,FOI,2025-06-02,Parking,,,,1,Q one,,,", "FOI/1,,,,,refused,,2,Q two,,,"),
    )

    assert errors == [
        "log.csv line 3, column outcome: 'refused' is not one of granted_in_full, "
        "partially_withheld, withheld_in_full, not_held, refused_cost, refused_vexatious, "
        "refused_repeated, lapsed, withdrawn"
    ]


@pytest.mark.django_db
def test_an_exempt_answer_needs_its_exemptions_and_a_kind_must_be_known(organisation):
    errors = errors_of(
        organisation, qa(REQ + ",1,Q one,Withheld,exempt,", "FOI/1,,,,,,,2,Q two,Yes,given,")
    )

    assert errors == [
        "log.csv line 2, column answer_kind: 'exempt' is exempt but the row names no exemptions",
        "log.csv line 3, column answer_kind: 'given' is not one of provided, not_held, "
        "elsewhere, exempt, refused_s12, refused_s14, no_plans",
    ]


@pytest.mark.django_db
def test_numbered_answers_that_do_not_match_the_questions_are_refused(organisation):
    header = "reference,regime,received,title,request_text,response_text"
    content = qa(
        'FOI/1,FOI,2025-06-02,Parking,"1. How many spaces?\n2. What do they cost?\n3. Who runs '
        'them?","1. 400.\n2. £3 a day."',
        header=header,
    )

    assert errors_of(organisation, content) == [
        "log.csv line 2, column response_text: '1. 400.\\n2. £3 a day.' has 2 numbered "
        "answers for the 3 numbered questions of request_text: number its answers 1. to 3"
    ]


@pytest.mark.django_db
def test_requester_columns_are_refused_and_say_why(organisation):
    content = qa(REQ + ",1,Q,A,,", header=HEADER + ",requester_email,name")

    assert errors_of(organisation, content) == [
        f"log.csv line 1, column {column}: None looks like requester data: an import never reads a "
        "requester's details (private, and imported history may be published); delete the "
        "column and upload again"
        for column in ("name", "requester_email")
    ]


@pytest.mark.django_db
def test_the_two_layouts_cannot_be_mixed(organisation):
    content = qa(REQ + ",1,Q,A,,,", header=HEADER + ",request_text")

    assert errors_of(organisation, content) == [
        "log.csv line 1, column request_text: None mixes a row per request (request_text, "
        "response_text) with a row per question (question_number, question, answer, "
        "answer_kind): use one layout"
    ]


@pytest.mark.django_db
def test_only_a_response_can_be_marked_published(organisation, foi_lead):
    content = qa("FOI/1,FOI,2025-06-02,Parking,,,yes,1,Q,,,")

    assert errors_of(organisation, content, by=foi_lead) == [
        "log.csv line 2, column published: 'yes' is a request with no response: only a "
        "response can be published on the disclosure log"
    ]


# -- one atomic commit ---------------------------------------------------------------------


@pytest.mark.django_db
def test_one_bad_row_imports_nothing_not_even_the_sketches(organisation, foi_lead):
    good = sample("by_question.csv").decode()
    bad = good + "FOI-10-577,,,,,,,,,2,Repeated number,Answer,,\n"

    with pytest.raises(imports.ImportFailed) as failed:
        do_import(organisation, bad.encode(), by=foi_lead)

    assert [str(e) for e in failed.value.result.errors] == [
        "log.csv line 16, column question_number: '2' repeats question 2 of FOI-10-577 (line 11)"
    ]
    assert not Request.objects.exists()
    assert not Question.objects.exists()
    assert not RequestSketch.objects.exists()
    assert not DisclosureLogEntry.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="request.import").exists()


@pytest.mark.django_db
def test_personal_data_in_a_published_answer_names_its_line_and_undoes_everything(
    organisation, foi_lead
):
    content = qa(
        REQ.replace(",granted_in_full,", ",granted_in_full,yes") + ",1,How many spaces?,400,,",
        "FOI/1,,,,,,,2,Who runs them?,Ask jo.bloggs@example.org,,",
    )

    errors = errors_of(organisation, content, by=foi_lead)

    assert errors == [
        "log.csv line 3, column answer: 'jo.bloggs@example.org' is email address: an entry "
        "marked published cannot carry it; remove it from the file, or leave published empty "
        "and publish from the request's page after the check"
    ]
    assert not Request.objects.exists()
    assert not DisclosureLogEntry.objects.exists()


@pytest.mark.django_db
def test_the_check_before_importing_already_names_personal_data_in_a_published_answer(
    organisation,
):
    content = qa(
        REQ.replace(",granted_in_full,", ",granted_in_full,yes") + ",1,How many spaces?,400,,",
        "FOI/1,,,,,,,2,Who runs them?,Call 07700 900123,,",
        "FOI/2,FOI,2025-06-02,Staff only,2025-06-20,granted_in_full,,1,Who?,Call 07700 900123,,",
    )

    result = imports.preview(
        content=content, filename="log.csv", organisation=organisation, today=TODAY
    )

    assert [str(e) for e in result.errors] == [
        "log.csv line 3, column answer: '07700 900123' is uk telephone number: an entry "
        "marked published cannot carry it; remove it from the file, or leave published empty "
        "and publish from the request's page after the check"
    ]
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_the_command_without_a_lead_cannot_publish(organisation, tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(sample("by_question.csv"))

    with pytest.raises(CommandError):
        call_command("import_requests", str(path), organisation="QNC", commit=True)

    assert not Request.objects.exists()


@pytest.mark.django_db
def test_a_row_error_of_the_command_names_the_published_column(organisation):
    errors = errors_of(organisation, sample("by_question.csv"), filename="by_question.csv")

    assert errors == [
        "by_question.csv line 2, column published: 'yes' needs an FOI lead to publish: import "
        "as one (the admin's import, or the command's --user)"
    ]


# -- matching and publication -------------------------------------------------------------


@pytest.mark.django_db
def test_every_imported_request_is_sketched_for_matching(organisation, foi_lead):
    do_import(organisation, sample("by_question.csv"), by=foi_lead)

    for reference in (IMAGING, REFERRALS, ASSOCIATES):
        request = Request.objects.get(reference=reference)
        text = "\n".join(q.text for q in questions_of(reference))
        hashes = set(RequestSketch.objects.filter(request=request).values_list("hash", flat=True))
        assert hashes == set(matching.sketch(text)) and hashes


@pytest.mark.django_db
def test_an_emailed_round_robin_finds_the_imported_request_and_its_answer(
    organisation, foi_lead, foi_officer_client
):
    do_import(organisation, sample("by_question.csv"), by=foi_lead)
    email = Path(__file__).resolve().parent.parent / "data" / "intake" / "emails"

    with open(email / "new_request_plain.eml", "rb") as fh:
        page = foi_officer_client.post(
            reverse("admin:intake_inboundmessage_upload"),
            {"organisation": organisation.pk, "file": fh},
            follow=True,
        )

    assert page.status_code == 200
    found = [e.request.reference for e in page.context["earlier"]]
    assert found[0] == ASSOCIATES
    html = page.content.decode()
    assert "Earlier requests asking the same questions" in html
    assert "The ICB employs two Physician Associates." in html


@pytest.mark.django_db
def test_only_rows_marked_published_reach_the_public_log_with_their_answers(
    organisation, foi_lead, client
):
    do_import(organisation, sample("by_question.csv"), by=foi_lead)

    entry = DisclosureLogEntry.objects.get()
    assert entry.reference == IMAGING
    page = client.get(reverse("disclosure:response", args=[entry.public_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "There are no current plans for re-tendering." in html
    assert "Diagnostic Healthcare Ltd" in html
    listing = client.get(reverse("disclosure:log")).content.decode()
    assert "Physician Associates" not in listing
    assert "Referral management" not in listing


# -- importing again -----------------------------------------------------------------------


@pytest.mark.django_db
def test_importing_the_same_log_again_changes_nothing(organisation, foi_lead):
    do_import(organisation, sample("by_question.csv"), by=foi_lead)
    counts = (
        Question.objects.count(),
        RequestSketch.objects.count(),
        AuditEvent.objects.count(),
        DisclosureLogEntry.objects.count(),
    )

    again = do_import(
        organisation, sample("by_question.xlsx"), by=foi_lead, filename="by_question.xlsx"
    )

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert (
        Question.objects.count(),
        RequestSketch.objects.count(),
        AuditEvent.objects.count(),
        DisclosureLogEntry.objects.count(),
    ) == counts


@pytest.mark.django_db
def test_a_changed_answer_updates_its_request_and_republishes_it(organisation, foi_lead, client):
    do_import(organisation, sample("by_question.csv"), by=foi_lead)
    changed = sample("by_question.csv").replace(
        b"There are no current plans for re-tendering.",
        b"A re-tender for non-obstetric ultrasound is planned for 2026.",
    )

    again = do_import(organisation, changed, by=foi_lead)

    assert (again.created, again.updated, again.unchanged) == (0, 1, 2)
    assert questions_of(IMAGING)[4].answer == (
        "A re-tender for non-obstetric ultrasound is planned for 2026."
    )
    entry = DisclosureLogEntry.objects.get()
    assert entry.is_live
    html = client.get(reverse("disclosure:response", args=[entry.public_id])).content.decode()
    assert "planned for 2026" in html
    assert "no current plans" not in html
    assert AuditEvent.objects.filter(action="request.import_updated").count() == 1


@pytest.mark.django_db
def test_a_reference_the_register_numbered_itself_is_never_overwritten(organisation, foi_lead):
    from tests.factories.foiregister import log_request

    own = log_request(organisation=organisation, title="Our own")
    content = qa(f"{own.reference},FOI,2025-06-02,Parking,2025-06-20,granted_in_full,,1,Q,A,,")

    assert errors_of(organisation, content, by=foi_lead) == [
        f"log.csv line 2, column reference: '{own.reference}' is a reference the register "
        "numbered itself; an import cannot change it"
    ]


@pytest.mark.django_db
def test_a_reference_another_organisation_logged_is_named_as_theirs(organisation, foi_lead):
    """A reference another organisation's request already has: imported into this one, the
    row is refused as another organisation's, not as this one's own."""
    from tests.factories.foiregister import OrganisationFactory, log_request

    theirs = log_request(organisation=OrganisationFactory(), title="Their own")
    content = qa(f"{theirs.reference},FOI,2025-06-02,Parking,2025-06-20,granted_in_full,,1,Q,A,,")

    assert errors_of(organisation, content, by=foi_lead) == [
        f"log.csv line 2, column reference: '{theirs.reference}' is already used by another "
        "organisation's request"
    ]


@pytest.mark.django_db
def test_importing_again_sketches_history_that_has_no_sketch_yet(organisation, foi_lead):
    do_import(organisation, sample("by_question.csv"), by=foi_lead)
    RequestSketch.objects.all().delete()  # as if imported before intake existed

    do_import(organisation, sample("by_question.csv"), by=foi_lead)

    assert set(RequestSketch.objects.values_list("request__reference", flat=True)) == {
        IMAGING,
        REFERRALS,
        ASSOCIATES,
    }


@pytest.mark.django_db
def test_the_command_imports_and_publishes_as_the_lead_it_names(organisation, foi_lead, tmp_path):
    path = tmp_path / "by_question.xlsx"
    path.write_bytes(sample("by_question.xlsx"))
    out = io.StringIO()

    call_command(
        "import_requests",
        str(path),
        organisation="QNC",
        commit=True,
        user="lead",
        stdout=out,
    )

    assert out.getvalue().strip() == (
        "14 rows: 3 created, 0 updated, 0 unchanged; 14 questions, 14 answered; "
        "1 published on the disclosure log"
    )
    assert DisclosureLogEntry.objects.get().published_by == foi_lead


@pytest.mark.django_db
def test_a_plain_foi_log_is_sketched_on_its_titles_too(organisation):
    content = (
        b"reference,regime,received,title\n"
        b"FOI/9,FOI,2025-06-02,Independent sector imaging contracts and their expiry dates\n"
    )

    do_import(organisation, content, by=TEST_DATA)

    request = Request.objects.get(reference="FOI/9")
    assert set(
        RequestSketch.objects.filter(request=request).values_list("hash", flat=True)
    ) == set(matching.sketch("\nIndependent sector imaging contracts and their expiry dates"))
