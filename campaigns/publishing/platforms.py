"""Platform rules: the one place that knows each platform's limits, URLs and posting steps.

Used by generation, validation, previews and posting. Figures were checked against the
platforms' own documentation (see shared PLATFORMS.md, November 2026); a change is one edit here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

URL_PATTERN = re.compile(r"https?://[^\s]+", re.IGNORECASE)
SHORT_URL_WEIGHT = 23  # X and Mastodon count every link as 23 characters


def _is_grapheme_extender(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin tone modifiers
        or 0xE0020 <= code <= 0xE007F  # tag characters (flag sequences)
    )


def graphemes(text: str) -> list[str]:
    """Split text into user-perceived characters (combining marks, ZWJ emoji, flags)."""
    if text.isascii():  # no marks, joiners or flags: each character stands alone
        return list(text)
    clusters: list[str] = []
    joined = False
    for char in text:
        code = ord(char)
        if clusters and (joined or _is_grapheme_extender(char)):
            clusters[-1] += char
            joined = False
        elif char == "\u200d" and clusters:
            clusters[-1] += char
            joined = True
        elif (
            clusters
            and 0x1F1E6 <= code <= 0x1F1FF
            and len(clusters[-1]) == 1
            and 0x1F1E6 <= ord(clusters[-1]) <= 0x1F1FF
        ):
            clusters[-1] += char  # a pair of regional indicators is one flag
        else:
            clusters.append(char)
            joined = False
    return clusters


def count_graphemes(text: str) -> int:
    return len(graphemes(text))


def _replace_urls(text: str) -> tuple[str, int]:
    return URL_PATTERN.subn("", text)


def count_mastodon(text: str) -> int:
    """Graphemes, every http(s) URL as 23, and @user@domain as @user."""
    text = re.sub(r"(@\w+)@[\w.-]+\.\w+", r"\1", text)
    rest, urls = _replace_urls(text)
    return count_graphemes(rest) + urls * SHORT_URL_WEIGHT


def _x_weight(cluster: str) -> int:
    code = ord(cluster[0])
    # X's weighted ranges: Latin, general punctuation and a few symbol blocks weigh 1;
    # everything else (CJK, emoji, most other scripts) weighs 2.
    light = (
        code <= 0x10FF
        or 0x2000 <= code <= 0x200D
        or 0x2010 <= code <= 0x201F
        or 0x2032 <= code <= 0x2037
    )
    return 1 if light else 2


def count_x(text: str) -> int:
    rest, urls = _replace_urls(text)
    return sum(_x_weight(cluster) for cluster in graphemes(rest)) + urls * SHORT_URL_WEIGHT


def count_characters(text: str) -> int:
    return len(text)


@dataclass(frozen=True)
class Platform:
    slug: str
    name: str
    caption_limit: int
    counting: str
    count: Callable[[str], int]
    hashtag_limit: int | None
    hashtags_advised: str
    see_more_at: int | None
    compose_url: str
    compose_prefills_text: bool
    post_domains: tuple[str, ...]
    max_images: int
    image_rules: str
    links_clickable: bool
    manual_steps: tuple[str, ...]
    byte_limit: int | None = None
    image_max_bytes: int | None = None
    alt_text_limit: int | None = None
    # Posts one connected account may publish through the API in any 24 hours (a moving
    # window), from the platform's API documentation at the time of writing; None: the
    # platform documents no post count limit. Live posting and the autonomy worker wait for
    # the budget (campaigns.publishing.budgets). Instagram: content publishing limit of 50
    # API-published posts per 24 hours; Threads: 250 API-published posts per 24 hours;
    # LinkedIn: 150 member posts per day; X: POST /2/tweets allows 300 per 3 hours per user
    # (2,400 a day, also X's account limit); Mastodon: 300 statuses per 3 hours per account
    # by default (2,400 a day); Bluesky: 35,000 points a day at 3 points per created record
    # (11,666 posts); Facebook Pages: no post count limit, only call-rate limits.
    daily_post_budget: int | None = None
    color: str = "#555555"
    # Live adapters that can post here (campaigns/publishing/adapters): the signed webhook
    # reaches any platform through Zapier, Make or n8n; Mastodon and Bluesky have their own API.
    live_adapters: tuple[str, ...] = ("webhook",)
    # Narrowest and widest width/height an image may have (Instagram's feed: 4:5 to 1.91:1).
    image_ratio: tuple[float, float] | None = None
    extra: dict = field(default_factory=dict)

    def compose_link(self, text: str, link: str = "", instance: str = "") -> str:
        """The composer URL with the post prefilled, where the platform allows it."""
        if not self.compose_url:
            return ""
        return self.compose_url.format(
            text=quote(text, safe=""), url=quote(link, safe=""), instance=instance
        )

    def check_length(self, text: str) -> list[str]:
        problems = []
        length = self.count(text)
        if length > self.caption_limit:
            problems.append(
                f"{self.name} allows {self.caption_limit:,} characters ({self.counting}); "
                f"this post has {length:,}."
            )
        if self.byte_limit and len(text.encode("utf-8")) > self.byte_limit:
            problems.append(f"{self.name} allows {self.byte_limit:,} bytes of UTF-8 text.")
        return problems

    def check_hashtags(self, hashtags: list[str]) -> list[str]:
        if self.hashtag_limit is not None and len(hashtags) > self.hashtag_limit:
            return [f"{self.name} allows at most {self.hashtag_limit} hashtags; this post has "
                    f"{len(hashtags)}."]
        return []

    def image_problems(self, *, width: int, height: int, size: int, alt: str) -> list[str]:
        """What keeps this image (and its alt text) from being posted as it is."""
        problems = []
        if self.image_ratio and width and height:
            low, high = self.image_ratio
            if not low <= width / height <= high:
                problems.append(f"{self.name} takes images between {low:g}:1 and {high:g}:1; "
                                f"this one is {width}×{height}.")
        if self.image_max_bytes and size > self.image_max_bytes:
            problems.append(f"{self.name} takes images up to {self.image_max_bytes:,} bytes; "
                            f"this one has {size:,}.")
        if self.alt_text_limit and len(alt) > self.alt_text_limit:
            problems.append(f"{self.name} takes alt text up to {self.alt_text_limit:,} "
                            f"characters; this one has {len(alt):,}.")
        return problems

    def validate_post_url(self, url: str, instance: str = "") -> str | None:
        """None when the URL is an https link on this platform's domains, else the reason."""
        try:
            parts = urlsplit(url.strip())
        except ValueError:
            return "That is not a valid URL."
        if parts.scheme != "https":
            return "The post's link must start with https://."
        host = (parts.hostname or "").lower()
        if not host:
            return "The post's link has no host."
        domains = (instance.lower(),) if self.slug == "mastodon" else self.post_domains
        if self.slug == "mastodon" and not instance:
            return "Set the brand's Mastodon instance before recording Mastodon posts."
        if not any(host == domain or host.endswith("." + domain) for domain in domains):
            allowed = ", ".join(domains)
            return f"A {self.name} post's link must be on {allowed}; this one is on {host}."
        if parts.path in ("", "/"):
            return "That is the platform's home page, not the link of a post."
        return None


