"""Import contracts, spend and CDC activity from CSV or XLSX: preview, then an atomic commit.

Files are read by ``tablib`` (CSV and, through openpyxl, XLSX), not a hand-written parser.
Every row is parsed and checked before anything is written; every bad row is reported as
``contracts.csv line 14, column end_date: '31/02/2025' is not a date`` and then nothing is
written. Rows upsert on the register's own reference (contracts, spend) or on CDC, modality
and month (activity), with the same checks as the admin's services, so a re-import of the
same file changes nothing and writes no audit rows.

Writing is in bulk (``services.stage_*`` then ``services.write_staged``): suppliers,
existing rows and contract change events are loaded once per file, every row is checked
in memory, then rows are inserted or updated 1,000 at a time with one audit row each.
Per-row service calls took 20 ms a contract and 9 ms a spend line (15 minutes for 100,000).

Line numbers are the spreadsheet's: the header is line 1, the first row line 2.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import gc
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import tablib
from django.conf import settings
from django.db import models, transaction

from foiregister.kernel import audit, jobs
from foiregister.kernel.jobs import RowError

from . import services
from .exceptions import ContractsError
from .models import (
    Category,
    CdcActivity,
    CommunityDiagnosticCentre,
    Contract,
    ContractSpend,
    ImportJob,
    Supplier,
)

CHUNK = 1000  # rows written per batch, and between progress saves in a background job


@dataclass
class ImportResult:
    filename: str
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False
    #: What a preview found the commit would do to each row (the first PREVIEW_ROWS) and
    #: the suppliers it would create, with the type given them.
    row_actions: list[dict[str, Any]] = field(default_factory=list)
    new_suppliers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "committed": self.committed,
            "rows_shown": self.row_actions,
            "new_suppliers": self.new_suppliers,
        }


class ImportFailed(ContractsError):
    """The file has bad rows; ``result.errors`` lists every one."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__(f"{len(result.errors)} bad row(s) in {result.filename}")
        self.result = result


# -- reading -------------------------------------------------------------------------------


def max_upload_bytes() -> int:
    """``CONTRACTS_IMPORT_MAX_MB`` (default 20 MB: a national register of tens of thousands
    of rows is a few MB as CSV or XLSX)."""
    return jobs.max_upload_bytes("CONTRACTS_IMPORT_MAX_MB", 20)


def check_size(size: int, filename: str) -> None:
    message = jobs.too_large(size, filename, setting="CONTRACTS_IMPORT_MAX_MB", default_mb=20)
    if message:
        raise ContractsError(message, field="file")


class UnreadableFile(Exception):
    """The file cannot be read as a table; ``error`` says where and why."""

    def __init__(self, error: RowError) -> None:
        super().__init__(str(error))
        self.error = error


def _column_at(content: bytes, offset: int) -> tuple[int, str]:
    """The line number and header name of the CSV field holding byte ``offset`` (counting
    the commas before it on its line; good enough to point at the cell)."""
    line = content.count(b"\n", 0, offset) + 1
    start = content.rfind(b"\n", 0, offset) + 1
    index = content[start:offset].count(b",")
    header = content.split(b"\n", 1)[0].decode("utf-8-sig", "replace").split(",")
    column = header[index].strip().strip('"').lower() if index < len(header) else ""
    return line, column or f"field {index + 1}"


def decode_csv(content: bytes, filename: str) -> str:
    """CSV bytes as text: UTF-8 (with or without a byte-order mark) only. Excel's plain
    "CSV" is Windows-1252 and "Unicode text" is UTF-16; guessing would turn a pound sign
    into another character in the register, so we name the place and ask for CSV UTF-8."""
    how = "save it from Excel as 'CSV UTF-8 (Comma delimited)' and import that file"
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or content[:200].count(b"\x00") > 20:
        raise UnreadableFile(RowError(filename, 1, "", None, f"is UTF-16 text, not UTF-8: {how}"))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _column_at(content, exc.start)
        bad = content[exc.start : exc.end]
        raise UnreadableFile(
            RowError(
                filename,
                line,
                column,
                bad.decode("cp1252", "replace"),
                f"is not UTF-8 text (byte 0x{bad.hex()}; the file looks saved as "
                f"Windows-1252 or Latin-1): {how}",
            )
        ) from None


