"""The request list's filters."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q

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
            ("this_week", "Due or late this week"),
            ("soon", f"Due within {selectors.settings.FOI_DUE_SOON_WORKING_DAYS} working days"),
        ]

    def queryset(self, request, queryset):
        today = selectors.local_today()
        if self.value() == "overdue":
            return queryset.filter(pk__in=selectors.overdue_requests(today=today).values("pk"))
        if self.value() == "this_week":
            # The working week ahead, late ones included (``selectors.week_ahead``): on a
            # Sunday it holds Tuesday's deadlines, which a Monday-to-Sunday week left out.
            return selectors.due_or_late_this_week(queryset, today=today)
        if self.value() == "soon":
            return queryset.filter(
                pk__in=selectors.requests_due_within(
                    today=today, working_days=selectors.settings.FOI_DUE_SOON_WORKING_DAYS
                ).values("pk")
            )
        return queryset


class OpenClosedFilter(admin.SimpleListFilter):
    """The list opens on open cases: an officer's work, not last year's closed ones. A
    request answered but under internal review is open work too."""

    title = "open or closed"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("closed", "Closed"), ("all", "All")]

    def value(self):
        return super().value() or "open"

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        open_work = Q(status__in=Request.OPEN_STATUSES) | Q(
            review_due_on__isnull=False, review_decided_on__isnull=True
        )
        if self.value() == "open":
            return queryset.filter(open_work)
        if self.value() == "closed":
            return queryset.exclude(open_work)
        return queryset


class InternalReviewFilter(admin.SimpleListFilter):
    title = "internal review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("in_progress", "In progress"),
            ("overdue", "In progress and overdue"),
            ("decided", "Decided"),
            ("none", "None asked for"),
        ]

    def queryset(self, request, queryset):
        today = selectors.local_today()
        pending = selectors.internal_reviews_pending().values("pk")
        if self.value() == "in_progress":
            return queryset.filter(pk__in=pending)
        if self.value() == "overdue":
            return queryset.filter(pk__in=pending, review_due_on__lt=today)
        if self.value() == "decided":
            return queryset.filter(review_decided_on__isnull=False)
        if self.value() == "none":
            return queryset.filter(review_due_on__isnull=True)
        return queryset
