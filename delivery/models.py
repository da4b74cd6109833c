"""The delivery log: every report and bundle produced, kept to be downloaded again unchanged."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DeliveryKind(models.TextChoices):
    REPORT_PDF = "report_pdf", "Campaign report (PDF)"
    BUNDLE = "bundle", "Delivery bundle (ZIP)"
    EXPORT = "export", "Data export"


class DeliveryRecord(models.Model):
    kind = models.CharField(max_length=12, choices=DeliveryKind.choices)
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="deliveries",
    )
    file = models.FileField(upload_to="deliveries/%Y/%m/")
    filename = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.filename}"
