"""Factories for leads and the campaign rows leads point at."""

from __future__ import annotations

import datetime

import factory

from campaigns.models import Brand, Campaign
from leads.models import Lead, ScoringRule


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    brand = factory.SubFactory(BrandFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    objectives = "Win leads."
    platforms = ["linkedin"]
    start_date = datetime.date(2026, 11, 1)
    end_date = datetime.date(2026, 12, 31)


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    email = factory.Sequence(lambda n: f"lead{n}@example.com")
    name = factory.Sequence(lambda n: f"Lead {n}")
    source = "manual"


class ScoringRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoringRule

    field = "title"
    condition = "contains"
    value = "Head"
    points = 20


def bulk_leads(count: int, start: int = 0, **fields) -> list[Lead]:
    """Many leads in one INSERT (factories would take one query each)."""
    return Lead.objects.bulk_create(
        [Lead(email=f"bulk{start + i}@example.com", name=f"Bulk {start + i}", **fields)
         for i in range(count)],
        batch_size=2000,
    )
