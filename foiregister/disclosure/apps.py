from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "foiregister.disclosure"
    label = "disclosure"
    verbose_name = "Disclosure log"

    def ready(self) -> None:
        # An FOI-log import publishes the history it marks ``published``, in its transaction.
        from foiregister.requests import imports

        from . import imported

        imports.add_step(
            "disclosure: publish", imported.publish_imported, check=imported.check_imported
        )
