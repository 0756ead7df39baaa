from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_roles(**kwargs):
    from .kernel.roles import ensure_roles

    ensure_roles()


class FoiRegisterConfig(AppConfig):
    name = "foiregister"
    verbose_name = "FOI register"

    def ready(self) -> None:
        # Permissions exist only after migrate, so the groups are kept in step then.
        post_migrate.connect(_ensure_roles, sender=self, dispatch_uid="foiregister-roles")
