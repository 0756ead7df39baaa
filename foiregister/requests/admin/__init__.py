"""The FOI officers' screens, one module per concept. Thin: every write calls a service,
every rule is a selector. Importing this package registers them."""

from . import filters, holidays, importjobs, inlines, reference, requesters, requests  # noqa: F401
