""""Adapt for another platform": a creative rewritten within a second platform's rules.

The caption is cut at the last sentence that fits (else at a word, with an ellipsis), hashtags
are trimmed to the platform's limit (or its advice where it has no hard limit), and the link is
kept where it is clickable; on a platform where links do not work it makes way for "link in bio".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction

from campaigns.attribution import creative_apply_utm
from campaigns.models import Creative, CreativeStatus
from campaigns.publishing.platforms import PLATFORMS, Platform, platform_rules
from campaigns.services import creative_snapshot
from campaigns.validation import post_problems

ELLIPSIS = "…"
BIO_NOTE = "Link in bio."
SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")


@dataclass(frozen=True)
class Adapted:
    caption: str
    hashtags: list[str]
    link: str


def hashtag_allowance(rules: Platform) -> int | None:
    """The most hashtags to carry over: the hard limit, else the top of the advised range."""
    if rules.hashtag_limit is not None:
        return rules.hashtag_limit
    if "advised" in rules.hashtags_advised:
        numbers = [int(n) for n in re.findall(r"\d+", rules.hashtags_advised)]
        if numbers:
            return max(numbers)
    return None


def _fits(rules: Platform, caption: str, hashtags: list[str], link: str) -> bool:
    return not post_problems(platform=rules.slug, caption=caption, hashtags=hashtags, link=link)


def _shorten(rules: Platform, caption: str, hashtags: list[str], link: str) -> str | None:
    """The longest cut of the caption that fits with these hashtags and link, or None."""
    caption = caption.strip()
    if _fits(rules, caption, hashtags, link):
        return caption
    # Whole sentences first: the longest run of sentences from the start that fits.
    ends = [m.end() for m in SENTENCE_END.finditer(caption)]
    for end in reversed(ends):
        candidate = caption[:end].strip()
        if candidate and _fits(rules, candidate, hashtags, link):
            return candidate
    # Else whole words, with an ellipsis, by bisection over the word boundaries.
    words = caption.split()
    low, high, best = 1, len(words), None
    while low <= high:
        middle = (low + high) // 2
        candidate = " ".join(words[:middle]).rstrip(",;:–-") + ELLIPSIS
        if _fits(rules, candidate, hashtags, link):
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best


def adapt_post(*, caption: str, hashtags: list[str], link: str, target: str) -> Adapted:
    """The post rewritten for `target`, within its rules (post_problems is empty)."""
    rules = platform_rules(target)
    allowance = hashtag_allowance(rules)
    tags = list(hashtags[:allowance] if allowance is not None else hashtags)
    caption = caption.strip()
    if link and not rules.links_clickable:
        link = ""
        if BIO_NOTE.lower() not in caption.lower():
            caption = f"{caption} {BIO_NOTE}"
    # Give up hashtags first, then the link, before giving up the whole message.
    while True:
        shortened = _shorten(rules, caption, tags, link)
        if shortened is not None:
            return Adapted(caption=shortened, hashtags=tags, link=link)
        if tags:
            tags = tags[:-1]
        elif link:
            link = ""
        else:
            break
    # A single word longer than the platform allows: cut it by characters.
    text = caption
    while text and not _fits(rules, text + ELLIPSIS, [], ""):
        text = text[: max(1, len(text) * 9 // 10) - 1]
    return Adapted(caption=(text + ELLIPSIS) if text else ELLIPSIS, hashtags=[], link="")


def adaptable_platforms(creative: Creative) -> list[tuple[str, str]]:
    """(slug, name) of the campaign's other platforms."""
    return [
        (slug, platform_rules(slug).name)
        for slug in creative.campaign.platforms or []
        if slug != creative.platform and slug in PLATFORMS
    ]


@transaction.atomic
def creative_adapt(*, creative: Creative, platform: str, author) -> Creative:
    """A new draft creative of the same campaign for `platform`, adapted to its rules."""
    adapted = adapt_post(
        caption=creative.caption, hashtags=creative.hashtags, link=creative.link, target=platform
    )
    copy = Creative(
        campaign=creative.campaign,
        platform=platform,
        scheduled_at=creative.scheduled_at,
        pillar=creative.pillar,
        caption=adapted.caption,
        hashtags=adapted.hashtags,
        link=adapted.link,
        call_to_action=creative.call_to_action,
        image=creative.image.name if creative.image else "",
        image_alt=creative.image_alt,
        image_brief=creative.image_brief,
        status=CreativeStatus.DRAFT,
        version=1,
        author=author,
    )
    copy.full_clean(exclude=["image"])
    copy.save()
    # The copy's links carry its own UTM parameters (platform and creative), not the source's.
    if creative_apply_utm(creative=copy, fit=True):
        copy.save(update_fields=["link", "caption", "hashtags"])
    creative_snapshot(creative=copy, author=author)
    return copy
