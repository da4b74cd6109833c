"""Publishing budgets: how many posts one connected account (a brand's PublishingCredential
on one platform) may still publish through the API in the moving 24-hour window.

A post counts against the budget from the moment it is claimed for live posting (status
POSTING) and, once published, until 24 hours after its publishing time. Failed and skipped
posts, manual records and simulated proofs do not count. The budget of each platform is in
the registry (campaigns.publishing.platforms, `daily_post_budget`); None means no limit.

`budget_remaining` and `budget_wait_reason` are what live posting and the autonomy worker
ask before posting. Live posting checks inside its claim, with the credential's row locked,
so two workers cannot both take the last slot.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Min, Q
from django.utils import timezone

from campaigns.models import Brand, PostingMode, Publication, PublicationStatus
from campaigns.publishing.platforms import PLATFORMS

BUDGET_WINDOW = timedelta(hours=24)


def _brand_id(brand: Brand | int) -> int:
    return brand if isinstance(brand, int) else brand.pk


def counted_posts(brand: Brand | int, platform: str, *, now: datetime | None = None,
                  exclude_creative: int | None = None):
    """The live posts that use the account's budget right now."""
    since = (now or timezone.now()) - BUDGET_WINDOW
    queryset = Publication.objects.filter(
        mode=PostingMode.LIVE, platform=platform,
        creative__campaign__brand_id=_brand_id(brand),
    ).filter(
        Q(status=PublicationStatus.POSTING)
        | Q(status=PublicationStatus.PUBLISHED, published_at__gt=since)
    )
    if exclude_creative is not None:
        queryset = queryset.exclude(creative_id=exclude_creative)
    return queryset


def budget_remaining(brand: Brand | int, platform: str, *, now: datetime | None = None,
                     exclude_creative: int | None = None) -> int | None:
    """Posts the account may still publish in the current 24 hours; None when unlimited."""
    rules = PLATFORMS.get(platform)
    if rules is None or rules.daily_post_budget is None:
        return None
    used = counted_posts(brand, platform, now=now, exclude_creative=exclude_creative).count()
    return max(0, rules.daily_post_budget - used)


def budget_frees_at(brand: Brand | int, platform: str, *, now: datetime | None = None):
    """When the next slot frees: 24 hours after the oldest publishing time in the window
    (None when only posts in progress fill it)."""
    oldest = counted_posts(brand, platform, now=now).filter(
        status=PublicationStatus.PUBLISHED
    ).aggregate(oldest=Min("published_at"))["oldest"]
    return oldest + BUDGET_WINDOW if oldest else None


def budget_wait_reason(brand: Brand | int, platform: str, *, now: datetime | None = None,
                       exclude_creative: int | None = None) -> str:
    """Why a post must wait for the budget, in words for the user; "" when it need not."""
    remaining = budget_remaining(brand, platform, now=now, exclude_creative=exclude_creative)
    if remaining is None or remaining > 0:
        return ""
    rules = PLATFORMS[platform]
    frees = budget_frees_at(brand, platform, now=now)
    when = (
        f"the next slot frees at {timezone.localtime(frees):%-d %b %H:%M}"
        if frees else "a slot frees when the posts in progress are 24 hours old"
    )
    return (
        f"Waiting for the {rules.name} posting budget: this account has used its "
        f"{rules.daily_post_budget:,} posts per 24 hours through the API; {when}."
    )


def budget_summary(brand: Brand | int, platform: str) -> str:
    """One line for the posting page: what is left of the account's budget."""
    rules = PLATFORMS.get(platform)
    remaining = budget_remaining(brand, platform)
    if rules is None or remaining is None:
        return ""
    if remaining == 0:
        return budget_wait_reason(brand, platform)
    return (
        f"{remaining:,} of {rules.daily_post_budget:,} posts left in this account's "
        f"{rules.name} budget for the last 24 hours."
    )
