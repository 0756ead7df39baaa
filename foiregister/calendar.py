"""The statutory clocks of an English NHS body: pure Python, no Django.

Every rule here is in ``shared/domain/foi-deadlines.md`` with its source. The Django layer
passes the administrator's proclaimed holidays in as ``extra_holidays``; called without them
the UK-wide days of the ``holidays`` package are used, so ``due_date(received, "foi")`` is a
stable entry point for checks outside the test suite.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import holidays as _holidays

FOI_WORKING_DAYS = 20
EXTENDED_WORKING_DAYS = 40
INTERNAL_REVIEW_WORKING_DAYS = 20
INTERNAL_REVIEW_EXCEPTIONAL_WORKING_DAYS = 40
REVIEW_REQUEST_WINDOW_WORKING_DAYS = 40
CONTRIBUTION_LEAD_WORKING_DAYS = 10

UK_NATIONS = ("ENG", "WLS", "SCT", "NIR")
ENGLAND_AND_WALES = ("ENG", "WLS")

EIR_RECONSIDERATION_WORKING_DAYS = 40
ICO_COMPLIANCE_CALENDAR_DAYS = 35
FEE_LAPSE_MONTHS = 3

CLOCKS = ("foi", "eir_extended", "pit_extension", "internal_review", "eir_reconsideration", "sar")

# Working days each clock counts after its date of receipt (s.10(1), s.10(3) as the ICO
# reads it, EIR reg 7(1), s.45 Code Part 5). The SAR clock counts a calendar month instead.
_WORKING_DAY_CLOCKS = {
    "foi": FOI_WORKING_DAYS,
    "eir_extended": EXTENDED_WORKING_DAYS,
    "pit_extension": EXTENDED_WORKING_DAYS,
    "internal_review": INTERNAL_REVIEW_WORKING_DAYS,
    "eir_reconsideration": EIR_RECONSIDERATION_WORKING_DAYS,
}


@dataclass(frozen=True)
class ProclaimedDay:
    """A day proclaimed under BFDA s.1(3) for some nations only (e.g. Mon 15 June 2026,
    Scotland). FOI counts it wherever it applies; a SAR only if England or Wales has it."""

    name: str
    nations: tuple[str, ...] = UK_NATIONS

    def __str__(self) -> str:
        return self.name


# An extra day's value is its name (a holiday in every nation) or a ProclaimedDay.
HolidayMap = Mapping[datetime.date, str | ProclaimedDay]


def _extra_days(
    extra_holidays: HolidayMap | None, nations: tuple[str, ...]
) -> dict[datetime.date, str]:
    """The extra days that are holidays in at least one of ``nations``, by name."""
    return {
        day: str(value)
        for day, value in (extra_holidays or {}).items()
        if not isinstance(value, ProclaimedDay) or set(value.nations) & set(nations)
    }


@lru_cache(maxsize=64)
def _package_holidays(year: int, nations: tuple[str, ...]) -> dict[datetime.date, str]:
    days: dict[datetime.date, str] = {}
    for nation in nations:
        for day, name in _holidays.country_holidays("GB", subdiv=nation, years=year).items():
            label = f"{name} ({nation})"
            days[day] = f"{days[day]}; {label}" if day in days else label
    return days


def uk_bank_holidays(
    years: Iterable[int],
    *,
    extra_holidays: HolidayMap | None = None,
    nations: tuple[str, ...] = UK_NATIONS,
) -> dict[datetime.date, str]:
    """Bank holidays in any of ``nations``, with their names, plus proclaimed extra days.

    FOIA s.10(6) excludes a bank holiday "in any part of the United Kingdom", so a
    Scotland-only or Northern Ireland-only day is a non-working day for an English Trust too
    (ICO line to take LTT47). The ``holidays`` package is asked per nation because asking for
    GB alone misses regional days.
    """
    years = set(years)
    days: dict[datetime.date, str] = {}
    for year in years:
        days.update(_package_holidays(year, tuple(nations)))
    for day, name in _extra_days(extra_holidays, tuple(nations)).items():
        if day.year in years:
            days.setdefault(day, name)
    return days


class WorkingDayCalendar:
    """Answers "is this a working day?" for any date, loading holiday years lazily."""

    def __init__(
        self,
        *,
        extra_holidays: HolidayMap | None = None,
        nations: tuple[str, ...] = UK_NATIONS,
    ) -> None:
        self._extra = _extra_days(extra_holidays, nations)
        self._nations = nations
        self._years: set[int] = set()
        self._days: dict[datetime.date, str] = {}

    def _load(self, year: int) -> None:
        if year not in self._years:
            self._years.add(year)
            self._days.update(_package_holidays(year, self._nations))
            for day, name in self._extra.items():
                if day.year == year:
                    self._days.setdefault(day, name)

    def holiday_name(self, day: datetime.date) -> str | None:
        self._load(day.year)
        return self._days.get(day)

    def non_working_reason(self, day: datetime.date) -> str | None:
        """Why ``day`` is not a working day, or None when it is one."""
        if day.weekday() == 5:
            return "Saturday"
        if day.weekday() == 6:
            return "Sunday"
        return self.holiday_name(day)

    def is_working_day(self, day: datetime.date) -> bool:
        return self.non_working_reason(day) is None

    def next_working_day_on_or_after(self, day: datetime.date) -> datetime.date:
        while not self.is_working_day(day):
            day += datetime.timedelta(days=1)
        return day


@dataclass(frozen=True)
class SkippedDay:
    day: datetime.date
    reason: str


@dataclass(frozen=True)
class FeePause:
    """Working days from the fees notice to the day the fee arrives, both included (s.10(2))."""

    notice_given: datetime.date
    fee_received: datetime.date | None


@dataclass
class ClockWorking:
    """How a due date was worked out, step by step, for the request page."""

    clock: str
    date_of_receipt: datetime.date
    working_days: int
    due: datetime.date | None
    day_one: datetime.date | None = None
    skipped: list[SkippedDay] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def count_working_days(
    date_of_receipt: datetime.date,
    working_days: int,
    *,
    calendar: WorkingDayCalendar,
    pauses: Iterable[FeePause] = (),
    clock: str = "foi",
) -> ClockWorking:
    """The ``working_days``-th working day after the date of receipt, which is day 0.

    Day 1 is the first working day after receipt (FOIA s.10(1), ICO and WhatDoTheyKnow
    reading), so a request received on a Saturday falls due with Friday's. Working days inside
    a fee pause are not counted; an unpaid fees notice stops the clock, so there is no due date.
    """
    working = ClockWorking(
        clock=clock, date_of_receipt=date_of_receipt, working_days=working_days, due=None
    )
    pauses = sorted(pauses, key=lambda p: p.notice_given)
    counted = 0
    day = date_of_receipt
    # A fees notice given after the clock has run out cannot move a deadline already passed;
    # bounded loop: 20 or 40 working days never span more than a few months of calendar days.
    for _ in range(working_days * 7 + 800):
        day += datetime.timedelta(days=1)
        reason = calendar.non_working_reason(day)
        if reason is not None:
            working.skipped.append(SkippedDay(day, reason))
            continue
        pause = next(
            (
                p
                for p in pauses
                if p.notice_given <= day and (p.fee_received is None or day <= p.fee_received)
            ),
            None,
        )
        if pause is not None:
            if pause.fee_received is None:
                working.notes.append(
                    f"Clock stopped on {day:%a %d %b %Y}: fees notice given "
                    f"{pause.notice_given:%d %b %Y}, fee not yet received (s.10(2))."
                )
                return working
            working.skipped.append(SkippedDay(day, "Fee pause (s.10(2))"))
            continue
        counted += 1
        if counted == 1:
            working.day_one = day
        if counted == working_days:
            working.due = day
            return working
    raise ValueError(f"{clock}: no due date found within the search window")  # pragma: no cover


def add_working_days(
    date_of_receipt: datetime.date,
    working_days: int,
    *,
    calendar: WorkingDayCalendar | None = None,
) -> datetime.date:
    """The ``working_days``-th working day after ``date_of_receipt`` (day 0)."""
    working = count_working_days(
        date_of_receipt, working_days, calendar=calendar or WorkingDayCalendar()
    )
    assert working.due is not None
    return working.due


def subtract_working_days(
    day: datetime.date,
    working_days: int,
    *,
    calendar: WorkingDayCalendar | None = None,
) -> datetime.date:
    """The working day ``working_days`` working days before ``day``.

    Used for a contributing department's internal deadline: by default 10 working days
    before the statutory one, so the FOI office has time to collate and approve.
    """
    calendar = calendar or WorkingDayCalendar()
    counted = 0
    while counted < working_days:
        day -= datetime.timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return day


def add_calendar_month(day: datetime.date, months: int = 1) -> datetime.date:
    """The corresponding date ``months`` later, or that month's last day where none exists."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = _stdlib_calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last))


