"""Pagination with a bounded count: counting every match of a broad search reads every
matching row, so counts stop at ``COUNT_CAP`` and the page says "10,000+". Pages past the
cap are still reachable: when the count is capped the list is open-ended and a page is read
with one row more than it shows, which says whether there is a next one; so the whole
disclosure log can be paged through without ever being counted (a broad search ends after
its newest 1,000 matches, ``RankedSearch``)."""

from __future__ import annotations

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPage(Page):
    """A page of a capped list: whether it has a next page was read, not computed."""

    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def end_index(self) -> int:
        return self.start_index() + len(self) - 1 if len(self) else 0


class CappedPaginator(Paginator):
    @property
    def cap(self) -> int:
        """``COUNT_CAP``, or lower where the list says so (a search counts to 1,000)."""
        return min(COUNT_CAP, getattr(self.object_list, "count_cap", COUNT_CAP))

    @cached_property
    def count(self) -> int:
        """Matches up to the cap + 1: no ranking or ordering, just ids, with a limit, so
        PostgreSQL stops reading once it has enough."""
        qs = self.object_list
        if hasattr(qs, "capped_count"):
            return qs.capped_count(self.cap + 1)
        if not hasattr(qs, "values"):
            return len(qs)
        return qs.order_by().values("pk")[: self.cap + 1].count()

    @property
    def count_is_capped(self) -> bool:
        return self.count > self.cap

    @property
    def count_label(self) -> str:
        return f"{self.cap:,}+" if self.count_is_capped else f"{self.count:,}"

    @property
    def open_ended(self) -> bool:
        """Pages are not numbered "of N": the count stopped at the cap."""
        return self.count_is_capped

    def validate_number(self, number) -> int:
        if not self.open_ended:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number) -> Page:
        number = self.validate_number(number)
        if not self.open_ended:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return CappedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)

    def get_page(self, number) -> Page:
        """As Django's: a page past the end gives the last one, which for an open-ended
        list needs the full count, once."""
        try:
            return super().get_page(number)
        except EmptyPage:
            reachable = self.object_list.count()
            bound = getattr(self.object_list, "ranked_among_newest", None)
            if bound is not None:
                reachable = min(reachable, bound)
            return self.page(max(1, -(-reachable // self.per_page)))
