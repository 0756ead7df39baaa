"""Build the round-robin sketches of requests logged before intake (or after a matcher change)."""

from django.core.management.base import BaseCommand

from foiregister.intake import services


class Command(BaseCommand):
    help = "Sketch every request so new requests can find their round-robin twins."

    def handle(self, *args, **options):
        done = services.index_requests()
        self.stdout.write(f"{done} requests indexed")
