"""Delivery's tables, and the export links of every list page, rendered in Python.

Each of the 50 campaigns of the Delivery page drew ~40 template nodes: two forms with their CSRF
token and four reverse()s (delivery/make_buttons.html), a report link and two dates; the log
another ten per file; the export cards a reverse() per kind and format; the list pages' export
links (an include with three {% url %}s) ~0.13 ms each. These tags write the same markup with
every value from the data escaped, and reverse each URL once per page.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.middleware.csrf import get_token
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import filesizeformat
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import template_localtime

from aicmo_site.html import escape, month_abbreviations, url_for_rows

register = template.Library()

def _make_buttons(campaign_id: int, make_url, hidden: str) -> str:
    """delivery/make_buttons.html for one campaign."""
    pdf = make_url(campaign_id, "report_pdf")
    bundle = make_url(campaign_id, "bundle")
    target = f"#make-{campaign_id}"
    return (
        '<div class="make-buttons">\n'
        f'  <form method="post" action="{pdf}"\n'
        f'        hx-post="{pdf}" hx-target="{target}" hx-swap="outerHTML">\n'
        f"    {hidden}\n"
        '    <button type="submit">Make PDF report</button>\n'
        "  </form>\n"
        f'  <form method="post" action="{bundle}"\n'
        f'        hx-post="{bundle}" hx-target="{target}" hx-swap="outerHTML">\n'
        f"    {hidden}\n"
        '    <button type="submit" class="secondary">Make delivery bundle</button>\n'
        "  </form>\n"
        "</div>"
    )


def _day_writer():
    """`|date:"j M Y"` for dates (not datetimes), with the month names looked up once a render:
    date_format() per date was half the campaign rows' time."""
    months = month_abbreviations()
    return lambda day: f"{day.day} {months[day.month]} {day.year:04d}"


EXPORT_FORMATS = ("csv", "xlsx", "json")


def _text(value) -> str:
    # `{{ value }}`: a safe string (a template's literal) as it is, anything else escaped.
    return str(value) if isinstance(value, SafeData) else escape(value)


@register.simple_tag(takes_context=True)
def export_links(context, kind: str, label: str = "", extra: str = "") -> SafeString:
    """"Export <label>: CSV · XLSX · JSON" for a list page, each link carrying the page's query
    string (its filters) to the export; `extra`: one more parameter, e.g. "simulated=no".

    The markup, blank lines around it included, is the one the include that it replaced wrote,
    so the pages did not change by a byte."""
    query = context["request"].GET.urlencode()
    carried = ""
    if query or extra:
        carried = f"?{escape(query)}{'&amp;' if query and extra else ''}{_text(extra)}"
    export_url = url_for_rows("delivery:export", str, str)
    links = " ·\n  ".join(
        f'<a href="{escape(export_url(kind, fmt))}{carried}" download>{fmt.upper()}</a>'
        for fmt in EXPORT_FORMATS
    )
    named = f" {_text(label)}" if label else ""
    return mark_safe(  # noqa: S308 (every value is escaped)
        f'\n\n<p class="export-links">Export{named}:\n  {links}\n'
        "  <small>(with the filters shown)</small>\n</p>\n\n"
    )


@register.simple_tag
def export_cards(kinds: Iterable, formats: Iterable[str]) -> SafeString:
    """An <article> per export kind: its title and a download link per format."""
    export_url = url_for_rows("delivery:export", str, str)
    cards = []
    for kind in kinds:
        links = " · ".join(
            f'<a href="{escape(export_url(kind.slug, fmt))}" download>{escape(fmt.upper())}</a>'
            for fmt in formats
        )
        cards.append(
            f'<article class="export-card">\n  <h3>{escape(kind.title)}</h3>\n'
            f"  <p>{links}</p>\n</article>"
        )
    return mark_safe("\n".join(cards))  # noqa: S308 (every value is escaped)


@register.simple_tag(takes_context=True)
def campaign_report_rows(context, campaigns: Iterable, can_make: bool = False) -> SafeString:
    """The rows of Delivery's campaign table (delivery.selectors.ReportCampaign): name, brand,
    period, files made, report link and, for those who may make files, the two Make buttons
    that come back to this page."""
    day = _day_writer()
    report = url_for_rows("delivery:report", int)
    make_url = url_for_rows("delivery:make", int, str)
    hidden = ""
    if can_make:
        request = context["request"]
        hidden = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
            f'<input type="hidden" name="next" value="{escape(request.path)}">'
        )
    rows = []
    for campaign in campaigns:
        make = (
            f'<td><div id="make-{campaign.pk}">{_make_buttons(campaign.pk, make_url, hidden)}</div></td>'
            if can_make else ""
        )
        rows.append(
            f"<tr><td>{escape(campaign.name)}</td><td>{escape(campaign.brand_name)}</td>"
            f"<td>{day(campaign.start_date)} – {day(campaign.end_date)}</td>"
            f"<td>{campaign.n_deliveries}</td>"
            f'<td><a href="{report(campaign.pk)}">Open report</a></td>'
            f"{make}</tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 (every value from the data is escaped)


@register.simple_tag
def delivery_record_rows(records: Iterable) -> SafeString:
    """The rows of the Delivery log: file, kind, campaign, size, SHA-256, who, when, download."""
    download = url_for_rows("delivery:download", int)
    rows = []
    for record in records:
        when = date_filter(template_localtime(record.created_at), "j M Y H:i")
        rows.append(
            f"<tr><td>{escape(record.filename)}</td>"
            f"<td>{escape(record.get_kind_display())}</td>"
            f"<td>{escape(record.campaign or '—')}</td>"
            f"<td>{escape(filesizeformat(record.size))}</td>"
            f'<td><code title="{escape(record.sha256)}">'
            f"{escape(Truncator(record.sha256).chars(13))}</code></td>"
            f"<td>{escape(record.created_by or '—')}</td>"
            f"<td>{when}</td>"
            f'<td><a href="{download(record.pk)}" download>Download</a></td></tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 (every value from the data is escaped)
