from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "foiregister.disclosure"
    label = "disclosure"
    verbose_name = "Disclosure log"

    def ready(self) -> None:
        # An FOI-log import publishes the history it marks ``published``, in its transaction.
        from foiregister.requests import imports

        from . import imported

        imports.commit_steps.register(imported.publish_imported, name="disclosure: publish")
        imports.preview_checks.register(imported.check_imported, name="disclosure: publish")
