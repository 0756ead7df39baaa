"""FOI compliance statistics (issue 16; s.45 Code of Practice, ICO monitoring): selectors.

Every count is one database aggregation (``COUNT(...) FILTER (WHERE ...)`` over correlated
subqueries of the timeline), never a Python loop over requests. The two figures that need
working-day arithmetic (time to respond, internal reviews in time) are grouped in the database
by their dates, and the calendar is applied once per distinct date, not per request.

The definitions are in ``DEFINITIONS``, shown next to each figure wherever it appears.
Due dates are the stored ones (``statutory_due_on``, ``extended_due_on``), worked out by
``foiregister.calendar`` from the whole timeline: the 20th working day after receipt (a
clarification restarts it, a fees notice pauses it), or the 40th with a public interest or
EIR extension, whatever the estimate given to the requester.
"""

from __future__ import annotations

import datetime
import math
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from foiregister import calendar
from foiregister.kernel.models import Organisation

from . import selectors
from .models import Request, RequestEvent

E = RequestEvent.Kind
O = Request.Outcome  # noqa: E741

# The import's outcome vocabulary, which the statistics use as keys.
OUTCOME_KEYS = {
    O.GRANTED: "granted_in_full",
    O.PARTIAL: "partially_withheld",
    O.WITHHELD: "withheld_in_full",
    O.NOT_HELD: "not_held",
    O.REFUSED_COST: "refused_cost",
    O.REFUSED_VEXATIOUS: "refused_vexatious",
    O.REFUSED_REPEATED: "refused_repeated",
    O.LAPSED: "lapsed",
    O.WITHDRAWN: "withdrawn",
}
REVIEW_KEYS = {"upheld": "upheld", "overturned": "overturned", "partly": "partly"}

DEFINITIONS: dict[str, str] = {
    "period": "FOI and EIR requests received from `from` to `to`, both included (date of "
    "receipt, Europe/London); subject access requests are counted separately.",
    "as_of": "The date the state of each request is read at.",
    "received": "FOI and EIR requests received in the period.",
    "sar_received": "Subject access requests received in the period.",
    "by_regime": "Requests received in the period, by regime.",
    "withdrawn": "Withdrawn on or before as_of.",
    "lapsed": "Lapsed (no clarification or fee) on or before as_of.",
    "on_hold": "Not responded, withdrawn or lapsed, and awaiting clarification or a fee at as_of.",
    "responded": "A response dated on or before as_of (the first response; withdrawn and "
    "lapsed requests excluded).",
    "in_time": "Responded on or before the due date: the 20th working day after receipt "
    "(clarification restarts the clock, a fees notice pauses it) or, with a public interest "
    "or EIR extension, the 40th working day (not the earlier date promised). A response on "
    "a non-working day counts as given that day.",
    "late": "Responded after the due date.",
    "open_overdue": "Not responded, withdrawn, lapsed or on hold at as_of, and as_of after "
    "the due date.",
    "in_time_percent": "100 x in_time / (in_time + late + open_overdue), to one decimal place, "
    "half away from zero; null when the divisor is 0. The ICO expects at least 90.",
    "outcomes": "Outcome of each responded request.",
    "exemptions": "For each section, the number of responded requests citing it (once per "
    "request).",
    "internal_reviews": "Reviews of FOI and EIR requests requested in the period (whenever the "
    "request was received): requested; decided on or before as_of; decided in time (on or "
    "before the 20th working day after the request for review, the 40th for an EIR "
    "reconsideration, reg 11(4)); and the decisions.",
    "working_days_to_respond": "Working days from the date of receipt (day 0) to the "
    "response, over responded requests, with no allowance for clock stops: median (the mean "
    "of the two middle values for an even count) and 90th percentile (nearest rank); null "
    "when none.",
}


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(0)))


