"""Reference data officers choose from: departments and exemptions."""

from __future__ import annotations

from django.contrib import admin

from foiregister.kernel.admin import (
    OrganisationScopedMixin,
)
from foiregister.requests.models import (
    Department,
    Exemption,
)


@admin.register(Department)
class DepartmentAdmin(OrganisationScopedMixin, admin.ModelAdmin):
    list_display = ["name", "organisation", "email"]


@admin.register(Exemption)
class ExemptionAdmin(admin.ModelAdmin):
    list_display = ["section", "title", "absolute"]
    search_fields = ["section", "title", "code"]
