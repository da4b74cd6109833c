"""Reads for Learn / Kaizen: articles and their search, retrospectives, action items, and the
hints the generation engine takes from a brand's insights."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import DEFERRED, Count, Q, QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from campaigns.models import Brand, Campaign
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


def articles_recent(limit: int) -> QuerySet[Article]:
    """The latest articles with the columns a list of links shows (the bodies are long)."""
    return Article.objects.select_related("brand").only(
        "title", "slug", "updated_at", "brand__name"
    )[:limit]


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


def _loaded(model, **values):
    """An instance holding only these fields; the others load on access, as after only()."""
    return model.from_db(
        connection.alias, list(values),
        [values.get(field.attname, DEFERRED) for field in model._meta.concrete_fields],
    )


def _db_datetime(value):
    """A timestamp from a raw query as the ORM gives it: SQLite's come back naive."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, connection.timezone)
    return value


# Raw for the same reason as _OPEN_ITEMS below: the ORM's select_related with a filtered
# Count (GROUP BY every column) cost more to build than the database takes to answer.
_RECENT_RETROSPECTIVES = (
    "SELECT r.id, r.campaign_id, r.opened_at, c.brand_id, c.name, b.name,"  # noqa: S608 - table names from the models, values as parameters
    f" (SELECT COUNT(*) FROM {ActionItem._meta.db_table} ai"
    "   WHERE ai.retrospective_id = r.id AND ai.done_at IS NULL)"
    f" FROM {Retrospective._meta.db_table} r"
    f" JOIN {Campaign._meta.db_table} c ON c.id = r.campaign_id"
    f" JOIN {Brand._meta.db_table} b ON b.id = c.brand_id"
    " ORDER BY r.opened_at DESC LIMIT %s"
)


def _recent_retrospective(row) -> Retrospective:
    pk, campaign_id, opened_at, brand_id, campaign_name, brand_name, open_items = row
    retrospective = _loaded(Retrospective, id=pk, campaign_id=campaign_id,
                            opened_at=_db_datetime(opened_at))
    retrospective.campaign = _loaded(Campaign, id=campaign_id, brand_id=brand_id,
                                     name=campaign_name)
    retrospective.campaign.brand = _loaded(Brand, id=brand_id, name=brand_name)
    retrospective.open_items = open_items
    return retrospective


def retrospectives_recent(limit: int) -> list[Retrospective]:
    """The newest retrospectives, as retrospective_list() gives them (campaign, brand and the
    count of open action items loaded), in one small query."""
    with connection.cursor() as cursor:
        cursor.execute(_RECENT_RETROSPECTIVES, [limit])
        return [_recent_retrospective(row) for row in cursor.fetchall()]


def retrospective_list() -> QuerySet[Retrospective]:
    """Every retrospective, newest first, with its open action items counted. The order is
    explicit: the count's GROUP BY makes Django drop the model's Meta.ordering."""
    return Retrospective.objects.select_related("campaign__brand").annotate(
        open_items=Count("action_items", filter=Q(action_items__done_at__isnull=True))
    ).order_by("-opened_at", "-pk")


def campaigns_awaiting_retrospective():
    """Completed campaigns without a retrospective (completed outside the usual service)."""
    return Campaign.objects.filter(completed_at__isnull=False, retrospective__isnull=True)


def retrospective_get(pk: int) -> Retrospective:
    return Retrospective.objects.select_related("campaign__brand", "updated_by").get(pk=pk)


def action_items_of(retrospective: Retrospective) -> QuerySet[ActionItem]:
    return retrospective.action_items.select_related("owner", "done_by").order_by(
        "done_at", "due_date", "pk"
    )


# One statement, not the ORM's select_related over four tables with every column and a
# GROUP BY for "mine": this list is on the landing page and on Learn, and building that query
# cost ~1 ms, five times what the database needs to answer it. "Mine" sorts first; CASE, not
# owner_id = %s, so that no NULL sorts ahead of the user's own.
User = get_user_model()
_OPEN_ITEMS = (
    "SELECT ai.id, ai.retrospective_id, ai.description, ai.owner_id, ai.due_date,"  # noqa: S608 - table names from the models, values as parameters
    " u.username, u.first_name, u.last_name, r.campaign_id, c.brand_id, c.name, b.name"
    f" FROM {ActionItem._meta.db_table} ai"
    f" JOIN {User._meta.db_table} u ON u.id = ai.owner_id"
    f" JOIN {Retrospective._meta.db_table} r ON r.id = ai.retrospective_id"
    f" JOIN {Campaign._meta.db_table} c ON c.id = r.campaign_id"
    f" JOIN {Brand._meta.db_table} b ON b.id = c.brand_id"
    " WHERE ai.done_at IS NULL"
    " ORDER BY CASE WHEN ai.owner_id = %s THEN 0 ELSE 1 END, ai.due_date, ai.id"
)


def _open_item(row) -> ActionItem:
    (pk, retrospective_id, description, owner_id, due_date, username, first_name, last_name,
     campaign_id, brand_id, campaign_name, brand_name) = row
    item = _loaded(ActionItem, id=pk, retrospective_id=retrospective_id, description=description,
                   owner_id=owner_id, due_date=due_date, done_at=None)
    item.owner = _loaded(User, id=owner_id, username=username, first_name=first_name,
                         last_name=last_name)
    campaign = _loaded(Campaign, id=campaign_id, brand_id=brand_id, name=campaign_name)
    campaign.brand = _loaded(Brand, id=brand_id, name=brand_name)
    item.retrospective = _loaded(Retrospective, id=retrospective_id, campaign_id=campaign_id)
    item.retrospective.campaign = campaign
    return item


def open_action_items_for(user, limit: int | None = None) -> list[ActionItem]:
    """Action items not yet done, the user's own first, then by due date, each with its owner
    and its retrospective's campaign and brand loaded. Empty without access."""
    if not user.is_authenticated or not user.has_perm("kaizen.view_actionitem"):
        return []
    sql, params = _OPEN_ITEMS, [user.pk]
    if limit:
        sql, params = f"{sql} LIMIT %s", [*params, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [_open_item(row) for row in cursor.fetchall()]


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