def read_table(content: bytes, filename: str) -> tablib.Dataset:
    """A tablib Dataset from CSV or XLSX bytes (by extension)."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return tablib.Dataset().load(io.BytesIO(content), format="xlsx")
    if name.endswith(".csv"):
        return tablib.Dataset().load(decode_csv(content, filename), format="csv")
    raise ContractsError(f"{filename}: only .csv and .xlsx files can be imported", field="file")


def _rows(data: tablib.Dataset) -> Iterator[tuple[int, dict[str, Any]]]:
    headers = [str(h or "").strip().lower() for h in (data.headers or [])]
    for index, row in enumerate(data, start=2):
        values = dict(zip(headers, row, strict=False))
        if all(v in (None, "") for v in values.values()):
            continue
        yield index, values


class BadValue(Exception):
    def __init__(self, column: str, value: Any, reason: str) -> None:
        self.column, self.value, self.reason = column, value, reason


def _text(row: dict, column: str, *, required: bool = False, max_length: int = 0) -> str:
    value = row.get(column)
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise BadValue(column, value, "is required")
    if max_length and len(text) > max_length:
        raise BadValue(column, value, f"is longer than {max_length} characters")
    return text


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
# The columns' limits: money is 14 digits with 2 decimal places, counts are 32-bit.
MAX_AMOUNT = Decimal("999999999999.99")
MAX_COUNT = 2_147_483_647


def _date(row: dict, column: str, *, required: bool = False) -> datetime.date | None:
    value = row.get(column)
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(row, column, required=required)
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise BadValue(column, value, "is not a date")


def _decimal(row: dict, column: str, *, required: bool = False) -> Decimal | None:
    value = row.get(column)
    text = _text(row, column, required=required).replace(",", "").replace("£", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise BadValue(column, value, "is not a number") from None
    if not number.is_finite():
        raise BadValue(column, value, "is not a number")
    if abs(number) > MAX_AMOUNT:
        raise BadValue(column, value, f"is too large (at most {MAX_AMOUNT:,})")
    return number.quantize(Decimal("0.01"))


def _int(row: dict, column: str, *, required: bool = False) -> int | None:
    number = _decimal(row, column, required=required)
    if number is None:
        return None
    if number != number.to_integral() or number < 0:
        raise BadValue(column, row.get(column), "is not a whole number of 0 or more")
    if number > MAX_COUNT:
        raise BadValue(
            column, row.get(column), f"is too large for a count (at most {MAX_COUNT:,})"
        )
    return int(number)


def _bool(row: dict, column: str, *, default: bool = False) -> bool:
    text = _text(row, column).lower()
    if not text:
        return default
    if text in ("0", "no", "n", "false"):
        return False
    if text in ("1", "yes", "y", "true"):
        return True
    raise BadValue(column, row.get(column), "is not yes or no")


@functools.cache
def _lookup(choices: type[models.Choices]) -> dict[str, str]:
    """Codes and labels, lower-cased, to codes; built once per choice class (rebuilding it,
    and ``Choices.choices``, for each cell cost a fifth of a large import)."""
    lookup = {}
    for value, label in choices.choices:
        lookup[str(value).lower()] = value
        lookup[str(label).lower()] = value
    return lookup


def _choice(
    row: dict,
    column: str,
    choices: type[models.Choices],
    *,
    required: bool = False,
    default: str = "",
) -> str:
    """A code or its label, case-insensitively (``'Insourcing'`` or ``'insourcing'``)."""
    text = _text(row, column, required=required)
    if not text:
        return default
    lookup = _lookup(choices)
    if text.lower() not in lookup:
        raise BadValue(column, row.get(column), "is not one of the allowed values")
    return lookup[text.lower()]


def _categories(row: dict, column: str) -> list[str]:
    text = _text(row, column)
    out = []
    for part in re.split(r"[;|]", text):
        if part.strip():
            out.append(_choice({column: part}, column, Category))
    return out


# -- parsers: a row -> keyword arguments for a service -------------------------------------


CONTRACT_COLUMNS = (
    "reference",
    "supplier",
    "title",
    "kind",
    "payment_basis",
    "categories",
    "scope",
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
    "is_public",
    "value_is_public",
    "reasons_are_public",
    "source",
)
SPEND_COLUMNS = (
    "reference",
    "financial_year",
    "kind",
    "amount",
    "basis",
    "source",
    "contract_reference",
    "supplier",
    "category",
)
ACTIVITY_COLUMNS = ("cdc", "modality", "month", "planned", "actual", "source")
REQUIRED = {
    ImportJob.Kind.CONTRACTS: ("reference", "supplier", "title", "kind", "payment_basis"),
    ImportJob.Kind.SPEND: ("financial_year", "kind", "source"),
    ImportJob.Kind.CDC_ACTIVITY: ("cdc", "modality", "month"),
}
COLUMNS = {
    ImportJob.Kind.CONTRACTS: CONTRACT_COLUMNS,
    ImportJob.Kind.SPEND: SPEND_COLUMNS,
    ImportJob.Kind.CDC_ACTIVITY: ACTIVITY_COLUMNS,
}


@dataclass
class Context:
    """Lookups loaded once per file, so parsing 100,000 rows costs a few queries."""

    organisation: Any
    suppliers: dict[str, Supplier]
    contracts: dict[str, Contract]
    cdcs: dict[str, CommunityDiagnosticCentre]
    seen: dict[str, int] = field(default_factory=dict)


def _context(organisation, kind: str) -> Context:
    suppliers = {s.name.lower(): s for s in Supplier.objects.all()}
    contracts = {}
    cdcs = {}
    if kind == ImportJob.Kind.SPEND:
        contracts = {
            c.reference: c
            for c in Contract.objects.filter(organisation=organisation).select_related("supplier")
        }
    if kind == ImportJob.Kind.CDC_ACTIVITY:
        cdcs = {
            c.name.lower(): c
            for c in CommunityDiagnosticCentre.objects.filter(host_trust=organisation)
        }
    return Context(organisation, suppliers, contracts, cdcs)


def _unique(ctx: Context, key: str, line: int, column: str, value: Any) -> None:
    if key in ctx.seen:
        raise BadValue(column, value, f"repeats line {ctx.seen[key]}")
    ctx.seen[key] = line


def parse_contract(row: dict, line: int, ctx: Context) -> dict[str, Any]:
    reference = _text(row, "reference", required=True, max_length=60)
    _unique(ctx, reference, line, "reference", reference)
    fields = {
        "reference": reference,
        "supplier_name": _text(row, "supplier", required=True, max_length=200),
        "title": _text(row, "title", required=True, max_length=300),
        "kind": _choice(row, "kind", Contract.Kind, required=True),
        "payment_basis": _choice(row, "payment_basis", Contract.PaymentBasis, required=True),
        "categories": _categories(row, "categories"),
        "scope": _text(row, "scope"),
        "value": _decimal(row, "value"),
        "date_signed": _date(row, "date_signed"),
        "start_date": _date(row, "start_date"),
        "end_date": _date(row, "end_date"),
        "end_date_to_be_agreed": _bool(row, "end_date_to_be_agreed"),
        "end_date_reason": _text(row, "end_date_reason"),
        "extension_options": _text(row, "extension_options"),
        "latest_end_date": _date(row, "latest_end_date"),
        "notice_period_days": _int(row, "notice_period_days"),
        "procurement_route": _choice(row, "procurement_route", Contract.ProcurementRoute),
        "notice_references": _text(row, "notice_references"),
        "status": _choice(row, "status", Contract.Status, default=Contract.Status.ACTIVE),
        "is_public": _bool(row, "is_public"),
        "value_is_public": _bool(row, "value_is_public", default=True),
        "reasons_are_public": _bool(row, "reasons_are_public"),
        "source": _text(row, "source", max_length=300),
    }
    # A column the file does not have leaves that field as it is (a new contract takes the
    # default): a narrower file must not wipe what was entered in the admin, such as a
    # value withheld under s.43(2). ``row`` holds exactly the file's columns.
    fields = {k: v for k, v in fields.items() if k == "supplier_name" or k in row}
    start, end = fields.get("start_date"), fields.get("end_date")
    if start and end and end < start:
        raise BadValue("end_date", row.get("end_date"), "is before start_date")
    if fields.get("end_date_to_be_agreed") and not fields.get("end_date_reason"):
        raise BadValue(
            "end_date_reason",
            row.get("end_date_reason"),
            "is required when the end date is to be agreed",
        )
    if fields["payment_basis"] == Contract.PaymentBasis.ACTIVITY_AT_TARIFF and fields.get("value"):
        raise BadValue("value", row.get("value"), "must be zero when paid on activity at tariff")
    return fields


def parse_spend(row: dict, line: int, ctx: Context) -> dict[str, Any]:
    year = _text(row, "financial_year", required=True)
    try:
        services.check_financial_year(year)
    except ContractsError:
        raise BadValue("financial_year", year, "is not a financial year like 2024/25") from None
    contract_ref = _text(row, "contract_reference")
    contract = None
    if contract_ref:
        contract = ctx.contracts.get(contract_ref)
        if contract is None:
            raise BadValue("contract_reference", contract_ref, "is not a contract in the register")
    supplier_name = _text(row, "supplier", max_length=200)
    category = _choice(row, "category", Category)
    fields = {
        "financial_year": year,
        "kind": _choice(row, "kind", Contract.Kind, required=True),
        "amount": _decimal(row, "amount"),
        "basis": _choice(row, "basis", ContractSpend.Basis, default="actual"),
        "source": _text(row, "source", required=True, max_length=300),
        "contract": contract,
        "supplier_name": supplier_name or (contract.supplier.name if contract else ""),
        "category": category,
        "reference": _text(row, "reference", max_length=120),
    }
    key = fields["reference"] or "|".join(
        [year, fields["basis"], contract_ref or supplier_name.lower() or "all", category]
    )
    _unique(ctx, key, line, "reference" if fields["reference"] else "", key)
    return fields


def parse_activity(row: dict, line: int, ctx: Context) -> dict[str, Any]:
    name = _text(row, "cdc", required=True)
    cdc = ctx.cdcs.get(name.lower())
    if cdc is None:
        raise BadValue("cdc", name, "is not a CDC this organisation hosts")
    month = _date(row, "month", required=True)
    if month.day != 1:
        raise BadValue("month", row.get("month"), "is not the first day of a month")
    modality = _choice(row, "modality", Category, required=True)
    _unique(ctx, f"{cdc.pk}|{modality}|{month}", line, "month", row.get("month"))
    return {
        "cdc": cdc,
        "modality": modality,
        "month": month,
        "planned": _int(row, "planned"),
        "actual": _int(row, "actual"),
        "source": _text(row, "source", max_length=300),
    }


PARSERS: dict[str, Callable[[dict, int, Context], dict[str, Any]]] = {
    ImportJob.Kind.CONTRACTS: parse_contract,
    ImportJob.Kind.SPEND: parse_spend,
    ImportJob.Kind.CDC_ACTIVITY: parse_activity,
}


# -- staging: every parsed row checked by the services, with lookups done in bulk --------

LOOKUP_BATCH = 5000  # references per IN (...) query


def _in_batches(values: list, size: int = LOOKUP_BATCH) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _error(result: ImportResult, line: int, exc: ContractsError, fields: dict) -> None:
    result.errors.append(
        RowError(result.filename, line, exc.field or "", fields.get(exc.field or ""), exc.message)
    )


def _existing_by_reference(model, organisation, references: list[str]) -> dict[str, Any]:
    """The body's rows with these references, locked for the import, by reference."""
    existing = {}
    for batch in _in_batches(references):
        existing.update(
            (row.reference, row)
            for row in model.objects.select_for_update().filter(
                organisation=organisation, reference__in=batch
            )
        )
    return existing


