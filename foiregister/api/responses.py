"""Published FOI responses. Read-only; starts from the disclosure log's public gate, and the
serializers name every field they show: none is about the requester."""

from __future__ import annotations

import django_filters
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from foiregister.disclosure import selectors
from foiregister.disclosure.models import DisclosureLogEntry
from foiregister.kernel.models import Organisation
from foiregister.requests.models import Request

from .pagination import CappedCountPagination


class ExemptionSerializer(serializers.Serializer):
    code = serializers.CharField()
    section = serializers.CharField()
    title = serializers.CharField()


class PublishedQuestionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    text = serializers.CharField()
    answer = serializers.CharField(allow_blank=True)
    answer_kind = serializers.CharField(allow_blank=True)
    answer_kind_label = serializers.CharField(allow_blank=True)
    elsewhere_url = serializers.CharField(allow_blank=True)
    exemptions = ExemptionSerializer(many=True)


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
    questions = PublishedQuestionSerializer(many=True, read_only=True)
    response_pdf = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta(PublishedResponseListSerializer.Meta):
        fields = PublishedResponseListSerializer.Meta.fields + [
            "questions",
            "response_pdf",
            "attachments",
        ]
        read_only_fields = fields

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

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
    """Responses published to the disclosure log, newest first (or best match with ``q``)."""

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
