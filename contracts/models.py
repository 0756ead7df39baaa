"""The contract and CDC registers: what round-robin FOI requests about independent-sector,
insourcing and diagnostic capacity ask every NHS body, held so the answer is looked up, not
remembered.

Models hold data and constraints only. Every write goes through ``services`` (which audits
it); reads with a rule in them go through ``selectors``. Computed figures (current end date
and value, capacity, utilisation, shortfall) are never typed: services store the current
end date and value from the change events so lists filter in the database, and capacity
arithmetic lives in the pure ``capacity`` module.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

ORGANISATION = "foiregister.Organisation"

financial_year_validator = RegexValidator(
    r"^\d{4}/\d{2}$", "a financial year looks like 2024/25", code="financial_year"
)


class Category(models.TextChoices):
    """What a contract buys: an imaging modality, or a clinical specialty (insourcing)."""

    CT = "ct", "CT"
    MRI = "mri", "MRI"
    NOUS = "nous", "Non-obstetric ultrasound"
    XRAY = "xray", "X-ray"
    DEXA = "dexa", "DEXA"
    MAMMOGRAPHY = "mammography", "Mammography"
    PET_CT = "pet_ct", "PET-CT"
    NUCLEAR_MEDICINE = "nuclear_medicine", "Nuclear medicine"
    ECHOCARDIOGRAPHY = "echo", "Echocardiography"
    ENDOSCOPY = "endoscopy", "Endoscopy"
    PHYSIOLOGICAL = "physiological", "Physiological measurement"
    REPORTING = "reporting", "Imaging reporting"
    CARDIOLOGY = "cardiology", "Cardiology"
    NEUROLOGY = "neurology", "Neurology"
    NEUROPHYSIOLOGY = "neurophysiology", "Neurophysiology"
    GYNAECOLOGY = "gynaecology", "Gynaecology"
    TRAUMA_ORTHOPAEDICS = "trauma_orthopaedics", "Trauma and orthopaedics"
    DERMATOLOGY = "dermatology", "Dermatology"
    OPHTHALMOLOGY = "ophthalmology", "Ophthalmology"
    ENT = "ent", "Ear, nose and throat"
    GENERAL_SURGERY = "general_surgery", "General surgery"
    GASTROENTEROLOGY = "gastroenterology", "Gastroenterology"
    UROLOGY = "urology", "Urology"
    OTHER = "other", "Other"


IMAGING_MODALITIES = (
    Category.CT,
    Category.MRI,
    Category.NOUS,
    Category.XRAY,
    Category.DEXA,
    Category.MAMMOGRAPHY,
    Category.PET_CT,
    Category.NUCLEAR_MEDICINE,
)


class Supplier(models.Model):
    """A provider a commissioner holds contracts with; shared by all organisations."""

    class Kind(models.TextChoices):
        INDEPENDENT_SECTOR = "independent_sector", "Independent-sector provider"
        INSOURCING = "insourcing", "Insourcing company"
        NHS_BODY = "nhs_body", "NHS body"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    legal_name = models.CharField(max_length=200, blank=True)
    companies_house_number = models.CharField(
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^[A-Z0-9]{8}$", "8 characters, e.g. 01234567 or SC123456")],
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INDEPENDENT_SECTOR)
    registered_address = models.TextField(blank=True)
    is_sme = models.BooleanField("SME", default=False)
    is_vcse = models.BooleanField("VCSE", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CommunityDiagnosticCentre(models.Model):
    """A CDC: where it is, who hosts it, how it is delivered. Capacity is per modality."""

    class DeliveryModel(models.TextChoices):
        NHS = "nhs", "NHS"
        INDEPENDENT_SECTOR = "independent_sector", "Independent sector"
        MIXED = "mixed", "Mixed"

    class Role(models.TextChoices):
        HUB = "hub", "Hub"
        SPOKE = "spoke", "Spoke"
        STANDALONE = "standalone", "Stand-alone"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        OPEN = "open", "Open"
        PARTLY_OPEN = "partly_open", "Partly open"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200, unique=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    host_trust = models.ForeignKey(
        ORGANISATION, on_delete=models.PROTECT, related_name="hosted_cdcs"
    )
    icb = models.ForeignKey(
        ORGANISATION, on_delete=models.PROTECT, related_name="cdcs_in_area", verbose_name="ICB"
    )
    delivery_model = models.CharField(
        max_length=20, choices=DeliveryModel.choices, default=DeliveryModel.NHS
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STANDALONE)
    hub = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="spokes"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    opening_date = models.DateField(null=True, blank=True)
    is_public = models.BooleanField(default=False)
    data_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where the figures come from, e.g. 'invented for the demonstration'.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "community diagnostic centre"

    def __str__(self) -> str:
        return self.name


class Contract(models.Model):
    """An independent-sector, insourcing or outsourced-reporting contract a body holds."""

    class Kind(models.TextChoices):
        INDEPENDENT_SECTOR = "independent_sector", "Independent sector"
        INSOURCING = "insourcing", "Insourcing"
        OUTSOURCED_REPORTING = "outsourced_reporting", "Outsourced reporting"
        OTHER = "other", "Other"

    class PaymentBasis(models.TextChoices):
        FIXED_TOTAL = "fixed_total", "Fixed total value"
        ANNUAL = "annual", "Annual value"
        BLOCK = "block", "Block contract"
        COST_PER_CASE = "cost_per_case", "Cost per case"
        ACTIVITY_AT_TARIFF = (
            "activity_at_tariff",
            "Zero value, paid on activity at national tariff",
        )

    class ProcurementRoute(models.TextChoices):
        PSR_DIRECT_AWARD_A = "psr_da_a", "PSR 2023 Direct Award A"
        PSR_DIRECT_AWARD_B = "psr_da_b", "PSR 2023 Direct Award B"
        PSR_DIRECT_AWARD_C = "psr_da_c", "PSR 2023 Direct Award C"
        PSR_MOST_SUITABLE = "psr_msp", "PSR 2023 Most Suitable Provider"
        PSR_COMPETITIVE = "psr_competitive", "PSR 2023 Competitive Process"
        PSR_URGENT = "psr_urgent", "PSR 2023 urgent award"
        FRAMEWORK = "framework", "Framework call-off"
        PA23_OPEN = "pa23_open", "Procurement Act 2023 open procedure"
        PA23_FLEXIBLE = "pa23_flexible", "Procurement Act 2023 competitive flexible"
        PA23_DIRECT = "pa23_direct", "Procurement Act 2023 direct award"
        PCR15_OPEN = "pcr15_open", "PCR 2015 open"
        PCR15_RESTRICTED = "pcr15_restricted", "PCR 2015 restricted"
        PCR15_NEGOTIATED = "pcr15_negotiated", "PCR 2015 competitive procedure with negotiation"
        PCR15_NO_NOTICE = "pcr15_no_notice", "PCR 2015 negotiated without prior publication"
        PCR15_LIGHT_TOUCH = "pcr15_light_touch", "PCR 2015 light touch regime"
        OTHER = "other", "Other"
        UNKNOWN = "", "Not recorded"

    class Status(models.TextChoices):
        """OCDS 1.1.5 contractStatus codelist."""

        PENDING = "pending", "Pending"
        ACTIVE = "active", "Active"
        TERMINATED = "terminated", "Terminated"
        CANCELLED = "cancelled", "Cancelled"

    organisation = models.ForeignKey(ORGANISATION, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(
        max_length=60, help_text="The register's own reference; unique per organisation."
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="contracts")
    title = models.CharField(max_length=300)
    scope = models.TextField(blank=True)
    categories = models.JSONField(
        default=list, blank=True, help_text="Imaging modalities or clinical specialties."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    payment_basis = models.CharField(max_length=20, choices=PaymentBasis.choices)
    value = models.DecimalField(
        "original value (GBP)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Zero for contracts paid on activity at national tariff.",
    )
    date_signed = models.DateField(
        null=True,
        blank=True,
        help_text="When the contract was awarded or signed; dates its OCDS award release.",
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField("original end date", null=True, blank=True)
    end_date_to_be_agreed = models.BooleanField(default=False)
    end_date_reason = models.TextField(
        blank=True,
        help_text="Why the end date is still to be agreed, e.g. a PSR Direct Award C under "
        "review.",
    )
    extension_options = models.TextField(blank=True, help_text="e.g. '2 x 12 months'.")
    latest_end_date = models.DateField(
        null=True, blank=True, help_text="If every extension option is exercised."
    )
    notice_period_days = models.PositiveIntegerField(null=True, blank=True)
    procurement_route = models.CharField(
        max_length=20, choices=ProcurementRoute.choices, blank=True, default=""
    )
    notice_references = models.TextField(
        blank=True, help_text="Find a Tender / Contracts Finder notice ids, one per line."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    predecessor = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="successors"
    )
    cdc = models.ForeignKey(
        CommunityDiagnosticCentre,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name="CDC served",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who is warned before it runs out.",
    )
    is_public = models.BooleanField(
        default=False, help_text="Shown on the public register and in the OCDS export."
    )
    value_is_public = models.BooleanField(
        default=True,
        help_text="Disclosed by default, as FOIA presumes; untick to withhold the value, its "
        "changes and the spend against it (e.g. FOIA s.43(2)).",
    )
    reasons_are_public = models.BooleanField(
        "publish reasons",
        default=False,
        help_text="Tick to publish the reason an end date is to be agreed and the reasons for "
        "extensions, variations and terminations (OCDS export). Free text: read it for names "
        "and commercially sensitive detail first.",
    )
    source = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where this entry comes from, e.g. the signed contract or a published FOI "
        "response. Kept for the register's users; never published.",
    )
    # Stored by services from the change events, so lists filter in the database.
    current_end_date = models.DateField(null=True, editable=False, db_index=True)
    current_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, editable=False)
    notice_date = models.DateField(
        "last day to give notice",
        null=True,
        editable=False,
        help_text="The current end date less the notice period; the 'notice' warning horizon.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation_id", "current_end_date", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="contract_unique_reference"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="contract_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(end_date_to_be_agreed=False) | ~Q(end_date_reason=""),
                name="contract_end_to_be_agreed_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status", "current_end_date"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class ContractChange(models.Model):
    """An extension exercised, a variation or a termination; immutable once recorded."""

    class Kind(models.TextChoices):
        EXTENSION = "extension", "Extension exercised"
        VARIATION = "variation", "Variation"
        TERMINATION = "termination", "Termination"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="changes")
    sequence = models.PositiveIntegerField(
        editable=False,
        help_text="1 for the contract's first recorded change, 2 for the next, whatever their "
        "dates: names its OCDS release for good, so a back-dated change renumbers nothing.",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    effective_on = models.DateField()
    new_end_date = models.DateField(null=True, blank=True)
    value_change = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    reason = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["effective_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "sequence"], name="contract_change_unique_sequence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_on:%d %b %Y}"


class ContractSpend(models.Model):
    """Money paid (actual) or expected (forecast) in one financial year, against a contract or
    a supplier and specialty where there is no contract, or a ledger total where the body
    holds no breakdown."""

    class Basis(models.TextChoices):
        ACTUAL = "actual", "Actual"
        FORECAST = "forecast", "Forecast"

    organisation = models.ForeignKey(ORGANISATION, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(
        max_length=120, help_text="Unique per organisation; imports upsert on it."
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="spend"
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="spend"
    )
    category = models.CharField(max_length=30, choices=Category.choices, blank=True)
    kind = models.CharField(max_length=20, choices=Contract.Kind.choices)
    financial_year = models.CharField(max_length=7, validators=[financial_year_validator])
    amount = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Blank where the provider was used but spend is held only as a total.",
    )
    basis = models.CharField(max_length=8, choices=Basis.choices, default=Basis.ACTUAL)
    source = models.CharField(max_length=300, help_text="e.g. 'ledger, month 12 close'.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation_id", "financial_year", "reference"]
        verbose_name_plural = "contract spend"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="spend_unique_reference"
            )
        ]
        indexes = [models.Index(fields=["organisation", "financial_year", "kind"])]

    def __str__(self) -> str:
        return f"{self.financial_year} {self.reference}"


class PlannedProcurement(models.Model):
    """A re-tender or new procurement being planned: the kept answer to 'any plans?'."""

    class Status(models.TextChoices):
        CONSIDERING = "considering", "Under consideration"
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        AWARDED = "awarded", "Awarded"
        ABANDONED = "abandoned", "Abandoned"

    organisation = models.ForeignKey(ORGANISATION, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=300)
    categories = models.JSONField(default=list, blank=True)
    kind = models.CharField(max_length=20, choices=Contract.Kind.choices)
    procurement_route = models.CharField(
        max_length=20, choices=Contract.ProcurementRoute.choices, blank=True, default=""
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    replaces = models.ForeignKey(
        Contract, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expected_start = models.DateField("procurement expected to start", null=True, blank=True)
    expected_award = models.DateField("award expected", null=True, blank=True)
    expected_contract_start = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    is_public = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation_id", "expected_start", "title"]

    def __str__(self) -> str:
        return self.title


class CdcModality(models.Model):
    """A CDC's equipment for one modality and its hours, from which capacity is computed."""

    cdc = models.ForeignKey(
        CommunityDiagnosticCentre, on_delete=models.CASCADE, related_name="modalities"
    )
    modality = models.CharField(max_length=30, choices=Category.choices)
    equipment_count = models.PositiveIntegerField()
    mobile = models.BooleanField(default=False, help_text="Mobile unit rather than fixed.")
    hours_per_week = models.DecimalField(
        max_digits=5, decimal_places=2, validators=[MinValueValidator(0)]
    )
    examinations_per_hour = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text="Per machine, as planned for this CDC's case mix.",
    )

    class Meta:
        ordering = ["cdc", "modality", "mobile"]
        verbose_name = "CDC modality"
        verbose_name_plural = "CDC modalities"
        constraints = [
            models.UniqueConstraint(
                fields=["cdc", "modality", "mobile"], name="cdc_modality_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cdc} {self.get_modality_display()}{' (mobile)' if self.mobile else ''}"


class CdcActivity(models.Model):
    """Planned and actual examinations in one month (``month`` is its first day)."""

    cdc = models.ForeignKey(
        CommunityDiagnosticCentre, on_delete=models.CASCADE, related_name="activity"
    )
    modality = models.CharField(max_length=30, choices=Category.choices)
    month = models.DateField()
    planned = models.PositiveIntegerField(null=True, blank=True)
    actual = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["cdc", "modality", "month"]
        verbose_name = "CDC activity"
        verbose_name_plural = "CDC activity"
        constraints = [
            models.UniqueConstraint(
                fields=["cdc", "modality", "month"], name="cdc_activity_unique_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="cdc_activity_month_start"),
        ]

    def __str__(self) -> str:
        return f"{self.cdc} {self.modality} {self.month:%b %Y}"


class TrustImagingProfile(models.Model):
    """A Trust's imaging estate as an imaging network publishes it (sites, activity, scanner
    counts), kept with its source and year."""

    organisation = models.ForeignKey(ORGANISATION, on_delete=models.PROTECT, related_name="+")
    icb = models.ForeignKey(
        ORGANISATION, on_delete=models.PROTECT, related_name="+", verbose_name="ICB"
    )
    network = models.CharField(max_length=200)
    year = models.CharField(max_length=7, validators=[financial_year_validator])
    sites = models.PositiveIntegerField()
    examinations = models.PositiveIntegerField(null=True, blank=True)
    imaging_staff_wte = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    nuclear_medicine = models.BooleanField(default=False)
    ct_scanners = models.PositiveIntegerField("CT scanners", default=0)
    mri_scanners = models.PositiveIntegerField("MRI scanners", default=0)
    nous_machines = models.PositiveIntegerField("NOUS machines", default=0)
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["network", "organisation_id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="imaging_profile_year")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"


class ExpiryWarning(models.Model):
    """A warning sent to a contract's owner: one per horizon and end date, never twice."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="warnings")
    horizon = models.CharField(max_length=20, help_text="e.g. '12m', '6m', '3m', 'notice'.")
    end_date = models.DateField(help_text="The end date warned about.")
    recipient = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "horizon", "end_date"], name="expiry_warning_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.horizon}"


class ImportJob(models.Model):
    """One uploaded file: previewed, then committed (in Celery when large)."""

    class Kind(models.TextChoices):
        CONTRACTS = "contracts", "Contracts"
        SPEND = "spend", "Spend"
        CDC_ACTIVITY = "cdc_activity", "CDC activity"

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        PREVIEWED = "previewed", "Previewed"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    organisation = models.ForeignKey(ORGANISATION, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"
