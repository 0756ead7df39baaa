from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """Requests arriving by email: drafts, round-robin detection, reuse of earlier answers."""

    name = "foiregister.intake"
    label = "intake"
    verbose_name = "Intake"

    def ready(self) -> None:
        # Imported FOI-log history is sketched for matching in the import's own transaction.
        from foiregister.requests import imports

        from . import services

        imports.add_step("intake: index for matching", services.index_imported)
