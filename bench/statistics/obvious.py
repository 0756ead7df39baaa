"""The obvious way to count the FOI statistics: load every request of the period with its
timeline and questions, and count in Python, one request at a time. Kept as the yardstick
for ``foiregister.requests.statistics`` (and a cross-check: both must give the same figures)."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from foiregister import calendar
from foiregister.requests import selectors
from foiregister.requests.models import Request, RequestEvent
from foiregister.requests.statistics import OUTCOME_KEYS, received_between

E = RequestEvent.Kind


def obvious_statistics(*, organisation, date_from, date_to, as_of) -> dict:
    cal = selectors.working_day_calendar()
    period = received_between(organisation, date_from, date_to).prefetch_related(
        "events", "questions__exemptions"
    )
    f = dict.fromkeys(
        (
            "received",
            "FOI",
            "EIR",
            "sar_received",
            "withdrawn",
            "lapsed",
            "on_hold",
            "responded",
            "in_time",
            "late",
            "open_overdue",
        ),
        0,
    )
    outcomes = dict.fromkeys(OUTCOME_KEYS.values(), 0)
    exemptions: dict[str, int] = {}
    days: list[int] = []
    for r in period:
        if r.regime == Request.Regime.SAR:
            f["sar_received"] += 1
            continue
        f["received"] += 1
        f[r.get_regime_display()] += 1
        ev = [e for e in r.events.all() if e.occurred_on <= as_of]

        def first(kind, ev=ev):
            return min((e.occurred_on for e in ev if e.kind == kind), default=None)

        def last(kind, ev=ev):
            return max((e.occurred_on for e in ev if e.kind == kind), default=None)

        withdrawn, lapsed = first(E.WITHDRAWN), first(E.LAPSED)
        f["withdrawn"] += withdrawn is not None
        f["lapsed"] += lapsed is not None
        if withdrawn or lapsed:
            continue
        response = first(E.RESPONSE_SENT)
        limit = r.extended_due_on or r.statutory_due_on
        if response is not None:
            f["responded"] += 1
            if limit is None or response <= limit:
                f["in_time"] += 1
            else:
                f["late"] += 1
            if r.outcome in OUTCOME_KEYS:
                outcomes[OUTCOME_KEYS[r.outcome]] += 1
            for section in {x.section for q in r.questions.all() for x in q.exemptions.all()}:
                exemptions[section] = exemptions.get(section, 0) + 1
            received = selectors.date_of_receipt(r.received_at)
            days.append(calendar.working_days_between(received, response, calendar=cal))
            continue
        sought, clarified = last(E.CLARIFICATION_SOUGHT), last(E.CLARIFICATION_RECEIVED)
        notice, paid = last(E.FEES_NOTICE), last(E.FEE_PAID)
        if (sought and (clarified is None or clarified < sought)) or (
            notice and (paid is None or paid < notice)
        ):
            f["on_hold"] += 1
        elif limit is not None and limit < as_of:
            f["open_overdue"] += 1
    days.sort()
    n = len(days)
    median = p90 = None
    if n:
        median = days[n // 2] if n % 2 else (days[n // 2 - 1] + days[n // 2]) / 2
        if median == int(median):
            median = int(median)
        p90 = days[math.ceil(0.9 * n) - 1]
    divisor = f["in_time"] + f["late"] + f["open_overdue"]
    percent = (
        float((Decimal(100 * f["in_time"]) / divisor).quantize(Decimal("0.1"), ROUND_HALF_UP))
        if divisor
        else None
    )
    reviews = dict.fromkeys(
        ("requested", "decided", "decided_in_time", "upheld", "overturned", "partly"), 0
    )
    for review in RequestEvent.objects.filter(
        request__organisation=organisation,
        request__regime__in=("foi", "eir"),
        kind=E.REVIEW_REQUESTED,
        occurred_on__gte=date_from,
        occurred_on__lte=date_to,
    ).select_related("request"):
        reviews["requested"] += 1
        decision = (
            review.request.events.filter(
                kind=E.REVIEW_DECIDED,
                occurred_on__gte=review.occurred_on,
                occurred_on__lte=as_of,
            )
            .order_by("occurred_on", "pk")
            .first()
        )
        if decision is None:
            continue
        reviews["decided"] += 1
        limit_days = 40 if review.request.regime == "eir" else 20
        due = calendar.add_working_days(review.occurred_on, limit_days, calendar=cal)
        reviews["decided_in_time"] += decision.occurred_on <= due
        if decision.decision in reviews:
            reviews[decision.decision] += 1
    return {
        "organisation": organisation.ods_code,
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "as_of": as_of.isoformat(),
        "received": f["received"],
        "by_regime": {"FOI": f["FOI"], "EIR": f["EIR"]},
        "sar_received": f["sar_received"],
        "withdrawn": f["withdrawn"],
        "lapsed": f["lapsed"],
        "on_hold": f["on_hold"],
        "responded": f["responded"],
        "in_time": f["in_time"],
        "late": f["late"],
        "open_overdue": f["open_overdue"],
        "in_time_percent": percent,
        "outcomes": outcomes,
        "exemptions": dict(sorted(exemptions.items())),
        "internal_reviews": reviews,
        "working_days_to_respond": {"median": median, "p90": p90},
    }
