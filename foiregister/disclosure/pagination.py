"""Pagination with a bounded count: counting every match of a broad search reads every
matching row, so counts stop at ``COUNT_CAP`` and the page says "10,000+"."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        """Matches up to ``COUNT_CAP`` + 1: no ranking or ordering, just ids, with a limit,
        so PostgreSQL stops reading once it has enough."""
        qs = self.object_list
        if not hasattr(qs, "values"):
            return len(qs)
        return qs.order_by().values("pk")[: COUNT_CAP + 1].count()

    @property
    def count_is_capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def count_label(self) -> str:
        return f"{COUNT_CAP:,}+" if self.count_is_capped else f"{self.count:,}"
