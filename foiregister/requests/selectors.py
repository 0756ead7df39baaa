"""Every read with a rule in it. Officers reach requests only through
``requests_visible_to``; the public reaches nothing here (see the disclosure log)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from foiregister import calendar
from foiregister.kernel import access
from foiregister.kernel.models import Organisation
from foiregister.kernel.roles import FOI_LEAD

from .models import ProclaimedHoliday, Request, RequestEvent, TimeEntry


def local_today() -> datetime.date:
    return timezone.localdate()


def date_of_receipt(received_at: datetime.datetime) -> datetime.date:
    """Receipt is a timestamp; its date in Europe/London is the date of receipt. There is no
    office-hours rule: a request at 23:30 was received that day."""
    return timezone.localtime(received_at).date()


def proclaimed_holidays() -> dict[datetime.date, calendar.ProclaimedDay]:
    """The administrator's table of days proclaimed after the ``holidays`` package release,
    as the calendar's ``extra_holidays``, each with its nations: a Scotland-only day moves
    FOI deadlines but not a subject access request's."""
    return {
        h.date: calendar.ProclaimedDay(
            f"{h.name} ({h.nations}, proclaimed)",
            tuple(n.strip() for n in h.nations.split(",") if n.strip()),
        )
        for h in ProclaimedHoliday.objects.all()
    }


def working_day_calendar() -> calendar.WorkingDayCalendar:
    return calendar.WorkingDayCalendar(extra_holidays=proclaimed_holidays())


def requests_visible_to(user) -> QuerySet[Request]:
    """Requests of the organisations an FOI officer or lead acts for, through the gate."""
    return access.scoped(
        Request.objects.all(), user, via="organisation", roles=access.CASEWORK_ROLES
    )


def can_see_requester(user, request: Request) -> bool:
    """Requesters are private: only officers of the request's organisation see them."""
    return requests_visible_to(user).filter(pk=request.pk).exists()


def open_requests() -> QuerySet[Request]:
    return Request.objects.filter(status__in=Request.OPEN_STATUSES)


def requests_with_running_clocks(*, today: datetime.date) -> QuerySet[Request]:
    """Every request with a date still to come that a new holiday could move: the open ones,
    and answered ones whose requester may still ask for a review (40 working days) or whose
    internal review is not yet due."""
    return Request.objects.filter(
        Q(status__in=Request.OPEN_STATUSES)
        | Q(review_window_closes_on__gte=today)
        | Q(review_due_on__gte=today)
    )


def overdue_requests(*, today: datetime.date) -> QuerySet[Request]:
    """A case is overdue from the day after its due date."""
    return open_requests().filter(due_on__lt=today)


def requests_due_within(*, today: datetime.date, working_days: int) -> QuerySet[Request]:
    """Open requests due today or within the next ``working_days`` working days."""
    last = calendar.add_working_days(today, working_days, calendar=working_day_calendar())
    return open_requests().filter(due_on__gte=today, due_on__lte=last)


def internal_reviews_pending() -> QuerySet[Request]:
    """Requests whose latest internal review request has no decision on or after it: the
    review clock (``review_due_on``, 20 working days) is running."""
    kinds = RequestEvent.Kind
    latest_request = (
        RequestEvent.objects.filter(request=OuterRef("pk"), kind=kinds.REVIEW_REQUESTED)
        .order_by("-occurred_on")
        .values("occurred_on")[:1]
    )
    decided = RequestEvent.objects.filter(
        request=OuterRef("pk"),
        kind=kinds.REVIEW_DECIDED,
        occurred_on__gte=OuterRef("review_requested_on"),
    )
    return (
        Request.objects.filter(review_due_on__isnull=False)
        .annotate(review_requested_on=Subquery(latest_request))
        .exclude(Exists(decided))
    )


def internal_reviews_due_within(*, today: datetime.date, working_days: int) -> QuerySet[Request]:
    """Pending internal reviews due within ``working_days`` working days, or overdue."""
    last = calendar.add_working_days(today, working_days, calendar=working_day_calendar())
    return internal_reviews_pending().filter(review_due_on__lte=last)


def working_days_left(
    request: Request, *, today: datetime.date, cal: calendar.WorkingDayCalendar | None = None
) -> int | None:
    if request.due_on is None:
        return None
    return calendar.working_days_between(
        today, request.due_on, calendar=cal or working_day_calendar()
    )


def deadline_state(days_left: int | None, *, is_open: bool) -> str:
    """``late`` (red), ``due_soon`` (amber, within 5 working days) or ``on_time``."""
    if not is_open or days_left is None:
        return ""
    if days_left < 0:
        return "late"
    if days_left <= settings.FOI_DUE_SOON_WORKING_DAYS:
        return "due_soon"
    return "on_time"


