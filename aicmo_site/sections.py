"""The eleven sections of the console, in navigation order.

One list drives the navigation bar, page titles, the permission each section page needs and
the smoke tests. Each app's `urls.py` names its section page with `url_name`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    url_name: str
    permission: str
    summary: str

    @property
    def path(self) -> str:
        return cached_reverse(self.url_name)


SECTIONS: tuple[Section, ...] = (
    Section("intake", "Intake", "leads:intake", "leads.view_lead",
            "Bring leads in: add one by hand, import a spreadsheet, or take them from web forms."),
    Section("strategy", "Strategy", "campaigns:strategy", "campaigns.view_plan",
            "Every campaign's plan and the content calendar across brands."),
    Section("creatives", "Creatives", "campaigns:creatives", "campaigns.view_creative",
            "The library of every post written for every brand."),
    Section("execution", "Execution", "campaigns:execution", "campaigns.view_publication",
            "Approved posts waiting to go out, by hand or through an adapter."),
    Section("monitoring", "Monitoring", "campaigns:monitoring", "campaigns.view_metricsnapshot",
            "How published posts perform, by campaign, platform and time."),
    Section("leadgen", "Lead Gen", "leads:leadgen", "leads.view_lead",
            "Leads ranked by score and the pipeline from new to won."),
    Section("campaigns", "Campaigns", "campaigns:index", "campaigns.view_campaign",
            "Create a campaign, generate its posts, review them and execute."),
    Section("autonomy", "Autonomy", "autonomy:index", "autonomy.view_autonomypolicy",
            "What the console may do by itself, and what it did."),
    Section("delivery", "Delivery", "delivery:index", "delivery.view_deliveryrecord",
            "Exports and client reports."),
    Section("learn", "Learn / Kaizen", "kaizen:index", "kaizen.view_article",
            "The agency's knowledge base, retrospectives and what the numbers teach."),
    Section("system", "System / Diagnostics", "diagnostics:system", "diagnostics.view_system",
            "What is configured, what is broken and how to fix it."),
)

SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}

# The layout needs a dozen URLs on every page (navigation, current section, header links) and
# reversing one costs ~15 µs: each is reversed once per URLconf and script prefix, per process.
_reversed: dict[tuple[str, str, str], str] = {}
_longest_first: dict[tuple[str, str], tuple[tuple[str, Section], ...]] = {}


def urlconf_key() -> tuple[str, str]:
    return (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


def cached_reverse(url_name: str) -> str:
    """reverse() of a URL that takes no arguments, remembered for the process."""
    key = (*urlconf_key(), url_name)
    path = _reversed.get(key)
    if path is None:
        path = _reversed[key] = reverse(url_name)
    return path


def section_for_path(path: str) -> Section | None:
    """The section a page belongs to: the one whose path is the longest prefix of the page's."""
    key = urlconf_key()
    candidates = _longest_first.get(key)
    if candidates is None:
        pairs = [(section.path, section) for section in SECTIONS]
        candidates = _longest_first[key] = tuple(sorted(pairs, key=lambda pair: -len(pair[0])))
    for section_path, section in candidates:
        if path.startswith(section_path):
            return section
    return None


def section_for_url_name(url_name: str) -> Section | None:
    for section in SECTIONS:
        if section.url_name == url_name:
            return section
    return None
