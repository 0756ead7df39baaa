"""Suppliers are shared reference data (one row per company), and any body's commissioner
may edit any of them: a commissioner of one body renames a supplier only another body
contracts with, and that body's public contract register, its API and its letters' live
blocks show the new name. The audit row is written with no organisation, so the body whose
register changed cannot even see who changed it (only a superuser can).

Expected: a supplier another body's contracts name is changed only by someone who acts for
every body that contracts with it (or it is proposed and accepted), and the change is
audited where those bodies read it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contracts.models import Supplier
from foiregister.kernel.models import AuditEvent
from tests.factories import contracts as contract_factories

pytestmark = pytest.mark.django_db

RENAMED = "CANARY-SUPPLIER-RENAMED-6060 Ltd"


@pytest.fixture
def victims_supplier(other_organisation):
    supplier = contract_factories.supplier(name="Victim Imaging Ltd")
    contract_factories.contract(organisation=other_organisation, supplier=supplier)
    return supplier


def _form(response) -> dict:
    form = response.context["adminform"].form
    return {
        name: (
            ""
            if form.initial.get(name, field.initial) is None
            else form.initial.get(name, field.initial)
        )
        for name, field in form.fields.items()
    }


def test_a_commissioner_may_not_rename_a_supplier_only_another_body_uses(
    commissioner_client, victims_supplier
):
    url = reverse("admin:contracts_supplier_change", args=[victims_supplier.pk])
    page = commissioner_client.get(url)
    if page.status_code == 200 and "adminform" in (page.context or {}):
        data = _form(page)
        data["name"] = RENAMED
        commissioner_client.post(url, data)

    assert Supplier.objects.get(pk=victims_supplier.pk).name == "Victim Imaging Ltd"


def test_a_change_to_a_supplier_is_audited_where_its_bodies_read_it(
    victims_supplier, organisation, other_organisation
):
    """A commissioner acting for both bodies that name it renames it: each body's audit
    log has the change."""
    from django.test import Client

    from contracts.models import Contract
    from foiregister.kernel.roles import COMMISSIONER
    from tests.conftest import member

    contract_factories.contract(organisation=organisation, supplier=victims_supplier)
    both = member(other_organisation, COMMISSIONER, "commissioner-of-both")
    organisation.members.add(both)
    client = Client()
    client.force_login(both)
    url = reverse("admin:contracts_supplier_change", args=[victims_supplier.pk])
    data = _form(client.get(url))
    data["name"] = RENAMED
    client.post(url, data)
    assert Supplier.objects.get(pk=victims_supplier.pk).name == RENAMED
    rows = AuditEvent.objects.filter(
        object_type="contracts.Supplier", object_id=str(victims_supplier.pk)
    ).exclude(action__endswith="created")
    assert sorted(row.organisation_id for row in rows) == sorted(
        str(o.pk) for o in (organisation, other_organisation)
    )
    assert Contract.objects.filter(supplier=victims_supplier).count() == 2


def test_the_supplier_page_says_why_it_cannot_be_changed(commissioner_client, victims_supplier):
    url = reverse("admin:contracts_supplier_change", args=[victims_supplier.pk])
    page = commissioner_client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "named on contracts of The Dudley Group NHS Foundation Trust" in text
    assert 'name="_save"' not in text
    assert commissioner_client.post(url, {"name": RENAMED}).status_code == 403
    assert Supplier.objects.get(pk=victims_supplier.pk).name == "Victim Imaging Ltd"


def test_a_supplier_no_other_body_names_stays_editable(commissioner_client, organisation):
    own = contract_factories.supplier(name="Our Own Imaging Ltd")
    contract_factories.contract(organisation=organisation, supplier=own)
    url = reverse("admin:contracts_supplier_change", args=[own.pk])
    data = _form(commissioner_client.get(url))
    data["name"] = "Our Own Imaging Limited"
    assert commissioner_client.post(url, data).status_code == 302
    assert Supplier.objects.get(pk=own.pk).name == "Our Own Imaging Limited"
