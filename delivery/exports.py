"""Data exports: leads, campaigns, creatives, publications and metrics as CSV, XLSX or JSON.

Each kind is a queryset (filtered the way its list page filters) and a list of columns read with
`values_list`, iterated in chunks, so CSV and JSON stream in constant memory however many rows.
Text cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date

CHUNK_SIZE = 2000
FORMATS = ("csv", "xlsx", "json")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell starting like a formula is prefixed with ' so spreadsheets show it as text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds") if timezone.is_aware(value) else value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return " ".join(str(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return neutralise(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class ExportKind:
    slug: str
    title: str
    permission: str
    columns: tuple[tuple[str, str], ...]  # (header, values_list path)
    queryset: Callable[[dict[str, str]], QuerySet]
    filters: tuple[str, ...]

    @property
    def headers(self) -> list[str]:
        return [header for header, _ in self.columns]

    def rows(self, params: dict[str, str]) -> Iterator[tuple]:
        paths = [path for _, path in self.columns]
        queryset = self.queryset(params).values_list(*paths)
        for row in queryset.iterator(chunk_size=CHUNK_SIZE):
            yield tuple(cell(value) for value in row)


def _date_range(queryset: QuerySet, field: str, params: dict[str, str]) -> QuerySet:
    start = parse_date(params.get("date_from", "") or "")
    end = parse_date(params.get("date_to", "") or "")
    if start:
        queryset = queryset.filter(**{f"{field}__date__gte": start})
    if end:
        queryset = queryset.filter(**{f"{field}__date__lte": end})
    return queryset


def _int(params: dict[str, str], name: str) -> int | None:
    try:
        return int(params.get(name, ""))
    except ValueError:
        return None


def _filter_ids(queryset: QuerySet, params: dict[str, str], mapping: dict[str, str]) -> QuerySet:
    for param, field in mapping.items():
        value = _int(params, param)
        if value is not None:
            queryset = queryset.filter(**{field: value})
    return queryset


def leads_queryset(params: dict[str, str]) -> QuerySet:
    """The Lead Gen list's own filters (its form and selector), plus ids and creation dates."""
    from leads.forms import LeadFilterForm
    from leads.selectors import lead_list_for

    data = dict(params)
    for old, new in (("score_min", "min_score"), ("score_max", "max_score")):
        if old in data:  # the names the export command documented first
            data.setdefault(new, data.pop(old))
    form = LeadFilterForm(data)
    form.is_valid()  # a filter that does not validate is left out, as on the list page
    queryset = lead_list_for(form.cleaned_data).select_related(None)
    ids = [int(part) for part in params.get("ids", "").split(",") if part.strip().isdigit()]
    if ids:
        queryset = queryset.filter(pk__in=ids)
    return _date_range(queryset, "created_at", params)


def campaigns_queryset(params: dict[str, str]) -> QuerySet:
    from campaigns.models import Campaign

    queryset = Campaign.objects.order_by("-created_at", "pk")
    return _filter_ids(queryset, params, {"brand": "brand_id", "campaign": "pk"})


def _platform(queryset: QuerySet, params: dict[str, str], field: str = "platform") -> QuerySet:
    return queryset.filter(**{field: params["platform"]}) if params.get("platform") else queryset


def creatives_queryset(params: dict[str, str]) -> QuerySet:
    from campaigns.models import Creative

    queryset = Creative.objects.order_by("scheduled_at", "pk")
    queryset = _filter_ids(
        queryset, params, {"brand": "campaign__brand_id", "campaign": "campaign_id"}
    )
    queryset = _platform(queryset, params)
    if params.get("status"):
        queryset = queryset.filter(status=params["status"])
    if params.get("q"):
        queryset = queryset.filter(caption__icontains=params["q"].strip())
    return _date_range(queryset, "scheduled_at", params)


def publications_queryset(params: dict[str, str]) -> QuerySet:
    from campaigns.models import Publication

    queryset = Publication.objects.order_by("published_at", "pk")
    queryset = _filter_ids(
        queryset,
        params,
        {"brand": "creative__campaign__brand_id", "campaign": "creative__campaign_id"},
    )
    queryset = _platform(queryset, params)
    if params.get("simulated") in ("0", "no", "false"):
        queryset = queryset.filter(simulated=False)
    return _date_range(queryset, "published_at", params)


def _ids(params: dict[str, str], *names: str) -> tuple[int, ...]:
    """Ids from comma-separated (or repeated, joined by clean_params) parameters."""
    values = ",".join(params.get(name, "") for name in names)
    return tuple(int(part) for part in values.split(",") if part.strip().isdigit())


def metrics_queryset(params: dict[str, str]) -> QuerySet:
    """Every snapshot (the time series) of the posts Monitoring selects with the same filters:
    dates choose posts by their publishing day. Simulated figures are included unless the
    parameters leave them out (simulated=no, or Monitoring's form applied without the switch)."""
    from campaigns import metrics

    simulated = params.get("simulated", "").lower()
    include = simulated not in ("0", "no", "false", "off") and (
        simulated in ("1", "yes", "true", "on") or not params.get("applied")
    )
    filters = metrics.MetricFilters(
        campaigns=_ids(params, "campaign", "campaigns"),
        brand=_int(params, "brand"),
        platform=params.get("platform", ""),
        date_from=parse_date(params.get("date_from", "") or ""),
        date_to=parse_date(params.get("date_to", "") or ""),
    )
    return metrics.snapshots_in_scope(filters, include_simulated=include).order_by(
        "captured_at", "pk"
    )