# A new supplier's type, from the kind of contract or spend line that first names it; an
# outsourced-reporting or other company is "Other" (the preview flags every new supplier).
SUPPLIER_KIND_FOR = {
    Contract.Kind.INDEPENDENT_SECTOR: Supplier.Kind.INDEPENDENT_SECTOR,
    Contract.Kind.INSOURCING: Supplier.Kind.INSOURCING,
}


def _ensure_suppliers(parsed: list[tuple[int, dict]], ctx: Context, by, result: ImportResult):
    """Create, in one INSERT, every supplier the file names that the register lacks, typed
    from the kind of the first row naming it, and list them in ``result.new_suppliers``."""
    new: dict[str, tuple[int, str, str]] = {}
    for line, fields in parsed:
        name = fields["supplier_name"]
        if name and name.lower() not in ctx.suppliers and name.lower() not in new:
            kind = SUPPLIER_KIND_FOR.get(fields.get("kind"), Supplier.Kind.OTHER)
            new[name.lower()] = (line, name, kind)
    staged = []
    labels = dict(Supplier.Kind.choices)
    for line, name, kind in new.values():
        try:
            staged.append(services.stage_supplier(name=name, kind=kind))
        except ContractsError as exc:
            result.errors.append(RowError(result.filename, line, "supplier", name, exc.message))
        else:
            result.new_suppliers.append(
                {"line": line, "name": name, "kind": kind, "kind_label": labels[kind]}
            )
    if result.errors:
        return
    services.write_staged(staged, by=by)
    ctx.suppliers.update({item.instance.name.lower(): item.instance for item in staged})


