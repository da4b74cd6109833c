"""The signed webhook: a JSON POST any automation tool (Zapier, Make, n8n) can receive.

Signature: `X-Signature-256: sha256=<hex HMAC-SHA256 of the exact body bytes, keyed with the
credential's secret>` (GitHub's convention). Delivery id: `Idempotency-Key: aicmo-<publication
id>`, the same on every retry of one publication, so a receiver can drop repeats.
See docs/PUBLISHING.md for the payload and how to verify it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit

from campaigns.models import Creative, Publication
from campaigns.publishing.adapters.base import (
    Adapter,
    PublishError,
    PublishResult,
    creative_image,
    dumps,
    read_json,
)

SIGNATURE_HEADER = "X-Signature-256"
DELIVERY_HEADER = "Idempotency-Key"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def delivery_id(publication: Publication) -> str:
    return f"aicmo-{publication.pk}"


def webhook_payload(creative: Creative, publication: Publication) -> dict:
    image = creative_image(creative)
    return {
        "event": "publication.requested",
        "delivery_id": delivery_id(publication),
        "publication_id": publication.pk,
        "creative_id": creative.pk,
        "creative_version": creative.version,
        "brand": creative.campaign.brand.name,
        "campaign": creative.campaign.name,
        "platform": creative.platform,
        "text": creative.full_text(),
        "caption": creative.caption,
        "hashtags": list(creative.hashtags),
        "link": creative.link,
        "scheduled_at": creative.scheduled_at.isoformat(),
        "image": None if image is None else {
            "filename": image[0],
            "content_type": image[2],
            "base64": base64.b64encode(image[1]).decode(),
            "alt": creative.image_alt,
        },
    }


class WebhookAdapter(Adapter):
    kind = "webhook"
    label = "the webhook"

    @property
    def url(self) -> str:
        return str(self.credential.config.get("url", "")).strip()

    def configuration_problem(self) -> str | None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            return "Set the webhook URL (config: {\"url\": \"https://…\"})."
        if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost"):
            return "The webhook URL must use https."
        if len(self.credential.secret) < 16:
            return "Set a signing secret of at least 16 characters."
        return None

    def publish(self, creative: Creative, publication: Publication) -> PublishResult:
        problem = self.configuration_problem()
        if problem:
            raise PublishError(problem)
        body = dumps(webhook_payload(creative, publication))
        response = self.request(
            "POST", self.url, data=body,
            headers={
                "Content-Type": "application/json",
                SIGNATURE_HEADER: sign(self.credential.secret, body),
                DELIVERY_HEADER: delivery_id(publication),
            },
        )
        if 200 <= response.status_code < 300:
            # Receivers answer anything from JSON with the post's id and URL to a bare "OK".
            try:
                answer = response.json()
            except ValueError:
                answer = {}
            answer = answer if isinstance(answer, dict) else {}
            url = str(answer.get("url", ""))
            if url and creative.rules.validate_post_url(
                url, creative.campaign.brand.mastodon_instance
            ):
                url = ""  # not a link to a post on this platform: do not record it
            return PublishResult(str(answer.get("id") or delivery_id(publication)), url)
        read_json(response, "The webhook")  # raises the right PublishError
        raise PublishError(f"The webhook answered {response.status_code}.")
