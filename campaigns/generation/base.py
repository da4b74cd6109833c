"""What every generation engine returns, and the one check every result passes before saving.

An engine turns a campaign into a GenerationResult: the plan (pillars, audience, key messages,
rationale) and one item per calendar slot and platform. `validate_items` holds each item to its
platform's rules; any failure is a GenerationError with one message an operator can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from campaigns.models import Campaign
from campaigns.publishing.platforms import PLATFORMS
from campaigns.validation import normalise_hashtags, post_problems

# One generation writes at most this many posts: a year of daily posts on seven platforms
# would be thousands of rows nobody can review.
MAX_ITEMS = 400


class GenerationError(Exception):
    """The engine could not produce a usable plan; the message is shown to the operator."""


@dataclass(frozen=True)
class Slot:
    """One place in the content calendar: when, where, and which pillar it serves."""

    at: datetime
    platform: str
    pillar: str = ""


@dataclass(frozen=True)
class PlanData:
    pillars: list[str]
    audience: str
    key_messages: list[str]
    rationale: str = ""


@dataclass(frozen=True)
class GeneratedItem:
    platform: str
    scheduled_at: datetime
    pillar: str
    caption: str
    hashtags: list[str] = field(default_factory=list)
    link: str = ""
    call_to_action: str = ""
    image_brief: str = ""
    image_alt: str = ""


@dataclass(frozen=True)
class GenerationResult:
    engine: str
    plan: PlanData
    items: list[GeneratedItem]

    @property
    def calendar(self) -> list[dict[str, str]]:
        return [
            {"at": item.scheduled_at.isoformat(), "platform": item.platform, "pillar": item.pillar}
            for item in self.items
        ]


class Engine(Protocol):
    name: str

    def generate(self, campaign: Campaign) -> GenerationResult: ...


def validate_items(items: list[GeneratedItem], campaign: Campaign) -> None:
    """Raises GenerationError naming the first post that breaks its platform's rules."""
    for number, item in enumerate(items, start=1):
        if item.platform not in campaign.platforms:
            raise GenerationError(
                f"Post {number} is for {item.platform!r}, which this campaign does not use."
            )
        if item.link:
            try:
                URLValidator(schemes=["http", "https"])(item.link)
            except ValidationError:
                raise GenerationError(
                    f"Post {number} links to {item.link[:80]!r}, which is not a web address."
                ) from None
        problems = post_problems(
            platform=item.platform, caption=item.caption, hashtags=item.hashtags, link=item.link
        )
        if problems:
            name = PLATFORMS[item.platform].name
            raise GenerationError(
                f"The generated {name} post {number} breaks the platform's rules: "
                f"{' '.join(problems)} Nothing was saved."
            )


def _text(value: Any, what: str, *, required: bool = True, limit: int = 5000) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise GenerationError(f"The engine's answer has no text for {what}.")
    value = value.strip()
    if required and not value:
        raise GenerationError(f"The engine's answer leaves {what} empty.")
    if "\x00" in value:  # no database column can store it
        raise GenerationError(f"The engine's answer puts a NUL character in {what}.")
    return value[:limit]


def _texts(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise GenerationError(f"The engine's answer gives {what} that is not a list of texts.")
    if not value:
        raise GenerationError(f"The engine's answer gives no {what}.")
    if any("\x00" in v for v in value):
        raise GenerationError(f"The engine's answer puts a NUL character in {what}.")
    return [v.strip() for v in value]


def result_from_json(data: Any, *, campaign: Campaign, slots: list[Slot], engine: str,
                     default_link: str = "") -> GenerationResult:
    """Reads the JSON contract of docs/GENERATION.md: {"plan": {...}, "items": [...]}, one item
    per slot in slot order. Wrong shapes become a GenerationError, never a KeyError."""
    if not isinstance(data, dict):
        raise GenerationError("The engine answered with JSON that is not an object.")
    plan_data, items_data = data.get("plan"), data.get("items")
    if not isinstance(plan_data, dict):
        raise GenerationError('The engine\'s answer has no "plan" object.')
    if not isinstance(items_data, list):
        raise GenerationError('The engine\'s answer has no "items" list.')
    plan = PlanData(
        pillars=_texts(plan_data.get("pillars"), "pillars"),
        audience=_text(plan_data.get("audience"), "the audience"),
        key_messages=_texts(plan_data.get("key_messages"), "key messages"),
        rationale=_text(plan_data.get("rationale"), "the rationale", required=False),
    )
    if len(items_data) != len(slots):
        raise GenerationError(
            f"The engine wrote {len(items_data)} posts for {len(slots)} calendar slots; "
            "nothing was saved."
        )
    items = []
    for number, (slot, raw) in enumerate(zip(slots, items_data, strict=True), start=1):
        if not isinstance(raw, dict):
            raise GenerationError(f"Post {number} in the engine's answer is not an object.")
        platform = raw.get("platform", slot.platform)
        if platform != slot.platform:
            raise GenerationError(
                f"Post {number} is for {platform!r} but its calendar slot is {slot.platform!r}."
            )
        hashtags = raw.get("hashtags", [])
        if not isinstance(hashtags, list | str):
            raise GenerationError(f"Post {number} has hashtags that are not a list.")
        if any("\x00" in str(tag) for tag in (hashtags if isinstance(hashtags, list) else [hashtags])):
            raise GenerationError(f"Post {number} has a NUL character in its hashtags.")
        link = raw.get("link", default_link)
        items.append(GeneratedItem(
            platform=slot.platform,
            scheduled_at=slot.at,
            pillar=_text(raw.get("pillar", slot.pillar), f"post {number}'s pillar",
                         required=False, limit=120),
            caption=_text(raw.get("caption"), f"post {number}'s caption"),
            hashtags=normalise_hashtags(hashtags),
            link=_text(link, f"post {number}'s link", required=False, limit=500),
            call_to_action=_text(raw.get("call_to_action"), f"post {number}'s call to action",
                                 required=False, limit=200),
            image_brief=_text(raw.get("image_brief"), f"post {number}'s image brief",
                              required=False),
            image_alt=_text(raw.get("image_alt"), f"post {number}'s alt text", required=False),
        ))
    validate_items(items, campaign)
    return GenerationResult(engine=engine, plan=plan, items=items)
