"""Canonical lead statuses and the normalisation every incoming status goes through."""

from __future__ import annotations

from django.db import models


class LeadStatus(models.TextChoices):
    NEW = "NEW", "New"
    ENRICHED = "ENRICHED", "Enriched"
    CONTACTED = "CONTACTED", "Contacted"
    REPLIED = "REPLIED", "Replied"
    QUALIFIED = "QUALIFIED", "Qualified"
    ROUTED = "ROUTED", "Routed"
    WON = "WON", "Won"
    LOST = "LOST", "Lost"
    MANUAL_REVIEW = "MANUAL_REVIEW", "Manual review"


LEGACY_STATUSES = {"ENGAGED": LeadStatus.REPLIED, "RESPONDED": LeadStatus.REPLIED}
# Computed once: an import normalises a status per row, and `LeadStatus.values` is not cheap.
_CANONICAL = frozenset(LeadStatus.values)
_LEGACY = {name: status.value for name, status in LEGACY_STATUSES.items()}


def normalise_status(value: str | None, default: str = LeadStatus.NEW) -> tuple[str, bool]:
    """The canonical status for any incoming value, and whether the value was recognised.

    Blank means the default; legacy names map to their canonical one; anything else is
    unrecognised and goes to MANUAL_REVIEW (the caller keeps the original in a note).
    """
    cleaned = (value or "").strip().upper().replace(" ", "_").replace("-", "_")
    if not cleaned:
        return default, True
    if cleaned in _CANONICAL:
        return cleaned, True
    if cleaned in _LEGACY:
        return _LEGACY[cleaned], True
    return LeadStatus.MANUAL_REVIEW.value, False
