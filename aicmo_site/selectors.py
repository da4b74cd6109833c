"""What the overview shows: the things that need the operator now."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from campaigns.models import Creative, CreativeStatus
from leads.models import Lead
from leads.statuses import LeadStatus


def overview_for(user) -> dict:
    now = timezone.localtime()
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    end_of_day = start_of_day + timedelta(days=1)
    counts: dict[str, int | None] = {"awaiting_review": None, "due_today": None, "new_leads": None}
    if user.has_perm("campaigns.view_creative"):
        counts["awaiting_review"] = Creative.objects.filter(status=CreativeStatus.PENDING).count()
        counts["due_today"] = Creative.objects.filter(
            status=CreativeStatus.APPROVED,
            publication__isnull=True,
            scheduled_at__gte=start_of_day,
            scheduled_at__lt=end_of_day,
        ).count()
    if user.has_perm("leads.view_lead"):
        counts["new_leads"] = Lead.objects.filter(status=LeadStatus.NEW).count()
    return counts
