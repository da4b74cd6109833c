from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from campaigns.models import Brand
from leads.models import Lead

pytestmark = pytest.mark.django_db


def _seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, no_remember=True, **options)
    return out.getvalue()


def test_seed_demo_refuses_with_debug_off():
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        _seed()


def test_seed_demo_creates_one_user_per_role_and_prints_passwords_once(settings):
    settings.DEBUG = True
    output = _seed()
    for username, role in (("operator", "Operator"), ("approver", "Approver"), ("viewer", "Viewer")):
        assert User.objects.get(username=username).groups.filter(name=role).exists()
        assert username in output
    assert "Demo logins" not in _seed()


def test_seed_demo_is_idempotent(settings):
    _seed(force=True)
    counts = (User.objects.count(), Brand.objects.count(), Lead.objects.count())
    _seed(force=True)
    assert (User.objects.count(), Brand.objects.count(), Lead.objects.count()) == counts
    assert counts[1] >= 2 and counts[2] >= 5
