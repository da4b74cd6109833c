"""Live adapters, one per way of reaching a platform; `adapter_for` picks by credential."""

from __future__ import annotations

from campaigns.models import PublishingCredential
from campaigns.publishing.adapters.base import Adapter, PublishError, PublishResult
from campaigns.publishing.adapters.bluesky import BlueskyAdapter
from campaigns.publishing.adapters.mastodon import MastodonAdapter
from campaigns.publishing.adapters.webhook import WebhookAdapter

ADAPTERS: dict[str, type[Adapter]] = {
    "webhook": WebhookAdapter,
    "mastodon": MastodonAdapter,
    "bluesky": BlueskyAdapter,
}


def adapter_for(credential: PublishingCredential) -> Adapter:
    return ADAPTERS[credential.adapter](credential)


__all__ = ["ADAPTERS", "Adapter", "PublishError", "PublishResult", "adapter_for"]
