"""The public pages."""

import pytest

from foiregister.disclosure import services
from foiregister.requests import services as register_services
from tests.factories.disclosure import published_entry, responded_request

pytestmark = pytest.mark.django_db


def test_search_highlights_matches_and_escapes_answers(organisation, foi_lead, client):
    published_entry(
        organisation=organisation,
        by=foi_lead,
        title="Ultrasound waiting times",
        answers=("<script>alert(1)</script> ultrasound waits are 6 weeks",),
    )
    body = client.get("/", {"q": "ultrasound"}).content.decode()
    assert "<mark>Ultrasound</mark>" in body or "<mark>ultrasound</mark>" in body
    assert "<script>alert(1)</script>" not in body


def test_filters_by_organisation(organisation, other_organisation, foi_lead, client):
    other_organisation.members.add(foi_lead)
    published_entry(organisation=organisation, by=foi_lead, title="Ours")
    published_entry(organisation=other_organisation, by=foi_lead, title="Theirs")
    body = client.get("/", {"organisation": other_organisation.ods_code}).content.decode()
    assert "Theirs" in body and ">Ours<" not in body


def test_response_page_links_published_round_robin_siblings_only(
    organisation, other_organisation, foi_lead, client
):
    other_organisation.members.add(foi_lead)
    ours = published_entry(organisation=organisation, by=foi_lead, title="Round robin A")
    theirs = published_entry(organisation=other_organisation, by=foi_lead, title="Round robin B")
    unpublished = responded_request(organisation=organisation, by=foi_lead, title="Unpub C")
    for other in (theirs.request, unpublished):
        register_services.link_requests(
            request=ours.request, other=other, kind="round_robin", by=foi_lead
        )
    body = client.get(f"/responses/{ours.public_id}/").content.decode()
    assert f"/responses/{theirs.public_id}/" in body
    assert "Unpub C" not in body


def test_feed_and_sitemap_list_published_responses(organisation, foi_lead, client):
    entry = published_entry(organisation=organisation, by=foi_lead)
    assert entry.public_id in client.get("/feed/").content.decode()
    index = client.get("/sitemap.xml").content.decode()
    assert "/sitemap-responses.xml" in index
    assert entry.public_id in client.get("/sitemap-responses.xml").content.decode()


def test_sitemap_index_lists_every_page_of_a_large_log(
    organisation, foi_lead, client, monkeypatch
):
    """One sitemap file holds a limited number of URLs: with more responses than that, the
    index names a second page, and the second page has the rest."""
    monkeypatch.setattr("foiregister.disclosure.sitemaps.ResponseSitemap.limit", 2)
    entries = [published_entry(organisation=organisation, by=foi_lead) for _ in range(3)]
    index = client.get("/sitemap.xml").content.decode()
    assert "/sitemap-responses.xml?p=2" in index
    second = client.get("/sitemap-responses.xml", {"p": 2}).content.decode()
    assert entries[2].public_id in second


def test_page_has_skip_link_and_main_landmark(organisation, foi_lead, client):
    body = client.get("/").content.decode()
    assert body.index('class="nhsuk-skip-link"') < body.index("<header")
    assert 'id="maincontent"' in body and '<label class="nhsuk-label" for="id_q">' in body


def test_only_a_web_address_is_linked_as_published_elsewhere(organisation, foi_lead, client):
    """A link (s.21) is entered by staff; a script address is shown, never made a link."""
    request = responded_request(organisation=organisation, by=foi_lead)
    question = request.questions.get()
    for url, linked in (("https://icb.example/spend", True), ("javascript:alert(1)", False)):
        register_services.update_question(
            question=question, by=foi_lead, answer_kind="elsewhere", elsewhere_url=url
        )
        entry = services.publish_response(request=request, by=foi_lead)
        body = client.get(f"/responses/{entry.public_id}/").content.decode()
        assert (f'href="{url}"' in body) is linked and url in body
        services.withdraw_response(entry=entry, by=foi_lead, reason="next case")


def test_a_mistyped_date_is_reported_by_the_field_and_the_search_words_still_apply(
    organisation, foi_lead, client
):
    """A bookmarked or hand-edited address with a date that does not exist: the page says
    so at the top, linked to the field, opens the filters to show it, and still searches
    for the words (it used to drop the whole search and list every response, the error
    folded away out of sight)."""
    published_entry(organisation=organisation, by=foi_lead, title="Ultrasound waiting times")
    published_entry(organisation=organisation, by=foi_lead, title="Car parking charges")
    body = client.get("/", {"q": "ultrasound", "published_from": "2025-13-45"}).content.decode()
    assert "<title>Error: " in body
    assert 'class="nhsuk-error-summary"' in body
    assert '<a href="#id_published_from">Published from: Enter a valid date.</a>' in body
    assert '<details class="app-filter" open>' in body
    assert "Ultrasound waiting times" in body and "Car parking charges" not in body
    # Not echoed into the date input, which cannot hold it (and the Nu checker refuses).
    assert 'value="2025-13-45"' not in body
    assert 'aria-describedby="id_published_from-hint id_published_from-error"' in body


def test_a_valid_search_shows_no_error_summary_and_keeps_the_filters_folded(
    organisation, foi_lead, client
):
    published_entry(organisation=organisation, by=foi_lead, title="Ultrasound waiting times")
    body = client.get("/", {"q": "ultrasound"}).content.decode()
    assert "nhsuk-error-summary" not in body and "<title>Error" not in body
    assert '<details class="app-filter">' in body
