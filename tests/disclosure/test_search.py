"""Disclosure-log search on the stored, weighted vector: what ranks first, what is
highlighted, and the bounded count."""

import pytest
from django.db import connection

from foiregister.disclosure import selectors, services
from foiregister.disclosure.models import SearchIndexEntry
from foiregister.disclosure.pagination import CappedPaginator
from tests.factories.disclosure import published_entry

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search runs on PostgreSQL"
)


@postgres_only
def test_publishing_indexes_the_entry_for_search(organisation, foi_lead):
    entry = published_entry(organisation=organisation, by=foi_lead)
    assert SearchIndexEntry.objects.filter(entry=entry, vector__isnull=False).exists()


def test_withdrawing_takes_the_entry_out_of_the_search_index(organisation, foi_lead):
    entry = published_entry(organisation=organisation, by=foi_lead, title="Ultrasound")
    services.withdraw_response(entry=entry, by=foi_lead, reason="third-party data")
    assert not SearchIndexEntry.objects.exists()
    assert list(selectors.search_disclosure_log(q="ultrasound")) == []


def test_republishing_indexes_the_new_text(organisation, foi_lead):
    entry = published_entry(organisation=organisation, by=foi_lead, title="Ultrasound")
    services.withdraw_response(entry=entry, by=foi_lead, reason="retitle")
    services.publish_response(request=entry.request, by=foi_lead, title="Echocardiography")
    assert [e.title for e in selectors.search_disclosure_log(q="echocardiography")] == [
        "Echocardiography"
    ]
    assert list(selectors.search_disclosure_log(q="ultrasound")) == []


@postgres_only
def test_a_word_in_an_answer_is_found(organisation, foi_lead):
    published_entry(
        organisation=organisation,
        by=foi_lead,
        title="Estates",
        answers=("The car park is run by a contractor.",),
    )
    assert [e.title for e in selectors.search_disclosure_log(q="contractors")] == ["Estates"]


@postgres_only
def test_a_title_match_ranks_above_an_answer_match(organisation, foi_lead):
    """Title is weight A, answers weight C."""
    published_entry(
        organisation=organisation,
        by=foi_lead,
        title="Agency staffing",
        answers=("We used an ultrasound agency.",),
    )
    published_entry(organisation=organisation, by=foi_lead, title="Ultrasound waiting times")
    titles = [e.title for e in selectors.search_disclosure_log(q="ultrasound")]
    assert titles == ["Ultrasound waiting times", "Agency staffing"]


@postgres_only
def test_headlines_are_for_the_ids_asked_only(organisation, foi_lead):
    one = published_entry(organisation=organisation, by=foi_lead, title="MRI scanners leased")
    other = published_entry(organisation=organisation, by=foi_lead, title="MRI scanners bought")
    headlines = selectors.search_headlines(q="scanner", ids=[one.pk])
    assert set(headlines) == {one.pk}
    assert f"{selectors.HIGHLIGHT_START}scanners{selectors.HIGHLIGHT_STOP}" in headlines[one.pk]
    assert other.pk not in headlines


def test_count_stops_at_the_cap_and_says_so(monkeypatch):
    monkeypatch.setattr("foiregister.disclosure.pagination.COUNT_CAP", 2)
    paginator = CappedPaginator(list(range(5)), 1)
    assert paginator.count == 5  # a list is counted in full
    qs_paginator = CappedPaginator(FakeQuerySet(5), 1)
    assert qs_paginator.count == 3
    assert qs_paginator.count_is_capped and qs_paginator.count_label == "2+"


class FakeQuerySet:
    """Enough of a queryset for the paginator's count: order_by, values, slice, count."""

    def __init__(self, n):
        self.n = n

    def order_by(self, *args):
        return self

    def values(self, *args):
        return self

    def __getitem__(self, item):
        return FakeQuerySet(min(self.n, item.stop))

    def count(self):
        return self.n


