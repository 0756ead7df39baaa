"""Imaging metrics held so a letter can cite a fixed run.

A ``Dataset`` is one uploaded CSV (population or activity) with its source, period, SHA-256
and row count; it is checked by ``metrics.io`` on upload and never changes afterwards. A
``Run`` is one computation on a population and an activity dataset (with its ``by`` column,
multiplier and the code version); its ``Result`` rows (one per measure and area, every
indirectly standardised column) and ``RatesRatio`` rows are written once, when the run
completes, and are immutable from then on: the model and queryset refuse to change or
delete them, and the run's parameters cannot be changed either. To recompute, start a new
run. The database enforces the same rule with triggers (migration 0003), so a bulk update,
the base manager or raw SQL cannot change a completed run or its results either.

A worker that dies mid-run cannot say so: ``heartbeat_at`` is its last sign of life, and
``services.fail_stale_runs`` (every few minutes in Celery beat) marks a running run that
has been silent too long as failed.

Models hold data and constraints only; writes go through ``services``, reads with a rule in
them through ``selectors``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class ImmutableError(Exception):
    """A completed run, or its results, cannot be changed or deleted."""


class Dataset(models.Model):
    class Kind(models.TextChoices):
        POPULATION = "population", "Population"
        ACTIVITY = "activity", "Activity (counts)"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(
        max_length=200,
        unique=True,
        help_text='e.g. "DID 2024/25" or "October 2024 MPI population"',
    )
    source = models.CharField(
        max_length=300, help_text="Where the file came from, e.g. NHS England DID extract"
    )
    period = models.CharField(max_length=60, help_text='e.g. "2024/25" or "October 2024"')
    file = models.FileField(upload_to="metrics/datasets/%Y/")
    original_filename = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size_bytes = models.PositiveBigIntegerField()
    row_count = models.PositiveBigIntegerField(help_text="Data rows (the header excluded)")
    area_count = models.PositiveIntegerField()
    measure_column = models.CharField(
        max_length=60, blank=True, help_text="Activity only: the measure column, e.g. modality"
    )
    measures = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-uploaded_at", "name")

    def __str__(self) -> str:
        return self.name


class Run(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"

    # The fields fixed when a run is created; none may change once it has completed.
    PARAMETERS = ("population_id", "activity_id", "by", "multiplier", "code_version")

    population = models.ForeignKey(
        Dataset,
        on_delete=models.PROTECT,
        related_name="population_runs",
        limit_choices_to={"kind": Dataset.Kind.POPULATION},
    )
    activity = models.ForeignKey(
        Dataset,
        on_delete=models.PROTECT,
        related_name="activity_runs",
        limit_choices_to={"kind": Dataset.Kind.ACTIVITY},
    )
    by = models.CharField(
        "measure column",
        max_length=60,
        blank=True,
        help_text="Column of the activity file that splits it into measures, e.g. modality",
    )
    multiplier = models.FloatField(
        default=10_000.0,
        validators=[MinValueValidator(1.0)],
        help_text="Rates are per this many people",
    )
    code_version = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)], help_text="Percent done"
    )
    stage = models.CharField(max_length=120, blank=True)
    error = models.TextField(blank=True)
    measures = models.JSONField(default=list, blank=True)
    area_count = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Last sign of life from the worker computing it; a running run silent "
        "for longer than METRICS_RUN_STALE_AFTER is marked failed",
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"Run {self.pk}: {self.activity} on {self.population}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.COMPLETED, self.Status.FAILED)

    def save(self, *args, **kwargs):
        if self.pk:
            # Everything but created_by (SET_NULL when a user is removed), as the
            # database trigger of migration 0003 enforces; this says which field.
            names = [f.attname for f in self._meta.concrete_fields if f.name != "created_by"]
            before = Run.objects.filter(pk=self.pk).values(*names).first() or {}
            if before.get("status") == self.Status.COMPLETED:
                changed = [f for f in names if before[f] != getattr(self, f)]
                if changed:
                    raise ImmutableError(
                        f"run {self.pk} has completed; its {', '.join(changed)} cannot change"
                    )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status == self.Status.COMPLETED:
            raise ImmutableError(f"run {self.pk} has completed and is cited; it cannot be deleted")
        return super().delete(*args, **kwargs)


class FrozenQuerySet(models.QuerySet):
    """Refuses bulk updates and deletes that touch a completed run's rows."""

    def _guard(self, verb: str) -> None:
        if self.filter(run__status=Run.Status.COMPLETED).exists():
            raise ImmutableError(f"results of a completed run cannot be {verb}")

    def update(self, **kwargs):
        self._guard("changed")
        return super().update(**kwargs)

    def delete(self):
        self._guard("deleted")
        return super().delete()


