"""What the database benches build their requests with.

A throwaway database (``in_throwaway_database``), bench organisations with a requester each,
and requests made the way the register stores them: received at a Europe/London time, with
the due dates the statutory clock gives for their timeline. The benches bulk-insert these
rather than log them through the service: they measure reads, not the writes' audit.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from foiregister.calendar import TimelineStep, WorkingDayCalendar
    from foiregister.kernel.models import Organisation
    from foiregister.requests.models import Request, Requester

# The dates ``calendar.request_clock`` works out that a request row stores.
CLOCK_FIELDS = (
    "clock_started_on",
    "statutory_due_on",
    "extended_due_on",
    "due_on",
    "responded_on",
    "review_window_closes_on",
    "review_due_on",
)


def in_throwaway_database(run: Callable[[], None]) -> None:
    """Set Django up, create the test database (named by the bench's ``TEST_DATABASE_NAME``),
    call ``run``, and drop the database again even when ``run`` fails."""
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def organisations(count: int = 1) -> list[Organisation]:
    """ICBs ``Bench ICB 0``... (ODS codes ``QB0``...), kept when a bench's own database
    already has them."""
    from foiregister.kernel.models import Organisation

    return [
        Organisation.objects.get_or_create(
            ods_code=f"QB{i}", defaults={"name": f"Bench ICB {i}", "kind": "icb"}
        )[0]
        for i in range(count)
    ]


def requester(organisation: Organisation) -> Requester:
    """The one requester a bench's requests to ``organisation`` come from."""
    from foiregister.requests.models import Requester

    return Requester.objects.get_or_create(organisation=organisation, name="Bench requester")[0]


def request(
    number: int,
    *,
    organisation: Organisation,
    received: datetime.date,
    at: datetime.time = datetime.time(10),
    regime: str = "foi",
    timeline: Iterable[TimelineStep] = (),
    uk_calendar: WorkingDayCalendar | None = None,
    **fields: Any,
) -> Request:
    """Unsaved request ``BENCH/<number>`` received on ``received`` at ``at`` (London), its due
    dates from the clock over ``timeline``; ``fields`` (title, body, requester, status...)
    are set as given."""
    from django.utils import timezone

    from foiregister import calendar
    from foiregister.requests.models import Request

    clock = calendar.request_clock(regime, received, timeline, uk_calendar=uk_calendar)
    fields.setdefault("title", f"Bench request {number}")
    return Request(
        organisation=organisation,
        reference=f"BENCH/{number:07d}",
        regime=regime,
        received_at=timezone.make_aware(datetime.datetime.combine(received, at)),
        **{name: getattr(clock, name) for name in CLOCK_FIELDS},
        **fields,
    )


def signed_in_client(user):
    """A test client signed in as ``user`` with both factors, as staff pages require: the
    session is marked verified with a confirmed authenticator, as django-otp's ``otp_login``
    would after a code."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or (
        TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