def test_list_page_says_how_many_with_a_capped_count(organisation, foi_lead, client):
    published_entry(organisation=organisation, by=foi_lead)
    assert "1 response<" in client.get("/").content.decode()


def test_pages_past_the_count_cap_are_reachable_and_end_where_the_log_ends(
    organisation, foi_lead, monkeypatch
):
    """With a capped count the number of pages is unknown: each page reads one row more
    than it shows, so 'next' stops exactly at the last entry."""
    monkeypatch.setattr("foiregister.disclosure.pagination.COUNT_CAP", 2)
    for n in range(5):
        published_entry(organisation=organisation, by=foi_lead, title=f"Response {n}")
    paginator = CappedPaginator(selectors.search_disclosure_log(), 1)
    assert paginator.count_label == "2+" and paginator.open_ended
    fourth = paginator.get_page(4)
    assert [e.title for e in fourth] == ["Response 1"] and fourth.has_next()
    fifth = paginator.get_page(5)
    assert [e.title for e in fifth] == ["Response 0"] and not fifth.has_next()
    assert [e.title for e in paginator.get_page(99)] == ["Response 0"]


def test_list_page_past_the_cap_says_page_n_without_a_total(
    organisation, foi_lead, client, monkeypatch
):
    monkeypatch.setattr("foiregister.disclosure.pagination.COUNT_CAP", 2)
    monkeypatch.setattr("foiregister.disclosure.views.PAGE_SIZE", 1)
    for n in range(4):
        published_entry(organisation=organisation, by=foi_lead, title=f"Response {n}")
    body = client.get("/", {"page": "3"}).content.decode()
    assert "2+ responses" in body and ">Response 1<" in body
    assert (
        "Page 4</span>" in body
        and "Page 2</span>" in body
        and " of " not in body.split('class="nhsuk-pagination')[1]
    )


@postgres_only
def test_broad_search_ranks_its_newest_matches_and_says_so(
    organisation, foi_lead, client, monkeypatch
):
    """A search matching more than RANKED_OF_BROAD entries ranks the newest that many and
    counts to 'that many+': the oldest entry, the best match (the word in its title), is
    not on the page, and paging stops after the newest."""
    monkeypatch.setattr("foiregister.disclosure.selectors.RANKED_OF_BROAD", 2)
    published_entry(organisation=organisation, by=foi_lead, title="Ultrasound waits")
    for n in range(3):
        published_entry(
            organisation=organisation,
            by=foi_lead,
            title=f"Diagnostics {n}",
            answers=("Ultrasound is included.",),
        )
    results = selectors.search_disclosure_log(q="ultrasound")
    assert results.ranked_among_newest == 2
    assert [e.title for e in results[0:10]] == ["Diagnostics 2", "Diagnostics 1"]
    body = client.get("/", {"q": "ultrasound"}).content.decode()
    assert "2+ responses" in body and "2 most recently published" in body
    api = client.get("/api/v1/responses/", {"q": "ultrasound"}).json()
    assert api["count"] == 2 and api["count_is_capped"] and api["ranked_among_newest"] == 2
    assert [r["title"] for r in api["results"]] == ["Diagnostics 2", "Diagnostics 1"]
    assert api["next"] is None
    assert client.get("/api/v1/responses/", {"q": "ultrasound", "page": 2}).status_code == 404


@postgres_only
def test_search_with_few_matches_ranks_every_match(organisation, foi_lead, client):
    published_entry(organisation=organisation, by=foi_lead, title="Ultrasound waits")
    published_entry(
        organisation=organisation, by=foi_lead, title="Other", answers=("Ultrasound.",)
    )
    api = client.get("/api/v1/responses/", {"q": "ultrasound"}).json()
    assert api["ranked_among_newest"] is None
    assert [r["title"] for r in api["results"]] == ["Ultrasound waits", "Other"]
    assert "most recently published" not in client.get("/", {"q": "ultrasound"}).content.decode()
