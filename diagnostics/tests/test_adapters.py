"""Publishing adapters configured per brand and platform."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import Brand
from diagnostics import adapters
from diagnostics.adapters import ConfiguredAdapter, check_publishing_adapters, configured_adapters

pytestmark = pytest.mark.django_db


def _brand(name: str, instance: str = "") -> Brand:
    return Brand.objects.create(name=name, slug=name.lower().replace(" ", "-"),
                                mastodon_instance=instance)


@pytest.mark.embedded
def test_publishing_adapters_says_plainly_when_none_is_configured():
    _brand("Helio Solar")
    status, summary, details, _ = check_publishing_adapters()
    assert status == "ok"
    assert summary == (
        "No publishing adapter is configured: posts go out in proof or manual mode only."
    )
    assert details == []


def test_publishing_adapters_lists_mastodon_per_brand():
    _brand("Northwind Coffee", "mastodon.social")
    _brand("Helio Solar")
    status, summary, details, _ = check_publishing_adapters()
    assert status == "ok"
    assert summary == "1 adapter configuration across 1 brand."
    assert details == ["Northwind Coffee · Mastodon · Mastodon API at mastodon.social"]


def test_publishing_adapters_warns_on_an_instance_that_is_not_a_host():
    _brand("Northwind Coffee", "https://mastodon.social/@northwind")
    status, summary, details, remediation = check_publishing_adapters()
    assert status == "warn"
    assert summary == "1 of 1 adapter configurations cannot work."
    assert "is not a host name" in details[0]
    assert "like mastodon.social" in remediation


def test_configured_adapters_reads_every_registered_source(monkeypatch):
    monkeypatch.setattr(adapters, "ADAPTER_SOURCES", [*adapters.ADAPTER_SOURCES])
    adapters.adapter_source(lambda: [ConfiguredAdapter("Acme", "Bluesky", "Bluesky API",
                                                       "acme.bsky.social")])
    _brand("Zeta", "fosstodon.org")
    assert [(item.brand, item.platform) for item in configured_adapters()] == [
        ("Acme", "Bluesky"), ("Zeta", "Mastodon"),
    ]


def test_configured_adapters_query_count_does_not_grow_with_brands():
    _brand("One", "mastodon.social")
    with CaptureQueriesContext(connection) as small:
        configured_adapters()
    for number in range(10):
        _brand(f"Brand {number}", "mastodon.social")
    with CaptureQueriesContext(connection) as large:
        assert len(configured_adapters()) == 11
    assert len(small) == len(large) == 3  # brands, credentials, live campaigns
