"""Live blocks: figures and lists in an answer that come from the registers and metrics.

An officer never types template code. A block is one of a fixed, documented set of types
(``REGISTRY``), each with a parameter schema, a ``fetch()`` that calls a selector of the
contracts or metrics app and returns plain JSON-able data (dates as ISO strings, money as
decimal strings), and a template partial ``letters/blocks/<key>.html`` that renders it.
The data is hashed when an officer reviews it and frozen into the letter when it is issued.

A letter is published (the anonymised copy on the disclosure log; the requester may publish
theirs), so every block says only what the registers' publicity rule lets out
(``contracts.publicity``, applied by the selectors the blocks call): no private contract,
plan or CDC, no withheld value or private reason, in either copy. A block with nothing
public to show says so in one neutral sentence ("... to report"), the same whether the
register holds private rows or none, so the wording discloses nothing either.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from contracts import selectors as contract_selectors

from .exceptions import BlockError, BlockUnavailable

FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def jsonable(value: Any) -> Any:
    """Plain JSON types only, so the data hashes the same today and when it is re-read."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "label"):  # a TextChoices member
        return str(value)
    raise TypeError(f"{type(value).__name__} is not plain data")


def data_hash(data: Any) -> str:
    """SHA-256 of the canonical JSON of ``data``: equal data, equal hash, whatever order."""
    text = json.dumps(jsonable(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Param:
    """One parameter of a block type.

    ``kind``: ``date`` (ISO date), ``financial_year`` (``2024/25``), ``choice``,
    ``choices`` (a list), ``text``. ``choices`` may be a callable, read when validating, so
    the contracts app's category list is the one source.
    """

    name: str
    kind: str
    label: str
    required: bool = True
    choices: Iterable[tuple[str, str]] | Callable[[], Iterable[tuple[str, str]]] = ()
    help: str = ""
    #: What the form starts with: a value, or a function of today's date (``today`` is
    #: passed in, never read here, so tests fix it).
    default: Any = None
    #: The choices a form offers an officer of ``organisation`` (e.g. its own CDCs), when
    #: narrower than ``choices``, which validation accepts.
    organisation_choices: Callable[[Any], Iterable[tuple[str, str]]] | None = None

    def form_choices(self, organisation) -> list[tuple[str, str]]:
        if self.organisation_choices is not None and organisation is not None:
            return [(str(k), str(v)) for k, v in self.organisation_choices(organisation)]
        return self.choice_list()

    def initial(self, today: datetime.date) -> Any:
        return self.default(today) if callable(self.default) else self.default

    def choice_list(self) -> list[tuple[str, str]]:
        choices = self.choices() if callable(self.choices) else self.choices
        return [(str(k), str(v)) for k, v in choices]

    def clean(self, value: Any) -> Any:
        where = f"parameter {self.name}"
        if value in (None, "", []):
            if self.required:
                raise BlockError(f"{where} is required", field=self.name)
            return [] if self.kind == "choices" else ""
        if self.kind == "date":
            if isinstance(value, datetime.date):
                return value.isoformat()
            try:
                return datetime.date.fromisoformat(str(value).strip()).isoformat()
            except ValueError as exc:
                raise BlockError(
                    f"{where}: {value!r} is not a date (YYYY-MM-DD)", field=self.name
                ) from exc
        if self.kind == "financial_year":
            text = str(value).strip().replace("-", "/")
            match = FINANCIAL_YEAR.match(text)
            if not match or (int(match[1]) + 1) % 100 != int(match[2]):
                raise BlockError(
                    f"{where}: {value!r} is not a financial year like 2024/25", field=self.name
                )
            return text
        if self.kind in ("choice", "choices"):
            allowed = {k for k, _ in self.choice_list()}
            values = [value] if self.kind == "choice" else value
            if isinstance(values, str):
                values = [v.strip() for v in values.split(",") if v.strip()]
            unknown = [v for v in values if v not in allowed]
            if unknown:
                raise BlockError(
                    f"{where}: {', '.join(map(str, unknown))} not one of "
                    f"{', '.join(sorted(allowed))}",
                    field=self.name,
                )
            return values[0] if self.kind == "choice" else list(values)
        if self.kind == "text":
            return str(value).strip()
        raise BlockError(f"{where}: unknown kind {self.kind}", field=self.name)


class LiveBlock:
    """A block type. Subclasses set ``key``, ``title``, ``description``, ``params`` and
    implement ``fetch``; ``register`` adds them to ``REGISTRY``."""

    key: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()
    #: The partial that renders ``data``; default ``letters/blocks/<key>.html``.
    #: ``letters/blocks/figures.html`` renders any ``{"rows": [{"label", "value"}]}``.
    template_name: ClassVar[str] = ""

    @property
    def template(self) -> str:
        return self.template_name or f"letters/blocks/{self.key}.html"

    def clean(self, raw: dict[str, Any] | None) -> dict[str, Any]:
        """Validate and normalise parameters; an unknown one is an error, not ignored."""
        raw = dict(raw or {})
        known = {p.name for p in self.params}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise BlockError(
                f"{self.title}: unknown parameter {', '.join(unknown)}", field=unknown[0]
            )
        return {p.name: p.clean(raw.get(p.name)) for p in self.params}

    def fetch(self, *, organisation, params: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def initial(self, today: datetime.date) -> dict[str, Any]:
        """The parameters a new block of this type starts with."""
        return {p.name: p.initial(today) for p in self.params if p.default is not None}

    def load(self, *, organisation, params: dict[str, Any]) -> dict[str, Any]:
        """``fetch`` with its output checked to be plain data."""
        return jsonable(self.fetch(organisation=organisation, params=self.clean(params)))

    def schema(self) -> dict[str, Any]:
        """The documented schema, for the admin's help text and ``docs/letters.md``."""
        return {
            "key": self.key,
            "title": self.title,
            "description": self.description,
            "params": [
                {
                    "name": p.name,
                    "kind": p.kind,
                    "label": p.label,
                    "required": p.required,
                    "choices": [k for k, _ in p.choice_list()] if p.choices else None,
                    "help": p.help,
                }
                for p in self.params
            ],
        }


REGISTRY: dict[str, LiveBlock] = {}


def register(cls: type[LiveBlock]) -> type[LiveBlock]:
    if cls.key in REGISTRY and type(REGISTRY[cls.key]) is not cls:
        raise ValueError(f"block type {cls.key} is already registered")
    REGISTRY[cls.key] = cls()
    return cls


def get_block(key: str) -> LiveBlock:
    try:
        return REGISTRY[key]
    except KeyError:
        raise BlockError(
            f"unknown block type {key!r}; known: {', '.join(sorted(REGISTRY))}",
            field="block_type",
        ) from None


def block_choices() -> list[tuple[str, str]]:
    return sorted(((k, b.title) for k, b in REGISTRY.items()), key=lambda c: c[1])


# -- the registered block types -------------------------------------------------------------


def _categories() -> list[tuple[str, str]]:
    from contracts.models import Category

    return list(Category.choices)


def _date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def _today(today: datetime.date) -> str:
    return today.isoformat()


def _last_complete_financial_year(today: datetime.date) -> str:
    """The latest financial year that has ended: the one most answers ask about."""
    start = (today.year if today.month >= 4 else today.year - 1) - 1
    return f"{start}/{(start + 1) % 100:02d}"


def _year_ago_month_start(today: datetime.date) -> str:
    """The start of the last twelve complete months (with ``_last_complete_month_end``)."""
    return _months_back(today.replace(day=1), 12).isoformat()


def _months_back(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _last_complete_month_end(today: datetime.date) -> str:
    return (today.replace(day=1) - datetime.timedelta(days=1)).isoformat()


def _contract_kinds() -> list[tuple[str, str]]:
    from contracts.models import Contract

    return list(Contract.Kind.choices)


def _contract_rows(summaries) -> list[dict[str, Any]]:
    """The selectors' summaries already carry the public value (``None`` and
    ``value_withheld`` when withheld, e.g. s.43(2)) and the reason only if public."""
    return [jsonable(s.as_dict()) for s in summaries]


@register
class IndependentSectorContracts(LiveBlock):
    key = "independent_sector_contracts"
    title = "Independent-sector contracts"
    description = (
        "The organisation's independent-sector contracts live on a date, optionally for some "
        "modalities: supplier, scope, value or payment basis, and expiry (as in the "
        "Staffordshire imaging letter)."
    )
    params = (
        Param("categories", "choices", "Modalities", required=False, choices=_categories),
        Param("active_on", "date", "Live on", default=_today),
    )

    def fetch(self, *, organisation, params):
        select = contract_selectors.independent_sector_contracts
        summaries = select(
            organisation=organisation,
            categories=params["categories"] or None,
            active_on=_date(params["active_on"]),
        )
        return {
            "active_on": params["active_on"],
            "contracts": _contract_rows(summaries),
        }


@register
class InsourcingProvidersBySpecialty(LiveBlock):
    key = "insourcing_providers_by_specialty"
    title = "Insourcing providers by specialty"
    description = (
        "For a financial year, each clinical specialty with the insourcing providers paid for "
        "it (from the spend ledger), as in the Dudley insourcing letter."
    )
    params = (
        Param(
            "financial_year",
            "financial_year",
            "Financial year",
            help="e.g. 2024/25",
            default=_last_complete_financial_year,
        ),
    )

    def fetch(self, *, organisation, params):
        select = contract_selectors.insourcing_providers_by_specialty
        found = select(organisation=organisation, financial_year=params["financial_year"])
        return {
            "financial_year": params["financial_year"],
            "specialties": [{"specialty": k, "providers": list(v)} for k, v in found.items()],
        }


@register
class SpendTotal(LiveBlock):
    key = "spend_total"
    title = "Total spend in a financial year"
    description = "Actual spend of one kind (e.g. insourcing) in a financial year, in pounds."
    params = (
        Param(
            "financial_year",
            "financial_year",
            "Financial year",
            help="e.g. 2024/25",
            default=_last_complete_financial_year,
        ),
        Param("kind", "choice", "Kind of contract", choices=_contract_kinds, default="insourcing"),
    )

    def fetch(self, *, organisation, params):
        select = contract_selectors.spend_total
        total = select(
            organisation=organisation,
            financial_year=params["financial_year"],
            kind=params["kind"],
        )
        labels = dict(_contract_kinds())
        return {
            "financial_year": params["financial_year"],
            "kind": params["kind"],
            "kind_label": labels.get(params["kind"], params["kind"]),
            "total": total,
            "reported": bool(total),
        }


@register
class LiveInsourcingContracts(LiveBlock):
    key = "live_insourcing_contracts"
    title = "Live insourcing contracts"
    description = (
        "Insourcing contracts live on a date, by supplier, with each end date, or 'to be "
        "agreed' and the reason (e.g. a PSR Direct Award C under review)."
    )
    params = (Param("on", "date", "Live on", default=_today),)

    def fetch(self, *, organisation, params):
        select = contract_selectors.live_insourcing_contracts
        summaries = select(organisation=organisation, on=_date(params["on"]))
        suppliers: dict[str, list[dict[str, Any]]] = {}
        for row in _contract_rows(summaries):
            suppliers.setdefault(row["supplier"], []).append(row)
        return {
            "on": params["on"],
            "suppliers": [{"supplier": k, "contracts": v} for k, v in suppliers.items()],
        }


@register
class CdcsHosted(LiveBlock):
    key = "cdcs_hosted"
    title = "Community diagnostic centres: capacity and utilisation"
    description = (
        "The CDCs the organisation hosts (or, for an ICB, in its area), with capacity, "
        "activity, utilisation and average monthly shortfall by modality over a period."
    )
    params = (
        Param("start", "date", "Period from", default=_year_ago_month_start),
        Param("end", "date", "Period to", default=_last_complete_month_end),
        Param(
            "area",
            "choice",
            "Which CDCs",
            required=False,
            choices=[("hosted_or_area", "Hosted or in the ICB area"), ("hosted", "Hosted only")],
            help="Default: hosted or in the ICB area.",
            default="hosted_or_area",
        ),
        Param(
            "cdcs",
            "choices",
            "Only these CDCs",
            required=False,
            choices=lambda: [(n, n) for n in contract_selectors.public_cdc_names()],
            organisation_choices=lambda organisation: [
                (n, n) for n in contract_selectors.cdc_names_for(organisation=organisation)
            ],
            help="None ticked: every CDC the organisation hosts, has in its area or serves.",
        ),
    )

    def clean(self, raw):
        cleaned = super().clean(raw)
        if cleaned["end"] < cleaned["start"]:
            raise BlockError("parameter end: the period ends before it starts", field="end")
        return cleaned

    def fetch(self, *, organisation, params):
        select = contract_selectors.cdcs_hosted_by
        cdcs = select(
            organisation=organisation,
            start=_date(params["start"]),
            end=_date(params["end"]),
            include_icb_area=params["area"] != "hosted",
        )
        if params.get("cdcs"):
            cdcs = [c for c in cdcs if c.name in params["cdcs"]]
        start, end = _date(params["start"]), _date(params["end"])
        with_activity = contract_selectors.public_cdc_activity_months(
            cdc_names=[c.name for c in cdcs], start=start, end=end
        )
        period = _month_count(start, end)
        rows = []
        for cdc in cdcs:
            row = jsonable(_asdict(cdc))
            months = with_activity.get(cdc.name, {})
            for modality in row["modalities"]:
                # Added to each modality (the issued letter keeps them): which months
                # have activity figures, so the letter says what utilisation rests on.
                found = months.get(modality["modality"], [])
                modality["activity_months"] = [m.isoformat() for m in found]
                modality["activity_months_label"] = _month_ranges(found)
                modality["period_months"] = period
            rows.append(row)
        return {
            "organisation": organisation.name,
            "start": params["start"],
            "end": params["end"],
            "cdcs": rows,
        }


@register
class PlannedProcurements(LiveBlock):
    key = "planned_procurements"
    title = "Plans to procure or re-tender"
    description = (
        "Open plans to procure or re-tender, optionally for some categories; none gives the "
        "answer that there are no current plans."
    )
    params = (Param("categories", "choices", "Categories", required=False, choices=_categories),)

    def fetch(self, *, organisation, params):
        select = contract_selectors.planned_procurements
        plans = select(organisation=organisation, categories=params["categories"] or None)
        return {"plans": [jsonable(_asdict(p)) for p in plans]}


def _month_count(start: datetime.date, end: datetime.date) -> int:
    """Whole or part months from ``start`` to ``end`` inclusive."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _month_ranges(months: list[datetime.date]) -> str:
    """``[Apr, May, Jun 2024, Sep 2024]`` -> ``April to June 2024, September 2024``."""
    runs: list[list[datetime.date]] = []
    for month in sorted(months):
        if runs and _month_count(runs[-1][-1], month) == 2:
            runs[-1].append(month)
        else:
            runs.append([month])
    return ", ".join(
        f"{r[0]:%B %Y}" if len(r) == 1 else f"{r[0]:%B %Y} to {r[-1]:%B %Y}" for r in runs
    )


def _asdict(obj) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(obj)


def _metrics_selectors():
    try:
        from metrics import selectors
    except ImportError as exc:  # pragma: no cover - metrics is always installed here
        raise BlockUnavailable("the imaging metrics module is not installed") from exc
    return selectors


def _completed_runs() -> list[tuple[str, str]]:
    return [(str(run.pk), str(run)) for run in _metrics_selectors().completed_runs()]


@register
class StandardisedImagingRate(LiveBlock):
    """A letter cites a fixed, completed run, so the figure never moves under it."""

    key = "standardised_imaging_rate"
    title = "Standardised imaging rate (metrics run)"
    description = (
        "An area's indirectly standardised rate per 10,000 for one measure, with its 95% and "
        "99.8% limits and England's rate, from a named, completed metrics run."
    )
    params = (
        Param("run", "choice", "Metrics run", choices=_completed_runs),
        Param("measure", "text", "Measure", help="e.g. MRI, CT, Chest X-ray"),
        Param(
            "area",
            "text",
            "Area",
            required=False,
            help="Area name or code; default: the organisation's ODS code",
        ),
    )
    template_name = "letters/blocks/figures.html"

    def fetch(self, *, organisation, params):
        area = params.get("area") or organisation.ods_code
        # A letter is published (anonymised) on the disclosure log, so it quotes the
        # figures as the public may see them: small numbers suppressed.
        result = _metrics_selectors().published_result_for(
            run=int(params["run"]), area=area, measure=params["measure"]
        )
        if result is None:
            return {
                "rows": [],
                "empty": f"No {params['measure']} result for {area} in run {params['run']}.",
            }
        if result["suppressed"]:
            return {
                "rows": [],
                "empty": (
                    f"The {params['measure']} figures for {result['area']} (metrics run "
                    f"{result['run']}) are not published: they rest on fewer than "
                    f"{_metrics_selectors().SMALL_NUMBER_MAX + 1} examinations, or would "
                    "let such a number be worked out, and could identify patients."
                ),
            }
        per = f"per {int(result['multiplier']):,}"

        def fmt(x):
            return f"{x:,.1f}"

        return {
            "intro": (
                f"{params['measure']}, {result['area']}, indirectly standardised for age, sex "
                f"and deprivation (metrics run {result['run']})."
            ),
            "rows": [
                {"label": f"Standardised rate {per}", "value": fmt(result["rate"])},
                {
                    "label": "95% confidence interval",
                    "value": f"{fmt(result['rate_lower95'])} to {fmt(result['rate_upper95'])}",
                },
                {
                    "label": "99.8% confidence interval",
                    "value": f"{fmt(result['rate_lower998'])} to {fmt(result['rate_upper998'])}",
                },
                {"label": f"England {per}", "value": fmt(result["national_rate"])},
                {
                    "label": "Examinations (observed / expected)",
                    "value": f"{int(result['observed']):,} / {fmt(result['expected'])}",
                },
                {
                    "label": "Compared with England (95%)",
                    "value": result["compared_with_national_95"],
                },
            ],
            "note": (
                f"Limits by {result['ci_method']} method. To protect patients' "
                "confidentiality the number of examinations is rounded to the nearest "
                f"{_metrics_selectors().ROUNDING_BASE}, and the rate and its limits are "
                "worked from the rounded number (NHS England disclosure control)."
            ),
        }
