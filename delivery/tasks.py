"""Background work for Delivery, through Django's Tasks API: a large report or bundle is made
by a worker (or inline with the immediate backend), never inside the operator's request."""

from __future__ import annotations

from django.tasks import task

from jobs.retries import PermanentError

MAKERS = ("report_pdf", "bundle")


class NothingToDeliver(PermanentError):
    """The campaign is gone (or the kind unknown): another attempt cannot help."""


@task
def make_delivery(kind: str, campaign_id: int, user_id: int | None = None) -> dict:
    from django.contrib.auth import get_user_model

    from campaigns.models import Campaign
    from delivery.services import delivery_bundle_make, delivery_report_make

    if kind not in MAKERS:
        raise NothingToDeliver(f"Delivery makes a PDF report or a bundle, not {kind!r}.")
    campaign = Campaign.objects.select_related("brand").filter(pk=campaign_id).first()
    if campaign is None:
        raise NothingToDeliver(f"Campaign {campaign_id} no longer exists.")
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    make = delivery_report_make if kind == "report_pdf" else delivery_bundle_make
    record = make(campaign=campaign, user=user)
    return {"record": record.pk, "filename": record.filename, "sha256": record.sha256}