def sar_working(
    date_of_receipt: datetime.date,
    *,
    months: int = 1,
    calendar: WorkingDayCalendar | None = None,
) -> ClockWorking:
    """UK GDPR Art 12(3) as the ICO reads it: receipt is day 1, due on the corresponding
    date of the next month (or its last day), moved to the next working day when that falls
    on a weekend or an England and Wales bank holiday. ``months=3`` gives the extended date.
    """
    calendar = calendar or WorkingDayCalendar(nations=ENGLAND_AND_WALES)
    nominal = add_calendar_month(date_of_receipt, months)
    working = ClockWorking(clock="sar", date_of_receipt=date_of_receipt, working_days=0, due=None)
    working.notes.append(
        f"One calendar month{'s' if months > 1 else ''} ({months}) from "
        f"{date_of_receipt:%d %b %Y}: {nominal:%a %d %b %Y}."
    )
    due = nominal
    while (reason := calendar.non_working_reason(due)) is not None:
        working.skipped.append(SkippedDay(due, reason))
        due += datetime.timedelta(days=1)
    working.due = due
    return working


def clock_working(
    date_of_receipt: datetime.date,
    clock: str,
    *,
    extra_holidays: HolidayMap | None = None,
    pauses: Iterable[FeePause] = (),
) -> ClockWorking:
    """How ``clock`` runs from ``date_of_receipt``, with every skipped day and pause."""
    if clock == "sar":
        return sar_working(
            date_of_receipt,
            calendar=WorkingDayCalendar(extra_holidays=extra_holidays, nations=ENGLAND_AND_WALES),
        )
    if clock not in _WORKING_DAY_CLOCKS:
        raise ValueError(f"unknown clock {clock!r}: expected one of {', '.join(CLOCKS)}")
    return count_working_days(
        date_of_receipt,
        _WORKING_DAY_CLOCKS[clock],
        calendar=WorkingDayCalendar(extra_holidays=extra_holidays),
        pauses=pauses,
        clock=clock,
    )


