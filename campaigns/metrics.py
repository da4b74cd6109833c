"""Post metrics: recording figures (by hand, from a CSV), and the Monitoring section's reads.

A publication's figures are totals to date, captured as MetricSnapshots. The latest snapshot is
the publication's current figure; earlier ones make its time series. Every sum, count and rate
below is computed by the database (aggregate / annotate); Python only divides two totals.

Simulated figures (proof mode) are snapshots with source "simulated" or any snapshot of a
publication marked simulated; they are labelled wherever they are shown and can be left out.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import (
    Count,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import (
    Cast,
    Coalesce,
    ExtractHour,
    ExtractWeekDay,
    Lag,
    NullIf,
    RowNumber,
    TruncDate,
)
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from campaigns.models import (
    MetricImport,
    MetricSnapshot,
    MetricSource,
    Publication,
    PublicationStatus,
)

FIGURES = (
    "impressions", "reach", "likes", "comments", "shares", "saves", "clicks", "video_views",
)
ENGAGEMENT_FIELDS = ("likes", "comments", "shares", "saves")
MAX_IMPORT_BYTES = 5 * 1024 * 1024
# Each row is checked against its post's neighbouring snapshots; keep one request bounded.
MAX_IMPORT_ROWS = 5_000
# A capture time may run a little ahead of the server clock (another machine's clock).
FUTURE_TOLERANCE = timedelta(minutes=5)

SIMULATED_Q = Q(source=MetricSource.SIMULATED) | Q(publication__simulated=True)


def engagement_expression(prefix: str = ""):
    """likes + comments + shares + saves, as a database expression."""
    total = None
    for name in ENGAGEMENT_FIELDS:
        term = F(prefix + name)
        total = term if total is None else total + term
    return total


def rate(numerator: int | None, denominator: int | None) -> Decimal | None:
    """numerator / denominator as a percentage to two places; None when nothing was seen."""
    if not denominator:
        return None
    value = Decimal(numerator or 0) * 100 / Decimal(denominator)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------------------------
# Writes
# --------------------------------------------------------------------------------------------


def _format_moment(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%-d %b %Y %H:%M")


def _neighbours(
    publication: Publication, captured_at: datetime
) -> tuple[MetricSnapshot | None, MetricSnapshot | None]:
    """The publication's snapshots just before (or at) and just after a moment."""
    earlier = (
        publication.snapshots.filter(captured_at__lte=captured_at)
        .order_by("-captured_at", "-pk").first()
    )
    later = (
        publication.snapshots.filter(captured_at__gt=captured_at)
        .order_by("captured_at", "pk").first()
    )
    return earlier, later


def snapshot_warnings(
    *, figures: dict[str, int], earlier: MetricSnapshot | None, later: MetricSnapshot | None
) -> list[str]:
    """What looks wrong about these figures: impossible ratios, or a total that falls."""
    warnings = []
    if figures["clicks"] > figures["impressions"]:
        warnings.append(
            f"Clicks ({figures['clicks']:,}) are above impressions ({figures['impressions']:,})."
        )
    if figures["reach"] > figures["impressions"]:
        warnings.append(
            f"Reach ({figures['reach']:,}) is above impressions ({figures['impressions']:,})."
        )
    for name in FIGURES:
        label = name.replace("_", " ").capitalize()
        value = figures[name]
        if earlier is not None and value < getattr(earlier, name):
            warnings.append(
                f"{label} fell from {getattr(earlier, name):,} (captured "
                f"{_format_moment(earlier.captured_at)}) to {value:,}; totals should not fall."
            )
        if later is not None and value > getattr(later, name):
            warnings.append(
                f"{label} ({value:,}) are above the later figure of {getattr(later, name):,} "
                f"(captured {_format_moment(later.captured_at)}); totals should not fall."
            )
    return warnings


