"""Strategy: every active campaign's plan (versioned) and the content calendar across brands."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from aicmo_site.decorators import section_view
from campaigns import stamps
from campaigns.models import Brand, Campaign, Plan
from campaigns.planning import (
    active_campaign_rows,
    active_plan_page,
    calendar_view,
    plan_revise,
    plan_versions,
    platform_legend,
)
from campaigns.strategy_forms import CalendarForm, PlanForm
from campaigns.templatetags.strategy_calendar import (
    calendar_problem_items,
    calendar_rows,
    escape,
)

CALENDAR_SECONDS = 60 * 60

# Stands for the request's other parameters in the cached grid's "+ N more" links, so that one
# entry serves every request for the same calendar (e.g. each page of the plans above it). No
# caption can hold it: it is not text PostgreSQL stores, and captions are escaped around it.
_SUFFIX_MARK = "\x00calendar-filters\x00"


@dataclass(frozen=True)
class CalendarFrame:
    """What the page draws of a CalendarView: its few figures and its grid and problems list
    as HTML. Small to cache and to read back (a CalendarView pickles to ~120 KB of objects)."""

    mode: str
    anchor: date
    title: str
    previous: date
    following: date
    problem_count: int
    problems_hidden: int
    total: int
    rows_html: str  # with _SUFFIX_MARK where the request's filters go
    problems_html: str

    def rows(self, filter_suffix: str) -> SafeString:
        return mark_safe(  # noqa: S308 (rendered escaped; the suffix is escaped here)
            self.rows_html.replace(_SUFFIX_MARK, escape(filter_suffix))
        )

    @property
    def problem_items(self) -> SafeString:
        return mark_safe(self.problems_html)  # noqa: S308 (rendered escaped)


def _calendar_key(
    mode: str, anchor: date | None, brand: Brand | None, platform: str, stamp: int, url: str
) -> str:
    # Today picks the default anchor; the time zone the days and hours; the build the markup.
    parts = (mode, anchor, brand.pk if brand else None, platform, url, timezone.localdate())
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    zone = timezone.get_current_timezone_name()
    return f"strategy:calendar:{settings.DASHBOARD_BUILD}:{zone}:{stamp}:{digest}"


def calendar_frame(
    *, mode: str, anchor: date | None, brand: Brand | None, platform: str,
    stamp: int | None = None,
) -> CalendarFrame:
    """The calendar drawn, cached per (view, date, brand, platform) under the "calendar" data
    stamp, which every write that can change it bumps (creatives, campaigns, brands; migration
    campaigns 0007) in the writing transaction: no worker serves a calendar older than the
    data it can read. A cold month costs ~50 ms of SQL and Python; a warm one a cache read."""
    strategy_url = reverse("campaigns:strategy")
    stamp = stamps.data_stamp(stamps.CALENDAR) if stamp is None else stamp
    key = _calendar_key(mode, anchor, brand, platform, stamp, strategy_url)

    def draw() -> CalendarFrame:
        view = calendar_view(mode=mode, anchor=anchor, brand=brand, platform=platform)
        return CalendarFrame(
            mode=view.mode, anchor=view.anchor, title=view.title, previous=view.previous,
            following=view.following, problem_count=view.problem_count,
            problems_hidden=view.problems_hidden, total=view.total,
            rows_html=str(calendar_rows(view, strategy_url, _SUFFIX_MARK)),
            problems_html=str(calendar_problem_items(view)),
        )

    return cache.get_or_set(key, draw, CALENDAR_SECONDS)


def _brand_choices(stamp: int) -> list[tuple[int, str]]:
    """The brand filter's choices (pk, name by name), cached under the "calendar" stamp, which
    a brand's insert, rename or deletion bumps: the select then costs no query (its
    ModelChoiceField read every brand through a server-side cursor on every request)."""

    def read() -> list[tuple[int, str]]:
        field = CalendarForm.base_fields["brand"]
        # .all(): a fresh query, not the class-level queryset's cached rows.
        return [(brand.pk, field.label_from_instance(brand)) for brand in field.queryset.all()]

    return cache.get_or_set(f"strategy:brands:{stamp}", read, CALENDAR_SECONDS)


def _calendar_context(request: HttpRequest, stamp: int) -> dict:
    form = CalendarForm(request.GET or None)
    brand_field = form.fields["brand"]
    # Choices set by hand are what the widget shows; the field still validates a submitted
    # brand against its queryset.
    brand_field.choices = [("", brand_field.empty_label), *_brand_choices(stamp)]
    if form.is_bound:
        form.is_valid()  # an invalid field is shown and left out; the rest still filters
    calendar = calendar_frame(
        mode=form.value("view") or "month",
        anchor=form.value("date"),
        brand=form.value("brand"),
        platform=form.value("platform") or "",
        stamp=stamp,
    )
    base = request.GET.copy()
    base.pop("date", None)
    base.pop("view", None)
    filter_suffix = f"&{base.urlencode()}" if base else ""
    return {
        "calendar": calendar,
        "calendar_rows": calendar.rows(filter_suffix),
        "calendar_form": form,
        "filter_suffix": filter_suffix,
        "legend": platform_legend(),
    }


def _active_campaigns(stamp: int) -> list[tuple]:
    """planning.active_campaign_rows() of today, cached under the "calendar" stamp, which every
    write to what they hold or are chosen and ordered by bumps (a campaign's insert, deletion,
    name, brand, dates, cadence and completion; a brand's name): shared by every page of plans
    and every calendar, so a request reads one page of plans, not the campaigns."""
    today = timezone.localdate()
    key = f"strategy:active-campaigns:{timezone.get_current_timezone_name()}:{today}:{stamp}"
    return cache.get_or_set(key, lambda: active_campaign_rows(today), CALENDAR_SECONDS)


def _plans_context(request: HttpRequest, stamp: int) -> dict:
    """A page of the active campaigns' plans; its links keep the calendar's parameters."""
    others = request.GET.copy()
    others.pop("plans_page", None)
    return {
        "plans": active_plan_page(request.GET.get("plans_page"),
                                  campaigns=_active_campaigns(stamp)),
        "plans_link": f"?{others.urlencode()}&plans_page=" if others else "?plans_page=",
    }


@vary_on_headers("HX-Request")
@require_GET
@section_view("strategy")
def strategy(request: HttpRequest) -> HttpResponse:
    stamp = stamps.data_stamp(stamps.CALENDAR)
    context = _calendar_context(request, stamp)
    if request.htmx:
        return render(request, "campaigns/strategy_index.html#calendar", context)
    context.update(_plans_context(request, stamp))
    return render(request, "campaigns/strategy_index.html", context)


def _plan_page(request, campaign: Campaign, *, shown: Plan | None, form: PlanForm | None):
    versions = list(plan_versions(campaign))
    current = versions[0] if versions else None
    can_edit = request.user.has_perm("campaigns.add_plan") and not campaign.is_complete
    if can_edit and form is None:
        form = PlanForm.for_plan(current)
    return render(request, "campaigns/strategy_plan.html", {
        "campaign": campaign,
        "plan": shown if shown is not None else current,
        "current": current,
        "versions": versions,
        "form": form if can_edit else None,
    }, status=400 if form is not None and form.errors else 200)


@require_GET
@section_view("strategy")
def plan_detail(request: HttpRequest, pk: int, version: int | None = None) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), pk=pk)
    shown = None
    if version is not None:
        shown = get_object_or_404(
            Plan.objects.select_related("created_by"), campaign=campaign, version=version
        )
    return _plan_page(request, campaign, shown=shown, form=None)


@require_POST
@section_view("strategy")
@permission_required("campaigns.add_plan", raise_exception=True)
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), pk=pk)
    if campaign.is_complete:
        messages.error(request, "This campaign is complete; its plan is kept as it was.")
        return redirect("campaigns:plan", pk=campaign.pk)
    form = PlanForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, campaign, shown=None, form=form)
    plan = plan_revise(
        campaign=campaign,
        editor=request.user,
        pillars=form.cleaned_data["pillars"],
        audience=form.cleaned_data["audience"],
        key_messages=form.cleaned_data["key_messages"],
        rationale=form.cleaned_data["rationale"],
    )
    messages.success(request, f"Saved as plan version {plan.version}; earlier versions are kept.")
    return redirect("campaigns:plan", pk=campaign.pk)
