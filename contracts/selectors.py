"""Every read with a rule in it.

Commissioners reach contracts only through ``contracts_visible_to`` (their organisations);
the letters module and the public API call the noun-phrase selectors below, which return
plain frozen dataclasses or dicts, never querysets, so the figures can be frozen into an
issued letter. What of a register may be published is decided in ``publicity`` alone: the
selectors for letters (which are published) start from it, and so does OCDS unless a
commissioner exports their own register with ``public_only=False``.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet, Sum

from foiregister.kernel import access
from foiregister.kernel.figures import pence
from foiregister.kernel.models import AuditEvent, Organisation

from . import capacity, ocds, publicity
from .exceptions import NothingToPublish
from .models import (
    IMAGING_MODALITIES,
    Category,
    CdcActivity,
    CdcModality,
    CommunityDiagnosticCentre,
    Contract,
    ContractSpend,
    Supplier,
)

LIVE = (Contract.Status.ACTIVE, Contract.Status.PENDING)
DEFAULT_WARNING_MONTHS = (12, 6, 3)


# -- status on a day -----------------------------------------------------------------------
#
# A termination is recorded when it is agreed, often months before it takes effect: the
# stored status says "terminated" from then on, and the termination date is the contract's
# current end date. Until that date the contract is in force (OCDS contractStatus "active":
# "signed by all the parties, and is now legally in force"); from that date on it is
# terminated ("has now come to a close"). Every page, list, filter, warning and export asks
# these functions rather than reading the stored status.


def live_q(day: datetime.date) -> Q:
    """Contracts live on ``day``: recorded as active or pending, or terminated with the
    termination date still ahead."""
    return Q(status__in=LIVE) | Q(status=Contract.Status.TERMINATED, current_end_date__gt=day)


def status_q(status: str, day: datetime.date) -> Q:
    """Contracts whose status on ``day`` (``contract_status_on``) is ``status``."""
    terminating = Q(status=Contract.Status.TERMINATED, current_end_date__gt=day)
    if status == Contract.Status.ACTIVE:
        return Q(status=Contract.Status.ACTIVE) | terminating
    if status == Contract.Status.TERMINATED:
        return Q(status=Contract.Status.TERMINATED) & ~terminating
    return Q(status=status)


def terminates_on(contract: Contract, *, day: datetime.date) -> datetime.date | None:
    """The termination date still ahead of ``day``, or None (not terminated, or already
    terminated on ``day``)."""
    end = contract.current_end_date
    if contract.status == Contract.Status.TERMINATED and end is not None and end > day:
        return end
    return None


def contract_status_on(contract: Contract, *, day: datetime.date) -> str:
    """The OCDS contractStatus code of ``contract`` on ``day``."""
    if terminates_on(contract, day=day):
        return Contract.Status.ACTIVE
    return contract.status


def contract_status_label(contract: Contract, *, day: datetime.date) -> str:
    """The status as staff and the public read it on ``day``: "Active; terminates on 31
    March 2027" before a termination date, "Terminated" from it."""
    end = terminates_on(contract, day=day)
    if end is not None:
        return f"Active; terminates on {end.day} {end:%B %Y}"
    return contract.get_status_display()


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months earlier, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def warning_months() -> tuple[int, ...]:
    """Months before the end date at which owners are warned (settings may override)."""
    months = getattr(settings, "CONTRACTS_EXPIRY_WARNING_MONTHS", DEFAULT_WARNING_MONTHS)
    return tuple(sorted({int(m) for m in months}, reverse=True))


def horizons_due(contract: Contract, *, today: datetime.date) -> list[tuple[str, datetime.date]]:
    """The horizons (``'12m'``, ``'6m'``, ``'3m'``, ``'notice'``) that have been reached on
    ``today`` for the contract's current end date, each with the day it was reached; empty
    once the contract has ended or when it has no end date."""
    end = contract.current_end_date
    if end is None or today > end:
        return []
    due = [(f"{m}m", months_before(end, m)) for m in warning_months()]
    if contract.notice_period_days:
        due.append(("notice", end - datetime.timedelta(days=contract.notice_period_days)))
    return sorted(((h, d) for h, d in due if d <= today), key=lambda hd: hd[1])


# -- register history in words -------------------------------------------------------------


