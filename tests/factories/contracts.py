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
