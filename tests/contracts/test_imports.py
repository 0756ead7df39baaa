"""CSV and XLSX imports: preview, atomic commit, every error reported, idempotent."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from contracts import imports, selectors, services
from contracts.exceptions import ContractsError
from contracts.models import CdcActivity, Contract, ContractSpend, ImportJob, Supplier
from foiregister.kernel.models import AuditEvent
from tests.factories import TEST_DATA
from tests.factories import contracts as f

D = datetime.date
HEADER = "reference,supplier,title,kind,payment_basis,categories,value,start_date,end_date,end_date_to_be_agreed,end_date_reason\n"
GOOD = (
    HEADER
    + "SSOT-1,Diagnostic Healthcare Ltd,Provision of MRI services,independent_sector,activity_at_tariff,mri,0,2024-02-01,2027-01-31,,\n"
    + "SSOT-2,Harmonic Medical Sonography,Provision of NOUS,Independent sector,activity_at_tariff,nous,0,,31/03/2026,,\n"
    + "DAC-1,MediServices,EMG & NCS reporting,insourcing,cost_per_case,neurophysiology,,,,yes,PSR Direct Award C under review\n"
)


def _commit(content, organisation, by=TEST_DATA, filename="contracts.csv", kind="contracts"):
    return imports.commit(
        content=content.encode() if isinstance(content, str) else content,
        filename=filename,
        kind=kind,
        organisation=organisation,
        by=by,
    )


def test_preview_reports_rows_and_writes_nothing(organisation):
    result = imports.preview(
        content=GOOD.encode(),
        filename="contracts.csv",
        kind="contracts",
        organisation=organisation,
    )

    assert result.ok and result.rows == 3
    assert not Contract.objects.exists() and not Supplier.objects.exists()


def test_commit_creates_contracts_and_suppliers(organisation, commissioner):
    result = _commit(GOOD, organisation, by=commissioner)

    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    dac = Contract.objects.get(reference="DAC-1")
    assert dac.end_date_to_be_agreed and dac.end_date_reason == "PSR Direct Award C under review"
    assert Contract.objects.get(reference="SSOT-2").current_end_date == D(2026, 3, 31)
    assert AuditEvent.objects.filter(action="contract.created").count() == 3


def test_reimporting_the_same_file_changes_nothing(organisation, commissioner):
    _commit(GOOD, organisation, by=commissioner)
    audit_rows = AuditEvent.objects.count()

    result = _commit(GOOD, organisation, by=commissioner)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert AuditEvent.objects.count() == audit_rows
    assert Contract.objects.count() == 3


def test_reimport_with_a_changed_row_updates_only_that_contract(organisation, commissioner):
    _commit(GOOD, organisation, by=commissioner)

    result = _commit(GOOD.replace("2027-01-31", "2027-03-31"), organisation, by=commissioner)

    assert (result.updated, result.unchanged) == (1, 2)
    assert Contract.objects.get(reference="SSOT-1").current_end_date == D(2027, 3, 31)


def test_every_bad_row_is_reported_with_file_line_column_and_value(organisation):
    bad = (
        HEADER
        + "OK-1,Supplier A,MRI,independent_sector,annual,mri,100,,2026-01-01,,\n"
        + "BAD-1,Supplier B,MRI,independent_sector,annual,mri,100,,31/02/2025,,\n"
        + "BAD-2,Supplier C,MRI,outsourcing,annual,mri,lots,,,,\n"
        + "BAD-3,Supplier D,MRI,insourcing,annual,scanner,1,,,maybe,\n"
        + "OK-1,Supplier A,MRI,independent_sector,annual,mri,100,,2026-01-01,,\n"
    )

    with pytest.raises(imports.ImportFailed) as exc:
        _commit(bad, organisation)

    messages = [str(e) for e in exc.value.result.errors]
    assert messages == [
        "contracts.csv line 3, column end_date: '31/02/2025' is not a date",
        "contracts.csv line 4, column kind: 'outsourcing' is not one of the allowed values",
        "contracts.csv line 5, column categories: 'scanner' is not one of the allowed values",
        "contracts.csv line 6, column reference: 'OK-1' repeats line 2",
    ]
    assert not Contract.objects.exists()


def test_a_row_refused_by_a_service_rolls_back_the_whole_file(organisation):
    """Parsing passes; the service refuses the second row (latest end before end)."""
    content = (
        "reference,supplier,title,kind,payment_basis,end_date,latest_end_date\n"
        "A,Supplier A,MRI,independent_sector,annual,2026-01-01,\n"
        "B,Supplier B,MRI,independent_sector,annual,2026-01-01,2025-01-01\n"
    )

    with pytest.raises(imports.ImportFailed) as exc:
        _commit(content, organisation)

    [error] = exc.value.result.errors
    assert error.line == 3 and error.column == "latest_end_date"
    assert not Contract.objects.exists() and not Supplier.objects.exists()


def test_missing_and_unknown_columns_are_reported_on_line_1(organisation):
    result = imports.preview(
        content=b"reference,titel\nX,Y\n",
        filename="c.csv",
        kind="contracts",
        organisation=organisation,
    )

    messages = [str(e) for e in result.errors]
    assert "c.csv line 1, column supplier: None is missing from the header" in messages
    assert "c.csv line 1, column titel: None is not a known column" in messages


def _xlsx(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_spend_import_commits_and_is_idempotent(organisation):
    contract = f.contract(
        organisation=organisation, reference="COBALT-1", kind="insourcing", is_public=True
    )
    content = _xlsx(
        [
            [
                "financial_year",
                "kind",
                "amount",
                "source",
                "contract_reference",
                "supplier",
                "category",
            ],
            ["2024/25", "insourcing", 1000000.5, "ledger M12", "COBALT-1", None, "ct"],
            [
                "2024/25",
                "insourcing",
                "2,091,518.50",
                "ledger M12",
                None,
                "Health Now",
                "cardiology",
            ],
        ]
    )

    first = _commit(content, organisation, filename="spend.xlsx", kind="spend")
    second = _commit(content, organisation, filename="spend.xlsx", kind="spend")

    assert (first.created, second.unchanged) == (2, 2)
    assert ContractSpend.objects.get(contract=contract).supplier == contract.supplier
    assert selectors.spend_total(
        organisation=organisation, financial_year="2024/25", kind="insourcing"
    ) == Decimal("3091519.00")


def test_xlsx_errors_name_the_file_line_and_column(organisation):
    content = _xlsx(
        [
            ["financial_year", "kind", "amount", "source", "contract_reference"],
            ["2024-25", "insourcing", 10, "ledger", None],
            ["2024/25", "insourcing", "ten", "ledger", "NOPE"],
        ]
    )

    result = imports.preview(
        content=content, filename="spend.xlsx", kind="spend", organisation=organisation
    )

    assert [str(e) for e in result.errors] == [
        "spend.xlsx line 2, column financial_year: '2024-25' is not a financial year like 2024/25",
        "spend.xlsx line 3, column contract_reference: 'NOPE' is not a contract in the register",
    ]


def test_xlsx_dates_from_excel_cells_are_read_as_dates(organisation):
    content = _xlsx(
        [
            ["reference", "supplier", "title", "kind", "payment_basis", "end_date"],
            [
                "X-1",
                "Supplier X",
                "CT",
                "independent_sector",
                "block",
                datetime.datetime(2026, 3, 31),
            ],
        ]
    )

    _commit(content, organisation, filename="contracts.xlsx")

    assert Contract.objects.get(reference="X-1").end_date == D(2026, 3, 31)


def test_cdc_activity_import_upserts_by_cdc_modality_and_month(organisation):
    cdc = f.cdc(host_trust=organisation, name="Guest Hospital CDC")
    csv = (
        "cdc,modality,month,planned,actual\n"
        "Guest Hospital CDC,MRI,2025-06-01,1400,1296\n"
        "guest hospital cdc,ct,01/06/2025,900,\n"
    )

    _commit(csv, organisation, filename="activity.csv", kind="cdc_activity")
    result = _commit(
        csv.replace("1296", "1300"), organisation, filename="activity.csv", kind="cdc_activity"
    )

    assert (result.updated, result.unchanged) == (1, 1)
    assert CdcActivity.objects.get(cdc=cdc, modality="mri").actual == 1300


def test_cdc_activity_for_a_cdc_hosted_elsewhere_is_refused(organisation, other_organisation):
    f.cdc(host_trust=other_organisation, name="Elsewhere CDC")

    result = imports.preview(
        content=b"cdc,modality,month\nElsewhere CDC,mri,2025-06-01\n",
        filename="a.csv",
        kind="cdc_activity",
        organisation=organisation,
    )

    assert [e.reason for e in result.errors] == ["is not a CDC this organisation hosts"]


def test_import_job_runs_in_celery_and_records_progress(organisation, commissioner):
    job = imports.create_job(
        organisation=organisation,
        kind="contracts",
        filename="contracts.csv",
        content=GOOD.encode(),
        by=commissioner,
    )
    assert job.status == ImportJob.Status.PREVIEWED and job.rows_total == 3

    from contracts.tasks import run_import_job

    run_import_job.delay(job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.rows_done == 3
    assert job.summary["created"] == 3


def test_failed_import_job_keeps_its_errors(organisation, commissioner):
    content = (HEADER + "A,S,T,independent_sector,annual,mri,x,,,,\n").encode()
    job = imports.create_job(
        organisation=organisation,
        kind="contracts",
        filename="c.csv",
        content=content,
        by=commissioner,
    )

    job = imports.run_job(job.pk)

    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0]["message"] == "c.csv line 2, column value: 'x' is not a number"
    assert not Contract.objects.exists()


def test_import_command_previews_then_commits(organisation, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "contracts.csv"
    path.write_text(GOOD)
    out = StringIO()

    call_command(
        "import_register", str(path), "--organisation", "QNC", "--kind", "contracts", stdout=out
    )
    assert not Contract.objects.exists()
    call_command(
        "import_register",
        str(path),
        "--organisation",
        "QNC",
        "--kind",
        "contracts",
        "--commit",
        stdout=out,
    )

    assert Contract.objects.count() == 3
    assert "3 created" in out.getvalue()


def test_service_errors_in_spend_are_reported_per_row(organisation, other_organisation):
    services.record_spend(
        organisation=organisation,
        financial_year="2024/25",
        amount=None,
        kind="insourcing",
        source="x",
        by=TEST_DATA,
        reference="keep",
    )

    result = imports.preview(
        content=b"financial_year,kind,source,basis\n2024/25,insourcing,x,guess\n",
        filename="s.csv",
        kind="spend",
        organisation=organisation,
    )

    assert [str(e) for e in result.errors] == [
        "s.csv line 2, column basis: 'guess' is not one of the allowed values"
    ]


def _contracts_csv(n, title="MRI"):
    return HEADER + "".join(
        f"N-{i:04d},Supplier {i % 3},{title},independent_sector,annual,mri,100,,2026-01-01,,\n"
        for i in range(n)
    )


def test_commit_costs_the_same_queries_for_ten_rows_as_for_three_hundred(organisation):
    """Rows are written in batches, so the reads do not grow with the file and the inserts
    are bulk. An insert's batch is as large as the database takes: all 300 rows in one
    statement on PostgreSQL; on SQLite Django splits it to stay under SQLite's 999
    parameters a statement, so the inserts are counted against one per ten rows, not
    against the small file."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def reads(context):
        return [q for q in context.captured_queries if not q["sql"].startswith("INSERT")]

    _commit(_contracts_csv(3).replace("N-", "W-"), organisation)  # the suppliers
    with CaptureQueriesContext(connection) as small:
        _commit(_contracts_csv(10), organisation)
    with CaptureQueriesContext(connection) as large:
        _commit(_contracts_csv(300).replace("N-", "M-"), organisation)

    assert len(reads(large)) == len(reads(small))
    assert len(large) - len(reads(large)) <= 300 // 10
    assert Contract.objects.count() == 313


