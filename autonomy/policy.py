"""Which policy governs a brand, and whether it allows an action right now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from autonomy.models import ActionStatus, AgentAction, AutonomyLevel, AutonomyPolicy
from campaigns.stamps import AUTONOMY, data_stamp

# Entries of an earlier stamp are never read again; they only wait to expire.
KILL_SWITCH_CACHE_SECONDS = 600

# The least level at which each kind of action is done without a person.
KIND_LEVELS: dict[str, str] = {
    "generate_drafts": AutonomyLevel.ASSISTED,
    "rescore_leads": AutonomyLevel.ASSISTED,
    "route_leads": AutonomyLevel.ASSISTED,
    "prepare_posting_session": AutonomyLevel.ASSISTED,
    "approve_creative": AutonomyLevel.AUTONOMOUS,
    "publish_creative": AutonomyLevel.AUTONOMOUS,
}
LEVEL_ORDER = [AutonomyLevel.OFF, AutonomyLevel.SUGGEST, AutonomyLevel.ASSISTED, AutonomyLevel.AUTONOMOUS]
DEFAULT_DAILY_LIMITS = {
    "generate_drafts": 5,
    "rescore_leads": 24,
    "route_leads": 50,
    "prepare_posting_session": 20,
    "approve_creative": 20,
    "publish_creative": 10,
}


def global_policy() -> AutonomyPolicy:
    policy = AutonomyPolicy.objects.filter(brand__isnull=True).first()
    if policy is None:
        policy, _ = AutonomyPolicy.objects.get_or_create(brand=None)
    return policy


def policy_for(brand) -> AutonomyPolicy:
    """The brand's own policy when it has one, else the global one."""
    if brand is not None:
        own = AutonomyPolicy.objects.filter(brand=brand).first()
        if own is not None:
            return own
    return global_policy()


def kill_switch_on(brand=None) -> bool:
    """Read fresh from the database every time: it is checked right before each action.

    One EXISTS in plain SQL (the global switch, or the brand's own): building the same query
    through the ORM costs three times the database's answer.
    """
    meta = AutonomyPolicy._meta
    quote = connection.ops.quote_name
    brand_column = quote(meta.get_field("brand").column)
    sql = (
        f"SELECT EXISTS (SELECT 1 FROM {quote(meta.db_table)} "  # noqa: S608 - names from the models, values as parameters
        f"WHERE {quote(meta.get_field('kill_switch').column)} = %s "
        f"AND ({brand_column} IS NULL OR {brand_column} = %s))"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [True, brand.pk if brand is not None else None])
        return bool(cursor.fetchone()[0])


def kill_switch_shown() -> bool:
    """The global switch, as the layout's banner shows it on every page: from the cache under the
    "autonomy" data stamp, which any write to a policy bumps."""
    return cache.get_or_set(
        f"kill-switch-banner:{data_stamp(AUTONOMY)}", kill_switch_on, KILL_SWITCH_CACHE_SECONDS
    )


def in_quiet_hours(policy: AutonomyPolicy, moment: datetime | None = None) -> bool:
    start, end = policy.quiet_hours_start, policy.quiet_hours_end
    if start is None or end is None or start == end:
        return False
    now: time = timezone.localtime(moment or timezone.now()).time()
    if start < end:
        return start <= now < end
    return now >= start or now < end  # quiet hours across midnight


def daily_limit(policy: AutonomyPolicy, kind: str) -> int:
    value = (policy.daily_limits or {}).get(kind, DEFAULT_DAILY_LIMITS.get(kind, 0))
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return DEFAULT_DAILY_LIMITS.get(kind, 0)


def used_today(kind: str, policy: AutonomyPolicy) -> int:
    """Actions of this kind done today under this policy (the global one spans its brands)."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return AgentAction.objects.filter(
        kind=kind, policy=policy, status=ActionStatus.DONE, created_at__gte=start
    ).count()


@dataclass(frozen=True)
class Verdict:
    """What the policy says about one action now: do it, propose it, or not (and why)."""

    mode: str  # "do", "propose" or "refuse"
    reason: str
    policy: AutonomyPolicy

    @property
    def allowed(self) -> bool:
        return self.mode != "refuse"


@dataclass
class PolicyBook:
    """Every policy read in one query, for judging many items in one look: the worker's dry run
    on the Autonomy page (one query instead of four per item). Real actions are judged without
    it, so the kill switch is read fresh right before each of them."""

    by_brand: dict[int | None, AutonomyPolicy]
    used: dict[tuple[str, int], int] = field(default_factory=dict)

    @classmethod
    def load(cls) -> PolicyBook:
        by_brand: dict[int | None, AutonomyPolicy] = {}
        for policy in AutonomyPolicy.objects.order_by("pk"):
            by_brand.setdefault(policy.brand_id, policy)
        if None not in by_brand:
            by_brand[None] = global_policy()
        return cls(by_brand)

    def policy_for(self, brand) -> AutonomyPolicy:
        own = self.by_brand.get(brand.pk) if brand is not None else None
        return own or self.by_brand[None]

    def kill_switch_on(self, brand) -> bool:
        own = self.by_brand.get(brand.pk) if brand is not None else None
        return self.by_brand[None].kill_switch or bool(own and own.kill_switch)

    def used_today(self, kind: str, policy: AutonomyPolicy) -> int:
        key = (kind, policy.pk)
        if key not in self.used:
            self.used[key] = used_today(kind, policy)
        return self.used[key]


def judge(
    kind: str, brand, *, live_platform: str = "", moment: datetime | None = None,
    book: PolicyBook | None = None,
) -> Verdict:
    """live_platform: for a live post, the platform it would go to (the policy must name it).
    book: policies read once (PolicyBook), for looking without acting."""
    policy = book.policy_for(brand) if book else policy_for(brand)
    level = policy.level
    if book.kill_switch_on(brand) if book else kill_switch_on(brand):
        return Verdict("refuse", "The kill switch is on.", policy)
    if level == AutonomyLevel.OFF:
        return Verdict("refuse", "Autonomy is off.", policy)
    if in_quiet_hours(policy, moment):
        return Verdict("refuse", "Quiet hours.", policy)
    if level == AutonomyLevel.SUGGEST:
        return Verdict("propose", "Suggest level: a person decides.", policy)
    needed = KIND_LEVELS[kind]
    if LEVEL_ORDER.index(level) < LEVEL_ORDER.index(needed):
        return Verdict("propose", f"{AutonomyLevel(needed).label} level is needed to do this alone.", policy)
    if live_platform and live_platform not in (policy.live_platforms or []):
        return Verdict("refuse", f"The policy does not allow live posting on {live_platform}.", policy)
    used = book.used_today(kind, policy) if book else used_today(kind, policy)
    if used >= daily_limit(policy, kind):
        return Verdict("refuse", f"Today's limit of {daily_limit(policy, kind)} is reached.", policy)
    return Verdict("do", f"Allowed at {AutonomyLevel(level).label} level.", policy)
