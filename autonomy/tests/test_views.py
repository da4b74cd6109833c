"""The Autonomy section: the policy form, the kill switch and suggestions."""

from __future__ import annotations

import pytest

from autonomy.models import ActionStatus, AgentAction, AutonomyLevel, KillSwitchEvent
from autonomy.policy import KIND_LEVELS, global_policy
from campaigns.models import CreativeStatus
from campaigns.tests.factories import BrandFactory, CreativeFactory

pytestmark = pytest.mark.django_db


def _limits(per_day: int) -> dict[str, int]:
    """The policy form's daily-limit fields, each set to `per_day`."""
    return {f"limit_{kind}": per_day for kind in KIND_LEVELS}


def _suggestion(creative) -> AgentAction:
    return AgentAction.objects.create(
        kind="approve_creative", status=ActionStatus.PROPOSED, level="suggest",
        policy=global_policy(), target_key=f"creative:{creative.pk}",
        inputs={"description": "Approve it"},
    )


def test_autonomy_page_shows_policy_kill_switch_and_dry_run_link(viewer_client):
    page = viewer_client.get("/autonomy/").content.decode()
    assert "Kill switch: off" in page
    assert 'hx-get="/autonomy/next/"' in page and 'href="/autonomy/next/"' in page
    assert "Stop all autonomy now" not in page  # viewers cannot press it


def test_dry_run_lists_what_the_worker_would_do_without_doing_it(viewer_client):
    policy = global_policy()
    policy.level = AutonomyLevel.AUTONOMOUS
    policy.save()
    creative = CreativeFactory()
    page = viewer_client.get("/autonomy/next/").content.decode()
    assert "would do" in page and "Approve the LinkedIn post" in page
    assert "<nav" in page  # a full page without JavaScript
    creative.refresh_from_db()
    assert creative.status == CreativeStatus.PENDING
    assert not AgentAction.objects.exists()


def test_dry_run_htmx_answers_the_fragment_only(viewer_client):
    page = viewer_client.get("/autonomy/next/", headers={"HX-Request": "true"}).content.decode()
    assert "<nav" not in page and "dry-run" in page


def test_approver_turns_kill_switch_on_and_banner_shows_everywhere(approver_client):
    response = approver_client.post("/autonomy/kill-switch/", {"on": "1", "reason": "Client call"})
    assert response.status_code == 302
    policy = global_policy()
    assert policy.kill_switch
    assert KillSwitchEvent.objects.get().reason == "Client call"
    assert "Autonomy kill switch is ON" in approver_client.get("/leadgen/").content.decode()


def test_turning_kill_switch_off_needs_a_reason_and_records_who(approver_client, approver):
    approver_client.post("/autonomy/kill-switch/", {"on": "1"})
    response = approver_client.post("/autonomy/kill-switch/", {"on": "0", "reason": ""}, follow=True)
    assert "Say why autonomy may act again" in response.content.decode()
    assert global_policy().kill_switch
    approver_client.post("/autonomy/kill-switch/", {"on": "0", "reason": "Checked the queue"})
    policy = global_policy()
    assert not policy.kill_switch
    assert (policy.kill_switch_changed_by, policy.kill_switch_reason) == (approver, "Checked the queue")


def test_operator_cannot_press_the_kill_switch(operator_client):
    assert operator_client.post("/autonomy/kill-switch/", {"on": "1"}).status_code == 403
    assert not global_policy().kill_switch


def test_kill_switch_rejects_get(approver_client):
    assert approver_client.get("/autonomy/kill-switch/").status_code == 405


def test_approver_saves_the_policy_with_limits_and_quiet_hours(approver_client):
    data = {"level": "assisted", "quiet_hours_start": "22:00", "quiet_hours_end": "06:00",
            "live_platforms": ["mastodon"]}
    data |= _limits(3)
    assert approver_client.post("/autonomy/policy/", data).status_code == 302
    policy = global_policy()
    assert (policy.level, policy.live_platforms) == ("assisted", ["mastodon"])
    assert policy.daily_limits["approve_creative"] == 3


def test_policy_form_refuses_half_quiet_hours(approver_client):
    response = approver_client.post("/autonomy/policy/", {"level": "off", "quiet_hours_start": "22:00"})
    assert response.status_code == 400
    assert "Give both ends of the quiet hours" in response.content.decode()


def test_approver_adds_a_brand_override(approver_client):
    brand = BrandFactory()
    approver_client.post("/autonomy/policy/",
                         {"brand": brand.pk, "level": "suggest"} | _limits(5))
    assert brand.autonomy_policy.level == AutonomyLevel.SUGGEST


def test_operator_cannot_change_the_policy(operator_client):
    assert operator_client.post("/autonomy/policy/", {"level": "autonomous"}).status_code == 403


def test_accepting_a_suggestion_does_it_as_the_person(approver_client, approver):
    creative = CreativeFactory()
    action = _suggestion(creative)
    approver_client.post(f"/autonomy/suggestions/{action.pk}/accept/")
    action.refresh_from_db()
    creative.refresh_from_db()
    assert (action.status, action.decided_by) == (ActionStatus.ACCEPTED, approver)
    assert creative.status == CreativeStatus.APPROVED


