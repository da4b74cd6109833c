"""Each kind of autonomous work, done at the level that allows it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from autonomy.models import AgentAction, AutonomyLevel
from autonomy.policy import global_policy
from autonomy.worker import tick
from campaigns.models import CreativeStatus, Publication
from campaigns.tests.factories import CampaignFactory, CreativeFactory
from kaizen.models import Retrospective
from leads.models import Lead, LeadTaker, ScoringRule

pytestmark = pytest.mark.django_db


def _level(level: str) -> None:
    policy = global_policy()
    policy.level = level
    policy.save()


def test_assisted_worker_generates_drafts_for_a_campaign_starting_soon():
    _level(AutonomyLevel.ASSISTED)
    campaign = CampaignFactory(start_date=timezone.localdate() + timedelta(days=2))
    assert tick(kinds=["generate_drafts"]).done == 1
    assert campaign.creatives.count() == 12
    assert set(campaign.creatives.values_list("status", flat=True)) == {CreativeStatus.PENDING}
    action = AgentAction.objects.get()
    assert f"/campaigns/{campaign.pk}/step/3/" == action.target_url


def test_generation_is_not_repeated_once_the_campaign_has_posts():
    _level(AutonomyLevel.ASSISTED)
    CampaignFactory(start_date=timezone.localdate())
    tick(kinds=["generate_drafts"])
    assert tick(kinds=["generate_drafts"]).done == 0


def test_suggest_level_proposes_generation():
    _level(AutonomyLevel.SUGGEST)
    campaign = CampaignFactory(start_date=timezone.localdate())
    assert tick(kinds=["generate_drafts"]).proposed == 1
    assert campaign.creatives.count() == 0


def test_autonomous_worker_publishes_due_proof_posts_as_simulations():
    _level(AutonomyLevel.AUTONOMOUS)
    creative = CreativeFactory(
        status=CreativeStatus.APPROVED, scheduled_at=timezone.now() - timedelta(minutes=5),
        campaign=CampaignFactory(posting_mode="proof"),
    )
    assert tick(kinds=["publish_creative"]).done == 1
    publication = Publication.objects.get(creative=creative)
    assert publication.simulated and publication.status == "published"


def test_assisted_worker_never_publishes():
    _level(AutonomyLevel.ASSISTED)
    CreativeFactory(
        status=CreativeStatus.APPROVED, scheduled_at=timezone.now() - timedelta(minutes=5),
        campaign=CampaignFactory(posting_mode="proof"),
    )
    assert tick(kinds=["publish_creative"]).proposed == 1
    assert not Publication.objects.exists()


def test_live_posting_is_refused_on_a_platform_the_policy_does_not_name():
    _level(AutonomyLevel.AUTONOMOUS)
    CreativeFactory(
        status=CreativeStatus.APPROVED, scheduled_at=timezone.now() - timedelta(minutes=5),
        campaign=CampaignFactory(posting_mode="live"),
    )
    report = tick(kinds=["publish_creative"])
    assert (report.done, report.proposed) == (0, 0)
    assert not Publication.objects.exists()


def test_assisted_worker_rescores_leads_when_rules_changed():
    _level(AutonomyLevel.ASSISTED)
    lead = Lead.objects.create(email="h@x.example", title="Head of Growth", score=0)
    ScoringRule.objects.create(field="title", condition="contains", value="Head", points=20)
    assert tick(kinds=["rescore_leads"]).done == 1
    lead.refresh_from_db()
    assert lead.score == 20
    assert tick(kinds=["rescore_leads"]).done == 0  # nothing left to rescore


def test_assisted_worker_routes_qualified_leads_round_robin(operator):
    _level(AutonomyLevel.ASSISTED)
    second = User.objects.create_user("otto")
    second.groups.add(Group.objects.get(name="Operator"))
    for user in (operator, second):
        LeadTaker.objects.create(user=user)
    for i in range(4):
        Lead.objects.create(email=f"q{i}@x.example", status="QUALIFIED", score=80)
    assert tick(kinds=["route_leads"]).done == 1
    owners = list(Lead.objects.values_list("owner__username", flat=True))
    assert sorted(owners) == ["olivia", "olivia", "otto", "otto"]
    assert set(Lead.objects.values_list("status", flat=True)) == {"ROUTED"}


def test_assisted_worker_prepares_todays_posting_session_once():
    _level(AutonomyLevel.ASSISTED)
    campaign = CampaignFactory(posting_mode="manual")
    CreativeFactory(campaign=campaign, status=CreativeStatus.APPROVED, scheduled_at=timezone.now())
    assert tick(kinds=["prepare_posting_session"]).done == 1
    action = AgentAction.objects.get()
    assert action.target_url == f"/execution/campaign/{campaign.pk}/linkedin/session/"
    assert tick(kinds=["prepare_posting_session"]).done == 0


def test_completing_a_campaign_opens_its_retrospective(operator):
    from campaigns.publishing.services import campaign_complete

    campaign = CampaignFactory()
    campaign_complete(campaign=campaign, user=operator)
    assert Retrospective.objects.filter(campaign=campaign).count() == 1
