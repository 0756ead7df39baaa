"""The batch pages as each person uses them: the support unit's officer starts a round
robin across two bodies; each body's lead approves its own letters on the batch page and
finds them on My work; another body's lead cannot."""

import pytest
from django.test import Client
from django.urls import reverse

from foiregister.letters import services
from foiregister.letters.models import BatchIssue, Letter
from tests.letters.batch_fixtures import *  # noqa: F403 (the fixtures)

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_start_page_offers_the_round_robin_across_both_bodies(
    source, target_a, targets_b, support_officer
):
    page = _client(support_officer).get(
        reverse("admin:letters_batchissue_start") + f"?source={source.pk}"
    )
    html = page.content.decode()
    for request in (target_a, *targets_b):
        assert request.reference in html
    assert "Approve my organisations" not in html  # an officer leads no body


def test_the_start_page_says_the_source_request_is_answered_on_its_own_workspace(
    source, support_officer
):
    """The source is not among the ticked requests: the page says where its letter goes,
    so the officer does not wait for it on the batch page."""
    page = _client(support_officer).get(
        reverse("admin:letters_batchissue_start") + f"?source={source.pk}"
    )
    assert (
        f"{source.reference}'s own letter is not in the batch: approve and issue it on its "
        "response workspace." in page.content.decode()
    )


def test_officer_starts_the_batch_and_it_runs(
    source, target_a, targets_b, support_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(support_officer).post(
            reverse("admin:letters_batchissue_start"),
            {"source_request": source.pk, "requests": [target_a.pk, *(t.pk for t in targets_b)]},
        )
    batch = BatchIssue.objects.get()
    assert response.url == reverse("admin:letters_batchissue_progress", args=[batch.pk])
    assert BatchIssue.objects.get().status == BatchIssue.Status.WAITING


def test_lead_of_b_approves_on_the_batch_page_and_the_letters_are_issued(
    batch, targets_b, lead_b, django_capture_on_commit_callbacks
):
    services.run_batch_issue(batch=batch)
    client = _client(lead_b)
    url = reverse("admin:letters_batchissue_progress", args=[batch.pk])
    html = client.get(url).content.decode()
    assert "Awaiting approval by the FOI lead of The Dudley Group" in html
    assert batch.source_request.reference not in html  # another body's request
    letters = Letter.objects.filter(batch=batch, request__in=targets_b)
    work = client.get(reverse("admin:foiregister_request_my_work")).content.decode()
    assert "Round-robin letters awaiting my approval" in work
    assert all(t.reference in work for t in targets_b)
    hashes = dict(
        pair.split(":")
        for pair in [
            f"{letter.pk}:{h}"
            for letter in letters
            for h in [html.split(f'name="hash_{letter.pk}" value="')[1].split('"')[0]]
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(
            reverse("admin:letters_batchissue_approve", args=[batch.pk]),
            {"letter": list(hashes), **{f"hash_{k}": v for k, v in hashes.items()}},
            follow=True,
        )
    assert f"Approved {len(hashes)} letter(s) of The Dudley Group" in posted.content.decode()
    assert set(letters.values_list("status", flat=True)) == {Letter.Status.ISSUED}
    assert "Issued" in client.get(url).content.decode()


def test_lead_of_a_posting_b_letters_approves_nothing(batch, targets_b, lead_a):
    services.run_batch_issue(batch=batch)
    ids = list(
        Letter.objects.filter(batch=batch, request__in=targets_b).values_list("pk", flat=True)
    )
    response = _client(lead_a).post(
        reverse("admin:letters_batchissue_approve", args=[batch.pk]), {"letter": ids}, follow=True
    )
    assert "is not an FOI lead of The Dudley Group" in response.content.decode()
    assert not Letter.objects.filter(batch=batch, status=Letter.Status.APPROVED).exists()


def test_lead_of_b_returns_a_letter_with_a_comment(batch, targets_b, lead_b):
    services.run_batch_issue(batch=batch)
    letter = Letter.objects.get(batch=batch, request=targets_b[0])
    response = _client(lead_b).post(
        reverse("admin:letters_batchissue_return", args=[batch.pk]),
        {"letter": letter.pk, "comment": "Give the financial year."},
        follow=True,
    )
    html = response.content.decode()
    assert "Returned to the officer" in html and "Give the financial year." in html
