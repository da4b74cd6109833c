"""Generation engines: `generate(campaign)` returns a validated GenerationResult or raises one
GenerationError. settings.GENERATION_ENGINE picks the engine (local, http or openai)."""

from __future__ import annotations

from django.conf import settings

from campaigns.generation.base import (
    Engine,
    GeneratedItem,
    GenerationError,
    GenerationResult,
    PlanData,
)
from campaigns.models import Campaign

__all__ = [
    "Engine", "GeneratedItem", "GenerationError", "GenerationResult", "PlanData", "generate",
    "get_engine",
]


def get_engine(name: str | None = None) -> Engine:
    from campaigns.generation.local import LocalEngine
    from campaigns.generation.remote import HttpEngine, OpenAIEngine

    engines = {"local": LocalEngine, "http": HttpEngine, "openai": OpenAIEngine}
    name = (name or settings.GENERATION_ENGINE or "local").lower()
    if name not in engines:
        raise GenerationError(
            f"GENERATION_ENGINE is {name!r}; it must be one of local, http or openai."
        )
    return engines[name]()


def generate(campaign: Campaign, engine: str | None = None) -> GenerationResult:
    return get_engine(engine).generate(campaign)
