"""The 503 outage page names the failing check and its remediation, without secrets."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from aicmo_site.testing import ServerProcess, free_port
from diagnostics.tests.conftest import needs_postgres


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_outage_page_names_the_failing_check_and_its_fix_without_the_password():
    user = User.objects.create_user("olga", password="pw")
    user.groups.add(Group.objects.get(name="Operator"))
    session = SessionStore()
    session.update({"_auth_user_id": str(user.pk),
                    "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                    "_auth_user_hash": user.get_session_auth_hash()})
    session.create()
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:Outage-Pa55-K7@127.0.0.1:{free_port()}/{db['NAME']}"
    with ServerProcess({"DATABASE_URL": url}) as server:
        status, body, _ = server.get("/campaigns/", {settings.SESSION_COOKIE_NAME: session.session_key})
    assert status == 503
    assert "Failing check: Database connectivity" in body
    assert "Connection refused: nothing is listening at 127.0.0.1:" in body
    assert "<strong>How to fix it:</strong> Start PostgreSQL" in body
    assert "diagnose --check database_connectivity" in body
    assert "Outage-Pa55-K7" not in body
