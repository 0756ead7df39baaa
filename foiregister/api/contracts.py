"""Public contracts. Read-only and list-only (a contract's primary key would say how many
are not public); rows come from the public register's selector, which applies the
registers' one publicity rule (``contracts.publicity``): public contracts only, and no
value the rule withholds."""

from __future__ import annotations

import django_filters
from rest_framework import mixins, serializers, viewsets

from contracts.models import Category, Contract
from foiregister.disclosure import registers
from foiregister.kernel.models import Organisation


class PublicContractSerializer(serializers.Serializer):
    organisation_ods_code = serializers.CharField()
    organisation = serializers.CharField()
    reference = serializers.CharField()
    title = serializers.CharField()
    supplier = serializers.CharField()
    kind = serializers.ChoiceField(choices=Contract.Kind.choices)
    categories = serializers.ListField(child=serializers.CharField())
    category_labels = serializers.ListField(child=serializers.CharField())
    payment_basis = serializers.ChoiceField(choices=Contract.PaymentBasis.choices)
    value = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="Current value in GBP; null when withheld or not recorded.",
    )
    value_withheld = serializers.BooleanField(
        help_text="True when the commissioner withheld the value, e.g. under FOIA s.43(2)."
    )
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True, help_text="Current end date.")
    end_date_to_be_agreed = serializers.BooleanField()
    latest_end_date = serializers.DateField(allow_null=True)
    procurement_route = serializers.CharField(allow_blank=True)
    procurement_route_label = serializers.CharField()
    status = serializers.ChoiceField(choices=Contract.Status.choices)

    def to_representation(self, instance):
        return super().to_representation(registers.public_contract(instance))


class PublicContractFilter(django_filters.FilterSet):
    organisation = django_filters.CharFilter(label="ODS code", method="noop")
    kind = django_filters.ChoiceFilter(choices=Contract.Kind.choices, method="noop")
    category = django_filters.ChoiceFilter(choices=Category.choices, method="noop")
    status = django_filters.ChoiceFilter(choices=Contract.Status.choices, method="noop")

    class Meta:
        model = Contract
        fields = []

    def noop(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        """Every filter goes to the one selector, which starts from the public gate."""
        data = self.form.cleaned_data
        organisation = None
        if data.get("organisation"):
            organisation = Organisation.objects.filter(
                ods_code=data["organisation"]
            ).first() or Organisation(pk=-1)
        return registers.public_contract_rows(
            organisation=organisation,
            kind=data.get("kind") or "",
            category=data.get("category") or "",
            status=data.get("status") or "",
        )


class PublicContractViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Contracts their commissioners marked public, by organisation and end date."""

    serializer_class = PublicContractSerializer
    filterset_class = PublicContractFilter

    def get_queryset(self):
        return registers.public_contract_rows()
