"""Creative.publication_done, which the database keeps from the publications (migration 0010):
Execution's queue reads it, so every way of writing a publication or a creative must keep it
right. On PostgreSQL and on the embedded SQLite alike."""

from __future__ import annotations

import pytest
from django.db import connection

from campaigns.models import Creative, CreativeStatus, Publication, PublicationStatus
from campaigns.publishing.selectors import execution_queue
from campaigns.tests.factories import CreativeFactory, PublicationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _approved() -> Creative:
    return CreativeFactory(status=CreativeStatus.APPROVED)


def _waiting() -> set[int]:
    return set(execution_queue().values_list("pk", flat=True))


def _done(creative: Creative) -> bool:
    return Creative.objects.values_list("publication_done", flat=True).get(pk=creative.pk)


def test_a_published_or_skipped_post_leaves_the_queue():
    published, skipped, failed, untouched = (_approved() for _ in range(4))
    PublicationFactory(creative=published, status=PublicationStatus.PUBLISHED)
    PublicationFactory(creative=skipped, status=PublicationStatus.SKIPPED)
    PublicationFactory(creative=failed, status=PublicationStatus.FAILED)
    assert _waiting() == {failed.pk, untouched.pk}
    assert [_done(c) for c in (published, skipped, failed, untouched)] == [True, True, False, False]


def test_a_status_written_by_update_or_raw_sql_counts():
    creative = _approved()
    publication = PublicationFactory(creative=creative, status=PublicationStatus.PENDING)
    assert creative.pk in _waiting()
    Publication.objects.filter(pk=publication.pk).update(status=PublicationStatus.SKIPPED)
    assert creative.pk not in _waiting()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE campaigns_publication SET status = %s WHERE id = %s",
                       [PublicationStatus.FAILED, publication.pk])
    assert creative.pk in _waiting()
    publication.refresh_from_db()
    publication.status = PublicationStatus.PUBLISHED
    publication.save()
    assert creative.pk not in _waiting()


def test_deleting_the_publication_puts_the_post_back_in_the_queue():
    publication = PublicationFactory(creative=_approved())
    assert publication.creative_id not in _waiting()
    Publication.objects.filter(pk=publication.pk).delete()
    assert publication.creative_id in _waiting()


def test_bulk_created_publications_count():
    creatives = [_approved() for _ in range(3)]
    Publication.objects.bulk_create([
        Publication(creative=creative, platform=creative.platform, mode="manual",
                    status=PublicationStatus.PUBLISHED)
        for creative in creatives[:2]
    ])
    assert _waiting() == {creatives[2].pk}


def test_moving_a_publication_to_another_creative_moves_the_flag():
    first, second = _approved(), _approved()
    publication = PublicationFactory(creative=first)
    Publication.objects.filter(pk=publication.pk).update(creative=second)
    assert _waiting() == {first.pk}


def test_saving_a_creative_read_before_its_publication_changed_keeps_it_out():
    creative = _approved()
    stale = Creative.objects.get(pk=creative.pk)  # publication_done False, read now
    PublicationFactory(creative=creative)
    stale.caption = "Edited while it was being posted"
    stale.save()  # writes every column, the stale flag too
    assert _done(creative) is True
    assert creative.pk not in _waiting()


def test_a_flag_written_by_hand_is_corrected():
    creative = Creative.objects.create(
        campaign=_approved().campaign, platform="linkedin", caption="New",
        scheduled_at=CreativeFactory.build().scheduled_at, status=CreativeStatus.APPROVED,
        publication_done=True,
    )
    assert _done(creative) is False
    Creative.objects.filter(pk=creative.pk).update(publication_done=True)
    assert _done(creative) is False
    assert creative.pk in _waiting()


def test_a_revised_post_that_goes_back_to_review_leaves_the_queue_and_comes_back():
    creative = _approved()
    Creative.objects.filter(pk=creative.pk).update(status=CreativeStatus.PENDING)
    assert creative.pk not in _waiting()
    Creative.objects.filter(pk=creative.pk).update(status=CreativeStatus.APPROVED)
    assert creative.pk in _waiting()
