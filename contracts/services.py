"""Every write to the contract and CDC registers: atomic, validated, audited.

Admin screens, imports, commands, tasks and tests call these, never the ORM directly. The
acting user is passed as ``by``; ``None`` means the system (a scheduled job). A call that
changes nothing writes nothing and no audit row, so re-importing a file is a no-op.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connections, models, router, transaction
from django.db.models import Max
from django.utils import timezone

from foiregister.kernel import audit

from .exceptions import ValidationFailed
from .models import (
    Category,
    CdcActivity,
    CdcModality,
    CommunityDiagnosticCentre,
    Contract,
    ContractChange,
    ContractSpend,
    ExpiryWarning,
    PlannedProcurement,
    Supplier,
    TrustImagingProfile,
)
from .selectors import (
    bodies_naming_supplier_without,
    horizons_due,
    live_q,
    months_before,
    warning_months,
)

SUPPLIER_FIELDS = (
    "name",
    "legal_name",
    "companies_house_number",
    "kind",
    "registered_address",
    "is_sme",
    "is_vcse",
)
CONTRACT_FIELDS = (
    "reference",
    "supplier",
    "title",
    "scope",
    "categories",
    "kind",
    "payment_basis",
    "value",
    "date_signed",
    "start_date",
    "end_date",
    "end_date_to_be_agreed",
    "end_date_reason",
    "extension_options",
    "latest_end_date",
    "notice_period_days",
    "procurement_route",
    "notice_references",
    "status",
    "predecessor",
    "cdc",
    "owner",
    "is_public",
    "value_is_public",
    "reasons_are_public",
    "source",
)
SPEND_FIELDS = (
    "contract",
    "supplier",
    "category",
    "kind",
    "financial_year",
    "amount",
    "basis",
    "source",
)
PLANNED_FIELDS = (
    "title",
    "categories",
    "kind",
    "procurement_route",
    "status",
    "replaces",
    "expected_start",
    "expected_award",
    "expected_contract_start",
    "notes",
    "is_public",
)
CDC_FIELDS = (
    "name",
    "address",
    "postcode",
    "host_trust",
    "icb",
    "delivery_model",
    "role",
    "hub",
    "status",
    "opening_date",
    "is_public",
    "data_note",
)
MODALITY_FIELDS = ("equipment_count", "hours_per_week", "examinations_per_hour")
ACTIVITY_FIELDS = ("planned", "actual", "source")
PROFILE_FIELDS = (
    "icb",
    "network",
    "sites",
    "examinations",
    "imaging_staff_wte",
    "nuclear_medicine",
    "ct_scanners",
    "mri_scanners",
    "nous_machines",
    "source",
)


CATEGORY_VALUES = frozenset(Category.values)  # ``Choices.values`` rebuilds a list per call


# -- helpers -------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A comparable value in the audit log's one form (``audit.plain``), money to the penny:
    ``Decimal("25.5")`` set in memory and ``25.50`` read back are the same amount."""
    if isinstance(value, Decimal):
        value = value.quantize(Decimal("0.01"))
    return audit.plain(value)


def _snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    out = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.is_relation:
            out[name] = getattr(instance, field.attname)
        else:
            out[name] = _plain(getattr(instance, name))
    return out


def _clean(
    instance: models.Model, *, exclude: Iterable[str] = (), in_memory: bool = False
) -> None:
    """Run field, constraint and uniqueness validation; raise the first error by field.

    ``in_memory`` skips the checks that cost a query per row (foreign keys exist, unique
    and check constraints): bulk imports look those up once per file, and the database
    still enforces them."""
    exclude = list(exclude)
    if in_memory:
        exclude += [f.name for f in instance._meta.concrete_fields if f.is_relation]
    try:
        instance.full_clean(
            exclude=exclude, validate_unique=not in_memory, validate_constraints=not in_memory
        )
    except ValidationError as exc:
        errors = exc.message_dict
        field = next(iter(errors))
        message = "; ".join(errors[field])
        raise ValidationFailed(message, field=None if field == "__all__" else field) from exc