def test_operator_cannot_accept_an_approval_suggestion(operator_client):
    action = _suggestion(CreativeFactory())
    assert operator_client.post(f"/autonomy/suggestions/{action.pk}/accept/").status_code == 403
    action.refresh_from_db()
    assert action.status == ActionStatus.PROPOSED


def test_dismissing_a_suggestion_is_logged(operator_client, operator):
    creative = CreativeFactory()
    action = _suggestion(creative)
    operator_client.post(f"/autonomy/suggestions/{action.pk}/dismiss/")
    action.refresh_from_db()
    creative.refresh_from_db()
    assert (action.status, action.decided_by) == (ActionStatus.DISMISSED, operator)
    assert creative.status == CreativeStatus.PENDING


def test_a_decided_suggestion_cannot_be_decided_again(approver_client):
    action = _suggestion(CreativeFactory())
    approver_client.post(f"/autonomy/suggestions/{action.pk}/dismiss/")
    response = approver_client.post(f"/autonomy/suggestions/{action.pk}/accept/", follow=True)
    assert "already been decided" in response.content.decode()


def _page_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/autonomy/").status_code == 200
    return len(queries)


def test_autonomy_page_runs_the_same_queries_for_one_and_twenty_pending_posts(viewer_client):
    from autonomy.models import AutonomyPolicy

    brand = BrandFactory()
    AutonomyPolicy.objects.create(brand=brand, level=AutonomyLevel.SUGGEST)
    CreativeFactory(status=CreativeStatus.PENDING, campaign__brand=brand)
    viewer_client.get("/autonomy/")  # warm the status banner cache
    few = _page_queries(viewer_client)
    for _ in range(19):
        other = BrandFactory()
        AutonomyPolicy.objects.create(brand=other, level=AutonomyLevel.SUGGEST, kill_switch=True)
        CreativeFactory(status=CreativeStatus.PENDING, campaign__brand=other)
    viewer_client.get("/autonomy/")  # the new policies re-read the kill-switch banner once
    many = _page_queries(viewer_client)
    assert many == few
    assert many <= 15


def test_dry_run_refuses_for_a_brand_whose_kill_switch_is_on():
    from autonomy.models import AutonomyPolicy
    from autonomy.worker import next_steps

    brand = BrandFactory(name="Stopped Brand")
    AutonomyPolicy.objects.create(brand=brand, level=AutonomyLevel.SUGGEST, kill_switch=True)
    CreativeFactory(status=CreativeStatus.PENDING, campaign__brand=brand)  # the only post
    steps = [step for step in next_steps() if step.kind == "approve_creative"]
    assert [step.reason for step in steps] == ["The kill switch is on."]


def test_autonomy_page_lists_overrides_by_brand_and_offers_the_other_brands(approver_client):
    from autonomy.models import AutonomyPolicy

    for name, level in [("Zed", AutonomyLevel.SUGGEST), ("Acme", AutonomyLevel.ASSISTED)]:
        AutonomyPolicy.objects.create(brand=BrandFactory(name=name), level=level)
    BrandFactory(name="Free <& easy>")
    page = approver_client.get("/autonomy/").content.decode()
    assert page.index("<li>Acme: Assisted</li>") < page.index("<li>Zed: Suggest</li>")
    select = page[page.index('<select name="brand"'):]
    select = select[:select.index("</select>")]
    assert ">Free &lt;&amp; easy&gt;</option>" in select
    assert "Acme" not in select and "Zed" not in select


def test_autonomy_page_says_who_turned_the_kill_switch_on_and_its_history(viewer_client,
                                                                          approver):
    from autonomy.services import kill_switch_set

    viewer_client.get("/autonomy/")  # warm the status banner cache
    off = _page_queries(viewer_client)
    kill_switch_set(on=True, user=approver, reason="Launch <freeze>")
    page = viewer_client.get("/autonomy/").content.decode()
    assert "Kill switch: ON" in page
    assert "Turned on by arjun" in page and "“Launch &lt;freeze&gt;”" in page
    assert "on by arjun: Launch &lt;freeze&gt;" in page  # the history
    assert _page_queries(viewer_client) == off


@pytest.mark.embedded
def test_worker_actions_splits_open_suggestions_from_the_rest_newest_first():
    from datetime import timedelta

    from django.utils import timezone

    from autonomy.selectors import worker_actions

    now = timezone.now()
    for n, status in enumerate([ActionStatus.PROPOSED, ActionStatus.DONE, ActionStatus.PROPOSED,
                                ActionStatus.FAILED, ActionStatus.DISMISSED]):
        action = AgentAction.objects.create(
            kind="route_leads", status=status, level="suggest", target_key=f"t{n}",
            inputs={"description": f"step {n}"},
        )
        AgentAction.objects.filter(pk=action.pk).update(created_at=now - timedelta(hours=n))
    suggestions, recent = worker_actions(suggestions=50, recent=2)
    assert [a.inputs["description"] for a in suggestions] == ["step 0", "step 2"]
    assert [a.inputs["description"] for a in recent] == ["step 1", "step 3"]
    assert recent[0].created_at == now - timedelta(hours=1)  # aware, as the ORM reads it
