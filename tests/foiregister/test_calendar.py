"""The statutory calendar against worked examples from outside the code.

Alaveteli's cases come from its test suite (tests/data/alaveteli_deadlines.json). Every other
expected date was counted by hand from a printed calendar and gov.uk's bank holiday list;
the comment on each case gives the count, so a reviewer can check it without the code.
"""

import datetime
import json
from pathlib import Path

import pytest

from foiregister import calendar
from foiregister.calendar import FeePause, TimelineStep, due_date, request_clock

D = datetime.date
DATA = Path(__file__).resolve().parent.parent / "data"


def alaveteli_cases():
    for case in json.loads((DATA / "alaveteli_deadlines.json").read_text()):
        yield pytest.param(case, id=f"alaveteli-{case['received']}")


@pytest.mark.parametrize("case", list(alaveteli_cases()))
def test_foi_due_date_matches_alaveteli(case):
    received = D.fromisoformat(case["received"])
    assert due_date(received, case["kind"]) == D.fromisoformat(case["expected_due"])


HAND_COUNTED_FOI = [
    # Mon 2 Nov 2026: day 19 is Fri 27 Nov; Mon 30 Nov is St Andrew's Day (Scotland only,
    # a non-working day for an English body, ICO LTT47); day 20 is Tue 1 Dec.
    (D(2026, 11, 2), D(2026, 12, 1), "scotland-only-st-andrews-day"),
    # Mon 18 May 2026: skips Spring bank holiday Mon 25 May and Mon 15 Jun 2026 (proclaimed
    # for Scotland in Feb 2026); day 18 is Fri 12 Jun, day 19 Tue 16 Jun, day 20 Wed 17 Jun.
    (D(2026, 5, 18), D(2026, 6, 17), "scotland-proclamation-15-june-2026"),
    # Mon 2 Mar 2026: Tue 17 Mar is St Patrick's Day (NI only); day 20 is Tue 31 Mar.
    (D(2026, 3, 2), D(2026, 3, 31), "northern-ireland-st-patricks-day"),
    # Fri 6 Nov 2026: 9-13 Nov days 1-5, 16-20 days 6-10, 23-27 days 11-15, 30 Nov skipped,
    # 1-4 Dec days 16-19, Mon 7 Dec day 20.
    (D(2026, 11, 6), D(2026, 12, 7), "received-friday"),
    # Sat 7 Nov 2026: the date of receipt is still the Saturday, so due with Friday's.
    (D(2026, 11, 7), D(2026, 12, 7), "received-saturday-same-as-friday"),
    (D(2026, 11, 8), D(2026, 12, 7), "received-sunday-same-as-friday"),
    # Mon 25 May 2026 is a bank holiday: day 1 is Tue 26 May; 15 Jun skipped; day 20 Tue 23 Jun.
    (D(2026, 5, 25), D(2026, 6, 23), "received-on-bank-holiday"),
    # Mon 14 Dec 2026: skips Fri 25 Dec, Mon 28 Dec (Boxing Day substitute), Fri 1 Jan and
    # Mon 4 Jan 2027 (Scotland's 2 January substitute); day 20 is Fri 15 Jan 2027.
    (D(2026, 12, 14), D(2027, 1, 15), "year-end-with-scottish-substitute"),
    # Mon 7 Feb 2028: Tue 29 Feb 2028 is day 16; day 20 is Mon 6 Mar 2028.
    (D(2028, 2, 7), D(2028, 3, 6), "leap-year"),
    # Wed 1 Jun 2022: skips Thu 2 and Fri 3 Jun 2022 (jubilee, moved and proclaimed);
    # 6-10 Jun days 1-5, ... day 20 is Fri 1 Jul 2022.
    (D(2022, 6, 1), D(2022, 7, 1), "jubilee-2022"),
    # Mon 12 Sep 2022: Mon 19 Sep 2022 state funeral skipped; day 20 is Tue 11 Oct 2022.
    (D(2022, 9, 12), D(2022, 10, 11), "state-funeral-2022"),
]


