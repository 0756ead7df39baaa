"""FOI compliance statistics for one organisation and period, as JSON or CSV on stdout."""

import csv
import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from foiregister.kernel.models import Organisation
from foiregister.requests import statistics


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "FOI and EIR requests received in a period: received, responded in time, late, open "
        "and overdue, outcomes, exemptions, internal reviews, working days to respond. The "
        "definitions are in the README (FOI log import and statistics)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="ODS code")
        parser.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD")
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--format", choices=("json", "csv"), default="json")

    def handle(self, *args, organisation, date_from, date_to, as_of=None, **options):
        org = Organisation.objects.filter(ods_code=organisation).first()
        if org is None:
            raise CommandError(f"no organisation with ODS code {organisation}")
        start, end = _date(date_from), _date(date_to)
        if end < start:
            raise CommandError("--to is before --from")
        figures = statistics.foi_statistics(
            organisation=org,
            date_from=start,
            date_to=end,
            as_of=_date(as_of) if as_of else None,
        )
        if options["format"] == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(["figure", "value"])
            for name, value in statistics.flatten(figures):
                writer.writerow([name, "" if value is None else value])
        else:
            self.stdout.write(json.dumps(figures, indent=2))
