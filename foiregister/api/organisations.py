"""The NHS bodies in the install: public authorities, public fields only."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from foiregister.disclosure import selectors
from foiregister.kernel.models import Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    # Not recorded is null, not "": an empty string fails the uri and email formats.
    website = serializers.URLField(
        allow_null=True, read_only=True, help_text="The organisation's own website."
    )
    foi_email = serializers.EmailField(
        allow_null=True, read_only=True, help_text="Where to send an FOI request."
    )

    class Meta:
        model = Organisation
        fields = ["ods_code", "name", "kind", "website", "foi_email"]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in ("website", "foi_email"):
            data[name] = data[name] or None
        return data


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """The NHS bodies in this register, by name: public authorities, so their names,
    codes, websites and FOI addresses are public. One is read by its ODS code."""

    serializer_class = OrganisationSerializer
    lookup_field = "ods_code"
    filterset_fields = ["kind"]

    def get_queryset(self):
        return selectors.public_organisations()
