"""The brand and campaign <option>s of the campaign list's and the approval queue's filters.

Both lists are the same for every user and URL: they are written once per "choices" stamp
(which moves when a brand or campaign is added, removed, renamed or moved to another brand)
and cached; each request only marks its chosen option. Writing 500 campaigns' options cost a
query and ~1,000 escapes per request.
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils.safestring import SafeString

from aicmo_site.html import option_tags, with_selected
from campaigns.models import Brand, Campaign
from campaigns.selectors import STAMPED_SECONDS
from campaigns.stamps import CHOICES, data_stamp


def _brands() -> str:
    return str(option_tags(Brand.objects.order_by("name").values_list("pk", "name")))


def _campaigns() -> str:
    """Each campaign labelled "brand · name", by brand, then name."""
    rows = Campaign.objects.order_by("brand__name", "name").values_list("pk", "name", "brand__name")
    return str(option_tags((pk, f"{brand} · {name}") for pk, name, brand in rows))


READERS = {"brand": _brands, "campaign": _campaigns}


def filter_options(**selected) -> dict[str, SafeString]:
    """The <option>s of each named list ("brand", "campaign") with the given value selected:
    filter_options(brand=3) → {"brand": "<option value="1">…"}."""
    stamp = data_stamp(CHOICES)
    return {
        name: with_selected(
            cache.get_or_set(f"campaigns:options:{name}:{stamp}", READERS[name], STAMPED_SECONDS),
            value,
        )
        for name, value in selected.items()
    }
