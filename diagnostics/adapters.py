"""Which live-publishing adapters are configured, per brand and platform.

`configured_adapters()` is the one answer the diagnostics read. It asks every registered
source; today the only source is the brand's Mastodon instance. Code that adds credentials
or other adapters registers its own source with `adapter_source` — no change here needed.
A source returns targets only, never a secret.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ConfiguredAdapter:
    brand: str
    platform: str
    adapter: str
    target: str
    problem: str = ""  # why the configuration cannot work, in plain words; "" when it can


AdapterSource = Callable[[], Iterable[ConfiguredAdapter]]
ADAPTER_SOURCES: list[AdapterSource] = []

HOST_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def adapter_source(func: AdapterSource) -> AdapterSource:
    """Registers a function returning the ConfiguredAdapters it knows of."""
    ADAPTER_SOURCES.append(func)
    return func


@adapter_source
def mastodon_instances() -> list[ConfiguredAdapter]:
    from campaigns.models import Brand

    adapters = []
    for name, instance in (
        Brand.objects.exclude(mastodon_instance="").order_by("name")
        .values_list("name", "mastodon_instance")
    ):
        host = instance.strip().lower()
        problem = ""
        if not HOST_NAME.match(host):
            problem = (f"“{instance}” is not a host name; enter the instance alone, "
                       "like mastodon.social (no https://, no path).")
        adapters.append(ConfiguredAdapter(name, "Mastodon", "Mastodon API", host, problem))
    return adapters


@adapter_source
def publishing_credentials() -> list[ConfiguredAdapter]:
    """The live adapters' credentials per brand and platform (Execution), and live campaigns
    that lack one."""
    from campaigns.publishing.selectors import configured_adapters as credentials

    return [
        ConfiguredAdapter(brand, platform, "live credential", "—" if configured else "",
                          "" if configured else note)
        for brand, platform, configured, note in credentials()
    ]


def configured_adapters() -> list[ConfiguredAdapter]:
    found: list[ConfiguredAdapter] = []
    for source in ADAPTER_SOURCES:
        found.extend(source())
    return sorted(found, key=lambda item: (item.brand, item.platform))


def check_publishing_adapters() -> tuple[str, str, list[str], str]:
    from django.db import DatabaseError

    try:
        adapters = configured_adapters()
    except DatabaseError:
        return (
            "fail",
            "Adapters cannot be listed: the database is not reachable.",
            [],
            "Fix database connectivity first (see that check).",
        )
    if not adapters:
        return (
            "ok",
            "No publishing adapter is configured: posts go out in proof or manual mode only.",
            [],
            "",
        )
    details = [
        f"{item.brand} · {item.platform} · {item.adapter} at {item.target}"
        + (f" — {item.problem}" if item.problem else "")
        for item in adapters
    ]
    broken = [item for item in adapters if item.problem]
    brands = len({item.brand for item in adapters})
    if broken:
        return (
            "warn",
            f"{len(broken)} of {len(adapters)} adapter configurations cannot work.",
            details,
            "Correct them on the brand (Django admin → Brands): " + broken[0].problem,
        )
    return (
        "ok",
        f"{len(adapters)} adapter configuration{'s' if len(adapters) != 1 else ''} "
        f"across {brands} brand{'s' if brands != 1 else ''}.",
        details,
        "",
    )
