"""Leads and everything that happens to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Func
from django.db.models.functions import Lower
from django.urls import reverse

from leads.statuses import LeadStatus

# What the Lead Gen list shows and filters on besides the ranking (leads.selectors.RankedPage).
LIST_INCLUDE = ["name", "email", "company", "company_size", "title", "status", "source", "owner",
                "campaign", "search_text"]


class LeadSearchText(Func):
    """Name, email, company and job title in capitals, joined by a character nobody types: what
    the Lead Gen search looks in (leads.selectors.lead_search)."""

    template = "UPPER(%(expressions)s)"
    arg_joiner = " || chr(31) || "
    output_field = models.TextField()

    def __init__(self) -> None:
        super().__init__(F("name"), F("email"), F("company"), F("title"))

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, arg_joiner=" || char(31) || ", **extra_context)


class Lead(models.Model):
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=50, blank=True)
    company = models.CharField(max_length=200, blank=True)
    company_size = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField("job title", max_length=200, blank=True)
    website = models.URLField(max_length=300, blank=True)
    source = models.CharField(max_length=60, blank=True)
    # Raw UTM values from the public form, kept even when they match no campaign or creative.
    utm_source = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=180, blank=True)
    utm_content = models.CharField(max_length=100, blank=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.SET_NULL, null=True, blank=True, related_name="leads"
    )
    creative = models.ForeignKey(
        "campaigns.Creative", on_delete=models.SET_NULL, null=True, blank=True, related_name="leads"
    )
    status = models.CharField(max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW)
    score = models.IntegerField(default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="leads",
    )
    consent = models.BooleanField(default=False)
    consent_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    # Stored by the database on every write, so a search compares each lead's text as it is
    # instead of joining and upper-casing four columns per lead read (a third of a search).
    search_text = models.GeneratedField(
        expression=LeadSearchText(), output_field=models.TextField(), db_persist=True
    )

    class Meta:
        ordering = ["-score", "-created_at"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="lead_email_unique_ci"),
        ]
        indexes = [
            # The Lead Gen ranking, ids and the list's columns included (PostgreSQL): a page of
            # the list, filtered, searched or deep, is read from this index alone.
            models.Index(fields=["-score", "-created_at", "-id"], name="lead_rank",
                         include=LIST_INCLUDE),
            models.Index(fields=["status", "-score"], name="lead_status_score"),
            models.Index(fields=["source"], name="lead_source"),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.email} <{self.email}>"

    def get_absolute_url(self) -> str:
        return reverse("leads:detail", args=[self.pk])


class ActivityKind(models.TextChoices):
    CREATED = "created", "Created"
    STATUS = "status", "Status change"
    NOTE = "note", "Note"
    TOUCH = "touch", "Touch"
    IMPORT = "import", "Imported"
    ROUTED = "routed", "Routed"


class LeadActivity(models.Model):
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=10, choices=ActivityKind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["lead", "-created_at"]
        verbose_name_plural = "lead activities"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on lead {self.lead_id}"


class ScoringField(models.TextChoices):
    TITLE = "title", "Job title"
    COMPANY = "company", "Company"
    EMAIL = "email", "Email"
    SOURCE = "source", "Source"
    STATUS = "status", "Status"
    COMPANY_SIZE = "company_size", "Company size"
    INACTIVE_DAYS = "inactive_days", "Days without activity"


class ScoringCondition(models.TextChoices):
    CONTAINS = "contains", "contains"
    EQUALS = "equals", "is"
    AT_LEAST = "gte", "is at least"
    AT_MOST = "lte", "is at most"


NUMERIC_SCORING_FIELDS = {ScoringField.COMPANY_SIZE, ScoringField.INACTIVE_DAYS}


class ScoringRule(models.Model):
    """One line of the scoring sheet: when `field` meets `condition` `value`, add `points`.

    A lead's score is the sum of the points of the active rules it meets, computed in the
    database (see leads.scoring).
    """

    field = models.CharField(max_length=20, choices=ScoringField.choices)
    condition = models.CharField(max_length=10, choices=ScoringCondition.choices)
    value = models.CharField(max_length=200)
    points = models.IntegerField()
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-points", "pk"]

    def __str__(self) -> str:
        sign = "+" if self.points >= 0 else ""
        return f"{self.describe()} → {sign}{self.points}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        numeric = self.field in NUMERIC_SCORING_FIELDS
        if numeric and not self.value.strip().lstrip("-").isdigit():
            raise ValidationError({"value": "Enter a whole number."})
        if numeric and self.condition == ScoringCondition.CONTAINS:
            raise ValidationError({"condition": "A number can be compared, not searched."})
        if not numeric and self.condition in (ScoringCondition.AT_LEAST, ScoringCondition.AT_MOST):
            raise ValidationError({"condition": "Text can be matched with contains or is."})

    def describe(self) -> str:
        value = f"“{self.value}”" if self.field not in NUMERIC_SCORING_FIELDS else self.value
        return f"{self.get_field_display()} {self.get_condition_display()} {value}"


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", "Waiting for the mapping"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ImportJob(models.Model):
    """One CSV import: the stored upload, how its columns map to lead fields, and the outcome.

    A background worker needs nothing but this row and the stored file to run the job.
    """

    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(
        default=dict, blank=True, help_text="Column index (as text) → lead field name."
    )
    source = models.CharField(max_length=60, default="csv_import")
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEW
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    merged_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    rejected_rows = models.JSONField(
        default=list, blank=True, help_text="[{row, reason, values}] for each rejected row."
    )
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    written_at = models.DateTimeField(
        null=True, blank=True,
        help_text="The time stamped on every lead the import wrote; a lead updated after it "
        "was changed since, and an undo leaves it as it is.",
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    undo_removed = models.PositiveIntegerField(default=0)
    undo_restored = models.PositiveIntegerField(default=0)
    undo_skipped = models.JSONField(
        default=list, blank=True,
        help_text="[{id, email}] of leads changed since the import, left as they are by the undo.",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("undo_importjob", "Can undo a finished import")]

    def __str__(self) -> str:
        return f"Import #{self.pk} of {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("leads:import_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in {ImportStatus.QUEUED, ImportStatus.RUNNING}

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None

    @property
    def can_be_undone(self) -> bool:
        return self.status == ImportStatus.DONE and self.written_at is not None and not self.is_undone

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class ImportLeadChange(models.Model):
    """What one import did to one lead, so the import can be undone: the lead was created by
    it, or these were the lead's values before it (`previous`). Written set-based inside the
    import's transaction."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="changes")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="import_changes")
    created = models.BooleanField()
    previous = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["job", "lead"]
        constraints = [
            models.UniqueConstraint(fields=["job", "lead"], name="import_change_once_per_lead"),
        ]

    def __str__(self) -> str:
        verb = "created" if self.created else "updated"
        return f"Import #{self.job_id} {verb} lead {self.lead_id}"


class LeadTaker(models.Model):
    """An Operator who takes leads: routing hands QUALIFIED leads to these users in turn."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lead_taker"
    )
    accepting = models.BooleanField(default=True)
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"{self.user} ({'taking leads' if self.accepting else 'paused'})"
