"""Public community diagnostic centres with capacity and use by modality. Read-only and
list-only; only CDCs the registers' publicity rule (``contracts.publicity``) lets out."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from rest_framework import mixins, serializers, viewsets

from contracts.models import Category, CommunityDiagnosticCentre
from foiregister.disclosure import registers
from foiregister.kernel.models import Organisation


class ModalitySerializer(serializers.Serializer):
    modality = serializers.ChoiceField(choices=Category.choices)
    label = serializers.CharField()
    equipment_fixed = serializers.IntegerField()
    equipment_mobile = serializers.IntegerField()
    capacity = serializers.DecimalField(
        max_digits=12, decimal_places=0, help_text="Examinations possible over the period."
    )
    planned = serializers.IntegerField(allow_null=True)
    actual = serializers.IntegerField()
    utilisation = serializers.DecimalField(
        max_digits=6,
        decimal_places=4,
        allow_null=True,
        help_text="Actual over capacity, as a fraction (0.9 is 90%).",
    )


class PublicCdcSerializer(serializers.Serializer):
    name = serializers.CharField()
    postcode = serializers.CharField(allow_blank=True)
    host_trust = serializers.CharField()
    host_trust_ods_code = serializers.CharField()
    icb = serializers.CharField()
    icb_ods_code = serializers.CharField()
    delivery_model = serializers.ChoiceField(
        choices=CommunityDiagnosticCentre.DeliveryModel.choices
    )
    role = serializers.ChoiceField(choices=CommunityDiagnosticCentre.Role.choices)
    hub = serializers.CharField(allow_blank=True, help_text="The hub, if it is public too.")
    status = serializers.ChoiceField(choices=CommunityDiagnosticCentre.Status.choices)
    opening_date = serializers.DateField(allow_null=True)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    modalities = ModalitySerializer(many=True)
    data_note = serializers.CharField(allow_blank=True)


class PublicCdcFilter(django_filters.FilterSet):
    icb = django_filters.CharFilter(label="ICB ODS code", method="noop")
    status = django_filters.ChoiceFilter(
        choices=CommunityDiagnosticCentre.Status.choices, method="noop"
    )

    class Meta:
        model = CommunityDiagnosticCentre
        fields = []

    def noop(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        icb = None
        if data.get("icb"):
            icb = Organisation.objects.filter(ods_code=data["icb"]).first() or Organisation(pk=-1)
        return registers.public_cdcs_queryset(icb=icb, status=data.get("status") or "")


class PublicCdcViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Community diagnostic centres marked public, with capacity, examinations and
    utilisation by modality over the latest twelve reported months."""

    serializer_class = PublicCdcSerializer
    filterset_class = PublicCdcFilter

    def get_queryset(self):
        return registers.public_cdcs_queryset()

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        cdcs = registers.public_cdcs(page, today=timezone.localdate())
        return self.get_paginated_response(self.get_serializer(cdcs, many=True).data)
