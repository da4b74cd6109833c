"""The client campaign report: one context for the HTML page and the PDF, and the PDF itself.

The figures come from campaigns.metrics through the Monitoring section's own context builder,
so the report and Monitoring never disagree. Simulated figures follow Monitoring's rule (left
out when real figures exist) and, when shown, the report is watermarked SIMULATED.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
from collections import OrderedDict
from datetime import timedelta

from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from campaigns import metrics
from campaigns.models import (
    Campaign,
    Creative,
    CreativeVersion,
    Review,
    ReviewDecision,
)
from campaigns.publishing.platforms import PLATFORMS

# WeasyPrint logs every rendering step at INFO; the job's status already says what happened.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# A logo larger than this is left out of the PDF rather than bloating every report.
MAX_LOGO_BYTES = 2 * 1024 * 1024


def approval_summary(campaign: Campaign) -> dict:
    """How the campaign's posts went through review, computed by the database.

    approved_first_time: approved without ever being rejected or sent back for changes;
    revisions: versions written after the first (each one a revision sent back to review);
    average_wait: from a post's first submission (its first stored version) to its first
    approval.
    """
    reviews = Review.objects.filter(creative=OuterRef("pk"))
    first_approval = (
        reviews.filter(decision=ReviewDecision.APPROVED)
        .order_by("reviewed_at", "pk").values("reviewed_at")[:1]
    )
    first_submission = (
        CreativeVersion.objects.filter(creative=OuterRef("pk"))
        .order_by("version", "pk").values("created_at")[:1]
    )
    creatives = Creative.objects.filter(campaign=campaign).annotate(
        is_reviewed=Exists(reviews),
        is_approved=Exists(reviews.filter(decision=ReviewDecision.APPROVED)),
        was_sent_back=Exists(reviews.exclude(decision=ReviewDecision.APPROVED)),
        approved_at=Subquery(first_approval, output_field=DateTimeField()),
        submitted_at=Coalesce(
            Subquery(first_submission, output_field=DateTimeField()), F("created_at")
        ),
    )
    totals = creatives.aggregate(
        posts=Count("pk"),
        reviewed=Count("pk", filter=Q(is_reviewed=True)),
        approved=Count("pk", filter=Q(is_approved=True)),
        approved_first_time=Count("pk", filter=Q(is_approved=True, was_sent_back=False)),
        sent_back=Count("pk", filter=Q(was_sent_back=True)),
    )
    waits = creatives.filter(is_approved=True).annotate(
        wait=ExpressionWrapper(F("approved_at") - F("submitted_at"), output_field=DurationField())
    )
    totals["average_wait"] = waits.aggregate(value=Avg("wait"))["value"]
    totals["revisions"] = CreativeVersion.objects.filter(
        creative__campaign=campaign, version__gt=1
    ).count()
    totals["average_wait_display"] = duration_display(totals["average_wait"])
    return totals


def duration_display(value: timedelta | None) -> str:
    """A duration as a person says it: "3 h 20 min", "2 d 4 h", "—" when there is none."""
    if value is None:
        return "—"
    minutes = max(int(value.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


def _logo_data_uri(campaign: Campaign) -> str:
    """The brand's logo inline, so the PDF renderer never fetches anything."""
    logo = campaign.brand.logo
    if not logo:
        return ""
    try:
        if logo.size > MAX_LOGO_BYTES:
            return ""
        with logo.open("rb") as handle:
            data = handle.read()
    except OSError:
        return ""  # the file went missing: the report still has the brand's name
    kind = mimetypes.guess_type(logo.name)[0] or "image/png"
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def report_context(campaign: Campaign, *, for_pdf: bool = False) -> dict:
    """Everything the report shows, for the page and the PDF alike."""
    from campaigns.views.monitoring import monitoring_context

    filters = metrics.MetricFilters(campaigns=(campaign.pk,))
    context = monitoring_context(filters)
    include = context["include_simulated"]
    posts = list(metrics.posts_with_figures(filters, include_simulated=include))
    by_platform: OrderedDict[str, dict] = OrderedDict()
    for row in context.get("platforms", []):
        by_platform[row["platform"]] = {"totals": row, "posts": []}
    for post in posts:
        post.current_engagement_rate = metrics.rate(
            post.current_engagements, post.current_impressions
        )
        group = by_platform.setdefault(post.platform, {"totals": None, "posts": []})
        group["posts"].append(post)
    platforms = [
        {
            "slug": slug,
            "name": PLATFORMS[slug].name if slug in PLATFORMS else slug,
            "color": PLATFORMS[slug].color if slug in PLATFORMS else "#555555",
            **group,
        }
        for slug, group in by_platform.items()
    ]
    simulated = include and (
        bool(context["kpis"]["simulated"]) or any(post.simulated for post in posts)
    )
    if for_pdf:
        logo_src = _logo_data_uri(campaign)
    else:
        logo_src = campaign.brand.logo.url if campaign.brand.logo else ""
    context.update(
        campaign=campaign,
        brand=campaign.brand,
        brand_color=_safe_color(campaign.brand.color),
        logo_src=logo_src,
        post_groups=platforms,
        post_count=len(posts),
        simulated=simulated,
        approvals=approval_summary(campaign),
        generated_at=timezone.now(),
        for_pdf=for_pdf,
    )
    return context


def _safe_color(value: str) -> str:
    """Only #rgb / #rrggbb reach the style sheet."""
    text = (value or "").strip()
    if text.startswith("#") and len(text) in (4, 7) and all(
        char in "0123456789abcdefABCDEF" for char in text[1:]
    ):
        return text
    return "#1d4ed8"


def report_filename(campaign: Campaign, extension: str) -> str:
    return f"aicmo-report-{campaign.slug[:100]}-{timezone.localdate().isoformat()}.{extension}"


def report_pdf(campaign: Campaign) -> bytes:
    """The report as PDF bytes (WeasyPrint; about a second for a typical campaign)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string("delivery/report_pdf.html", report_context(campaign, for_pdf=True))
    # Inline data only (the logo is a data: URI): a report never reaches the network or disk.
    fetcher = URLFetcher(allowed_protocols=("data",))
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
