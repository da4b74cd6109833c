"""open_action_items_for: what the Learn section and the overview list."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from kaizen.selectors import open_action_items_for
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
