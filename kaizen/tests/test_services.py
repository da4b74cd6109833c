"""Knowledge-base writes keep the history; retrospectives open once per campaign."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from kaizen.models import ActionItem, ArticleRevision, Retrospective
from kaizen.services import (
    action_item_add,
    action_item_set_done,
    article_create,
    article_update,
    retrospective_open,
    retrospectives_open_for_completed,
)
from kaizen.tests.builders import make_brand, make_campaign


@pytest.mark.embedded
def test_article_create_records_the_first_revision(operator):
    article = article_create(title="Tone guide", body="Be warm.", tags=["tone"], author=operator)
    assert article.slug == "tone-guide"
    revision = ArticleRevision.objects.get(article=article)
    assert (revision.version, revision.title, revision.body, revision.editor) == (
        1, "Tone guide", "Be warm.", operator)


def test_article_create_makes_slugs_unique(operator):
    first = article_create(title="Tone guide", body="a", tags=[], author=operator)
    second = article_create(title="Tone guide", body="b", tags=[], author=operator)
    assert (first.slug, second.slug) == ("tone-guide", "tone-guide-2")


@pytest.mark.embedded
def test_article_update_keeps_the_previous_version(operator, approver):
    article = article_create(title="Tone guide", body="Be warm.", tags=[], author=operator)
    updated = article_update(article=article, title="Tone guide", body="Be warm and precise.",
                             tags=["tone"], editor=approver)
    assert updated.version == 2
    assert list(article.revisions.values_list("version", "body", "editor__username")) == [
        (2, "Be warm and precise.", "arjun"),
        (1, "Be warm.", "olivia"),
    ]


def test_article_update_without_change_saves_no_version(operator):
    article = article_create(title="Tone", body="Same", tags=["a"], author=operator)
    article_update(article=article, title="Tone", body="Same", tags=["a"], editor=operator)
    assert article.revisions.count() == 1


@pytest.mark.embedded
def test_retrospective_open_is_idempotent(db):
    campaign = make_campaign(make_brand(), completed_at=timezone.now())
    first = retrospective_open(campaign=campaign)
    second = retrospective_open(campaign=campaign)
    assert first.pk == second.pk
    assert Retrospective.objects.filter(campaign=campaign).count() == 1


def test_retrospective_open_keeps_what_was_written(db):
    campaign = make_campaign(make_brand())
    retrospective = retrospective_open(campaign=campaign)
    Retrospective.objects.filter(pk=retrospective.pk).update(what_worked="Reels")
    assert retrospective_open(campaign=campaign).what_worked == "Reels"


@pytest.mark.embedded
def test_retrospectives_open_for_completed_campaigns_only_once(db):
    brand = make_brand()
    done = make_campaign(brand, completed_at=timezone.now())
    running = make_campaign(brand)
    opened = retrospectives_open_for_completed()
    assert [r.campaign for r in opened] == [done]
    assert retrospectives_open_for_completed() == []
    assert not Retrospective.objects.filter(campaign=running).exists()


def test_open_retrospectives_command_reports_what_it_opened(db):
    make_campaign(make_brand(), name="Spring", completed_at=timezone.now())
    out = StringIO()
    call_command("open_retrospectives", stdout=out)
    assert "Opened the retrospective of Northwind · Spring." in out.getvalue()
    assert "1 retrospective(s) opened." in out.getvalue()


def test_action_item_add_refuses_an_inactive_owner(operator):
    retrospective = retrospective_open(campaign=make_campaign(make_brand()))
    operator.is_active = False
    operator.save()
    with pytest.raises(ValidationError):
        action_item_add(retrospective=retrospective, description="x", owner=operator,
                        due_date=date(2026, 12, 1))
    assert not ActionItem.objects.exists()


def test_action_item_set_done_records_who_and_when_and_can_reopen(operator, approver):
    retrospective = retrospective_open(campaign=make_campaign(make_brand()))
    item = action_item_add(retrospective=retrospective, description="Fix alt text",
                           owner=operator, due_date=date(2026, 12, 1))
    action_item_set_done(item=item, done=True, by=approver)
    item.refresh_from_db()
    assert item.is_done and item.done_by == approver
    action_item_set_done(item=item, done=False, by=approver)
    item.refresh_from_db()
    assert item.done_at is None and item.done_by is None
