"""Disclosure-log search on the stored, weighted vector: what ranks first, what is
highlighted, and the bounded count."""

import pytest
from django.db import connection

from foiregister.disclosure import selectors
from foiregister.disclosure.models import DisclosureLogEntry
from foiregister.disclosure.pagination import CappedPaginator
from tests.factories.disclosure import published_entry

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search runs on PostgreSQL"
)


@postgres_only
def test_publishing_stores_the_search_vector(organisation, foi_lead):
    entry = published_entry(organisation=organisation, by=foi_lead)
    assert DisclosureLogEntry.objects.filter(pk=entry.pk, search_vector__isnull=False).exists()


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
