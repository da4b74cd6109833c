"""The registry of diagnostics checks.

Each check returns a CheckResult: ok / warn / fail, a one-line summary, details and a
remediation an operator can follow. Checks never raise: a check that breaks reports itself as
failed. No result ever contains a secret.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Literal

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

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Check:
    name: str
    title: str
    func: Callable[[], tuple[Status, str, list[str], str]]


REGISTRY: dict[str, Check] = {}


def check(name: str, title: str):
    """Register a function returning (status, summary, details, remediation)."""

    def register(func):
        REGISTRY[name] = Check(name=name, title=title, func=func)
        return func

    return register


def run_check(name: str) -> CheckResult:
    from diagnostics import registry  # noqa: F401  (imports the check definitions)

    definition = REGISTRY[name]
    started = time.perf_counter()
    try:
        status, summary, details, remediation = definition.func()
    except Exception as exc:  # a broken check must not break the page that shows it
        status, summary, details, remediation = (
            "fail",
            f"The check itself failed: {type(exc).__name__}.",
            [],
            "Run `python manage.py diagnose --check " + name + "` and read the log.",
        )
    return CheckResult(
        name=name,
        title=definition.title,
        status=status,
        summary=summary,
        details=list(details),
        remediation=remediation,
        duration_ms=round((time.perf_counter() - started) * 1000, 1),
    )


def run_all(names: list[str] | None = None) -> list[CheckResult]:
    from diagnostics import registry  # noqa: F401

    return [run_check(name) for name in (names or list(REGISTRY))]


def worst(results: list[CheckResult]) -> Status:
    if not results:
        return "ok"
    return max((result.status for result in results), key=SEVERITY.__getitem__)