def _set_fields(instance: models.Model, allowed: Iterable[str], values: dict[str, Any]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationFailed(f"unknown field {', '.join(sorted(unknown))}")
    for name, value in values.items():
        setattr(instance, name, value)


def _check_categories(categories: Iterable[str], field: str = "categories") -> list[str]:
    cats = list(dict.fromkeys(categories or []))
    unknown = [c for c in cats if c not in CATEGORY_VALUES]
    if unknown:
        raise ValidationFailed(f"unknown category {', '.join(map(repr, unknown))}", field=field)
    return cats


def check_financial_year(value: str) -> str:
    """``2024/25``: the second year must follow the first (April to March)."""
    match = re.fullmatch(r"(\d{4})/(\d{2})", value or "")
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValidationFailed(
            f"{value!r} is not a financial year like 2024/25", field="financial_year"
        )
    return value


def _audit(action: str, obj: models.Model, by: Any, organisation_id: Any, changes: dict) -> None:
    audit.record_event(
        action=action, obj=obj, by=by, organisation_id=organisation_id, changes=changes
    )


def _save_audited(
    instance: models.Model,
    *,
    fields: Iterable[str],
    values: dict[str, Any],
    action: str,
    by: Any,
    organisation_id: Any,
    exclude: Iterable[str] = (),
) -> tuple[models.Model, bool]:
    """Apply ``values``; save and audit ``{field: [old, new]}`` only if something changed."""
    creating = instance.pk is None
    before = {} if creating else _snapshot(instance, fields)
    _set_fields(instance, fields, values)
    after = _snapshot(instance, fields)
    changes = {k: [before.get(k), v] for k, v in after.items() if creating or before[k] != v}
    if not creating and not changes:
        return instance, False
    _clean(instance, exclude=exclude)
    instance.save()
    _audit(
        f"{action}.{'created' if creating else 'updated'}", instance, by, organisation_id, changes
    )
    return instance, True


# -- suppliers -----------------------------------------------------------------------------


@transaction.atomic
def create_supplier(*, name: str, by: Any, **fields: Any) -> Supplier:
    supplier, _ = _save_audited(
        Supplier(),
        fields=SUPPLIER_FIELDS,
        values={"name": name.strip(), **fields},
        action="supplier",
        by=by,
        organisation_id="",
    )
    return supplier


def _organisations_naming(supplier: Supplier) -> list[int]:
    return sorted(
        set(Contract.objects.filter(supplier=supplier).values_list("organisation_id", flat=True))
    )


@transaction.atomic
def update_supplier(supplier: Supplier, *, by: Any, **changes: Any) -> Supplier:
    """Change a shared supplier. Its name prints on the registers, OCDS and letters of every
    body whose contracts name it, so only someone who acts for each of those bodies may
    change it (a system job or a superuser excepted), and the change is audited once for
    each of them, where their own staff read their audit log."""
    named_by = _organisations_naming(supplier)
    others = bodies_naming_supplier_without(supplier, by)
    if others:
        raise ValidationFailed(
            f"{supplier.name} is named on contracts of {', '.join(o.name for o in others)}, "
            "which you do not act for: ask that body's commissioner to change it, or choose "
            "or add another supplier on your own contract",
            field=None,
        )
    before = _snapshot(supplier, SUPPLIER_FIELDS)
    _set_fields(supplier, SUPPLIER_FIELDS, changes)
    after = _snapshot(supplier, SUPPLIER_FIELDS)
    changed = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if not changed:
        return supplier
    _clean(supplier)
    supplier.save()
    for organisation_id in named_by or [""]:
        _audit("supplier.updated", supplier, by, organisation_id, changed)
    return supplier


@transaction.atomic
def ensure_supplier(*, name: str, by: Any, **fields: Any) -> Supplier:
    """The supplier of that name (case-insensitive), created if new; never renames one."""
    existing = Supplier.objects.filter(name__iexact=name.strip()).first()
    if existing:
        return existing
    return create_supplier(name=name, by=by, **fields)


# -- contracts -----------------------------------------------------------------------------


def _validate_contract(contract: Contract) -> None:
    contract.categories = _check_categories(contract.categories)
    if contract.end_date_to_be_agreed:
        if not (contract.end_date_reason or "").strip():
            raise ValidationFailed(
                "an end date to be agreed needs its reason, e.g. a PSR Direct Award C "
                "under review",
                field="end_date_reason",
            )
    if (
        contract.latest_end_date
        and contract.end_date
        and contract.latest_end_date < contract.end_date
    ):
        raise ValidationFailed(
            f"the latest possible end date {contract.latest_end_date:%d %b %Y} is before the "
            f"end date {contract.end_date:%d %b %Y}",
            field="latest_end_date",
        )
    if (
        contract.payment_basis == Contract.PaymentBasis.ACTIVITY_AT_TARIFF
        and contract.value not in (None, Decimal(0))
    ):
        raise ValidationFailed(
            "a contract paid on activity at national tariff has a zero value", field="value"
        )
    if contract.predecessor_id and contract.predecessor_id == contract.pk:
        raise ValidationFailed("a contract cannot succeed itself", field="predecessor")


def _recompute_current(
    contract: Contract, changes: Sequence[ContractChange] | None = None
) -> None:
    """Current end date and value from the original terms and every change event (loaded
    here unless the caller fetched them in bulk, in ``effective_on, id`` order), and the
    last day to give notice, so the ending-soon view and the warnings filter in SQL."""
    end = contract.end_date
    value = contract.value
    if changes is None:
        changes = contract.changes.order_by("effective_on", "id")
    for change in changes:
        if change.new_end_date:
            end = change.new_end_date
        if change.value_change is not None:
            value = (value or Decimal(0)) + change.value_change
    contract.current_end_date = end
    contract.current_value = value
    contract.notice_date = (
        end - datetime.timedelta(days=contract.notice_period_days)
        if end is not None and contract.notice_period_days
        else None
    )


def _contract_values(values: dict[str, Any]) -> dict[str, Any]:
    if "categories" in values:
        values["categories"] = _check_categories(values["categories"])
    if values.get("end_date_to_be_agreed") is False and "end_date_reason" not in values:
        values["end_date_reason"] = ""
    return values


@transaction.atomic
def create_contract(
    *,
    organisation: Any,
    reference: str,
    supplier: Supplier,
    title: str,
    kind: str,
    payment_basis: str,
    by: Any,
    **fields: Any,
) -> Contract:
    """Add a contract to an organisation's register."""
    contract = Contract(organisation=organisation)
    values = _contract_values(
        {
            "reference": reference.strip(),
            "supplier": supplier,
            "title": title.strip(),
            "kind": kind,
            "payment_basis": payment_basis,
            **fields,
        }
    )
    _set_fields(contract, CONTRACT_FIELDS, values)
    _validate_contract(contract)
    _recompute_current(contract, ())
    _clean(contract)
    contract.save()
    _audit(
        audit.AuditAction.CONTRACT_CREATED,
        contract,
        by,
        organisation.pk,
        {k: [None, v] for k, v in _snapshot(contract, CONTRACT_FIELDS).items()},
    )
    return contract


@transaction.atomic
def update_contract(contract: Contract, *, by: Any, **changes: Any) -> Contract:
    """Change a contract's terms; only the fields that differ are saved and audited."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    before = _snapshot(contract, CONTRACT_FIELDS)
    _set_fields(contract, CONTRACT_FIELDS, _contract_values(dict(changes)))
    _validate_contract(contract)
    after = _snapshot(contract, CONTRACT_FIELDS)
    diff = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if not diff:
        return contract
    _recompute_current(contract)
    _clean(contract)
    contract.save()
    _audit(audit.AuditAction.CONTRACT_UPDATED, contract, by, contract.organisation_id, diff)
    return contract


@transaction.atomic
def record_contract_change(
    contract: Contract,
    *,
    kind: str,
    effective_on: datetime.date,
    reason: str,
    by: Any,
    new_end_date: datetime.date | None = None,
    value_change: Decimal | None = None,
) -> ContractChange:
    """Record an extension, variation or termination; the contract's current end date and
    value follow. A termination ends the contract on ``new_end_date`` (default: the day it
    takes effect) and sets its OCDS status to terminated."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    K = ContractChange.Kind
    if kind not in K.values:
        raise ValidationFailed(f"unknown change {kind!r}", field="kind")
    if not (reason or "").strip():
        raise ValidationFailed("a change needs its reason", field="reason")
    if contract.status in (Contract.Status.TERMINATED, Contract.Status.CANCELLED):
        raise ValidationFailed(
            f"contract {contract.reference} is {contract.status}; it cannot change",
            field="kind",
        )
    if kind == K.EXTENSION:
        if not new_end_date:
            raise ValidationFailed("an extension needs the new end date", field="new_end_date")
        if contract.current_end_date and new_end_date <= contract.current_end_date:
            raise ValidationFailed(
                f"an extension must end after the current end date "
                f"{contract.current_end_date:%d %b %Y}",
                field="new_end_date",
            )
        if contract.latest_end_date and new_end_date > contract.latest_end_date:
            raise ValidationFailed(
                f"{new_end_date:%d %b %Y} is beyond the latest possible end date "
                f"{contract.latest_end_date:%d %b %Y}",
                field="new_end_date",
            )
    if kind == K.TERMINATION:
        new_end_date = new_end_date or effective_on
    if contract.start_date and new_end_date and new_end_date < contract.start_date:
        raise ValidationFailed(
            f"{new_end_date:%d %b %Y} is before the contract starts", field="new_end_date"
        )
    before = _snapshot(contract, ("current_end_date", "current_value", "status"))
    last = contract.changes.aggregate(last=Max("sequence"))["last"] or 0
    change = ContractChange.objects.create(
        contract=contract,
        sequence=last + 1,
        kind=kind,
        effective_on=effective_on,
        new_end_date=new_end_date,
        value_change=value_change,
        reason=reason.strip(),
        recorded_by=audit.user_or_none(by),
    )
    _recompute_current(contract)
    if kind == K.TERMINATION:
        contract.status = Contract.Status.TERMINATED
    if new_end_date and contract.end_date_to_be_agreed:
        contract.end_date_to_be_agreed = False
        contract.end_date_reason = ""
    contract.save()
    after = _snapshot(contract, ("current_end_date", "current_value", "status"))
    _audit(
        f"contract.{kind}",
        contract,
        by,
        contract.organisation_id,
        {
            **{k: [before[k], v] for k, v in after.items() if before[k] != v},
            "effective_on": [None, effective_on],
            "reason": [None, change.reason],
        },
    )
    return change


# -- spend ---------------------------------------------------------------------------------


def spend_reference(
    *,
    financial_year: str,
    basis: str,
    contract: Contract | None,
    supplier: Supplier | None,
    category: str,
    kind: str,
) -> str:
    """A stable key for a spend line, when the source has none of its own."""
    who = contract.reference if contract else (supplier.name if supplier else "all")
    return f"{financial_year}/{basis}/{who}/{category or kind}"[:120]


def _spend_values(
    *,
    organisation: Any,
    financial_year: str,
    amount: Decimal | None,
    kind: str,
    source: str,
    contract: Contract | None,
    supplier: Supplier | None,
    category: str,
    basis: str,
    reference: str,
) -> tuple[str, dict[str, Any]]:
    """Check a spend line; its reference (given or derived) and the values to save."""
    check_financial_year(financial_year)
    if category:
        _check_categories([category], field="category")
    if contract is not None:
        if contract.organisation_id != organisation.pk:
            raise ValidationFailed(
                f"contract {contract.reference} belongs to another organisation",
                field="contract",
            )
        supplier = supplier or contract.supplier
    reference = reference.strip() or spend_reference(
        financial_year=financial_year,
        basis=basis,
        contract=contract,
        supplier=supplier,
        category=category,
        kind=kind,
    )
    return reference, {
        "contract": contract,
        "supplier": supplier,
        "category": category,
        "kind": kind,
        "financial_year": financial_year,
        "amount": amount,
        "basis": basis,
        "source": source,
    }


@transaction.atomic
def record_spend(
    *,
    organisation: Any,
    financial_year: str,
    amount: Decimal | None,
    kind: str,
    source: str,
    by: Any,
    contract: Contract | None = None,
    supplier: Supplier | None = None,
    category: str = "",
    basis: str = ContractSpend.Basis.ACTUAL,
    reference: str = "",
) -> ContractSpend:
    """Create or update (on ``reference``) one spend line. ``amount`` may be None where the
    body knows a provider was used but holds spend only as a total (its own line)."""
    reference, values = _spend_values(
        organisation=organisation,
        financial_year=financial_year,
        amount=amount,
        kind=kind,
        source=source,
        contract=contract,
        supplier=supplier,
        category=category,
        basis=basis,
        reference=reference,
    )
    spend = ContractSpend.objects.filter(organisation=organisation, reference=reference).first()
    spend = spend or ContractSpend(organisation=organisation, reference=reference)
    spend, _ = _save_audited(
        spend,
        fields=SPEND_FIELDS,
        values=values,
        action="spend",
        by=by,
        organisation_id=organisation.pk,
    )
    return spend


# -- planned procurements ------------------------------------------------------------------


@transaction.atomic
def create_planned_procurement(
    *, organisation: Any, title: str, kind: str, by: Any, **fields: Any
) -> PlannedProcurement:
    if "categories" in fields:
        fields["categories"] = _check_categories(fields["categories"])
    planned, _ = _save_audited(
        PlannedProcurement(organisation=organisation),
        fields=PLANNED_FIELDS,
        values={"title": title, "kind": kind, **fields},
        action="planned_procurement",
        by=by,
        organisation_id=organisation.pk,
    )
    return planned


@transaction.atomic
def update_planned_procurement(
    planned: PlannedProcurement, *, by: Any, **changes: Any
) -> PlannedProcurement:
    if "categories" in changes:
        changes["categories"] = _check_categories(changes["categories"])
    _save_audited(
        planned,
        fields=PLANNED_FIELDS,
        values=changes,
        action="planned_procurement",
        by=by,
        organisation_id=planned.organisation_id,
    )
    return planned


# -- CDCs ----------------------------------------------------------------------------------


@transaction.atomic
def create_cdc(*, name: str, host_trust: Any, icb: Any, by: Any, **fields: Any):
    cdc, _ = _save_audited(
        CommunityDiagnosticCentre(),
        fields=CDC_FIELDS,
        values={"name": name.strip(), "host_trust": host_trust, "icb": icb, **fields},
        action="cdc",
        by=by,
        organisation_id=host_trust.pk,
    )
    return cdc


@transaction.atomic
def update_cdc(cdc: CommunityDiagnosticCentre, *, by: Any, **changes: Any):
    if changes.get("hub") is not None and changes["hub"].pk == cdc.pk:
        raise ValidationFailed("a CDC cannot be its own hub", field="hub")
    _save_audited(
        cdc,
        fields=CDC_FIELDS,
        values=changes,
        action="cdc",
        by=by,
        organisation_id=cdc.host_trust_id,
    )
    return cdc


@transaction.atomic
def set_cdc_modality(
    *,
    cdc: CommunityDiagnosticCentre,
    modality: str,
    equipment_count: int,
    hours_per_week: Decimal,
    examinations_per_hour: Decimal,
    by: Any,
    mobile: bool = False,
) -> CdcModality:
    """Equipment and hours for one modality (fixed or mobile) at a CDC; replaces the last."""
    _check_categories([modality], field="modality")
    row = CdcModality.objects.filter(cdc=cdc, modality=modality, mobile=mobile).first()
    row = row or CdcModality(cdc=cdc, modality=modality, mobile=mobile)
    row, _ = _save_audited(
        row,
        fields=MODALITY_FIELDS,
        values={
            "equipment_count": equipment_count,
            "hours_per_week": Decimal(hours_per_week),
            "examinations_per_hour": Decimal(examinations_per_hour),
        },
        action="cdc_modality",
        by=by,
        organisation_id=cdc.host_trust_id,
    )
    return row


@transaction.atomic
def record_cdc_activity(
    *,
    cdc: CommunityDiagnosticCentre,
    modality: str,
    month: datetime.date,
    by: Any,
    planned: int | None = None,
    actual: int | None = None,
    source: str = "",
) -> CdcActivity:
    """Planned and actual examinations for a month; upserts on CDC, modality and month."""
    _check_categories([modality], field="modality")
    if month.day != 1:
        raise ValidationFailed(
            f"{month.isoformat()} is not the first day of a month", field="month"
        )
    row = CdcActivity.objects.filter(cdc=cdc, modality=modality, month=month).first()
    row = row or CdcActivity(cdc=cdc, modality=modality, month=month)
    row, _ = _save_audited(
        row,
        fields=ACTIVITY_FIELDS,
        values={"planned": planned, "actual": actual, "source": source},
        action="cdc_activity",
        by=by,
        organisation_id=cdc.host_trust_id,
    )
    return row


@transaction.atomic
def record_imaging_profile(
    *, organisation: Any, year: str, by: Any, **fields: Any
) -> TrustImagingProfile:
    """A Trust's imaging estate for a year, as its imaging network reports it."""
    check_financial_year(year)
    row = TrustImagingProfile.objects.filter(organisation=organisation, year=year).first()
    row = row or TrustImagingProfile(organisation=organisation, year=year)
    row, _ = _save_audited(
        row,
        fields=PROFILE_FIELDS,
        values=fields,
        action="imaging_profile",
        by=by,
        organisation_id=organisation.pk,
    )
    return row


# -- expiry warnings -----------------------------------------------------------------------


HORIZON_WORDS = {"notice": "the last day to give notice"}


EXPIRY_WARNINGS = audit.system("celery beat: contract expiry warnings")


@transaction.atomic
def send_expiry_warnings(*, today: datetime.date) -> list[ExpiryWarning]:
    """Email each active contract's owner when a warning horizon is reached, once per
    horizon and end date (an extension moves the end date, so warnings start again). A
    contract whose termination is recorded is active until its termination date, and is
    warned about that date like any other end.

    When several horizons are reached together (a contract added late, or a missed run),
    one email names the nearest and every reached horizon is recorded as covered by it.
    """
    latest = max(warning_months() or (0,))
    candidates = (
        Contract.objects.filter(
            live_q(today),
            current_end_date__gte=today,
            owner__isnull=False,
        )
        .exclude(owner__email="")
        .select_related("owner", "organisation", "supplier")
        .prefetch_related("warnings")
    )
    limit = months_before(today, -(latest + 1))
    # Within the furthest month horizon, or with the last day to give notice reached (a
    # notice period can be longer than every month horizon).
    candidates = candidates.filter(
        models.Q(current_end_date__lt=limit) | models.Q(notice_date__lte=today)
    )
    sent: list[ExpiryWarning] = []
    for contract in candidates:
        already = {
            w.horizon for w in contract.warnings.all() if w.end_date == contract.current_end_date
        }
        new = [(h, d) for h, d in horizons_due(contract, today=today) if h not in already]
        if not new:
            continue
        nearest = new[-1][0]
        end = contract.current_end_date
        when = HORIZON_WORDS.get(nearest, f"{nearest[:-1]} months before it ends")
        ends = "terminates" if contract.status == Contract.Status.TERMINATED else "ends"
        send_mail(
            subject=f"Contract {contract.reference} {ends} on {end:%d %B %Y}",
            message=(
                f"{contract.title} ({contract.supplier}) for {contract.organisation} {ends} "
                f"on {end:%d %B %Y}: this is the warning for {when}.\n\n"
                f"Extension options: {contract.extension_options or 'none recorded'}.\n"
                f"Latest possible end date: "
                f"{f'{contract.latest_end_date:%d %B %Y}' if contract.latest_end_date else 'not recorded'}.\n"
                "Record an extension, a planned procurement or the decision to let it end "
                "in the contract register."
            ),
            from_email=None,
            recipient_list=[contract.owner.email],
        )
        for horizon, _ in new:
            warning = ExpiryWarning.objects.create(
                contract=contract, horizon=horizon, end_date=end, recipient=contract.owner.email
            )
            sent.append(warning)
        _audit(
            audit.AuditAction.CONTRACT_EXPIRY_WARNING_SENT,
            contract,
            EXPIRY_WARNINGS,
            contract.organisation_id,
            {"horizons": [None, [h for h, _ in new]], "recipient": [None, contract.owner.email]},
        )
    return sent


# -- bulk writes (imports) -----------------------------------------------------------------
#
# An import checks every row in memory first (``stage_*``: the same checks as the services
# above, with lookups done once per file by the caller), then writes them with one INSERT or
# UPDATE per batch and one audit row per written row (``write_staged``). Per-row services
# cost three or four queries a row (the row, its unique and check constraints, the audit),
# which made a 100,000-row spend file take a quarter of an hour.


@dataclass
class Staged:
    """One checked row waiting to be written, with its audit ``{field: [old, new]}``."""

    instance: models.Model
    creating: bool
    action: str
    changes: dict[str, list[Any]]
    organisation_id: Any


def stage_save(
    instance: models.Model,
    *,
    fields: Iterable[str],
    values: dict[str, Any],
    action: str,
    organisation_id: Any,
) -> Staged | None:
    """As ``_save_audited`` without the write: None when nothing would change."""
    creating = instance.pk is None
    before = {} if creating else _snapshot(instance, fields)
    _set_fields(instance, fields, values)
    after = _snapshot(instance, fields)
    changes = {k: [before.get(k), v] for k, v in after.items() if creating or before[k] != v}
    if not creating and not changes:
        return None
    _clean(instance, in_memory=True)
    verb = "created" if creating else "updated"
    return Staged(instance, creating, f"{action}.{verb}", changes, organisation_id)


def stage_supplier(*, name: str, kind: str = Supplier.Kind.INDEPENDENT_SECTOR) -> Staged:
    """A new supplier (the caller has checked no supplier has that name, in any case)."""
    return stage_save(
        Supplier(),
        fields=SUPPLIER_FIELDS,
        values={"name": name.strip(), "kind": kind},
        action="supplier",
        organisation_id="",
    )


def contract_change_history(contract_ids: Iterable[int]) -> dict[int, list[ContractChange]]:
    """Each contract's change events in the order ``_recompute_current`` applies them."""
    ids = list(contract_ids)
    out: dict[int, list[ContractChange]] = {}
    for start in range(0, len(ids), 5000):
        for change in ContractChange.objects.filter(
            contract_id__in=ids[start : start + 5000]
        ).order_by("effective_on", "id"):
            out.setdefault(change.contract_id, []).append(change)
    return out


def stage_contract(
    contract: Contract | None,
    *,
    organisation: Any,
    history: Sequence[ContractChange] = (),
    **fields: Any,
) -> Staged | None:
    """``create_contract`` (``contract`` None) or ``update_contract`` without the write;
    ``history`` is the existing contract's change events (``contract_change_history``)."""
    values = _contract_values(dict(fields))
    if contract is None:
        values["reference"] = values["reference"].strip()
        values["title"] = values["title"].strip()
        contract = Contract(organisation=organisation)
        _set_fields(contract, CONTRACT_FIELDS, values)
        _validate_contract(contract)
        _recompute_current(contract, ())
        _clean(contract, in_memory=True)
        changes = {k: [None, v] for k, v in _snapshot(contract, CONTRACT_FIELDS).items()}
        return Staged(contract, True, "contract.created", changes, organisation.pk)
    before = _snapshot(contract, CONTRACT_FIELDS)
    _set_fields(contract, CONTRACT_FIELDS, values)
    _validate_contract(contract)
    after = _snapshot(contract, CONTRACT_FIELDS)
    diff = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if not diff:
        return None
    _recompute_current(contract, history)
    _clean(contract, in_memory=True)
    return Staged(contract, False, "contract.updated", diff, contract.organisation_id)


def stage_spend(
    spend: ContractSpend | None,
    *,
    organisation: Any,
    financial_year: str,
    amount: Decimal | None,
    kind: str,
    source: str,
    contract: Contract | None = None,
    supplier: Supplier | None = None,
    category: str = "",
    basis: str = ContractSpend.Basis.ACTUAL,
    reference: str = "",
) -> Staged | None:
    """``record_spend`` without the write; ``spend`` is the existing line with the same
    reference, looked up by the caller."""
    reference, values = _spend_values(
        organisation=organisation,
        financial_year=financial_year,
        amount=amount,
        kind=kind,
        source=source,
        contract=contract,
        supplier=supplier,
        category=category,
        basis=basis,
        reference=reference,
    )
    return stage_save(
        spend or ContractSpend(organisation=organisation, reference=reference),
        fields=SPEND_FIELDS,
        values=values,
        action="spend",
        organisation_id=organisation.pk,
    )


def stage_cdc_activity(
    row: CdcActivity | None,
    *,
    cdc: CommunityDiagnosticCentre,
    modality: str,
    month: datetime.date,
    planned: int | None = None,
    actual: int | None = None,
    source: str = "",
) -> Staged | None:
    """``record_cdc_activity`` without the write; ``row`` is the existing month, if any."""
    _check_categories([modality], field="modality")
    if month.day != 1:
        raise ValidationFailed(
            f"{month.isoformat()} is not the first day of a month", field="month"
        )
    return stage_save(
        row or CdcActivity(cdc=cdc, modality=modality, month=month),
        fields=ACTIVITY_FIELDS,
        values={"planned": planned, "actual": actual, "source": source},
        action="cdc_activity",
        organisation_id=cdc.host_trust_id,
    )


BULK_BATCH = 1000
DERIVED = {Contract: ("current_end_date", "current_value", "notice_date")}


def _update_rows(model: type[models.Model], names: Sequence[str], objs: list) -> None:
    """``UPDATE ... SET <names> WHERE id = %s`` for each row, as one ``executemany`` (a
    pipeline in psycopg 3). ``bulk_update`` builds a ``CASE`` per field and row, which took
    3 ms a row for 10,000 contracts; this takes a fraction of that."""
    connection = connections[router.db_for_write(model)]
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET "
        + ", ".join(f"{quote(f.column)} = %s" for f in fields)
        + f" WHERE {quote(model._meta.pk.column)} = %s"
    )
    params = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] + [obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), BULK_BATCH):
            cursor.executemany(sql, params[start : start + BULK_BATCH])


