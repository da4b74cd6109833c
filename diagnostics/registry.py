"""The checks themselves. Importing this module registers them, in display order.

Each function reads the settings in effect and delegates to a module that can also be called
with explicit values (the tests build failing configurations that way).
"""

from __future__ import annotations

from django.conf import settings

from diagnostics.adapters import check_publishing_adapters
from diagnostics.backend import check_generation_backend
from diagnostics.checks import check
from diagnostics.database import assess_database_url, check_database_connectivity
from diagnostics.environment import (
    check_build,
    check_django_system_checks,
    check_migrations,
    check_static_files,
    check_versions,
)
from diagnostics.workers import check_background_worker, check_oldest_waiting_job


@check("database_configuration", "Database configuration")
def database_configuration():
    return assess_database_url(
        settings.DATABASE_URL, settings.DATABASE_URL_SOURCE, settings.DEBUG
    )


@check("database_connectivity", "Database connectivity")
def database_connectivity():
    return check_database_connectivity()


@check("migrations", "Migrations", needs_database=True)
def migrations():
    return check_migrations()


@check("generation_backend", "Generation backend")
def generation_backend():
    return check_generation_backend()


@check("publishing_adapters", "Publishing adapters", needs_database=True)
def publishing_adapters():
    return check_publishing_adapters()


@check("background_worker", "Background worker", needs_database=True)
def background_worker():
    return check_background_worker()


@check("oldest_waiting_job", "Oldest waiting job", needs_database=True)
def oldest_waiting_job():
    return check_oldest_waiting_job(
        settings.JOBS_WAITING_WARN_SECONDS, settings.JOBS_WAITING_FAIL_SECONDS
    )


@check("django_checks", "Django system checks")
def django_checks():
    return check_django_system_checks()


@check("static_files", "Static files")
def static_files():
    return check_static_files()


@check("build", "Build watermark")
def build():
    return check_build()


@check("versions", "Python and package versions")
def versions():
    return check_versions()
