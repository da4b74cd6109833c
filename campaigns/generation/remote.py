"""Engines that ask a service to write the posts: the AICMO backend (`http`) and any
OpenAI-compatible chat-completions endpoint (`openai`). Both send the same brief, read the same
JSON contract (docs/GENERATION.md) and turn every failure into one GenerationError."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import requests
from django.conf import settings

from campaigns.generation.base import GenerationError, GenerationResult, Slot, result_from_json
from campaigns.generation.calendar import calendar_slots, hints_for, schedule_rationale
from campaigns.models import Campaign
from campaigns.publishing.platforms import PLATFORMS
from diagnostics.masking import mask_url

CONTRACT_VERSION = 1


def brief(campaign: Campaign, slots: list[Slot], hints) -> dict[str, Any]:
    """The request body: everything an engine needs to write the campaign's posts."""
    brand = campaign.brand
    return {
        "contract": CONTRACT_VERSION,
        "brand": {
            "name": brand.name, "industry": brand.industry, "audience": brand.audience,
            "voice": brand.voice, "default_hashtags": brand.default_hashtags,
            "website": brand.website,
        },
        "campaign": {
            "id": campaign.pk, "name": campaign.name, "objectives": campaign.objectives,
            "platforms": campaign.platforms, "cadence": campaign.cadence,
            "start_date": campaign.start_date.isoformat(), "end_date": campaign.end_date.isoformat(),
        },
        "platform_rules": {
            slug: {
                "caption_limit": PLATFORMS[slug].caption_limit,
                "counting": PLATFORMS[slug].counting,
                "hashtag_limit": PLATFORMS[slug].hashtag_limit,
                "see_more_at": PLATFORMS[slug].see_more_at,
                "links_clickable": PLATFORMS[slug].links_clickable,
            }
            for slug in campaign.platforms
        },
        "hints": {
            "hashtags": hints.hashtags, "avoid_phrases": hints.avoid_phrases,
        },
        "slots": [
            {"index": index, "at": slot.at.isoformat(), "platform": slot.platform}
            for index, slot in enumerate(slots)
        ],
    }


def _with_schedule(result: GenerationResult, hints) -> GenerationResult:
    """The calendar is ours, not the engine's: say in the rationale what shaped it."""
    rationale = " ".join(part for part in (result.plan.rationale, schedule_rationale(hints)) if part)
    return replace(result, plan=replace(result.plan, rationale=rationale))


def _slots(campaign: Campaign):
    hints = hints_for(campaign)
    # The engine names its own pillars; the calendar only fixes when and where.
    return calendar_slots(campaign, hints, []), hints


def _post(url: str, *, payload: dict, timeout: float, headers: dict | None = None,
          service: str) -> Any:
    try:
        response = requests.post(url, json=payload, timeout=timeout, headers=headers or {})
    except requests.Timeout:
        raise GenerationError(
            f"{service} did not answer within {timeout:g} seconds; nothing was saved. "
            "Try again, or switch GENERATION_ENGINE to local."
        ) from None
    except requests.ConnectionError:
        # The message reaches the page: the address without its password (a URL may carry
        # credentials, e.g. https://user:token@backend/).
        raise GenerationError(
            f"{service} at {mask_url(url)} cannot be reached (connection refused or no "
            "network); nothing was saved."
        ) from None
    except requests.RequestException as exc:
        raise GenerationError(f"{service} request failed ({exc.__class__.__name__}); "
                              "nothing was saved.") from None
    if response.status_code >= 400:
        raise GenerationError(
            f"{service} answered with error {response.status_code}; nothing was saved."
        )
    try:
        return response.json()
    except ValueError:
        raise GenerationError(f"{service} answered with malformed JSON; nothing was saved.") from None


class HttpEngine:
    """POST {AICMO_BACKEND_URL}/generate with the brief; the answer is the contract's JSON."""

    name = "http"

    def generate(self, campaign: Campaign) -> GenerationResult:
        base = settings.AICMO_BACKEND_URL.rstrip("/")
        if not base:
            raise GenerationError(
                "GENERATION_ENGINE is http but AICMO_BACKEND_URL is not set; nothing was saved."
            )
        slots, hints = _slots(campaign)
        data = _post(f"{base}/generate", payload=brief(campaign, slots, hints),
                     timeout=settings.AICMO_BACKEND_TIMEOUT, service="The AICMO backend")
        return _with_schedule(
            result_from_json(data, campaign=campaign, slots=slots, engine=self.name), hints
        )


SYSTEM_PROMPT = """You write social media campaigns for a marketing agency.
Answer with one JSON object and nothing else, of this shape:
{"plan": {"pillars": [str], "audience": str, "key_messages": [str], "rationale": str},
 "items": [{"platform": str, "pillar": str, "caption": str, "hashtags": [str], "link": str,
            "call_to_action": str, "image_brief": str, "image_alt": str}]}
Write exactly one item per slot of the brief, in the same order, for the slot's platform.
Put the hook in the first line. Keep caption + link + hashtags within the platform's
caption_limit and hashtag_limit. Hashtags without '#'. Use the brand's website as the link
where links are clickable. Never use the phrases in hints.avoid_phrases."""


class OpenAIEngine:
    """Chat completions at {OPENAI_BASE_URL}/chat/completions asking for a JSON object."""

    name = "openai"

    def generate(self, campaign: Campaign) -> GenerationResult:
        slots, hints = _slots(campaign)
        payload = {
            "model": settings.OPENAI_MODEL,
            "response_format": {"type": "json_object"},
            "temperature": 0.7,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": json.dumps(brief(campaign, slots, hints))},
            ],
        }
        headers = {}
        if settings.OPENAI_API_KEY:
            headers["Authorization"] = f"Bearer {settings.OPENAI_API_KEY}"
        service = f"The model endpoint ({settings.OPENAI_MODEL})"
        data = _post(f"{settings.OPENAI_BASE_URL.rstrip('/')}/chat/completions", payload=payload,
                     timeout=settings.OPENAI_TIMEOUT, headers=headers, service=service)
        try:
            content = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise GenerationError(f"{service} answered without a message; nothing was saved.") from None
        if not isinstance(content, str):
            raise GenerationError(f"{service} answered without text; nothing was saved.")
        content = content.strip()
        if content.startswith("```"):
            # Some local models wrap JSON in a Markdown fence even when asked for an object.
            content = content.strip("`").removeprefix("json").strip()
        try:
            parsed = json.loads(content)
        except ValueError:
            raise GenerationError(
                f"{service} wrote something that is not JSON; nothing was saved."
            ) from None
        default_link = campaign.brand.website
        return _with_schedule(
            result_from_json(parsed, campaign=campaign, slots=slots, engine=self.name,
                             default_link=default_link),
            hints,
        )



