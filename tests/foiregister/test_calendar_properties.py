"""Property-based tests of the statutory clock (Hypothesis), against an oracle written
here from the rules (weekends, every UK nation's bank holidays from the ``holidays``
package, the proclaimed days), not with the calendar's own helpers."""

import datetime

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from foiregister.calendar import due_date

NATIONS = ("ENG", "WLS", "SCT", "NIR")
START, END = datetime.date(2019, 1, 1), datetime.date(2031, 6, 30)
WORKING_DAYS = {"foi": 20, "eir_extended": 40, "pit_extension": 40, "internal_review": 20}


def _oracle_holidays(years, nations=NATIONS):
    days = set()
    for nation in nations:
        days |= set(holidays.country_holidays("GB", subdiv=nation, years=years))
    return days


UK = _oracle_holidays(range(2019, 2033))
ENG_WALES = _oracle_holidays(range(2019, 2033), ("ENG", "WLS"))


def _working(day, extra=frozenset(), bank=UK):
    return day.weekday() < 5 and day not in bank and day not in extra


received_days = st.dates(min_value=START, max_value=END)
clocks = st.sampled_from(sorted(WORKING_DAYS))
extra_days = st.sets(
    st.dates(min_value=START, max_value=END + datetime.timedelta(days=90)), max_size=6
)

PROPERTY = settings(max_examples=150, deadline=None)


@PROPERTY
@given(received=received_days, clock=clocks, extra=extra_days)
def test_a_due_date_is_a_working_day_exactly_n_working_days_after_receipt(received, clock, extra):
    due = due_date(received, clock, extra_holidays={d: "Proclaimed" for d in extra})
    assert _working(due, extra)
    counted = sum(
        _working(received + datetime.timedelta(days=i), extra)
        for i in range(1, (due - received).days + 1)
    )
    assert counted == WORKING_DAYS[clock]


@PROPERTY
@given(received=received_days, clock=clocks, extra=extra_days, holiday=received_days)
def test_adding_a_holiday_never_brings_a_due_date_earlier(received, clock, extra, holiday):
    before = due_date(received, clock, extra_holidays={d: "Proclaimed" for d in extra})
    after = due_date(received, clock, extra_holidays={d: "Proclaimed" for d in extra | {holiday}})
    assert after >= before
    if holiday <= received or holiday > before or not _working(holiday, extra):
        assert after == before  # a day outside the count, or already off, changes nothing


@PROPERTY
@given(first=received_days, gap=st.integers(min_value=0, max_value=60), clock=clocks)
def test_a_later_receipt_is_never_due_earlier(first, gap, clock):
    assert due_date(first + datetime.timedelta(days=gap), clock) >= due_date(first, clock)


@PROPERTY
@given(received=received_days)
def test_a_subject_access_request_is_due_on_an_england_and_wales_working_day(received):
    due = due_date(received, "sar")
    assert _working(due, bank=ENG_WALES)
    # Never before the nominal date a month on, nor more than a long weekend past it.
    assert 28 <= (due - received).days <= 31 + 5
