"""Delivery's tables, rendered in Python.

Each of the 50 campaigns of the Delivery page drew ~40 template nodes: two forms with their CSRF
token and four reverse()s (delivery/make_buttons.html), a report link and two dates; the log
another ten per file. These tags write the same markup with every value from the data escaped,
and reverse each URL once per page.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape as _html_escape

from django import template
from django.middleware.csrf import get_token
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import template_localtime

register = template.Library()

_ID = 987654321  # reverse() with this id once, then the id is put in its place


def escape(value) -> str:
    """django.utils.html.escape without its lazy-string wrapper."""
    return _html_escape(str(value))


def _url_pattern(name: str, *args) -> str:
    """The URL of `name` for the object `_ID` (its first argument), `{id}` in the id's place."""
    return reverse(name, args=[_ID, *args]).replace(str(_ID), "{id}")


def _make_buttons(campaign_id: int, urls: dict[str, str], hidden: str) -> str:
    """delivery/make_buttons.html for one campaign."""
    pdf = urls["report_pdf"].replace("{id}", str(campaign_id))
    bundle = urls["bundle"].replace("{id}", str(campaign_id))
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


def _day(value) -> str:
    return date_filter(value, "j M Y")


@register.simple_tag(takes_context=True)
def campaign_report_rows(context, campaigns: Iterable, can_make: bool = False) -> SafeString:
    """The rows of Delivery's campaign table: name, brand, period, files made, report link and,
    for those who may make files, the two Make buttons that come back to this page."""
    report = _url_pattern("delivery:report")
    hidden = ""
    if can_make:
        request = context["request"]
        urls = {kind: _url_pattern("delivery:make", kind) for kind in ("report_pdf", "bundle")}
        hidden = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
            f'<input type="hidden" name="next" value="{escape(request.path)}">'
        )
    rows = []
    for campaign in campaigns:
        make = (
            f'<td><div id="make-{campaign.pk}">{_make_buttons(campaign.pk, urls, hidden)}</div></td>'
            if can_make else ""
        )
        rows.append(
            f"<tr><td>{escape(campaign.name)}</td><td>{escape(campaign.brand.name)}</td>"
            f"<td>{_day(campaign.start_date)} – {_day(campaign.end_date)}</td>"
            f"<td>{campaign.n_deliveries}</td>"
            f'<td><a href="{report.replace("{id}", str(campaign.pk))}">Open report</a></td>'
            f"{make}</tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 (every value from the data is escaped)


@register.simple_tag
def delivery_record_rows(records: Iterable) -> SafeString:
    """The rows of the Delivery log: file, kind, campaign, size, SHA-256, who, when, download."""
    download = _url_pattern("delivery:download")
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
            f'<td><a href="{download.replace("{id}", str(record.pk))}" download>Download</a></td></tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 (every value from the data is escaped)
