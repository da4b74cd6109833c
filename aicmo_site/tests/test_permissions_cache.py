"""Permissions served from the cache under the "auth" data stamp (aicmo_site.permissions)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from aicmo_site.permissions import load_permissions
from campaigns.stamps import AUTH, data_stamp

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _fresh(user: User) -> User:
    """The user as the next request loads it (no per-request attributes)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def member():
    group = Group.objects.create(name="Testers")
    user = User.objects.create_user("tess", password="pw-1234567")
    user.groups.add(group)
    return user


def _grant(group_name: str, codename: str) -> None:
    Group.objects.get(name=group_name).permissions.add(Permission.objects.get(codename=codename))


def test_a_second_request_reads_permissions_without_a_permission_query(member):
    _grant("Testers", "view_lead")
    assert _fresh(member).has_perm("leads.view_lead")
    with CaptureQueriesContext(connection) as queries:
        assert _fresh(member).has_perm("leads.view_lead")
    assert not any("auth_permission" in q["sql"] for q in queries.captured_queries)


def test_a_permission_granted_to_the_group_counts_on_the_next_request(member):
    assert not _fresh(member).has_perm("leads.view_lead")
    _grant("Testers", "view_lead")
    assert _fresh(member).has_perm("leads.view_lead")


def test_a_permission_taken_from_the_group_stops_on_the_next_request(member):
    _grant("Testers", "view_lead")
    assert _fresh(member).has_perm("leads.view_lead")
    Group.objects.get(name="Testers").permissions.clear()
    assert not _fresh(member).has_perm("leads.view_lead")


def test_leaving_the_group_stops_its_permissions(member):
    _grant("Testers", "view_lead")
    assert _fresh(member).has_perm("leads.view_lead")
    member.groups.clear()
    assert not _fresh(member).has_perm("leads.view_lead")


def test_a_direct_user_permission_taken_away_stops(member):
    member.user_permissions.add(Permission.objects.get(codename="change_lead"))
    assert _fresh(member).has_perm("leads.change_lead")
    member.user_permissions.clear()
    assert not _fresh(member).has_perm("leads.change_lead")


def test_another_process_cache_entry_is_not_served_after_a_change(member):
    """Another worker cached the permissions; the change bumps the stamp every worker reads."""
    _grant("Testers", "view_lead")
    stamp = data_stamp(AUTH)
    cache.set(f"permissions:{member.pk}:{stamp}", (set(), {"leads.view_lead"}), 600)
    assert _fresh(member).has_perm("leads.view_lead")  # served from the planted entry
    Group.objects.get(name="Testers").permissions.clear()
    assert data_stamp(AUTH) != stamp
    assert not _fresh(member).has_perm("leads.view_lead")


def test_a_rolled_back_change_leaves_the_stamp_alone(member):
    stamp = data_stamp(AUTH)
    with pytest.raises(RuntimeError), transaction.atomic():
        member.groups.clear()
        raise RuntimeError
    assert data_stamp(AUTH) == stamp


def test_signing_in_does_not_bump_the_stamp(member, client):
    stamp = data_stamp(AUTH)
    assert client.login(username="tess", password="pw-1234567")
    assert data_stamp(AUTH) == stamp


def test_a_deactivated_user_has_no_permissions(member):
    _grant("Testers", "view_lead")
    member.is_active = False
    member.save()
    user = _fresh(member)
    load_permissions(user)
    assert not user.has_perm("leads.view_lead")


def test_password_sign_in_still_works_through_model_backend(member, client):
    assert client.login(username="tess", password="pw-1234567")
    assert not client.login(username="tess", password="wrong")
