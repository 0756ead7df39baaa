"""Reference data officers choose from: departments and exemptions."""

from __future__ import annotations

from django.contrib import admin

from foiregister.kernel.admin import ScopedModelAdmin
from foiregister.requests.models import (
    Department,
    Exemption,
)


@admin.register(Department)
class DepartmentAdmin(ScopedModelAdmin):
    organisation_path = "organisation"
    list_display = ["name", "organisation", "email"]


@admin.register(Exemption)
class ExemptionAdmin(ScopedModelAdmin):
    organisation_path = None  # the statute's sections: the same for every body
    list_display = ["section", "title", "absolute"]
    search_fields = ["section", "title", "code"]