def test_progress_is_reported_after_each_batch_and_at_the_end(organisation, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 2)
    calls = []

    imports.commit(
        content=_contracts_csv(5).encode(),
        filename="contracts.csv",
        kind="contracts",
        organisation=organisation,
        by=TEST_DATA,
        progress=lambda done, total: calls.append((done, total)),
    )

    assert calls == [(2, 5), (4, 5), (5, 5)]


def test_each_written_row_has_one_audit_row_with_its_changes(organisation, commissioner):
    _commit(GOOD, organisation, by=commissioner)

    _commit(GOOD.replace("Provision of NOUS", "NOUS"), organisation, by=commissioner)

    contract = Contract.objects.get(reference="SSOT-2")
    [event] = AuditEvent.objects.filter(action="contract.updated")
    assert event.object_id == str(contract.pk) and event.actor == commissioner.get_username()
    assert event.changes == {"title": ["Provision of NOUS", "NOUS"]}
    assert AuditEvent.objects.filter(action="supplier.created").count() == 3
    created = AuditEvent.objects.get(action="contract.created", object_id=str(contract.pk))
    assert created.changes["end_date"] == [None, "2026-03-31"]
    assert created.organisation_id == str(organisation.pk)


def test_reimport_keeps_the_end_date_an_extension_set(organisation, commissioner):
    _commit(GOOD, organisation, by=commissioner)
    contract = Contract.objects.get(reference="SSOT-2")
    services.record_contract_change(
        contract,
        kind="extension",
        effective_on=D(2026, 1, 1),
        new_end_date=D(2027, 3, 31),
        reason="first option",
        by=commissioner,
    )

    result = _commit(GOOD.replace("Provision of NOUS", "NOUS"), organisation, by=commissioner)

    contract.refresh_from_db()
    assert result.updated == 1
    assert contract.title == "NOUS" and contract.current_end_date == D(2027, 3, 31)


