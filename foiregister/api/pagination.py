"""Page-number pagination whose count stops at 10,000 (see disclosure.pagination)."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination

from foiregister.disclosure.pagination import COUNT_CAP, CappedPaginator


class CappedCountPagination(PageNumberPagination):
    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count"] = min(self.page.paginator.count, COUNT_CAP)
        response.data["count_is_capped"] = self.page.paginator.count_is_capped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count"]["description"] = f"Matches, at most {COUNT_CAP}."
        schema["properties"]["count_is_capped"] = {
            "type": "boolean",
            "description": f"True when more than {COUNT_CAP} match.",
        }
        return schema
