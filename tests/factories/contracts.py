"""Factories for the contract and CDC registers. Rows are made through ``contracts.services``
so their current end date, value and audit history are what the product would give them."""

import datetime
from decimal import Decimal

from contracts import services
from contracts.models import CommunityDiagnosticCentre, Contract, Supplier
from tests.factories import TEST_DATA
from tests.factories.foiregister import OrganisationFactory

_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def supplier(*, name: str | None = None, by=TEST_DATA, **fields) -> Supplier:
    fields.setdefault("kind", Supplier.Kind.INDEPENDENT_SECTOR)
    return services.ensure_supplier(
        name=name or f"Fictional Imaging Ltd {_next()}", by=by, **fields
    )


def contract(*, organisation=None, by=TEST_DATA, **fields) -> Contract:
    organisation = organisation or OrganisationFactory()
    fields.setdefault("reference", f"C-{_next():05d}")
    fields.setdefault("supplier", fields.pop("supplier_obj", None) or supplier(by=by))
    fields.setdefault("title", "Provision of MRI services")
    fields.setdefault("kind", Contract.Kind.INDEPENDENT_SECTOR)
    fields.setdefault("payment_basis", Contract.PaymentBasis.ANNUAL)
    fields.setdefault("value", Decimal("100000.00"))
    fields.setdefault("categories", ["mri"])
    fields.setdefault("start_date", datetime.date(2024, 4, 1))
    fields.setdefault("end_date", datetime.date(2027, 1, 31))
    return services.create_contract(organisation=organisation, by=by, **fields)


def cdc(*, host_trust=None, icb=None, by=TEST_DATA, **fields) -> CommunityDiagnosticCentre:
    host_trust = host_trust or OrganisationFactory(kind="trust")
    icb = icb or OrganisationFactory()
    fields.setdefault("name", f"Fictional Town CDC {_next()}")
    return services.create_cdc(host_trust=host_trust, icb=icb, by=by, **fields)


# -- a register half public, half private, for the publicity tests -------------------------

PUBLIC_MARK = "Publicmarker"  # in every public row: a consumer that shows nothing fails
#: One canary for each field of a private row a public page or letter could print; with the
#: figures of a private or withheld value (as digits and as the letters format them).
REGISTER_CANARIES = [
    "Quokkasupplier",
    "Quokkatitle",
    "Quokkascope",
    "QUOKKA-REF",
    "Quokkaendreason",
    "Quokkachangereason",
    "Quokkaplan",
    "QuokkaCDC",
    "Quokkahub",
    "555444",
    "555,444",
    "246813",
    "246,813",
    "777666",
    "777,666",
    "778,900",  # the public spend total with the private contract's spend in it
]
LIVE_ON = datetime.date(2025, 11, 14)


def _private_contract(organisation, by, n, **fields):
    return contract(
        organisation=organisation,
        by=by,
        reference=f"QUOKKA-REF-{n}",
        supplier_obj=supplier(name=f"Quokkasupplier {n} Ltd", by=by),
        title=f"Quokkatitle {n}",
        scope=f"Quokkascope {n}",
        value=Decimal("555444.33"),
        is_public=False,
        reasons_are_public=True,  # ticked, yet the contract itself is private
        **fields,
    )