def test_spend_reimport_with_a_changed_amount_updates_only_that_line(organisation):
    csv = (
        "reference,financial_year,kind,amount,source,supplier\n"
        "L-1,2024/25,insourcing,10.00,ledger,Health Now\n"
        "L-2,2024/25,insourcing,20.00,ledger,Health Now\n"
    )
    _commit(csv, organisation, filename="spend.csv", kind="spend")

    result = _commit(
        csv.replace("20.00", "25.50"), organisation, filename="spend.csv", kind="spend"
    )

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert ContractSpend.objects.get(reference="L-2").amount == Decimal("25.50")
    [event] = AuditEvent.objects.filter(action="spend.updated")
    assert event.changes == {"amount": ["20.00", "25.50"]}


def test_a_derived_spend_reference_equal_to_another_rows_is_reported(organisation):
    csv = (
        "reference,financial_year,kind,amount,source,supplier,category\n"
        "2024/25/actual/Health Now/ct,2024/25,insourcing,10,ledger,Health Now,ct\n"
        ",2024/25,insourcing,20,ledger,Health Now,ct\n"
    )

    with pytest.raises(imports.ImportFailed) as exc:
        _commit(csv, organisation, filename="spend.csv", kind="spend")

    assert [str(e) for e in exc.value.result.errors] == [
        "spend.csv line 3, column reference: '2024/25/actual/Health Now/ct' repeats line 2"
    ]
    assert not ContractSpend.objects.exists() and not Supplier.objects.exists()