PLATFORMS: dict[str, Platform] = {
    "linkedin": Platform(
        slug="linkedin", name="LinkedIn", caption_limit=3000, counting="characters",
        count=count_characters, hashtag_limit=None, hashtags_advised="3–5 advised",
        see_more_at=210,
        compose_url="https://www.linkedin.com/feed/?shareActive=true&text={text}",
        compose_prefills_text=True, post_domains=("linkedin.com",), max_images=9,
        image_rules="JPG, PNG or GIF; 1200×627 for link-style images, 1080×1080 square works.",
        links_clickable=True, daily_post_budget=150, color="#0a66c2",
        manual_steps=(
            "Open LinkedIn and sign in to the brand's page or profile.",
            "Click “Start a post”.",
            "Paste the caption.",
            "Add the image with its alt text (the image's “Alt text” button).",
            "Click “Post”.",
            "Open the post's menu (…) → “Copy link to post” and paste the link back here.",
        ),
    ),
    "instagram": Platform(
        slug="instagram", name="Instagram", caption_limit=2200, counting="characters",
        count=count_characters, hashtag_limit=5, hashtags_advised="at most 5",
        see_more_at=125, compose_url="", compose_prefills_text=False,
        post_domains=("instagram.com",), max_images=10,
        image_rules="Feed images between 4:5 (portrait) and 1.91:1 (landscape).",
        image_ratio=(0.8, 1.91),
        links_clickable=False, daily_post_budget=50, color="#c13584",
        manual_steps=(
            "Open the Instagram app on the phone signed in to the brand's account.",
            "Tap + and choose “Post”.",
            "Add the image (download it from this page first).",
            "Paste the caption; links are not clickable on Instagram, so use the bio link.",
            "Add the alt text under Advanced settings → Accessibility.",
            "Tap “Share”.",
            "Open the post's menu (…) → “Copy link” and paste the link back here.",
        ),
    ),
    "x": Platform(
        slug="x", name="X", caption_limit=280,
        counting="weighted: each link counts 23, CJK and emoji count 2",
        count=count_x, hashtag_limit=None, hashtags_advised="1–2 advised",
        see_more_at=None, compose_url="https://x.com/intent/post?text={text}",
        compose_prefills_text=True, post_domains=("x.com", "twitter.com"), max_images=4,
        image_rules="Up to 4 images; JPG, PNG or GIF up to 5 MB.",
        links_clickable=True, daily_post_budget=2400, color="#111111",
        manual_steps=(
            "Open X and sign in to the brand's account.",
            "Click “Post” to open the composer (or use “Open composer” below).",
            "Paste the caption.",
            "Add the image and its description (“+Alt”).",
            "Click “Post”.",
            "Open the post, click Share → “Copy link” and paste the link back here.",
        ),
    ),
    "facebook": Platform(
        slug="facebook", name="Facebook", caption_limit=63206, counting="characters",
        count=count_characters, hashtag_limit=None, hashtags_advised="no cap; 1–3 advised",
        see_more_at=480,
        compose_url="https://www.facebook.com/sharer/sharer.php?u={url}",
        compose_prefills_text=False, post_domains=("facebook.com", "fb.com"), max_images=10,
        image_rules="JPG or PNG; 1200×630 for link images.",
        links_clickable=True, color="#1877f2",
        manual_steps=(
            "Open Facebook and switch to the brand's Page.",
            "Click “Create post”.",
            "Paste the caption.",
            "Add the image; edit its alternative text from the photo's “Edit” button.",
            "Click “Post”.",
            "Click the post's time stamp to open it and paste its address back here.",
        ),
    ),
    "threads": Platform(
        slug="threads", name="Threads", caption_limit=500, counting="characters",
        count=count_characters, hashtag_limit=1, hashtags_advised="1 topic tag",
        see_more_at=None, compose_url="https://www.threads.net/intent/post?text={text}",
        compose_prefills_text=True, post_domains=("threads.net", "threads.com"), max_images=10,
        image_rules="Up to 10 images; JPG or PNG.",
        links_clickable=True, daily_post_budget=250, color="#000000",
        manual_steps=(
            "Open Threads and sign in to the brand's account.",
            "Start a new thread (or use “Open composer” below).",
            "Paste the caption; Threads takes one topic tag.",
            "Attach the image and its alt text.",
            "Click “Post”.",
            "Open the post's menu → “Copy link” and paste the link back here.",
        ),
    ),
    "mastodon": Platform(
        slug="mastodon", name="Mastodon", caption_limit=500,
        counting="graphemes; each link counts 23 (instance setting, 500 by default)",
        count=count_mastodon, hashtag_limit=None, hashtags_advised="no cap",
        see_more_at=None, compose_url="https://{instance}/share?text={text}",
        compose_prefills_text=True, post_domains=(), max_images=4,
        image_rules="Up to 4 images; alt text strongly expected by the community.",
        links_clickable=True, alt_text_limit=1500, daily_post_budget=2400, color="#6364ff",
        live_adapters=("mastodon", "webhook"),
        manual_steps=(
            "Open the brand's Mastodon instance and sign in.",
            "Open the composer (or use “Open composer” below).",
            "Paste the caption.",
            "Attach the image and add its description (alt text).",
            "Click “Post”.",
            "Open the post (click its time) and paste its address back here.",
        ),
    ),
    "bluesky": Platform(
        slug="bluesky", name="Bluesky", caption_limit=300,
        counting="graphemes (and at most 3,000 bytes)", count=count_graphemes,
        hashtag_limit=None, hashtags_advised="no cap", see_more_at=None,
        compose_url="https://bsky.app/intent/compose?text={text}",
        compose_prefills_text=True, post_domains=("bsky.app",), max_images=4,
        image_rules="Up to 4 images of at most 2,000,000 bytes each; alt text up to 2,000 characters.",
        links_clickable=True, byte_limit=3000, image_max_bytes=2_000_000,
        alt_text_limit=2000, daily_post_budget=11666, color="#1185fe",
        live_adapters=("bluesky", "webhook"),
        extra={"max_langs": 3},
        manual_steps=(
            "Open Bluesky and sign in to the brand's account.",
            "Click “New Post” (or use “Open composer” below).",
            "Paste the caption.",
            "Add the image and its alt text (“ALT”).",
            "Click “Post”.",
            "Open the post, click Share → “Copy link to post” and paste the link back here.",
        ),
    ),
}

PLATFORM_CHOICES = [(slug, platform.name) for slug, platform in PLATFORMS.items()]


def platform_rules(slug: str) -> Platform:
    return PLATFORMS[slug]