def _check_figures(figures: dict[str, int | None]) -> None:
    errors = {}
    if figures.get("impressions") is None:
        errors["impressions"] = "Enter the impressions (0 if there were none)."
    for name in FIGURES:
        value = figures.get(name)
        if value is not None and value < 0:
            errors[name] = f"{name.replace('_', ' ').capitalize()} cannot be negative."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def snapshot_record(
    *,
    publication: Publication,
    figures: dict[str, int | None],
    source: str,
    user=None,
    captured_at: datetime | None = None,
    metric_import: MetricImport | None = None,
) -> MetricSnapshot:
    """Records a publication's figures as captured at a moment (now by default).

    A figure given as None was not reported: it keeps the previous snapshot's value (0 for
    the first), so a CSV without a "saves" column does not read as saves falling to 0.
    Negative numbers and figures for unpublished posts or from the future are refused;
    implausible figures are stored with their warnings, for a person to look at.
    """
    _check_figures(figures)
    if publication.status != PublicationStatus.PUBLISHED:
        raise ValidationError("This post is not published, so it has no figures yet.")
    captured_at = captured_at or timezone.now()
    if captured_at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError({"captured_at": "The capture time is in the future."})
    earlier, later = _neighbours(publication, captured_at)
    figures = {
        name: figures[name] if figures.get(name) is not None
        else (getattr(earlier, name) if earlier is not None else 0)
        for name in FIGURES
    }
    if publication.simulated and source != MetricSource.SIMULATED:
        # A simulated post has no real audience; figures for it are simulated whatever the form.
        source = MetricSource.SIMULATED
    snapshot = MetricSnapshot(
        publication=publication,
        captured_at=captured_at,
        source=source,
        created_by=user,
        metric_import=metric_import,
        warnings=snapshot_warnings(figures=figures, earlier=earlier, later=later),
        **{name: figures[name] for name in FIGURES},
    )
    snapshot.full_clean()
    snapshot.save()
    return snapshot


class ImportRefused(ValidationError):
    """The file as a whole cannot be read; nothing was imported."""


@dataclass
class _Row:
    number: int
    url: str
    figures: dict[str, int | None] = field(default_factory=dict)
    captured_at: datetime | None = None


HEADER_ALIASES = {
    "post_url": "url", "link": "url", "post_link": "url", "permalink": "url",
    "views": "video_views", "video_view": "video_views", "engagement_clicks": "clicks",
    "captured": "captured_at", "date": "captured_at", "as_of": "captured_at",
}
NUMBER = re.compile(r"^\d+$")


def _normalise_header(name: str) -> str:
    key = re.sub(r"[\s\-]+", "_", name.strip().lower())
    return HEADER_ALIASES.get(key, key)


def _parse_count(name: str, raw: str | None) -> int | None:
    """A cell as a count; None when the column is absent or the cell blank (not reported)."""
    text = (raw or "").strip().replace(",", "").replace("_", "").replace(" ", "")
    label = name.replace("_", " ")
    if text == "":
        if name == "impressions":
            raise ValueError("impressions is empty.")
        return None
    if text.startswith("-") and NUMBER.match(text[1:]):
        raise ValueError(f"{label} cannot be negative ({raw.strip()}).")
    if not NUMBER.match(text):
        raise ValueError(f"{label} is not a whole number ({raw.strip()!r}).")
    return int(text)


