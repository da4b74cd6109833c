"""Leads and everything that happens to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from leads.statuses import LeadStatus


class Lead(models.Model):
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=50, blank=True)
    company = models.CharField(max_length=200, blank=True)
    company_size = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField("job title", max_length=200, blank=True)
    website = models.URLField(max_length=300, blank=True)
    source = models.CharField(max_length=60, blank=True)
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

    class Meta:
        ordering = ["-score", "-created_at"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="lead_email_unique_ci"),
        ]
        indexes = [
            models.Index(fields=["-score", "-created_at"], name="lead_score_rank"),
            models.Index(fields=["status", "-score"], name="lead_status_score"),
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