@pytest.mark.parametrize(
    ("received", "expected"),
    [c[:2] for c in HAND_COUNTED_FOI],
    ids=[c[2] for c in HAND_COUNTED_FOI],
)
def test_foi_due_date_hand_counted(received, expected):
    assert due_date(received, "foi") == expected


def test_pit_extension_is_the_40th_working_day():
    # Mon 2 Nov 2026: day 20 Tue 1 Dec; 2-4 Dec 21-23; 7-11 24-28; 14-18 29-33;
    # 21-24 34-37; 25 and 28 Dec skipped; 29, 30, 31 Dec days 38-40.
    assert due_date(D(2026, 11, 2), "pit_extension") == D(2026, 12, 31)


def test_eir_extension_is_the_40th_working_day():
    assert due_date(D(2026, 11, 2), "eir_extended") == D(2026, 12, 31)


def test_internal_review_is_due_20_working_days_after_it_is_asked_for():
    # Tue 1 Dec 2026: 2-4 Dec 1-3; 7-11 4-8; 14-18 9-13; 21-24 14-17; 29-31 Dec 18-20.
    assert due_date(D(2026, 12, 1), "internal_review") == D(2026, 12, 31)


def test_review_request_window_is_40_working_days_from_the_response():
    assert calendar.review_request_deadline(D(2026, 11, 2)) == D(2026, 12, 31)


SAR_CASES = [
    (D(2025, 9, 3), D(2025, 10, 3), "ico-3-sep-to-3-oct"),
    # 31 Jan 2026 -> 28 Feb 2026, a Saturday -> Mon 2 Mar 2026.
    (D(2026, 1, 31), D(2026, 3, 2), "ico-31-jan-month-end-then-weekend"),
    (D(2028, 1, 31), D(2028, 2, 29), "ico-31-jan-leap-year"),
    (D(2026, 4, 1), D(2026, 5, 1), "ico-1-apr-to-1-may"),
    # 4 Apr 2026 -> Mon 4 May 2026, the early May bank holiday -> Tue 5 May.
    (D(2026, 4, 4), D(2026, 5, 5), "lands-on-bank-holiday"),
    # 25 Nov 2026 -> Fri 25 Dec; 26-27 weekend; Mon 28 Dec Boxing Day substitute -> Tue 29.
    (D(2026, 11, 25), D(2026, 12, 29), "year-end"),
    # 30 Oct 2026 -> Mon 30 Nov, St Andrew's Day: Scotland only, so a working day for SAR
    # (England and Wales bank holidays only).
    (D(2026, 10, 30), D(2026, 11, 30), "scotland-only-day-does-not-move-sar"),
    # 31 Mar 2026 -> no 31 April, so Thu 30 Apr 2026 (a working day).
    (D(2026, 3, 31), D(2026, 4, 30), "month-end-31-march-to-30-april"),
    # 31 Dec 2026 -> 31 Jan 2027, a Sunday -> Mon 1 Feb 2027.
    (D(2026, 12, 31), D(2027, 2, 1), "year-end-month-end-on-a-sunday"),
    # 30 Jan 2027 -> no 30 Feb, so Sun 28 Feb 2027 -> Mon 1 Mar 2027.
    (D(2027, 1, 30), D(2027, 3, 1), "30-january-to-february-end-then-weekend"),
    # Received on leap day Tue 29 Feb 2028 -> Wed 29 Mar 2028.
    (D(2028, 2, 29), D(2028, 3, 29), "received-on-leap-day"),
    # Received Sat 3 Oct 2026: receipt is day 1 whatever the day -> Tue 3 Nov 2026.
    (D(2026, 10, 3), D(2026, 11, 3), "received-on-a-saturday"),
]


@pytest.mark.parametrize(
    ("received", "expected"), [c[:2] for c in SAR_CASES], ids=[c[2] for c in SAR_CASES]
)
def test_sar_due_date(received, expected):
    assert due_date(received, "sar") == expected


@pytest.mark.parametrize("clock", ["fortnight", "FOI", "eir", "review_window", ""])
def test_unknown_clock_is_refused_naming_it(clock):
    with pytest.raises(ValueError, match=f"'{clock}'"):
        due_date(D(2026, 11, 2), clock)