@dataclass(frozen=True)
class SupplierNames:
    """Suppliers' names as their own audit history records them, to print a supplier named
    in another entry's history (which stores its id) by the name it had then."""

    current: dict[int, str]
    # Per supplier, every recorded change of name: (when, audit row, old name, new name).
    renames: dict[int, list[tuple[datetime.datetime, int, str | None, str]]]

    def at(self, supplier_id: Any, *, when: datetime.datetime, event_pk: int) -> str | None:
        """The name on ``when`` (the audit row ``event_pk``): the last name recorded by
        then, else the name a later rename started from, else today's name; None for a
        supplier no longer on the register."""
        try:
            key = int(supplier_id)
        except (TypeError, ValueError):
            return None
        renames = self.renames.get(key, [])
        before = [r for r in renames if (r[0], r[1]) <= (when, event_pk)]
        if before:
            return before[-1][3]
        if renames and renames[0][2]:
            return renames[0][2]
        return self.current.get(key)


def supplier_names(supplier_ids: Iterable[Any]) -> SupplierNames:
    """``SupplierNames`` for ``supplier_ids``: two queries, whatever the history's length."""
    ids = sorted({int(i) for i in supplier_ids if str(i).isdigit()})
    current = dict(Supplier.objects.filter(pk__in=ids).values_list("pk", "name"))
    renames: dict[int, list] = defaultdict(list)
    events = AuditEvent.objects.filter(
        object_type=Supplier._meta.label, object_id__in=[str(i) for i in ids]
    ).order_by("at", "pk")
    for event in events:
        change = (event.changes or {}).get("name")
        if isinstance(change, list) and len(change) == 2 and change[1]:
            renames[int(event.object_id)].append((event.at, event.pk, change[0], change[1]))
    return SupplierNames(current=current, renames=dict(renames))


# -- the gate ------------------------------------------------------------------------------


def organisation_ids_of(user) -> list[int]:
    """The organisations whose registers ``user`` may see and edit, from the one access
    gate (``foiregister.kernel.access``)."""
    orgs = access.organisations_of(user, roles=access.REGISTER_ROLES)
    return list(orgs.values_list("pk", flat=True))


def bodies_naming_supplier_without(supplier, user) -> list[Organisation]:
    """The organisations whose contracts name ``supplier`` and for which ``user`` does not
    act: while there is one, ``user`` may not change the shared supplier (its name prints
    on their registers and letters). None for a superuser or a system actor."""
    if not getattr(user, "is_authenticated", False) or user.is_superuser:
        return []
    named_by = Contract.objects.filter(supplier=supplier).values("organisation_id")
    return list(
        Organisation.objects.filter(pk__in=named_by)
        .exclude(pk__in=organisation_ids_of(user))
        .order_by("name")
    )


def contracts_visible_to(user) -> QuerySet[Contract]:
    return access.scoped(
        Contract.objects.all(), user, via="organisation", roles=access.REGISTER_ROLES
    )


def spend_line(*, organisation, reference: str) -> ContractSpend | None:
    """The organisation's spend line with this reference, if it has one."""
    return ContractSpend.objects.filter(organisation=organisation, reference=reference).first()


def cdcs_visible_to(user) -> QuerySet[CommunityDiagnosticCentre]:
    """CDCs the user's organisations host or have in their ICB area."""
    if not user.is_authenticated:
        return CommunityDiagnosticCentre.objects.none()
    if user.is_superuser:
        return CommunityDiagnosticCentre.objects.all()
    ids = organisation_ids_of(user)
    return CommunityDiagnosticCentre.objects.filter(Q(host_trust__in=ids) | Q(icb__in=ids))


# -- plain results -------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractSummary:
    """One public contract as an FOI answer states it: ``value`` is ``None`` when withheld
    (``value_withheld``), ``end_date_reason`` empty unless the reasons are public."""

    reference: str
    supplier: str
    title: str
    scope: str
    categories: tuple[str, ...]
    category_labels: tuple[str, ...]
    kind: str
    payment_basis: str
    payment_basis_label: str
    value: Decimal | None
    value_withheld: bool
    start_date: datetime.date | None
    end_date: datetime.date | None
    end_date_to_be_agreed: bool
    end_date_reason: str
    latest_end_date: datetime.date | None
    procurement_route: str
    status: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _summary(contract: Contract) -> ContractSummary:
    labels = dict(Category.choices)
    return ContractSummary(
        reference=contract.reference,
        supplier=contract.supplier.name,
        title=contract.title,
        scope=contract.scope,
        categories=tuple(contract.categories),
        category_labels=tuple(labels.get(c, c) for c in contract.categories),
        kind=contract.kind,
        payment_basis=contract.payment_basis,
        payment_basis_label=contract.get_payment_basis_display(),
        value=publicity.public_value(contract),
        value_withheld=publicity.value_withheld(contract),
        start_date=contract.start_date,
        end_date=contract.current_end_date,
        end_date_to_be_agreed=contract.end_date_to_be_agreed,
        end_date_reason=publicity.public_end_date_reason(contract) or "",
        latest_end_date=contract.latest_end_date,
        procurement_route=contract.get_procurement_route_display(),
        status=contract.status,
    )