def due_date(
    received: datetime.date,
    clock: str,
    *,
    extra_holidays: HolidayMap | None = None,
    pauses: Iterable[FeePause] = (),
) -> datetime.date:
    """The due date of ``clock`` for something received on ``received``.

    ``clock`` is one of ``"foi"`` (20 working days, s.10(1)), ``"eir_extended"`` (40, EIR
    reg 7(1)), ``"pit_extension"`` (the ICO's limit of 40 working days, s.10(3)),
    ``"internal_review"`` (20 working days from the request for review, s.45 Code Part 5) and
    ``"sar"`` (one calendar month, UK GDPR Art 12(3)). Anything else raises ``ValueError``.
    ``received`` is the date of receipt, or of the clarification that restarted the clock.
    """
    if isinstance(received, datetime.datetime):
        raise TypeError("due_date takes the date of receipt, not a timestamp")
    working = clock_working(received, clock, extra_holidays=extra_holidays, pauses=pauses)
    if working.due is None:
        raise ValueError(f"{clock}: the clock is stopped by an unpaid fees notice")
    return working.due


def review_request_deadline(
    response_date: datetime.date, *, extra_holidays: HolidayMap | None = None
) -> datetime.date:
    """Last day for the requester to ask for an internal review: 40 working days from the
    response (s.45 Code para 5.4)."""
    return add_working_days(
        response_date,
        REVIEW_REQUEST_WINDOW_WORKING_DAYS,
        calendar=WorkingDayCalendar(extra_holidays=extra_holidays),
    )


