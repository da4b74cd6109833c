"""The kinds of work the autonomy worker can do, each with how to find it and how to do it.

An action kind lists its candidates (rows the worker locks with SKIP LOCKED, so two workers
never take the same one) and acts on one candidate at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from autonomy.models import AgentAction, AutonomyPolicy
from campaigns.models import (
    Campaign,
    Creative,
    CreativeStatus,
    PostingMode,
    Publication,
    Review,
    ReviewSource,
)
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
    # Services that commit their own steps (live posting claims before any request) run
    # outside the tick's transaction and guard against a second worker themselves.
    own_transactions: bool = False

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


def _start_of_day():
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def _done_today(kind: str, model_name: str) -> Exists:
    """An action of this kind already done today on the row in the outer query."""
    key = Concat(Value(f"{model_name}:"), Cast(OuterRef("pk"), CharField()))
    return Exists(
        AgentAction.objects.filter(kind=kind, target_key=key, created_at__gte=_start_of_day())
        .exclude(status="proposed")
    )


# --- generate_drafts ----------------------------------------------------------------------


def _campaigns_due_for_drafts() -> QuerySet:
    today = timezone.localdate()
    ahead = today + timedelta(days=settings.AUTONOMY_GENERATE_AHEAD_DAYS)
    return (
        Campaign.objects.filter(
            completed_at__isnull=True, start_date__lte=ahead, end_date__gte=today,
            creatives__isnull=True,
        )
        .exclude(_done_today("generate_drafts", "campaign"))
        .select_related("brand")
        .order_by("start_date", "pk")
    )


def _generate(campaign: Campaign) -> Outcome:
    from campaigns.generation import GenerationError
    from campaigns.services import campaign_generate

    try:
        outcome = campaign_generate(campaign=campaign, user=None)
    except GenerationError as exc:
        raise ActionRefused(str(exc)) from exc
    return Outcome(
        f"Generated plan v{outcome.plan.version} and {outcome.created} draft posts for review.",
        reverse("campaigns:step", args=[campaign.pk, 3]),
    )


# --- rescore_leads and route_leads: whole-table work, one worker at a time -------------------


def _global_policy_if(condition: Exists) -> QuerySet:
    """The global policy row stands for work over all leads: locking it lets one worker in."""
    return AutonomyPolicy.objects.filter(brand__isnull=True).filter(condition)


def _leads_needing_rescore() -> QuerySet:
    from leads.models import Lead
    from leads.scoring import active_rules, score_expression

    expression = score_expression(active_rules(), timezone.now())
    return _global_policy_if(Exists(Lead.objects.exclude(score=expression)))


def _rescore(_policy) -> Outcome:
    from leads.scoring import leads_rescore

    changed = leads_rescore()
    return Outcome(f"Rescored leads: {changed} scores changed.", reverse("leads:leadgen"))


def _leads_to_route() -> QuerySet:
    from leads.models import Lead, LeadTaker
    from leads.statuses import LeadStatus

    waiting = Lead.objects.filter(
        status=LeadStatus.QUALIFIED, score__gte=settings.LEADS_ROUTING_THRESHOLD
    )
    return _global_policy_if(Exists(waiting)).filter(Exists(LeadTaker.objects.all()))


def _route(_policy) -> Outcome:
    from leads.services import leads_route_qualified

    given = leads_route_qualified(threshold=settings.LEADS_ROUTING_THRESHOLD, actor=None)
    if not given:
        raise ActionRefused("Nobody takes leads at the moment.")
    summary = ", ".join(f"{count} to {name}" for name, count in given.items())
    return Outcome(f"Routed qualified leads: {summary}.", reverse("leads:leadgen"))


# --- prepare_posting_session ----------------------------------------------------------------


def _due_manual_posts(campaign_ref) -> QuerySet:
    end_of_day = _start_of_day() + timedelta(days=1)
    return Creative.objects.filter(
        campaign=campaign_ref, status=CreativeStatus.APPROVED, scheduled_at__lt=end_of_day
    ).exclude(Exists(Publication.objects.filter(creative=OuterRef("pk"))))


def _campaigns_with_manual_posts_due() -> QuerySet:
    return (
        Campaign.objects.filter(posting_mode=PostingMode.MANUAL, completed_at__isnull=True)
        .filter(Exists(_due_manual_posts(OuterRef("pk"))))
        .exclude(_done_today("prepare_posting_session", "campaign"))
        .select_related("brand")
        .order_by("pk")
    )


def _prepare_session(campaign: Campaign) -> Outcome:
    due = list(_due_manual_posts(campaign).values_list("platform", flat=True))
    platforms = sorted(set(due))
    names = ", ".join(Creative(platform=slug).get_platform_display() for slug in platforms)
    return Outcome(
        f"Posting session ready: {len(due)} post(s) due by tonight on {names}.",
        reverse("campaigns:execution_session", args=[campaign.pk, platforms[0]]),
    )


# --- publish_creative -----------------------------------------------------------------------


def _posts_due_to_publish() -> QuerySet:
    return (
        Creative.objects.filter(
            status=CreativeStatus.APPROVED,
            scheduled_at__lte=timezone.now(),
            campaign__completed_at__isnull=True,
            campaign__posting_mode__in=[PostingMode.PROOF, PostingMode.LIVE],
        )
        .exclude(Exists(Publication.objects.filter(creative=OuterRef("pk"))))
        .select_related("campaign__brand")
        .order_by("scheduled_at", "pk")
    )


def _publish(creative: Creative) -> Outcome:
    from campaigns.publishing.services import (
        PublishingConflict,
        publication_publish_live,
        publication_simulate,
    )

    try:
        if creative.campaign.posting_mode == PostingMode.PROOF:
            publication_simulate(creative=creative, user=None)
            return Outcome(
                f"Published the {creative.get_platform_display()} post as a SIMULATION (proof mode).",
                reverse("campaigns:execution_checklist", args=[creative.campaign_id]),
            )
        outcome = publication_publish_live(creative=creative, user=None)
    except PublishingConflict as exc:
        raise ActionRefused(exc.message) from exc
    if not outcome.ok:
        raise RuntimeError(outcome.message)
    return Outcome(
        f"Posted live on {creative.get_platform_display()}.",
        outcome.publication.url or reverse("campaigns:execution_checklist", args=[creative.campaign_id]),
    )


ACTIONS: dict[str, ActionKind] = {
    "generate_drafts": ActionKind(
        kind="generate_drafts",
        title="Generate drafts for campaigns due",
        candidates=_campaigns_due_for_drafts,
        brand_of=lambda campaign: campaign.brand,
        describe=lambda campaign: f"Generate the plan and draft posts of {campaign}",
        act=_generate,
    ),
    "rescore_leads": ActionKind(
        kind="rescore_leads",
        title="Rescore leads",
        candidates=_leads_needing_rescore,
        brand_of=lambda policy: None,
        describe=lambda policy: "Rescore the leads whose score is out of date",
        act=_rescore,
    ),
    "route_leads": ActionKind(
        kind="route_leads",
        title="Route qualified leads",
        candidates=_leads_to_route,
        brand_of=lambda policy: None,
        describe=lambda policy: "Route qualified leads to the operators who take leads",
        act=_route,
    ),
    "prepare_posting_session": ActionKind(
        kind="prepare_posting_session",
        title="Prepare posting sessions",
        candidates=_campaigns_with_manual_posts_due,
        brand_of=lambda campaign: campaign.brand,
        describe=lambda campaign: f"Prepare today's posting session for {campaign}",
        act=_prepare_session,
    ),
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
    "publish_creative": ActionKind(
        kind="publish_creative",
        title="Publish approved posts when due",
        candidates=_posts_due_to_publish,
        brand_of=lambda creative: creative.campaign.brand,
        describe=lambda creative: (
            f"Publish the {creative.get_platform_display()} post of {creative.campaign} "
            f"({'simulated' if creative.campaign.posting_mode == PostingMode.PROOF else 'live'})"
        ),
        act=_publish,
        live_platform_of=lambda creative: (
            creative.platform if creative.campaign.posting_mode == PostingMode.LIVE else ""
        ),
        own_transactions=True,
    ),
}
