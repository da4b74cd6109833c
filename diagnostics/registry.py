"""The checks themselves. Importing this module registers them, in display order."""

from __future__ import annotations

from django.conf import settings

from diagnostics.checks import check
from diagnostics.database import check_database_connectivity


@check("database_connectivity", "Database connectivity")
def database_connectivity():
    return check_database_connectivity()


@check("generation_backend", "Generation backend")
def generation_backend():
    engine = settings.GENERATION_ENGINE
    if engine == "local":
        return "ok", "The built-in local engine is in use (offline).", [f"Engine: {engine}"], ""
    if engine == "http" and not settings.AICMO_BACKEND_URL:
        return (
            "fail",
            "GENERATION_ENGINE is http but no backend URL is set.",
            [f"Engine: {engine}"],
            "Set AICMO_BACKEND_URL (or BACKEND_URL), or GENERATION_ENGINE=local.",
        )
    return "ok", f"Engine {engine} is configured.", [f"Engine: {engine}"], ""
