"""The demo loader: facts from the seed letters, idempotent."""

import datetime
from decimal import Decimal

import pytest

from contracts import selectors
from contracts.models import CdcActivity, CommunityDiagnosticCentre, Contract, TrustImagingProfile
from demo import contracts as demo
from foiregister.kernel.models import AuditEvent

D = datetime.date


@pytest.fixture
def loaded(organisation, other_organisation, commissioner):
    orgs = {"QNC": organisation, "RNA": other_organisation}
    demo.load(by=commissioner, organisations=orgs)
    return orgs


def test_staffordshire_letter_contracts_are_answered_from_the_register(loaded):
    result = selectors.independent_sector_contracts(
        organisation=loaded["QNC"], categories=["ct", "mri", "nous"], active_on=D(2025, 11, 14)
    )

    assert [(c.supplier, c.end_date, c.value) for c in result] == [
        ("Diagnostic Healthcare Ltd", D(2027, 1, 31), Decimal("0.00")),
        ("Harmonic Medical Sonography", D(2026, 3, 31), Decimal("0.00")),
        ("Health Harmonie Ltd", D(2026, 3, 31), Decimal("0.00")),
    ]
    assert {c.payment_basis for c in result} == {"activity_at_tariff"}


def test_dudley_letter_insourcing_figures(loaded):
    dudley = loaded["RNA"]

    total = selectors.spend_total(organisation=dudley, financial_year="2024/25", kind="insourcing")
    live = selectors.live_insourcing_contracts(organisation=dudley, on=D(2025, 7, 22))
    providers = selectors.insourcing_providers_by_specialty(
        organisation=dudley, financial_year="2024/25"
    )

    assert total == Decimal("3091519.00")
    assert len(live) == 5
    assert sum(c.end_date_to_be_agreed for c in live) == 2
    assert providers["Cardiology"] == ["Express Diagnostics", "Health Now"]
    assert providers["Neurology"] == ["18 Week Support", "MediServices"]


def test_west_midlands_network_trusts_and_cdcs(loaded):
    assert TrustImagingProfile.objects.count() == 15
    assert TrustImagingProfile.objects.get(organisation__ods_code="RRK").mri_scanners == 32
    assert CommunityDiagnosticCentre.objects.count() == 13
    assert all("Invented" in c.data_note for c in CommunityDiagnosticCentre.objects.all())
    [guest] = [
        c
        for c in selectors.cdcs_hosted_by(
            organisation=loaded["RNA"], start=D(2025, 4, 1), end=D(2025, 9, 30)
        )
        if c.name.startswith("Guest")
    ]
    assert all(m.utilisation is not None and m.months == 6 for m in guest.modalities)


def test_loading_twice_changes_nothing(loaded, commissioner):
    counts = (Contract.objects.count(), CdcActivity.objects.count(), AuditEvent.objects.count())

    demo.load(by=commissioner, organisations=loaded)

    assert (
        Contract.objects.count(),
        CdcActivity.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


def test_demo_scopes_read_as_a_letter_quotes_them_and_keep_their_source_apart(loaded):
    """A letter quotes the scope ("Provision of MRI services for Staffordshire and
    Stoke-on-Trent residents"), so where the entry comes from is kept in ``source``."""
    contracts = Contract.objects.filter(organisation=loaded["QNC"]).order_by("reference")

    assert [c.scope for c in contracts] == [
        "Provision of MRI services for Staffordshire and Stoke-on-Trent residents.",
        "Provision of Non-Obstetric Ultrasound for Staffordshire and Stoke-on-Trent residents.",
        "Provision of Non-Obstetric Ultrasound for Staffordshire and Stoke-on-Trent residents.",
    ]
    assert all("FOI/0925/1434" in c.source for c in contracts)
    assert not Contract.objects.filter(scope__icontains="source").exists()
    assert all(
        "FOI-072025-0001782" in c.source
        for c in Contract.objects.filter(organisation=loaded["RNA"])
    )
