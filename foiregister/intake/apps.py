from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """Requests arriving by email: drafts, round-robin detection, reuse of earlier answers."""

    name = "foiregister.intake"
    label = "intake"
    verbose_name = "Intake"

    def ready(self) -> None:
        # Imported FOI-log history is sketched for matching in the import's own transaction.
        from foiregister.requests import imports
        from foiregister.requests import services as request_services

        from . import services

        imports.commit_steps.register(services.index_imported, name="intake: index for matching")
        # A request logged or edited by hand is sketched as it is saved, so the next copy
        # of its round robin finds it without `manage.py index_requests`.
        request_services.text_changed.register(services.index_request)
        # The end of the retention period erases the requester's email as received too.
        request_services.requester_erased.register(services.erase_requester_messages)
