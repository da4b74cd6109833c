"""Strategy: the plans of active campaigns, edited as new versions with the old ones kept."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from campaigns.models import Plan
from campaigns.planning import PLANS_PER_PAGE, active_plan_page, plan_revise
from campaigns.tests.factories import BrandFactory, CampaignFactory, PlanFactory

pytestmark = pytest.mark.django_db

PLAN_POST = {
    "pillars": "Craft\n- Origin\n\n",
    "audience": "Café owners in Leeds",
    "key_messages": "Roasted weekly\nTasted before it ships",
    "rationale": "Cafés asked about origin.",
}


def test_plan_revise_adds_the_next_version_and_keeps_the_earlier_one(operator):
    plan = PlanFactory(version=1, pillars=["Craft"], calendar=[{"at": "x"}])
    new = plan_revise(campaign=plan.campaign, editor=operator, pillars=["Craft", "Origin"],
                      audience="Cafés", key_messages=["Weekly"])
    assert (new.version, new.pillars, new.created_by, new.engine) == (
        2, ["Craft", "Origin"], operator, "manual")
    assert new.calendar == [{"at": "x"}]
    plan.refresh_from_db()
    assert (plan.version, plan.pillars) == (1, ["Craft"])


def test_plan_revise_writes_version_one_for_a_campaign_without_a_plan(operator):
    campaign = CampaignFactory()
    plan = plan_revise(campaign=campaign, editor=operator, pillars=["A"], audience="B",
                       key_messages=["C"])
    assert plan.version == 1


def test_active_plan_page_shows_the_highest_version_of_each_active_campaign():
    plan = PlanFactory(version=1, pillars=["Old"])
    PlanFactory(campaign=plan.campaign, version=3, pillars=["Newest"])
    PlanFactory(campaign=plan.campaign, version=2, pillars=["Middle"])
    ended = CampaignFactory(start_date=date(2020, 1, 1), end_date=date(2020, 2, 1))
    PlanFactory(campaign=ended)
    done = CampaignFactory(completed_at=timezone.now())
    PlanFactory(campaign=done)
    items = active_plan_page()
    assert [(i.campaign, i.plan.pillars, i.versions) for i in items] == [
        (plan.campaign, ["Newest"], 3)]


@pytest.mark.embedded
def test_strategy_page_shows_each_active_campaigns_current_plan(viewer_client):
    plan = PlanFactory(version=1, pillars=["Old pillar"])
    PlanFactory(campaign=plan.campaign, version=2, pillars=["Current pillar"],
                key_messages=["Say this"], audience="Roasters")
    page = viewer_client.get("/strategy/").content.decode()
    assert "Current pillar" in page and "Say this" in page and "Roasters" in page
    assert "Old pillar" not in page
    assert "Plan v2" in page


def test_active_plan_page_pages_the_campaigns_and_reaches_every_one():
    brand = BrandFactory(name="Acme")
    plans = [
        PlanFactory(campaign=CampaignFactory(brand=brand, name=f"Spring {i:02}"), pillars=[f"P{i}"])
        for i in range(PLANS_PER_PAGE + 1)
    ]
    first, second = active_plan_page(1), active_plan_page(2)
    assert first.paginator.num_pages == 2 and first.paginator.count == PLANS_PER_PAGE + 1
    shown = [item.plan for item in first] + [item.plan for item in second]
    assert shown == plans


def test_strategy_page_links_to_the_next_page_of_plans_keeping_the_calendar(viewer_client):
    brand = BrandFactory()  # one brand: the list is ordered by brand, then start, then name
    for i in range(PLANS_PER_PAGE + 1):
        campaign = CampaignFactory(brand=brand, name=f"Campaign {i:02}")
        PlanFactory(campaign=campaign, pillars=[f"Pillar {i:02}"])
    page = viewer_client.get("/strategy/?view=week&platform=x").content.decode()
    assert "Pillar 00" in page and f"Pillar {PLANS_PER_PAGE:02}" not in page
    assert 'href="?view=week&amp;platform=x&amp;plans_page=2#plans"' in page
    second = viewer_client.get("/strategy/?view=week&platform=x&plans_page=2").content.decode()
    assert f"Pillar {PLANS_PER_PAGE:02}" in second and "Pillar 00" not in second
    assert "Week of" in second  # the calendar keeps its view


def test_strategy_page_says_when_no_campaign_is_active(viewer_client):
    page = viewer_client.get("/strategy/").content.decode()
    assert "No active campaigns" in page


def test_plan_page_lists_versions_and_opens_an_earlier_one(viewer_client):
    plan = PlanFactory(version=1, pillars=["First idea"])
    PlanFactory(campaign=plan.campaign, version=2, pillars=["Second idea"])
    page = viewer_client.get(f"/strategy/plans/{plan.campaign.pk}/").content.decode()
    assert "Second idea" in page and "First idea" not in page
    assert f'href="/strategy/plans/{plan.campaign.pk}/v1/"' in page
    old = viewer_client.get(f"/strategy/plans/{plan.campaign.pk}/v1/").content.decode()
    assert "First idea" in old and "earlier version" in old


def test_plan_page_hides_the_edit_form_from_viewers(viewer_client):
    plan = PlanFactory()
    page = viewer_client.get(f"/strategy/plans/{plan.campaign.pk}/").content.decode()
    assert "Save as a new version" not in page


def test_plan_page_of_a_missing_version_is_404(viewer_client):
    plan = PlanFactory()
    assert viewer_client.get(f"/strategy/plans/{plan.campaign.pk}/v9/").status_code == 404


def test_plan_edit_saves_a_new_version_and_redirects(operator_client, operator):
    plan = PlanFactory(version=1)
    response = operator_client.post(f"/strategy/plans/{plan.campaign.pk}/edit/", PLAN_POST)
    assert response.status_code == 302
    assert response["Location"] == f"/strategy/plans/{plan.campaign.pk}/"
    new = Plan.objects.get(campaign=plan.campaign, version=2)
    assert new.pillars == ["Craft", "Origin"]
    assert new.key_messages == ["Roasted weekly", "Tasted before it ships"]
    assert new.rationale == "Cafés asked about origin."
    assert Plan.objects.filter(campaign=plan.campaign).count() == 2
    page = operator_client.get(response["Location"]).content.decode()
    assert "Saved as plan version 2" in page


def test_plan_edit_without_pillars_shows_the_problem_and_saves_nothing(operator_client):
    plan = PlanFactory(version=1)
    response = operator_client.post(
        f"/strategy/plans/{plan.campaign.pk}/edit/", {**PLAN_POST, "pillars": "-\n•"}
    )
    assert response.status_code == 400
    assert "Name at least one content pillar." in response.content.decode()
    assert Plan.objects.filter(campaign=plan.campaign).count() == 1


def test_plan_edit_is_forbidden_to_viewers(viewer_client):
    plan = PlanFactory(version=1)
    response = viewer_client.post(f"/strategy/plans/{plan.campaign.pk}/edit/", PLAN_POST)
    assert response.status_code == 403
    assert Plan.objects.count() == 1


def test_plan_edit_rejects_get(operator_client):
    plan = PlanFactory()
    assert operator_client.get(f"/strategy/plans/{plan.campaign.pk}/edit/").status_code == 405


def test_plan_edit_redirects_anonymous_users_to_login(client):
    plan = PlanFactory()
    response = client.post(f"/strategy/plans/{plan.campaign.pk}/edit/", PLAN_POST)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_plan_edit_of_a_completed_campaign_changes_nothing(operator_client):
    plan = PlanFactory(campaign=CampaignFactory(completed_at=timezone.now(),
                                                end_date=date.today() + timedelta(days=3)))
    response = operator_client.post(f"/strategy/plans/{plan.campaign.pk}/edit/", PLAN_POST)
    assert response.status_code == 302
    assert Plan.objects.count() == 1
