"""The Strategy page's plan cards, rendered in Python: a dozen cards of a dozen tags and
filters each (two dates, a plural, a URL, a permission check per card) were a third of the
page's template time. The markup is the template's; every value is escaped here."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from aicmo_site.html import escape, short_month, url_for_rows

register = template.Library()


def _items(values) -> str:
    return "".join(f"<li>{escape(value)}</li>" for value in values)


def _plan(plan, versions: int) -> str:
    kept = f"<small>{versions} versions kept</small>" if versions > 1 else ""
    messages = _items(plan.key_messages) or "<li>—</li>"
    return (
        f'\n            <p class="plan-card__version"><span class="badge">Plan v{plan.version}'
        f"</span>\n              {kept}</p>"
        '\n            <h3 class="plan-card__label">Pillars</h3>'
        f'\n            <ul class="pillars">{_items(plan.pillars)}</ul>'
        '\n            <h3 class="plan-card__label">Audience</h3>'
        f"\n            <p>{escape(plan.audience or '—')}</p>"
        '\n            <h3 class="plan-card__label">Key messages</h3>'
        f"\n            <ul>{messages}</ul>\n          "
    )


def _card(item, can_edit: bool, url) -> str:
    campaign = item.campaign
    start, end = campaign.start_date, campaign.end_date
    if can_edit:
        action = "Open and edit the plan" if item.plan else "Write the plan"
    else:
        action = "Open the plan and its versions"
    body = _plan(item.plan, item.versions) if item.plan else (
        "\n            <p>No plan yet.</p>\n          "
    )
    return (
        '\n        <article class="plan-card">\n          <header>'
        f"\n            <strong>{escape(campaign.brand.name)}</strong> · {escape(campaign.name)}<br>"
        f"\n            <small>{start.day} {short_month(start.month)} – {end.day} "
        f"{short_month(end.month)} {end.year:04d} · {campaign.cadence} "
        f"post{'' if campaign.cadence == 1 else 's'} a week</small>"
        f"\n          </header>\n          {body}\n          <footer>"
        f'\n            <a href="{url(campaign.pk)}">{action}</a>'
        "\n          </footer>\n        </article>\n      "
    )


@register.simple_tag
def plan_cards(plans, can_edit) -> SafeString:
    """The cards of a page of CampaignPlans (planning.active_plan_page); `can_edit`: whether
    the user may write plans (perms.campaigns.add_plan), which names each card's link."""
    url = url_for_rows("campaigns:plan", int)
    return mark_safe(  # noqa: S308 (every value is escaped above)
        "".join(_card(item, bool(can_edit), url) for item in plans)
    )
