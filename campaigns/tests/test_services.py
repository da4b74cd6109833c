"""The creative's state changes, through the services that own them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from campaigns.models import CreativeStatus, Review
from campaigns.services import (
    DecisionConflict,
    creative_bulk_approve,
    creative_decide,
    creative_revise,
    creative_submit,
)
from campaigns.tests.factories import CreativeFactory

pytestmark = pytest.mark.django_db


def test_creative_submit_moves_draft_to_review_and_snapshots_it(operator):
    creative = CreativeFactory(status=CreativeStatus.DRAFT)
    creative = creative_submit(creative=creative, user=operator)
    assert creative.status == CreativeStatus.PENDING
    assert creative.versions.get(version=1).caption == creative.caption


def test_creative_decide_approves_pending_version(approver):
    creative = CreativeFactory()
    review = creative_decide(creative=creative, reviewer=approver, approve=True)
    creative.refresh_from_db()
    assert creative.status == CreativeStatus.APPROVED
    assert (review.version, review.decision, review.reviewer) == (1, "approved", approver)


def test_creative_decide_requires_a_reason_to_reject(approver):
    creative = CreativeFactory()
    with pytest.raises(ValidationError, match="Say why"):
        creative_decide(creative=creative, reviewer=approver, approve=False, reason="  ")
    creative.refresh_from_db()
    assert creative.status == CreativeStatus.PENDING
    assert not Review.objects.exists()


def test_creative_decide_twice_records_one_decision_and_names_the_first(approver, operator):
    creative = CreativeFactory()
    creative_decide(creative=creative, reviewer=approver, approve=True, version=1)
    with pytest.raises(DecisionConflict, match="arjun already approved"):
        creative_decide(creative=creative, reviewer=operator, approve=False, reason="No", version=1)
    assert Review.objects.count() == 1


def test_creative_decide_refuses_approving_own_version(approver):
    creative = CreativeFactory(author=approver)
    with pytest.raises(ValidationError, match="another approver"):
        creative_decide(creative=creative, reviewer=approver, approve=True)


def test_creative_decide_allows_own_version_when_setting_allows(settings, approver):
    settings.ALLOW_SELF_APPROVAL = True
    creative = CreativeFactory(author=approver)
    creative_decide(creative=creative, reviewer=approver, approve=True)
    creative.refresh_from_db()
    assert creative.status == CreativeStatus.APPROVED


def test_creative_revise_after_rejection_returns_as_next_version(approver, operator):
    creative = CreativeFactory()
    creative_decide(creative=creative, reviewer=approver, approve=False, reason="Too long")
    revised = creative_revise(creative=creative, editor=operator, changes={"caption": "Shorter."})
    assert (revised.version, revised.status, revised.author) == (2, CreativeStatus.PENDING, operator)
    assert list(revised.versions.values_list("version", flat=True)) == [2]
    assert Review.objects.get().version == 1


def test_creative_revise_refuses_text_over_platform_limit(operator):
    creative = CreativeFactory(platform="x")
    with pytest.raises(ValidationError, match="X allows 280"):
        creative_revise(creative=creative, editor=operator, changes={"caption": "a" * 300})
    creative.refresh_from_db()
    assert creative.version == 1


def test_creative_revise_of_draft_keeps_version(operator):
    creative = CreativeFactory(status=CreativeStatus.DRAFT)
    revised = creative_revise(creative=creative, editor=operator, changes={"hashtags": "#a b"})
    assert (revised.version, revised.status, revised.hashtags) == (1, CreativeStatus.DRAFT, ["a", "b"])


def test_creative_bulk_approve_skips_what_it_may_not_approve(approver):
    mine = CreativeFactory(author=approver)
    others = CreativeFactory.create_batch(2)
    result = creative_bulk_approve(creatives=[mine, *others], reviewer=approver)
    assert result.approved == 2
    assert len(result.skipped) == 1 and "another approver" in result.skipped[0]
