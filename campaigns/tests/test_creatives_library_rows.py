"""The library's unsearched pages are read by its own statement (campaigns.library.LibraryCards):
the same cards, in the same order, as the ORM's creative_library(), which a search still uses."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.library import CARD_COLUMNS, LibraryCards, LibraryFilters, creative_library
from campaigns.models import CreativeStatus
from campaigns.tests.factories import BrandFactory, CampaignFactory, CreativeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

DAY = date(2026, 3, 10)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@pytest.fixture(params=["UTC", "America/New_York"])
def zone(request):
    """The operator's time zone: a day's filter starts at its own midnight."""
    with timezone.override(request.param):
        yield request.param


@pytest.fixture
def library(zone):
    brand, other_brand = BrandFactory(name="Roastery & Co"), BrandFactory(name="Bakery")
    campaigns = [CampaignFactory(brand=brand, name="Spring <launch>"),
                 CampaignFactory(brand=brand), CampaignFactory(brand=other_brand)]
    # Either side of each day's midnight, and equal times (the id breaks the tie).
    times = [_midnight(DAY) - timedelta(microseconds=1), _midnight(DAY), _midnight(DAY),
             _midnight(DAY + timedelta(days=1)) - timedelta(seconds=1),
             _midnight(DAY + timedelta(days=1))]
    values = itertools.product(campaigns, ["linkedin", "instagram"],
                               [CreativeStatus.PENDING, CreativeStatus.APPROVED], times)
    for index, (campaign, platform, status, scheduled) in enumerate(values):
        CreativeFactory(campaign=campaign, platform=platform, status=status,
                        scheduled_at=scheduled, version=1 + index % 3,
                        image=f"creatives/{index}.png" if index % 4 == 0 else "",
                        image_alt="A cup" if index % 4 == 0 else "")
    return {"brand": brand, "campaign": campaigns[0]}


def _filter_sets(library) -> list[LibraryFilters]:
    return [
        LibraryFilters(), LibraryFilters(brand=library["brand"]),
        LibraryFilters(campaign=library["campaign"]), LibraryFilters(platform="instagram"),
        LibraryFilters(status=CreativeStatus.APPROVED), LibraryFilters(date_from=DAY),
        LibraryFilters(date_to=DAY), LibraryFilters(date_from=DAY, date_to=DAY),
        LibraryFilters(brand=library["brand"], campaign=library["campaign"], platform="linkedin",
                       status=CreativeStatus.PENDING, date_from=DAY, date_to=DAY),
        LibraryFilters(platform="threads"),
    ]


def _orm_cards(filters: LibraryFilters) -> list[dict]:
    return list(creative_library(filters).values(*CARD_COLUMNS))


def test_cards_are_the_orm_s_for_every_filter(library):
    for filters in _filter_sets(library):
        assert LibraryCards(filters)[0:1000] == _orm_cards(filters), filters


def test_a_page_of_cards_is_a_slice_of_the_library(library):
    filters = LibraryFilters(brand=library["brand"])
    assert LibraryCards(filters)[5:10] == _orm_cards(filters)[5:10]


def test_a_card_s_time_is_an_aware_datetime(library):
    card = LibraryCards(LibraryFilters())[0:1][0]
    assert card["scheduled_at"] == _midnight(DAY + timedelta(days=1))
    assert timezone.is_aware(card["scheduled_at"])


def test_an_empty_page_of_cards_reads_nothing(library):
    with CaptureQueriesContext(connection) as queries:
        assert LibraryCards(LibraryFilters())[0:0] == []
    assert len(queries) == 0
