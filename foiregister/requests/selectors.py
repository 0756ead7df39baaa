"""Every read with a rule in it. Officers reach requests only through
``requests_visible_to``; the public reaches nothing here (see the disclosure log)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from foiregister import calendar
from foiregister.kernel import access
from foiregister.kernel.models import Organisation
from foiregister.kernel.roles import FOI_LEAD

from .models import Contribution, ProclaimedHoliday, Request, RequestEvent, TimeEntry


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
    review clock (``review_due_on``: 20 working days, 40 for an EIR reconsideration) is
    running. ``review_decided_on`` is stored by the clock from the timeline."""
    return Request.objects.filter(review_due_on__isnull=False, review_decided_on__isnull=True)


def internal_reviews_decided() -> QuerySet[Request]:
    return Request.objects.filter(review_decided_on__isnull=False)


def review_state(request: Request) -> str:
    """``in_progress``, ``decided`` or "" (none asked for)."""
    if request.review_decided_on is not None:
        return "decided"
    if request.review_due_on is not None:
        return "in_progress"
    return ""


def latest_review_decision(request: Request) -> RequestEvent | None:
    return (
        request.events.filter(kind=RequestEvent.Kind.REVIEW_DECIDED)
        .order_by("-occurred_on", "-id")
        .first()
    )


def latest_event(request: Request, kind: str) -> RequestEvent | None:
    return request.events.filter(kind=kind).order_by("-occurred_on", "-id").first()


def week_ahead(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """ "This week" for an officer: today through the fifth working day after it, the
    working week ahead. On a Sunday that is Monday to Friday, so Tuesday's deadlines are in
    it; on a Wednesday it runs to next Wednesday, so a Monday deadline is never hidden."""
    cal = working_day_calendar()
    return today, calendar.add_working_days(today, 5, calendar=cal)


def due_or_late_this_week(requests: QuerySet[Request], *, today: datetime.date):
    """Open requests late already or due in the working week ahead."""
    _, last = week_ahead(today)
    return requests.filter(status__in=Request.OPEN_STATUSES, due_on__lte=last)


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


def by_urgency(requests: QuerySet[Request]) -> QuerySet[Request]:
    """Most urgent first: the earliest due date, stopped clocks (no due date) last."""
    return requests.order_by(F("due_on").asc(nulls_last=True), "received_at")


@dataclass
class MyWork:
    """What an officer's own page shows; every queryset already through the access gate."""

    open_requests: QuerySet[Request]
    due_this_week: QuerySet[Request]
    week_ends_on: datetime.date
    awaiting_approval: QuerySet[Request]
    reviews: QuerySet[Request]
    late_contributions: QuerySet[Contribution]
    team: list[dict] = field(default_factory=list)
    is_lead: bool = False


def my_work(user, *, today: datetime.date) -> MyWork:
    """An FOI officer's day: their open requests by days left, those due or late in the
    working week ahead, the internal reviews they carry out (or whose request they hold),
    departments late with their answers; for a lead, requests waiting for approval and
    the team's open cases per officer. Only the user's organisations (the access gate)."""
    visible = requests_visible_to(user)
    mine = visible.filter(assignee=user)
    open_mine = by_urgency(mine.filter(status__in=Request.OPEN_STATUSES)).select_related(
        "organisation"
    )
    _, week_end = week_ahead(today)
    is_lead = user.is_superuser or access.has_any_role(user, (FOI_LEAD,))
    awaiting = visible.filter(status=Request.Status.IN_APPROVAL)
    if not is_lead:
        awaiting = awaiting.none()
    reviews = (
        internal_reviews_pending()
        .filter(pk__in=visible.values("pk"))
        .filter(Q(reviewer=user) | Q(reviewer__isnull=True, assignee=user))
        .order_by("review_due_on")
        .select_related("reviewer", "assignee")
    )
    late = (
        Contribution.objects.filter(
            request__in=visible.filter(status__in=Request.OPEN_STATUSES, assignee=user),
            status=Contribution.Status.ASKED,
            internal_due_on__lt=today,
        )
        .select_related("department", "request")
        .order_by("internal_due_on")
    )
    team: list[dict] = []
    if is_lead:
        counts = {
            row["assignee"]: row
            for row in visible.filter(status__in=Request.OPEN_STATUSES)
            .values("assignee")
            .annotate(
                open=Count("pk"),
                late=Count("pk", filter=Q(due_on__lt=today)),
                this_week=Count("pk", filter=Q(due_on__gte=today, due_on__lte=week_end)),
            )
        }
        for person in access.colleagues_of(user, roles=access.CASEWORK_ROLES):
            row = counts.get(person.pk, {})
            team.append(
                {
                    "person": person,
                    "open": row.get("open", 0),
                    "late": row.get("late", 0),
                    "this_week": row.get("this_week", 0),
                }
            )
        unassigned = counts.get(None)
        if unassigned:
            team.append(
                {
                    "person": None,
                    "open": unassigned["open"],
                    "late": unassigned["late"],
                    "this_week": unassigned["this_week"],
                }
            )
    return MyWork(
        open_requests=open_mine,
        due_this_week=by_urgency(due_or_late_this_week(mine, today=today)),
        week_ends_on=week_end,
        awaiting_approval=by_urgency(awaiting).select_related("assignee"),
        reviews=reviews,
        late_contributions=late,
        team=team,
        is_lead=is_lead,
    )


# -- records management --------------------------------------------------------------------

# A request in one of these states is finished; its retention period runs from its last
# timeline event (the closure, or a later internal review or ICO step).
CLOSED_STATUSES = (
    Request.Status.CLOSED,
    Request.Status.LAPSED,
    Request.Status.WITHDRAWN,
    Request.Status.DUPLICATE,
)


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
