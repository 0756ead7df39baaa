"""Where Celery's autodiscovery looks for the ``foiregister`` app's tasks."""

from foiregister.requests.tasks import *  # noqa: F403