def test_publication_flags_and_source_are_imported(organisation):
    content = (
        "reference,supplier,title,kind,payment_basis,value,is_public,value_is_public,"
        "reasons_are_public,source\n"
        "W-1,Cobalt,CT and MRI,insourcing,annual,250000,yes,no,yes,Signed contract 2024\n"
        "W-2,Cobalt,Endoscopy,insourcing,annual,90000,yes,,,\n"
    )

    _commit(content, organisation)

    withheld, shown = Contract.objects.order_by("reference")
    assert (withheld.is_public, withheld.value_is_public, withheld.reasons_are_public) == (
        True,
        False,
        True,
    )
    assert withheld.source == "Signed contract 2024"
    # Blank cells take the defaults: value disclosed, reasons not published.
    assert (shown.value_is_public, shown.reasons_are_public) == (True, False)


def test_a_narrower_file_leaves_the_columns_it_lacks_as_they_were(organisation, commissioner):
    """Re-importing end dates from a short file must not undo what the commissioner set in
    the admin: a withheld value, the scope, a termination."""
    contract = f.contract(
        organisation=organisation,
        reference="W-1",
        supplier=f.supplier(name="Cobalt"),
        kind="insourcing",
        scope="CT and MRI lists at weekends",
        is_public=True,
        value_is_public=False,
        status=Contract.Status.TERMINATED,
    )
    content = (
        "reference,supplier,title,kind,payment_basis,end_date\n"
        "W-1,Cobalt,Provision of MRI services,insourcing,annual,2027-03-31\n"
    )

    result = _commit(content, organisation, by=commissioner)

    contract.refresh_from_db()
    assert result.updated == 1
    assert contract.end_date == D(2027, 3, 31)
    assert contract.scope == "CT and MRI lists at weekends"
    assert (contract.is_public, contract.value_is_public) == (True, False)
    assert contract.status == Contract.Status.TERMINATED


