"""Where Django looks for the ``foiregister`` app's models: the shared kernel's and the
request register's. Nothing imports this module; import models from their layer
(``foiregister.kernel.models``, ``foiregister.requests.models``)."""

from foiregister.kernel.models import *  # noqa: F403
from foiregister.requests.models import *  # noqa: F403
