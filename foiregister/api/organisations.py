"""The NHS bodies in the install: public authorities, public fields only."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from foiregister.disclosure import selectors
from foiregister.kernel.models import Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["ods_code", "name", "kind", "website", "foi_email"]
        read_only_fields = fields


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganisationSerializer
    lookup_field = "ods_code"
    filterset_fields = ["kind"]

    def get_queryset(self):
        return selectors.public_organisations()