def test_preview_finds_the_errors_the_commit_would_meet(organisation):
    """The second row parses but the service refuses it (latest possible end date before
    the end date): the preview must say so, not leave it to the commit."""
    content = (
        "reference,supplier,title,kind,payment_basis,end_date,latest_end_date\n"
        "A,Supplier A,MRI,independent_sector,annual,2026-01-01,\n"
        "B,Supplier B,MRI,independent_sector,annual,2026-01-01,2025-01-01\n"
    )

    result = imports.preview(
        content=content.encode(),
        filename="contracts.csv",
        kind="contracts",
        organisation=organisation,
    )

    [error] = result.errors
    assert (error.filename, error.line, error.column) == ("contracts.csv", 3, "latest_end_date")
    assert not Contract.objects.exists() and not Supplier.objects.exists()
    assert not AuditEvent.objects.exists()


def test_preview_says_what_the_commit_would_change(organisation, commissioner):
    _commit(GOOD, organisation, by=commissioner)
    changed = GOOD.replace("EMG & NCS reporting", "EMG and NCS reporting") + (
        "NEW-1,Cobalt,CT,insourcing,annual,ct,1000,,,,\n"
    )

    result = imports.preview(
        content=changed.encode(),
        filename="contracts.csv",
        kind="contracts",
        organisation=organisation,
    )

    assert (result.created, result.updated, result.unchanged) == (1, 1, 2)
    assert Contract.objects.count() == 3


# -- issue 15: bad encodings, NUL bytes, absurd numbers, size limit ---------------------------


def _preview(content: bytes, organisation, filename="contracts.csv", kind="contracts"):
    return imports.preview(
        content=content, filename=filename, kind=kind, organisation=organisation
    )


def test_a_latin_1_file_is_refused_naming_the_line_and_column(organisation):
    """Excel's plain "CSV" is Windows-1252: 'Sévérine Imaging' on line 3, column supplier."""
    content = (GOOD.replace("Harmonic Medical Sonography", "Sévérine Imaging")).encode("latin-1")

    result = _preview(content, organisation)

    [error] = result.errors
    assert (error.filename, error.line, error.column) == ("contracts.csv", 3, "supplier")
    assert "not UTF-8" in error.reason and "CSV UTF-8" in error.reason
    assert not Supplier.objects.exists()


def test_a_utf_16_file_is_refused_with_how_to_save_it(organisation):
    result = _preview(GOOD.encode("utf-16"), organisation)

    [error] = result.errors
    assert (error.line, error.column) == (1, "")
    assert str(error).startswith("contracts.csv line 1: is UTF-16 text")


def test_a_nul_byte_in_a_cell_is_reported_and_nothing_is_written(organisation):
    """PostgreSQL text cannot hold NUL; the commit used to fail with an unhandled DataError."""
    content = GOOD.replace("EMG & NCS reporting", "EMG\x00 reporting")

    with pytest.raises(imports.ImportFailed) as failed:
        _commit(content, organisation)

    [error] = failed.value.result.errors
    assert (error.line, error.column) == (4, "title")
    assert "NUL byte" in error.reason
    assert not Contract.objects.exists() and not Supplier.objects.exists()


def test_a_count_of_1e23_is_refused(organisation):
    cdc = f.cdc(host_trust=organisation, name="Guest Hospital CDC")
    content = f"cdc,modality,month,planned,actual\n{cdc.name},mri,2025-06-01,1400,1e23\n"

    result = _preview(content.encode(), organisation, filename="activity.csv", kind="cdc_activity")

    [error] = result.errors
    assert (error.line, error.column, error.value) == (2, "actual", "1e23")
    assert "too large" in error.reason
    assert not CdcActivity.objects.exists()


def test_an_amount_beyond_the_column_is_refused(organisation):
    content = HEADER + "BIG-1,Cobalt,CT,insourcing,annual,ct,1e23,,,,\n"

    [error] = _preview(content.encode(), organisation).errors

    assert (error.line, error.column) == (2, "value") and "too large" in error.reason


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    organisation, commissioner, settings
):
    settings.CONTRACTS_IMPORT_MAX_MB = 0.0001  # 104 bytes

    with pytest.raises(ContractsError, match=r"contracts.csv is 0.0 MB; the largest file"):
        imports.create_job(
            organisation=organisation,
            kind="contracts",
            filename="contracts.csv",
            content=GOOD.encode(),
            by=commissioner,
        )
    assert not ImportJob.objects.exists()


