"""An organisation's export of everything it holds: run by its FOI lead in Celery, audited,
requesters' details only when asked for, and nothing of another organisation's."""

import hashlib
import io
import json
import zipfile

import pytest
from django.test import Client

from foiregister.disclosure import export
from foiregister.disclosure.models import OrganisationExport
from foiregister.kernel.models import AuditEvent
from foiregister.kernel.roles import FOI_LEAD, FOI_OFFICER
from foiregister.letters.models import LetterDocument
from tests.conftest import member
from tests.factories import contracts as cf
from tests.factories import letters as lf
from tests.factories.foiregister import RequesterFactory

START = "/admin/disclosure/organisationexport/start/"
NAME = "Philippa Quartermaine"  # lf.requester_with_details
EMAIL = "philippa.quartermaine@example.invalid"


@pytest.fixture
def held(organisation, foi_officer, foi_lead, settings, tmp_path):
    """Our organisation's register: an answered request with an issued letter, an open one,
    a contract; the MEDIA_ROOT exports are written to."""
    settings.MEDIA_ROOT = tmp_path
    answered = lf.answered_request(organisation=organisation, officer=foi_officer)
    letter = lf.issued_response(request=answered, officer=foi_officer, lead=foi_lead)
    lf.answered_request(organisation=organisation, officer=foi_officer)
    cf.contract(organisation=organisation, reference="C-OURS-1")
    return {"request": answered, "letter": letter}


@pytest.fixture
def theirs(other_organisation, settings):
    """Another organisation's request and contract, with their own lead."""
    lead = member(other_organisation, FOI_LEAD, "lead-at-dudley")
    requester = RequesterFactory(organisation=other_organisation, name="Theodora Canary")
    lf.answered_request(organisation=other_organisation, officer=lead, requester=requester)
    cf.contract(organisation=other_organisation, reference="C-THEIRS-1")
    return {"lead": lead}


def _run(organisation, by, include_requesters=False):
    job = export.start_export(
        organisation=organisation, include_requesters=include_requesters, by=by
    )
    export.run_export(export=job)
    job.refresh_from_db()
    return job, zipfile.ZipFile(job.file.path)


def _everything(zf) -> bytes:
    return b"\n".join(zf.read(name) for name in zf.namelist())


@pytest.mark.django_db
def test_a_lead_exports_requests_letters_and_registers_without_requesters(
    organisation, foi_lead, held
):
    job, zf = _run(organisation, foi_lead)
    assert job.status == "done" and job.done == job.total and job.total > 20
    names = set(zf.namelist())
    requests = export.read_csv(zf.read("requests/requests.csv"))
    assert sorted(r["reference"] for r in requests) == sorted(
        [held["request"].reference, requests[1]["reference"]]
    )
    assert {r["requester_id"] for r in requests} == {""}
    assert len(export.read_csv(zf.read("requests/questions.csv"))) == 6
    assert [c["reference"] for c in export.read_csv(zf.read("registers/contracts.csv"))] == [
        "C-OURS-1"
    ]
    # The anonymised PDF, byte for byte; never the requester's copy.
    public = LetterDocument.objects.get(letter=held["letter"], variant="public")
    pdfs = [n for n in names if n.endswith(".pdf")]
    assert len(pdfs) == 1 and pdfs[0].endswith("-public.pdf")
    assert hashlib.sha256(zf.read(pdfs[0])).hexdigest() == public.sha256
    assert "requests/requesters.csv" not in names and "audit/audit.csv" not in names
    everything = _everything(zf)
    assert NAME.encode() not in everything and EMAIL.encode() not in everything
    manifest = json.loads(zf.read("manifest.json"))
    assert manifest["include_requesters"] is False
    assert manifest["files"][pdfs[0]] == public.sha256
    # The zip's file name says nothing about a requester; its SHA-256 is recorded.
    assert job.file.name.startswith(f"exports/{organisation.ods_code}-export-")
    assert hashlib.sha256(open(job.file.path, "rb").read()).hexdigest() == job.sha256


@pytest.mark.django_db
def test_requesters_details_only_when_asked_for(organisation, foi_lead, held):
    job, zf = _run(organisation, foi_lead, include_requesters=True)
    requesters = export.read_csv(zf.read("requests/requesters.csv"))
    assert NAME in {r["name"] for r in requesters}
    assert any(n.endswith("-requester.pdf") for n in zf.namelist())
    assert {r["requester_id"] for r in export.read_csv(zf.read("requests/requests.csv"))} != {""}
    started = AuditEvent.objects.get(action="export.started", object_id=str(job.pk))
    assert started.changes == {"include_requesters": True}
    assert started.actor == foi_lead.username
    assert AuditEvent.objects.filter(action="export.finished", object_id=str(job.pk)).exists()


@pytest.mark.django_db
def test_another_organisations_lead_gets_nothing_of_ours(organisation, foi_lead, held, theirs):
    with pytest.raises(export.ExportRefused):
        export.start_export(organisation=organisation, include_requesters=True, by=theirs["lead"])
    job, zf = _run(theirs["lead"].organisations.get(), theirs["lead"], include_requesters=True)
    everything = _everything(zf)
    assert held["request"].reference.encode() not in everything
    assert b"C-OURS-1" not in everything and NAME.encode() not in everything
    assert b"C-THEIRS-1" in everything and b"Theodora Canary" in everything


@pytest.mark.django_db
def test_an_officer_cannot_export(organisation, foi_officer, foi_officer_client, held):
    with pytest.raises(export.ExportRefused):
        export.start_export(organisation=organisation, include_requesters=False, by=foi_officer)
    assert foi_officer_client.get(START).status_code == 403


@pytest.mark.django_db
def test_the_lead_starts_watches_and_downloads_it_in_the_admin(
    organisation, foi_lead_client, foi_lead, held, theirs, django_capture_on_commit_callbacks
):
    form = foi_lead_client.get(START)
    assert form.status_code == 200
    assert [o.pk for o in form.context["form"].fields["organisation"].queryset] == [
        organisation.pk
    ]
    with django_capture_on_commit_callbacks(execute=True):
        answer = foi_lead_client.post(START, {"organisation": organisation.pk})
    job = OrganisationExport.objects.get()
    assert answer.status_code == 302 and answer["Location"].endswith(f"/{job.pk}/progress/")
    assert job.include_requesters is False and job.status == "done"
    page = foi_lead_client.get(answer["Location"])
    assert b"Download the zip" in page.content
    download = foi_lead_client.get(f"/admin/disclosure/organisationexport/{job.pk}/download/")
    assert download.status_code == 200
    zf = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert "requests/requests.csv" in zf.namelist()
    assert AuditEvent.objects.filter(action="export.downloaded", actor=foi_lead.username).exists()
    # Another body's lead sees neither the export nor its file.
    stranger = Client()
    stranger.force_login(theirs["lead"])
    for path in ("progress", "download"):
        url = f"/admin/disclosure/organisationexport/{job.pk}/{path}/"
        assert stranger.get(url).status_code == 404
    listing = stranger.get("/admin/disclosure/organisationexport/")
    assert listing.status_code == 200 and f"Export {job.pk} of".encode() not in listing.content
    # Nor may they pick our organisation on the start form.
    refused = stranger.post(START, {"organisation": organisation.pk, "include_requesters": "on"})
    assert refused.status_code == 200 and OrganisationExport.objects.count() == 1


@pytest.mark.django_db
def test_an_officer_role_is_not_enough_even_for_a_member(organisation, held):
    officer_only = member(organisation, FOI_OFFICER, "officer-two")
    assert not export.organisations_exportable_by(officer_only).exists()