def _live_on(qs: QuerySet[Contract], day: datetime.date) -> QuerySet[Contract]:
    """Live on ``day``: started (or start not recorded), and not yet ended or end to be
    agreed."""
    return qs.filter(live_q(day)).filter(
        Q(start_date__isnull=True) | Q(start_date__lte=day),
        Q(current_end_date__gte=day) | Q(current_end_date__isnull=True),
    )


def _any_category(contracts: list[Contract], categories: list[str] | None) -> list[Contract]:
    if not categories:
        return contracts
    wanted = set(categories)
    return [c for c in contracts if wanted & set(c.categories)]


# -- selectors for letters and the API -----------------------------------------------------


def independent_sector_contracts(
    *, organisation, categories: list[str] | None = None, active_on: datetime.date
) -> list[ContractSummary]:
    """Public independent-sector contracts live on ``active_on``, optionally for some
    categories (e.g. ``["ct", "mri", "nous"]``), by supplier."""
    qs = _live_on(
        publicity.public_contracts().filter(
            organisation=organisation, kind=Contract.Kind.INDEPENDENT_SECTOR
        ),
        active_on,
    ).select_related("supplier")
    contracts = _any_category(list(qs.order_by("supplier__name", "reference")), categories)
    return [_summary(c) for c in contracts]


def live_insourcing_contracts(*, organisation, on: datetime.date) -> list[ContractSummary]:
    """Public insourcing contracts live on ``on``, each with its end date, or
    ``end_date_to_be_agreed`` and the reason if public (e.g. a PSR Direct Award C under
    review)."""
    qs = _live_on(
        publicity.public_contracts().filter(
            organisation=organisation, kind=Contract.Kind.INSOURCING
        ),
        on,
    ).select_related("supplier")
    return [_summary(c) for c in qs.order_by("supplier__name", "reference")]


def financial_year_of(day: datetime.date) -> str:
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def spend_total(
    *,
    organisation,
    financial_year: str,
    kind: str | None = None,
    basis: str = ContractSpend.Basis.ACTUAL,
) -> Decimal:
    """Total public spend in a financial year (e.g. clinical insourcing 2024/25), of one kind
    or all; actual by default, ``basis="forecast"`` for the forecast. Spend against a
    private contract or a withheld value is left out (``publicity.public_spend``). To the
    penny on both databases: SQLite returns a sum without its pence (``3091519``),
    PostgreSQL with (``3091519.00``)."""
    qs = publicity.public_spend().filter(
        organisation=organisation, financial_year=financial_year, basis=basis
    )
    if kind:
        qs = qs.filter(kind=kind)
    return pence(qs.aggregate(total=Sum("amount"))["total"] or 0)


def spend_totals_by_kind(*, organisation, financial_year: str) -> dict[str, Decimal]:
    """Total public actual spend in the year by kind (``spend_total`` for each kind)."""
    rows = (
        publicity.public_spend()
        .filter(
            organisation=organisation,
            financial_year=financial_year,
            basis=ContractSpend.Basis.ACTUAL,
        )
        .values("kind")
        .annotate(total=Sum("amount"))
    )
    return {r["kind"]: pence(r["total"] or 0) for r in rows}


@dataclass(frozen=True)
class SpendTotal:
    """Spend of one kind, basis and financial year for one organisation."""

    organisation: str
    financial_year: str
    kind: str
    kind_label: str
    basis: str
    total: Decimal
    lines: int
    lines_without_amount: int


def spend_totals(spend: QuerySet[ContractSpend]) -> list[SpendTotal]:
    """Totals of ``spend`` (already scoped and filtered by the caller) per organisation,
    financial year (latest first), kind and basis, summed in the database. Lines held
    without an amount (a provider used, its spend only in a ledger total) are counted, not
    summed, so a total is never inflated or silently partial."""
    kinds = dict(Contract.Kind.choices)
    rows = (
        spend.order_by()
        .values("organisation__name", "financial_year", "kind", "basis")
        .annotate(
            total=Sum("amount"),
            lines=Count("pk"),
            unpriced=Count("pk", filter=Q(amount__isnull=True)),
        )
        .order_by("organisation__name", "-financial_year", "kind", "basis")
    )
    return [
        SpendTotal(
            organisation=r["organisation__name"],
            financial_year=r["financial_year"],
            kind=r["kind"],
            kind_label=kinds.get(r["kind"], r["kind"]),
            basis=r["basis"],
            total=pence(r["total"] or 0),
            lines=r["lines"],
            lines_without_amount=r["unpriced"],
        )
        for r in rows
    ]


