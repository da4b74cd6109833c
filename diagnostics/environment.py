"""Checks of the installation itself: migrations, Django's system checks, static files, the
build watermark and the versions of Python, Django and the key packages."""

from __future__ import annotations

import json
import platform
import re
from importlib import metadata
from pathlib import Path

from django.conf import settings

from diagnostics.masking import mask

KEY_PACKAGES = (
    "Django", "django-htmx", "django-environ", "psycopg2-binary", "requests", "whitenoise",
    "gunicorn", "Pillow",
)
MANIFEST_NAME = "staticfiles.json"


def pending_migrations() -> list[str]:
    """`app.migration` names not yet applied to the default database (raises when the
    database cannot be reached)."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    connection = connections["default"]
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    return [f"{migration.app_label}.{migration.name}"
            for migration, _backwards in executor.migration_plan(targets)]


def check_migrations() -> tuple[str, str, list[str], str]:
    from django.db import DatabaseError

    try:
        pending = pending_migrations()
    except DatabaseError as exc:
        return (
            "fail",
            "Migrations cannot be checked: the database is not reachable.",
            [f"Driver message: {mask(' '.join(str(exc).split()))}"],
            "Fix database connectivity first (see the check above).",
        )
    if pending:
        return (
            "fail",
            f"{len(pending)} migration{'s are' if len(pending) != 1 else ' is'} not applied yet.",
            pending,
            "Run `python manage.py migrate`.",
        )
    return "ok", "Every migration is applied.", [], ""


def check_django_system_checks(debug: bool | None = None) -> tuple[str, str, list[str], str]:
    """Django's own checks (the database-touching ones excluded), plus --deploy ones when
    DEBUG is off."""
    from django.core import checks

    debug = settings.DEBUG if debug is None else debug
    messages = checks.run_checks(include_deployment_checks=not debug)
    messages = [m for m in messages if not m.is_silenced()]
    scope = "system checks" if debug else "system checks, --deploy included"
    if not messages:
        return "ok", f"Django's {scope} find nothing.", [], ""
    details = [mask(f"{_level_name(m)}{m.id}: {m.msg}" + (f" Hint: {m.hint}" if m.hint else ""))
               for m in messages]
    serious = [m for m in messages if m.is_serious()]
    if serious:
        return (
            "fail",
            f"Django's {scope}: {len(serious)} error{'s' if len(serious) != 1 else ''}.",
            details,
            "Run `python manage.py check" + ("" if debug else " --deploy")
            + "` and fix each error it lists (each comes with a hint).",
        )
    return (
        "warn",
        f"Django's {scope}: {len(messages)} warning{'s' if len(messages) != 1 else ''}.",
        details,
        "Run `python manage.py check" + ("" if debug else " --deploy")
        + "` and follow each hint, or silence the ones that do not apply with "
        "SILENCED_SYSTEM_CHECKS.",
    )


def _level_name(message) -> str:
    from django.core import checks

    for level, name in ((checks.CRITICAL, "CRITICAL"), (checks.ERROR, "ERROR"),
                        (checks.WARNING, "WARNING"), (checks.INFO, "INFO")):
        if message.level >= level:
            return name + " "
    return "DEBUG "


def check_static_files(debug: bool | None = None) -> tuple[str, str, list[str], str]:
    debug = settings.DEBUG if debug is None else debug
    root = Path(settings.STATIC_ROOT)
    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    details = [f"STATIC_ROOT: {root}", f"Storage: {backend}"]
    if debug:
        return "ok", "DEBUG is on: static files are served from the source folders.", details, ""
    if "Manifest" in backend:
        manifest = root / MANIFEST_NAME
        if not manifest.is_file():
            return (
                "fail",
                f"DEBUG is off and static files are not collected ({MANIFEST_NAME} missing).",
                details,
                "Run `python manage.py collectstatic --no-input`.",
            )
        try:
            paths = json.loads(manifest.read_text()).get("paths", {})
        except (OSError, ValueError):
            return (
                "fail",
                f"The static files manifest {manifest} cannot be read.",
                details,
                "Run `python manage.py collectstatic --no-input --clear`.",
            )
        missing = [name for name in ("css/aicmo.css", "vendor/pico/pico.min.css")
                   if name not in paths]
        details.append(f"Manifest entries: {len(paths)}")
        if missing:
            return (
                "fail",
                "The static files manifest misses files the layout needs.",
                [*details, *(f"Missing: {name}" for name in missing)],
                "Run `python manage.py collectstatic --no-input`.",
            )
        return "ok", f"Static files are collected ({len(paths)} in the manifest).", details, ""
    if not (root / "css" / "aicmo.css").is_file():
        return (
            "fail",
            "DEBUG is off and static files are not collected in STATIC_ROOT.",
            details,
            "Run `python manage.py collectstatic --no-input`.",
        )
    return (
        "warn",
        "Static files are collected, but without a manifest (STATIC_MANIFEST is off).",
        details,
        "Unset STATIC_MANIFEST (or set it to true) so browsers never keep stale CSS, then run "
        "`python manage.py collectstatic --no-input`.",
    )


def check_build() -> tuple[str, str, list[str], str]:
    build = settings.DASHBOARD_BUILD
    details = [f"Build: {build}", "Shown in every page's header and the X-Dashboard-Build "
               "response header."]
    if not build:
        return "fail", "No build watermark.", details, "Set DASHBOARD_BUILD at deploy time."
    if "+" not in build and not re.search(r"[0-9a-f]{7,}", build):
        return (
            "warn",
            f"The build is {build}, without a commit: two deploys cannot be told apart.",
            details,
            "Set DASHBOARD_BUILD (for example to the git commit) when you deploy.",
        )
    return "ok", f"Build {build}.", details, ""


def _pins(requirements: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    if requirements.is_file():
        for line in requirements.read_text().splitlines():
            match = re.match(r"^\s*([A-Za-z0-9_.-]+)==([^\s;#]+)", line)
            if match:
                pins[match[1].lower()] = match[2]
    return pins


def check_versions(requirements: Path | None = None) -> tuple[str, str, list[str], str]:
    requirements = requirements or Path(settings.BASE_DIR) / "requirements.txt"
    pins = _pins(requirements)
    details = [f"Python {platform.python_version()} ({platform.python_implementation()})"]
    mismatched, missing = [], []
    for package in KEY_PACKAGES:
        try:
            installed = metadata.version(package)
        except metadata.PackageNotFoundError:
            missing.append(package)
            details.append(f"{package}: not installed")
            continue
        pinned = pins.get(package.lower())
        line = f"{package} {installed}"
        if pinned and pinned != installed:
            mismatched.append(package)
            line += f" (requirements.txt pins {pinned})"
        details.append(line)
    if missing or mismatched:
        return (
            "warn",
            f"{len(missing) + len(mismatched)} key package"
            f"{'s differ' if len(missing) + len(mismatched) != 1 else ' differs'} "
            "from requirements.txt.",
            details,
            "Run `pip install -r requirements.txt` in the virtualenv (or `make install`).",
        )
    import django

    return (
        "ok",
        f"Python {platform.python_version()}, Django {django.get_version()}; key packages "
        "match requirements.txt.",
        details,
        "",
    )
