"""FOI compliance statistics (issue 16) against a hand-counted worked example.

Every expected number below is counted by hand on a calendar, never by the product's own
queries. The calendar: Mon 26 May 2025 is a bank holiday (UK-wide); June 2025 has none; Mon
14 July 2025 is Northern Ireland's (Battle of the Boyne, observed), a non-working day for
FOI because s.10(6) counts a bank holiday in any part of the UK. Working days of June 2025:
2-6, 9-13, 16-20, 23-27, 30. Day 0 is the date of receipt.

The world (period 26 May to 30 Jun 2025; FOI unless marked):

- R1  received Mon 2 Jun, responded Fri 27 Jun. Due Mon 30 Jun (3-6 Jun: 4, 9-13: 9, 16-20:
      14, 23-27: 19, 30 Jun: 20). In time. 19 working days. Granted in full. Review A
      asked Mon 30 Jun: 20th working day Tue 29 Jul (Jul 1-4: 4, 7-11: 9, 14 skipped, 15-18:
      13, 21-25: 18, 28: 19, 29: 20); decided Tue 29 Jul, upheld: in time.
- R2  received Mon 2 Jun, responded Tue 1 Jul: late. 21 working days. Partially withheld,
      s.40(2) and s.43(2) on question 1 and s.40(2) again on question 2 (once per request).
- R3  clarification restart: received Mon 2 Jun, sought Tue 3 Jun, received Thu 5 Jun;
      due from Thu 5 Jun: 6 Jun: 1, 9-13: 6, 16-20: 11, 23-27: 16, 30 Jun-3 Jul: 20 -> Thu
      3 Jul. Responded Thu 3 Jul: in time (late without the restart). 23 working days from
      receipt (no allowance for the stop). Not held.
- R4  fee pause: received Mon 2 Jun, fees notice Mon 9 Jun, fee paid Wed 11 Jun (9-11 Jun
      not counted): 3-6 Jun: 4, 12-13: 6, 16-20: 11, 23-27: 16, 30 Jun: 17, 1-3 Jul: 20 ->
      Thu 3 Jul. Responded Wed 2 Jul: in time (late without the pause). 22 working days.
      Withheld in full, s.43(2).
- R5  public interest extension claimed Fri 27 Jun, estimate given Mon 7 Jul; 40th working
      day: 30 Jun: 20, 1-4 Jul: 24, 7-11: 29, 14 skipped, 15-18: 33, 21-25: 38, 28: 39,
      Tue 29 Jul: 40. Responded Fri 25 Jul: after the estimate, before the 40th day: in
      time. 38 working days. Refused on cost.
- R6  received Fri 30 May (day 1 Mon 2 Jun), due Fri 27 Jun (2-6: 5, 9-13: 10, 16-20: 15,
      23-27: 20). Responded Sat 28 Jun, counted as given on Saturday: late. 20 working days.
      Refused as repeated. Review E asked Mon 30 Jun, never decided.
- R7  received Mon 2 Jun, never answered: overdue from Tue 1 Jul. Its s.40(2) is not counted
      (no response).
- R8  received Mon 16 Jun, clarification sought Tue 17 Jun, none received: on hold.
- R9  withdrawn Tue 10 Jun.  R10 fees notice Thu 5 Jun, lapsed Mon 15 Sep.
- R11 EIR, received Mon 2 Jun, EIR extension Fri 27 Jun, responded Tue 29 Jul (the 40th
      working day, as R5): in time. 40 working days. Granted in full.
- Outside the period: R0 (FOI) and R12 (EIR) received Mon 12 May, responded Mon 2 Jun,
  reviews asked Tue 3 Jun (in the period). R0's review B: 20th working day Tue 1 Jul (4-6
  Jun: 3, 9-13: 8, 16-20: 13, 23-27: 18, 30: 19, 1 Jul: 20); decided Wed 2 Jul, overturned:
  late. R12's reconsideration C (EIR reg 11(4): 40 days): 1 Jul: 20, 2-4: 23, 7-11: 28, 14
  skipped, 15-18: 32, 21-25: 37, 28-30: 40 -> Wed 30 Jul; decided Tue 29 Jul, partly: in
  time (it would be late at 20).
- A SAR received Mon 2 Jun (sar_received only), another organisation's request (not at all).
"""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from foiregister.requests import services, statistics
from foiregister.requests.models import Request, RequestEvent
from tests.factories import TEST_DATA
from tests.factories.foiregister import log_request

