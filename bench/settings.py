"""The project's settings plus the benchmark's reference views (bench/urls.py)."""

from aicmo_site.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# The query counts use Django's test client, whose requests name the host "testserver".
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405
