from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "foiregister.disclosure"
    label = "disclosure"
    verbose_name = "Disclosure log"
