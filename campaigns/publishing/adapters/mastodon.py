"""Mastodon: upload the image (POST /api/v2/media), then the status (POST /api/v1/statuses).

Never twice: the status carries `Idempotency-Key: aicmo-<publication id>`, so a retry after a
lost answer gets the same status back (Mastodon keeps the key an hour). The key does not stop
two concurrent requests, so the service lets one worker at a time attempt a publication.
`media_ids[]` is sent form-encoded with the brackets: a bare `media_ids` is silently dropped.
"""

from __future__ import annotations

from django.conf import settings

from campaigns.models import Creative, Publication
from campaigns.publishing.adapters.base import (
    Adapter,
    PublishError,
    PublishResult,
    creative_image,
    read_json,
    wait,
)
from campaigns.publishing.platforms import count_mastodon

DEFAULT_LIMIT = 500
MEDIA_POLLS = 10


def idempotency_key(publication: Publication) -> str:
    return f"aicmo-{publication.pk}"


class MastodonAdapter(Adapter):
    kind = "mastodon"
    label = "Mastodon"

    @property
    def base(self) -> str:
        configured = str(self.credential.config.get("api_base", "")).strip().rstrip("/")
        instance = self.credential.brand.mastodon_instance.strip()
        return configured or (f"https://{instance}" if instance else "")

    def configuration_problem(self) -> str | None:
        if not self.base:
            return "Set the brand's Mastodon instance (or config api_base)."
        if not self.credential.secret:
            return "Set an access token with the write:statuses and write:media scopes."
        return None

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credential.secret}"}

    def instance_limit(self) -> int:
        """The instance's own limit: configuration.statuses.max_characters (500 by default)."""
        answer = read_json(self.request("GET", f"{self.base}/api/v2/instance"), self.label)
        try:
            return int(answer["configuration"]["statuses"]["max_characters"])
        except (KeyError, TypeError, ValueError):
            return DEFAULT_LIMIT

    def upload_media(self, creative: Creative) -> str | None:
        image = creative_image(creative)
        if image is None:
            return None
        name, data, mime = image
        response = self.request(
            "POST", f"{self.base}/api/v2/media", headers=self._headers(),
            files={"file": (name, data, mime)}, data={"description": creative.image_alt},
        )
        media = read_json(response, self.label)
        media_id = str(media.get("id", ""))
        if not media_id:
            raise PublishError("Mastodon accepted the image but gave no media id.")
        if response.status_code == 202:
            self.wait_for_media(media_id)
        return media_id

    def wait_for_media(self, media_id: str) -> None:
        """202 at upload means processing: GET /api/v1/media/:id answers 206 until ready."""
        for _ in range(MEDIA_POLLS):
            response = self.request(
                "GET", f"{self.base}/api/v1/media/{media_id}", headers=self._headers()
            )
            if response.status_code == 200:
                return
            if response.status_code != 206:
                read_json(response, self.label)
            wait(settings.PUBLISHING_BACKOFF_SECONDS)
        raise PublishError("Mastodon is still processing the image.", retryable=True)

    def publish(self, creative: Creative, publication: Publication) -> PublishResult:
        problem = self.configuration_problem()
        if problem:
            raise PublishError(problem)
        text = creative.full_text()
        limit = self.instance_limit()
        if count_mastodon(text) > limit:
            raise PublishError(
                f"This instance allows {limit} characters; the post has {count_mastodon(text)}."
            )
        media_id = self.upload_media(creative)
        form = [("status", text), ("visibility", "public")]
        if media_id:
            form.append(("media_ids[]", media_id))
        response = self.request(
            "POST", f"{self.base}/api/v1/statuses", data=form,
            headers={**self._headers(), "Idempotency-Key": idempotency_key(publication)},
        )
        if response.status_code == 422 and b"process" in response.content.lower():
            raise PublishError(
                "Mastodon is still processing the image.", status_code=422, retryable=True
            )
        status = read_json(response, self.label)
        if not status.get("id"):
            raise PublishError("Mastodon answered without the status's id.")
        return PublishResult(str(status["id"]), str(status.get("url") or status.get("uri") or ""))
