"""Where Django's admin autodiscovery looks for the ``foiregister`` app's screens: the
kernel's (organisations, the audit log) and the request register's."""