def test_the_admin_upload_says_the_file_is_too_large(commissioner_client, organisation, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    settings.CONTRACTS_IMPORT_MAX_MB = 0.0001
    upload = SimpleUploadedFile("contracts.csv", GOOD.encode(), content_type="text/csv")

    response = commissioner_client.post(
        reverse("admin:contracts_contract_import"),
        {"organisation": organisation.pk, "kind": "contracts", "file": upload},
    )

    assert response.status_code == 200
    assert "the largest file that can be imported is 0 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    "content",
    [GOOD.encode("latin-1"), GOOD.encode("utf-16"), GOOD.replace("NOUS", "N\x00US").encode()],
    ids=["latin-1", "utf-16", "nul"],
)
def test_the_command_reports_a_bad_file_without_a_traceback(organisation, tmp_path, content):
    from django.core.management import CommandError, call_command

    path = tmp_path / "contracts.csv"
    path.write_bytes(content.replace(b"Harmonic", "Sévérine".encode("latin-1")))
    err = io.StringIO()

    with pytest.raises(CommandError, match="nothing written"):
        call_command(
            "import_register",
            str(path),
            "--organisation",
            organisation.ods_code,
            "--kind",
            "contracts",
            "--commit",
            stderr=err,
        )

    assert err.getvalue().startswith("contracts.csv line ")
    assert not Contract.objects.exists()


def test_preview_lists_each_row_and_the_new_suppliers_with_their_type(organisation):
    """Three contracts, two new: one row unchanged, one updated, one created; the
    insourcing company is typed as one, the outsourced-reporting company as Other."""
    f.contract(
        organisation=organisation,
        reference="KEEP-1",
        supplier=f.supplier(name="Cobalt"),
        title="CT",
        kind="insourcing",
        payment_basis="annual",
        categories=["ct"],
        value=Decimal("1000.00"),
        start_date=None,
        end_date=None,
    )
    content = (
        "reference,supplier,title,kind,payment_basis,categories,value\n"
        "KEEP-1,Cobalt,CT,insourcing,annual,ct,1000\n"
        "NEW-1,Eighteen Week Reporting,Radiology reporting,outsourced_reporting,annual,ct,5\n"
        "NEW-2,Insource Co,Endoscopy,insourcing,annual,endoscopy,7\n"
    )

    result = _preview(content.encode(), organisation)

    assert [(r["line"], r["row"], r["action"]) for r in result.row_actions] == [
        (2, "KEEP-1", "unchanged"),
        (3, "NEW-1", "create"),
        (4, "NEW-2", "create"),
    ]
    assert [(s["name"], s["kind"]) for s in result.new_suppliers] == [
        ("Eighteen Week Reporting", "other"),
        ("Insource Co", "insourcing"),
    ]
    assert not Supplier.objects.filter(name="Insource Co").exists()


def test_import_page_shows_the_preview_rows_and_new_suppliers(commissioner_client, organisation):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    upload = SimpleUploadedFile("contracts.csv", GOOD.encode(), content_type="text/csv")
    response = commissioner_client.post(
        reverse("admin:contracts_contract_import"),
        {"organisation": organisation.pk, "kind": "contracts", "file": upload},
        follow=True,
    )

    page = response.content.decode()
    assert "New suppliers this file would add (3)" in page
    assert "<td>MediServices</td><td>Insourcing company</td><td>4</td>" in page
    assert '<tr class="action-create"><td>2</td><td>SSOT-1</td><td>Create</td></tr>' in page


def test_a_large_file_is_previewed_in_the_background_with_progress(
    commissioner_client, organisation, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """Over CONTRACTS_IMPORT_PREVIEW_BACKGROUND_KB the upload only stores the file; a Celery
    task (eager here) checks it, saving rows checked as it goes."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    settings.CONTRACTS_IMPORT_PREVIEW_BACKGROUND_KB = 0.1  # 102 bytes
    monkeypatch.setattr(imports, "CHUNK", 1)
    saved = []
    monkeypatch.setattr(imports, "_save_progress", lambda job, done, total: saved.append(done))
    upload = SimpleUploadedFile("contracts.csv", GOOD.encode(), content_type="text/csv")

    with django_capture_on_commit_callbacks() as callbacks:
        response = commissioner_client.post(
            reverse("admin:contracts_contract_import"),
            {"organisation": organisation.pk, "kind": "contracts", "file": upload},
        )
    job = ImportJob.objects.get()
    page = commissioner_client.get(response["Location"]).content.decode()
    for callback in callbacks:
        callback()
    job.refresh_from_db()

    assert "Checking every row before anything is written" in page
    assert saved == [1, 2, 3]
    assert job.status == "previewed" and job.summary["created"] == 3
    assert not Contract.objects.exists()
