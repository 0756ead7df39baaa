"""What of the contract and CDC registers may be published: the one rule.

The public register pages and their CSV downloads, the API, the OCDS export and every
letter block start from these functions. A letter counts as published: an FOI response is
a disclosure to the world (the anonymised copy goes on the disclosure log, and the
requester may publish theirs), so it may say no more than the register would.

The rule (docs/contracts.md, "What may be published"), the strictest reading of the flags
the commissioner sets:

- a **contract** is public only when ``is_public`` is ticked; its value, its value changes
  and the spend against it only when ``value_is_public`` is ticked too (e.g. withheld under
  FOIA s.43(2)); the free-text reasons (end date to be agreed, each change) only when
  ``reasons_are_public`` is ticked too. ``source``, ``owner`` and the notice date are never
  published;
- a **change** is public only as part of a public contract, its reason and value change as
  above;
- a **spend line** is public when it is held against no contract (a supplier and category,
  or a ledger total: the body's own figures, presumed disclosable), or against a public
  contract whose value is public; its ``source`` never;
- a **supplier** is public when a public contract or a public spend line names it;
- a **planned procurement** is public only when ``is_public`` is ticked; the contract it
  replaces is named only if that contract is public; its ``notes`` never;
- a **CDC** is public only when ``is_public`` is ticked; its hub is named only if public, the
  contracts serving it only if public; its activity is public only with it, the activity's
  ``source`` never.

Plain functions and querysets over ``contracts.models`` only: nothing here knows who reads
the result, so every consumer gets the same answer.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, QuerySet

from .models import (
    CdcActivity,
    CommunityDiagnosticCentre,
    Contract,
    ContractChange,
    ContractSpend,
    PlannedProcurement,
    Supplier,
)

OPEN_PLANS = (
    PlannedProcurement.Status.CONSIDERING,
    PlannedProcurement.Status.PLANNED,
    PlannedProcurement.Status.IN_PROGRESS,
)


# -- contracts -----------------------------------------------------------------------------


def public_contracts(qs: QuerySet[Contract] | None = None) -> QuerySet[Contract]:
    """Contracts a commissioner has published (``is_public``), narrowed from ``qs``."""
    return (Contract.objects.all() if qs is None else qs).filter(is_public=True)


def value_may_be_published(contract: Contract) -> bool:
    """The contract is public and its value is not withheld."""
    return contract.is_public and contract.value_is_public


def value_withheld(contract: Contract) -> bool:
    """A public contract whose value the commissioner withheld: the one case a page or a
    letter says "withheld" (the contract itself being public, that says nothing new)."""
    return contract.is_public and not contract.value_is_public


def public_value(contract: Contract) -> Decimal | None:
    """The current value, or ``None`` when it may not be published."""
    return contract.current_value if value_may_be_published(contract) else None


def public_original_value(contract: Contract) -> Decimal | None:
    """The value at award (OCDS publishes it with the changes), or ``None``."""
    return contract.value if value_may_be_published(contract) else None


def reasons_may_be_published(contract: Contract) -> bool:
    """Free-text reasons are read for names and commercially sensitive detail before the
    commissioner ticks ``reasons_are_public``; a private contract's reasons never go out."""
    return contract.is_public and contract.reasons_are_public


def public_end_date_reason(contract: Contract) -> str | None:
    """Why the end date is still to be agreed, or ``None`` when it may not be published."""
    if not reasons_may_be_published(contract) or not contract.end_date_reason:
        return None
    return contract.end_date_reason


# -- changes -------------------------------------------------------------------------------


def public_changes(qs: QuerySet[ContractChange] | None = None) -> QuerySet[ContractChange]:
    """Changes of public contracts, narrowed from ``qs``."""
    qs = ContractChange.objects.all() if qs is None else qs
    return qs.filter(contract__is_public=True)


def public_change_reason(change: ContractChange) -> str | None:
    """The reason for an extension, variation or termination, or ``None``."""
    if not reasons_may_be_published(change.contract) or not change.reason:
        return None
    return change.reason


def public_value_change(change: ContractChange) -> Decimal | None:
    """A change's value moves the contract value: published only with it."""
    return change.value_change if value_may_be_published(change.contract) else None


# -- spend and suppliers -------------------------------------------------------------------

PUBLIC_SPEND = Q(contract__isnull=True) | Q(
    contract__is_public=True, contract__value_is_public=True
)


def public_spend(qs: QuerySet[ContractSpend] | None = None) -> QuerySet[ContractSpend]:
    """Spend lines that may be published, narrowed from ``qs``. A line against a contract
    says what that contract cost, so it follows the contract's value; totals over these
    lines never carry a private or withheld contract's spend (which a reader could get by
    subtracting the published lines)."""
    return (ContractSpend.objects.all() if qs is None else qs).filter(PUBLIC_SPEND)


def public_suppliers(qs: QuerySet[Supplier] | None = None) -> QuerySet[Supplier]:
    """Suppliers a public contract or a public spend line names. A supplier is shared by
    every organisation; naming one only through a private row would disclose that row."""
    qs = Supplier.objects.all() if qs is None else qs
    named = Q(pk__in=public_contracts().values("supplier_id")) | Q(
        pk__in=public_spend().filter(supplier__isnull=False).values("supplier_id")
    )
    return qs.filter(named)


# -- planned procurements ------------------------------------------------------------------


def public_planned_procurements(
    qs: QuerySet[PlannedProcurement] | None = None, *, open_only: bool = False
) -> QuerySet[PlannedProcurement]:
    """Plans marked public, narrowed from ``qs``; with ``open_only``, those still being
    considered, planned or in progress (the answer to "any current plans?")."""
    qs = (PlannedProcurement.objects.all() if qs is None else qs).filter(is_public=True)
    return qs.filter(status__in=OPEN_PLANS) if open_only else qs


def public_replaced_contract(plan: PlannedProcurement) -> Contract | None:
    """The contract a plan replaces, if that contract is public."""
    replaced = plan.replaces
    return replaced if replaced is not None and replaced.is_public else None


# -- CDCs ----------------------------------------------------------------------------------


def public_cdcs(
    qs: QuerySet[CommunityDiagnosticCentre] | None = None,
) -> QuerySet[CommunityDiagnosticCentre]:
    """CDCs marked public, narrowed from ``qs``."""
    return (CommunityDiagnosticCentre.objects.all() if qs is None else qs).filter(is_public=True)


def public_hub(cdc: CommunityDiagnosticCentre) -> CommunityDiagnosticCentre | None:
    """A spoke's hub, if the hub is public too."""
    hub = cdc.hub
    return hub if hub is not None and hub.is_public else None


def public_cdc_activity(qs: QuerySet[CdcActivity] | None = None) -> QuerySet[CdcActivity]:
    """Monthly activity of public CDCs, narrowed from ``qs``."""
    return (CdcActivity.objects.all() if qs is None else qs).filter(cdc__is_public=True)


def public_contracts_of_cdc(cdc: CommunityDiagnosticCentre) -> list[Contract]:
    """The public contracts serving a public CDC (none for a private one). Reads the
    prefetched ``contracts`` when there are any, so a list of CDCs costs no extra query."""
    if not cdc.is_public:
        return []
    return [c for c in cdc.contracts.all() if c.is_public]
