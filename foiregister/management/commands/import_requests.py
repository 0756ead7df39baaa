"""Import an existing FOI log (CSV or XLSX): check it, or write it all with --commit."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError

from foiregister.kernel import audit
from foiregister.kernel.models import Organisation
from foiregister.requests import imports


class Command(BaseCommand):
    help = (
        "Check an FOI log or disclosure log (CSV/XLSX: a row per request, or per question "
        "with its answer) and report every bad row; with "
        "--commit, write it all in one transaction (or nothing). See docs/foi-log-import.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--organisation", required=True, help="ODS code")
        parser.add_argument("--commit", action="store_true", help="Write the rows")
        parser.add_argument(
            "--user", help="Username the import is audited as (default: this import job)"
        )

    def handle(self, *args, file, organisation, commit=False, user=None, **options):
        org = Organisation.objects.filter(ods_code=organisation).first()
        if org is None:
            raise CommandError(f"no organisation with ODS code {organisation}")
        by = audit.system("import_requests command")
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"no user {user}")
        path = Path(file)
        if not path.exists():
            raise CommandError(f"{file} does not exist")
        content = path.read_bytes()
        try:
            if commit:
                result = imports.commit(
                    content=content, filename=path.name, organisation=org, by=by
                )
            else:
                result = imports.preview(content=content, filename=path.name, organisation=org)
        except imports.ImportFailed as failed:
            result = failed.result
        except imports.FoiRegisterError as exc:
            raise CommandError(exc.message) from exc
        except (OperationalError, InterfaceError) as exc:
            # The connection was lost (the database restarted or went away): the import is
            # one transaction, so it was written in full or not at all; a rerun puts it right.
            raise CommandError(
                f"the database connection was lost while importing {path.name} ({exc}); "
                "the import is one transaction, so nothing of it was half-written: run it again"
            ) from exc
        for error in result.errors:
            self.stderr.write(str(error))
        if result.errors:
            raise CommandError(f"{len(result.errors)} error(s) in {path.name}; nothing written")
        counts = (
            f"{result.rows} rows: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
        if result.layout != imports.LAYOUT_LOG:
            counts += f"; {result.questions} questions, {result.answers} answered"
        if result.published and commit:
            counts += f"; {result.published} published on the disclosure log"
        elif result.published:
            counts += f"; {result.published} marked published (publishing needs --user, a lead)"
        if commit:
            self.stdout.write(counts)
        else:
            self.stdout.write(f"{counts} (a check: nothing written; add --commit)")