def _stage_contracts(parsed, ctx: Context, by, result: ImportResult) -> list:
    _ensure_suppliers(parsed, ctx, by, result)
    if result.errors:
        return []
    existing = _existing_by_reference(
        Contract, ctx.organisation, [fields["reference"] for _, fields in parsed]
    )
    history = services.contract_change_history(c.pk for c in existing.values())
    staged = []
    for line, fields in parsed:
        values = dict(fields)
        name = values.pop("supplier_name")
        values["supplier"] = ctx.suppliers[name.lower()]
        contract = existing.get(values["reference"])
        try:
            staged.append(
                services.stage_contract(
                    contract,
                    organisation=ctx.organisation,
                    history=history.get(contract.pk, ()) if contract else (),
                    **values,
                )
            )
        except ContractsError as exc:
            _error(result, line, exc, fields)
            staged.append(None)
    return staged


def _stage_spend(parsed, ctx: Context, by, result: ImportResult) -> list:
    _ensure_suppliers(parsed, ctx, by, result)
    if result.errors:
        return []
    rows = []
    for line, fields in parsed:
        values = dict(fields)
        name = values.pop("supplier_name")
        values["supplier"] = ctx.suppliers[name.lower()] if name else None
        values["reference"] = values["reference"] or services.spend_reference(
            financial_year=values["financial_year"],
            basis=values["basis"],
            contract=values["contract"],
            supplier=values["supplier"],
            category=values["category"],
            kind=values["kind"],
        )
        rows.append((line, values))
    existing = _existing_by_reference(
        ContractSpend, ctx.organisation, [values["reference"] for _, values in rows]
    )
    staged = []
    written: dict[str, int] = {}
    for line, values in rows:
        reference = values["reference"]
        if reference in written:
            # A derived reference can equal another row's: one line, written once.
            result.errors.append(
                RowError(
                    result.filename,
                    line,
                    "reference",
                    reference,
                    f"repeats line {written[reference]}",
                )
            )
            staged.append(None)
            continue
        written[reference] = line
        try:
            staged.append(
                services.stage_spend(
                    existing.get(reference), organisation=ctx.organisation, **values
                )
            )
        except ContractsError as exc:
            _error(result, line, exc, values)
            staged.append(None)
    return staged


