"""Bluesky over XRPC: a kept session, the image as a blob, the post as a record.

- Session: createSession with an app password once; the JWT pair is stored on the credential
  and refreshed (refreshSession) when a call answers ExpiredToken; InvalidToken logs in again.
  createSession is rate limited (30 per 5 minutes), so we never log in per post.
- Never twice: the record key is a TID made from the publication's creation time and id, and
  the record is written with putRecord and `swapRecord: null`, so a second write of the same
  post fails instead of posting again; before writing we getRecord that key, so a lost answer
  is found rather than posted twice.
- Links and hashtags are facets whose offsets count UTF-8 bytes; createdAt ends in Z.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from campaigns.models import Creative, Publication
from campaigns.publishing.adapters.base import (
    Adapter,
    PublishError,
    PublishResult,
    creative_image,
    read_json,
)
from campaigns.publishing.platforms import PLATFORMS

COLLECTION = "app.bsky.feed.post"
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
LINK_PATTERN = re.compile(r"https?://[^\s]+")
TAG_PATTERN = re.compile(r"(?:^|(?<=\s))#([^\s#]*[^\W\d][^\s#]*)")
TRAILING = ".,;:!?)]}'\""
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def tid(moment: datetime, clock_id: int) -> str:
    """A record key in TID form: 53 bits of microseconds since the epoch, 10 bits of clock id,
    13 characters of base32-sortable."""
    micros = (moment - EPOCH) // timedelta(microseconds=1)
    value = (micros << 10) | (clock_id & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def record_key(publication: Publication) -> str:
    return tid(publication.created_at, publication.pk)


def _byte_span(text: str, start: int, end: int) -> dict:
    return {"byteStart": len(text[:start].encode()), "byteEnd": len(text[:end].encode())}


def facets(text: str) -> list[dict]:
    """Clickable links and hashtags, with byte offsets into the UTF-8 text."""
    found = []
    for match in LINK_PATTERN.finditer(text):
        uri = match.group(0).rstrip(TRAILING)
        found.append({
            "index": _byte_span(text, match.start(), match.start() + len(uri)),
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": uri}],
        })
    for match in TAG_PATTERN.finditer(text):
        tag = match.group(1).rstrip(TRAILING)
        if not tag or len(tag) > 64:
            continue
        start = match.start(1) - 1  # include the #
        found.append({
            "index": _byte_span(text, start, start + 1 + len(tag)),
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
        })
    return sorted(found, key=lambda facet: facet["index"]["byteStart"])


def created_at(moment: datetime | None = None) -> str:
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class BlueskyAdapter(Adapter):
    kind = "bluesky"
    label = "Bluesky"

    @property
    def service(self) -> str:
        return str(self.credential.config.get("service") or "https://bsky.social").rstrip("/")

    @property
    def handle(self) -> str:
        return str(self.credential.config.get("handle", "")).strip().lstrip("@")

    def configuration_problem(self) -> str | None:
        if not self.handle:
            return "Set the account's handle (config: {\"handle\": \"brand.bsky.social\"})."
        if not self.credential.secret:
            return "Set an app password (Settings → Privacy and security → App passwords)."
        return None

    # --- session -------------------------------------------------------------------------
    def _save_session(self, answer: dict) -> None:
        if not answer.get("accessJwt") or not answer.get("refreshJwt"):
            raise PublishError("Bluesky answered the sign-in without a session.")
        self.credential.session = {
            "accessJwt": answer["accessJwt"],
            "refreshJwt": answer["refreshJwt"],
            "did": answer.get("did") or self.credential.session.get("did", ""),
            "handle": answer.get("handle") or self.handle,
        }
        self.credential.save(update_fields=["session", "updated_at"])

    def login(self) -> None:
        response = self.request(
            "POST", f"{self.service}/xrpc/com.atproto.server.createSession",
            json={"identifier": self.handle, "password": self.credential.secret},
        )
        self._save_session(read_json(response, self.label))

    def refresh(self) -> None:
        response = self.request(
            "POST", f"{self.service}/xrpc/com.atproto.server.refreshSession",
            headers={"Authorization": f"Bearer {self.credential.session.get('refreshJwt', '')}"},
        )
        try:
            self._save_session(read_json(response, self.label))
        except PublishError as exc:
            if exc.code in ("ExpiredToken", "InvalidToken"):
                self.login()  # the refresh token itself is gone: sign in again
            else:
                raise

    def call(self, method: str, nsid: str, *, headers: dict | None = None, **kwargs) -> dict:
        """One XRPC call with the session; ExpiredToken refreshes, InvalidToken logs in,
        and the call is retried once either way."""
        if not self.credential.session.get("accessJwt"):
            self.login()
        for renewed in (False, True):
            merged = {**(headers or {}),
                      "Authorization": f"Bearer {self.credential.session['accessJwt']}"}
            response = self.request(method, f"{self.service}/xrpc/{nsid}", headers=merged,
                                    **kwargs)
            try:
                return read_json(response, self.label)
            except PublishError as exc:
                if renewed or exc.code not in ("ExpiredToken", "InvalidToken"):
                    raise
                if exc.code == "ExpiredToken":
                    self.refresh()
                else:
                    self.login()
        raise PublishError("Bluesky refused the session twice.")

    # --- posting -------------------------------------------------------------------------
    def _result(self, rkey: str, answer: dict) -> PublishResult:
        handle = self.credential.session.get("handle") or self.handle
        return PublishResult(str(answer.get("uri", "")),
                             f"https://bsky.app/profile/{handle}/post/{rkey}")

    def lookup(self, rkey: str) -> PublishResult | None:
        """The post already written under this key (a lost answer), or None."""
        try:
            answer = self.call(
                "GET", "com.atproto.repo.getRecord",
                params={"repo": self.credential.session["did"], "collection": COLLECTION,
                        "rkey": rkey},
            )
        except PublishError as exc:
            if exc.code == "RecordNotFound" or exc.status_code == 404:
                return None
            raise
        return self._result(rkey, answer)

    def upload_image(self, creative: Creative) -> dict | None:
        image = creative_image(creative)
        if image is None:
            return None
        _, data, mime = image
        limit = PLATFORMS["bluesky"].image_max_bytes
        if limit and len(data) > limit:
            raise PublishError(f"Bluesky takes images up to {limit:,} bytes; this one has "
                               f"{len(data):,}.")
        answer = self.call("POST", "com.atproto.repo.uploadBlob", data=data,
                           headers={"Content-Type": mime})
        if "blob" not in answer:
            raise PublishError("Bluesky accepted the image but returned no blob.")
        return {"$type": "app.bsky.embed.images",
                "images": [{"alt": creative.image_alt, "image": answer["blob"]}]}

    def publish(self, creative: Creative, publication: Publication) -> PublishResult:
        problem = self.configuration_problem()
        if problem:
            raise PublishError(problem)
        text = creative.full_text()
        problems = creative.rules.check_length(text)
        if problems:
            raise PublishError(" ".join(problems))
        if not self.credential.session.get("accessJwt"):
            self.login()
        rkey = record_key(publication)
        existing = self.lookup(rkey)
        if existing:
            return existing
        record = {"$type": COLLECTION, "text": text, "createdAt": created_at()}
        if found := facets(text):
            record["facets"] = found
        if embed := self.upload_image(creative):
            record["embed"] = embed
        try:
            answer = self.call(
                "POST", "com.atproto.repo.putRecord",
                json={"repo": self.credential.session["did"], "collection": COLLECTION,
                      "rkey": rkey, "validate": True, "record": record, "swapRecord": None},
            )
        except PublishError as exc:
            if exc.code == "InvalidSwap":  # written meanwhile: it is our post
                existing = self.lookup(rkey)
                if existing:
                    return existing
            raise
        return self._result(rkey, answer)
