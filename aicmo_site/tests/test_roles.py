"""The three roles and what each may do."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db


def test_data_migration_creates_the_three_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {"Operator", "Approver", "Viewer"}


def test_viewer_can_read_everything_and_change_nothing(viewer):
    perms = viewer.get_all_permissions()
    assert {"leads.view_lead", "campaigns.view_campaign", "diagnostics.view_system"} <= perms
    assert all(perm.split(".")[1].startswith("view_") for perm in perms)


def test_operator_creates_and_changes_but_does_not_review(operator):
    assert operator.has_perm("campaigns.add_campaign")
    assert operator.has_perm("leads.change_lead")
    assert not operator.has_perm("campaigns.review_creative")
    assert not operator.has_perm("autonomy.toggle_kill_switch")


def test_approver_holds_operator_rights_and_reviews(approver):
    assert approver.has_perm("campaigns.add_campaign")
    assert approver.has_perm("campaigns.review_creative")
    assert approver.has_perm("autonomy.toggle_kill_switch")


def test_roles_are_resynced_after_migrate(db):
    viewer = Group.objects.get(name="Viewer")
    viewer.permissions.clear()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    assert viewer.permissions.filter(codename="view_lead").exists()
