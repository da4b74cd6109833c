"""The autonomy worker: levels, limits, quiet hours, the kill switch and concurrent workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections
from django.utils import timezone

from autonomy.models import ActionStatus, AgentAction, AutonomyLevel, AutonomyPolicy
from autonomy.policy import global_policy, in_quiet_hours, judge
from autonomy.worker import tick
from campaigns.models import CreativeStatus, Review
from campaigns.tests.factories import CreativeFactory

pytestmark = pytest.mark.django_db


def _set_policy(level: str, **fields) -> AutonomyPolicy:
    policy = global_policy()
    policy.level = level
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.save()
    return policy


def _pending(**fields):
    return CreativeFactory(scheduled_at=timezone.now() + timedelta(hours=2), **fields)


def test_worker_does_nothing_when_autonomy_is_off():
    creative = _pending()
    report = tick(kinds=["approve_creative"])
    assert (report.done, report.proposed) == (0, 0)
    creative.refresh_from_db()
    assert creative.status == CreativeStatus.PENDING
    assert not AgentAction.objects.exists()


def test_suggest_level_proposes_instead_of_acting():
    _set_policy(AutonomyLevel.SUGGEST)
    creative = _pending()
    assert tick(kinds=["approve_creative"]).proposed == 1
    creative.refresh_from_db()
    assert creative.status == CreativeStatus.PENDING
    action = AgentAction.objects.get()
    assert (action.status, action.level, action.target_key) == (
        "proposed", "suggest", f"creative:{creative.pk}"
    )


def test_suggest_level_does_not_propose_the_same_thing_twice():
    _set_policy(AutonomyLevel.SUGGEST)
    _pending()
    tick(kinds=["approve_creative"])
    assert tick(kinds=["approve_creative"]).proposed == 0
    assert AgentAction.objects.count() == 1


def test_assisted_level_never_approves():
    _set_policy(AutonomyLevel.ASSISTED)
    creative = _pending()
    tick(kinds=["approve_creative"])
    creative.refresh_from_db()
    assert creative.status == CreativeStatus.PENDING
    assert AgentAction.objects.get().status == ActionStatus.PROPOSED


def test_autonomous_level_approves_a_post_that_passes_every_check():
    _set_policy(AutonomyLevel.AUTONOMOUS)
    creative = _pending()
    assert tick(kinds=["approve_creative"]).done == 1
    creative.refresh_from_db()
    assert creative.status == CreativeStatus.APPROVED
    review = Review.objects.get()
    assert (review.source, review.reviewer) == ("autonomy", None)
    assert AgentAction.objects.get().status == ActionStatus.DONE


def test_autonomous_level_skips_a_post_that_fails_a_check():
    _set_policy(AutonomyLevel.AUTONOMOUS)
    creative = _pending(platform="x", caption="a" * 400)
    report = tick(kinds=["approve_creative"])
    assert (report.done, report.skipped) == (0, 1)
    creative.refresh_from_db()
    assert creative.status == CreativeStatus.PENDING
    assert "X allows 280" in AgentAction.objects.get().outcome


def test_daily_limit_stops_further_actions():
    _set_policy(AutonomyLevel.AUTONOMOUS, daily_limits={"approve_creative": 2})
    for _ in range(3):
        _pending()
    assert tick(kinds=["approve_creative"]).done == 2
    assert AgentAction.objects.filter(status="done").count() == 2


def test_brand_policy_overrides_the_global_one():
    _set_policy(AutonomyLevel.AUTONOMOUS)
    creative = _pending()
    AutonomyPolicy.objects.create(brand=creative.campaign.brand, level=AutonomyLevel.OFF)
    assert tick(kinds=["approve_creative"]).done == 0


def test_quiet_hours_across_midnight():
    policy = AutonomyPolicy(quiet_hours_start=clock(22, 0), quiet_hours_end=clock(6, 0))
    at = timezone.make_aware(timezone.datetime(2026, 11, 25, 23, 30))
    assert in_quiet_hours(policy, at)
    assert in_quiet_hours(policy, at.replace(hour=5))
    assert not in_quiet_hours(policy, at.replace(hour=12))


def test_quiet_hours_refuse_actions(settings):
    now = timezone.localtime()
    start = (now - timedelta(hours=1)).time()
    end = (now + timedelta(hours=1)).time()
    _set_policy(AutonomyLevel.AUTONOMOUS, quiet_hours_start=start, quiet_hours_end=end)
    verdict = judge("approve_creative", None)
    assert (verdict.mode, verdict.reason) == ("refuse", "Quiet hours.")


def test_live_posting_needs_the_platform_named_in_the_policy():
    _set_policy(AutonomyLevel.AUTONOMOUS, live_platforms=["mastodon"])
    assert judge("publish_creative", None, live_platform="bluesky").mode == "refuse"
    assert judge("publish_creative", None, live_platform="mastodon").mode == "do"


def test_kill_switch_refuses_every_action():
    _set_policy(AutonomyLevel.AUTONOMOUS, kill_switch=True)
    _pending()
    assert tick(kinds=["approve_creative"]).done == 0


@pytest.mark.django_db(transaction=True)
def test_kill_switch_turned_on_after_claiming_stops_the_action():
    _set_policy(AutonomyLevel.AUTONOMOUS)
    creative = _pending()

    def flip_from_another_connection(kind, target):
        def flip():
            AutonomyPolicy.objects.filter(brand__isnull=True).update(kill_switch=True)
            connections.close_all()

        thread = threading.Thread(target=flip)
        thread.start()
        thread.join()

    report = tick(kinds=["approve_creative"], on_claimed=flip_from_another_connection)
    assert report.done == 0
    creative.refresh_from_db()
    assert creative.status == CreativeStatus.PENDING
    assert AgentAction.objects.get().outcome == "The kill switch is on."


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_act_twice_on_one_item():
    _set_policy(AutonomyLevel.AUTONOMOUS)
    creatives = [_pending() for _ in range(6)]
    barrier = threading.Barrier(2)
    reports = []

    def worker():
        barrier.wait()
        try:
            reports.append(tick(kinds=["approve_creative"]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(report.done for report in reports) == len(creatives)
    assert Review.objects.count() == len(creatives)
    done = AgentAction.objects.filter(status="done")
    assert done.count() == len(creatives)
    assert done.values("target_key").distinct().count() == len(creatives)


def test_run_autonomy_stops_cleanly_on_sigterm():
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        if connection.vendor == "postgresql"
        else f"sqlite:///{db['NAME']}"
    )
    env = {**os.environ, "SECRET_KEY": "k", "DEBUG": "false", "DATABASE_URL": url}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_autonomy", "--interval", "30"],
        cwd=Path(__file__).resolve().parents[2], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("Tick:") or process.poll() is not None:
            break
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "Autonomy worker stopped." in out
