"""The admin's FOI log import as a job (issue 16): the file is stored with the job, checked
(in Celery when large), committed in Celery in one transaction, audited as the FOI lead,
with a progress page only the organisation's FOI leads see."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from foiregister.kernel.models import AuditEvent
from foiregister.kernel.roles import FOI_LEAD
from foiregister.requests import imports
from foiregister.requests.models import ImportJob, Request, RequestEvent
from tests.conftest import member
from tests.foiregister.test_imports import PLAIN, csv, row

UPLOAD = "admin:foiregister_request_import"
SECOND = row(
    reference="FOI/2025/002",
    regime="EIR",
    received="2025-07-01",
    title="Air quality monitoring",
    requester_kind="public",
    channel="email",
)


def upload(client, organisation, content, name="log.csv"):
    return client.post(
        reverse(UPLOAD),
        {"organisation": organisation.pk, "file": SimpleUploadedFile(name, content)},
    )


def page(client, job):
    return client.get(reverse("admin:foiregister_importjob_change", args=[job.pk]))


def commit(client, job):
    return client.post(reverse("admin:foiregister_importjob_commit", args=[job.pk]))


@pytest.mark.django_db
def test_upload_stores_the_file_with_a_job_and_previews_the_counts(organisation, foi_lead_client):
    response = upload(foi_lead_client, organisation, csv(PLAIN, SECOND))

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:foiregister_importjob_change", args=[job.pk])
    assert bytes(job.content) == csv(PLAIN, SECOND)
    assert job.status == ImportJob.Status.PREVIEWED
    assert "foi_log_import" not in foi_lead_client.session
    shown = page(foi_lead_client, job).content.decode()
    assert "importing will create 2, update 0 and leave 0 unchanged" in shown
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_the_preview_lists_every_bad_row_and_offers_no_commit(organisation, foi_lead_client):
    bad = PLAIN.replace("27/06/2025", "01/06/2025")
    upload(foi_lead_client, organisation, csv(bad, SECOND.replace("EIR", "XYZ")))

    job = ImportJob.objects.get()
    shown = page(foi_lead_client, job).content.decode()
    assert "2 bad rows in log.csv: nothing was written." in shown
    assert (
        "<td>log.csv</td><td>2</td><td>responded</td><td>01/06/2025</td>"
        "<td>is before the request was received (2025-06-02)</td>"
    ) in shown
    assert "<td>log.csv</td><td>3</td><td>regime</td><td>XYZ</td>" in shown
    assert "Import 2 rows" not in shown
    assert commit(foi_lead_client, job).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_commit_writes_every_row_audited_as_the_lead_who_pressed_import(
    organisation, foi_lead, foi_lead_client, django_capture_on_commit_callbacks
):
    upload(foi_lead_client, organisation, csv(PLAIN, SECOND))
    job = ImportJob.objects.get()
    colleague = Client()
    colleague.force_login(member(organisation, FOI_LEAD, "deputy-lead"))

    with django_capture_on_commit_callbacks(execute=True):
        commit(colleague, job)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert sorted(Request.objects.values_list("reference", flat=True)) == [
        "FOI/2025/001",
        "FOI/2025/002",
    ]
    actors = set(
        AuditEvent.objects.filter(action="request.imported").values_list("actor", flat=True)
    )
    assert actors == {"deputy-lead"}
    assert "2 created, 0 updated, 0 unchanged." in page(foi_lead_client, job).content.decode()


@pytest.mark.django_db
def test_a_failed_commit_writes_nothing(
    organisation, foi_lead_client, django_capture_on_commit_callbacks, monkeypatch
):
    upload(foi_lead_client, organisation, csv(PLAIN, SECOND))
    job = ImportJob.objects.get()

    def broken(*args, **kwargs):  # the requests are already written when the events fail
        raise RuntimeError("disk full")

    monkeypatch.setattr(RequestEvent.objects, "bulk_create", broken)
    with django_capture_on_commit_callbacks(execute=True):
        commit(foi_lead_client, job)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "disk full" in job.errors[0]["reason"]
    assert not Request.objects.exists()
    assert not AuditEvent.objects.filter(action="request.imported").exists()


@pytest.mark.django_db
def test_a_large_file_is_checked_in_celery(
    organisation, foi_lead_client, settings, django_capture_on_commit_callbacks
):
    settings.FOI_IMPORT_PREVIEW_BACKGROUND_KB = 0

    with django_capture_on_commit_callbacks(execute=False) as queued:
        upload(foi_lead_client, organisation, csv(PLAIN))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.UPLOADED
    waiting = page(foi_lead_client, job).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in waiting
    assert "Checking every row before anything is written" in waiting

    for callback in queued:  # the task, eager as in `make run`
        callback()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED
    assert job.summary["created"] == 1


@pytest.mark.django_db
def test_progress_is_shown_while_the_commit_runs(organisation, foi_lead_client, monkeypatch):
    upload(foi_lead_client, organisation, csv(PLAIN, SECOND))
    job = ImportJob.objects.get()
    seen = []
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(imports, "_save_progress", lambda job_id, done, total: seen.append(done))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, rows_done=1)

    shown = page(foi_lead_client, job).content.decode()
    assert '<progress max="2" value="1">50%</progress>' in shown
    assert '<meta http-equiv="refresh" content="3">' in shown

    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    imports.run_job(job.pk)
    assert seen == [1, 2, 2]


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused_naming_the_setting(
    organisation, foi_lead_client, settings
):
    settings.FOI_IMPORT_MAX_MB = 0.0001  # 104 bytes

    response = upload(foi_lead_client, organisation, csv(PLAIN, SECOND))

    assert response.status_code == 200
    assert "the largest file that can be imported is 0 MB (FOI_IMPORT_MAX_MB)" in (
        response.content.decode()
    )
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_another_organisations_lead_gets_not_found(
    organisation, other_organisation, foi_lead_client, django_capture_on_commit_callbacks
):
    upload(foi_lead_client, organisation, csv(PLAIN))
    job = ImportJob.objects.get()
    theirs = Client()
    theirs.force_login(member(other_organisation, FOI_LEAD, "dudley-lead"))

    with django_capture_on_commit_callbacks(execute=True):
        assert commit(theirs, job).status_code == 404
    assert page(theirs, job).status_code == 404
    listing = theirs.get(reverse("admin:foiregister_importjob_changelist"))
    assert "log.csv" not in listing.content.decode()
    refused = upload(theirs, organisation, csv(PLAIN))
    assert "Select a valid choice" in refused.content.decode()
    assert ImportJob.objects.count() == 1
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_the_upload_page_names_both_layouts_and_the_columns_document(foi_lead_client):
    """The file field's hint once said "one row per request (see the README)", beside a page
    offering a row per question too, and pointed staff at a file they do not have."""
    shown = foi_lead_client.get(reverse(UPLOAD)).content.decode()
    assert "see the README" not in shown
    assert "a row per request, or a row per question" in shown