def insourcing_providers_by_specialty(
    *, organisation, financial_year: str
) -> dict[str, list[str]]:
    """``{specialty label: [provider, ...]}`` for the insourcing providers paid (public spend
    lines, actual) in the financial year; a provider used is one the ledger shows, so
    contracts without spend do not count."""
    labels = dict(Category.choices)
    rows = (
        publicity.public_spend()
        .filter(
            organisation=organisation,
            financial_year=financial_year,
            kind=Contract.Kind.INSOURCING,
            basis=ContractSpend.Basis.ACTUAL,
        )
        .exclude(supplier__isnull=True)
        .select_related("supplier", "contract")
    )
    out: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        cats = (
            [row.category] if row.category else (row.contract.categories if row.contract else [])
        )
        for cat in cats or ["other"]:
            out[labels.get(cat, cat)].add(row.supplier.name)
    return {k: sorted(v) for k, v in sorted(out.items())}


@dataclass(frozen=True)
class PlannedProcurementSummary:
    title: str
    categories: tuple[str, ...]
    kind: str
    procurement_route: str
    status: str
    expected_start: datetime.date | None
    expected_award: datetime.date | None
    expected_contract_start: datetime.date | None
    replaces: str | None


OPEN_PLANS = publicity.OPEN_PLANS


def planned_procurements(
    *, organisation, categories: list[str] | None = None
) -> list[PlannedProcurementSummary]:
    """Open public plans to procure or re-tender; an empty list means none to report."""
    qs = publicity.public_planned_procurements(open_only=True).filter(organisation=organisation)
    plans = list(qs.select_related("replaces"))
    if categories:
        plans = [p for p in plans if set(categories) & set(p.categories)]
    return [
        PlannedProcurementSummary(
            title=p.title,
            categories=tuple(p.categories),
            kind=p.kind,
            procurement_route=p.get_procurement_route_display(),
            status=p.get_status_display(),
            expected_start=p.expected_start,
            expected_award=p.expected_award,
            expected_contract_start=p.expected_contract_start,
            replaces=_reference(publicity.public_replaced_contract(p)),
        )
        for p in plans
    ]


def _reference(contract: Contract | None) -> str | None:
    return contract.reference if contract is not None else None


# -- CDCs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModalityCapacity:
    modality: str
    label: str
    equipment_fixed: int
    equipment_mobile: int
    hours_per_week: Decimal
    #: Whole months in the period; ``capacity`` is over all of them.
    months: int
    capacity: Decimal
    planned: int | None
    #: None when no month of the period has an actual figure.
    actual: int | None
    utilisation: Decimal | None
    average_shortfall: Decimal | None
    months_below_plan: int
    #: The months (first day) with an actual figure; activity, utilisation and shortfall
    #: are over these, and ``capacity_reported`` is the capacity of these months.
    months_with_activity: tuple[datetime.date, ...] = ()
    capacity_reported: Decimal = Decimal(0)

    @property
    def months_reported(self) -> int:
        return len(self.months_with_activity)

    @property
    def months_without_activity(self) -> int:
        return self.months - self.months_reported


@dataclass(frozen=True)
class CdcSummary:
    name: str
    address: str
    postcode: str
    host_trust: str
    icb: str
    delivery_model: str
    role: str
    status: str
    opening_date: datetime.date | None
    independent_sector_contracts: tuple[str, ...]
    data_note: str
    period_start: datetime.date
    period_end: datetime.date
    modalities: tuple[ModalityCapacity, ...] = field(default_factory=tuple)


