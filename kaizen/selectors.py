"""Reads for Learn / Kaizen: articles and their search, retrospectives, action items, and the
hints the generation engine takes from a brand's insights."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kaizen import insights
from kaizen.models import ActionItem, Article, Retrospective

SEARCH_LIMIT = 50
SEARCH_CONFIG = "english"
# Markers the database puts around matches; the text is escaped before they become <mark>.
_START, _STOP = "\x02", "\x03"


def article_list(*, brand=None, tag: str = "") -> QuerySet[Article]:
    articles = Article.objects.select_related("brand", "author")
    if brand is not None:
        articles = articles.filter(brand=brand)
    if tag:
        # Tags are stored normalised (lower case, no quotes), so the quoted tag inside the JSON
        # text matches exactly one element; this works the same on PostgreSQL and SQLite.
        articles = articles.filter(tags__icontains=f'"{tag}"')
    return articles


def article_get(slug: str) -> Article:
    return Article.objects.select_related("brand", "author").get(slug=slug)


@dataclass(frozen=True)
class SearchHit:
    article: Article
    rank: float
    snippet: SafeString


def _marked(text: str) -> SafeString:
    """Escapes text from the database, then turns the match markers into <mark> tags."""
    safe = escape(text.replace("\x00", ""))
    return mark_safe(safe.replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308


def _search_postgres(articles: QuerySet[Article], text: str) -> list[SearchHit]:
    vector = SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "body", weight="B", config=SEARCH_CONFIG
    )
    query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    found = (
        articles.annotate(document=vector)
        .filter(document=query)
        .annotate(
            rank=SearchRank(vector, query),
            snippet=SearchHeadline(
                "body", query, config=SEARCH_CONFIG, start_sel=_START, stop_sel=_STOP,
                max_words=35, min_words=15,
            ),
        )
        .order_by("-rank", "-updated_at")[:SEARCH_LIMIT]
    )
    return [SearchHit(article=a, rank=a.rank, snippet=_marked(a.snippet)) for a in found]


def _snippet_around(body: str, terms: list[str], width: int = 90) -> SafeString:
    lowered = body.lower()
    positions = [lowered.find(term) for term in terms if term in lowered]
    start = max(0, min(positions) - width) if positions else 0
    excerpt = body[start : start + 2 * width + 60]
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    marked = pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", excerpt)
    prefix = "… " if start else ""
    suffix = " …" if start + len(excerpt) < len(body) else ""
    return _marked(f"{prefix}{marked}{suffix}")


def _search_fallback(articles: QuerySet[Article], text: str) -> list[SearchHit]:
    """SQLite: every word must appear in the title or body; title matches rank first."""
    terms = [term.lower() for term in re.findall(r"\w+", text)][:10]
    if not terms:
        return []
    for term in terms:
        articles = articles.filter(Q(title__icontains=term) | Q(body__icontains=term))
    hits = []
    for article in articles.order_by("-updated_at")[:SEARCH_LIMIT]:
        title = article.title.lower()
        rank = sum(1.0 for term in terms if term in title) + 0.1
        hits.append(SearchHit(article=article, rank=rank,
                              snippet=_snippet_around(article.body, terms)))
    hits.sort(key=lambda hit: -hit.rank)  # stable: equal ranks stay newest first
    return hits


def article_search(text: str, *, brand=None, tag: str = "") -> list[SearchHit]:
    """Articles matching the words, best first, each with its matches highlighted."""
    text = text.strip()
    if not text:
        return []
    articles = article_list(brand=brand, tag=tag)
    if connection.vendor == "postgresql":
        return _search_postgres(articles, text)
    return _search_fallback(articles, text)


def article_revisions(article: Article):
    return article.revisions.select_related("editor", "brand").order_by("-version")


def retrospective_list() -> QuerySet[Retrospective]:
    return Retrospective.objects.select_related("campaign__brand").annotate(
        open_items=Count("action_items", filter=Q(action_items__done_at__isnull=True))
    )


def campaigns_awaiting_retrospective():
    """Completed campaigns without a retrospective (completed outside the usual service)."""
    from campaigns.models import Campaign

    return Campaign.objects.filter(completed_at__isnull=False, retrospective__isnull=True)


def retrospective_get(pk: int) -> Retrospective:
    return Retrospective.objects.select_related("campaign__brand", "updated_by").get(pk=pk)


def action_items_of(retrospective: Retrospective) -> QuerySet[ActionItem]:
    return retrospective.action_items.select_related("owner", "done_by").order_by(
        "done_at", "due_date", "pk"
    )


def open_action_items_for(user, limit: int | None = None) -> QuerySet[ActionItem]:
    """Action items not yet done, the user's own first, then by due date. None without access."""
    if not user.is_authenticated or not user.has_perm("kaizen.view_actionitem"):
        return ActionItem.objects.none()
    items = (
        ActionItem.objects.filter(done_at__isnull=True)
        .select_related("owner", "retrospective__campaign__brand")
        .annotate(mine=Count("pk", filter=Q(owner=user)))
        .order_by("-mine", "due_date", "pk")
    )
    return items[:limit] if limit else items


