"""The generation backend slow, down, failing or answering garbage, seen from the wizard.

GENERATION_ENGINE=http against a real HTTP server on 127.0.0.1 that the test tells what to
answer. Whatever it does, the operator gets a clear message on the generate step (never a 500),
and nothing is half-saved: a first generation writes no rows, a regeneration leaves the plan,
the posts and their reviews exactly as they were.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from campaigns.models import Creative, CreativeVersion, Plan, Review
from campaigns.services import campaign_generate, creative_decide
from campaigns.tests.factories import CampaignFactory
from campaigns.tests.fake_engine import good_answer

pytestmark = pytest.mark.django_db

START = date(2026, 11, 30)


class ScriptedBackend:
    """Answers POST /generate with `answer(brief) -> (status, body bytes, content type)`,
    after `delay` seconds; counts the requests."""

    def __init__(self):
        self.answer = lambda brief: (200, json.dumps(good_answer(brief)).encode(),
                                     "application/json")
        self.delay = 0.0
        self.requests = 0
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802 - http.server's naming
                brief = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                backend.requests += 1
                status, body, content_type = backend.answer(brief)
                time.sleep(backend.delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture
def backend(settings):
    server = ScriptedBackend()
    threading.Thread(target=server.httpd.serve_forever, daemon=True).start()
    settings.GENERATION_ENGINE = "http"
    settings.AICMO_BACKEND_URL = server.url
    settings.AICMO_BACKEND_TIMEOUT = 0.5
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def _json(transform):
    """An answer built from the good one, then broken by `transform(answer) -> answer`."""
    def answer(brief):
        return 200, json.dumps(transform(copy.deepcopy(good_answer(brief)))).encode(), \
            "application/json"
    return answer


def _raw(status: int, body: bytes, content_type: str = "application/json"):
    return lambda brief: (status, body, content_type)


def _set_item(field, value):
    def transform(answer):
        answer["items"][0][field] = value
        return answer
    return transform


GARBAGE = {
    "error 500": (_raw(500, b'{"error": "boom"}'), "answered with error 500"),
    "error 503 html": (_raw(503, b"<html><body>Service Unavailable</body></html>", "text/html"),
                       "answered with error 503"),
    "not json": (_raw(200, b"{not json"), "malformed JSON"),
    "empty body": (_raw(200, b""), "malformed JSON"),
    "html page": (_raw(200, b"<!DOCTYPE html><p>Login required</p>", "text/html"),
                  "malformed JSON"),
    "invalid utf-8": (_raw(200, b'{"plan": "\xff\xfe"}'), 'no "plan" object'),
    "json null": (_raw(200, b"null"), "not an object"),
    "json list": (_raw(200, b"[1, 2, 3]"), "not an object"),
    "plan is text": (_json(lambda a: {**a, "plan": "nope"}), 'no "plan" object'),
    "items missing": (_json(lambda a: {"plan": a["plan"]}), 'no "items" list'),
    "too few items": (_json(lambda a: {**a, "items": a["items"][:1]}), "calendar slots"),
    "item is a number": (_json(lambda a: {**a, "items": [7] * len(a["items"])}),
                         "is not an object"),
    "wrong platform": (_json(_set_item("platform", "myspace")), "its calendar slot is"),
    "caption missing": (_json(_set_item("caption", None)), "no text for post 1's caption"),
    "caption a number": (_json(_set_item("caption", 12)), "no text for post 1's caption"),
    "caption too long": (_json(_set_item("caption", "x" * 5000)), "breaks the platform's rules"),
    "caption with NUL": (_json(_set_item("caption", "Roast\u0000day")),
                         "NUL character in post 1's caption"),
    "hashtag with NUL": (_json(_set_item("hashtags", ["ok", "bad\u0000tag"])),
                         "NUL character in its hashtags"),
    "audience with NUL": (_json(lambda a: {**a, "plan": {**a["plan"], "audience": "a\u0000"}}),
                          "NUL character in the audience"),
    "hashtags a dict": (_json(_set_item("hashtags", {"a": 1})), "hashtags that are not a list"),
    "hashtags of numbers": (_json(_set_item("hashtags", [1, None, {"x": 2}])), "hashtag"),
    "link not a url": (_json(_set_item("link", "javascript:alert(1)")), "not a web address"),
    "pillars empty": (_json(lambda a: {**a, "plan": {**a["plan"], "pillars": []}}),
                      "no pillars"),
}


def _snapshot():
    return (
        list(Plan.objects.order_by("pk").values_list("pk", "version", "audience")),
        list(Creative.objects.order_by("pk").values_list("pk", "status", "caption", "version")),
        list(CreativeVersion.objects.order_by("pk").values_list("pk")),
        list(Review.objects.order_by("pk").values_list("pk", "reason")),
    )


def _campaign():
    return CampaignFactory(start_date=START, end_date=START + timedelta(days=13))


def _generate(client, campaign):
    response = client.post(f"/campaigns/{campaign.pk}/step/2/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("case", list(GARBAGE))
def test_generate_with_a_broken_backend_says_why_and_saves_nothing(operator_client, backend,
                                                                   case):
    backend.answer, message = GARBAGE[case]
    campaign = _campaign()
    page = _generate(operator_client, campaign)
    assert "Nothing was generated." in page
    assert message in page.replace("&quot;", '"').replace("&#x27;", "'")
    assert _snapshot() == ([], [], [], [])


@pytest.mark.parametrize("case", ["error 500", "not json", "caption too long", "audience with NUL"])
def test_regenerate_with_a_broken_backend_keeps_the_previous_plan_and_reviews(
        operator_client, operator, approver, backend, case):
    campaign = _campaign()
    campaign_generate(campaign=campaign, user=operator, engine="local")
    first, second = campaign.creatives.order_by("scheduled_at")[:2]
    creative_decide(creative=first, reviewer=approver, approve=True)
    creative_decide(creative=second, reviewer=approver, approve=False, reason="Off brand")
    before = _snapshot()
    backend.answer = GARBAGE[case][0]
    page = _generate(operator_client, campaign)
    assert "Nothing was generated." in page
    assert _snapshot() == before


def test_generate_with_a_slow_backend_gives_up_with_a_message(operator_client, backend, settings):
    settings.TASKS_MAX_ATTEMPTS = 1  # one attempt: the page waits one timeout, not three
    backend.delay = 1.5
    campaign = _campaign()
    started = time.monotonic()
    page = _generate(operator_client, campaign)
    assert time.monotonic() - started < 1.4
    assert "did not answer within 0.5 seconds; nothing was saved." in page
    assert _snapshot() == ([], [], [], [])


def test_generate_with_the_backend_down_says_it_cannot_be_reached(operator_client, backend,
                                                                   settings):
    backend.httpd.server_close()  # nothing listens on the port any more
    settings.AICMO_BACKEND_URL = backend.url
    campaign = _campaign()
    page = _generate(operator_client, campaign)
    assert "cannot be reached" in page
    assert _snapshot() == ([], [], [], [])


def test_generate_succeeds_once_the_backend_answers_well_again(operator_client, backend):
    campaign = _campaign()
    good = backend.answer
    backend.answer = GARBAGE["error 500"][0]
    _generate(operator_client, campaign)
    backend.answer = good
    response = operator_client.post(f"/campaigns/{campaign.pk}/step/2/")
    assert response.status_code == 302
    assert list(Plan.objects.filter(campaign=campaign).values_list("version", flat=True)) == [1]
    assert Creative.objects.filter(campaign=campaign).exists()


def test_generate_asks_kaizen_for_hints_without_failing(operator_client, backend, caplog):
    """Kaizen's hints take a brand; a campaign passed by mistake made every generation log a
    traceback and go without hints."""
    response = operator_client.post(f"/campaigns/{_campaign().pk}/step/2/")
    assert response.status_code == 302
    assert not [r for r in caplog.records if "generation_hints_for failed" in r.getMessage()]