def working_days_between(
    start: datetime.date, end: datetime.date, *, calendar: WorkingDayCalendar
) -> int:
    """Working days after ``start`` up to and including ``end``; negative, counted the same
    way from ``end``, when ``end`` is earlier. "Working days left" on the officer's list."""
    if end < start:
        return -working_days_between(end, start, calendar=calendar)
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if calendar.is_working_day(day):
            count += 1
    return count


@dataclass(frozen=True)
class TimelineStep:
    """One dated event on a request's timeline, as the clock needs it."""

    kind: str
    on: datetime.date
    target_on: datetime.date | None = None


@dataclass
class RequestClock:
    """Every date the register stores for a request, and how each was worked out."""

    clock_started_on: datetime.date
    statutory_due_on: datetime.date | None
    extended_due_on: datetime.date | None
    due_on: datetime.date | None
    responded_on: datetime.date | None
    review_window_closes_on: datetime.date | None
    review_due_on: datetime.date | None
    workings: list[ClockWorking]
    notes: list[str]
    # The internal review's decision, when one was recorded on or after the latest request
    # for review: the review is then decided, not due.
    review_decided_on: datetime.date | None = None
    # An ICO decision notice's compliance date: 35 calendar days unless the notice says.
    ico_compliance_due_on: datetime.date | None = None
    # While a fees notice is unpaid: working days used before it, those left, and the day
    # the request lapses (three months after the notice, s.9(2)).
    fee_days_used: int | None = None
    fee_days_left: int | None = None
    fee_lapses_on: datetime.date | None = None


