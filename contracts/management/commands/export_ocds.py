"""Export the contract register as an OCDS 1.1.5 release package (JSON)."""

import json

from django.core.management.base import BaseCommand, CommandError

from contracts import ocds, selectors
from contracts.exceptions import NothingToPublish
from foiregister.kernel.models import Organisation


class Command(BaseCommand):
    help = "Write the register as an OCDS 1.1.5 release package; public contracts only."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", help="ODS code; default: every organisation")
        parser.add_argument("--output", "-o", help="File to write; default: standard output")
        parser.add_argument(
            "--include-private",
            action="store_true",
            help="Include contracts not marked public (for the commissioner's own use).",
        )
        parser.add_argument("--uri", default="", help="The package's published URI")

    def handle(
        self, *args, organisation=None, output=None, include_private=False, uri="", **options
    ):
        org = None
        if organisation:
            org = Organisation.objects.filter(ods_code=organisation).first()
            if org is None:
                raise CommandError(f"no organisation with ODS code {organisation}")
        try:
            package = selectors.ocds_release_package(
                organisation=org, public_only=not include_private, uri=uri
            )
        except NothingToPublish as exc:
            raise CommandError(exc.message) from exc
        errors = ocds.validation_errors(package)
        if errors:
            raise CommandError("the package does not validate:\n" + "\n".join(errors[:20]))
        text = json.dumps(package, indent=2, ensure_ascii=False)
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text)
            self.stderr.write(f"{len(package['releases'])} releases written to {output}")
        else:
            self.stdout.write(text)
