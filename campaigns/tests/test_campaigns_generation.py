"""The generation engines: local (deterministic, within every platform's rules), http and
openai (against real local HTTP servers), and saving nothing when anything fails."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from aicmo_site.testing import free_port
from campaigns.generation import GenerationError, generate, get_engine
from campaigns.models import Creative, Plan
from campaigns.publishing.platforms import PLATFORMS
from campaigns.services import campaign_generate
from campaigns.tests.factories import BrandFactory, CampaignFactory
from campaigns.validation import post_problems

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 30)


def _campaign(**kwargs):
    kwargs.setdefault("start_date", MONDAY)
    kwargs.setdefault("end_date", MONDAY + timedelta(days=27))
    return CampaignFactory(**kwargs)


def _nothing_saved():
    return Plan.objects.count() == 0 and Creative.objects.count() == 0


# --- local ------------------------------------------------------------------------------------


def test_local_engine_gives_the_same_posts_for_the_same_campaign():
    campaign = _campaign(platforms=["linkedin", "x"])
    first, second = generate(campaign, "local"), generate(campaign, "local")
    assert first == second


def test_local_engine_seeds_from_the_fields_not_the_row_or_the_clock():
    brand = BrandFactory()
    first = generate(_campaign(brand=brand, name="Spring", slug="spring"), "local")
    Creative.objects.all().delete()
    brand.campaigns.all().delete()
    again = _campaign(brand=brand, name="Spring", slug="spring-again")  # a new row, same fields
    assert generate(again, "local").items == first.items


def test_local_engine_changes_posts_when_the_campaign_changes():
    campaign = _campaign()
    before = generate(campaign, "local")
    campaign.objectives = "Book free consultations"
    assert generate(campaign, "local").items != before.items


def test_local_engine_writes_one_post_per_slot_and_platform():
    result = generate(_campaign(platforms=["linkedin"], cadence=3), "local")
    assert len(result.items) == 12
    assert {item.scheduled_at.weekday() for item in result.items} == {1, 2, 3}
    assert {item.scheduled_at.hour for item in result.items} == {9, 12, 17}
    assert len(result.calendar) == 12


def test_local_engine_writes_every_platform_for_every_slot():
    result = generate(_campaign(platforms=["linkedin", "x", "threads"], cadence=2), "local")
    assert len(result.items) == 4 * 2 * 3


def test_local_engine_varies_its_posts():
    result = generate(_campaign(platforms=["linkedin"], cadence=3), "local")
    captions = [item.caption for item in result.items]
    hooks = {caption.split("\n")[0] for caption in captions}
    assert len(set(captions)) >= 10
    assert len(hooks) >= 6
    assert len(result.plan.pillars) == 3


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_local_engine_keeps_posts_within_the_platform_rules(platform):
    brand = BrandFactory(
        name="The Exceptionally Long-Named Heritage Coffee Roasting Company of Greater Yorkshire",
        audience="Independent cafés, specialty coffee shops, home baristas, office managers and "
                 "everyone else in the United Kingdom who cares about a better cup every morning",
        default_hashtags=["coffee", "roasting", "specialty", "yorkshire", "beans", "cafe", "uk"],
    )
    result = generate(_campaign(brand=brand, platforms=[platform], cadence=7), "local")
    rules = PLATFORMS[platform]
    for item in result.items:
        assert post_problems(platform=platform, caption=item.caption, hashtags=item.hashtags,
                             link=item.link) == []
        if rules.see_more_at:
            # The hook comes first, above the "see more" fold.
            assert len(item.caption.split("\n")[0]) <= rules.see_more_at


def test_local_engine_builds_posts_from_the_brand():
    brand = BrandFactory(name="Helio Solar", industry="Residential solar installer",
                         default_hashtags=["solar"], website="https://helio.example")
    result = generate(_campaign(brand=brand, platforms=["linkedin"]), "local")
    assert all(item.link == "https://helio.example" for item in result.items)
    assert all(item.hashtags[0] == "solar" for item in result.items)
    assert any("residential solar" in item.caption for item in result.items)


def test_local_engine_leaves_links_out_where_they_are_not_clickable():
    result = generate(_campaign(platforms=["instagram"]), "local")
    assert all(item.link == "" for item in result.items)


def test_local_engine_says_when_it_had_no_hints(settings):
    result = generate(_campaign(), "local")
    assert "No results to learn from yet" in result.plan.rationale
    assert "Tuesdays, Wednesdays and Thursdays" in result.plan.rationale


@dataclass
class _Hints:
    best_weekdays: list[int] = field(default_factory=lambda: [0, 4])
    best_hours: list[int] = field(default_factory=lambda: [8])
    hashtags: list[str] = field(default_factory=lambda: ["learned"])
    avoid_phrases: list[str] = field(default_factory=lambda: ["behind the scenes", "sign"])
    rationale: str = "Mondays and Fridays at 08:00 won the last campaign."


@pytest.fixture
def kaizen_hints(monkeypatch):
    """Stands in for Kaizen's selector (another app's work), not for the engine under test."""
    module = types.ModuleType("kaizen.selectors")
    module.generation_hints_for = lambda brand: _Hints()
    monkeypatch.setitem(sys.modules, "kaizen.selectors", module)


def test_local_engine_follows_kaizen_hints(kaizen_hints):
    result = generate(_campaign(platforms=["linkedin"], cadence=2), "local")
    assert {item.scheduled_at.weekday() for item in result.items} == {0, 4}
    assert {item.scheduled_at.hour for item in result.items} == {8}
    assert all(item.hashtags[0] == "learned" for item in result.items)
    assert all("behind the scenes" not in item.caption.lower() for item in result.items)
    assert "Mondays and Fridays at 08:00" in result.plan.rationale


def test_local_engine_refuses_more_posts_than_one_generation_writes():
    campaign = _campaign(platforms=list(PLATFORMS), cadence=21,
                         end_date=MONDAY + timedelta(days=90))
    with pytest.raises(GenerationError, match="at most 400"):
        generate(campaign, "local")


def test_unknown_engine_setting_gives_one_clear_error(settings):
    settings.GENERATION_ENGINE = "magic"
    with pytest.raises(GenerationError, match="must be one of local, http or openai"):
        get_engine()


# --- http -------------------------------------------------------------------------------------


def test_http_engine_saves_the_backend_plan_and_posts(backend, operator):
    campaign = _campaign()
    outcome = campaign_generate(campaign=campaign, user=operator)
    assert (outcome.plan.engine, outcome.created) == ("http", 12)
    assert outcome.plan.pillars == ["Craft", "Community"]
    assert outcome.plan.rationale.startswith("From the fake backend. No results to learn from")
    assert Creative.objects.filter(caption="Remote post 1: how we roast.").exists()
    sent = backend.requests[0]
    assert sent["path"] == "/generate"
    assert len(sent["body"]["slots"]) == 12
    assert sent["body"]["platform_rules"]["linkedin"]["caption_limit"] == 3000


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("malformed", "malformed JSON"),
        ("error", "error 500"),
        ("wrong_shape", 'no "plan" object'),
        ("too_long", "breaks the platform's rules"),
    ],
)
def test_http_engine_failure_saves_nothing(backend, operator, mode, message):
    backend.mode = mode
    with pytest.raises(GenerationError, match=message):
        campaign_generate(campaign=_campaign(), user=operator)
    assert _nothing_saved()


def test_http_engine_gives_up_on_a_slow_backend(backend, settings, operator):
    backend.mode = "slow"
    settings.AICMO_BACKEND_TIMEOUT = 0.2
    with pytest.raises(GenerationError, match="did not answer within 0.2 seconds"):
        campaign_generate(campaign=_campaign(), user=operator)
    assert _nothing_saved()


def test_http_engine_reports_a_backend_that_is_not_running(settings, operator):
    settings.GENERATION_ENGINE = "http"
    settings.AICMO_BACKEND_URL = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(GenerationError, match="cannot be reached"):
        campaign_generate(campaign=_campaign(), user=operator)
    assert _nothing_saved()


def test_http_engine_without_a_url_says_so(settings, operator):
    settings.GENERATION_ENGINE = "http"
    settings.AICMO_BACKEND_URL = ""
    with pytest.raises(GenerationError, match="AICMO_BACKEND_URL is not set"):
        campaign_generate(campaign=_campaign(), user=operator)


# --- openai -----------------------------------------------------------------------------------


def test_openai_engine_saves_the_model_plan_and_posts(openai_endpoint, operator):
    outcome = campaign_generate(campaign=_campaign(), user=operator)
    assert (outcome.plan.engine, outcome.created) == ("openai", 12)
    sent = openai_endpoint.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["auth"] == "Bearer sk-test"
    assert sent["body"]["model"] == "test-model"
    assert sent["body"]["response_format"] == {"type": "json_object"}


def test_openai_engine_reads_json_inside_a_markdown_fence(openai_endpoint, operator):
    openai_endpoint.mode = "fenced"
    assert campaign_generate(campaign=_campaign(), user=operator).created == 12


@pytest.mark.parametrize(
    ("mode", "message"),
    [("malformed", "not JSON"), ("error", "error 500"), ("wrong_shape", 'no "plan" object'),
     ("too_long", "breaks the platform's rules")],
)
def test_openai_engine_failure_saves_nothing(openai_endpoint, operator, mode, message):
    openai_endpoint.mode = mode
    with pytest.raises(GenerationError, match=message):
        campaign_generate(campaign=_campaign(), user=operator)
    assert _nothing_saved()


def test_openai_engine_gives_up_on_a_slow_endpoint(openai_endpoint, settings, operator):
    openai_endpoint.mode = "slow"
    settings.OPENAI_TIMEOUT = 0.2
    with pytest.raises(GenerationError, match="did not answer within 0.2 seconds"):
        campaign_generate(campaign=_campaign(), user=operator)
    assert _nothing_saved()


def test_local_engine_treats_a_failing_kaizen_as_no_hints(monkeypatch):
    module = types.ModuleType("kaizen.selectors")

    def broken(campaign):
        raise RuntimeError("kaizen bug")

    module.generation_hints_for = broken
    monkeypatch.setitem(sys.modules, "kaizen.selectors", module)
    result = generate(_campaign(), "local")
    assert "No results to learn from yet" in result.plan.rationale
    assert len(result.items) == 12


def test_calendar_adds_weekdays_when_the_cadence_needs_them():
    result = generate(_campaign(cadence=21, end_date=MONDAY + timedelta(days=6)), "local")
    times = [item.scheduled_at for item in result.items]
    assert len(times) == len(set(times)) == 21
    assert {t.weekday() for t in times} == set(range(7))
