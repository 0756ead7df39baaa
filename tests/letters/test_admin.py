"""The letter screens: draft with live figures, approve, issue, download, batch progress."""

import pytest
from django.urls import reverse

from foiregister.letters import services
from foiregister.letters.models import BatchIssue, Letter
from tests.factories import letters as f
from tests.factories.foiregister import RequesterFactory, log_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(organisation, foi_officer):
    request = f.answered_request(organisation=organisation, officer=foi_officer)
    return services.draft_letter(request=request, kind="response", by=foi_officer)


def test_officer_starts_a_draft_from_the_request(organisation, foi_officer, foi_officer_client):
    request = log_request(organisation=organisation, by=foi_officer)
    url = reverse("admin:letters_letter_draft", args=[request.pk, "acknowledgement"])
    response = foi_officer_client.get(url)
    letter = Letter.objects.get(request=request)
    assert response.status_code == 302 and response.url.endswith(f"/{letter.pk}/change/")


def test_draft_page_shows_live_values_and_flags_a_change(draft, foi_officer_client):
    f.FIGURES["spend"] = "£4,000,000"
    page = foi_officer_client.get(reverse("admin:letters_letter_change", args=[draft.pk]))
    assert page.status_code == 200 and "CHANGED since review" in page.content.decode()
    preview = foi_officer_client.get(reverse("admin:letters_letter_preview", args=[draft.pk]))
    assert "£4,000,000" in preview.content.decode()
    assert "Philippa" not in preview.content.decode()


def test_the_preview_may_be_framed_by_the_letter_page_and_no_other_site(draft, foi_officer_client):
    """The letter page shows the preview in a frame, and the lead approves "exactly as
    previewed": the preview must render there, styled, while no other site may frame it."""
    preview = foi_officer_client.get(reverse("admin:letters_letter_preview", args=[draft.pk]))

    policy = preview["Content-Security-Policy"]
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in policy and "frame-ancestors 'none'" not in policy
    assert "'unsafe-inline'" in policy.split("style-src ")[1].split(";")[0]
    page = foi_officer_client.get(reverse("admin:letters_letter_change", args=[draft.pk]))
    assert (
        page["X-Frame-Options"] == "DENY"
        and "frame-ancestors 'none'" in page["Content-Security-Policy"]
    )


def test_officer_cannot_approve(draft, foi_officer_client):
    response = foi_officer_client.post(reverse("admin:letters_letter_approve", args=[draft.pk]))
    assert response.status_code == 403


def test_lead_approves_and_officer_issues_and_downloads(
    draft, foi_lead_client, foi_officer_client, django_capture_on_commit_callbacks, mailoutbox
):
    page = foi_lead_client.get(reverse("admin:letters_letter_change", args=[draft.pk]))
    foi_lead_client.post(
        reverse("admin:letters_letter_approve", args=[draft.pk]),
        {"content_hash": page.context["draft"].content_hash},
    )
    with django_capture_on_commit_callbacks(execute=True):
        foi_officer_client.post(reverse("admin:letters_letter_issue", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.is_issued and len(mailoutbox) == 1
    pdf = foi_officer_client.get(reverse("admin:letters_letter_pdf", args=[draft.pk, "public"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "Philippa" not in pdf["Content-Disposition"]
    page = foi_officer_client.get(reverse("admin:letters_letter_change", args=[draft.pk]))
    assert page.status_code == 200
    assert 'name="body"' not in page.content.decode()  # read-only once issued


def test_batch_start_and_progress_pages(
    organisation, foi_officer, foi_lead_client, django_capture_on_commit_callbacks
):
    source = f.answered_request(organisation=organisation, officer=foi_officer)
    other = log_request(
        organisation=organisation,
        requester=RequesterFactory(organisation=organisation),
        by=foi_officer,
        questions=f.QUESTIONS,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = foi_lead_client.post(
            reverse("admin:letters_batchissue_start"),
            {"source_request": source.pk, "requests": [other.pk], "approve_own": "on"},
        )
    batch = BatchIssue.objects.get()
    assert response.url == reverse("admin:letters_batchissue_progress", args=[batch.pk])
    page = foi_lead_client.get(response.url).content.decode()
    assert "1 of 1 issued" in page and 'http-equiv="refresh"' not in page