# --- The loop: what generation takes from a brand's insights -------------------------------

HINT_LIMIT = 5
AVOID_MIN_REJECTIONS = 2
AVOID_PHRASE_CHARS = 60


@dataclass(frozen=True)
class GenerationHints:
    best_weekdays: list[int]      # 0=Monday, best first; only those meeting the minimum sample
    best_hours: list[int]         # 0..23, best first
    hashtags: list[str]           # best-performing hashtags without '#', best first
    avoid_phrases: list[str]      # short phrases reviewers keep rejecting (from rejection reasons)
    rationale: str                # one line an operator can read: which insight shaped the plan


def _short_phrase(reason: str) -> str:
    reason = " ".join(reason.split()).rstrip(".")
    if len(reason) <= AVOID_PHRASE_CHARS:
        return reason
    return reason[:AVOID_PHRASE_CHARS].rsplit(" ", 1)[0]


def _percent(row: insights.RateRow) -> str:
    return f"{row.percent:.1f}% over {row.posts} posts"


def generation_hints_for(brand) -> GenerationHints | None:
    """What a brand's numbers and reviews suggest for its next plan; None when there is not
    enough data (no weekday, hour or hashtag meets the minimum sample and no rejection reason
    repeats). Hashtags are those whose posts beat the brand's overall engagement rate."""
    weekdays = insights.weekday_rates(brand)[:HINT_LIMIT]
    hours = insights.hour_rates(brand)[:HINT_LIMIT]
    overall = insights.overall_rate(brand)
    # Only hashtags that beat the brand's own average are worth preferring.
    hashtags = [
        row for row in insights.hashtag_rates(brand, limit=HINT_LIMIT)
        if overall is not None and row.rate >= overall.rate
    ]
    reasons = [
        row for row in insights.rejection_reasons(brand, limit=HINT_LIMIT)
        if row.count >= AVOID_MIN_REJECTIONS
    ]
    if not (weekdays or hours or hashtags or reasons):
        return None
    parts = []
    if weekdays:
        parts.append(f"{calendar.day_name[weekdays[0].key]}s engage best ({_percent(weekdays[0])})")
    if hours:
        parts.append(f"{hours[0].key:02d}:00 is the best hour ({_percent(hours[0])})")
    if hashtags:
        parts.append("best hashtags " + ", ".join(f"#{row.key}" for row in hashtags[:3]))
    if reasons:
        parts.append(
            f"avoiding “{_short_phrase(reasons[0].label)}” (rejected {reasons[0].count} times)"
        )
    return GenerationHints(
        best_weekdays=[row.key for row in weekdays],
        best_hours=[row.key for row in hours],
        hashtags=[row.key for row in hashtags],
        avoid_phrases=[_short_phrase(row.label) for row in reasons],
        rationale=f"Kaizen insights for {brand.name}: " + "; ".join(parts) + ".",
    )