def request_clock(
    regime: str,
    date_of_receipt: datetime.date,
    timeline: Iterable[TimelineStep],
    *,
    extra_holidays: HolidayMap | None = None,
    uk_calendar: WorkingDayCalendar | None = None,
    england_and_wales_calendar: WorkingDayCalendar | None = None,
) -> RequestClock:
    """Work out a request's due dates from its timeline.

    - Clarification received restarts the clock from the day it arrives (s.1(3), s.10(6)(b);
      EIR reg 9): it is not a pause. While clarification is awaited there is no due date.
    - A fees notice pauses the clock from the day it is given to the day the fee arrives,
      both included (s.10(2)); unpaid, the clock is stopped.
    - A public interest extension moves the target to the 40th working day (ICO); an EIR
      extension to the 40th (reg 7(1)); a SAR extension to three calendar months (Art 12(3)).
    - After a public interest extension the date promised to the requester (the estimate
      in the refusal notice) is the one the office works to (``due_on``); the 40th working
      day stays as ``extended_due_on`` for the statistics, which count a response in time
      within a permitted extension.
    - After a response the requester has 40 working days to ask for a review; a review is
      due 20 working days after it is asked for (s.45 Code Part 5), an EIR reconsideration
      40 working days after the representations (EIR reg 11(4)).
    - An ICO decision notice must be complied with within 35 calendar days unless the
      notice sets another date (``target_on``).
    """
    steps = sorted(timeline, key=lambda s: s.on)
    notes: list[str] = []
    start = date_of_receipt
    awaiting_clarification = False
    for step in steps:
        if step.kind == "clarification_sought":
            awaiting_clarification = True
        elif step.kind == "clarification_received":
            awaiting_clarification = False
            start = step.on
            notes.append(
                f"Clarification received {step.on:%a %d %b %Y}: the clock restarts, "
                "and that day is the new date of receipt."
            )
    pauses: list[FeePause] = []
    for step in steps:
        if step.on < start:
            continue
        if step.kind == "fees_notice":
            pauses.append(FeePause(step.on, None))
        elif step.kind == "fee_paid" and pauses and pauses[-1].fee_received is None:
            pauses[-1] = FeePause(pauses[-1].notice_given, step.on)
    kinds = {s.kind for s in steps}
    workings: list[ClockWorking] = []
    extended: datetime.date | None = None
    promised: datetime.date | None = None
    uk = uk_calendar or WorkingDayCalendar(extra_holidays=extra_holidays)
    if regime == "sar":
        calendar = england_and_wales_calendar or WorkingDayCalendar(
            extra_holidays=extra_holidays, nations=ENGLAND_AND_WALES
        )
        main = sar_working(start, calendar=calendar)
        workings.append(main)
        if "sar_extension" in kinds:
            ext = sar_working(start, months=3, calendar=calendar)
            workings.append(ext)
            extended = ext.due
    else:
        calendar = uk
        main = count_working_days(
            start, FOI_WORKING_DAYS, calendar=calendar, pauses=pauses, clock=regime
        )
        workings.append(main)
        extension_kind = "pit_extension" if regime == "foi" else "eir_extension"
        if extension_kind in kinds:
            ext = count_working_days(
                start,
                EXTENDED_WORKING_DAYS,
                calendar=calendar,
                pauses=pauses,
                clock="pit_extension" if regime == "foi" else "eir_extended",
            )
            workings.append(ext)
            extended = ext.due
            for step in steps:
                if step.kind == "pit_extension" and step.target_on:
                    promised = step.target_on
                    notes.append(
                        f"Estimate given to the requester: {step.target_on:%a %d %b %Y}; "
                        "lists and reminders work to it."
                    )
                    if ext.due and step.target_on > ext.due:
                        notes.append(
                            "The estimate is later than the 40th working day the ICO "
                            "regards as the reasonable limit."
                        )
    statutory = main.due
    due = None if awaiting_clarification else (promised or extended or statutory)
    if awaiting_clarification:
        notes.append("Awaiting clarification: the clock restarts when it arrives.")
    responded = max((s.on for s in steps if s.kind == "response_sent"), default=None)
    review_window = review_due = None
    calendar = uk
    if responded:
        window = count_working_days(
            responded, REVIEW_REQUEST_WINDOW_WORKING_DAYS, calendar=calendar, clock="review_window"
        )
        workings.append(window)
        review_window = window.due
    review_requested = max((s.on for s in steps if s.kind == "review_requested"), default=None)
    review_decided = None
    if review_requested:
        eir = regime == "eir"
        review = count_working_days(
            review_requested,
            EIR_RECONSIDERATION_WORKING_DAYS if eir else INTERNAL_REVIEW_WORKING_DAYS,
            calendar=calendar,
            clock="eir_reconsideration" if eir else "internal_review",
        )
        workings.append(review)
        review_due = review.due
        review_decided = max(
            (s.on for s in steps if s.kind == "review_decided" and s.on >= review_requested),
            default=None,
        )
    ico_decision = [s for s in steps if s.kind == "ico_decision"]
    ico_compliance = None
    if ico_decision:
        last = ico_decision[-1]
        ico_compliance = last.target_on or last.on + datetime.timedelta(
            days=ICO_COMPLIANCE_CALENDAR_DAYS
        )
    fee_used = fee_left = fee_lapses = None
    unpaid = [p for p in pauses if p.fee_received is None]
    if unpaid and regime != "sar" and not awaiting_clarification:
        notice = unpaid[-1].notice_given
        fee_used = _counted_before(start, notice, calendar=uk, pauses=pauses)
        fee_left = max(FOI_WORKING_DAYS - fee_used, 0)
        fee_lapses = add_calendar_month(notice, FEE_LAPSE_MONTHS)
    return RequestClock(
        clock_started_on=start,
        statutory_due_on=statutory,
        extended_due_on=extended,
        due_on=due,
        responded_on=responded,
        review_window_closes_on=review_window,
        review_due_on=review_due,
        workings=workings,
        notes=notes,
        review_decided_on=review_decided,
        ico_compliance_due_on=ico_compliance,
        fee_days_used=fee_used,
        fee_days_left=fee_left,
        fee_lapses_on=fee_lapses,
    )


def _counted_before(
    start: datetime.date,
    notice: datetime.date,
    *,
    calendar: WorkingDayCalendar,
    pauses: Iterable[FeePause],
) -> int:
    """Working days the clock counted after ``start`` and before the fees notice: the notice
    day itself is paused (s.10(2)), as are the days of any earlier paid pause."""
    counted = 0
    day = start
    while True:
        day += datetime.timedelta(days=1)
        if day >= notice:
            return counted
        if not calendar.is_working_day(day):
            continue
        if any(
            p.notice_given <= day and p.fee_received is not None and day <= p.fee_received
            for p in pauses
        ):
            continue
        counted += 1
