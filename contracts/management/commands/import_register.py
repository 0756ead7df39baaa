"""Import contracts, spend or CDC activity from a CSV or XLSX file: preview, or --commit."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from contracts import imports
from contracts.exceptions import ContractsError
from contracts.models import ImportJob
from foiregister.kernel import audit
from foiregister.kernel.models import Organisation


class Command(BaseCommand):
    help = (
        "Check a CSV/XLSX file against the register and report every bad row; with --commit, "
        "write it all in one transaction (or nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--organisation", required=True, help="ODS code")
        parser.add_argument("--kind", required=True, choices=ImportJob.Kind.values)
        parser.add_argument("--commit", action="store_true", help="Write the rows")
        parser.add_argument("--user", help="Username recorded in the audit history")
        parser.add_argument(
            "--max-mb",
            type=float,
            help="Largest file to read, in MB (default: CONTRACTS_IMPORT_MAX_MB, 20)",
        )

    def handle(
        self, *args, file, organisation, kind, commit=False, user=None, max_mb=None, **options
    ):
        org = Organisation.objects.filter(ods_code=organisation).first()
        if org is None:
            raise CommandError(f"no organisation with ODS code {organisation}")
        # Without --user the rows are audited as written by this command, not by nobody.
        by = audit.system("import_register command")
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"no user {user}")
        path = Path(file)
        if not path.exists():
            raise CommandError(f"{file} does not exist")
        try:
            if max_mb is None:
                imports.check_size(path.stat().st_size, path.name)
            elif path.stat().st_size > max_mb * 1024 * 1024:
                raise ContractsError(f"{path.name} is larger than --max-mb {max_mb:g}")
            content = path.read_bytes()
            if not commit:
                result = imports.preview(
                    content=content, filename=path.name, kind=kind, organisation=org
                )
            else:
                try:
                    result = imports.commit(
                        content=content, filename=path.name, kind=kind, organisation=org, by=by
                    )
                except imports.ImportFailed as failed:
                    result = failed.result
        except ContractsError as exc:
            raise CommandError(exc.message) from exc
        for error in result.errors:
            self.stderr.write(str(error))
        if result.errors:
            raise CommandError(f"{len(result.errors)} bad row(s); nothing written")
        if commit:
            self.stdout.write(
                f"{result.rows} rows: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged"
            )
        else:
            self.stdout.write(f"{result.rows} rows look right; run again with --commit")