EXPORTS: dict[str, ExportKind] = {
    kind.slug: kind
    for kind in (
        ExportKind(
            "leads", "Leads", "leads.view_lead",
            (
                ("id", "pk"), ("name", "name"), ("email", "email"), ("phone", "phone"),
                ("company", "company"), ("company_size", "company_size"), ("title", "title"),
                ("website", "website"), ("source", "source"), ("campaign", "campaign__name"),
                ("status", "status"), ("score", "score"), ("owner", "owner__username"),
                ("consent", "consent"), ("consent_at", "consent_at"), ("notes", "notes"),
                ("created_at", "created_at"), ("updated_at", "updated_at"),
                ("last_activity_at", "last_activity_at"),
            ),
            leads_queryset,
            ("status", "source", "owner", "campaign", "min_score", "max_score", "score_min",
             "score_max", "q", "ids", "date_from", "date_to"),
        ),
        ExportKind(
            "campaigns", "Campaigns", "campaigns.view_campaign",
            (
                ("id", "pk"), ("brand", "brand__name"), ("name", "name"), ("slug", "slug"),
                ("objectives", "objectives"), ("platforms", "platforms"),
                ("posts_per_week", "cadence"), ("start_date", "start_date"),
                ("end_date", "end_date"), ("posting_mode", "posting_mode"),
                ("owner", "owner__username"), ("completed_at", "completed_at"),
                ("created_at", "created_at"),
            ),
            campaigns_queryset,
            ("brand", "campaign"),
        ),
        ExportKind(
            "creatives", "Creatives", "campaigns.view_creative",
            (
                ("id", "pk"), ("brand", "campaign__brand__name"), ("campaign", "campaign__name"),
                ("platform", "platform"), ("scheduled_at", "scheduled_at"), ("pillar", "pillar"),
                ("caption", "caption"), ("hashtags", "hashtags"), ("link", "link"),
                ("call_to_action", "call_to_action"), ("image_alt", "image_alt"),
                ("status", "status"), ("version", "version"), ("author", "author__username"),
            ),
            creatives_queryset,
            ("brand", "campaign", "platform", "status", "q", "date_from", "date_to"),
        ),
        ExportKind(
            "publications", "Publications", "campaigns.view_publication",
            (
                ("id", "pk"), ("creative_id", "creative_id"),
                ("campaign", "creative__campaign__name"), ("platform", "platform"),
                ("mode", "mode"), ("status", "status"), ("simulated", "simulated"),
                ("url", "url"), ("external_id", "external_id"),
                ("published_at", "published_at"), ("published_by", "published_by__username"),
                ("skip_reason", "skip_reason"),
            ),
            publications_queryset,
            ("brand", "campaign", "platform", "simulated", "date_from", "date_to"),
        ),
        ExportKind(
            "metrics", "Metrics", "campaigns.view_metricsnapshot",
            (
                ("id", "pk"), ("publication_id", "publication_id"),
                ("campaign", "publication__creative__campaign__name"),
                ("platform", "publication__platform"), ("post_url", "publication__url"),
                ("captured_at", "captured_at"), ("impressions", "impressions"),
                ("reach", "reach"), ("likes", "likes"), ("comments", "comments"),
                ("shares", "shares"), ("saves", "saves"), ("clicks", "clicks"),
                ("video_views", "video_views"), ("source", "source"),
            ),
            metrics_queryset,
            ("brand", "campaign", "campaigns", "platform", "simulated", "applied", "date_from",
             "date_to"),
        ),
    )
}


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(kind: ExportKind, params: dict[str, str]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: spreadsheets then read UTF-8 correctly
    yield writer.writerow(kind.headers)
    buffer: list[str] = []
    for row in kind.rows(params):
        buffer.append(writer.writerow(row))
        if len(buffer) >= 500:
            yield "".join(buffer)
            buffer.clear()
    if buffer:
        yield "".join(buffer)


def json_chunks(kind: ExportKind, params: dict[str, str]) -> Iterator[str]:
    headers = kind.headers
    yield "["
    first = True
    for row in kind.rows(params):
        yield ("" if first else ",") + "\n" + json.dumps(dict(zip(headers, row, strict=True)), default=str)
        first = False
    yield "\n]\n"


def write_xlsx(kind: ExportKind, params: dict[str, str], target) -> None:
    """openpyxl's write-only mode: rows go to disk as they come, not into memory."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(kind.title)
    sheet.append(kind.headers)
    for row in kind.rows(params):
        sheet.append(list(row))
    workbook.save(target)


def filename_for(kind: ExportKind, fmt: str, today: date | None = None) -> str:
    return f"aicmo-{kind.slug}-{(today or timezone.localdate()).isoformat()}.{fmt}"


class BadFilter(ValueError):
    """A filter in the query string that cannot be applied; the message says which."""


DATE_FILTERS = ("date_from", "date_to")


def clean_params(
    kind: ExportKind, params: Iterable[tuple[str, str | list[str]]]
) -> dict[str, str]:
    """The kind's known filters, non-empty; a repeated parameter (QueryDict.lists()) is
    comma-joined. A date that is not one is refused up front: a streamed export cannot report
    an error once its first rows are sent."""
    cleaned = {}
    for key, value in params:
        text = ",".join(value) if isinstance(value, list) else value
        if key in kind.filters and text:
            cleaned[key] = text
    for key in DATE_FILTERS:
        if key in cleaned:
            try:
                valid = parse_date(cleaned[key]) is not None
            except ValueError:  # well-formed but impossible, such as 2026-02-30
                valid = False
            if not valid:
                raise BadFilter(f"{key} must be a date written YYYY-MM-DD, not {cleaned[key][:40]!r}.")
    return cleaned
