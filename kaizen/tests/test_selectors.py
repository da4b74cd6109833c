"""open_action_items_for: what the Learn section and the overview list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from kaizen.models import Retrospective
from kaizen.selectors import open_action_items_for, retrospective_list, retrospectives_recent
from kaizen.services import action_item_add, action_item_set_done, retrospective_open
from kaizen.tests.builders import make_brand, make_campaign


@pytest.fixture
def retrospective(db):
    return retrospective_open(campaign=make_campaign(make_brand(), completed_at=timezone.now()))


@pytest.mark.embedded
def test_open_action_items_for_lists_the_users_own_first_then_by_due_date(
    retrospective, operator, approver
):
    def add(description, owner, day):
        return action_item_add(retrospective=retrospective, description=description,
                               owner=owner, due_date=date(2026, 12, day))

    add("theirs early", approver, 1)
    add("mine late", operator, 20)
    add("mine early", operator, 5)
    done = add("mine done", operator, 2)
    action_item_set_done(item=done, done=True, by=operator)
    assert [i.description for i in open_action_items_for(operator)] == [
        "mine early", "mine late", "theirs early",
    ]


def test_open_action_items_for_a_user_without_a_role_is_empty(retrospective, operator,
                                                             outsider):
    action_item_add(retrospective=retrospective, description="x", owner=operator,
                    due_date=date(2026, 12, 1))
    assert list(open_action_items_for(outsider)) == []


def test_open_action_items_for_loads_related_rows_in_one_query(
    retrospective, operator, django_assert_num_queries
):
    for n in range(4):
        action_item_add(retrospective=retrospective, description=f"item {n}", owner=operator,
                        due_date=date(2026, 12, 1 + n))
    operator.has_perm("kaizen.view_actionitem")  # permissions load once per request anyway
    with django_assert_num_queries(1):
        items = list(open_action_items_for(operator))
        labels = [(i.owner.username, i.retrospective.campaign.brand.name) for i in items]
    assert len(labels) == 4


@pytest.mark.embedded
def test_open_action_items_for_carries_what_the_list_shows(retrospective, operator):
    operator.first_name, operator.last_name = "Olga", "Oper"
    operator.save()
    action_item_add(retrospective=retrospective, description="Shorter captions", owner=operator,
                    due_date=date(2026, 12, 1))
    [item] = open_action_items_for(operator, limit=8)
    assert (item.description, item.due_date, item.is_done) == (
        "Shorter captions", date(2026, 12, 1), False)
    assert item.owner.get_full_name() == "Olga Oper"
    assert item.retrospective.get_absolute_url() == retrospective.get_absolute_url()
    campaign = retrospective.campaign
    assert (item.retrospective.campaign.name, item.retrospective.campaign.brand.name) == (
        campaign.name, campaign.brand.name)
    assert item.created_at is not None  # a field the list does not read still loads on access


@pytest.mark.embedded
def test_retrospectives_recent_are_newest_first_with_their_open_item_count(operator):
    brand = make_brand()
    older = retrospective_open(campaign=make_campaign(brand, completed_at=timezone.now()))
    newer = retrospective_open(campaign=make_campaign(brand, completed_at=timezone.now()))
    Retrospective.objects.filter(pk=older.pk).update(opened_at=timezone.now() - timedelta(days=2))
    for n, owner_done in enumerate([False, False, True]):
        item = action_item_add(retrospective=newer, description=f"item {n}", owner=operator,
                               due_date=date(2026, 12, 1))
        if owner_done:
            action_item_set_done(item=item, done=True, by=operator)
    recent = retrospectives_recent(6)
    assert [(r.pk, r.open_items) for r in recent] == [(newer.pk, 2), (older.pk, 0)]
    from_orm = {r.pk: r.opened_at for r in retrospective_list()}
    assert [r.opened_at for r in recent] == [from_orm[r.pk] for r in recent]  # aware, as the ORM's
    assert recent[0].campaign.brand.name == "Northwind"
    assert recent[0].get_absolute_url() == newer.get_absolute_url()


@pytest.mark.embedded
def test_retrospective_list_is_newest_first(db):
    brand = make_brand()
    retrospectives = [retrospective_open(campaign=make_campaign(brand, completed_at=timezone.now()))
                      for _ in range(4)]
    for days, retrospective in zip([3, 1, 4, 2], retrospectives, strict=True):
        Retrospective.objects.filter(pk=retrospective.pk).update(
            opened_at=timezone.now() - timedelta(days=days))
    listed = [r.pk for r in retrospective_list()]
    assert listed == [retrospectives[i].pk for i in (1, 3, 0, 2)]