class FrozenRow(models.Model):
    """Rows written once while their run is running; fixed when it completes."""

    objects = FrozenQuerySet.as_manager()

    class Meta:
        abstract = True

    def _guard(self, verb: str) -> None:
        if Run.objects.filter(pk=self.run_id, status=Run.Status.COMPLETED).exists():
            raise ImmutableError(f"results of completed run {self.run_id} cannot be {verb}")

    def save(self, *args, **kwargs):
        self._guard("changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._guard("deleted")
        return super().delete(*args, **kwargs)


DSR_FIELDS: tuple[str, ...] = ("dsr", "dsr_lower95", "dsr_upper95", "dsr_lower998", "dsr_upper998")
RESULT_ESTIMATES: tuple[str, ...] = (
    "ratio",
    "ratio_lower95",
    "ratio_upper95",
    "ratio_lower998",
    "ratio_upper998",
    "rate",
    "rate_lower95",
    "rate_upper95",
    "rate_lower998",
    "rate_upper998",
)
"""The per-area ratio and rate of a ``Result`` with their 95% and 99.8% limits."""


class Result(FrozenRow):
    """Indirectly standardised ratio and rate for one measure and area of a run.

    Rates (``national_rate``, ``rate`` and its limits) are per ``run.multiplier`` people;
    NaN (e.g. expected 0) is stored as null.
    """

    run = models.ForeignKey(Run, on_delete=models.PROTECT, related_name="results")
    measure = models.CharField(max_length=120, blank=True)
    area = models.CharField(max_length=200)
    observed = models.FloatField()
    expected = models.FloatField(null=True)
    ratio = models.FloatField(null=True)
    ratio_lower95 = models.FloatField(null=True)
    ratio_upper95 = models.FloatField(null=True)
    ratio_lower998 = models.FloatField(null=True)
    ratio_upper998 = models.FloatField(null=True)
    national_rate = models.FloatField(null=True)
    rate = models.FloatField(null=True)
    rate_lower95 = models.FloatField(null=True)
    rate_upper95 = models.FloatField(null=True)
    rate_lower998 = models.FloatField(null=True)
    rate_upper998 = models.FloatField(null=True)
    ci_method = models.CharField(max_length=10, blank=True)
    # Directly standardised rate (ESP 2013 over the 19 age bands, Dobson limits), per
    # run.multiplier; null below 10 observed. For commissioners: not published, since
    # disclosure control rounds counts and works the ISR again, not this.
    dsr = models.FloatField(null=True)
    dsr_lower95 = models.FloatField(null=True)
    dsr_upper95 = models.FloatField(null=True)
    dsr_lower998 = models.FloatField(null=True)
    dsr_upper998 = models.FloatField(null=True)

    class Meta:
        ordering = ("run", "measure", "area")
        constraints = [
            models.UniqueConstraint(
                fields=("run", "measure", "area"), name="metrics_result_one_per_measure_area"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure or 'all'} {self.area} (run {self.run_id})"


class RatesRatio(FrozenRow):
    """One level of one factor (sex, IMD quintile, broad age band) for a measure of a run."""

    run = models.ForeignKey(Run, on_delete=models.PROTECT, related_name="rates_ratios")
    measure = models.CharField(max_length=120, blank=True)
    factor = models.CharField(max_length=10)
    level = models.CharField(max_length=20)
    base_level = models.CharField(max_length=20)
    position = models.PositiveSmallIntegerField(default=0)
    observed = models.FloatField()
    expected = models.FloatField(null=True)
    national_rate = models.FloatField(null=True)
    std_rate = models.FloatField(null=True)
    rate_ratio = models.FloatField(null=True)
    chisq_rates = models.FloatField(null=True)
    p_rates = models.FloatField(null=True)
    sig_rates = models.CharField(max_length=3, blank=True)
    chisq_counts = models.FloatField(null=True)
    p_counts = models.FloatField(null=True)
    sig_counts = models.CharField(max_length=3, blank=True)

    class Meta:
        ordering = ("run", "measure", "position")
        constraints = [
            models.UniqueConstraint(
                fields=("run", "measure", "factor", "level"),
                name="metrics_ratesratio_one_per_level",
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure or 'all'} {self.factor} {self.level} (run {self.run_id})"
