"""Imaging metrics: completed runs and their results (indirectly standardised ratios and
rates by area). A completed run never changes, so a letter citing it and this API give the
same figures. Who started a run and any error text are not shown, and every figure goes
through the metrics disclosure control (``metrics.selectors.published_run_results``:
counts of 1 to 7 suppressed, the rest rounded to 5): the admin alone shows exact counts."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action

from metrics import selectors as metrics_selectors
from metrics.models import Dataset, Run


class DatasetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dataset
        fields = ["name", "source", "period", "sha256", "row_count"]
        read_only_fields = fields


class RunSerializer(serializers.ModelSerializer):
    population = DatasetSerializer(read_only=True)
    activity = DatasetSerializer(read_only=True)

    class Meta:
        model = Run
        fields = [
            "id",
            "population",
            "activity",
            "by",
            "multiplier",
            "code_version",
            "measures",
            "area_count",
            "finished_at",
        ]
        read_only_fields = fields


class ResultSerializer(serializers.Serializer):
    run = serializers.IntegerField()
    measure = serializers.CharField(allow_blank=True)
    area = serializers.CharField()
    observed = serializers.FloatField(
        allow_null=True,
        help_text="Examinations, rounded to the nearest 5 (ratio, rate and limits are "
        "worked from the rounded count); null where suppressed.",
    )
    expected = serializers.FloatField(allow_null=True)
    ratio = serializers.FloatField(allow_null=True)
    ratio_lower95 = serializers.FloatField(allow_null=True)
    ratio_upper95 = serializers.FloatField(allow_null=True)
    ratio_lower998 = serializers.FloatField(allow_null=True)
    ratio_upper998 = serializers.FloatField(allow_null=True)
    national_rate = serializers.FloatField(allow_null=True)
    rate = serializers.FloatField(allow_null=True)
    rate_lower95 = serializers.FloatField(allow_null=True)
    rate_upper95 = serializers.FloatField(allow_null=True)
    rate_lower998 = serializers.FloatField(allow_null=True)
    rate_upper998 = serializers.FloatField(allow_null=True)
    multiplier = serializers.FloatField(help_text="Rates are per this many people.")
    ci_method = serializers.CharField(allow_blank=True)
    compared_with_national_95 = serializers.CharField()
    compared_with_national_998 = serializers.CharField()
    suppressed = serializers.BooleanField(
        help_text="True where the count is 1 to 7, or would let one be worked out: "
        "the count and every figure derived from it are then null."
    )


class RunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Completed imaging metrics runs, newest first."""

    serializer_class = RunSerializer
    filterset_fields = ["by"]

    def get_queryset(self):
        return metrics_selectors.completed_runs().order_by("-finished_at", "-pk")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "measure", OpenApiTypes.STR, description="One measure, e.g. a modality"
            )
        ],
        responses=ResultSerializer(many=True),
    )
    @action(detail=True, methods=["get"], filterset_fields=[], filter_backends=[])
    def results(self, request, pk=None):
        """Every area's ratio and rate, with 95% and 99.8% limits, for one completed run."""
        run = self.get_object()
        rows = metrics_selectors.published_run_results(run=run, measure=request.GET.get("measure"))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ResultSerializer(page, many=True).data)
