"""Load the demo data from the seeds and print how to sign in."""

from django.conf import settings
from django.core.management.base import BaseCommand

from demo import contracts as contracts_demo
from demo import intake as intake_demo
from demo import letters as letters_demo
from demo import metrics as metrics_demo
from demo import requests as demo
from demo import signin as signin_demo
from foiregister.disclosure import selectors as disclosure_selectors
from foiregister.disclosure import services as disclosure_services
from foiregister.kernel import audit
from foiregister.kernel import organisations as organisation_settings
from foiregister.kernel.exceptions import FoiRegisterError
from foiregister.requests.models import Request


class Command(BaseCommand):
    def _publish_responded(self, lead) -> None:
        """Publish the demo's answered requests, as their FOI lead would, so the public
        disclosure log has entries. One the personal-data check stops is left unpublished
        and said so: the demo never bypasses the check."""
        answered = Request.objects.filter(
            status__in=disclosure_selectors.PUBLISHABLE_STATUSES,
            organisation__in=lead.organisations.all(),
        ).exclude(disclosure_entry__isnull=False)
        for request in answered:
            try:
                disclosure_services.publish_response(request=request, by=lead)
            except FoiRegisterError as exc:
                self.stdout.write(f"Not published {request.reference}: {exc.message}")
            else:
                self.stdout.write(f"Published {request.reference} to the disclosure log")

    def _open_request_form(self, organisation) -> None:
        """Turn the public request form on for one organisation (the others keep the
        default, off), as its administrator would; audited like theirs."""
        if not organisation.public_request_form:
            organisation.public_request_form = True
            organisation_settings.save_organisation(
                organisation=organisation, by=audit.system("load_demo")
            )
        self.stdout.write(
            f"The public request form is on for {organisation.name}: "
            f"/organisations/{organisation.ods_code}/request/"
        )

    help = "Load demo organisations, accounts, requests, registers, metrics and letters."

    def handle(self, *args, **options):
        loaded = demo.load()
        orgs, users = loaded["organisations"], loaded["users"]
        # The other apps' demo data, in dependency order; each loader is idempotent.
        contracts_demo.load(by=users["commissioner"], organisations=orgs, with_changes=False)
        self.stdout.write("Loaded the contract and CDC registers")
        if settings.OCDS_PREFIX == "ocds-xxxxxx":
            self.stdout.write(
                "  OCDS OCIDs use ocds-xxxxxx, the standard's placeholder for an unregistered "
                "prefix: set OCDS_PREFIX to your own before publishing (docs/ocds.md)"
            )
        metrics_demo.load(by=users["commissioner"])
        self.stdout.write("Loaded the imaging metrics")
        letters_demo.load(by=users["lead"])
        self.stdout.write("Loaded the letters")
        # After the letters: an issued letter keeps the figures it gave when it was issued.
        contracts_demo.record_changes(by=users["commissioner"], organisations=orgs)
        self._publish_responded(users["lead"])
        self._open_request_form(orgs["QNC"])
        intake_demo.load(organisation=orgs["QNC"], by=audit.system("load_demo"))
        self.stdout.write(
            "An email waits in Staffordshire's intake (Admin > Intake > Inbound messages): "
            "a copy of the insourcing round robin Dudley answered and published"
        )
        self.stdout.write(self.style.SUCCESS("\nDemo data loaded. Sign in at /admin/ as:"))
        for username, _, label in demo.ACCOUNTS:
            self.stdout.write(f"  {username:<13} password {demo.DEMO_PASSWORD}   ({label})")
            for line in signin_demo.sign_in_lines(username):
                self.stdout.write(line)
        self.stdout.write(
            "Then enter the code an authenticator app shows for the account's secret (type the "
            "secret in as a time-based key), or one of its backup codes (each works once; "
            "load_demo again restores them). These secrets are public: demo only."
        )
        self.stdout.write("The public disclosure log is at / and the API at /api/v1/.")