def test_review_request_window_across_st_patricks_day_and_easter():
    """Response Mon 1 Mar 2027: 2-5 Mar days 1-4, 8-12 5-9, 15-16 10-11, (Wed 17 Mar St
    Patrick's Day, NI), 18-19 12-13, 22-25 14-17, (Good Friday 26, Easter Monday 29 Mar),
    30 Mar-2 Apr 18-21, 5-9 Apr 22-26, 12-16 27-31, 19-23 32-36, 26-29 Apr 37-40."""
    assert calendar.review_request_deadline(D(2027, 3, 1)) == D(2027, 4, 29)


def test_sar_extension_is_three_calendar_months_with_the_month_end_rule():
    # 31 Jan 2026 + 3 months: no 31 April, so Thu 30 Apr 2026.
    clock = request_clock("sar", D(2026, 1, 31), [TimelineStep("sar_extension", D(2026, 2, 9))])
    assert clock.statutory_due_on == D(2026, 3, 2)
    assert clock.extended_due_on == D(2026, 4, 30)
    assert clock.due_on == D(2026, 4, 30)


def test_pit_extension_after_clarification_counts_from_the_clarification():
    """Clarification received Mon 9 Nov 2026: day 20 Tue 8 Dec (see below); 9-11 Dec 21-23,
    14-18 24-28, 21-24 29-32, (25, 28 Dec), 29-31 Dec 33-35, (1 Jan; Mon 4 Jan, Scotland's
    2 January substitute), 5-8 Jan 36-39, Mon 11 Jan 2027 day 40."""
    clock = request_clock(
        "foi",
        D(2026, 11, 2),
        [
            TimelineStep("clarification_sought", D(2026, 11, 4)),
            TimelineStep("clarification_received", D(2026, 11, 9)),
            TimelineStep("pit_extension", D(2026, 12, 1), D(2026, 12, 31)),
        ],
    )
    assert clock.statutory_due_on == D(2026, 12, 8)
    assert clock.extended_due_on == D(2027, 1, 11)
    # Lists work to the date promised to the requester (issue 13), not the 40th day.
    assert clock.due_on == D(2026, 12, 31)


def test_fee_pause_before_a_clarification_no_longer_counts_after_the_restart():
    """The clock restarts from the clarification; a fees notice paid before it is history.
    Restart Mon 9 Nov 2026 -> Tue 8 Dec 2026, as with no fee at all."""
    clock = request_clock(
        "foi",
        D(2026, 11, 2),
        [
            TimelineStep("fees_notice", D(2026, 11, 3)),
            TimelineStep("fee_paid", D(2026, 11, 4)),
            TimelineStep("clarification_sought", D(2026, 11, 5)),
            TimelineStep("clarification_received", D(2026, 11, 9)),
        ],
    )
    assert clock.due_on == D(2026, 12, 8)


def test_a_timestamp_is_refused_because_receipt_is_a_date():
    with pytest.raises(TypeError):
        due_date(datetime.datetime(2026, 11, 2, 9), "foi")


def test_administrators_proclaimed_day_moves_the_deadline():
    # Pretend Fri 27 Nov 2026 is proclaimed: 3-26 Nov are days 1-18; 27 and 30 Nov skipped;
    # Tue 1 Dec day 19; Wed 2 Dec day 20.
    extra = {D(2026, 11, 27): "Proclaimed day"}
    assert due_date(D(2026, 11, 2), "foi", extra_holidays=extra) == D(2026, 12, 2)


def test_fee_pause_excludes_notice_day_to_payment_day_inclusive():
    # Mon 2 Nov 2026: 3-4 Nov days 1-2; notice Thu 5 Nov, fee Wed 11 Nov: 5, 6, 9, 10, 11
    # not counted; 12-13 Nov days 3-4; ... Tue 8 Dec day 20.
    pause = FeePause(D(2026, 11, 5), D(2026, 11, 11))
    assert due_date(D(2026, 11, 2), "foi", pauses=[pause]) == D(2026, 12, 8)


