"""The registry of diagnostics checks.

Each check returns a CheckResult: ok / warn / fail, a one-line summary, details and a
remediation an operator can follow. Checks never raise: a check that breaks reports itself as
failed. No result ever contains a secret.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Literal

from diagnostics.masking import mask

logger = logging.getLogger("aicmo.diagnostics")

Status = Literal["ok", "warn", "fail"]
SEVERITY: dict[str, int] = {"ok": 0, "warn": 1, "fail": 2}


@dataclass(frozen=True)
class CheckResult:
    name: str
    title: str
    status: Status
    summary: str
    details: list[str] = field(default_factory=list)
    remediation: str = ""
    duration_ms: float = 0.0
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def as_dict(self) -> dict:
        return {**asdict(self), "checked_at": self.checked_at.isoformat(timespec="seconds")}


@dataclass(frozen=True)
class Check:
    name: str
    title: str
    func: Callable[[], tuple[Status, str, list[str], str]]
    needs_database: bool = False


REGISTRY: dict[str, Check] = {}


def check(name: str, title: str, *, needs_database: bool = False):
    """Register a function returning (status, summary, details, remediation).

    A check that `needs_database` is not run after database connectivity failed in the same
    run: it would only wait for the same timeout again to say the same thing."""

    def register(func):
        REGISTRY[name] = Check(name=name, title=title, func=func, needs_database=needs_database)
        return func

    return register


def check_names() -> list[str]:
    from diagnostics import registry  # noqa: F401  (imports the check definitions)

    return list(REGISTRY)


def run_check(name: str) -> CheckResult:
    """Runs one check; the result is masked here, so no caller can show a secret."""
    from diagnostics import registry  # noqa: F401  (imports the check definitions)

    definition = REGISTRY[name]
    started = time.perf_counter()
    try:
        status, summary, details, remediation = definition.func()
    except Exception as exc:  # a broken check must not break the page that shows it
        logger.exception("The check %s raised", name)
        status, summary, details, remediation = (
            "fail",
            f"The check itself failed: {type(exc).__name__}.",
            [],
            "Run `python manage.py diagnose --check " + name + "` and read the log.",
        )
    result = CheckResult(
        name=name,
        title=definition.title,
        status=status,
        summary=mask(summary),
        details=[mask(line) for line in details],
        remediation=mask(remediation),
        duration_ms=round((time.perf_counter() - started) * 1000, 1),
    )
    if result.status != "ok":
        logger.warning("Check %s: %s. %s", name, result.status, result.summary)
    return result


def run_all(names: list[str] | None = None) -> list[CheckResult]:
    results: list[CheckResult] = []
    database_down = False
    for name in names or check_names():
        definition = REGISTRY[name]
        if database_down and definition.needs_database:
            results.append(CheckResult(
                name=name,
                title=definition.title,
                status="fail",
                summary=f"{definition.title} cannot be checked: the database is not reachable.",
                remediation="Fix database connectivity first (see that check).",
            ))
            continue
        result = run_check(name)
        database_down = database_down or (
            name == "database_connectivity" and result.status == "fail"
        )
        results.append(result)
    return results


def worst(results: list[CheckResult]) -> Status:
    if not results:
        return "ok"
    return max((result.status for result in results), key=SEVERITY.__getitem__)
