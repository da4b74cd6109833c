"""Per-platform validation of a post, shared by every engine, form and service."""

from __future__ import annotations

import re

from campaigns.publishing.platforms import PLATFORMS

HASHTAG_PATTERN = re.compile(r"^[^\s#]{1,100}$")


def normalise_hashtags(value: str | list[str]) -> list[str]:
    """'#a, b #c' or ['#a', 'b'] → ['a', 'b', 'c']; repeats dropped, order kept."""
    items = re.split(r"[\s,]+", value) if isinstance(value, str) else list(value)
    seen: dict[str, None] = {}
    for item in items:
        tag = str(item).strip().lstrip("#")
        if tag and tag.lower() not in {t.lower() for t in seen}:
            seen[tag] = None
    return list(seen)


def compose_text(caption: str, hashtags: list[str], link: str = "") -> str:
    """The text as it is posted: caption, then link, then hashtags (Creative.full_text)."""
    parts = [caption.strip()]
    if link:
        parts.append(link)
    if hashtags:
        parts.append(" ".join(f"#{tag}" for tag in hashtags))
    return "\n\n".join(part for part in parts if part)


def post_problems(*, platform: str, caption: str, hashtags: list[str], link: str = "") -> list[str]:
    """Every reason this post breaks its platform's rules; empty when it is fine."""
    if platform not in PLATFORMS:
        return [f"Unknown platform {platform!r}."]
    rules = PLATFORMS[platform]
    problems: list[str] = []
    if not caption.strip():
        problems.append("The caption is empty.")
    for tag in hashtags:
        if not HASHTAG_PATTERN.match(tag):
            problems.append(f"#{tag} is not a valid hashtag (no spaces or # inside).")
    problems += rules.check_hashtags(hashtags)
    problems += rules.check_length(compose_text(caption, hashtags, link))
    return problems
