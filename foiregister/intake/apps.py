from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """Requests arriving by email: drafts, round-robin detection, reuse of earlier answers."""

    name = "foiregister.intake"
    label = "intake"
    verbose_name = "Intake"