def write_staged(staged: Sequence[Staged], *, by: Any) -> None:
    """Write checked rows: new ones with ``bulk_create``, changed ones with one ``UPDATE``
    statement per set of changed fields (``_update_rows``), then one audit row each in one
    ``record_bulk``.
    Call inside the caller's transaction."""
    creates: dict[type, list[models.Model]] = {}
    updates: dict[type, list[Staged]] = {}
    for item in staged:
        model = type(item.instance)
        if item.creating:
            creates.setdefault(model, []).append(item.instance)
        else:
            updates.setdefault(model, []).append(item)
    for model, objs in creates.items():
        model.objects.bulk_create(objs, batch_size=BULK_BATCH)
    now = timezone.now()
    for model, items in updates.items():
        has_updated_at = any(f.name == "updated_at" for f in model._meta.concrete_fields)
        groups: dict[tuple[str, ...], list[models.Model]] = {}
        for item in items:
            names = set(item.changes) | set(DERIVED.get(model, ()))
            if has_updated_at:
                item.instance.updated_at = now
                names.add("updated_at")
            groups.setdefault(tuple(sorted(names)), []).append(item.instance)
        for names, objs in groups.items():
            _update_rows(model, names, objs)
    audit.record_bulk(
        [
            audit.build_event(
                action=item.action,
                obj=item.instance,
                by=by,
                organisation_id=item.organisation_id,
                changes=item.changes,
            )
            for item in staged
        ]
    )
