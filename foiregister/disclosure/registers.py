"""Reads for the public contract and CDC registers. What may be published is the contracts
app's one rule (``contracts.publicity``): every row and every value here comes through it,
so the pages, the CSV downloads and the API say what OCDS and the letters say. This module
only chooses which of the publishable fields a page shows.

A contract's value (current value) is shown only where ``publicity.public_value`` gives it;
otherwise it is ``None`` and the pages say "Withheld" (for example under FOIA s.43(2)). Who
owns a contract, which user recorded it and the CDCs it serves are not shown.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Max, QuerySet
from django.utils import timezone

from contracts import publicity
from contracts import selectors as contract_selectors
from contracts.models import Category, CommunityDiagnosticCentre, Contract
from foiregister.kernel import figures
from foiregister.kernel.models import Organisation

CATEGORY_LABELS = dict(Category.choices)


@dataclass(frozen=True)
class PublicContract:
    """A public contract as the register shows it."""

    organisation_ods_code: str
    organisation: str
    reference: str
    title: str
    supplier: str
    kind: str
    kind_label: str
    categories: tuple[str, ...]
    category_labels: tuple[str, ...]
    payment_basis: str
    payment_basis_label: str
    value: Decimal | None
    value_withheld: bool
    start_date: datetime.date | None
    end_date: datetime.date | None
    end_date_to_be_agreed: bool
    latest_end_date: datetime.date | None
    procurement_route: str
    procurement_route_label: str
    status: str
    status_label: str


CONTRACT_CSV_FIELDS = [
    "organisation_ods_code",
    "organisation",
    "reference",
    "title",
    "supplier",
    "kind_label",
    "category_labels",
    "payment_basis_label",
    "value",
    "start_date",
    "end_date",
    "end_date_to_be_agreed",
    "latest_end_date",
    "procurement_route_label",
    "status_label",
]


def public_contract_rows(
    *,
    organisation: Organisation | None = None,
    kind: str = "",
    category: str = "",
    status: str = "",
    today: datetime.date | None = None,
) -> QuerySet[Contract]:
    """Public contracts, filtered, in register order. Every column read is named in
    ``only()``: nothing else of a contract leaves the database for a public page. The
    status filter is the status on ``today``: a contract whose termination date is still
    ahead is active."""
    qs = publicity.public_contracts()
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(contract_selectors.status_q(status, today or timezone.localdate()))
    if category:
        if connection.vendor == "postgresql":
            qs = qs.filter(categories__contains=[category])
        else:  # SQLite (the demo run) has no JSON containment lookup
            ids = [pk for pk, cats in qs.values_list("pk", "categories") if category in cats]
            qs = qs.filter(pk__in=ids)
    return (
        qs.select_related("organisation", "supplier")
        .only(
            "organisation__ods_code",
            "organisation__name",
            "supplier__name",
            "reference",
            "title",
            "kind",
            "categories",
            "payment_basis",
            "current_value",
            "is_public",
            "value_is_public",
            "start_date",
            "current_end_date",
            "end_date_to_be_agreed",
            "latest_end_date",
            "procurement_route",
            "status",
        )
        .order_by("organisation__name", "current_end_date", "reference")
    )


def public_status_label(contract: Contract, *, today: datetime.date) -> str:
    """The contract's status as the public reads it on ``today``. A contract whose
    termination date is still ahead is "Active; terminates on ...". A contract still
    recorded as active or pending whose end date has passed says so, rather than calling
    itself active: the register holds what the commissioner last recorded, and nobody may
    have closed it yet."""
    label = contract_selectors.contract_status_label(contract, day=today)
    end = contract.current_end_date
    live = contract.status in (Contract.Status.ACTIVE, Contract.Status.PENDING)
    if live and end is not None and end < today:
        return f"{label} (end date passed)"
    return label


def public_contract(contract: Contract, *, today: datetime.date | None = None) -> PublicContract:
    """The public view of one row from ``public_contract_rows``."""
    today = today or timezone.localdate()
    return PublicContract(
        organisation_ods_code=contract.organisation.ods_code,
        organisation=contract.organisation.name,
        reference=contract.reference,
        title=contract.title,
        supplier=contract.supplier.name,
        kind=contract.kind,
        kind_label=contract.get_kind_display(),
        categories=tuple(contract.categories),
        category_labels=tuple(CATEGORY_LABELS.get(c, c) for c in contract.categories),
        payment_basis=contract.payment_basis,
        payment_basis_label=contract.get_payment_basis_display(),
        value=publicity.public_value(contract),
        value_withheld=publicity.value_withheld(contract),
        start_date=contract.start_date,
        end_date=contract.current_end_date,
        end_date_to_be_agreed=contract.end_date_to_be_agreed,
        latest_end_date=contract.latest_end_date,
        procurement_route=contract.procurement_route,
        procurement_route_label=contract.get_procurement_route_display(),
        status=contract_selectors.contract_status_on(contract, day=today),
        status_label=public_status_label(contract, today=today),
    )


def public_contract_organisations() -> QuerySet[Organisation]:
    """Organisations with at least one public contract, for the filter."""
    ids = publicity.public_contracts().values("organisation_id")
    return Organisation.objects.filter(pk__in=ids).order_by("name")


def public_contract_categories() -> list[tuple[str, str]]:
    """Categories used by at least one public contract, in the codelist's order."""
    used: set[str] = set()
    for cats in publicity.public_contracts().values_list("categories", flat=True):
        used.update(cats or [])
    return [(value, label) for value, label in Category.choices if value in used]


