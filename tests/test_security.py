"""Security properties of the whole site, found the way an attacker would look for them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Routes an anonymous visitor may open. Everything else must send them to the login page.
PUBLIC_ROUTES = {
    "login",
    "diagnostics:healthz",
    "diagnostics:readyz",
    "leads:public_form",
    "leads:public_form_thanks",
    "campaigns:client_review",
}
PARAM_SAMPLES = {"int": "1", "slug": "sample", "str": "sample", "path": "sample", "uuid":
                 "00000000-0000-0000-0000-000000000001"}


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            yield from _walk(
                pattern.url_patterns,
                prefix + str(pattern.pattern),
                f"{namespace}{ns}:" if ns else namespace,
            )
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name or ''}"


def _sample_path(route: str) -> str:
    import re

    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: PARAM_SAMPLES.get(m.group(1) or "str", "x"), route)
    return "/" + path.lstrip("^").rstrip("$").replace("\\Z", "")


def _app_routes():
    for route, name in _walk(get_resolver().url_patterns):
        if route.startswith(("admin/", "static/", "media/")) or "(?P" in route:
            continue
        yield route, name


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_route_but_the_public_ones_sends_anonymous_users_to_login(method):
    client = Client()
    offenders = []
    for route, name in _app_routes():
        if name in PUBLIC_ROUTES:
            continue
        path = _sample_path(route)
        response = getattr(client, method)(path)
        redirected_to_login = response.status_code == 302 and response["Location"].startswith(
            "/accounts/login/"
        )
        if not redirected_to_login:
            offenders.append(f"{method.upper()} {path} ({name}) → {response.status_code}")
    assert not offenders, offenders


@pytest.mark.django_db
def test_csrf_is_enforced_on_posts_including_htmx(operator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    response = client.post("/autonomy/kill-switch/", {"on": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_repeated_failed_sign_ins_lock_the_account(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    User.objects.create_user("victim", password="right-password")
    client = Client()
    for _ in range(3):
        client.post("/accounts/login/", {"username": "victim", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "victim", "password": "right-password"})
    assert response.status_code == 200
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_in_works_below_the_failure_limit(settings):
    User.objects.create_user("ann", password="right-password")
    client = Client()
    client.post("/accounts/login/", {"username": "ann", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "ann", "password": "right-password"})
    assert response.status_code == 302


def test_check_deploy_reports_nothing_with_production_settings():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x7!k2@production-grade-secret-key-with-enough-length-and-variety-0987",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
        "SECURE_HSTS_PRELOAD": "true",
        "ALLOWED_HOSTS": "aicmo.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(__file__).resolve().parents[1], env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
