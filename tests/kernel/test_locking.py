"""Edit locking (kernel.locking) on the request and contract pages: two people open the
same page; the second save is refused, saying who changed what; nothing is lost."""

import pytest
from django.test import Client

from contracts.models import Contract
from foiregister.kernel.roles import COMMISSIONER, FOI_OFFICER
from foiregister.requests.models import Request
from tests.conftest import member
from tests.factories import contracts as cf
from tests.factories.foiregister import log_request


def form_data(response) -> dict:
    """What a browser would post back from a rendered change page, untouched."""
    data: dict = {}

    def add(form):
        for field in form:
            if field.field.disabled:
                continue
            value = field.value()
            if value is None or value is False:
                continue
            if value is True:
                data[field.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[field.html_name] = [str(v) for v in value]
            else:
                data[field.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_second_officers_save_is_refused_saying_who_changed_what(organisation, foi_officer):
    other = member(organisation, FOI_OFFICER, "officer-b")
    request = log_request(organisation=organisation, title="Imaging contracts", by=foi_officer)
    url = f"/admin/foiregister/request/{request.pk}/change/"
    mine, theirs = _client(foi_officer), _client(other)
    my_form = form_data(mine.get(url))
    their_form = form_data(theirs.get(url))
    assert my_form["edit_version"] == their_form["edit_version"]

    their_form["title"] = "Imaging contracts 2024/25"
    assert theirs.post(url, their_form).status_code == 302

    my_form["topic"] = "Radiology"
    refused = mine.post(url, my_form)
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "Not saved: this request was changed since you opened it" in text
    assert "officer-b at" in text and "title" in text
    request.refresh_from_db()
    assert (request.title, request.topic) == ("Imaging contracts 2024/25", "")
    # My input is still in the form, now carrying the current version: saving it again
    # (after comparing) goes through, and their change to the title is mine to keep or not.
    again = form_data(refused)
    assert again["topic"] == "Radiology"
    assert int(again["edit_version"]) > int(my_form["edit_version"])
    again["title"] = "Imaging contracts 2024/25"
    assert mine.post(url, again).status_code == 302
    request.refresh_from_db()
    assert (request.title, request.topic) == ("Imaging contracts 2024/25", "Radiology")


@pytest.mark.django_db
def test_a_change_to_a_question_on_the_page_also_counts(organisation, foi_officer):
    other = member(organisation, FOI_OFFICER, "officer-b")
    request = log_request(organisation=organisation, questions=["How many?"], by=foi_officer)
    url = f"/admin/foiregister/request/{request.pk}/change/"
    mine, theirs = _client(foi_officer), _client(other)
    my_form = form_data(mine.get(url))
    their_form = form_data(theirs.get(url))
    answer = next(k for k in their_form if k.startswith("questions-0-") and k.endswith("answer"))
    their_form[answer] = "Three."
    assert theirs.post(url, their_form).status_code == 302

    my_form["topic"] = "Radiology"
    refused = mine.post(url, my_form)
    assert refused.status_code == 200 and b"officer-b at" in refused.content
    assert Request.objects.get(pk=request.pk).topic == ""


@pytest.mark.django_db
def test_saving_twice_alone_is_never_refused(organisation, foi_officer):
    request = log_request(organisation=organisation, by=foi_officer)
    url = f"/admin/foiregister/request/{request.pk}/change/"
    mine = _client(foi_officer)
    form = form_data(mine.get(url))
    form["topic"] = "Radiology"
    assert mine.post(url, form).status_code == 302
    form = form_data(mine.get(url))
    form["topic"] = "Imaging"
    assert mine.post(url, form).status_code == 302


@pytest.mark.django_db
def test_a_second_commissioners_save_of_a_contract_is_refused(organisation, commissioner):
    other = member(organisation, COMMISSIONER, "commissioner-b")
    contract = cf.contract(organisation=organisation, by=commissioner, title="MRI services")
    url = f"/admin/contracts/contract/{contract.pk}/change/"
    mine, theirs = _client(commissioner), _client(other)
    my_form = form_data(mine.get(url))
    their_form = form_data(theirs.get(url))
    their_form["title"] = "MRI and CT services"
    assert theirs.post(url, their_form).status_code == 302

    my_form["scope"] = "Two mobile scanners"
    refused = mine.post(url, my_form)
    assert refused.status_code == 200
    assert b"commissioner-b at" in refused.content and b"title" in refused.content
    contract = Contract.objects.get(pk=contract.pk)
    assert (contract.title, contract.scope) == ("MRI and CT services", "")
