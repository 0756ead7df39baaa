"""Django's own admin log (``django_admin_log``) must not keep a requester's name.

Every save through a stock ``ModelAdmin`` writes a ``LogEntry`` whose ``object_repr`` is
``str(obj)``: for a requester, their name. The kernel audit already records every change
(by field name, never the value, for a requester), and the erasure at the end of the
retention period scrubs the audit; it does not know the admin log. So the name stayed in
the database for ever and showed under "Recent actions" on the admin home page of whoever
edited it, even after the requester was erased or the officer moved to another body."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from tests.factories.foiregister import RequesterFactory

CANARY = "CANARY-ADMINLOG-4471"

pytestmark = pytest.mark.django_db


def _form_data(response) -> dict:
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            value = ""
        data[name] = value
    return data


@pytest.fixture
def requester(organisation):
    return RequesterFactory(
        organisation=organisation, name=f"{CANARY} Person", email="private@example.invalid"
    )


def test_editing_a_requester_leaves_no_name_in_the_admin_log(foi_officer_client, requester):
    url = reverse("admin:foiregister_requester_change", args=[requester.pk])
    data = _form_data(foi_officer_client.get(url))
    data["telephone"] = "01234 567890"

    response = foi_officer_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert not LogEntry.objects.filter(object_repr__contains=CANARY).exists()


def test_the_admin_home_page_does_not_list_the_requester_edited(foi_officer_client, requester):
    url = reverse("admin:foiregister_requester_change", args=[requester.pk])
    data = _form_data(foi_officer_client.get(url))
    data["telephone"] = "01234 567890"
    foi_officer_client.post(url, data, follow=True)  # the "was changed" message is read

    home = foi_officer_client.get(reverse("admin:index"), follow=True)

    assert CANARY not in home.content.decode()
