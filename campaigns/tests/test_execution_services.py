"""Never twice (double submits, two workers, stale claims), the completion rules, credentials
that never show, and the adapters list for diagnostics."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, Publication, PublicationStatus, PublishingCredential
from campaigns.publishing.selectors import configured_adapters
from campaigns.publishing.services import (
    PublishingConflict,
    campaign_complete,
    publication_publish_live,
    publication_record_manual,
    publication_skip,
)
from campaigns.tests.factories import CampaignFactory, CreativeFactory, PublicationFactory
from campaigns.tests.fake_platform import (
    MASTODON_TOKEN,
    WEBHOOK_SECRET,
    FakePlatform,
    approved_creative,
    credential,
    fast_publishing,
)

LINKEDIN_URL = "https://www.linkedin.com/feed/update/urn:li:activity:7001/"
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="row locks need PostgreSQL")


def run_in_threads(*targets):
    """Runs each target in its own thread and connection, all released at once."""
    barrier = threading.Barrier(len(targets))
    results: list = [None] * len(targets)

    def runner(index, target):
        try:
            barrier.wait()
            results[index] = target()
        except Exception as exc:  # the outcome under test, not a test failure
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


# --- never twice ----------------------------------------------------------------------------


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_publishing_at_once_post_once(settings):
    fast_publishing(settings)
    settings.PUBLISHING_TIMEOUT = 3
    creative = approved_creative("mastodon")
    with FakePlatform(slow_seconds=0.5) as fake:
        credential(creative, "mastodon", fake.url)
        fake.plan("/api/v1/statuses", "slow")
        results = run_in_threads(lambda: publication_publish_live(creative=creative),
                                 lambda: publication_publish_live(creative=creative))
    assert len(fake.status_list) == 1
    assert len(fake.calls("/api/v1/statuses")) == 1
    assert sum(isinstance(r, PublishingConflict) for r in results) == 1
    assert Publication.objects.get().status == PublicationStatus.PUBLISHED


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_operators_recording_at_once_record_once():
    creative = approved_creative()
    record = lambda: publication_record_manual(creative=creative, user=None, url=LINKEDIN_URL)  # noqa: E731
    results = run_in_threads(record, record)
    assert Publication.objects.count() == 1
    assert sum(isinstance(r, PublishingConflict) for r in results) == 1


@pytest.mark.django_db
def test_a_claim_in_progress_stops_a_second_worker_before_any_request(settings):
    fast_publishing(settings)
    creative = approved_creative("mastodon")
    with FakePlatform() as fake:
        credential(creative, "mastodon", fake.url)
        Publication.objects.create(creative=creative, platform="mastodon", mode="live",
                                   status=PublicationStatus.POSTING)
        with pytest.raises(PublishingConflict):
            publication_publish_live(creative=creative)
        assert fake.requests == []


@pytest.mark.django_db
def test_a_stale_claim_is_taken_over_and_the_lost_post_found(settings):
    fast_publishing(settings)
    creative = approved_creative("mastodon")
    with FakePlatform() as fake:
        credential(creative, "mastodon", fake.url)
        publication = Publication.objects.create(
            creative=creative, platform="mastodon", mode="live", status=PublicationStatus.POSTING)
        Publication.objects.filter(pk=publication.pk).update(
            updated_at=timezone.now() - timedelta(hours=1))
        # The dead worker's status reached Mastodon: the idempotency key returns it.
        earlier = {"id": "77", "url": "https://mastodon.social/@brand/77"}
        fake.statuses[f"aicmo-{publication.pk}"] = earlier
        outcome = publication_publish_live(creative=creative)
    assert outcome.ok
    assert outcome.publication.url == earlier["url"]
    assert fake.status_list == []


@pytest.mark.django_db
def test_live_publish_of_a_published_post_is_refused(settings):
    publication = PublicationFactory()
    with pytest.raises(PublishingConflict):
        publication_publish_live(creative=publication.creative)


@pytest.mark.django_db
def test_live_publish_without_a_credential_says_so():
    with pytest.raises(ValidationError, match="No live adapter"):
        publication_publish_live(creative=approved_creative())


@pytest.mark.django_db
def test_manual_record_fills_the_link_an_adapter_could_not_return():
    publication = PublicationFactory(url="", mode="live", external_id="zap-1")
    publication_record_manual(creative=publication.creative, user=None, url=LINKEDIN_URL)
    publication.refresh_from_db()
    assert publication.url == LINKEDIN_URL
    assert publication.external_id == "zap-1"


@pytest.mark.django_db
def test_skip_of_a_published_post_is_refused():
    publication = PublicationFactory()
    with pytest.raises(PublishingConflict):
        publication_skip(creative=publication.creative, user=None, reason="late")


# --- completion -----------------------------------------------------------------------------


@pytest.mark.embedded
@pytest.mark.django_db
def test_campaign_complete_refused_while_an_approved_post_waits():
    campaign = CampaignFactory()
    PublicationFactory(creative__campaign=campaign)
    approved_creative(campaign=campaign)
    with pytest.raises(ValidationError, match="1 approved post is neither"):
        campaign_complete(campaign=campaign, user=None)
    assert Campaign.objects.get().completed_at is None


@pytest.mark.django_db
def test_campaign_complete_refused_while_a_post_failed():
    campaign = CampaignFactory()
    PublicationFactory(creative__campaign=campaign, status=PublicationStatus.FAILED)
    with pytest.raises(ValidationError):
        campaign_complete(campaign=campaign, user=None)


@pytest.mark.embedded
@pytest.mark.django_db
def test_campaign_complete_when_every_approved_post_is_published_or_skipped():
    campaign = CampaignFactory()
    PublicationFactory(creative__campaign=campaign)
    PublicationFactory(creative__campaign=campaign, status=PublicationStatus.SKIPPED,
                       skip_reason="Off-brand")
    CreativeFactory(campaign=campaign)  # still in review: not an approved post
    completed = campaign_complete(campaign=campaign, user=None)
    assert completed.completed_at is not None


@pytest.mark.django_db
def test_campaign_complete_twice_keeps_the_first_time():
    campaign = CampaignFactory()
    first = campaign_complete(campaign=campaign, user=None).completed_at
    assert campaign_complete(campaign=campaign, user=None).completed_at == first


@pytest.mark.django_db
def test_completed_campaign_leaves_the_queue(viewer_client):
    campaign = CampaignFactory(completed_at=timezone.now())
    approved_creative(campaign=campaign, caption="From a finished campaign")
    page = viewer_client.get(reverse("campaigns:execution")).content.decode()
    assert "From a finished campaign" not in page


# --- credentials ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_credential_secret_is_masked_in_admin(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "r@t.example", "pw")
    client.force_login(admin)
    creative = approved_creative("mastodon")
    cred = credential(creative, "mastodon", "https://mastodon.social")
    changelist = client.get(reverse("admin:campaigns_publishingcredential_changelist"))
    change = client.get(reverse("admin:campaigns_publishingcredential_change", args=[cred.pk]))
    for response in (changelist, change):
        assert MASTODON_TOKEN not in response.content.decode()
    assert "••••" + MASTODON_TOKEN[-4:] in changelist.content.decode()


@pytest.mark.django_db
def test_credential_secret_is_kept_when_the_admin_form_leaves_it_blank(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "r@t.example", "pw")
    client.force_login(admin)
    creative = approved_creative("linkedin")
    cred = credential(creative, "webhook", "https://hooks.example")
    client.post(reverse("admin:campaigns_publishingcredential_change", args=[cred.pk]), {
        "brand": cred.brand_id, "platform": "linkedin", "adapter": "webhook",
        "config": '{"url": "https://hooks.example/new"}', "secret": "", "enabled": "on",
    })
    cred.refresh_from_db()
    assert cred.secret == WEBHOOK_SECRET
    assert cred.config["url"] == "https://hooks.example/new"


@pytest.mark.django_db
def test_post_page_never_shows_the_secret(operator_client):
    creative = approved_creative("linkedin")
    credential(creative, "webhook", "https://hooks.example")
    page = operator_client.get(
        reverse("campaigns:execution_post", args=["linkedin", creative.pk])).content.decode()
    assert "Post via Signed webhook" in page
    assert WEBHOOK_SECRET not in page


@pytest.mark.django_db
def test_credential_repr_has_no_secret():
    creative = approved_creative("linkedin")
    cred = credential(creative, "webhook", "https://hooks.example")
    assert WEBHOOK_SECRET not in repr(cred) and WEBHOOK_SECRET not in str(cred)


@pytest.mark.django_db
def test_configured_adapters_reports_ready_missing_and_uncovered():
    ready = approved_creative("linkedin")
    credential(ready, "webhook", "https://hooks.example")
    broken = approved_creative("bluesky")
    PublishingCredential.objects.create(brand=broken.campaign.brand, platform="bluesky",
                                        adapter="bluesky", config={"handle": "b.test"})
    CampaignFactory(posting_mode="live", platforms=["mastodon"], brand=ready.campaign.brand)
    rows = {(brand, platform): (ok, note) for brand, platform, ok, note in configured_adapters()}
    assert rows[(ready.campaign.brand.name, "LinkedIn")][0] is True
    assert rows[(broken.campaign.brand.name, "Bluesky")] == (
        False, "Set an app password (Settings → Privacy and security → App passwords).")
    assert rows[(ready.campaign.brand.name, "Mastodon")][0] is False
    assert all(WEBHOOK_SECRET not in note for _, note in rows.values())


@pytest.mark.django_db
def test_credential_refuses_an_adapter_the_platform_cannot_use():
    creative = approved_creative("linkedin")
    cred = PublishingCredential(brand=creative.campaign.brand, platform="linkedin",
                                adapter="bluesky", config={})
    with pytest.raises(ValidationError, match="LinkedIn can be reached through: webhook"):
        cred.full_clean()


# --- the adapters page ----------------------------------------------------------------------

ADAPTERS_URL = "campaigns:execution_credentials"
SAVE_URL = "campaigns:execution_credential_save"


def credential_post(brand, **overrides):
    return {"brand": brand.pk, "platform": "linkedin", "adapter": "webhook",
            "config": '{"url": "https://hooks.example/a"}', "secret": WEBHOOK_SECRET,
            "enabled": "on", **overrides}


@pytest.mark.django_db
def test_adapters_page_lists_credentials_masked(viewer_client):
    creative = approved_creative("linkedin")
    credential(creative, "webhook", "https://hooks.example")
    page = viewer_client.get(reverse(ADAPTERS_URL)).content.decode()
    assert "Signed webhook" in page and "ready" in page
    assert WEBHOOK_SECRET not in page
    assert "••••" + WEBHOOK_SECRET[-4:] in page
    assert "Save adapter" not in page  # viewers read


@pytest.mark.django_db
def test_adapters_page_redirects_anonymous(client):
    assert client.get(reverse(ADAPTERS_URL)).status_code == 302


@pytest.mark.django_db
def test_adapter_save_creates_the_credential(operator_client):
    brand = approved_creative().campaign.brand
    response = operator_client.post(reverse(SAVE_URL), credential_post(brand))
    assert response.status_code == 302
    saved = PublishingCredential.objects.get()
    assert saved.secret == WEBHOOK_SECRET
    assert saved.config == {"url": "https://hooks.example/a"}


@pytest.mark.django_db
def test_adapter_save_with_a_blank_secret_keeps_the_stored_one(operator_client):
    creative = approved_creative()
    credential(creative, "webhook", "https://hooks.example")
    response = operator_client.post(
        reverse(SAVE_URL), credential_post(creative.campaign.brand, secret=""),
        HTTP_HX_REQUEST="true")
    assert WEBHOOK_SECRET not in response.content.decode()
    saved = PublishingCredential.objects.get()
    assert saved.secret == WEBHOOK_SECRET
    assert saved.config["url"] == "https://hooks.example/a"


@pytest.mark.django_db
def test_adapter_save_refuses_bad_json(operator_client):
    brand = approved_creative().campaign.brand
    response = operator_client.post(reverse(SAVE_URL), credential_post(brand, config="{url"))
    assert response.status_code == 400
    assert "Not valid JSON" in response.content.decode()
    assert not PublishingCredential.objects.exists()


@pytest.mark.django_db
def test_adapter_save_refuses_an_adapter_the_platform_cannot_use(operator_client):
    brand = approved_creative().campaign.brand
    response = operator_client.post(reverse(SAVE_URL), credential_post(brand, adapter="bluesky"),
                                    HTTP_HX_REQUEST="true")
    assert "LinkedIn can be reached through: webhook" in response.content.decode()
    assert not PublishingCredential.objects.exists()


@pytest.mark.django_db
def test_adapter_save_forbids_viewers(viewer_client):
    brand = approved_creative().campaign.brand
    assert viewer_client.post(reverse(SAVE_URL), credential_post(brand)).status_code == 403


@pytest.mark.django_db
def test_adapter_save_rejects_get(operator_client):
    assert operator_client.get(reverse(SAVE_URL)).status_code == 405
