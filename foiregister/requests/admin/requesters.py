"""Requesters: private, seen only by the FOI officers and leads of their organisation."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction

from foiregister.kernel import access
from foiregister.kernel.admin import (
    NoDeleteMixin,
    ScopedModelAdmin,
)
from foiregister.requests.models import (
    Requester,
)


@admin.register(Requester)
class RequesterAdmin(NoDeleteMixin, ScopedModelAdmin):
    organisation_path = "organisation"
    list_display = ["name", "kind", "organisation"]
    search_fields = ["name", "email"]
    list_filter = ["kind"]
    # Requesters are private: only the FOI officers and leads of their organisation.
    scope_roles = access.CASEWORK_ROLES

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            from . import audit

            audit.record_event(
                action="requester.changed" if change else "requester.created",
                obj=obj,
                by=request.user,
                organisation_id=obj.organisation_id,
                changes={f: "changed" for f in form.changed_data},
            )
