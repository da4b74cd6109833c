"""The kinds of work the autonomy worker can do, each with how to find it and how to do it.

An action kind lists its candidates (rows the worker locks with SKIP LOCKED, so two workers
never take the same one) and acts on one candidate at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse

from campaigns.models import Creative, CreativeStatus, Review, ReviewSource
from campaigns.validation import post_problems


@dataclass(frozen=True)
class Outcome:
    summary: str
    url: str = ""


@dataclass(frozen=True)
class ActionKind:
    kind: str
    title: str
    candidates: Callable[[], QuerySet]
    brand_of: Callable[[Any], Any]
    describe: Callable[[Any], str]
    act: Callable[[Any], Outcome]
    live_platform_of: Callable[[Any], str] = lambda target: ""

    def target_key(self, target) -> str:
        return f"{target._meta.model_name}:{target.pk}"


# --- approve_creative -------------------------------------------------------------------


def _pending_creatives() -> QuerySet:
    decided = Review.objects.filter(creative=OuterRef("pk"), version=OuterRef("version"))
    return (
        Creative.objects.filter(status=CreativeStatus.PENDING, campaign__completed_at__isnull=True)
        .exclude(Exists(decided))
        .select_related("campaign__brand")
        .order_by("scheduled_at", "pk")
    )


def creative_check_problems(creative: Creative) -> list[str]:
    """Every check a creative must pass before the worker may approve it by itself."""
    problems = post_problems(
        platform=creative.platform,
        caption=creative.caption,
        hashtags=creative.hashtags,
        link=creative.link,
    )
    campaign = creative.campaign
    scheduled = creative.scheduled_at.date()
    if not campaign.start_date <= scheduled <= campaign.end_date:
        problems.append("It is scheduled outside its campaign's dates.")
    if Review.objects.filter(creative=creative, decision="rejected").exists():
        problems.append("A reviewer rejected an earlier version: a person should look again.")
    if not creative.image and not creative.image_brief and creative.rules.slug == "instagram":
        problems.append("Instagram needs an image.")
    return problems


def _approve(creative: Creative) -> Outcome:
    from campaigns.services import creative_decide

    problems = creative_check_problems(creative)
    if problems:
        raise ActionRefused(" ".join(problems))
    creative_decide(
        creative=creative,
        reviewer=None,
        approve=True,
        version=creative.version,
        source=ReviewSource.AUTONOMY,
    )
    return Outcome(
        f"Approved v{creative.version} of the {creative.get_platform_display()} post "
        f"for {creative.scheduled_at:%d %b}.",
        reverse("campaigns:creative", args=[creative.pk]),
    )


class ActionRefused(Exception):
    """The action's own checks said no; the worker logs it as skipped with this reason."""


ACTIONS: dict[str, ActionKind] = {
    "approve_creative": ActionKind(
        kind="approve_creative",
        title="Approve creatives that pass every check",
        candidates=_pending_creatives,
        brand_of=lambda creative: creative.campaign.brand,
        describe=lambda creative: (
            f"Approve the {creative.get_platform_display()} post of {creative.campaign} "
            f"scheduled {creative.scheduled_at:%d %b %H:%M}"
        ),
        act=_approve,
    ),
}