K = RequestEvent.Kind
O = Request.Outcome  # noqa: E741
FROM, TO = datetime.date(2025, 5, 26), datetime.date(2025, 6, 30)


def d(month: int, day: int) -> datetime.date:
    return datetime.date(2025, month, day)


# record_timeline_event keeps the user on the event, so the world is made by an officer.
BY = {}


def event(request, kind, on, **kwargs):
    services.record_timeline_event(
        request=request, kind=kind, occurred_on=on, by=BY["officer"], **kwargs
    )


def respond(request, on, outcome):
    event(request, K.RESPONSE_SENT, on)
    services.update_request(
        request=Request.objects.get(pk=request.pk), outcome=outcome, by=TEST_DATA
    )


def exempt(request, number, *codes):
    question = request.questions.filter(number=number).first() or services.add_question(
        request=request, text=f"Question {number}", by=TEST_DATA
    )
    services.update_question(
        question=question,
        answer_kind="exempt",
        exemption_codes=codes,
        public_interest_reasoning="Balance of the public interest considered.",
        by=TEST_DATA,
    )


@pytest.fixture
def world(organisation, other_organisation, foi_officer):
    BY["officer"] = foi_officer

    def new(received_on, regime=Request.Regime.FOI):
        return log_request(organisation=organisation, received_on=received_on, regime=regime)

    r1 = new(d(6, 2))
    respond(r1, d(6, 27), O.GRANTED)
    event(r1, K.REVIEW_REQUESTED, d(6, 30))
    event(r1, K.REVIEW_DECIDED, d(7, 29), decision="upheld")
    r2 = new(d(6, 2))
    respond(r2, d(7, 1), O.PARTIAL)
    exempt(r2, 1, "s40_2", "s43_2")
    exempt(r2, 2, "s40_2")
    r3 = new(d(6, 2))
    event(r3, K.CLARIFICATION_SOUGHT, d(6, 3))
    event(r3, K.CLARIFICATION_RECEIVED, d(6, 5))
    respond(r3, d(7, 3), O.NOT_HELD)
    r4 = new(d(6, 2))
    event(r4, K.FEES_NOTICE, d(6, 9))
    event(r4, K.FEE_PAID, d(6, 11))
    respond(r4, d(7, 2), O.WITHHELD)
    exempt(r4, 1, "s43_2")
    r5 = new(d(6, 2))
    event(r5, K.PIT_EXTENSION, d(6, 27), target_on=d(7, 7))
    respond(r5, d(7, 25), O.REFUSED_COST)
    r6 = new(d(5, 30))
    respond(r6, d(6, 28), O.REFUSED_REPEATED)
    event(r6, K.REVIEW_REQUESTED, d(6, 30))
    r7 = new(d(6, 2))
    exempt(r7, 1, "s40_2")
    r8 = new(d(6, 16))
    event(r8, K.CLARIFICATION_SOUGHT, d(6, 17))
    r9 = new(d(6, 2))
    event(r9, K.WITHDRAWN, d(6, 10))
    r10 = new(d(6, 2))
    event(r10, K.FEES_NOTICE, d(6, 5))
    event(r10, K.LAPSED, d(9, 15))
    r11 = new(d(6, 2), Request.Regime.EIR)
    event(r11, K.EIR_EXTENSION, d(6, 27))
    respond(r11, d(7, 29), O.GRANTED)
    r0 = new(d(5, 12))
    respond(r0, d(6, 2), O.GRANTED)
    event(r0, K.REVIEW_REQUESTED, d(6, 3))
    event(r0, K.REVIEW_DECIDED, d(7, 2), decision="overturned")
    r12 = new(d(5, 12), Request.Regime.EIR)
    respond(r12, d(6, 2), O.GRANTED)
    event(r12, K.REVIEW_REQUESTED, d(6, 3))
    event(r12, K.REVIEW_DECIDED, d(7, 29), decision="partly")
    new(d(6, 2), Request.Regime.SAR)
    log_request(organisation=other_organisation, received_on=d(6, 2))
    return organisation


