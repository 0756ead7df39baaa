"""Migration helpers for the PostgreSQL-only parts of the disclosure log: kept here for the
migrations that import them; the intake's word index uses them too, from the kernel."""

from foiregister.kernel.db import AddIndexOnPostgres, RemoveIndexOnPostgres

__all__ = ["AddIndexOnPostgres", "RemoveIndexOnPostgres"]
