from django.apps import AppConfig


class FoiRegisterConfig(AppConfig):
    name = "foiregister"
    verbose_name = "FOI register"
