"""Monitoring: campaign analytics, a publication's figures, and the CSV import of figures."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms.utils import flatatt
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from aicmo_site.decorators import section_view
from aicmo_site.html import escape, short_month, truncate_chars, url_for_rows
from campaigns import charts, funnel, metrics, stamps
from campaigns.metric_forms import MetricFilterForm, MetricImportForm, SnapshotForm
from campaigns.models import Brand, MetricImport, MetricSource, Publication
from campaigns.publishing.platforms import PLATFORM_CHOICES, PLATFORMS

CAPTURE_PERMISSION = "campaigns.add_metricsnapshot"
POSTS_PER_PAGE = 20
_PLATFORM_LABELS = {slug: str(label) for slug, label in PLATFORM_CHOICES}
_SIMULATED_BADGE = ' <span class="badge badge--simulated">SIMULATED</span>'
# ExtractWeekDay counts 1 = Sunday … 7 = Saturday; the grid reads Monday first.
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOURS = tuple(f"{hour:02d}" for hour in range(24))
# The figures of a filter set are cached under the data stamp, so they are never stale; the
# timeout only bounds how long an unused filter set's entry takes memory.
SUMMARY_SECONDS = 60 * 60


def _platform_name(slug: str) -> str:
    platform = PLATFORMS.get(slug)
    return platform.name if platform else slug


def _percent(value) -> str:
    return "—" if value is None else f"{value}%"


def _simulated_note(filters: metrics.MetricFilters, real: int, simulated: int, include: bool):
    if not simulated:
        return ""
    if filters.include_simulated is None:
        if real:
            return ("Simulated figures are left out by default because real figures exist; "
                    "switch them on to include them.")
        return ("Only simulated figures exist for this selection, so they are included by "
                "default and labelled SIMULATED.")
    if include:
        return "Simulated figures are included and labelled SIMULATED."
    return "Simulated figures are left out."


def _timeline_chart(days: list[dict]):
    labels = [day["day"].strftime("%-d %b") for day in days]
    return charts.timeline_chart(
        title="Impressions and engagements to date",
        description=(
            f"Running totals by the day figures were captured, from {labels[0]} to {labels[-1]}: "
            f"{days[-1]['impressions_to_date']:,} impressions and "
            f"{days[-1]['engagements_to_date']:,} engagements."
        ),
        labels=labels,
        series=[
            charts.Series("Impressions", [day["impressions_to_date"] for day in days], "#1d4ed8"),
            charts.Series("Engagements", [day["engagements_to_date"] for day in days], "#c2410c"),
        ],
        chart_id="chart-timeline",
    )


def _platform_chart(platforms: list[dict]):
    bars = [
        charts.Bar(
            label=_platform_name(row["platform"]),
            value=float(row["engagement_rate"] or 0),
            color=PLATFORMS[row["platform"]].color if row["platform"] in PLATFORMS else "#555",
            display=_percent(row["engagement_rate"]),
            note=f"{row['impressions']:,} impressions, {row['posts']} posts",
        )
        for row in platforms
    ]
    return charts.bar_chart(
        title="Engagement rate by platform",
        description="; ".join(
            f"{bar.label}: {bar.display} of {bar.note}" for bar in bars
        ),
        bars=bars,
        chart_id="chart-platforms",
    )


def _heatmap(cells: list[dict]):
    values, by_slot = {}, {}
    for cell in cells:
        row, column = (cell["weekday"] - 2) % 7, cell["hour"]
        by_slot[(row, column)] = cell
        values[(row, column)] = (
            None if cell["engagement_rate"] is None else float(cell["engagement_rate"])
        )
    # Posts without impressions still show as a pale cell, not as "no posts".
    values = {slot: value if value is not None else 0.0 for slot, value in values.items()}

    def tip(row: int, column: int, value) -> str:
        cell = by_slot.get((row, column))
        when = f"{WEEKDAYS[row]} {HOURS[column]}:00"
        if cell is None:
            return f"{when}: no posts"
        return (f"{when}: {cell['posts']} posts, {cell['impressions']:,} impressions, "
                f"engagement rate {_percent(cell['engagement_rate'])}")

    return charts.heatmap(
        title="Engagement rate by weekday and hour posted",
        description=(
            f"Engagement rate of posts by the weekday and hour ({settings.TIME_ZONE}) they were "
            f"published; darker is higher. {len(cells)} time slots have posts."
        ),
        rows=WEEKDAYS, columns=HOURS, values=values, cell_title=tip,
        chart_id="chart-heatmap",
    )


def _heatmap_rows(cells: list[dict]) -> list[dict]:
    rows = [
        {**cell, "weekday_name": WEEKDAYS[(cell["weekday"] - 2) % 7],
         "order": ((cell["weekday"] - 2) % 7, cell["hour"])}
        for cell in cells
    ]
    return sorted(rows, key=lambda row: row["order"])


def monitoring_context(filters: metrics.MetricFilters) -> dict:
    """Everything the results region shows, in a fixed number of queries."""
    sources = metrics.scope_counts(filters)
    include = (
        filters.include_simulated
        if filters.include_simulated is not None
        else not sources["real"]
    )
    # The KPIs, platforms and heatmap all sum the same groups of current figures.
    groups = metrics.current_groups(filters, include_simulated=include)
    context = {
        "include_simulated": include,
        "simulated_note": _simulated_note(filters, sources["real"], sources["simulated"], include),
        "kpis": metrics.kpis(
            filters, include_simulated=include, groups=groups,
            posts=sources["posts_with_simulated" if include else "posts"],
        ),
        # The funnel of every campaign with a post in the selection (issue 15).
        "funnel_rows": funnel.monitoring_funnel_rows(
            metrics.publications_in_scope(filters, include_simulated=include)
            .values("creative__campaign"),
            include_simulated=include,
        ),
    }
    context["kpis"]["engagement_rate_display"] = _percent(context["kpis"]["engagement_rate"])
    context["kpis"]["click_through_rate_display"] = _percent(
        context["kpis"]["click_through_rate"]
    )
    if context["kpis"]["measured"]:
        days = metrics.timeline(filters, include_simulated=include)
        platforms = metrics.by_platform(filters, include_simulated=include, groups=groups)
        cells = metrics.by_weekday_hour(filters, include_simulated=include, groups=groups)
        top, bottom = metrics.ranked_posts(filters, include_simulated=include)
        for row in platforms:
            row["name"] = _platform_name(row["platform"])
        context.update(
            days=days, timeline_chart=_timeline_chart(days) if days else "",
            platforms=platforms, platform_chart=_platform_chart(platforms),
            heatmap_rows=_heatmap_rows(cells), heatmap_chart=_heatmap(cells),
            top_posts=top, bottom_posts=bottom,
        )
    return context


def _option_tags(choices) -> str:
    """The <option>s of (value, label) pairs, escaped, none selected, one a line."""
    return "\n".join(
        f'<option value="{escape(key)}">{escape(label)}</option>' for key, label in choices
    )


def _fast_select(bound_field, options: str, *, empty_label: str | None = None) -> SafeString:
    """A filter <select> written directly, as the form's widget writes it, from its cached
    <option>s: the chosen ones (a few pks) are marked by replacing their tags.

    The campaigns list has an option per campaign (500 at scale 1), and the widget renders
    each option through a template and a model instance: most of a warm request's time.
    """
    widget = bound_field.field.widget
    attrs = bound_field.build_widget_attrs(dict(widget.attrs))
    attrs.update(name=bound_field.html_name, id=bound_field.auto_id)
    value = bound_field.value()
    selected = {str(item) for item in value} if isinstance(value, (list, tuple)) else (
        {str(value)} if value not in (None, "") else set()
    )
    for key in selected:
        tag = f'<option value="{escape(key)}">'
        options = options.replace(tag, f"{tag[:-1]} selected>", 1)
    if empty_label is not None:
        empty = f'<option value=""{"" if selected else " selected"}>{escape(empty_label)}</option>'
        options = f"{empty}\n{options}" if options else empty
    multiple = " multiple" if widget.allow_multiple_selected else ""
    return mark_safe(f"<select{flatatt(attrs)}{multiple}>\n{options}\n</select>")  # noqa: S308


def _filter_options(stamp: int) -> dict:
    """The campaign and brand <option>s, escaped, and each campaign's (brand name, name) for
    the posts table, cached under the data stamp (which campaign and brand inserts, renames,
    moves and deletions bump); all from one query, the lists in the form's order (campaigns by
    brand name then name, brands by name)."""

    def read() -> dict:
        campaigns, brands, names = [], {}, {}
        rows = Brand.objects.order_by("name", "campaigns__name").values_list(
            "pk", "name", "campaigns__pk", "campaigns__name"
        )
        for brand_pk, brand, campaign_pk, campaign in rows:
            brands.setdefault(brand_pk, brand)
            if campaign_pk is not None:
                campaigns.append((campaign_pk, f"{brand} · {campaign}"))
                names[campaign_pk] = (brand, campaign)
        return {"campaigns": _option_tags(campaigns), "brands": _option_tags(brands.items()),
                "names": names}

    return cache.get_or_set(f"monitoring:options-and-names:{stamp}", read, SUMMARY_SECONDS)


def _filter_selects(form: MetricFilterForm, options: dict) -> dict:
    """The campaign and brand filters, rendered when the page (not the htmx region) needs them
    (the template calls these)."""

    def campaign_select():
        return _fast_select(form["campaigns"], options["campaigns"])

    def brand_select():
        return _fast_select(form["brand"], options["brands"],
                            empty_label=form.fields["brand"].empty_label)

    return {"campaign_select": campaign_select, "brand_select": brand_select}


def _count(value) -> str:
    return f"{value:,}"  # as floatformat:"0g" writes a whole number in en-gb


def _step(value: int, step_rate) -> str:
    shown = "—" if step_rate is None else f"{step_rate:.2f}%"
    return f'<td class="num">{_count(value)}<br><small>{shown}</small></td>'


def _moment_writer() -> Callable[[datetime | None], str]:
    """dateformat's "j M Y H:i" (day, month abbreviation as translated, year, time) in the
    current time zone, for the rows of one page: the zone and the month names are looked up
    once, not per date (a page's 40 dates took ~0.2 ms, ~0.05 ms so)."""
    zone = timezone.get_current_timezone()
    months: dict[int, str] = {}

    def moment(value: datetime | None) -> str:
        if not value:
            return ""
        local = value.astimezone(zone)
        month = months.get(local.month)
        if month is None:
            month = months[local.month] = short_month(local.month)
        return f"{local.day} {month} {local.year:04d} {local.hour:02d}:{local.minute:02d}"

    return moment


def _post_row(post: funnel.PostRow, can_capture: bool, figures_url, moment) -> str:
    if post.captured_at:
        captured = escape(moment(post.captured_at))
        if post.warnings:
            title = escape(" ".join(str(warning) for warning in post.warnings))
            captured += f' <span class="warning-mark" title="{title}">⚠ warning</span>'
    else:
        captured = "no figures yet"
    links = f'<a href="{figures_url(post.pk)}">{"Figures" if can_capture else "Details"}</a>'
    if post.url:
        links += (f' · <a href="{escape(post.url)}" rel="noopener noreferrer" '
                  'target="_blank">Open post</a>')
    impressions, clicks = post.impressions or 0, post.clicks or 0
    return (
        f"<tr><td>{escape(post.brand)} · {escape(post.campaign)}<br>"
        f"<small>{escape(truncate_chars(post.caption, 70))}</small>"
        f"{_SIMULATED_BADGE if post.simulated else ''}</td>"
        f"<td>{escape(_PLATFORM_LABELS.get(post.platform, post.platform))}</td>"
        f"<td>{escape(moment(post.published_at))}</td>"
        f'<td class="num">{"—" if post.impressions is None else _count(post.impressions)}</td>'
        f'<td class="num">{_percent(metrics.rate(post.engagements, post.impressions))}</td>'
        f"{_step(clicks, metrics.rate(clicks, impressions))}"
        f"{_step(post.leads, metrics.rate(post.leads, clicks))}"
        f"{_step(post.qualified, metrics.rate(post.qualified, post.leads))}"
        f"{_step(post.won, metrics.rate(post.won, post.qualified))}"
        f"<td>{captured}</td><td>{links}</td></tr>"
    )


def _post_rows(posts: list[funnel.PostRow], can_capture: bool) -> SafeString:
    """The posts table's rows, written here with every value escaped: through the template
    they cost ~12 ms a page, through format_html ~2 ms."""
    figures_url = url_for_rows("campaigns:monitoring_publication", int)
    moment = _moment_writer()
    return mark_safe(  # noqa: S308 (every value is escaped above)
        "\n".join(_post_row(post, can_capture, figures_url, moment) for post in posts)
    )


def _summary_key(filters: metrics.MetricFilters, stamp: int) -> str:
    # The build and time zone are part of the key: a shared cache must not serve HTML of
    # another release, or days and hours counted in another zone.
    digest = hashlib.sha256(repr(filters).encode()).hexdigest()[:32]
    return f"monitoring:summary:utf8:{settings.DASHBOARD_BUILD}:{settings.TIME_ZONE}:{stamp}:{digest}"


def monitoring_summary(filters: metrics.MetricFilters, stamp: int | None = None) -> dict:
    """The figures region of a filter set: the simulated switch's state, the number of posts and
    the KPIs, charts, ranked posts and funnel as HTML, encoded as responses are (see
    _with_figures).

    Computing them reads every snapshot in scope (hundreds of ms at 200,000 snapshots), so the
    result is cached per filter set under stamps.data_stamp(stamps.FIGURES), which every write that can
    change it bumps (in the same transaction, whatever process or path writes): a worker never
    shows figures older than the data it can read, and it reads the stamp on every request.
    """
    stamp = stamps.data_stamp(stamps.FIGURES) if stamp is None else stamp

    def compute() -> dict:
        context = monitoring_context(filters)
        html = render_to_string("campaigns/monitoring_figures.html", context)
        return {
            "include_simulated": context["include_simulated"],
            "posts": context["kpis"]["posts"],
            "figures_utf8": html.encode(settings.DEFAULT_CHARSET),
        }

    return cache.get_or_set(_summary_key(filters, stamp), compute, SUMMARY_SECONDS)


# The figures region (~270 KB of cached HTML at scale 1) goes into the response as the bytes
# the cache holds. Rendered through the template, the string was copied at each level of the
# layout's nesting and encoded again on every request: ~1.3 ms, more than the rest of the
# page's own work. The template renders this comment where the figures go; escaped values
# cannot contain "<", and the token is random per process, so its one occurrence is the slot.
_FIGURES_SLOT = mark_safe(f"<!--figures {secrets.token_hex(8)}-->")  # noqa: S308 (constant)
_FIGURES_SLOT_BYTES = _FIGURES_SLOT.encode("ascii")


def _with_figures(response: HttpResponse, figures: bytes) -> HttpResponse:
    """The rendered page with the cached figures in place of the slot."""
    before, slot, after = response.content.partition(_FIGURES_SLOT_BYTES)
    if not slot:
        raise ValueError("The Monitoring template no longer renders figures_html.")
    response.content = b"".join((before, figures, after))
    return response


class _CountedPaginator(Paginator):
    """A paginator told its count (the summary's number of posts, the same filter) so that
    it does not count the posts again."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


@vary_on_headers("HX-Request")
@require_GET
@section_view("monitoring")
def monitoring(request: HttpRequest) -> HttpResponse:
    # Without parameters the filters are the defaults (what an unbound form's filters() gives),
    # and the form is built once, below, with the switch in the data's state.
    form = MetricFilterForm(request.GET) if request.GET else None
    filters = form.filters() if form is not None else metrics.MetricFilters()
    stamp = stamps.data_stamp(stamps.FIGURES)
    summary = monitoring_summary(filters, stamp)
    include = summary["include_simulated"]
    if form is None:
        # Show the switch in the state the data chose.
        form = MetricFilterForm(initial={"simulated": include, "applied": True})
    elif form.is_valid() and filters.include_simulated is None:
        # A link without the switch (e.g. ?platform=x): keep its filters, show the data's choice.
        data = request.GET.copy()
        data["applied"] = "True"
        data.pop("simulated", None)
        if include:
            data["simulated"] = "on"
        form = MetricFilterForm(data)
    paginator = _CountedPaginator(
        metrics.posts_in_scope(filters, include_simulated=include), POSTS_PER_PAGE,
        count=summary["posts"],
    )
    posts = paginator.get_page(request.GET.get("page"))
    options = _filter_options(stamp)
    posts.object_list = funnel.post_rows(posts.object_list, include_simulated=include,
                                         campaign_names=options["names"])
    can_capture = request.user.has_perm(CAPTURE_PERMISSION)
    context = {
        "include_simulated": include,
        "figures_html": _FIGURES_SLOT,  # filled in below
        "form": form,
        "posts": posts,
        "post_rows": _post_rows(posts, can_capture),
        "can_capture": can_capture,
        **_filter_selects(form, options),
    }
    template = "campaigns/monitoring_index.html"
    if request.htmx:
        template += "#results"
    return _with_figures(render(request, template, context), summary["figures_utf8"])


def _publication_context(request: HttpRequest, publication: Publication, form: SnapshotForm):
    snapshots = metrics.publication_snapshots(publication)
    current = snapshots[-1] if snapshots else None
    chart = ""
    if len(snapshots) > 1:
        chart = charts.timeline_chart(
            title="Figures over time",
            description=(
                f"{len(snapshots)} snapshots from "
                f"{snapshots[0].captured_at:%-d %b %Y} to {snapshots[-1].captured_at:%-d %b %Y}."
            ),
            labels=[f"{s.captured_at:%-d %b %H:%M}" for s in snapshots],
            series=[
                charts.Series("Impressions", [s.impressions for s in snapshots], "#1d4ed8"),
                charts.Series("Engagements", [s.engagements for s in snapshots], "#c2410c"),
            ],
            chart_id="chart-publication",
        )
    return {
        "publication": publication,
        "creative": publication.creative,
        "snapshots": list(reversed(snapshots)),
        "current": current,
        "current_engagement_rate": _percent(
            metrics.rate(current.engagements, current.impressions) if current else None
        ),
        "current_click_through_rate": _percent(
            metrics.rate(current.clicks, current.impressions) if current else None
        ),
        "chart": chart,
        "form": form,
        "can_capture": request.user.has_perm(CAPTURE_PERMISSION),
    }


def _get_publication(pk: int) -> Publication:
    return get_object_or_404(
        Publication.objects.select_related("creative__campaign__brand", "published_by"), pk=pk
    )


@require_GET
@section_view("monitoring")
def publication_figures(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _get_publication(pk)
    context = _publication_context(request, publication, SnapshotForm())
    return render(request, "campaigns/monitoring_publication.html", context)


@vary_on_headers("HX-Request")
@require_POST
@permission_required(CAPTURE_PERMISSION, raise_exception=True)
def publication_figures_add(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _get_publication(pk)
    form = SnapshotForm(request.POST)
    saved = None
    if form.is_valid():
        try:
            saved = metrics.snapshot_record(
                publication=publication, figures=form.figures(), source=MetricSource.MANUAL,
                user=request.user, captured_at=form.cleaned_data["captured_at"],
            )
        except ValidationError as error:
            form.add_error(None, error)
    if saved is not None and not request.htmx:
        if saved.warnings:
            messages.warning(
                request, "Figures saved with a warning: " + " ".join(saved.warnings)
            )
        else:
            messages.success(request, "Figures saved.")
        return redirect("campaigns:monitoring_publication", pk=publication.pk)
    context = _publication_context(request, publication, SnapshotForm() if saved else form)
    context["saved"] = saved
    template = "campaigns/monitoring_publication.html"
    if request.htmx:
        template += "#capture"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@permission_required(CAPTURE_PERMISSION, raise_exception=True)
def metrics_import(request: HttpRequest) -> HttpResponse:
    form = MetricImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > metrics.MAX_IMPORT_BYTES:
            form.add_error("file", "The file is larger than 5 MB; split it.")
        else:
            try:
                result = metrics.metrics_import_csv(
                    data=upload.read(), filename=upload.name, user=request.user
                )
            except metrics.ImportRefused as error:
                form.add_error("file", error.messages[0])
            else:
                return redirect(result)
    recent = MetricImport.objects.select_related("created_by")[:5]
    return render(request, "campaigns/monitoring_import.html", {"form": form, "recent": recent})


def _get_import(pk: int) -> MetricImport:
    return get_object_or_404(MetricImport.objects.select_related("created_by"), pk=pk)


@require_GET
@section_view("monitoring")
def metrics_import_result(request: HttpRequest, pk: int) -> HttpResponse:
    result = _get_import(pk)
    warned = result.snapshots.exclude(warnings=[]).select_related("publication")
    return render(
        request, "campaigns/monitoring_import_result.html",
        {"result": result, "warned": warned, "can_capture": request.user.has_perm(
            CAPTURE_PERMISSION)},
    )


@require_GET
@section_view("monitoring")
def metrics_import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    result = _get_import(pk)
    response = HttpResponse(metrics.import_errors_csv(result), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="import-{result.pk}-errors.csv"'
    return response
