"""The session engine reads Django's database sessions with plain SQL: same rows, same expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from aicmo_site.sessions import SessionStore

pytestmark = pytest.mark.embedded


def test_a_session_saved_by_djangos_engine_is_read_back(db):
    saved = DjangoSessionStore()
    saved["colour"] = "teal"
    saved.create()
    loaded = SessionStore(saved.session_key)
    assert loaded["colour"] == "teal"
    assert loaded.session_key == saved.session_key


def test_an_expired_session_reads_as_empty_and_drops_its_key(db):
    saved = DjangoSessionStore()
    saved["colour"] = "teal"
    saved.create()
    Session.objects.filter(pk=saved.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    loaded = SessionStore(saved.session_key)
    assert loaded.load() == {}
    assert loaded.session_key is None


def test_signed_in_user_stays_signed_in_across_pages(operator_client):
    assert operator_client.get("/").status_code == 200
    assert operator_client.get("/leadgen/").status_code == 200
