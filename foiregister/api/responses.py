"""Published FOI responses. Read-only; starts from the disclosure log's public gate, and the
serializers name every field they show: none is about the requester."""

from __future__ import annotations

import datetime

import django_filters
from django.urls import reverse
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers, viewsets

from foiregister.disclosure import answers, selectors
from foiregister.disclosure.models import DisclosureLogEntry
from foiregister.kernel.models import Organisation
from foiregister.requests.models import Request

from .pagination import CappedCountPagination


class ExemptionSerializer(serializers.Serializer):
    code = serializers.CharField(allow_blank=True)
    section = serializers.CharField()
    title = serializers.CharField()


# -- live blocks: the frozen content of the issued letter, as the response's page prints it --
#
# Dates are ISO 8601 strings; money and other decimals are decimal strings ("1234.56"), as the
# letter froze them. Only the values the page prints are given (``answers.PUBLIC_BLOCK_FIELDS``).


def _decimal(help_text: str) -> serializers.CharField:
    return serializers.CharField(allow_null=True, help_text=help_text)


def _date(help_text: str = "") -> serializers.DateField:
    return serializers.DateField(allow_null=True, help_text=help_text)


class BlockContractSerializer(serializers.Serializer):
    supplier = serializers.CharField(allow_blank=True)
    title = serializers.CharField(allow_blank=True)
    scope = serializers.CharField(allow_blank=True)
    category_labels = serializers.ListField(child=serializers.CharField())
    payment_basis = serializers.CharField(
        allow_blank=True,
        help_text="annual, block, cost_per_case, activity_at_tariff or blank.",
    )
    payment_basis_label = serializers.CharField(allow_blank=True)
    value = _decimal("The contract value in pounds; null when withheld or not recorded.")
    value_withheld = serializers.BooleanField(
        help_text="True when the value is withheld (section 43(2) of the Act)."
    )
    end_date = _date("The contract's end date; null when none is fixed or it is to be agreed.")
    end_date_to_be_agreed = serializers.BooleanField()
    end_date_reason = serializers.CharField(
        allow_blank=True, help_text="Why the end date is still to be agreed, where published."
    )


class IndependentSectorContractsDataSerializer(serializers.Serializer):
    active_on = _date("The day the contracts are live on.")
    contracts = BlockContractSerializer(many=True)


class InsourcingSupplierSerializer(serializers.Serializer):
    supplier = serializers.CharField(allow_blank=True)
    contracts = BlockContractSerializer(many=True)


class LiveInsourcingContractsDataSerializer(serializers.Serializer):
    on = _date("The day the contracts are live on.")
    suppliers = InsourcingSupplierSerializer(many=True)


class SpendTotalDataSerializer(serializers.Serializer):
    financial_year = serializers.CharField(allow_blank=True, help_text="For example 2024/25.")
    kind = serializers.CharField(allow_blank=True)
    kind_label = serializers.CharField(allow_blank=True)
    total = _decimal("Actual spend in pounds.")
    reported = serializers.BooleanField(help_text="False when there is no spend to report.")


class SpecialtyProvidersSerializer(serializers.Serializer):
    specialty = serializers.CharField(allow_blank=True)
    providers = serializers.ListField(child=serializers.CharField())


class InsourcingProvidersBySpecialtyDataSerializer(serializers.Serializer):
    financial_year = serializers.CharField(allow_blank=True)
    specialties = SpecialtyProvidersSerializer(many=True)


class PlanSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    status = serializers.CharField(allow_blank=True)
    procurement_route = serializers.CharField(allow_blank=True)
    expected_award = _date()
    expected_contract_start = _date()


class PlannedProcurementsDataSerializer(serializers.Serializer):
    plans = PlanSerializer(many=True)


class CdcModalitySerializer(serializers.Serializer):
    modality = serializers.CharField(allow_blank=True)
    label = serializers.CharField(allow_blank=True)
    months = serializers.IntegerField(help_text="Months of the period the capacity covers.")
    capacity = _decimal("Capacity (examinations) over the period.")
    actual = serializers.IntegerField(
        allow_null=True, help_text="Activity (examinations); null when no month has a figure."
    )
    utilisation = _decimal("Activity over capacity, as a fraction (0.85 is 85%).")
    average_shortfall = _decimal("Average monthly shortfall against plan; null with no plan.")
    period_months = serializers.IntegerField(allow_null=True)
    activity_months = serializers.ListField(
        child=serializers.DateField(), help_text="The months (first day) with activity figures."
    )
    activity_months_label = serializers.CharField(allow_blank=True)


class CdcSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    address = serializers.CharField(allow_blank=True)
    postcode = serializers.CharField(allow_blank=True)
    host_trust = serializers.CharField(allow_blank=True)
    icb = serializers.CharField(allow_blank=True)
    modalities = CdcModalitySerializer(many=True)


class CdcsHostedDataSerializer(serializers.Serializer):
    organisation = serializers.CharField(allow_blank=True)
    start = _date("The period's first day.")
    end = _date("The period's last day.")
    cdcs = CdcSerializer(many=True)


class FigureRowSerializer(serializers.Serializer):
    label = serializers.CharField(allow_blank=True)
    value = serializers.CharField(allow_blank=True)


class StandardisedImagingRateDataSerializer(serializers.Serializer):
    intro = serializers.CharField(allow_blank=True)
    rows = FigureRowSerializer(many=True)
    empty = serializers.CharField(
        allow_blank=True, help_text="Why there are no figures, when rows is empty."
    )
    note = serializers.CharField(allow_blank=True)


BLOCK_DATA_SERIALIZERS: dict[str, type[serializers.Serializer]] = {
    "independent_sector_contracts": IndependentSectorContractsDataSerializer,
    "live_insourcing_contracts": LiveInsourcingContractsDataSerializer,
    "spend_total": SpendTotalDataSerializer,
    "insourcing_providers_by_specialty": InsourcingProvidersBySpecialtyDataSerializer,
    "planned_procurements": PlannedProcurementsDataSerializer,
    "cdcs_hosted": CdcsHostedDataSerializer,
    "standardised_imaging_rate": StandardisedImagingRateDataSerializer,
}


def _block_serializer(block_type: str, data_serializer) -> type[serializers.Serializer]:
    """A block of one type: ``type`` is that one value, so exactly one of the schema's
    ``oneOf`` matches each block."""
    name = "".join(part.title() for part in block_type.split("_")) + "Block"
    fields = {
        "type": serializers.ChoiceField(choices=[block_type]),
        "title": serializers.CharField(allow_blank=True),
        "available": serializers.BooleanField(
            help_text="False when the letter was issued without this block's content."
        ),
        "text": serializers.CharField(
            allow_blank=True, help_text="The block as the response's page shows it, as text."
        ),
    }
    if data_serializer is None:
        fields["data"] = serializers.JSONField(
            allow_null=True,
            help_text="Always null: a block of a kind without a described "
            "shape (one no longer offered) gives its text only.",
        )
    else:
        fields["data"] = data_serializer(
            allow_null=True, help_text="The values the page prints; null when not available."
        )
    return type(name, (serializers.Serializer,), fields)


BLOCK_SERIALIZERS = {
    key: _block_serializer(key, data) for key, data in BLOCK_DATA_SERIALIZERS.items()
}
BLOCK_SERIALIZERS[answers.OTHER] = _block_serializer(answers.OTHER, None)
LIVE_BLOCK_SCHEMA = PolymorphicProxySerializer(
    component_name="LiveBlock",
    serializers=BLOCK_SERIALIZERS,
    resource_type_field_name="type",
    many=True,
)


@extend_schema_field(LIVE_BLOCK_SCHEMA)
class LiveBlocksField(serializers.Field):
    """Each live block of an answer through its type's serializer."""

    def to_representation(self, blocks):
        return [BLOCK_SERIALIZERS[b["type"]](b).data for b in blocks]


class PublishedQuestionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    text = serializers.CharField()
    answer = serializers.CharField(allow_blank=True)
    answer_kind = serializers.CharField(allow_blank=True)
    answer_kind_label = serializers.CharField(allow_blank=True)
    standard_wording = serializers.CharField(
        allow_blank=True,
        help_text="The standard wording of the letter for this kind of answer (not held, "
        "section 21, exemptions).",
    )
    public_interest_reasoning = serializers.CharField(allow_blank=True)
    elsewhere_url = serializers.CharField(allow_blank=True)
    exemptions = ExemptionSerializer(many=True)
    blocks = LiveBlocksField(
        help_text="Figures, lists and tables from the registers, as frozen in the issued "
        "letter (the page shows the same)."
    )


class ResponseOrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["ods_code", "name"]


class PublishedResponseListSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    url = serializers.SerializerMethodField()
    organisation = ResponseOrganisationSerializer(read_only=True)

    class Meta:
        model = DisclosureLogEntry
        fields = [
            "id",
            "url",
            "reference",
            "title",
            "summary",
            "topic",
            "regime",
            "outcome",
            "organisation",
            "received_on",
            "responded_on",
            "published_at",
        ]
        read_only_fields = fields

    def get_url(self, entry) -> str:
        path = reverse("disclosure:response", args=[entry.public_id])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class AttachmentSerializer(serializers.Serializer):
    title = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.CharField()


class PublishedResponseSerializer(PublishedResponseListSerializer):
    questions = serializers.SerializerMethodField()
    corrected_on = serializers.SerializerMethodField()
    response_pdf = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta(PublishedResponseListSerializer.Meta):
        fields = PublishedResponseListSerializer.Meta.fields + [
            "questions",
            "corrected_on",
            "response_pdf",
            "attachments",
        ]
        read_only_fields = fields

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(PublishedQuestionSerializer(many=True))
    def get_questions(self, entry) -> list[dict]:
        """The answers as the response's page gives them: from the published letter (or
        the correction a lead published), with each live block's frozen content."""
        return PublishedQuestionSerializer(selectors.public_answers_data(entry), many=True).data

    def get_corrected_on(self, entry) -> datetime.date | None:
        """When the answers were corrected (the correction replaces the first response)."""
        return selectors.public_corrected_on(entry)

    def get_response_pdf(self, entry) -> str | None:
        if selectors.public_response_pdf(entry) is None:
            return None
        return self._absolute(reverse("disclosure:response_pdf", args=[entry.public_id]))

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, entry) -> list[dict]:
        return [
            {
                "title": a.title,
                "size": a.size,
                "url": self._absolute(
                    reverse("disclosure:attachment", args=[entry.public_id, a.position])
                ),
            }
            for a in selectors.public_attachments(entry)
        ]


class PublishedResponseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Full-text search of titles, questions and answers", method="noop"
    )
    organisation = django_filters.CharFilter(label="ODS code", method="noop")
    published_from = django_filters.DateFilter(method="noop")
    published_to = django_filters.DateFilter(method="noop")
    topic = django_filters.CharFilter(method="noop")
    regime = django_filters.ChoiceFilter(
        choices=[c for c in Request.Regime.choices if c[0] != "sar"], method="noop"
    )
    outcome = django_filters.ChoiceFilter(
        choices=[c for c in Request.Outcome.choices if c[0]], method="noop"
    )

    class Meta:
        model = DisclosureLogEntry
        fields = []

    def noop(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        """Every filter goes to the one selector, which starts from the public gate."""
        data = self.form.cleaned_data
        organisation = None
        if data.get("organisation"):
            organisation = selectors.public_organisations().filter(
                ods_code=data["organisation"]
            ).first() or Organisation(pk=-1)
        return selectors.search_disclosure_log(
            q=data.get("q") or "",
            organisation=organisation,
            published_from=data.get("published_from"),
            published_to=data.get("published_to"),
            topic=data.get("topic") or "",
            regime=data.get("regime") or "",
            outcome=data.get("outcome") or "",
        )


class PublishedResponseViewSet(viewsets.ReadOnlyModelViewSet):
    """Responses published to the disclosure log, newest first (best match first with q)."""

    lookup_field = "public_id"
    lookup_value_regex = "[a-z0-9]+"
    filterset_class = PublishedResponseFilter
    pagination_class = CappedCountPagination

    def get_queryset(self):
        return selectors.public_disclosure_log().order_by("-published_at", "-id")

    def filter_queryset(self, queryset):
        """Filters and search narrow the list; a response's own URL answers the same with
        or without them."""
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return PublishedResponseSerializer
        return PublishedResponseListSerializer