@pytest.mark.django_db
def test_figures_at_the_end_of_september_match_the_hand_count(world):
    figures = statistics.foi_statistics(
        organisation=world, date_from=FROM, date_to=TO, as_of=d(9, 30)
    )

    assert figures == {
        "organisation": "QNC",
        "from": "2025-05-26",
        "to": "2025-06-30",
        "as_of": "2025-09-30",
        "received": 11,  # R1-R11
        "by_regime": {"FOI": 10, "EIR": 1},
        "sar_received": 1,
        "withdrawn": 1,  # R9
        "lapsed": 1,  # R10
        "on_hold": 1,  # R8
        "responded": 7,  # R1-R6, R11
        "in_time": 5,  # R1, R3, R4, R5, R11
        "late": 2,  # R2, R6
        "open_overdue": 1,  # R7
        "in_time_percent": 62.5,  # 100 x 5 / (5 + 2 + 1)
        "outcomes": {
            "granted_in_full": 2,  # R1, R11
            "partially_withheld": 1,
            "withheld_in_full": 1,
            "not_held": 1,
            "refused_cost": 1,
            "refused_vexatious": 0,
            "refused_repeated": 1,
            "lapsed": 0,
            "withdrawn": 0,
        },
        "exemptions": {"s.40(2)": 1, "s.43(2)": 2},  # R2 once; R2 and R4
        "internal_reviews": {
            "requested": 4,  # A, B, C, E
            "decided": 3,
            "decided_in_time": 2,  # A, C
            "upheld": 1,
            "overturned": 1,
            "partly": 1,
        },
        # 19, 20, 21, 22, 23, 38, 40: the 4th is 22; nearest rank ceil(0.9 x 7) = 7th, 40.
        "working_days_to_respond": {"median": 22, "p90": 40},
    }


@pytest.mark.django_db
def test_figures_read_at_an_earlier_date_see_only_what_had_happened(world):
    """At Wed 2 Jul 2025: R3's response (3 Jul) has not happened and it is not yet overdue
    (due 3 Jul); R10 is still awaiting its fee; R7 is overdue since 1 Jul."""
    figures = statistics.foi_statistics(
        organisation=world, date_from=FROM, date_to=TO, as_of=d(7, 2)
    )

    assert {k: figures[k] for k in ("withdrawn", "lapsed", "on_hold", "responded")} == {
        "withdrawn": 1,
        "lapsed": 0,
        "on_hold": 2,  # R8, R10
        "responded": 4,  # R1, R2, R4, R6
    }
    assert (figures["in_time"], figures["late"], figures["open_overdue"]) == (2, 2, 1)
    assert figures["in_time_percent"] == 40.0  # 100 x 2 / 5
    # 19, 20, 21, 22: an even count, the mean of 20 and 21; ceil(0.9 x 4) = 4th, 22.
    assert figures["working_days_to_respond"] == {"median": 20.5, "p90": 22}
    assert figures["internal_reviews"] == {
        "requested": 4,
        "decided": 1,  # B, on 2 Jul
        "decided_in_time": 0,
        "upheld": 0,
        "overturned": 1,
        "partly": 0,
    }


@pytest.mark.django_db
def test_a_period_with_no_requests_has_null_percent_and_median(organisation):
    figures = statistics.foi_statistics(
        organisation=organisation, date_from=FROM, date_to=TO, as_of=d(9, 30)
    )

    assert figures["received"] == 0
    assert figures["in_time_percent"] is None
    assert figures["working_days_to_respond"] == {"median": None, "p90": None}


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (1, 16, 6.3),  # 6.25: half away from zero (round() would give 6.2)
        (3, 16, 18.8),  # 18.75
        (2, 3, 66.7),  # 66.666...
        (5, 8, 62.5),
        (0, 7, 0.0),
        (0, 0, None),  # no divisor
    ],
)
def test_percent_rounds_half_away_from_zero(numerator, denominator, expected):
    assert statistics.percent(numerator, denominator) == expected


@pytest.mark.django_db
def test_the_command_prints_json_and_csv(world):
    out = io.StringIO()
    args = ["--organisation", "QNC", "--from", "2025-05-26", "--to", "2025-06-30"]

    call_command("foi_statistics", *args, "--as-of", "2025-09-30", stdout=out)
    assert json.loads(out.getvalue())["in_time_percent"] == 62.5

    out = io.StringIO()
    call_command("foi_statistics", *args, "--as-of", "2025-09-30", "--format", "csv", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "figure,value"
    assert "exemptions.s.43(2),2" in lines
    assert "internal_reviews.decided_in_time,2" in lines
