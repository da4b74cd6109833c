"""Migrations, Django's system checks, static files, the build and package versions."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.migrations.recorder import MigrationRecorder

from diagnostics.environment import (
    check_build,
    check_django_system_checks,
    check_migrations,
    check_static_files,
    check_versions,
)


@pytest.mark.django_db
@pytest.mark.embedded
def test_migrations_ok_when_every_migration_is_applied():
    assert check_migrations() == ("ok", "Every migration is applied.", [], "")


@pytest.mark.django_db
def test_migrations_lists_those_not_applied():
    MigrationRecorder.Migration.objects.filter(app="diagnostics", name="0001_initial").delete()
    status, summary, details, remediation = check_migrations()
    assert status == "fail"
    assert summary == "1 migration is not applied yet."
    assert details == ["diagnostics.0001_initial"]
    assert remediation == "Run `python manage.py migrate`."


def test_django_checks_pass_with_debug_on():
    status, summary, _, _ = check_django_system_checks(debug=True)
    assert status == "ok"
    assert summary == "Django's system checks find nothing."


def test_django_checks_include_deploy_checks_with_debug_off(settings):
    settings.SECURE_HSTS_SECONDS = 0
    status, summary, details, remediation = check_django_system_checks(debug=False)
    assert status == "warn"
    assert "--deploy included" in summary
    assert any(line.startswith("WARNING security.W004") for line in details)
    assert "manage.py check --deploy" in remediation


def test_django_checks_fail_on_an_error(settings):
    settings.STATIC_ROOT = settings.STATICFILES_DIRS[0]  # staticfiles.E002
    status, summary, details, _ = check_django_system_checks(debug=True)
    assert status == "fail"
    assert summary == "Django's system checks: 1 error."
    assert any(line.startswith("ERROR staticfiles.E002") for line in details)


def test_static_files_ok_with_debug_on(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    assert check_static_files(debug=True)[0] == "ok"


def _manifest_storage(settings, root):
    settings.STATIC_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        },
    }


def test_static_files_fail_when_not_collected_with_debug_off(settings, tmp_path):
    _manifest_storage(settings, tmp_path)
    status, summary, _, remediation = check_static_files(debug=False)
    assert status == "fail"
    assert "not collected" in summary
    assert remediation == "Run `python manage.py collectstatic --no-input`."


def test_static_files_ok_once_collected(settings, tmp_path):
    _manifest_storage(settings, tmp_path)
    call_command("collectstatic", "--no-input", verbosity=0)
    status, summary, _, _ = check_static_files(debug=False)
    assert status == "ok"
    assert summary.startswith("Static files are collected (")


def test_build_warns_without_a_commit(settings):
    settings.DASHBOARD_BUILD = "0.1.0"
    status, summary, _, remediation = check_build()
    assert status == "warn"
    assert "without a commit" in summary
    assert "DASHBOARD_BUILD" in remediation


def test_build_ok_with_a_commit(settings):
    settings.DASHBOARD_BUILD = "0.1.0+8c10308"
    assert check_build()[:2] == ("ok", "Build 0.1.0+8c10308.")


@pytest.mark.embedded
def test_versions_match_requirements():
    status, summary, details, _ = check_versions()
    assert status == "ok"
    assert summary.startswith("Python 3.")
    assert any(line.startswith("Django 6.") for line in details)
    assert any(line.startswith("psycopg2-binary ") for line in details)


def test_versions_warn_when_a_pin_differs(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("Django==5.2.0\nrequests==2.34.2\n")
    status, summary, details, remediation = check_versions(requirements)
    assert status == "warn"
    assert summary == "1 key package differs from requirements.txt."
    assert any("(requirements.txt pins 5.2.0)" in line for line in details)
    assert "pip install -r requirements.txt" in remediation
