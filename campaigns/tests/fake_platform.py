"""A real HTTP server on 127.0.0.1 speaking enough of the webhook receiver, Mastodon and Bluesky
for the live adapters, able to answer 200, 4xx, 5xx, slowly or with garbage.

`plan(path, *behaviours)` queues how the next requests to `path` are answered; a behaviour is an
HTTP status (answered with a JSON error), "slow" (do the work, then answer late: a lost answer),
"garbage" (200 with a body that is not JSON), "html502" (a proxy's HTML error page) or a tuple
(status, json body, headers).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

WEBHOOK_SECRET = "whsec-test-0123456789abcdef"
MASTODON_TOKEN = "mastodon-token-abcdef123456"
BLUESKY_PASSWORD = "app-pass-wxyz-1234"
DID = "did:plc:testbrand"


class FakePlatform:
    def __init__(self, slow_seconds: float = 0.8):
        self.slow_seconds = slow_seconds
        self.requests: list[dict] = []
        self.plans: dict[str, deque] = defaultdict(deque)
        self.lock = threading.Lock()
        self.counter = itertools.count(1)
        # Webhook
        self.deliveries: list[dict] = []
        # Mastodon
        self.max_characters = 500
        self.statuses: dict[str, dict] = {}
        self.status_list: list[dict] = []
        self.media: dict[str, dict] = {}
        self.media_processing_polls = 0
        # Bluesky
        self.access_tokens: set[str] = set()
        self.expired_tokens: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.records: dict[str, dict] = {}
        self.sessions_created = 0
        self.sessions_refreshed = 0
        self.server: ThreadingHTTPServer | None = None

    # --- lifecycle -----------------------------------------------------------------------
    def __enter__(self) -> FakePlatform:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake.handle(self, "GET")

            def do_POST(self):
                fake.handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                         daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def plan(self, path: str, *behaviours) -> None:
        self.plans[path].extend(behaviours)

    def calls(self, path: str, method: str = "") -> list[dict]:
        return [r for r in self.requests if r["path"] == path and (not method or r["method"] == method)]

    # --- dispatch ------------------------------------------------------------------------
    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        request = {"method": method, "path": parts.path, "query": parse_qs(parts.query),
                   "headers": dict(handler.headers.items()), "body": body}
        with self.lock:
            self.requests.append(request)
            behaviour = self.plans[parts.path].popleft() if self.plans[parts.path] else None
        slow = behaviour == "slow"
        if behaviour is not None and not slow:
            self._answer_planned(handler, behaviour)
            return
        status, payload, headers = self.route(request)
        if slow:
            time.sleep(self.slow_seconds)
        self._send(handler, status, payload, headers)

    def _answer_planned(self, handler, behaviour) -> None:
        if behaviour == "garbage":
            self._send_raw(handler, 200, b"\x00\x01 definitely not json", "application/json")
        elif behaviour == "html502":
            self._send_raw(handler, 502, b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1>"
                                         b"</body></html>", "text/html")
        elif isinstance(behaviour, tuple):
            self._send(handler, *behaviour)
        else:
            headers = {"Retry-After": "0"} if behaviour == 429 else {}
            self._send(handler, behaviour, {"error": f"Planned failure {behaviour}"}, headers)

    def _send(self, handler, status: int, payload, headers: dict | None = None) -> None:
        self._send_raw(handler, status, json.dumps(payload).encode(), "application/json", headers)

    @staticmethod
    def _send_raw(handler, status, body: bytes, content_type: str, headers=None) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout): exactly what a lost answer looks like

    # --- the platforms -------------------------------------------------------------------
    def route(self, request: dict):
        path, method = request["path"], request["method"]
        if path == "/hook" and method == "POST":
            return self.webhook(request)
        if path.startswith("/api/"):
            return self.mastodon(request)
        if path.startswith("/xrpc/"):
            return self.bluesky(request)
        return 404, {"error": "Not found"}, {}

    def webhook(self, request):
        expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), request["body"],
                                        hashlib.sha256).hexdigest()
        given = request["headers"].get("X-Signature-256", "")
        if not hmac.compare_digest(expected, given):
            return 401, {"error": "bad signature"}, {}
        delivery = request["headers"].get("Idempotency-Key", "")
        with self.lock:
            if any(d["delivery"] == delivery for d in self.deliveries):
                return 200, {"id": f"zap-{delivery}", "duplicate": True}, {}
            self.deliveries.append({"delivery": delivery, "payload": json.loads(request["body"])})
        return 200, {"id": f"zap-{delivery}"}, {}

    def mastodon(self, request):
        path, method = request["path"], request["method"]
        if path == "/api/v2/instance":
            return 200, {"configuration": {"statuses": {"max_characters": self.max_characters}}}, {}
        if request["headers"].get("Authorization") != f"Bearer {MASTODON_TOKEN}":
            return 401, {"error": "The access token is invalid"}, {}
        if path == "/api/v2/media" and method == "POST":
            media_id = str(next(self.counter))
            body = request["body"]
            self.media[media_id] = {"polls_left": self.media_processing_polls,
                                    "has_file": b'name="file"' in body,
                                    "description": b'name="description"' in body}
            status = 202 if self.media_processing_polls else 200
            return status, {"id": media_id, "type": "image"}, {}
        if path.startswith("/api/v1/media/"):
            media = self.media.get(path.rsplit("/", 1)[-1])
            if media is None:
                return 404, {"error": "Record not found"}, {}
            if media["polls_left"] > 0:
                media["polls_left"] -= 1
                return 206, {"id": path.rsplit("/", 1)[-1]}, {}
            return 200, {"id": path.rsplit("/", 1)[-1], "url": "https://files.example/1.png"}, {}
        if path == "/api/v1/statuses" and method == "POST":
            form = parse_qs(request["body"].decode())
            key = request["headers"].get("Idempotency-Key", "")
            with self.lock:
                if key and key in self.statuses:
                    return 200, self.statuses[key], {}
                status_id = str(next(self.counter))
                status = {"id": status_id, "url": f"https://mastodon.social/@brand/{status_id}",
                          "content": form.get("status", [""])[0],
                          "media_ids": form.get("media_ids[]", [])}
                self.status_list.append(status)
                if key:
                    self.statuses[key] = status
            return 200, status, {}
        return 404, {"error": "Not found"}, {}

    def _new_session(self):
        n = next(self.counter)
        access, refresh = f"access-{n}", f"refresh-{n}"
        self.access_tokens.add(access)
        self.refresh_tokens.add(refresh)
        return {"accessJwt": access, "refreshJwt": refresh, "did": DID, "handle": "brand.test"}

    def bluesky(self, request):
        nsid = request["path"].removeprefix("/xrpc/")
        auth = request["headers"].get("Authorization", "").removeprefix("Bearer ")
        if nsid == "com.atproto.server.createSession":
            data = json.loads(request["body"] or b"{}")
            if data.get("password") != BLUESKY_PASSWORD:
                return 401, {"error": "AuthenticationRequired",
                             "message": "Invalid identifier or password"}, {}
            with self.lock:
                self.sessions_created += 1
                return 200, self._new_session(), {}
        if nsid == "com.atproto.server.refreshSession":
            with self.lock:
                if auth not in self.refresh_tokens:
                    return 400, {"error": "ExpiredToken", "message": "Token has expired"}, {}
                self.refresh_tokens.discard(auth)
                self.sessions_refreshed += 1
                return 200, self._new_session(), {}
        if auth in self.expired_tokens:
            return 400, {"error": "ExpiredToken", "message": "Token has expired"}, {}
        if auth not in self.access_tokens:
            return 401, {"error": "InvalidToken", "message": "Bad token"}, {}
        if nsid == "com.atproto.repo.getRecord":
            rkey = request["query"].get("rkey", [""])[0]
            if rkey not in self.records:
                return 400, {"error": "RecordNotFound", "message": "Could not locate record"}, {}
            return 200, {"uri": f"at://{DID}/app.bsky.feed.post/{rkey}", "cid": "bafyrec",
                         "value": self.records[rkey]}, {}
        if nsid == "com.atproto.repo.uploadBlob":
            return 200, {"blob": {"$type": "blob", "ref": {"$link": "bafkblob"},
                                  "mimeType": request["headers"].get("Content-Type"),
                                  "size": len(request["body"])}}, {}
        if nsid == "com.atproto.repo.putRecord":
            data = json.loads(request["body"])
            rkey = data["rkey"]
            with self.lock:
                if rkey in self.records and "swapRecord" in data and data["swapRecord"] is None:
                    return 400, {"error": "InvalidSwap", "message": "Record already exists"}, {}
                self.records[rkey] = data["record"]
            return 200, {"uri": f"at://{DID}/app.bsky.feed.post/{rkey}", "cid": "bafyrec"}, {}
        return 404, {"error": "MethodNotImplemented"}, {}


# --- helpers shared by the execution and adapter tests ---------------------------------------

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def fast_publishing(settings) -> None:
    """Small timeouts and backoff, so retries take milliseconds in tests."""
    settings.PUBLISHING_TIMEOUT = 0.4
    settings.PUBLISHING_BACKOFF_SECONDS = 0.01
    settings.PUBLISHING_MAX_ATTEMPTS = 3
    settings.PUBLISHING_MAX_WAIT_SECONDS = 5


def approved_creative(platform: str = "linkedin", image: bool = False, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from campaigns.tests.factories import CreativeFactory

    if image:
        fields["image"] = SimpleUploadedFile("roast.png", PNG_1PX, content_type="image/png")
        fields.setdefault("image_alt", "Beans cooling in a steel tray")
    return CreativeFactory(platform=platform, status="approved", **fields)


def credential(creative, adapter: str, server_url: str, **config):
    from campaigns.models import PublishingCredential

    secret = {"webhook": WEBHOOK_SECRET, "mastodon": MASTODON_TOKEN,
              "bluesky": BLUESKY_PASSWORD}[adapter]
    defaults = {"webhook": {"url": f"{server_url}/hook"},
                "mastodon": {"api_base": server_url},
                "bluesky": {"service": server_url, "handle": "brand.test"}}[adapter]
    return PublishingCredential.objects.create(
        brand=creative.campaign.brand, platform=creative.platform, adapter=adapter,
        config={**defaults, **config}, secret=secret,
    )
