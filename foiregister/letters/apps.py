from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "foiregister.letters"
    label = "letters"
    verbose_name = "Letters"
