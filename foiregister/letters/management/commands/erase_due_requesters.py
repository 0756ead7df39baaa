"""Erase the personal data of requesters whose retention period has ended.

A dry run unless ``--commit``: it lists what is due, so a records manager can check it
first. The daily Celery beat entry (``foiregister.letters.tasks.erase_due_requesters``)
does the same with ``--commit``.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from foiregister.kernel import audit
from foiregister.letters import retention
from foiregister.requests import selectors


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today: {value!r} is not a date (YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = "List (or with --commit, erase) requesters past their retention period."

    def add_arguments(self, parser):
        parser.add_argument("--commit", action="store_true", help="Erase; default: dry run")
        parser.add_argument("--today", help="The day to judge from (YYYY-MM-DD); default today")

    def handle(self, *args, commit=False, today=None, **options):
        day = _date(today) if today else selectors.local_today()
        due = selectors.requests_due_for_erasure(today=day).order_by("organisation", "closed_on")
        for request in due:
            self.stdout.write(
                f"{request.organisation.ods_code}  {request.reference}  closed "
                f"{request.closed_on:%d %b %Y}"
            )
        if not commit:
            self.stdout.write(f"{len(due)} due on {day:%d %b %Y} (dry run: nothing erased)")
            return
        erased, refused = retention.erase_due_requesters(
            today=day, by=audit.system("erase_due_requesters command")
        )
        for message in refused:
            self.stderr.write(message)
        self.stdout.write(f"{len(erased)} requester(s) erased on {day:%d %b %Y}")
