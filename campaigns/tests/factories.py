"""Factories for the campaigns models (factory_boy)."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from campaigns.models import (
    Brand,
    Campaign,
    Creative,
    CreativeStatus,
    MetricSnapshot,
    Plan,
    Publication,
    PublicationStatus,
    Review,
)


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")
    industry = "Coffee"
    audience = "Home baristas"
    voice = "Warm and precise"
    default_hashtags = factory.LazyFunction(lambda: ["coffee"])
    website = "https://brand.example"
    mastodon_instance = "mastodon.social"


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    brand = factory.SubFactory(BrandFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    objectives = "Grow newsletter sign-ups"
    platforms = factory.LazyFunction(lambda: ["linkedin"])
    cadence = 3
    start_date = factory.LazyFunction(lambda: date.today())
    end_date = factory.LazyAttribute(lambda o: o.start_date + timedelta(days=27))


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    campaign = factory.SubFactory(CampaignFactory)
    version = 1
    pillars = factory.LazyFunction(lambda: ["Craft", "Community"])
    audience = "Home baristas"
    key_messages = factory.LazyFunction(lambda: ["Fresh beans, roasted weekly"])
    engine = "local"


class CreativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Creative

    campaign = factory.SubFactory(CampaignFactory)
    platform = "linkedin"
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    pillar = "Craft"
    caption = factory.Sequence(lambda n: f"Post number {n}: how we roast.")
    hashtags = factory.LazyFunction(lambda: ["coffee"])
    link = "https://brand.example/roasting"
    status = CreativeStatus.PENDING
    version = 1


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    creative = factory.SubFactory(CreativeFactory)
    version = factory.LazyAttribute(lambda o: o.creative.version)
    decision = "approved"


class PublicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Publication

    creative = factory.SubFactory(CreativeFactory, status=CreativeStatus.APPROVED)
    platform = factory.LazyAttribute(lambda o: o.creative.platform)
    mode = "manual"
    status = PublicationStatus.PUBLISHED
    url = factory.Sequence(lambda n: f"https://www.linkedin.com/feed/update/urn:li:activity:{n}")
    published_at = factory.LazyFunction(timezone.now)


class MetricSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MetricSnapshot

    publication = factory.SubFactory(PublicationFactory)
    impressions = 1000
    reach = 800
    likes = 40
    comments = 5
    shares = 3
    saves = 2
    clicks = 25
    source = "manual"
