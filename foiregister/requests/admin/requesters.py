"""Requesters: private, seen only by the FOI officers and leads of their organisation."""

from __future__ import annotations

from django.contrib import admin

from foiregister.kernel import access
from foiregister.kernel.admin import (
    NoDeleteMixin,
    ScopedModelAdmin,
)
from foiregister.requests import services
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
        """Through the requester service, which audits the names of the fields changed and
        never their values. The form has already set ``obj``'s attributes; the service reads
        the stored row to see what changed."""
        values = {
            name: form.cleaned_data[name]
            for name in services.REQUESTER_FIELDS
            if name in form.cleaned_data
        }
        if change:
            services.update_requester(requester=obj, by=request.user, **values)
            return
        created = services.create_requester(by=request.user, **values)
        obj.pk = created.pk
        obj._state.adding = False
        obj._state.db = created._state.db
