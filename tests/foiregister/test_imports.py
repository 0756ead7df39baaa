"""Importing an existing FOI log (issue 16): every bad row named, nothing half-written,
idempotent on reference, due dates from the statutory clock.

Expected due dates are counted by hand on a calendar: June 2025 has no bank holiday in any
part of the UK; Mon 14 July 2025 is Northern Ireland's (Battle of the Boyne, observed)."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from foiregister.kernel.models import AuditEvent
from foiregister.requests import imports
from foiregister.requests.models import Request, RequestEvent
from tests.factories import TEST_DATA
from tests.factories.foiregister import log_request

TODAY = datetime.date(2025, 12, 1)
HEADER = (
    "reference,regime,received,title,requester_kind,channel,clarification_sought,"
    "clarification_received,fee_notice,fee_paid,extension,extension_estimate,responded,"
    "outcome,exemptions,review_requested,review_decided,review_outcome"
)
COLUMNS = HEADER.split(",")


def row(**values) -> str:
    return ",".join(str(values.get(c, "")) for c in COLUMNS)


def csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def do_import(organisation, content, filename="log.csv", **kwargs):
    return imports.commit(
        content=content,
        filename=filename,
        organisation=organisation,
        by=TEST_DATA,
        today=TODAY,
        **kwargs,
    )


PLAIN = row(
    reference="FOI/2025/001",
    regime="FOI",
    received="2025-06-02",
    title="Imaging contracts",
    requester_kind="journalist",
    channel="web",
    responded="27/06/2025",
    outcome="partially_withheld",
    exemptions="s.40(2); s.43(2)",
)


@pytest.mark.django_db
def test_a_row_becomes_an_imported_request_without_a_requester(organisation):
    result = do_import(organisation, csv(PLAIN))

    assert result.summary() == {
        "rows": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "committed": True,
    }
    request = Request.objects.get(reference="FOI/2025/001")
    assert request.imported is True
    assert request.requester is None
    assert request.requester_kind == "journalist"
    assert request.channel == Request.Channel.WEB_FORM
    assert request.outcome == Request.Outcome.PARTIAL
    assert request.status == Request.Status.RESPONDED
    # Received Mon 2 Jun 2025 (day 0): working days 3-6 Jun (4), 9-13 (9), 16-20 (14),
    # 23-27 (19), Mon 30 Jun (20).
    assert request.statutory_due_on == datetime.date(2025, 6, 30)
    assert request.responded_on == datetime.date(2025, 6, 27)
    sections = sorted(request.questions.get().exemptions.values_list("section", flat=True))
    assert sections == ["s.40(2)", "s.43(2)"]
    assert AuditEvent.objects.filter(action="request.imported").count() == 1


@pytest.mark.django_db
def test_clarification_restarts_the_clock_and_a_pit_extension_gives_the_40th_day(
    organisation,
):
    content = csv(
        row(
            reference="FOI/2025/002",
            regime="FOI",
            received="2025-06-02",
            title="Insourcing",
            clarification_sought="2025-06-03",
            clarification_received="2025-06-05",
            extension="pit",
            extension_estimate="2025-07-10",
        )
    )
    do_import(organisation, content)

    request = Request.objects.get(reference="FOI/2025/002")
    # Restart Thu 5 Jun (day 0): 6 Jun (1), 9-13 (6), 16-20 (11), 23-27 (16), 30 Jun-3 Jul
    # (20) -> Thu 3 Jul. 40th: 4 Jul (21), 7-11 (26), 14 Jul NI holiday skipped, 15-18 (30),
    # 21-25 (35), 28 Jul-1 Aug (40) -> Fri 1 Aug 2025.
    assert request.clock_started_on == datetime.date(2025, 6, 5)
    assert request.statutory_due_on == datetime.date(2025, 7, 3)
    assert request.extended_due_on == datetime.date(2025, 8, 1)
    # Lists and reminders follow the date promised to the requester (the estimate); the
    # statutory 40th day above is what statistics judge the response by.
    assert request.due_on == datetime.date(2025, 7, 10)
    assert request.status == Request.Status.PIT_EXTENDED
    extension = request.events.get(kind=RequestEvent.Kind.PIT_EXTENSION)
    assert extension.occurred_on == datetime.date(2025, 7, 3)  # claimed in time
    assert extension.target_on == datetime.date(2025, 7, 10)


@pytest.mark.django_db
def test_excel_date_cells_are_read_as_dates(organisation):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    values = {
        "reference": "FOI/2025/003",
        "regime": "EIR",
        "received": datetime.datetime(2025, 6, 2),
        "title": "Air quality",
        "responded": datetime.datetime(2025, 6, 20),
        "outcome": "granted_in_full",
    }
    sheet.append([values.get(c) for c in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)

    do_import(organisation, buffer.getvalue(), filename="log.xlsx")

    request = Request.objects.get(reference="FOI/2025/003")
    assert request.regime == Request.Regime.EIR
    assert request.responded_on == datetime.date(2025, 6, 20)


@pytest.mark.django_db
def test_every_contradiction_is_reported_and_nothing_is_written(organisation):
    content = csv(
        PLAIN,
        row(
            reference="A1", regime="FOI", received="2025-06-10", title="t", responded="2025-06-09"
        ),
        row(
            reference="A2",
            regime="FOI",
            received="2025-06-02",
            title="t",
            fee_notice="2025-06-10",
            fee_paid="2025-06-09",
        ),
        row(
            reference="A3",
            regime="FOI",
            received="2025-06-02",
            title="t",
            responded="2025-06-20",
            outcome="refused_cost",
            review_requested="2025-06-19",
        ),
        row(reference="A4", regime="FOI", received="2025-06-02", title="t", outcome="not_held"),
        row(
            reference="A5",
            regime="FOI",
            received="2025-06-02",
            title="t",
            responded="2025-06-20",
            outcome="granted_in_full",
            exemptions="s.40(2)",
        ),
        row(reference="A6", regime="FOI", received="2025-06-02", title="t", extension="eir"),
        row(reference="A7", regime="FOI", received="31/02/2025", title="t"),
        row(
            reference="A8",
            regime="FOI",
            received="2025-06-02",
            title="t",
            responded="2025-06-20",
            outcome="withheld_in_full",
            exemptions="s.99",
        ),
        row(reference="A9", regime="XYZ", received="2025-06-02", title="t"),
    )

    with pytest.raises(imports.ImportFailed) as failed:
        do_import(organisation, content)

    messages = [str(e) for e in failed.value.result.errors]
    assert messages == [
        "log.csv line 3, column responded: '2025-06-09' is before the request was received "
        "(2025-06-10)",
        "log.csv line 4, column fee_paid: '2025-06-09' is before the fees notice (2025-06-10)",
        "log.csv line 5, column review_requested: '2025-06-19' is before the response "
        "(2025-06-20)",
        "log.csv line 6, column outcome: 'not_held' is given without a responded date",
        "log.csv line 7, column exemptions: 's.40(2)' are given on a request granted in full",
        "log.csv line 8, column extension: 'eir' is an EIR extension on a request that is not EIR",
        "log.csv line 9, column received: '31/02/2025' is not a date (YYYY-MM-DD or DD/MM/YYYY)",
        "log.csv line 10, column exemptions: 's.99' names an unknown section 's.99'",
        "log.csv line 11, column regime: 'XYZ' is not one of FOI, EIR, SAR",
    ]
    assert not Request.objects.exists()
    assert not AuditEvent.objects.filter(action="request.imported").exists()


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(organisation):
    do_import(organisation, csv(PLAIN))
    audit_rows = AuditEvent.objects.count()

    result = do_import(organisation, csv(PLAIN))

    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert AuditEvent.objects.count() == audit_rows
    assert Request.objects.count() == 1


@pytest.mark.django_db
def test_a_changed_row_updates_its_request_and_is_audited(organisation):
    do_import(organisation, csv(PLAIN))
    changed = PLAIN.replace("27/06/2025", "02/07/2025")

    result = do_import(organisation, csv(changed))

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    request = Request.objects.get(reference="FOI/2025/001")
    assert request.responded_on == datetime.date(2025, 7, 2)
    assert request.events.filter(kind=RequestEvent.Kind.RESPONSE_SENT).count() == 1
    row = AuditEvent.objects.get(action="request.import_updated")
    assert row.changes["events"][0] == [["response_sent", "2025-06-27", None, ""]]
    assert row.changes["events"][1] == [["response_sent", "2025-07-02", None, ""]]


@pytest.mark.django_db
def test_a_reference_the_register_numbered_cannot_be_imported_over(organisation):
    mine = log_request(organisation=organisation, received_on=datetime.date(2025, 6, 2))
    content = csv(PLAIN.replace("FOI/2025/001", mine.reference))

    with pytest.raises(imports.ImportFailed) as failed:
        do_import(organisation, content)

    assert [e.reason for e in failed.value.result.errors] == [
        "is a reference the register numbered itself; an import cannot change it"
    ]


@pytest.mark.django_db
def test_the_command_checks_without_commit_and_names_the_audit_user(
    organisation, foi_lead, tmp_path
):
    path = tmp_path / "log.csv"
    path.write_bytes(csv(PLAIN))
    out = io.StringIO()

    call_command("import_requests", str(path), organisation="QNC", stdout=out)
    assert not Request.objects.exists()
    assert "1 created" in out.getvalue()

    call_command(
        "import_requests", str(path), organisation="QNC", commit=True, user="lead", stdout=out
    )
    assert AuditEvent.objects.get(action="request.imported").actor == "lead"


@pytest.mark.django_db
def test_the_command_lists_bad_rows_and_fails(organisation, tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(csv(row(reference="B1", regime="FOI", received="2025-06-02")))
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 error"):
        call_command("import_requests", str(path), organisation="QNC", commit=True, stderr=err)

    assert "log.csv line 2, column title: '' is required" in err.getvalue()