def received_between(
    organisation: Organisation, date_from: datetime.date, date_to: datetime.date
) -> QuerySet[Request]:
    """Requests received from ``date_from`` to ``date_to`` (both included), by the date of
    receipt in Europe/London; a range on the timestamp so the index can be used."""
    return Request.objects.filter(
        organisation=organisation,
        received_at__gte=_midnight(date_from),
        received_at__lt=_midnight(date_to + datetime.timedelta(days=1)),
    )


def _on(kind: str, as_of: datetime.date, *, last: bool = False):
    """The first (or last) date of an event of ``kind`` on or before ``as_of``: an aggregate
    over the joined timeline, so one grouped scan serves every request (correlated
    subqueries per request were 1 ms a request on PostgreSQL)."""
    return (Max if last else Min)(
        "events__occurred_on", filter=Q(events__kind=kind, events__occurred_on__lte=as_of)
    )


def with_state(qs: QuerySet[Request], *, as_of: datetime.date) -> QuerySet[Request]:
    """Annotate each request with the dates of its timeline that say its state at ``as_of``."""
    return qs.order_by().annotate(
        first_response_on=_on(E.RESPONSE_SENT, as_of),
        withdrawn_on=_on(E.WITHDRAWN, as_of),
        lapsed_on=_on(E.LAPSED, as_of),
        sought_on=_on(E.CLARIFICATION_SOUGHT, as_of, last=True),
        clarified_on=_on(E.CLARIFICATION_RECEIVED, as_of, last=True),
        fee_notice_on=_on(E.FEES_NOTICE, as_of, last=True),
        fee_paid_on=_on(E.FEE_PAID, as_of, last=True),
        limit_on=Coalesce("extended_due_on", "statutory_due_on"),
    )


def conditions() -> dict[str, Q]:
    ended = Q(withdrawn_on__isnull=False) | Q(lapsed_on__isnull=False)
    responded = Q(first_response_on__isnull=False) & ~ended
    open_ = Q(first_response_on__isnull=True) & ~ended
    awaiting_clarification = Q(sought_on__isnull=False) & (
        Q(clarified_on__isnull=True) | Q(clarified_on__lt=F("sought_on"))
    )
    awaiting_fee = Q(fee_notice_on__isnull=False) & (
        Q(fee_paid_on__isnull=True) | Q(fee_paid_on__lt=F("fee_notice_on"))
    )
    on_hold = open_ & (awaiting_clarification | awaiting_fee)
    # A clock stopped by an unpaid fees notice has no due date: a response then is in time.
    in_time = responded & (Q(limit_on__isnull=True) | Q(first_response_on__lte=F("limit_on")))
    late = responded & Q(first_response_on__gt=F("limit_on"))
    return {
        "responded": responded,
        "on_hold": on_hold,
        "in_time": in_time,
        "late": late,
        "open": open_ & ~(awaiting_clarification | awaiting_fee),
    }