def register_with_private_rows(*, organisation, by=TEST_DATA) -> dict:
    """Public and private rows of every kind the registers publish, for ``organisation``
    (it hosts the CDCs). Each private row carries canaries (``REGISTER_CANARIES``) in every
    field a page, an export or a letter could print; each public row ``PUBLIC_MARK``."""
    from contracts.models import ContractChange, PlannedProcurement

    insourcing = Contract.Kind.INSOURCING
    # Private contracts: one of each kind the letter blocks list, live on LIVE_ON.
    _private_contract(organisation, by, 1, categories=["mri"])
    private_ins = _private_contract(
        organisation,
        by,
        2,
        kind=insourcing,
        categories=["neurology"],
        end_date=None,
        end_date_to_be_agreed=True,
        end_date_reason="Quokkaendreason of a private contract",
    )
    services.record_contract_change(
        private_ins,
        kind=ContractChange.Kind.VARIATION,
        effective_on=datetime.date(2025, 1, 1),
        reason="Quokkachangereason of a private contract",
        by=by,
    )
    # Public contracts: one whose value is withheld, one whose reasons are not public.
    public_is = contract(
        organisation=organisation,
        by=by,
        supplier_obj=supplier(name=f"{PUBLIC_MARK} Imaging Ltd", by=by),
        title=f"{PUBLIC_MARK} MRI service",
        categories=["mri"],
        value=Decimal("246813.57"),
        value_is_public=False,
        is_public=True,
    )
    public_ins = contract(
        organisation=organisation,
        by=by,
        supplier_obj=supplier(name=f"{PUBLIC_MARK} Insourcing Ltd", by=by),
        title=f"{PUBLIC_MARK} neurology clinics",
        kind=insourcing,
        categories=["neurology"],
        end_date=None,
        end_date_to_be_agreed=True,
        end_date_reason="Quokkaendreason of a public contract",
        is_public=True,
        reasons_are_public=False,
    )
    services.record_contract_change(
        public_ins,
        kind=ContractChange.Kind.VARIATION,
        effective_on=datetime.date(2025, 1, 1),
        reason="Quokkachangereason of a public contract",
        by=by,
    )
    # Spend in 2024/25: public against the public contract, private against the private one.
    for against, amount, reference in (
        (public_ins, "1234.00", "public-spend"),
        (private_ins, "777666.00", "private-spend"),
    ):
        services.record_spend(
            organisation=organisation,
            financial_year="2024/25",
            amount=Decimal(amount),
            kind=insourcing,
            source="ledger",
            by=by,
            contract=against,
            supplier=against.supplier,
            category="neurology",
            reference=reference,
        )
    # Planned procurements: a private one, and a public one replacing a private contract.
    services.create_planned_procurement(
        organisation=organisation,
        title="Quokkaplan MRI re-procurement",
        kind=Contract.Kind.INDEPENDENT_SECTOR,
        categories=["mri"],
        status=PlannedProcurement.Status.PLANNED,
        is_public=False,
        by=by,
    )
    services.create_planned_procurement(
        organisation=organisation,
        title=f"{PUBLIC_MARK} MRI re-procurement",
        kind=Contract.Kind.INDEPENDENT_SECTOR,
        categories=["mri"],
        status=PlannedProcurement.Status.PLANNED,
        replaces=Contract.objects.get(reference="QUOKKA-REF-1"),
        is_public=True,
        by=by,
    )
    # CDCs hosted by the organisation: a private one, and a public spoke of a private hub
    # served by a private contract.
    icb = OrganisationFactory()
    hub = cdc(host_trust=organisation, icb=icb, by=by, name="Quokkahub CDC", is_public=False)
    private_cdc = cdc(
        host_trust=organisation,
        icb=icb,
        by=by,
        name="QuokkaCDC centre",
        address="1 Quokkascope Road",
        is_public=False,
    )
    public_cdc = cdc(
        host_trust=organisation,
        icb=icb,
        by=by,
        name=f"{PUBLIC_MARK} CDC",
        role=CommunityDiagnosticCentre.Role.SPOKE,
        hub=hub,
        is_public=True,
    )
    _private_contract(organisation, by, 3, categories=["ct"], cdc=public_cdc)
    for centre in (private_cdc, public_cdc):
        services.set_cdc_modality(
            cdc=centre,
            modality="mri",
            equipment_count=1,
            hours_per_week=Decimal("40"),
            examinations_per_hour=Decimal("2"),
            by=by,
        )
        services.record_cdc_activity(
            cdc=centre,
            modality="mri",
            month=datetime.date(2025, 4, 1),
            planned=400,
            actual=300,
            source="Quokkascope activity source",
            by=by,
        )
    return {"public_contract": public_is, "public_insourcing": public_ins, "cdc": public_cdc}


#: A live block of every register kind, with parameters that catch the rows above.
REGISTER_BLOCKS = [
    ("independent_sector_contracts", {"active_on": LIVE_ON.isoformat()}),
    ("live_insourcing_contracts", {"on": LIVE_ON.isoformat()}),
    ("spend_total", {"financial_year": "2024/25", "kind": "insourcing"}),
    ("insourcing_providers_by_specialty", {"financial_year": "2024/25"}),
    ("planned_procurements", {}),
    ("cdcs_hosted", {"start": "2025-04-01", "end": "2025-06-30", "area": "hosted"}),
]
