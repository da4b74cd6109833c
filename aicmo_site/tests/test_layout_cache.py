"""The layout's per-request reads from the cache: data stamps in one query, the session's user
and the kill-switch banner under their stamps (campaigns.stamps, aicmo_site.permissions,
autonomy.policy.kill_switch_shown)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aicmo_site.permissions import _user_key
from autonomy.models import AutonomyPolicy
from campaigns import stamps
from leads.models import Lead

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _queries(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_a_page_reads_all_its_data_stamps_in_one_query(operator_client):
    operator_client.get("/leadgen/")
    sql = _queries(operator_client, "/leadgen/")  # asks for the "auth" and "leads" stamps
    assert sum("campaigns_data_stamp" in query for query in sql) == 1


def test_a_write_in_the_request_makes_the_next_stamp_read_fresh(db):
    with stamps.request_snapshot():
        before = stamps.data_stamp(stamps.LEADS)
        Lead.objects.create(email="new@t.example", name="New")
        assert stamps.data_stamp(stamps.LEADS) > before


def test_a_data_modifying_with_statement_counts_as_a_write():
    assert stamps._is_read("SELECT 1")
    assert stamps._is_read("WITH x AS (SELECT 1) SELECT * FROM x")
    assert not stamps._is_read("WITH x AS (DELETE FROM leads_lead RETURNING id) SELECT * FROM x")
    assert not stamps._is_read("UPDATE leads_lead SET score = 1")


def test_outside_a_request_every_stamp_read_asks_the_database(db):
    before = stamps.data_stamp(stamps.LEADS)
    Lead.objects.create(email="new@t.example", name="New")
    assert stamps.data_stamp(stamps.LEADS) > before


def test_the_second_page_loads_the_user_without_a_user_query(operator_client):
    operator_client.get("/system/")
    assert not any('FROM "auth_user"' in query for query in _queries(operator_client, "/system/"))


def test_a_new_name_shows_on_the_next_page(operator_client, operator):
    operator_client.get("/system/")
    User.objects.filter(pk=operator.pk).update(first_name="Renamed", last_name="Person")
    assert "Renamed Person" in operator_client.get("/system/").content.decode()


def test_a_new_password_signs_out_the_other_sessions(operator_client, operator):
    assert operator_client.get("/system/").status_code == 200
    operator.set_password("another-pass-4567")
    operator.save()
    response = operator_client.get("/system/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_deactivated_user_is_signed_out(operator_client, operator):
    assert operator_client.get("/system/").status_code == 200
    User.objects.filter(pk=operator.pk).update(is_active=False)
    assert operator_client.get("/system/").status_code == 302


def test_another_workers_cached_user_is_not_served_after_a_change(operator_client, operator):
    """Another worker cached the user; the change bumps the stamp every worker reads."""
    planted = User.objects.get(pk=operator.pk)
    planted.first_name = "Planted"
    cache.set(_user_key(operator.pk), planted, 600)
    assert "Planted" in operator_client.get("/system/").content.decode()  # the planted entry
    User.objects.filter(pk=operator.pk).update(first_name="Real")
    page = operator_client.get("/system/").content.decode()
    assert "Planted" not in page
    assert "Real" in page


def test_a_cached_user_still_needs_the_session_to_match_the_password(operator_client, operator):
    """An entry whose password differs from the one the session was made with is not used."""
    planted = User.objects.get(pk=operator.pk)
    planted.set_password("changed-elsewhere-890")
    cache.set(_user_key(operator.pk), planted, 600)
    # Django's own path loads the real user, whose password still matches the session.
    assert operator_client.get("/system/").status_code == 200


def test_a_session_naming_a_backend_no_longer_listed_is_signed_out(operator_client, settings):
    operator_client.get("/system/")
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    assert operator_client.get("/system/").status_code == 302


def _banner_shown(client) -> bool:
    return "Autonomy kill switch is ON" in client.get("/system/").content.decode()


def test_the_kill_switch_banner_shows_on_the_next_page_after_it_is_turned_on(operator_client):
    assert not _banner_shown(operator_client)
    AutonomyPolicy.objects.update_or_create(brand=None, defaults={"kill_switch": True})
    assert _banner_shown(operator_client)
    AutonomyPolicy.objects.filter(brand=None).update(kill_switch=False)
    assert not _banner_shown(operator_client)


def test_the_second_page_reads_the_kill_switch_from_the_cache(operator_client):
    operator_client.get("/system/")
    assert not any("autonomy_autonomypolicy" in query for query in _queries(operator_client, "/system/"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's storage settings")
def test_the_stamp_table_is_vacuumed_after_a_fixed_number_of_dead_rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'campaigns_data_stamp'")
        options = set(cursor.fetchone()[0])
    assert {"autovacuum_vacuum_scale_factor=0", "autovacuum_vacuum_threshold=200",
            "fillfactor=50"} <= options