def test_unpaid_fees_notice_stops_the_clock():
    working = calendar.clock_working(
        D(2026, 11, 2), "foi", pauses=[FeePause(D(2026, 11, 5), None)]
    )
    assert working.due is None
    assert "fee not yet received" in working.notes[0]


def test_clarification_restarts_the_clock_on_the_day_it_arrives():
    # Received Mon 2 Nov 2026; clarification arrives Mon 9 Nov: day 1 Tue 10 Nov; 30 Nov
    # skipped; day 20 Tue 8 Dec.
    clock = request_clock(
        "foi",
        D(2026, 11, 2),
        [
            TimelineStep("clarification_sought", D(2026, 11, 4)),
            TimelineStep("clarification_received", D(2026, 11, 9)),
        ],
    )
    assert clock.clock_started_on == D(2026, 11, 9)
    assert clock.due_on == D(2026, 12, 8)


def test_awaiting_clarification_has_no_due_date():
    clock = request_clock(
        "foi", D(2026, 11, 2), [TimelineStep("clarification_sought", D(2026, 11, 4))]
    )
    assert clock.due_on is None


def test_pit_extension_moves_the_target_but_keeps_the_statutory_date():
    clock = request_clock(
        "foi",
        D(2026, 11, 2),
        [TimelineStep("pit_extension", D(2026, 11, 20), D(2026, 12, 18))],
    )
    assert clock.statutory_due_on == D(2026, 12, 1)
    assert clock.extended_due_on == D(2026, 12, 31)
    assert clock.due_on == D(2026, 12, 18)


def test_response_opens_the_review_window_and_a_review_request_its_clock():
    clock = request_clock(
        "foi",
        D(2026, 10, 1),
        [
            TimelineStep("response_sent", D(2026, 11, 2)),
            TimelineStep("review_requested", D(2026, 12, 1)),
        ],
    )
    assert clock.review_window_closes_on == D(2026, 12, 31)
    assert clock.review_due_on == D(2026, 12, 31)


def test_explanation_names_every_skipped_holiday():
    working = calendar.clock_working(D(2026, 11, 2), "foi")
    assert working.day_one == D(2026, 11, 3)
    reasons = {s.day: s.reason for s in working.skipped}
    assert "Saint Andrew's Day" in reasons[D(2026, 11, 30)]
    assert reasons[D(2026, 11, 7)] == "Saturday"


def test_working_days_between_counts_after_start_up_to_end():
    cal = calendar.WorkingDayCalendar()
    # Fri 27 Nov -> Tue 1 Dec 2026: Mon 30 Nov is St Andrew's Day, so 1 working day.
    assert calendar.working_days_between(D(2026, 11, 27), D(2026, 12, 1), calendar=cal) == 1
    assert calendar.working_days_between(D(2026, 12, 1), D(2026, 11, 27), calendar=cal) == -1
    assert calendar.working_days_between(D(2026, 12, 1), D(2026, 12, 1), calendar=cal) == 0


def test_subtract_working_days_for_a_departments_deadline():
    # 10 working days before Tue 8 Dec 2026: 7, 4, 3, 2, 1 Dec, (30 Nov skipped), 27, 26,
    # 25, 24, 23 Nov -> Mon 23 Nov.
    cal = calendar.WorkingDayCalendar()
    assert calendar.subtract_working_days(D(2026, 12, 8), 10, calendar=cal) == D(2026, 11, 23)


def test_calendar_is_pure_python():
    source = Path(calendar.__file__).read_text()
    assert "django" not in source


def test_proclaimed_day_for_scotland_only_moves_foi_but_not_sar():
    """Pretend Tue 1 Dec 2026 is proclaimed for Scotland only. FOI from Mon 2 Nov 2026: day
    20 was Tue 1 Dec, now Wed 2 Dec. SAR from Sun 1 Nov 2026: Tue 1 Dec, a working day in
    England and Wales, so unchanged."""
    extra = {D(2026, 12, 1): calendar.ProclaimedDay("Proclaimed day", ("SCT",))}
    assert due_date(D(2026, 11, 2), "foi", extra_holidays=extra) == D(2026, 12, 2)
    assert due_date(D(2026, 11, 1), "sar", extra_holidays=extra) == D(2026, 12, 1)
