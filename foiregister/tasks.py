"""Where Celery's autodiscovery looks for the ``foiregister`` app's tasks."""

from foiregister.kernel.signin.tasks import *  # noqa: E402, F403
from foiregister.requests.tasks import *  # noqa: F403
