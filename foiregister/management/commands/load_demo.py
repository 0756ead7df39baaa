"""Load the demo data from the seeds and print how to sign in."""

import importlib

from django.core.management.base import BaseCommand

from foiregister import demo


class Command(BaseCommand):
    help = "Load demo organisations, accounts, requests, registers, metrics and letters."

    def handle(self, *args, **options):
        loaded = demo.load()
        orgs, users = loaded["organisations"], loaded["users"]
        # The other apps' demo data, in dependency order; each loader is idempotent.
        for module, kwargs in (
            ("contracts.demo", {"by": users["commissioner"], "organisations": orgs}),
            ("metrics.demo", {"by": users["commissioner"]}),
            ("foiregister.letters.demo", {"by": users["lead"]}),
        ):
            try:
                loader = importlib.import_module(module)
            except ModuleNotFoundError as exc:
                if exc.name != module:
                    raise
                continue
            loader.load(**kwargs)
            self.stdout.write(f"Loaded {module}")
        self.stdout.write(self.style.SUCCESS("\nDemo data loaded. Sign in at /admin/ as:"))
        for username, _, label in demo.ACCOUNTS:
            self.stdout.write(f"  {username:<13} password {demo.DEMO_PASSWORD}   ({label})")
        self.stdout.write("The public disclosure log is at / and the API at /api/v1/.")
