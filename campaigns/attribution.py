"""Attribution: the UTM parameters every link in a creative carries, so a lead that comes in
through a post can be traced back to its campaign and creative.

`utm_source` = the platform, `utm_medium` = social, `utm_campaign` = the campaign's slug,
`utm_content` = the creative's id. Tagging is idempotent: a link that already carries UTM
parameters has them replaced (never repeated), and every other query parameter, the fragment
and the order of the other parameters are kept.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")
UTM_MEDIUM = "social"
# A URL written into a caption: http(s) up to the next whitespace, minus trailing punctuation.
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:!?)]}»”’"


def utm_values(*, platform: str, campaign_slug: str, creative_id: int) -> dict[str, str]:
    return {
        "utm_source": platform,
        "utm_medium": UTM_MEDIUM,
        "utm_campaign": campaign_slug,
        "utm_content": str(creative_id),
    }


def tag_url(url: str, values: dict[str, str]) -> str:
    """The URL with exactly one of each UTM parameter, set to `values`; other parameters kept."""
    if not url:
        return url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return url
    kept = [
        (key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in UTM_KEYS
    ]
    query = urlencode([*kept, *((key, values[key]) for key in UTM_KEYS)])
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, parts.fragment))


def tag_text(text: str, values: dict[str, str]) -> str:
    """Every http(s) link written in a text, tagged (trailing punctuation left outside)."""

    def replace(match: re.Match) -> str:
        url = match.group(0)
        tail = ""
        while url and url[-1] in _TRAILING:
            tail = url[-1] + tail
            url = url[:-1]
        return tag_url(url, values) + tail

    return _URL_IN_TEXT.sub(replace, text)


def creative_tagged_fields(*, creative) -> dict[str, str]:
    """{"link": …, "caption": …} of a saved creative with its UTM parameters applied."""
    values = utm_values(
        platform=creative.platform, campaign_slug=creative.campaign.slug, creative_id=creative.pk
    )
    return {"link": tag_url(creative.link, values), "caption": tag_text(creative.caption, values)}


def creative_apply_utm(*, creative, fit: bool = False) -> bool:
    """Tags the creative's link and caption links in place (in memory); True when anything
    changed. The caller saves (link, caption and hashtags).

    With `fit` (a freshly written post: generation, adaptation), a post the longer link pushes
    over its platform's limit is shortened to fit again the way adaptation does it: hashtags
    first, then the caption at a sentence or word boundary. Without it (an approved post shown
    for posting) nothing but the links changes, and the page says when it is too long."""
    before = (creative.link, creative.caption, list(creative.hashtags or []))
    tagged = creative_tagged_fields(creative=creative)
    creative.link, creative.caption = tagged["link"], tagged["caption"]
    if fit:
        from campaigns.validation import post_problems

        problems = post_problems(
            platform=creative.platform, caption=creative.caption,
            hashtags=list(creative.hashtags or []), link=creative.link,
        )
        if problems:
            from campaigns.adapting import adapt_post

            adapted = adapt_post(
                caption=creative.caption, hashtags=list(creative.hashtags or []),
                link=creative.link, target=creative.platform,
            )
            creative.caption, creative.hashtags, creative.link = (
                adapted.caption, adapted.hashtags, adapted.link
            )
    return (creative.link, creative.caption, list(creative.hashtags or [])) != before