def _stage_activity(parsed, ctx: Context, by, result: ImportResult) -> list:
    existing = {
        (a.cdc_id, a.modality, a.month): a
        for a in CdcActivity.objects.select_for_update().filter(
            cdc_id__in=[c.pk for c in ctx.cdcs.values()]
        )
    }
    staged = []
    for line, fields in parsed:
        key = (fields["cdc"].pk, fields["modality"], fields["month"])
        try:
            staged.append(services.stage_cdc_activity(existing.get(key), **fields))
        except ContractsError as exc:
            _error(result, line, exc, fields)
            staged.append(None)
    return staged


STAGE = {
    ImportJob.Kind.CONTRACTS: _stage_contracts,
    ImportJob.Kind.SPEND: _stage_spend,
    ImportJob.Kind.CDC_ACTIVITY: _stage_activity,
}


# -- the two steps -------------------------------------------------------------------------


def _parse(
    content: bytes,
    filename: str,
    kind: str,
    organisation,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[ImportResult, list[tuple[int, dict]], Context]:
    result = ImportResult(filename=filename, kind=kind)
    try:
        data = read_table(content, filename)
    except ContractsError:
        raise
    except UnreadableFile as exc:
        result.errors.append(exc.error)
        return result, [], _context(organisation, kind)
    except Exception as exc:  # a file tablib cannot read at all: say so, with the file name
        result.errors.append(RowError(filename, 1, "", None, f"cannot be read ({exc})"))
        return result, [], _context(organisation, kind)
    headers = {str(h or "").strip().lower() for h in (data.headers or [])}
    missing = [c for c in REQUIRED[kind] if c not in headers]
    for column in missing:
        result.errors.append(RowError(filename, 1, column, None, "is missing from the header"))
    unknown = sorted(headers - set(COLUMNS[kind]) - {""})
    for column in unknown:
        result.errors.append(RowError(filename, 1, column, None, "is not a known column"))
    ctx = _context(organisation, kind)
    parsed = []
    if missing:
        return result, parsed, ctx
    parser = PARSERS[kind]
    total = len(data)
    for line, row in _rows(data):
        result.rows += 1
        if progress and result.rows % CHUNK == 0:
            progress(result.rows, total)
        nul = [(c, v) for c, v in row.items() if isinstance(v, str) and "\x00" in v]
        for column, value in nul:
            result.errors.append(
                RowError(
                    filename,
                    line,
                    column,
                    value.replace("\x00", "\\x00"),
                    "contains a NUL byte (\\x00), which the register cannot store: remove it",
                )
            )
        if nul:
            continue
        try:
            parsed.append((line, parser(row, line, ctx)))
        except BadValue as bad:
            result.errors.append(RowError(filename, line, bad.column, bad.value, bad.reason))
    return result, parsed, ctx


PREVIEW = audit.system("contract import preview (rolled back)")


def preview(
    *,
    content: bytes,
    filename: str,
    kind: str,
    organisation,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Parse every row and put it through the same service checks as the commit (latest end
    date before the end date, a spend line against another body's contract, ...), inside a
    transaction that is rolled back: nothing is written, the result lists every error the
    commit would meet, and, for a clean file, how many rows it would create, update or leave
    unchanged."""
    with _collector_paused():
        result, parsed, ctx = _parse(content, filename, kind, organisation, progress)
        if result.errors:
            return result
        with transaction.atomic():
            # New suppliers are written (and audited) to check the rows that name them;
            # all of it is rolled back below.
            staged = STAGE[kind](parsed, ctx, PREVIEW, result)
            transaction.set_rollback(True)
    if not result.errors:
        result.created = sum(1 for item in staged if item is not None and item.creating)
        result.updated = sum(1 for item in staged if item is not None and not item.creating)
        result.unchanged = len(parsed) - result.created - result.updated
        for (line, fields), item in zip(parsed[:PREVIEW_ROWS], staged, strict=False):
            action = "unchanged" if item is None else "create" if item.creating else "update"
            result.row_actions.append(
                {"line": line, "row": _row_label(kind, fields), "action": action}
            )
    return result


PREVIEW_ROWS = 500  # rows listed one by one on the preview page


def _row_label(kind: str, fields: dict[str, Any]) -> str:
    """How the preview names a row: its reference, or what identifies it."""
    if kind == ImportJob.Kind.CDC_ACTIVITY:
        return f"{fields['cdc'].name}, {fields['modality']}, {fields['month']:%b %Y}"
    if kind == ImportJob.Kind.SPEND and not fields.get("reference"):
        what = fields.get("contract") or fields.get("supplier_name") or fields.get("kind")
        return f"{fields['financial_year']} {fields['basis']} {what}"
    return fields.get("reference") or ""


def commit(
    *,
    content: bytes,
    filename: str,
    kind: str,
    organisation,
    by: Any,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Check every row, then write them all in one transaction, or none: any bad row (found
    when parsing or refused by a service check) rolls back the whole file and is reported.

    Rows are checked in memory against lookups loaded once per file, then written a batch
    at a time (``bulk_create``, ``bulk_update``, one audit row each via ``record_bulk``):
    a handful of queries per thousand rows instead of several per row."""
    with _collector_paused():
        return _commit(content, filename, kind, organisation, by, progress)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the import. A 100,000-row file keeps a few
    hundred thousand objects alive until it is written, and every full collection walks them
    all: 10 to 15 s of a 50 s spend import. The rows hold no reference cycles to reclaim, and
    the collector is back on (and runs once) when the import ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect()


def _commit(content, filename, kind, organisation, by, progress) -> ImportResult:
    result, parsed, ctx = _parse(content, filename, kind, organisation)
    if result.errors:
        raise ImportFailed(result)
    total = len(parsed)
    try:
        with transaction.atomic():
            staged = STAGE[kind](parsed, ctx, by, result)
            if result.errors:
                raise ImportFailed(result)
            for start in range(0, total, CHUNK):
                batch = [item for item in staged[start : start + CHUNK] if item is not None]
                services.write_staged(batch, by=by)
                for item in batch:
                    if item.creating:
                        result.created += 1
                    else:
                        result.updated += 1
                if progress and start + CHUNK < total:
                    progress(start + CHUNK, total)
            result.unchanged = total - result.created - result.updated
    except ImportFailed:
        result.created = result.updated = result.unchanged = 0
        raise
    result.committed = True
    if progress:
        progress(total, total)
    return result


# -- background jobs -----------------------------------------------------------------------

BACKGROUND_ROWS = 2000  # files with more rows than this commit in Celery


def preview_in_background(size: int) -> bool:
    """Files over ``CONTRACTS_IMPORT_PREVIEW_BACKGROUND_KB`` (default 256 KB, some 2,000
    rows) are previewed by a Celery worker with progress, not inside the web request: a
    4 MB XLSX held a request for half a minute."""
    limit = float(getattr(settings, "CONTRACTS_IMPORT_PREVIEW_BACKGROUND_KB", 256)) * 1024
    return size > limit


@transaction.atomic
def create_job(*, organisation, kind: str, filename: str, content: bytes, by: Any) -> ImportJob:
    """Store an uploaded file and preview it: here for a small file, otherwise in the
    background (status ``uploaded`` until ``run_preview`` has checked it; the caller queues
    ``contracts.tasks.preview_import_job`` after the commit when ``job.status`` says so)."""
    check_size(len(content), filename)
    job = ImportJob.objects.create(
        organisation=organisation,
        kind=kind,
        filename=filename,
        content=content,
        status=ImportJob.Status.UPLOADED,
        created_by=by,
    )
    if not preview_in_background(len(content)):
        result = preview(content=content, filename=filename, kind=kind, organisation=organisation)
        jobs.record_preview(job, result, rows_done=0)
    return job


def run_preview(job_id: int) -> ImportJob:
    """Preview an uploaded job (the Celery task), saving how many rows are checked as it
    goes, so the job's page shows progress."""
    job = ImportJob.objects.select_related("organisation").get(pk=job_id)
    if job.status != ImportJob.Status.UPLOADED:
        return job
    try:
        result = preview(
            content=bytes(job.content),
            filename=job.filename,
            kind=job.kind,
            organisation=job.organisation,
            progress=lambda done, total: _save_progress(job_id, done, total),
        )
    except ContractsError as exc:
        result = ImportResult(filename=job.filename, kind=job.kind)
        result.errors.append(RowError(job.filename, 1, "", None, exc.message))
    jobs.record_preview(job, result, rows_done=0)
    return job


def _save_progress(job_id: int, done: int, total: int) -> None:
    jobs.save_progress(ImportJob, job_id, done, total)


def run_job(job_id: int, *, by: Any = None) -> ImportJob:
    """Commit a previewed job (called by the Celery task or directly for small files)."""
    job = ImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)
    if job.status == ImportJob.Status.SUCCEEDED:
        return job
    ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.RUNNING, rows_done=0)
    try:
        result = commit(
            content=bytes(job.content),
            filename=job.filename,
            kind=job.kind,
            organisation=job.organisation,
            by=by or job.created_by or audit.system(f"contract import job {job.pk}"),
            progress=lambda done, total: _save_progress(job_id, done, total),
        )
    except ImportFailed as failed:
        jobs.record_failure(
            ImportJob, job_id, failed.result.errors, summary=failed.result.summary()
        )
    else:
        jobs.record_success(ImportJob, job_id, result)
    job.refresh_from_db()
    return job
