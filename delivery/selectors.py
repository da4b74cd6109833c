"""Reads for the Delivery section: the log and the campaigns a report can be made for."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from campaigns.models import Campaign
from delivery.models import DeliveryRecord

LOG_LIMIT = 50


def delivery_records(limit: int = LOG_LIMIT) -> list[DeliveryRecord]:
    return list(DeliveryRecord.objects.select_related("campaign__brand", "created_by")[:limit])


def campaign_records(campaign: Campaign, limit: int = 10) -> list[DeliveryRecord]:
    return list(
        DeliveryRecord.objects.filter(campaign=campaign).select_related("created_by")[:limit]
    )


def delivery_campaigns(limit: int = LOG_LIMIT) -> QuerySet:
    """Campaigns newest first, with how many files were delivered for each."""
    return (
        Campaign.objects.select_related("brand")
        .annotate(n_deliveries=Count("deliveries"))
        .order_by("-start_date", "-pk")[:limit]
    )
