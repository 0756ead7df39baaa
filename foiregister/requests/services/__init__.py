"""Every write to the request register: atomic, validated, audited, one module per concept.

Admin screens, commands, tasks and tests call these, never the ORM directly. The acting
user is passed as ``by``. The names are gathered here so a caller writes
``services.log_request``, whichever module holds it.
"""

from .casework import *  # noqa: F403
from .contribution_links import *  # noqa: F403
from .contributions import *  # noqa: F403
from .holidays import *  # noqa: F403
from .links import *  # noqa: F403
from .reminders import *  # noqa: F403
from .requesters import *  # noqa: F403
from .requests import *  # noqa: F403
from .time import *  # noqa: F403
from .timeline import *  # noqa: F403
