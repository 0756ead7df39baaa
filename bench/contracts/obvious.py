"""The per-row import this package replaced, kept to measure against: each row goes
through the admin's services (``create_contract``, ``update_contract``, ``record_spend``),
each with its own savepoint, lookups, ``full_clean`` and audit INSERT. Same parsing and
the same results; only the writing differs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from contracts import imports, services
from contracts.exceptions import ContractsError
from contracts.models import Contract, ContractSpend, ImportJob, Supplier


def _supplier(name: str, ctx: imports.Context, by) -> Supplier | None:
    if not name:
        return None
    supplier = ctx.suppliers.get(name.lower())
    if supplier is None:
        supplier = services.ensure_supplier(name=name, by=by)
        ctx.suppliers[name.lower()] = supplier
    return supplier


def _apply_contract(fields: dict, ctx: imports.Context, by) -> str:
    fields = dict(fields)
    fields["supplier"] = _supplier(fields.pop("supplier_name"), ctx, by)
    existing = ctx.contracts.get(fields["reference"])
    if existing is None:
        ctx.contracts[fields["reference"]] = services.create_contract(
            organisation=ctx.organisation, by=by, **fields
        )
        return "created"
    before = existing.updated_at
    updated = services.update_contract(existing, by=by, **fields)
    ctx.contracts[fields["reference"]] = updated
    return "unchanged" if updated.updated_at == before else "updated"


def _apply_spend(fields: dict, ctx: imports.Context, by) -> str:
    fields = dict(fields)
    fields["supplier"] = _supplier(fields.pop("supplier_name"), ctx, by)
    reference = fields.pop("reference") or services.spend_reference(
        financial_year=fields["financial_year"],
        basis=fields["basis"],
        contract=fields["contract"],
        supplier=fields["supplier"],
        category=fields["category"],
        kind=fields["kind"],
    )
    existing = ContractSpend.objects.filter(
        organisation=ctx.organisation, reference=reference
    ).first()
    row = services.record_spend(
        organisation=ctx.organisation, by=by, reference=reference, **fields
    )
    if existing is None:
        return "created"
    return "unchanged" if row.updated_at == existing.updated_at else "updated"


APPLY = {ImportJob.Kind.CONTRACTS: _apply_contract, ImportJob.Kind.SPEND: _apply_spend}


def commit(
    *,
    content: bytes,
    filename: str,
    kind: str,
    organisation,
    by: Any,
    progress: Callable[[int, int], None] | None = None,
) -> imports.ImportResult:
    result, parsed, ctx = imports._parse(content, filename, kind, organisation)
    if result.errors:
        raise imports.ImportFailed(result)
    if kind == ImportJob.Kind.CONTRACTS:
        ctx.contracts = {
            c.reference: c for c in Contract.objects.filter(organisation=organisation)
        }
    apply = APPLY[kind]
    with transaction.atomic():
        for done, (line, fields) in enumerate(parsed, start=1):
            try:
                with transaction.atomic():
                    outcome = apply(fields, ctx, by)
            except ContractsError as exc:
                result.errors.append(
                    imports.RowError(
                        filename, line, exc.field or "", fields.get(exc.field or ""), exc.message
                    )
                )
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
            if progress and done % 500 == 0:
                progress(done, len(parsed))
        if result.errors:
            raise imports.ImportFailed(result)
    result.committed = True
    return result
