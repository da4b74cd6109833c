"""Revision diffs between review rounds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaigns.diffs import creative_rounds, word_diff
from campaigns.services import creative_decide, creative_revise, creative_snapshot
from campaigns.tests.factories import CreativeFactory


def test_word_diff_marks_additions_and_removals():
    pieces = [(p.op, p.text) for p in word_diff("Fresh beans every week", "Fresh roasted beans every day")]
    assert ("added", "roasted ") in pieces or ("added", " roasted") in pieces
    assert ("removed", "week") in pieces and ("added", "day") in pieces
    assert "".join(p.text for p in word_diff("a b", "a b")) == "a b"


@pytest.mark.django_db
def test_rounds_show_caption_hashtag_and_schedule_changes(approver, operator):
    # No link: revising tags a link with UTM parameters, which would show as a link change.
    creative = CreativeFactory(caption="Old hook", hashtags=["coffee"], link="")
    creative_snapshot(creative=creative)
    creative_decide(creative=creative, reviewer=approver, approve=False, reason="Weak hook")
    creative_revise(creative=creative, editor=operator, changes={
        "caption": "New hook", "hashtags": ["coffee", "beans"],
        "scheduled_at": creative.scheduled_at + timedelta(days=1),
    })
    creative.refresh_from_db()
    rounds = creative_rounds(creative)
    assert [r.version.version for r in rounds] == [1, 2]
    assert rounds[0].reviews[0].reason == "Weak hook"
    fields = {change.field: change for change in rounds[1].changes}
    assert set(fields) == {"Caption", "Hashtags", "Schedule"}
    assert ("added", "#beans") in [(p.op, p.text.strip()) for p in fields["Hashtags"].pieces]
