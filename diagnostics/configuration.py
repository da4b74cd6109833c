"""The configuration in effect, as shown on the System page and by `diagnose --json`.

Every value goes through `mask`: URLs keep everything but their password, and settings whose
name says secret (keys, tokens, passwords) show as `****` when set.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from diagnostics.masking import MASK, mask


@dataclass(frozen=True)
class Setting:
    name: str
    value: str
    note: str = ""


SECRETS = ("SECRET_KEY", "OPENAI_API_KEY")


def _shown(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value) or "(empty)"
    if value in ("", None):
        return "(not set)"
    return str(value)


def configuration_in_effect() -> list[Setting]:
    cache = settings.CACHES["default"]
    rows = [
        Setting("DEBUG", _shown(settings.DEBUG)),
        Setting("ALLOWED_HOSTS", _shown(settings.ALLOWED_HOSTS)),
        Setting("CSRF_TRUSTED_ORIGINS", _shown(settings.CSRF_TRUSTED_ORIGINS)),
        Setting("DATABASE_URL", mask(settings.DATABASE_URL),
                f"from {settings.DATABASE_URL_SOURCE}"),
        Setting("CONN_MAX_AGE", _shown(settings.DATABASES["default"].get("CONN_MAX_AGE", 0))),
        Setting("CACHE", mask(f"{cache['BACKEND'].rsplit('.', 1)[-1]} "
                             f"{_shown(cache.get('LOCATION', ''))}")),
        Setting("STATUS_CACHE_SECONDS", _shown(settings.STATUS_CACHE_SECONDS)),
        Setting("GENERATION_ENGINE", _shown(settings.GENERATION_ENGINE)),
        Setting("AICMO_BACKEND_URL", _shown(mask(settings.AICMO_BACKEND_URL)),
                "or BACKEND_URL"),
        Setting("AICMO_BACKEND_TIMEOUT", f"{settings.AICMO_BACKEND_TIMEOUT:g} s"),
        Setting("OPENAI_BASE_URL", mask(settings.OPENAI_BASE_URL)),
        Setting("OPENAI_MODEL", _shown(settings.OPENAI_MODEL)),
        Setting("OPENAI_TIMEOUT", f"{settings.OPENAI_TIMEOUT:g} s"),
        *(Setting(name, MASK if getattr(settings, name, "") else "(not set)")
          for name in SECRETS),
        Setting("DASHBOARD_BUILD", _shown(settings.DASHBOARD_BUILD)),
        Setting("STATIC_ROOT", _shown(settings.STATIC_ROOT)),
        Setting("MEDIA_ROOT", _shown(settings.MEDIA_ROOT)),
        Setting("SESSION_COOKIE_SECURE", _shown(settings.SESSION_COOKIE_SECURE)),
        Setting("CSRF_COOKIE_SECURE", _shown(settings.CSRF_COOKIE_SECURE)),
        Setting("SECURE_SSL_REDIRECT", _shown(settings.SECURE_SSL_REDIRECT)),
        Setting("SECURE_HSTS_SECONDS", _shown(settings.SECURE_HSTS_SECONDS)),
        Setting("BEHIND_TLS_PROXY", _shown(bool(settings.SECURE_PROXY_SSL_HEADER))),
        Setting("TIME_ZONE", _shown(settings.TIME_ZONE)),
        Setting("LOG_LEVEL", _shown(settings.LOG_LEVEL)),
        Setting("LOG_FORMAT", _shown(settings.LOG_FORMAT)),
    ]
    return [Setting(row.name, mask(row.value), row.note) for row in rows]
