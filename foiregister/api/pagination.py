"""Page-number pagination whose count stops at 10,000, or 1,000 for a search (see
disclosure.pagination and selectors.RankedSearch)."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination

from foiregister.disclosure.pagination import COUNT_CAP, CappedPaginator
from foiregister.disclosure.selectors import RANKED_OF_BROAD


class CappedCountPagination(PageNumberPagination):
    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count"] = min(self.page.paginator.count, self.page.paginator.cap)
        response.data["count_is_capped"] = self.page.paginator.count_is_capped
        response.data["ranked_among_newest"] = getattr(
            self.page.paginator.object_list, "ranked_among_newest", None
        )
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count"]["description"] = (
            f"Matches, at most {COUNT_CAP} ({RANKED_OF_BROAD} with a search, q)."
        )
        schema["properties"]["count_is_capped"] = {
            "type": "boolean",
            "description": "True when more match than the count says.",
        }
        schema["properties"]["ranked_among_newest"] = {
            "type": "integer",
            "nullable": True,
            "description": "Set for a broad search: only this many of the newest matches "
            "are ranked and paged; add words or filters to reach older ones.",
        }
        return schema
