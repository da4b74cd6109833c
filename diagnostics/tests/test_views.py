"""The System / Diagnostics page and "Run again"."""

from __future__ import annotations

import pytest

from diagnostics.checks import check_names

pytestmark = pytest.mark.django_db


def test_system_page_redirects_anonymous_to_login(client):
    response = client.get("/system/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_system_page_is_forbidden_to_outsiders(outsider_client):
    assert outsider_client.get("/system/").status_code == 403


def test_system_page_rejects_post(viewer_client):
    assert viewer_client.post("/system/").status_code == 405


@pytest.mark.embedded
def test_system_page_shows_every_check_with_status_and_remediation(viewer_client, settings):
    settings.DASHBOARD_BUILD = "0.1.0"  # warns, with a remediation
    page = viewer_client.get("/system/").content.decode()
    for name in check_names():
        assert f'id="check-{name}"' in page
    assert "Build watermark" in page
    assert "without a commit: two deploys cannot be told apart." in page
    assert "Set DASHBOARD_BUILD (for example to the git commit) when you deploy." in page


def test_system_page_shows_the_configuration_in_effect(viewer_client, settings):
    settings.GENERATION_ENGINE = "local"
    page = viewer_client.get("/system/").content.decode()
    assert "Configuration in effect" in page
    assert "<code>GENERATION_ENGINE</code>" in page
    assert "<code>SECRET_KEY</code></th><td><code>****</code>" in page


def test_system_page_run_again_is_a_real_form_with_htmx(viewer_client):
    page = viewer_client.get("/system/").content.decode()
    assert '<form method="post" action="/system/run/" hx-post="/system/run/"' in page
    assert 'hx-target="#results"' in page


def test_run_again_redirects_anonymous_to_login(client):
    response = client.post("/system/run/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_run_again_is_forbidden_to_outsiders(outsider_client):
    assert outsider_client.post("/system/run/").status_code == 403


def test_run_again_rejects_get(viewer_client):
    assert viewer_client.get("/system/run/").status_code == 405


def test_run_again_without_javascript_redirects_to_the_page(viewer_client):
    response = viewer_client.post("/system/run/")
    assert response.status_code == 302
    assert response["Location"] == "/system/"


def test_run_again_with_htmx_returns_only_the_results(viewer_client):
    response = viewer_client.post("/system/run/", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="results"')
    assert "<html" not in body
    assert "Configuration in effect" not in body
    assert 'id="check-database_connectivity"' in body


def test_run_again_runs_the_checks_now(viewer_client, http_engine, settings):
    settings.STATUS_CACHE_SECONDS = 300
    viewer_client.get("/system/")
    http_engine.mode = "error"
    assert "The backend answers in" in viewer_client.get("/system/").content.decode()
    viewer_client.post("/system/run/")
    page = viewer_client.get("/system/").content.decode()
    assert "The backend answered HTTP 500 on /health." in page
    assert http_engine.health_requests == 2


def test_system_page_lists_pending_migrations_with_the_command_to_run(viewer_client):
    from django.db.migrations.recorder import MigrationRecorder

    MigrationRecorder.Migration.objects.filter(app="diagnostics", name="0001_initial").delete()
    page = viewer_client.get("/system/").content.decode()
    assert "1 migration is not applied yet." in page
    assert "<li>diagnostics.0001_initial</li>" in page
    assert "Run <code>python manage.py migrate</code>." in page


@pytest.mark.embedded
def test_code_spans_escapes_everything_but_the_code_tags():
    from diagnostics.templatetags.diagnostics import code_spans

    assert code_spans("Run `createdb <name>` & <b>retry</b>") == (
        "Run <code>createdb &lt;name&gt;</code> &amp; &lt;b&gt;retry&lt;/b&gt;"
    )
