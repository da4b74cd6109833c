"""Proof mode: what a publication would have done, without touching a platform.

The figures come from a hash of the creative (its id, platform, version and text), so the same
creative always gets the same numbers, in tests, demos and rehearsals alike. Every row made here
is labelled: Publication.simulated = True and MetricSnapshot.source = "simulated".
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from campaigns.models import Creative

# When the snapshots are taken after posting, and how much of the final reach each has seen.
SNAPSHOT_SCHEDULE: tuple[tuple[timedelta, float], ...] = (
    (timedelta(hours=1), 0.22),
    (timedelta(hours=6), 0.55),
    (timedelta(hours=24), 0.84),
    (timedelta(hours=72), 1.0),
)


def creative_digest(creative: Creative) -> bytes:
    key = f"{creative.pk}|{creative.platform}|{creative.version}|{creative.full_text()}"
    return hashlib.sha256(key.encode()).digest()


def simulated_external_id(creative: Creative) -> str:
    return "simulated-" + creative_digest(creative).hex()[:16]


def simulated_figures(creative: Creative) -> list[tuple[timedelta, dict[str, int]]]:
    """(time after posting, figures) for each snapshot, growing over time."""
    digest = creative_digest(creative)

    def pick(index: int, low: int, high: int) -> int:
        return low + int.from_bytes(digest[index:index + 2], "big") % (high - low + 1)

    impressions = pick(0, 400, 6000)
    reach_share = pick(2, 55, 85) / 100
    like_rate = pick(4, 10, 60) / 1000       # 1 % – 6 % of impressions
    comment_rate = pick(6, 5, 80) / 10000
    share_rate = pick(8, 5, 60) / 10000
    save_rate = pick(10, 0, 40) / 10000
    click_rate = pick(12, 5, 250) / 10000
    snapshots = []
    for after, share in SNAPSHOT_SCHEDULE:
        seen = round(impressions * share)
        snapshots.append((after, {
            "impressions": seen,
            "reach": round(seen * reach_share),
            "likes": round(seen * like_rate),
            "comments": round(seen * comment_rate),
            "shares": round(seen * share_rate),
            "saves": round(seen * save_rate),
            "clicks": round(seen * click_rate),
        }))
    return snapshots