# -- CDCs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicModality:
    modality: str
    label: str
    equipment_fixed: int
    equipment_mobile: int
    capacity: Decimal
    planned: int | None
    actual: int
    utilisation: Decimal | None  # a fraction: 0.9 is 90%
    # The months whose activity was reported: capacity, activity and utilisation are summed
    # over these alone, so the page names them rather than the whole period.
    months_counted: tuple[datetime.date, ...] = ()

    @property
    def months_counted_label(self) -> str:
        return month_ranges(self.months_counted)


@dataclass(frozen=True)
class PublicCdc:
    name: str
    postcode: str
    host_trust: str
    host_trust_ods_code: str
    icb: str
    icb_ods_code: str
    delivery_model: str
    delivery_model_label: str
    role: str
    role_label: str
    hub: str
    status: str
    status_label: str
    opening_date: datetime.date | None
    data_note: str
    period_start: datetime.date
    period_end: datetime.date
    modalities: tuple[PublicModality, ...]


def capacity_period(*, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The twelve whole months up to the latest month a public CDC reported activity for
    (complete months only, so a month still being counted never reads as under-used); the
    twelve months before ``today``'s month when none has reported."""
    return contract_selectors.latest_reported_year(publicity.public_cdcs(), today=today)


def public_cdcs_queryset(
    *, icb: Organisation | None = None, status: str = ""
) -> QuerySet[CommunityDiagnosticCentre]:
    qs = publicity.public_cdcs()
    if icb is not None:
        qs = qs.filter(icb=icb)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("host_trust", "icb", "hub").order_by("name")


def public_cdcs(
    cdcs: QuerySet[CommunityDiagnosticCentre] | list[CommunityDiagnosticCentre],
    *,
    today: datetime.date,
) -> list[PublicCdc]:
    """Public CDCs with capacity and utilisation by modality over ``capacity_period``,
    computed by the contracts app's ``cdc_capacity``. Two queries for equipment and
    activity, whatever the number of CDCs. A hub is named only if it is public too."""
    from contracts.models import CdcActivity, CdcModality

    start, end = capacity_period(today=today)
    cdcs = [c for c in cdcs if c.is_public]
    ids = [c.pk for c in cdcs]
    equipment: dict[int, list[CdcModality]] = {pk: [] for pk in ids}
    for e in CdcModality.objects.filter(cdc_id__in=ids):
        equipment[e.cdc_id].append(e)
    activity: dict[int, list[CdcActivity]] = {pk: [] for pk in ids}
    for a in publicity.public_cdc_activity(
        CdcActivity.objects.filter(cdc_id__in=ids, month__gte=start, month__lte=end)
    ):
        activity[a.cdc_id].append(a)
    out = []
    for cdc in cdcs:
        modalities = contract_selectors.cdc_capacity(
            cdc, start=start, end=end, equipment=equipment[cdc.pk], activity=activity[cdc.pk]
        )
        out.append(
            PublicCdc(
                name=cdc.name,
                postcode=cdc.postcode,
                host_trust=cdc.host_trust.name,
                host_trust_ods_code=cdc.host_trust.ods_code,
                icb=cdc.icb.name,
                icb_ods_code=cdc.icb.ods_code,
                delivery_model=cdc.delivery_model,
                delivery_model_label=cdc.get_delivery_model_display(),
                role=cdc.role,
                role_label=cdc.get_role_display(),
                hub=_name(publicity.public_hub(cdc)),
                status=cdc.status,
                status_label=cdc.get_status_display(),
                opening_date=cdc.opening_date,
                data_note=cdc.data_note,
                period_start=start,
                period_end=end,
                modalities=tuple(
                    PublicModality(
                        modality=m.modality,
                        label=m.label,
                        equipment_fixed=m.equipment_fixed,
                        equipment_mobile=m.equipment_mobile,
                        capacity=m.capacity,
                        planned=m.planned,
                        actual=m.actual,
                        utilisation=m.utilisation,
                        months_counted=tuple(
                            sorted(
                                a.month
                                for a in activity[cdc.pk]
                                if a.modality == m.modality and a.actual is not None
                            )
                        ),
                    )
                    for m in modalities
                ),
            )
        )
    return out


def _name(cdc: CommunityDiagnosticCentre | None) -> str:
    return cdc.name if cdc is not None else ""


CDC_CSV_FIELDS = [
    "name",
    "postcode",
    "host_trust_ods_code",
    "host_trust",
    "icb_ods_code",
    "icb",
    "delivery_model_label",
    "role_label",
    "hub",
    "status_label",
    "opening_date",
    "period_start",
    "period_end",
    "modality",
    "equipment_fixed",
    "equipment_mobile",
    "capacity",
    "planned",
    "actual",
    "utilisation_percent",
    "data_note",
]


def cdc_csv_rows(cdcs: list[PublicCdc]) -> list[dict[str, Any]]:
    """One row per CDC and modality (one row with blank figures if it has none)."""
    rows = []
    for cdc in cdcs:
        base = {k: getattr(cdc, k) for k in CDC_CSV_FIELDS if hasattr(cdc, k)}
        if not cdc.modalities:
            rows.append(base)
        for m in cdc.modalities:
            rows.append(
                base
                | {
                    "modality": m.label,
                    "equipment_fixed": m.equipment_fixed,
                    "equipment_mobile": m.equipment_mobile,
                    "capacity": figures.plain_count(m.capacity),
                    "planned": m.planned,
                    "actual": m.actual,
                    "utilisation_percent": figures.plain_percent(m.utilisation, places=1),
                }
            )
    return rows


def public_cdc_icbs() -> QuerySet[Organisation]:
    ids = publicity.public_cdcs().values("icb_id")
    return Organisation.objects.filter(pk__in=ids).order_by("name")


# -- OCDS -----------------------------------------------------------------------------------


def public_ocds_package(*, uri: str = "") -> dict[str, Any]:
    """The OCDS 1.1.5 release package of public contracts. Its published date is the last
    change to a public contract, so the same register gives the same bytes (and ETag)."""
    from django.utils import timezone

    last = publicity.public_contracts().aggregate(last=Max("updated_at"))["last"]
    return contract_selectors.ocds_release_package(
        public_only=True,
        published_date=last or timezone.now().replace(microsecond=0),
        uri=uri,
    )


def month_ranges(months: tuple[datetime.date, ...] | list[datetime.date]) -> str:
    """'Apr 2025 to Sep 2025' for consecutive months; runs joined by commas
    ('Jan 2025, Mar 2025 to Sep 2025'); 'none' when empty."""
    runs: list[list[datetime.date]] = []
    for month in sorted(months):
        last = runs[-1][-1] if runs else None
        follows = (
            last is not None
            and (month.year * 12 + month.month) - (last.year * 12 + last.month) == 1
        )
        if follows:
            runs[-1].append(month)
        else:
            runs.append([month])
    if not runs:
        return "none"
    return ", ".join(
        f"{r[0]:%b %Y}" if len(r) == 1 else f"{r[0]:%b %Y} to {r[-1]:%b %Y}" for r in runs
    )