def _parse_moment(raw: str) -> datetime | None:
    text = raw.strip()
    if not text:
        return None
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise ValueError(f"captured_at is not a date or date-time ({text!r}); use 2026-11-03.")
        moment = datetime.combine(day, time(12, 0))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _read_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    if not data.strip():
        raise ImportRefused("The file is empty.")
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused(f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
    if b"\x00" in data:
        raise ImportRefused("This is not a CSV file (it holds binary data); export it as CSV.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ImportRefused(
                "This is not a CSV text file; save it as CSV (UTF-8) and try again."
            ) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as error:
        raise ImportRefused(f"This is not a readable CSV file: {error}.") from None
    header = [_normalise_header(cell) for cell in rows[0]] if rows else []
    missing = [name for name in ("url", "impressions") if name not in header]
    if missing:
        found = ", ".join(cell for cell in rows[0] if cell.strip()) or "none"
        raise ImportRefused(
            f"The file has no {' or '.join(repr(name) for name in missing)} column "
            f"(columns found: {found}). The first row must name the columns."
        )
    body = rows[1:]
    if not any(any(cell.strip() for cell in row) for row in body):
        raise ImportRefused("The file has a header but no rows of figures.")
    if len(body) > MAX_IMPORT_ROWS:
        raise ImportRefused(f"The file has more than {MAX_IMPORT_ROWS:,} rows; split it.")
    return header, body


def _parse_row(number: int, header: list[str], cells: list[str]) -> _Row:
    values = dict(zip(header, cells, strict=False))
    row = _Row(number=number, url=values.get("url", "").strip())
    if not row.url:
        raise ValueError("The url is empty.")
    for name in FIGURES:
        row.figures[name] = _parse_count(name, values.get(name))
    row.captured_at = _parse_moment(values.get("captured_at", ""))
    return row


def _publications_by_url(urls: set[str]) -> dict[str, Publication]:
    # Links are pasted with and without the trailing slash; both find the post.
    variants = urls | {url.rstrip("/") for url in urls} | {url.rstrip("/") + "/" for url in urls}
    found = {}
    for publication in Publication.objects.filter(url__in=variants):
        found[publication.url] = publication
        found[publication.url.rstrip("/")] = publication
    return found


@transaction.atomic
def metrics_import_csv(*, data: bytes, filename: str, user=None) -> MetricImport:
    """Imports a CSV of figures keyed by post URL, in one transaction.

    Every valid row becomes a snapshot (source "csv"); every refused row is kept on the
    MetricImport with its row number (the header is row 1) and the reason. A file that cannot
    be read at all raises ImportRefused and imports nothing.
    """
    header, body = _read_csv(data)
    metric_import = MetricImport.objects.create(filename=filename[:255], created_by=user)
    errors: list[dict] = []
    parsed: list[_Row] = []
    rows_total = 0
    for offset, cells in enumerate(body, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines at the end of spreadsheets are not rows
        rows_total += 1
        try:
            parsed.append(_parse_row(offset, header, cells))
        except ValueError as error:
            url = cells[header.index("url")].strip() if len(cells) > header.index("url") else ""
            errors.append({"row": offset, "url": url, "reason": str(error)})
    publications = _publications_by_url({row.url for row in parsed})
    imported = 0
    for row in parsed:
        publication = publications.get(row.url) or publications.get(row.url.rstrip("/"))
        if publication is None:
            errors.append({"row": row.number, "url": row.url,
                           "reason": "No post has this URL; check it against Execution."})
            continue
        try:
            snapshot_record(
                publication=publication, figures=row.figures, source=MetricSource.CSV,
                user=user, captured_at=row.captured_at, metric_import=metric_import,
            )
        except ValidationError as error:
            reasons = " ".join(error.messages)
            errors.append({"row": row.number, "url": row.url, "reason": reasons})
            continue
        imported += 1
    errors.sort(key=lambda entry: entry["row"])
    metric_import.rows_total = rows_total
    metric_import.imported = imported
    metric_import.errors = errors
    metric_import.save(update_fields=["rows_total", "imported", "errors"])
    return metric_import


def import_errors_csv(metric_import: MetricImport) -> str:
    """The refused rows as CSV, to fix in the spreadsheet and import again."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", "url", "reason"])
    for entry in metric_import.errors:
        # A leading =, +, - or @ would run as a formula in a spreadsheet.
        cells = [entry["row"], entry["url"], entry["reason"]]
        writer.writerow([
            f"'{cell}" if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@") else cell
            for cell in cells
        ])
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricFilters:
    campaigns: tuple[int, ...] = ()
    brand: int | None = None
    platform: str = ""
    date_from: date | None = None
    date_to: date | None = None
    # None: decide from the data (left out when real figures exist).
    include_simulated: bool | None = None


def publications_in_scope(filters: MetricFilters, *, include_simulated: bool) -> QuerySet:
    """Published posts matching the filters; dates select posts by their publishing day."""
    queryset = Publication.objects.filter(status=PublicationStatus.PUBLISHED)
    if filters.campaigns:
        queryset = queryset.filter(creative__campaign__in=filters.campaigns)
    if filters.brand:
        queryset = queryset.filter(creative__campaign__brand=filters.brand)
    if filters.platform:
        queryset = queryset.filter(platform=filters.platform)
    if filters.date_from:
        queryset = queryset.filter(published_at__date__gte=filters.date_from)
    if filters.date_to:
        queryset = queryset.filter(published_at__date__lte=filters.date_to)
    if not include_simulated:
        queryset = queryset.filter(simulated=False)
    return queryset


def snapshots_in_scope(filters: MetricFilters, *, include_simulated: bool) -> QuerySet:
    queryset = MetricSnapshot.objects.filter(
        publication__in=publications_in_scope(filters, include_simulated=include_simulated)
    )
    if not include_simulated:
        queryset = queryset.exclude(source=MetricSource.SIMULATED)
    return queryset


def latest_snapshot_pk(*, include_simulated: bool, publication_ref: str = "publication"):
    """The pk of a publication's latest snapshot, as a subquery on OuterRef(publication_ref)."""
    candidates = MetricSnapshot.objects.filter(publication=OuterRef(publication_ref))
    if not include_simulated:
        candidates = candidates.exclude(source=MetricSource.SIMULATED)
    return Subquery(candidates.order_by("-captured_at", "-pk").values("pk")[:1])


def current_snapshots(filters: MetricFilters, *, include_simulated: bool) -> QuerySet:
    """One snapshot per publication in scope: its latest, i.e. its current figures.

    On PostgreSQL the latest ones come from one DISTINCT ON pass over the snapshots in scope
    (a correlated "latest" subquery per snapshot took minutes at 200,000 snapshots, see
    docs/PERFORMANCE.md); elsewhere from that subquery.
    """
    in_scope = snapshots_in_scope(filters, include_simulated=include_simulated)
    if connection.vendor == "postgresql":
        latest = (
            in_scope.order_by("publication_id", "-captured_at", "-pk")
            .distinct("publication_id")
            .values("pk")
        )
        return MetricSnapshot.objects.filter(pk__in=latest)
    return in_scope.filter(pk=latest_snapshot_pk(include_simulated=include_simulated))


def figure_sources(filters: MetricFilters) -> dict[str, int]:
    """How many real and simulated snapshots the selection holds (simulated switch ignored)."""
    return snapshots_in_scope(filters, include_simulated=True).aggregate(
        real=Count("pk", filter=~SIMULATED_Q), simulated=Count("pk", filter=SIMULATED_Q)
    )


def scope_counts(filters: MetricFilters) -> dict[str, int]:
    """figure_sources() and the number of posts in scope with and without simulated ones, in
    one query (the Monitoring page reads all four before anything else)."""
    simulated = Q(snapshots__source=MetricSource.SIMULATED) | Q(simulated=True)
    counts = publications_in_scope(filters, include_simulated=True).aggregate(
        real_snapshots=Count("snapshots", filter=Q(simulated=False) & ~Q(
            snapshots__source=MetricSource.SIMULATED
        )),
        simulated_snapshots=Count("snapshots", filter=simulated),
        posts_with_simulated=Count("pk", distinct=True),
        real_posts=Count("pk", distinct=True, filter=Q(simulated=False)),
    )
    return {
        "real": counts["real_snapshots"], "simulated": counts["simulated_snapshots"],
        "posts": counts["real_posts"], "posts_with_simulated": counts["posts_with_simulated"],
    }


def _sum(name: str):
    return Coalesce(Sum(name), 0)


GROUP_FIGURES = ("posts", "impressions", "reach", "engagements", "clicks", "simulated", "warned")


def current_groups(filters: MetricFilters, *, include_simulated: bool) -> list[dict]:
    """The current figures summed by platform, weekday and hour posted, in one query.

    The KPIs, the platforms and the heatmap are sums of these groups (at most 6 × 7 × 24), so
    the current snapshots are found once for all three instead of once each (~170 ms each at
    200,000 snapshots). Weekday 1 = Sunday … 7 = Saturday, in the current time zone.
    """
    return list(
        current_snapshots(filters, include_simulated=include_simulated)
        .annotate(
            weekday=ExtractWeekDay("publication__published_at"),
            hour=ExtractHour("publication__published_at"),
        )
        .values("weekday", "hour", platform=F("publication__platform"))
        .annotate(
            posts=Count("pk"),
            impressions=_sum("impressions"),
            reach=_sum("reach"),
            engagements=Coalesce(Sum(engagement_expression()), 0),
            clicks=_sum("clicks"),
            simulated=Count("pk", filter=SIMULATED_Q),
            warned=Count("pk", filter=~Q(warnings=[])),
        )
        .order_by()
    )


def _summed(groups: list[dict], keys: tuple[str, ...]) -> list[dict]:
    """The groups added up by `keys` (every figure of GROUP_FIGURES summed)."""
    totals: dict[tuple, dict] = {}
    for group in groups:
        key = tuple(group[name] for name in keys)
        total = totals.setdefault(
            key, {**dict(zip(keys, key, strict=True)), **dict.fromkeys(GROUP_FIGURES, 0)}
        )
        for name in GROUP_FIGURES:
            total[name] += group[name]
    return list(totals.values())


def kpis(filters: MetricFilters, *, include_simulated: bool, groups: list[dict] | None = None,
         posts: int | None = None) -> dict:
    """The KPI tiles: posts, impressions, reach, engagement rate and click-through rate."""
    if groups is None:
        groups = current_groups(filters, include_simulated=include_simulated)
    totals = (_summed(groups, ()) or [dict.fromkeys(GROUP_FIGURES, 0)])[0]
    totals["measured"] = totals.pop("posts")
    totals["posts"] = (
        publications_in_scope(filters, include_simulated=include_simulated).count()
        if posts is None else posts
    )
    totals["engagement_rate"] = rate(totals["engagements"], totals["impressions"])
    totals["click_through_rate"] = rate(totals["clicks"], totals["impressions"])
    return totals


def timeline(filters: MetricFilters, *, include_simulated: bool) -> list[dict]:
    """Per capture day: impressions and engagements gained, and the totals to date.

    A snapshot holds totals, so what a day adds is each snapshot minus the publication's
    previous one (the first snapshot adds all of its figures). The previous one comes from a
    LAG() window over the snapshots in scope, in one pass; the outer query sums the gains by
    day (Django cannot aggregate over a window, so it is written around the ORM's SQL). A
    correlated "previous snapshot" subquery took seconds at 200,000 snapshots.
    """
    by_publication = {
        "partition_by": [F("publication_id")],
        "order_by": [F("captured_at").asc(), F("pk").asc()],
    }
    gains = (
        snapshots_in_scope(filters, include_simulated=include_simulated)
        .order_by()
        .annotate(
            day=TruncDate("captured_at"),
            engagement=engagement_expression(),
            previous_impressions=Window(Lag("impressions"), **by_publication),
            previous_engagement=Window(Lag(engagement_expression()), **by_publication),
        )
        .values("day", "impressions", "engagement", "previous_impressions",
                "previous_engagement")
    )
    inner, params = gains.query.sql_with_params()
    # The ORM's own SQL inside; the filter values stay parameters.
    sql = f"""
        SELECT gains.day,
               SUM(gains.impressions - COALESCE(gains.previous_impressions, 0)),
               SUM(gains.engagement - COALESCE(gains.previous_engagement, 0))
        FROM ({inner}) gains GROUP BY gains.day ORDER BY gains.day
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    days = [
        {"day": _as_date(day), "gained_impressions": int(impressions),
         "gained_engagements": int(engagements)}
        for day, impressions, engagements in rows
    ]
    # The running totals are prefix sums over the day buckets (one per day shown).
    impressions = accumulate(day["gained_impressions"] for day in days)
    engagements = accumulate(day["gained_engagements"] for day in days)
    for day, impressions_to_date, engagements_to_date in zip(
        days, impressions, engagements, strict=True
    ):
        day["impressions_to_date"] = impressions_to_date
        day["engagements_to_date"] = engagements_to_date
    return days


def _as_date(value) -> date:
    """A day read by raw SQL: a date on PostgreSQL, ISO text on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _with_rates(rows: list[dict]) -> list[dict]:
    for row in rows:
        row["engagement_rate"] = rate(row["engagements"], row["impressions"])
        row["click_through_rate"] = rate(row["clicks"], row["impressions"])
    return rows


def by_platform(filters: MetricFilters, *, include_simulated: bool,
                groups: list[dict] | None = None) -> list[dict]:
    if groups is None:
        groups = current_groups(filters, include_simulated=include_simulated)
    rows = _summed(groups, ("platform",))
    rows.sort(key=lambda row: (-row["impressions"], row["platform"]))
    return _with_rates(_without_counts(rows))


def by_weekday_hour(filters: MetricFilters, *, include_simulated: bool,
                    groups: list[dict] | None = None) -> list[dict]:
    """Current figures grouped by when the posts went out (weekday 1 = Sunday … 7 = Saturday)."""
    if groups is None:
        groups = current_groups(filters, include_simulated=include_simulated)
    rows = _summed(groups, ("weekday", "hour"))
    rows.sort(key=lambda row: (row["weekday"], row["hour"]))
    for row in rows:
        del row["reach"]
    return _with_rates(_without_counts(rows))


def _without_counts(rows: list[dict]) -> list[dict]:
    for row in rows:
        del row["simulated"], row["warned"]
    return rows


def ranked_posts(filters: MetricFilters, *, include_simulated: bool, limit: int = 5):
    """(top, bottom): posts by engagement rate; posts with no impressions cannot be ranked.

    One query: both rankings are ROW_NUMBER() windows over the current snapshots, and the rows
    that can be shown are the first `limit` of the top and the first 2 × `limit` of the bottom
    (the bottom list skips posts already in the top one).
    """
    ratio = Cast(engagement_expression(), FloatField()) / Cast(
        NullIf(F("impressions"), Value(0)), FloatField()
    )
    ranked = (
        current_snapshots(filters, include_simulated=include_simulated)
        .filter(impressions__gt=0)
        .annotate(
            top_rank=Window(RowNumber(), order_by=[
                ratio.desc(), F("impressions").desc(), F("pk").asc(),
            ]),
            bottom_rank=Window(RowNumber(), order_by=[
                ratio.asc(), F("impressions").asc(), F("pk").asc(),
            ]),
        )
        .filter(Q(top_rank__lte=limit) | Q(bottom_rank__lte=2 * limit))
        .values_list("pk", "top_rank", "bottom_rank")
    )
    ranks = {pk: (top_rank, bottom_rank) for pk, top_rank, bottom_rank in ranked}
    # The posts' details for these few rows only, not inside the windows over every post.
    rows = list(
        MetricSnapshot.objects.filter(pk__in=ranks)
        .annotate(engagement_total=engagement_expression())
        .select_related("publication__creative__campaign__brand")
    )
    for row in rows:
        row.top_rank, row.bottom_rank = ranks[row.pk]
    top = sorted((row for row in rows if row.top_rank <= limit), key=lambda row: row.top_rank)
    shown = {snapshot.pk for snapshot in top}
    bottom = sorted(
        (row for row in rows if row.pk not in shown), key=lambda row: row.bottom_rank
    )[:limit]
    for snapshot in top + bottom:
        snapshot.engagement_rate = rate(snapshot.engagement_total, snapshot.impressions)
        snapshot.click_through_rate = rate(snapshot.clicks, snapshot.impressions)
    return top, bottom


def posts_with_figures(filters: MetricFilters, *, include_simulated: bool) -> QuerySet:
    """Publications in scope with their current figures, newest first (for the posts table)."""

    def latest(value):
        candidates = MetricSnapshot.objects.filter(publication=OuterRef("pk"))
        if not include_simulated:
            candidates = candidates.exclude(source=MetricSource.SIMULATED)
        return Subquery(
            candidates.order_by("-captured_at", "-pk").annotate(value=value).values("value")[:1]
        )

    return (
        publications_in_scope(filters, include_simulated=include_simulated)
        .select_related("creative__campaign__brand")
        .annotate(
            current_impressions=latest(F("impressions")),
            current_engagements=latest(engagement_expression()),
            current_clicks=latest(F("clicks")),
            current_captured_at=latest(F("captured_at")),
            current_warnings=latest(F("warnings")),
        )
        .order_by("-published_at", "-pk")
    )


def posts_in_scope(filters: MetricFilters, *, include_simulated: bool) -> QuerySet:
    """Publications in scope, newest first: the posts table pages them and reads a page's rows
    with funnel.post_rows()."""
    return publications_in_scope(filters, include_simulated=include_simulated).order_by(
        "-published_at", "-pk"
    )


def publication_snapshots(publication: Publication) -> list[MetricSnapshot]:
    """A publication's snapshots, oldest first, with its creator loaded."""
    return list(
        publication.snapshots.select_related("created_by").order_by("captured_at", "pk")
    )
