"""The request list's filters."""

from __future__ import annotations

import datetime

from django.contrib import admin

from foiregister.requests import selectors
from foiregister.requests.models import (
    Request,
)

# -- filters ------------------------------------------------------------------------------


class DeadlineFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("this_week", "Due this week"),
            ("soon", f"Due within {selectors.settings.FOI_DUE_SOON_WORKING_DAYS} working days"),
        ]

    def queryset(self, request, queryset):
        today = selectors.local_today()
        if self.value() == "overdue":
            return queryset.filter(pk__in=selectors.overdue_requests(today=today).values("pk"))
        if self.value() == "this_week":
            monday = today - datetime.timedelta(days=today.weekday())
            return queryset.filter(
                status__in=Request.OPEN_STATUSES,
                due_on__gte=monday,
                due_on__lte=monday + datetime.timedelta(days=6),
            )
        if self.value() == "soon":
            return queryset.filter(
                pk__in=selectors.requests_due_within(
                    today=today, working_days=selectors.settings.FOI_DUE_SOON_WORKING_DAYS
                ).values("pk")
            )
        return queryset
