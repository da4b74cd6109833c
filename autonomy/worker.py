"""One tick of the autonomy worker: find due work, claim it, and act within the policy.

Work is claimed with SELECT … FOR UPDATE SKIP LOCKED, so any number of workers on any number of
machines can run at once without acting twice on the same item. The kill switch is read from
the database immediately before every action, not once per tick.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from autonomy.actions import ACTIONS, ActionKind, ActionRefused
from autonomy.models import ActionStatus, AgentAction, AutonomyLevel
from autonomy.policy import PolicyBook, judge

logger = logging.getLogger("aicmo.autonomy")
BATCH_SIZE = 25


@dataclass
class PlannedStep:
    kind: str
    description: str
    mode: str
    reason: str


@dataclass
class TickReport:
    done: int = 0
    proposed: int = 0
    skipped: int = 0
    failed: int = 0
    plan: list[PlannedStep] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"done {self.done}, proposed {self.proposed}, skipped {self.skipped}, "
            f"failed {self.failed}"
        )


def _log(action: ActionKind, target, *, status: str, verdict, outcome: str = "", url: str = "",
         brand=None) -> AgentAction | None:
    try:
        with transaction.atomic():
            return AgentAction.objects.create(
                kind=action.kind,
                status=status,
                policy=verdict.policy,
                level=verdict.policy.level,
                brand=brand,
                inputs={"target": action.target_key(target), "description": action.describe(target)},
                outcome=outcome,
                target_key=action.target_key(target),
                target_url=url,
            )
    except IntegrityError:
        return None  # another worker proposed the same thing a moment ago


def _already_decided(action: ActionKind, target) -> bool:
    """An open or dismissed suggestion, or the same skip, is not repeated every tick."""
    return AgentAction.objects.filter(
        kind=action.kind,
        target_key=action.target_key(target),
        status__in=[ActionStatus.PROPOSED, ActionStatus.DISMISSED],
    ).exists()


def _skipped_before(action: ActionKind, target, reason: str) -> bool:
    return AgentAction.objects.filter(
        kind=action.kind, target_key=action.target_key(target),
        status=ActionStatus.SKIPPED, outcome=reason,
    ).exists()


def _handle(action: ActionKind, target, report: TickReport, dry_run: bool,
            book: PolicyBook | None = None) -> None:
    brand = action.brand_of(target)
    verdict = judge(action.kind, brand, live_platform=action.live_platform_of(target), book=book)
    if dry_run:
        report.plan.append(PlannedStep(action.kind, action.describe(target), verdict.mode, verdict.reason))
        return
    if verdict.mode == "refuse":
        if "kill switch" in verdict.reason and not _skipped_before(action, target, verdict.reason):
            _log(action, target, status=ActionStatus.SKIPPED, verdict=verdict,
                 outcome=verdict.reason, brand=brand)
            report.skipped += 1
        return
    if verdict.mode == "propose":
        if not _already_decided(action, target) and _log(
            action, target, status=ActionStatus.PROPOSED, verdict=verdict,
            outcome=verdict.reason, brand=brand,
        ):
            report.proposed += 1
        return
    try:
        if action.own_transactions:
            outcome = action.act(target)
        else:
            with transaction.atomic():
                outcome = action.act(target)
    except ActionRefused as refusal:
        if not _skipped_before(action, target, str(refusal)):
            _log(action, target, status=ActionStatus.SKIPPED, verdict=verdict,
                 outcome=str(refusal), brand=brand)
            report.skipped += 1
        return
    except Exception as exc:  # one failing item must not stop the tick
        logger.exception("Autonomy action %s failed on %s", action.kind, action.target_key(target))
        _log(action, target, status=ActionStatus.FAILED, verdict=verdict,
             outcome=f"{type(exc).__name__}: {exc}", brand=brand)
        report.failed += 1
        return
    _log(action, target, status=ActionStatus.DONE, verdict=verdict,
         outcome=outcome.summary, url=outcome.url, brand=brand)
    report.done += 1


def tick(
    *,
    dry_run: bool = False,
    kinds: list[str] | None = None,
    on_claimed: Callable[[str, object], None] | None = None,
) -> TickReport:
    """on_claimed(kind, target) runs after an item is locked and before it is judged."""
    report = TickReport()
    book = PolicyBook.load() if dry_run else None
    for name in kinds or list(ACTIONS):
        action = ACTIONS[name]
        if dry_run or action.own_transactions:
            # Looking, not claiming (policies read once) — or a service that claims and commits
            # its own steps.
            for target in list(action.candidates()[:BATCH_SIZE]):
                if on_claimed and not dry_run:
                    on_claimed(name, target)
                _handle(action, target, report, dry_run, book)
            continue
        with transaction.atomic():
            claimed = action.candidates().select_for_update(skip_locked=True, of=("self",))
            for target in list(claimed[:BATCH_SIZE]):
                if on_claimed:
                    on_claimed(name, target)
                _handle(action, target, report, dry_run)
    if not dry_run and (report.done or report.proposed or report.failed):
        logger.info("Autonomy tick: %s", report)
    return report


def next_steps() -> list[PlannedStep]:
    """What the worker would do on its next tick, without doing it (the dry run)."""
    return tick(dry_run=True).plan


LEVEL_NAMES = dict(AutonomyLevel.choices)
