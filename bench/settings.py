"""The project's settings plus the benchmark's reference views (bench/urls.py)."""

from aicmo_site.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
