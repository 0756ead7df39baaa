"""Where Django's admin autodiscovery looks for the ``foiregister`` app's screens: the
kernel's (organisations, the audit log) and the request register's."""

# The staff screen replaces Django's stock UserAdmin (registered before this module runs).
from foiregister.kernel import staff_admin  # noqa: E402, F401
