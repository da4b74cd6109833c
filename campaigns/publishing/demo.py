"""Demo data for the Execution section: one rehearsed (SIMULATED) post, so Monitoring has
simulated figures to show. Idempotent: once a simulated publication exists, it does nothing."""

from __future__ import annotations

from collections.abc import Callable


def seed_execution(log: Callable[[str], None]) -> None:
    from django.contrib.auth.models import User

    from campaigns.models import Creative, CreativeStatus, Publication
    from campaigns.publishing.services import publication_simulate

    if Publication.objects.filter(simulated=True).exists():
        return
    creative = (
        Creative.objects.filter(
            status=CreativeStatus.APPROVED, campaign__completed_at__isnull=True,
            publication__isnull=True, campaign__posting_mode__in=["proof", ""],
        )
        .order_by("scheduled_at", "pk")
        .first()
    )
    if creative is None:
        return
    publication_simulate(creative=creative, user=User.objects.filter(username="operator").first())
    log(f"Execution: rehearsed post {creative.pk} in proof mode (SIMULATED).")
