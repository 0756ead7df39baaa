"""The admin's shared pieces and the kernel's own screens (organisations, the audit log).

Every staff screen builds on ``OrganisationScopedMixin``: its querysets and its foreign-key
choices come from the one access gate (``foiregister.kernel.access``).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model

from . import access
from .exceptions import FoiRegisterError
from .models import AuditEvent, Organisation

admin.site.site_header = "FOI and procurement register"
admin.site.site_title = "FOI register"
admin.site.index_title = "Requests, registers and metrics"


def service_error_to_form(form: forms.Form, exc: FoiRegisterError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


class NoDeleteMixin:
    """Nothing in the request register is ever hard-deleted by an officer."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyMixin(NoDeleteMixin):
    """Rows written only by services (audit events, recomputation runs): view, never edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrganisationScopedMixin:
    """A staff screen's rows and foreign-key choices, through the access gate: rows of the
    organisations the user acts for (in ``scope_roles``), and in every foreign-key field
    only the organisations, people and organisation-owned rows of those organisations."""

    organisation_path = "organisation"
    scope_roles = access.EVERY_ROLE

    def get_queryset(self, request):
        return access.scoped(
            super().get_queryset(request),
            request.user,
            via=self.organisation_path,
            roles=self.scope_roles,
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if related is Organisation:
            kwargs["queryset"] = access.organisations_of(request.user, roles=self.scope_roles)
        elif related is get_user_model():
            kwargs["queryset"] = access.colleagues_of(request.user, roles=self.scope_roles)
        elif any(f.name == "organisation" for f in related._meta.get_fields()):
            kwargs["queryset"] = access.scoped(
                related._default_manager.all(),
                request.user,
                via="organisation",
                roles=self.scope_roles,
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "ods_code", "kind", "foi_email"]
    search_fields = ["name", "ods_code"]
    # Membership goes through the staff screen (foiregister.kernel.staff), which checks who
    # may bring whom into a body; a members picker here would bypass it and list every user.
    exclude = ["members"]

    def get_queryset(self, request):
        return access.organisations_of(request.user)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "actor", "object_id"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def get_queryset(self, request):
        return access.audit_events_visible_to(request.user)