def percent(numerator: int, denominator: int) -> float | None:
    """To one decimal place, half away from zero (Decimal's ROUND_HALF_UP); None for 0/0."""
    if not denominator:
        return None
    value = Decimal(100 * numerator) / Decimal(denominator)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def median_and_p90(histogram: Counter[int]) -> tuple[float | int | None, int | None]:
    """Median (mean of the two middle values of an even count) and 90th percentile by
    nearest rank (the value at rank ceil(0.9 n)), from ``{value: count}``."""
    n = sum(histogram.values())
    if n == 0:
        return None, None

    def at(rank: int) -> int:  # 1-based rank in the sorted values
        seen = 0
        for value in sorted(histogram):
            seen += histogram[value]
            if seen >= rank:
                return value
        raise AssertionError("rank beyond the count")  # pragma: no cover

    if n % 2:
        median: float | int = at((n + 1) // 2)
    else:
        low, high = at(n // 2), at(n // 2 + 1)
        median = (low + high) / 2
        if median == int(median):
            median = int(median)
    return median, at(math.ceil(0.9 * n))


def working_days_histogram(
    pairs: list[tuple[datetime.date, datetime.date, int]], cal: calendar.WorkingDayCalendar
) -> Counter[int]:
    """``{working days: count}`` from ``(date of receipt, response, count)`` rows. Working
    days after the receipt up to and including the response (``working_days_between``),
    as the difference of a running count of working days, walked once over the dates."""
    histogram: Counter[int] = Counter()
    if not pairs:
        return histogram
    first = min(min(a, b) for a, b, _ in pairs)
    last = max(max(a, b) for a, b, _ in pairs)
    running: dict[datetime.date, int] = {}
    count, day = 0, first
    while day <= last:
        if day != first and cal.is_working_day(day):
            count += 1
        running[day] = count
        day += datetime.timedelta(days=1)
    for received, responded, n in pairs:
        histogram[running[responded] - running[received]] += n
    return histogram


def foi_statistics(
    *,
    organisation: Organisation,
    date_from: datetime.date,
    date_to: datetime.date,
    as_of: datetime.date | None = None,
) -> dict[str, Any]:
    """The figures of ``DEFINITIONS`` for one organisation and period, read at ``as_of``."""
    as_of = as_of or selectors.local_today()
    period = received_between(organisation, date_from, date_to)
    sar_received = period.filter(regime=Request.Regime.SAR).count()
    qs = with_state(
        period.filter(regime__in=(Request.Regime.FOI, Request.Regime.EIR)), as_of=as_of
    )
    c = conditions()
    counts = qs.aggregate(
        received=Count("pk"),
        foi=Count("pk", filter=Q(regime=Request.Regime.FOI)),
        eir=Count("pk", filter=Q(regime=Request.Regime.EIR)),
        withdrawn=Count("pk", filter=Q(withdrawn_on__isnull=False)),
        lapsed=Count("pk", filter=Q(lapsed_on__isnull=False)),
        on_hold=Count("pk", filter=c["on_hold"]),
        responded=Count("pk", filter=c["responded"]),
        in_time=Count("pk", filter=c["in_time"]),
        late=Count("pk", filter=c["late"]),
        open_overdue=Count("pk", filter=c["open"] & Q(limit_on__lt=as_of)),
        **{
            f"outcome_{key}": Count("pk", filter=c["responded"] & Q(outcome=value))
            for value, key in OUTCOME_KEYS.items()
        },
    )
    # The responded requests again, for the grouped queries below, as semi-joins on the
    # timeline (PostgreSQL hashes them) rather than the grouped query above.
    responded = period.filter(
        Exists(
            RequestEvent.objects.filter(
                request=OuterRef("pk"), kind=E.RESPONSE_SENT, occurred_on__lte=as_of
            )
        ),
        ~Exists(
            RequestEvent.objects.filter(
                request=OuterRef("pk"), kind__in=(E.WITHDRAWN, E.LAPSED), occurred_on__lte=as_of
            )
        ),
        regime__in=(Request.Regime.FOI, Request.Regime.EIR),
    )
    outcomes = {key: counts[f"outcome_{key}"] for key in OUTCOME_KEYS.values()}
    exemptions = {
        row["questions__exemptions__section"]: row["n"]
        for row in responded.filter(questions__exemptions__isnull=False)
        .order_by()
        .values("questions__exemptions__section")
        .annotate(n=Count("pk", distinct=True))
        .order_by("questions__exemptions__section")
    }
    pairs = [
        (row["received_on"], row["first_response_on"], row["n"])
        for row in responded.annotate(
            received_on=TruncDate("received_at"),
            first_response_on=Subquery(
                RequestEvent.objects.filter(
                    request=OuterRef("pk"), kind=E.RESPONSE_SENT, occurred_on__lte=as_of
                )
                .order_by("occurred_on")
                .values("occurred_on")[:1]
            ),
        )
        .order_by()
        .values("received_on", "first_response_on")
        .annotate(n=Count("pk"))
    ]
    histogram = working_days_histogram(pairs, selectors.working_day_calendar())
    median, p90 = median_and_p90(histogram)
    in_time, late, overdue = counts["in_time"], counts["late"], counts["open_overdue"]
    return {
        "organisation": organisation.ods_code,
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "as_of": as_of.isoformat(),
        "received": counts["received"],
        "by_regime": {"FOI": counts["foi"], "EIR": counts["eir"]},
        "sar_received": sar_received,
        "withdrawn": counts["withdrawn"],
        "lapsed": counts["lapsed"],
        "on_hold": counts["on_hold"],
        "responded": counts["responded"],
        "in_time": in_time,
        "late": late,
        "open_overdue": overdue,
        "in_time_percent": percent(in_time, in_time + late + overdue),
        "outcomes": outcomes,
        "exemptions": exemptions,
        "internal_reviews": internal_reviews(
            organisation=organisation, date_from=date_from, date_to=date_to, as_of=as_of
        ),
        "working_days_to_respond": {"median": median, "p90": p90},
    }


def internal_reviews(
    *,
    organisation: Organisation,
    date_from: datetime.date,
    date_to: datetime.date,
    as_of: datetime.date,
) -> dict[str, int]:
    """Reviews requested in the period; each is decided by the first decision on or after
    the day it was requested. Grouped in the database by (requested, regime, decided,
    decision): the review's deadline is worked out once per distinct date."""
    decision = RequestEvent.objects.filter(
        request=OuterRef("request"),
        kind=E.REVIEW_DECIDED,
        occurred_on__gte=OuterRef("occurred_on"),
        occurred_on__lte=as_of,
    ).order_by("occurred_on", "pk")
    rows = (
        RequestEvent.objects.filter(
            request__organisation=organisation,
            request__regime__in=(Request.Regime.FOI, Request.Regime.EIR),
            kind=E.REVIEW_REQUESTED,
            occurred_on__gte=date_from,
            occurred_on__lte=date_to,
        )
        .annotate(
            decided_on=Subquery(decision.values("occurred_on")[:1]),
            decided_as=Subquery(decision.values("decision")[:1]),
        )
        .order_by()
        .values("occurred_on", "request__regime", "decided_on", "decided_as")
        .annotate(n=Count("pk"))
    )
    cal = selectors.working_day_calendar()
    deadlines: dict[tuple[datetime.date, str], datetime.date] = {}
    result = {
        "requested": 0,
        "decided": 0,
        "decided_in_time": 0,
        "upheld": 0,
        "overturned": 0,
        "partly": 0,
    }
    for row in rows:
        result["requested"] += row["n"]
        if row["decided_on"] is None:
            continue
        result["decided"] += row["n"]
        key = (row["occurred_on"], row["request__regime"])
        if key not in deadlines:
            days = (
                calendar.EXTENDED_WORKING_DAYS
                if row["request__regime"] == Request.Regime.EIR
                else calendar.INTERNAL_REVIEW_WORKING_DAYS
            )
            deadlines[key] = calendar.add_working_days(row["occurred_on"], days, calendar=cal)
        if row["decided_on"] <= deadlines[key]:
            result["decided_in_time"] += row["n"]
        if row["decided_as"] in REVIEW_KEYS:
            result[REVIEW_KEYS[row["decided_as"]]] += row["n"]
    return result


CSV_FIELDS = (
    "organisation",
    "from",
    "to",
    "as_of",
    "received",
    "by_regime.FOI",
    "by_regime.EIR",
    "sar_received",
    "withdrawn",
    "lapsed",
    "on_hold",
    "responded",
    "in_time",
    "late",
    "open_overdue",
    "in_time_percent",
)


def flatten(figures: dict[str, Any]) -> list[tuple[str, Any]]:
    """``(figure, value)`` pairs with nested keys joined by dots, for CSV and tables."""
    rows: list[tuple[str, Any]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        else:
            rows.append((prefix, value))

    walk("", figures)
    return rows
