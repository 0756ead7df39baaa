"""The expiry outlook on the contract admin: contracts ending per quarter for the next two
years, by kind and modality, with their value (the commissioner's own organisations)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from . import reports


class ExpiryOutlookAdminMixin:
    def get_urls(self):
        return [
            path(
                "outlook/",
                self.admin_site.admin_view(self.outlook_view),
                name="contracts_contract_outlook",
            ),
            *super().get_urls(),
        ]

    def outlook_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        rows = reports.expiry_outlook(contracts=self.get_queryset(request), today=today)
        return TemplateResponse(
            request,
            "admin/contracts/contract/outlook.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Contracts ending in the next two years",
                "rows": rows,
                "today": today,
            },
        )