def s12_hours(request: Request) -> Decimal:
    """Hours logged on the four activities the appropriate limit counts."""
    total = request.time_entries.filter(activity__in=TimeEntry.S12_ACTIVITIES).aggregate(
        total=Sum("hours")
    )["total"]
    return total or Decimal("0")


def s12_warning(request: Request) -> str:
    """Warn as the s.12 estimate (logged plus still to do) approaches 18 hours (GBP 450)."""
    limit = Decimal(settings.FOI_S12_APPROPRIATE_LIMIT_HOURS)
    estimate = s12_hours(request) + (request.s12_estimate_hours or Decimal("0"))
    if estimate > limit:
        return (
            f"The s.12 estimate is {estimate} hours, over the appropriate limit of {limit} "
            "hours: consider refusing under s.12 with advice under s.16."
        )
    if estimate >= limit * Decimal(str(settings.FOI_S12_WARNING_FRACTION)):
        return f"The s.12 estimate is {estimate} hours, approaching the limit of {limit} hours."
    return ""


def linked_requests(request: Request) -> list[tuple[str, Request]]:
    """Links shown on both requests, whichever side recorded them."""
    out = [
        (link.get_kind_display(), link.to_request)
        for link in request.links_out.select_related("to_request")
    ]
    out += [
        (link.get_kind_display(), link.from_request)
        for link in request.links_in.select_related("from_request")
    ]
    return out


def late_contributions(request: Request, *, today: datetime.date):
    return request.contributions.filter(status="asked", internal_due_on__lt=today).select_related(
        "department"
    )


def foi_leads_of(organisation: Organisation):
    return organisation.members.filter(groups__name=FOI_LEAD, is_active=True)


# -- records management --------------------------------------------------------------------

# A request in one of these states is finished; its retention period runs from its last
# timeline event (the closure, or a later internal review or ICO step).
CLOSED_STATUSES = (Request.Status.CLOSED, Request.Status.LAPSED, Request.Status.WITHDRAWN)


def years_after(day: datetime.date, years: int) -> datetime.date:
    """The anniversary ``years`` on; 29 February falls on 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _closed_before(today: datetime.date, years: int) -> datetime.date:
    """The latest closure date whose ``years``-th anniversary (``years_after``) is on or
    before ``today``: ``today`` that many years back, or the 29 February after it when that
    day's anniversary falls on 28 February."""
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    following = day + datetime.timedelta(days=1)
    return following if years_after(following, years) <= today else day


def _closed_on():
    return Subquery(
        RequestEvent.objects.filter(request=OuterRef("pk"))
        .order_by("-occurred_on")
        .values("occurred_on")[:1]
    )


def _past_retention(today: datetime.date) -> Q | None:
    """Closed, and closed long enough ago for the request's organisation's period."""
    periods = sorted(set(Organisation.objects.values_list("retention_years", flat=True)))
    if not periods:
        return None
    past = Q()
    for years in periods:
        past |= Q(organisation__retention_years=years, closed_on__lte=_closed_before(today, years))
    return Q(status__in=CLOSED_STATUSES) & past


def requests_due_for_erasure(
    *, today: datetime.date, requests: QuerySet[Request] | None = None
) -> QuerySet[Request]:
    """Closed requests whose requester's details have reached the end of the retention
    period (NHS Records Management Code of Practice 2023: FOI requests, three years after
    closure or any appeal; each organisation may set its own period), annotated with
    ``closed_on``. A requester with another request still open, or closed more recently,
    is kept until that one is due too: their details are still needed for it. ``requests``
    narrows the search (an admin's proxy queryset)."""
    past = _past_retention(today)
    if past is None:
        return Request.objects.none()
    kept = Request.objects.annotate(closed_on=_closed_on()).exclude(past).values("requester_id")
    base = Request.objects.all() if requests is None else requests
    return (
        base.annotate(closed_on=_closed_on())
        .filter(past, requester__erased_on__isnull=True)
        .exclude(requester_id__in=kept)
        .select_related("organisation", "requester")
    )


def erasure_due_on(request: Request) -> datetime.date | None:
    """When this request's retention period ends; None while it is not closed."""
    if request.status not in CLOSED_STATUSES:
        return None
    closed_on = request.events.order_by("-occurred_on").values_list("occurred_on", flat=True)[:1]
    if not closed_on:
        return None
    return years_after(closed_on[0], request.organisation.retention_years)


def requester_erasure_due_on(requester) -> tuple[datetime.date | None, Request | None]:
    """When every request of ``requester`` has reached the end of its retention period, and
    the request that decides it (an open one, with None, or the last to be due)."""
    latest: tuple[datetime.date | None, Request | None] = (None, None)
    for request in requester.requests.select_related("organisation"):
        due_on = erasure_due_on(request)
        if due_on is None:
            return None, request
        if latest[0] is None or due_on > latest[0]:
            latest = (due_on, request)
    return latest
