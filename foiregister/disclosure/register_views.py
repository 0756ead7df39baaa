"""Public contract and CDC registers and the OCDS download: no sign-in; every read goes
through ``registers``, which applies the contracts app's public gates and field rules."""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from contracts.exceptions import NothingToPublish
from foiregister.kernel import csv_export

from . import registers
from .register_forms import CdcRegisterForm, ContractRegisterForm

PAGE_SIZE = 50


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _csv_response(filename: str, fields: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv_export.dict_writer(response, fields, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: "; ".join(v) if isinstance(v, tuple) else ("" if v is None else v)
                for k, v in row.items()
            }
        )
    return response


@require_safe
def contract_register(request):
    form = ContractRegisterForm(request.GET or None)
    page = Paginator(registers.public_contract_rows(**form.filter_kwargs()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = _query_without_page(request)
    return render(
        request,
        "registers/contracts.html",
        {
            "form": form,
            "page": page,
            "contracts": [registers.public_contract(c) for c in page.object_list],
            "query": query,
        },
    )


@require_safe
def contract_register_csv(request):
    form = ContractRegisterForm(request.GET or None)
    rows = (
        registers.public_contract(c).__dict__
        for c in registers.public_contract_rows(**form.filter_kwargs())
    )
    return _csv_response("public-contracts.csv", registers.CONTRACT_CSV_FIELDS, rows)


@require_safe
def cdc_register(request):
    form = CdcRegisterForm(request.GET or None)
    cdcs = registers.public_cdcs(
        registers.public_cdcs_queryset(**form.filter_kwargs()), today=timezone.localdate()
    )
    start, end = registers.capacity_period(today=timezone.localdate())
    return render(
        request,
        "registers/cdcs.html",
        {
            "form": form,
            "cdcs": cdcs,
            "period_start": start,
            "period_end": end,
            "query": _query_without_page(request),
        },
    )


@require_safe
def cdc_register_csv(request):
    form = CdcRegisterForm(request.GET or None)
    cdcs = registers.public_cdcs(
        registers.public_cdcs_queryset(**form.filter_kwargs()), today=timezone.localdate()
    )
    return _csv_response(
        "community-diagnostic-centres.csv", registers.CDC_CSV_FIELDS, registers.cdc_csv_rows(cdcs)
    )


@require_safe
def ocds_package(request):
    try:
        package = registers.public_ocds_package(uri=request.build_absolute_uri())
    except NothingToPublish as exc:  # OCDS has no valid empty package
        return HttpResponseNotFound(exc.message, content_type="text/plain; charset=utf-8")
    response = HttpResponse(
        json.dumps(package, cls=DjangoJSONEncoder, indent=1),
        content_type="application/json",
    )
    response["Content-Disposition"] = 'inline; filename="ocds.json"'
    return response
