"""``manage.py health [PART]``: the health endpoint's details, from this process.

Prints them as JSON; exits 0 when PART (``database``, ``broker``, ``worker``, ``beat``, or
``all``, the default) is healthy, 1 when not. Compose's worker and beat health checks run it
(``deploy/foiregister.sh health worker``), since their containers serve no HTTP.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from foiregister.kernel import health

PARTS = ("database", "broker", health.WORKER, health.BEAT)


class Command(BaseCommand):
    help = "Report the database, broker, worker heartbeat and beat tick; exit 1 if unhealthy."

    def add_arguments(self, parser):
        parser.add_argument("part", nargs="?", default="all", choices=(*PARTS, "all"))

    def handle(self, *args, part, **options):
        report = health.details()
        self.stdout.write(json.dumps(report))
        checks = report["checks"]
        wanted = PARTS if part == "all" else (part,)
        failing = [name for name in wanted if not checks[name]["ok"]]
        if failing:
            raise CommandError(f"unhealthy: {', '.join(failing)}")
