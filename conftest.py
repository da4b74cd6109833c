"""Shared fixtures: one user per role plus an outsider, signed-in clients, and test settings."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.test import Client

from aicmo_site.permissions import remember_session_user
from autonomy.policy import kill_switch_shown


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    yield
    cache.clear()


def _user_in(role: str | None, username: str) -> User:
    user = User.objects.create_user(username=username, password="pw", email=f"{username}@t.example")
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def operator(db) -> User:
    return _user_in("Operator", "olivia")


@pytest.fixture
def approver(db) -> User:
    return _user_in("Approver", "arjun")


@pytest.fixture
def viewer(db) -> User:
    return _user_in("Viewer", "vera")


@pytest.fixture
def outsider(db) -> User:
    """Signed in, but in no group: may open no section."""
    return _user_in(None, "oscar")


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    # Cache the user, their permissions and the kill-switch banner now, as a running server has
    # them after its first page (aicmo_site.permissions, autonomy.policy.kill_switch_shown), so
    # tests that count a page's queries count the page's own.
    remember_session_user(User.objects.get(pk=user.pk))
    User.objects.get(pk=user.pk).get_all_permissions()
    kill_switch_shown()
    return client


@pytest.fixture
def operator_client(operator) -> Client:
    return _client_for(operator)


@pytest.fixture
def approver_client(approver) -> Client:
    return _client_for(approver)


@pytest.fixture
def viewer_client(viewer) -> Client:
    return _client_for(viewer)


@pytest.fixture
def outsider_client(outsider) -> Client:
    return _client_for(outsider)


@pytest.fixture
def role_client(request, operator, approver, viewer) -> Client:
    """Parametrise with indirect=True and a role name."""
    return _client_for({"Operator": operator, "Approver": approver, "Viewer": viewer}[request.param])
