"""Generation (wizard step 2) and live posting run as background jobs: with a worker process
against PostgreSQL the page follows the job; with the immediate backend (no worker) the same
action completes inside the request."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from aicmo_site.tests.test_tasks import _start_worker, _stop, _wait_until, postgres_only
from campaigns.models import Creative, Plan, Publication, PublicationStatus
from campaigns.services import campaign_generate
from campaigns.tasks import generate_campaign, publish_live
from campaigns.tests.factories import CampaignFactory
from campaigns.tests.fake_platform import (
    FakePlatform,
    approved_creative,
    credential,
    fast_publishing,
)
from jobs.models import Job

pytestmark = pytest.mark.django_db

START = date(2026, 11, 30)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def database_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "jobs.backends.DatabaseBackend"}}
    settings.TASKS_BACKEND = "database"
    settings.TASKS_RETRY_DELAY = 0


@pytest.fixture
def immediate_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "jobs.backends.ImmediateBackend"}}
    settings.TASKS_BACKEND = "immediate"
    settings.TASKS_RETRY_DELAY = 0


@pytest.fixture
def local_engine(settings):
    settings.GENERATION_ENGINE = "local"


def _campaign(**fields):
    return CampaignFactory(start_date=START, end_date=START + timedelta(days=27), **fields)


def _step2(campaign) -> str:
    return f"/campaigns/{campaign.pk}/step/2/"


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def _job(task, *, status, started_by, error="", attempts=1) -> Job:
    return Job.objects.create(
        task_result_id=f"r-{task.name}-{status}", task_path=task.module_path, backend="default",
        label="Autumn roast: plan and creatives", status=status, attempts=attempts,
        max_attempts=3, error=error, started_by=started_by, enqueued_at=timezone.now(),
        finished_at=timezone.now() if status in ("done", "failed") else None,
    )


# --- generation: a worker process against PostgreSQL -------------------------------------------

@postgres_only
@pytest.mark.django_db(transaction=True)
def test_wizard_generation_is_run_by_a_worker_and_the_page_then_shows_done(
        database_backend, local_engine, operator_client, operator, tmp_path):
    campaign = _campaign()
    response = operator_client.post(_step2(campaign))
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{_step2(campaign)}?job={job.task_result_id}"
    page = _text(operator_client.get(response["Location"]))
    assert "<strong>queued</strong>, waiting for a worker" in page
    assert "Generate plan and creatives</button>" not in page  # no second run meanwhile
    assert not Creative.objects.exists()

    worker = _start_worker(tmp_path / "worker.log")
    try:
        _wait_until(lambda: Job.objects.get(pk=job.pk).is_finished)
    finally:
        assert _stop(worker) == 0

    page = _text(operator_client.get(response["Location"]))
    assert "<strong>done</strong>" in page
    assert "Plan v1 written by the local engine: 12 posts ready for review." in page
    assert f'href="/campaigns/{campaign.pk}/step/3/">Next: review and approve</a>' in page
    assert set(Creative.objects.values_list("author", flat=True)) == {operator.pk}
    assert Plan.objects.get().created_by == operator


# --- generation: no worker, the immediate backend ----------------------------------------------

@pytest.mark.embedded
def test_wizard_generation_completes_in_the_request_without_a_worker(
        immediate_backend, local_engine, operator_client, operator):
    campaign = _campaign()
    response = operator_client.post(_step2(campaign))
    assert response.status_code == 302
    assert response["Location"] == _step2(campaign)  # nothing to follow: it is done
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Plan v1 written by the local engine: 12 posts ready for review."]
    assert Creative.objects.filter(campaign=campaign).count() == 12
    assert Job.objects.get().status == Job.Status.DONE


@pytest.mark.embedded
def test_wizard_generation_error_is_shown_after_the_attempts(
        immediate_backend, backend, operator_client, settings):
    settings.TASKS_MAX_ATTEMPTS = 2
    backend.mode = "error"
    response = operator_client.post(_step2(_campaign()))
    assert response.status_code == 200
    assert ("<strong>Nothing was generated.</strong> The AICMO backend answered with error 500; "
            "nothing was saved. (after 2 attempts)") in _text(response)
    assert Job.objects.get().status == Job.Status.FAILED


# --- the step-2 page following a job -----------------------------------------------------------

def test_wizard_step2_htmx_poll_returns_the_status_fragment(
        database_backend, operator_client, operator):
    campaign = _campaign()
    job = _job(generate_campaign, status="running", started_by=operator)
    url = f"{_step2(campaign)}?job={job.task_result_id}"
    response = operator_client.get(url, **HTMX)
    text = _text(response)
    assert text.startswith('<div id="generation-step">')
    assert "“Autumn roast: plan and creatives”:</span> <strong>running</strong>." in text
    assert f'hx-get="{url}"' in text and 'hx-target="#generation-step"' in text
    assert "<h1>" not in text


def test_wizard_step2_htmx_poll_of_a_finished_job_updates_the_stepper(
        database_backend, local_engine, operator_client, operator):
    campaign = _campaign()
    job = _job(generate_campaign, status="done", started_by=operator)
    campaign_generate(campaign=campaign, user=operator)
    text = _text(operator_client.get(f"{_step2(campaign)}?job={job.task_result_id}", **HTMX))
    assert "<strong>done</strong>" in text
    assert "Plan v1 written by the local engine: 12 posts ready for review." in text
    assert '<nav id="campaign-steps" aria-label="Campaign steps" hx-swap-oob="true">' in text
    assert f'href="/campaigns/{campaign.pk}/step/3/"' in text


def test_wizard_step2_shows_a_failed_jobs_error_and_offers_to_try_again(
        database_backend, operator_client, operator):
    campaign = _campaign()
    job = _job(generate_campaign, status="failed", started_by=operator, attempts=3,
               error="campaigns.generation.base.GenerationError: The engine timed out.")
    page = _text(operator_client.get(f"{_step2(campaign)}?job={job.task_result_id}"))
    assert ("<strong>Nothing was generated.</strong> The engine timed out. (after 3 attempts)"
            in page)
    assert "GenerationError" not in page
    assert "Generate plan and creatives</button>" in page


def test_wizard_step2_ignores_an_unknown_job(database_backend, operator_client):
    campaign = _campaign()
    response = operator_client.get(f"{_step2(campaign)}?job=no-such-job")
    assert response.status_code == 200
    assert "Generate plan and creatives</button>" in _text(response)


def test_wizard_step2_ignores_a_job_of_another_task(database_backend, operator_client, operator):
    campaign = _campaign()
    job = _job(publish_live, status="running", started_by=operator)
    page = _text(operator_client.get(f"{_step2(campaign)}?job={job.task_result_id}"))
    assert "running" not in page


# --- live posting ------------------------------------------------------------------------------

@pytest.fixture
def live_creative(settings):
    fast_publishing(settings)
    with FakePlatform() as fake:
        creative = approved_creative("linkedin")
        credential(creative, "webhook", fake.url)
        yield creative, fake


def _post_page(creative) -> str:
    return f"/execution/{creative.platform}/{creative.pk}/"


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_live_posting_is_run_by_a_worker_and_the_page_then_shows_it_posted(
        database_backend, live_creative, operator_client, tmp_path):
    creative, fake = live_creative
    response = operator_client.post(_post_page(creative) + "publish/")
    job = Job.objects.get()
    assert response["Location"] == f"{_post_page(creative)}?job={job.task_result_id}"
    page = _text(operator_client.get(response["Location"]))
    assert "<strong>queued</strong>, waiting for a worker" in page
    assert "Post via Signed webhook" not in page
    assert fake.deliveries == []

    worker = _start_worker(tmp_path / "worker.log")
    try:
        _wait_until(lambda: Job.objects.get(pk=job.pk).is_finished)
    finally:
        assert _stop(worker) == 0

    assert Job.objects.get(pk=job.pk).status == Job.Status.DONE
    assert Publication.objects.get().status == PublicationStatus.PUBLISHED
    assert len(fake.deliveries) == 1
    page = _text(operator_client.get(response["Location"]))
    assert "<strong>done</strong>" in page


def test_live_posting_htmx_with_workers_shows_the_job_in_the_panel(
        database_backend, live_creative, operator_client):
    creative, fake = live_creative
    response = operator_client.post(_post_page(creative) + "publish/", **HTMX)
    job = Job.objects.get()
    text = _text(response)
    assert text.startswith('<section class="posting-panel" id="posting-panel"')
    assert "<strong>queued</strong>, waiting for a worker" in text
    assert f'hx-get="{_post_page(creative)}?job={job.task_result_id}"' in text
    assert 'hx-target="#posting-panel"' in text
    assert fake.deliveries == []


def test_live_posting_page_htmx_poll_returns_the_panel(
        database_backend, live_creative, operator_client, operator):
    creative, _ = live_creative
    job = _job(publish_live, status="running", started_by=operator)
    response = operator_client.get(f"{_post_page(creative)}?job={job.task_result_id}", **HTMX)
    text = _text(response)
    assert text.startswith('<section class="posting-panel" id="posting-panel"')
    assert "<strong>running</strong>" in text


def test_live_posting_page_shows_why_a_job_did_not_post(
        database_backend, live_creative, operator_client, operator):
    creative, _ = live_creative
    job = _job(publish_live, status="failed", started_by=operator,
               error="campaigns.tasks.NothingToDo: The Signed webhook is not ready: no URL.")
    page = _text(operator_client.get(f"{_post_page(creative)}?job={job.task_result_id}"))
    assert "<strong>Not posted:</strong> The Signed webhook is not ready: no URL." in page
    assert "NothingToDo" not in page


@pytest.mark.embedded
def test_live_posting_completes_in_the_request_without_a_worker(
        immediate_backend, live_creative, operator_client):
    creative, fake = live_creative
    response = operator_client.post(_post_page(creative) + "publish/")
    assert response["Location"] == _post_page(creative)
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Posted by the adapter."]
    assert Publication.objects.get().status == PublicationStatus.PUBLISHED
    assert len(fake.deliveries) == 1
    assert (Job.objects.get().status, Job.objects.get().max_attempts) == (Job.Status.DONE, 1)