def _months(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    month = start.replace(day=1)
    out = []
    while month <= end:
        out.append(month)
        month = months_before(month, -1)
    return out


def cdc_capacity(
    cdc: CommunityDiagnosticCentre,
    *,
    start: datetime.date,
    end: datetime.date,
    equipment: list[CdcModality] | None = None,
    activity: list[CdcActivity] | None = None,
) -> list[ModalityCapacity]:
    """Capacity, activity, utilisation and average shortfall per modality over the whole
    months from ``start`` to ``end``; see ``capacity`` for the method. Capacity counts every
    month from the equipment and hours, with or without activity rows; which months have
    activity is ``months_with_activity`` (or ``cdc_months_with_activity``)."""
    equipment = equipment if equipment is not None else list(cdc.modalities.all())
    if activity is None:
        activity = list(cdc.activity.filter(month__gte=start.replace(day=1), month__lte=end))
    labels = dict(Category.choices)
    by_modality: dict[str, list[CdcModality]] = defaultdict(list)
    for e in equipment:
        by_modality[e.modality].append(e)
    acts = {(a.modality, a.month): a for a in activity}
    out = []
    for modality in sorted(by_modality, key=lambda m: list(Category.values).index(m)):
        kit = [
            capacity.Equipment(e.equipment_count, e.hours_per_week, e.examinations_per_hour)
            for e in by_modality[modality]
        ]
        months = []
        for month in _months(start, end):
            a = acts.get((modality, month))
            months.append(
                capacity.MonthFigures(
                    month=month,
                    capacity=capacity.monthly_capacity(kit, month),
                    planned=a.planned if a else None,
                    actual=a.actual if a else None,
                )
            )
        s = capacity.summarise(months)
        out.append(
            ModalityCapacity(
                modality=modality,
                label=labels.get(modality, modality),
                equipment_fixed=sum(
                    e.equipment_count for e in by_modality[modality] if not e.mobile
                ),
                equipment_mobile=sum(e.equipment_count for e in by_modality[modality] if e.mobile),
                hours_per_week=max(e.hours_per_week for e in by_modality[modality]),
                months=s["months"],
                capacity=s["capacity"],
                planned=s["planned"],
                actual=s["actual"],
                utilisation=s["utilisation"],
                average_shortfall=s["average_shortfall"],
                months_below_plan=s["months_below_plan"],
                months_with_activity=tuple(m.month for m in months if m.actual is not None),
                capacity_reported=s["capacity_reported"],
            )
        )
    return out


def cdc_months_with_activity(
    cdc: CommunityDiagnosticCentre,
    *,
    start: datetime.date,
    end: datetime.date,
    modality: str | None = None,
) -> list[datetime.date]:
    """The months (first day of each) from ``start`` to ``end`` for which ``cdc`` reported
    actual activity, in any modality or in ``modality``: what a letter says its activity,
    utilisation and shortfall figures cover, while capacity covers every month."""
    qs = CdcActivity.objects.filter(
        cdc=cdc, actual__isnull=False, month__gte=start.replace(day=1), month__lte=end
    )
    if modality is not None:
        qs = qs.filter(modality=modality)
    return sorted(set(qs.values_list("month", flat=True)))


def latest_reported_year(
    cdcs: QuerySet[CommunityDiagnosticCentre], *, today: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """Twelve whole months ending with the latest month any of ``cdcs`` reported actual
    activity for (before ``today``'s month), or the twelve before ``today``'s month."""
    latest = CdcActivity.objects.filter(
        cdc__in=cdcs, actual__isnull=False, month__lt=today.replace(day=1)
    ).aggregate(latest=Max("month"))["latest"]
    first_of_next = months_before(latest, -1) if latest else today.replace(day=1)
    return months_before(first_of_next, 12), first_of_next - datetime.timedelta(days=1)


CDC_CAPACITY_COLUMNS = (
    "cdc",
    "host_trust",
    "icb",
    "period_start",
    "period_end",
    "modality",
    "equipment_fixed",
    "equipment_mobile",
    "hours_per_week",
    "months_reported",
    "capacity",
    "capacity_in_months_reported",
    "planned",
    "actual",
    "utilisation_percent",
    "average_monthly_shortfall",
    "months_below_plan",
)


def cdc_capacity_rows(
    cdcs: QuerySet[CommunityDiagnosticCentre], *, start: datetime.date, end: datetime.date
) -> list[dict[str, Any]]:
    """One row per CDC and modality with its computed capacity, utilisation and shortfall
    over ``start``..``end`` (``CDC_CAPACITY_COLUMNS``): the CDC register as a commissioner
    exports it. Three queries, whatever the number of CDCs."""
    cdcs = list(cdcs.select_related("host_trust", "icb").order_by("name"))
    ids = [c.pk for c in cdcs]
    equipment: dict[int, list[CdcModality]] = defaultdict(list)
    for e in CdcModality.objects.filter(cdc_id__in=ids):
        equipment[e.cdc_id].append(e)
    activity: dict[int, list[CdcActivity]] = defaultdict(list)
    for a in CdcActivity.objects.filter(
        cdc_id__in=ids, month__gte=start.replace(day=1), month__lte=end
    ):
        activity[a.cdc_id].append(a)
    rows = []
    for cdc in cdcs:
        for m in cdc_capacity(
            cdc, start=start, end=end, equipment=equipment[cdc.pk], activity=activity[cdc.pk]
        ):
            rows.append(
                {
                    "cdc": cdc.name,
                    "host_trust": cdc.host_trust.name,
                    "icb": cdc.icb.name,
                    "period_start": start,
                    "period_end": end,
                    "modality": m.label,
                    "equipment_fixed": m.equipment_fixed,
                    "equipment_mobile": m.equipment_mobile,
                    "hours_per_week": m.hours_per_week,
                    "months_reported": m.months_reported,
                    "capacity": m.capacity,
                    "capacity_in_months_reported": m.capacity_reported,
                    "planned": m.planned,
                    "actual": m.actual,
                    "utilisation_percent": None
                    if m.utilisation is None
                    else capacity.round_half_up(m.utilisation * 100, 1),
                    "average_monthly_shortfall": m.average_shortfall,
                    "months_below_plan": m.months_below_plan,
                }
            )
    return rows


def cdcs_hosted_by(
    *,
    organisation,
    start: datetime.date,
    end: datetime.date,
    include_icb_area: bool = True,
) -> list[CdcSummary]:
    """Public CDCs the organisation hosts (as Trust) or, with ``include_icb_area``, that sit
    in its ICB area or that a public contract of its own serves (a commissioner's CDCs),
    with capacity and utilisation by modality over ``start``..``end``."""
    cond = _cdcs_of(organisation, include_icb_area=include_icb_area)
    qs = publicity.public_cdcs().filter(cond).select_related("host_trust", "icb")
    qs = qs.prefetch_related("modalities", "contracts__supplier")
    out = []
    for cdc in qs:
        activity = list(cdc.activity.filter(month__gte=start.replace(day=1), month__lte=end))
        out.append(
            CdcSummary(
                name=cdc.name,
                address=cdc.address,
                postcode=cdc.postcode,
                host_trust=cdc.host_trust.name,
                icb=cdc.icb.name,
                delivery_model=cdc.get_delivery_model_display(),
                role=cdc.get_role_display(),
                status=cdc.get_status_display(),
                opening_date=cdc.opening_date,
                independent_sector_contracts=tuple(
                    f"{c.reference} {c.supplier.name}"
                    for c in publicity.public_contracts_of_cdc(cdc)
                    if c.kind == Contract.Kind.INDEPENDENT_SECTOR
                ),
                data_note=cdc.data_note,
                period_start=start,
                period_end=end,
                modalities=tuple(
                    cdc_capacity(
                        cdc,
                        start=start,
                        end=end,
                        equipment=list(cdc.modalities.all()),
                        activity=activity,
                    )
                ),
            )
        )
    return out


def _cdcs_of(organisation, *, include_icb_area: bool = True) -> Q:
    cond = Q(host_trust=organisation)
    if include_icb_area:
        commissioned = publicity.public_contracts().filter(organisation=organisation)
        cond |= Q(icb=organisation) | Q(pk__in=commissioned.values("cdc_id"))
    return cond


def cdc_names_for(*, organisation, include_icb_area: bool = True) -> list[str]:
    """Names of the public CDCs ``cdcs_hosted_by`` reports for ``organisation``: for a
    picker that offers an officer only their own organisation's CDCs."""
    return list(
        publicity.public_cdcs()
        .filter(_cdcs_of(organisation, include_icb_area=include_icb_area))
        .order_by("name")
        .values_list("name", flat=True)
    )


def public_cdc_names() -> list[str]:
    return list(publicity.public_cdcs().order_by("name").values_list("name", flat=True))


def public_cdc_activity_months(
    *, cdc_names: list[str], start: datetime.date, end: datetime.date
) -> dict[str, dict[str, list[datetime.date]]]:
    """For each named public CDC, the months from ``start`` to ``end`` with an actual
    activity figure, by modality: what a letter says its utilisation rests on."""
    rows = (
        publicity.public_cdc_activity()
        .filter(
            cdc__name__in=cdc_names,
            month__gte=start.replace(day=1),
            month__lte=end,
            actual__isnull=False,
        )
        .order_by("cdc__name", "modality", "month")
        .values_list("cdc__name", "modality", "month")
    )
    out: dict[str, dict[str, list[datetime.date]]] = defaultdict(lambda: defaultdict(list))
    for name, modality, month in rows:
        out[name][modality].append(month)
    return {name: dict(by_modality) for name, by_modality in out.items()}


# -- the expiring view ---------------------------------------------------------------------


def horizon_cutoff(today: datetime.date, months: int) -> datetime.date:
    """The last end date whose ``months`` warning (``months_before(end, months)``) has been
    reached on ``today``: the bound the ending-soon view filters on in SQL.

    ``months_before`` never decreases as the end date moves later, so the end dates already
    warned about are every day up to this one. It is at least ``today`` plus the months and a
    few days more when clamping to a month's end repeats a warning day (on 28 February, an end
    on 31 March has reached its one-month warning)."""
    day = months_before(today, -months)
    while months_before(day + datetime.timedelta(days=1), months) <= today:
        day += datetime.timedelta(days=1)
    return day


@dataclass
class ExpiringContracts:
    """The ending-soon register as unevaluated querysets, one per section, with every
    section's size from one aggregate query: the page reads only the rows it shows.

    ``horizons`` groups live contracts by the nearest horizon they are within (``3m``, then
    ``6m``, then ``12m`` by default); ``notice_reached`` those whose last day to give notice
    has come (they also sit under their horizon); ``to_be_agreed`` those whose end date is
    still to be agreed; ``overdue`` those past their end date but still marked live."""

    today: datetime.date
    horizons: dict[str, QuerySet[Contract]]
    notice_reached: QuerySet[Contract]
    to_be_agreed: QuerySet[Contract]
    overdue: QuerySet[Contract]
    counts: dict[str, int]

    @property
    def count(self) -> int:
        return (
            sum(self.counts[h] for h in self.horizons)
            + self.counts["to_be_agreed"]
            + self.counts["overdue"]
        )


def expiring_contracts(
    *, contracts: QuerySet[Contract], today: datetime.date
) -> ExpiringContracts:
    """The sections of the ending-soon view, filtered and counted in the database on the
    stored current end date and last day to give notice (``horizon_cutoff`` turns each
    horizon into an end-date bound). Counting is one query; each section costs one more
    when it is read, for the rows read."""
    base = contracts.filter(live_q(today))
    conditions: dict[str, Q] = {}
    horizons = [f"{m}m" for m in sorted(warning_months())]
    after = today - datetime.timedelta(days=1)  # ends from today on are not yet past
    for m, key in zip(sorted(warning_months()), horizons, strict=True):
        cutoff = horizon_cutoff(today, m)
        conditions[key] = Q(current_end_date__gt=after, current_end_date__lte=cutoff)
        after = max(after, cutoff)
    conditions["notice_reached"] = Q(current_end_date__gte=today, notice_date__lte=today)
    conditions["to_be_agreed"] = Q(end_date_to_be_agreed=True, current_end_date__isnull=True)
    conditions["overdue"] = Q(current_end_date__lt=today)
    counts = base.aggregate(
        **{key: Count("pk", filter=condition) for key, condition in conditions.items()}
    )
    rows = base.select_related("supplier", "organisation", "owner")
    by_end = ("current_end_date", "reference", "pk")

    def section(key: str, *order: str) -> QuerySet[Contract]:
        return rows.filter(conditions[key]).order_by(*order)

    return ExpiringContracts(
        today=today,
        horizons={key: section(key, *by_end) for key in horizons},
        notice_reached=section("notice_reached", *by_end),
        to_be_agreed=section("to_be_agreed", "organisation__name", "reference", "pk"),
        overdue=section("overdue", *by_end),
        counts={key: counts[key] or 0 for key in conditions},
    )


# -- OCDS ----------------------------------------------------------------------------------


def _party_from_org(org) -> dict[str, Any]:
    return {"id": f"GB-NHS-{org.ods_code}", "name": org.name, "ods_code": org.ods_code}


def _party_from_supplier(supplier) -> dict[str, Any]:
    return {
        "id": ocds.supplier_party_id(supplier.name, supplier.companies_house_number),
        "name": supplier.name,
        "legal_name": supplier.legal_name,
        "companies_house_number": supplier.companies_house_number,
        "address": supplier.registered_address,
        "is_sme": supplier.is_sme,
        "is_vcse": supplier.is_vcse,
    }


def ocds_contract_records(*, organisation=None, public_only: bool = True) -> list[dict]:
    """The register as plain dicts for the pure OCDS mapping. With ``public_only``, only
    what ``publicity`` lets out: public contracts; their value, value changes and spend
    only if the value is public; the free-text reasons (end date to be agreed, each
    change) only if the reasons are. The internal ``source`` never."""
    qs = Contract.objects.select_related("organisation", "supplier").prefetch_related(
        "changes", "spend"
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if public_only:
        qs = publicity.public_contracts(qs)
    labels = dict(Category.choices)
    records = []
    for c in qs.order_by("organisation__ods_code", "reference"):
        show_value = publicity.value_may_be_published(c) or not public_only
        show_reasons = publicity.reasons_may_be_published(c) or not public_only
        records.append(
            {
                "reference": c.reference,
                "title": c.title,
                "scope": c.scope,
                "categories": [labels.get(x, x) for x in c.categories],
                "kind": c.get_kind_display(),
                "payment_basis": c.get_payment_basis_display(),
                "value": c.value if show_value else None,
                "date_signed": c.date_signed,
                "start_date": c.start_date,
                "end_date": c.end_date,
                "end_date_to_be_agreed": c.end_date_to_be_agreed,
                "end_date_reason": c.end_date_reason if show_reasons else "",
                "latest_end_date": c.latest_end_date,
                "procurement_route": c.procurement_route,
                "procurement_route_label": c.get_procurement_route_display(),
                "notice_references": [n for n in c.notice_references.split() if n],
                "status": c.status,
                "created": c.created_at,
                "buyer": _party_from_org(c.organisation),
                "supplier": _party_from_supplier(c.supplier),
                "changes": [
                    {
                        "sequence": ch.sequence,
                        "kind": ch.kind,
                        "kind_label": ch.get_kind_display(),
                        "effective_on": ch.effective_on,
                        "new_end_date": ch.new_end_date,
                        "value_change": ch.value_change if show_value else None,
                        "reason": ch.reason if show_reasons else "",
                    }
                    for ch in c.changes.all()
                ],
                "spend": [
                    {
                        "reference": s.reference,
                        "financial_year": s.financial_year,
                        "amount": s.amount,
                        "basis": s.basis,
                    }
                    for s in c.spend.all()
                    if s.amount is not None
                    and s.basis == ContractSpend.Basis.ACTUAL
                    and show_value
                ],
            }
        )
    return records


def ocds_release_package(
    *,
    organisation=None,
    public_only: bool = True,
    published_date: datetime.datetime | None = None,
    uri: str = "",
) -> dict[str, Any]:
    """An OCDS 1.1.5 release package of the register: one release per contract and per
    change, OCIDs under ``settings.OCDS_PREFIX``. Only public contracts unless
    ``public_only=False`` (for a commissioner's own export).

    Raises ``NothingToPublish`` when there is no contract to put in it: OCDS requires at
    least one release, so an empty package would be invalid."""
    from django.utils import timezone

    records = ocds_contract_records(organisation=organisation, public_only=public_only)
    if not records:
        whose = f"{organisation.name} has" if organisation is not None else "The register has"
        which = "public contracts" if public_only else "contracts"
        raise NothingToPublish(
            f"{whose} no {which} to publish as OCDS yet"
            + (": mark a contract public first." if public_only else ".")
        )
    prefix = getattr(settings, "OCDS_PREFIX", "ocds-xxxxxx")
    published_date = published_date or timezone.now()
    return ocds.release_package(
        records,
        prefix=prefix,
        published_date=published_date,
        publication_policy=ocds_publication_policy(uri=uri, prefix=prefix),
        uri=uri,
        # The register's day (Europe/London), as the pages read today.
        as_of=timezone.localtime(published_date).date(),
    )


def ocds_publication_policy(*, uri: str, prefix: str) -> str:
    """The URI of the page saying what is published (OCDS asks for a URI, not text):
    ``settings.OCDS_PUBLICATION_POLICY_URL`` if set, else the public contract register on
    the site the package was fetched from, else (a command-line export with no ``--uri``)
    a URN under the publisher's prefix."""
    configured = getattr(settings, "OCDS_PUBLICATION_POLICY_URL", "")
    if configured:
        return configured
    if uri.startswith(("http://", "https://")):
        from urllib.parse import urljoin

        from django.urls import reverse

        return urljoin(uri, reverse("registers:contracts"))
    return f"urn:{prefix}:publication-policy"


__all__ = [
    "IMAGING_MODALITIES",
    "cdc_months_with_activity",
    "public_cdc_activity_months",
    "cdcs_hosted_by",
    "contracts_visible_to",
    "expiring_contracts",
    "independent_sector_contracts",
    "insourcing_providers_by_specialty",
    "live_insourcing_contracts",
    "ocds_release_package",
    "planned_procurements",
    "spend_total",
]
