"""The adapters check sees Execution's live credentials, without their secrets."""

from __future__ import annotations

import pytest

from campaigns.models import PublishingCredential
from campaigns.tests.factories import BrandFactory, CampaignFactory
from diagnostics.checks import run_check

pytestmark = pytest.mark.django_db


def test_adapters_check_lists_a_live_credential_without_its_secret():
    brand = BrandFactory(name="Helio", mastodon_instance="")
    PublishingCredential.objects.create(
        brand=brand, platform="linkedin", adapter="webhook",
        config={"url": "https://hooks.example/aicmo"}, secret="whsec-very-secret-value",
    )
    result = run_check("publishing_adapters")
    text = " ".join([result.summary, *result.details])
    assert "Helio" in text and "LinkedIn" in text
    assert "whsec-very-secret-value" not in text


def test_adapters_check_fails_a_live_campaign_without_credentials():
    brand = BrandFactory(name="Northwind", mastodon_instance="")
    CampaignFactory(brand=brand, posting_mode="live", platforms=["bluesky"])
    result = run_check("publishing_adapters")
    assert result.status in ("warn", "fail")
    assert any("No credential" in line for line in result.details)
