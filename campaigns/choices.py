"""Brands and campaigns as the campaign list and the approval queue show them: their filters'
<option>s, the names their rows print and the number of campaigns per brand.

All of it is the same for every user and URL, so it is read with two queries once per
"choices" stamp (which moves when a brand or campaign is added, removed, renamed or moved to
another brand) and cached; a request marks its chosen options. Writing 500 campaigns' options
cost a query and ~1,000 escapes per request, and joining each row's campaign and brand ~0.6 ms.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.safestring import SafeString

from aicmo_site.html import option_tags, select_option
from campaigns.models import Brand, Campaign
from campaigns.stamps import CHOICES, data_stamp

# How long an entry cached under a data stamp is kept. A moved stamp makes its entries
# unreachable at once; this only bounds the memory they hold.
STAMPED_SECONDS = 600


@dataclass(frozen=True)
class Choices:
    brand_options: str  # <option>s, none selected
    campaign_options: str  # labelled "brand · name", by brand, then name
    brand_names: dict[int, str]
    campaign_names: dict[int, tuple[str, str]]  # (name, brand's name)
    campaigns_per_brand: dict[int, int]

    def options(self, name: str, selected=None) -> SafeString:
        """The <option>s of "brand" or "campaign" with `selected`'s selected."""
        return select_option(getattr(self, f"{name}_options"), selected)

    def campaign_count(self, brand_id: int | None = None) -> int:
        if brand_id:
            return self.campaigns_per_brand.get(brand_id, 0)
        return len(self.campaign_names)


def _read() -> Choices:
    brands = list(Brand.objects.order_by("name").values_list("pk", "name"))
    campaigns = list(Campaign.objects.order_by("brand__name", "name")
                     .values_list("pk", "name", "brand_id", "brand__name"))
    return Choices(
        brand_options=str(option_tags(brands)),
        campaign_options=str(option_tags(
            (pk, f"{brand} · {name}") for pk, name, _, brand in campaigns
        )),
        brand_names=dict(brands),
        campaign_names={pk: (name, brand) for pk, name, _, brand in campaigns},
        campaigns_per_brand=dict(Counter(brand_id for _, _, brand_id, _ in campaigns)),
    )


def _key(stamp: int) -> str:
    return f"campaigns:choices:{stamp}"


def current() -> Choices:
    """The brands and campaigns of the current "choices" stamp."""
    return cache.get_or_set(_key(data_stamp(CHOICES)), _read, STAMPED_SECONDS)
