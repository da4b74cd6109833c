"""kill_switch_on: the global switch stops every brand, a brand's own switch only that brand."""

from __future__ import annotations

import pytest

from autonomy.models import AutonomyPolicy
from autonomy.policy import global_policy, kill_switch_on
from campaigns.tests.factories import BrandFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_kill_switch_is_off_when_no_policy_has_it_on():
    brand = BrandFactory()
    global_policy()
    AutonomyPolicy.objects.create(brand=brand)
    assert kill_switch_on() is False
    assert kill_switch_on(brand) is False


def test_global_kill_switch_stops_every_brand():
    brand = BrandFactory()
    AutonomyPolicy.objects.filter(pk=global_policy().pk).update(kill_switch=True)
    AutonomyPolicy.objects.create(brand=brand)
    assert kill_switch_on() is True
    assert kill_switch_on(brand) is True


def test_a_brands_kill_switch_stops_that_brand_only():
    stopped, other = BrandFactory(), BrandFactory()
    global_policy()
    AutonomyPolicy.objects.create(brand=stopped, kill_switch=True)
    assert kill_switch_on(stopped) is True
    assert kill_switch_on(other) is False
    assert kill_switch_on() is False


def test_kill_switch_is_read_fresh_every_time():
    global_policy()
    assert kill_switch_on() is False
    AutonomyPolicy.objects.filter(brand__isnull=True).update(kill_switch=True)
    assert kill_switch_on() is True
