"""The agency's knowledge base, retrospectives and insights.

Insights are not stored: they are computed by the database from publications, metric snapshots
and reviews each time they are asked for (see kaizen/insights.py). A stored copy would go stale
with every new snapshot or review and would need a job to refresh it; the queries are a handful
of grouped aggregates over indexed tables, cheap enough to run on demand.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Article(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    body = models.TextField(help_text="Markdown.")
    tags = models.JSONField(default=list, blank=True)
    brand = models.ForeignKey(
        "campaigns.Brand", on_delete=models.SET_NULL, null=True, blank=True, related_name="articles"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("kaizen:article", args=[self.slug])


class ArticleRevision(models.Model):
    """What an article said at each version, and who wrote that version."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    tags = models.JSONField(default=list, blank=True)
    brand = models.ForeignKey(
        "campaigns.Brand", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["article", "version"], name="article_revision_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class Retrospective(models.Model):
    """One per campaign, opened when the campaign is complete."""

    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="retrospective"
    )
    what_worked = models.TextField(blank=True)
    what_did_not = models.TextField("what did not work", blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"Retrospective of {self.campaign}"

    def get_absolute_url(self) -> str:
        return reverse("kaizen:retrospective", args=[self.pk])


class ActionItem(models.Model):
    retrospective = models.ForeignKey(
        Retrospective, on_delete=models.CASCADE, related_name="action_items"
    )
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="kaizen_action_items"
    )
    due_date = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["done_at", "due_date"], name="actionitem_open_due")]

    def __str__(self) -> str:
        return self.description

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_overdue(self) -> bool:
        return not self.is_done and self.due_date < timezone.localdate()
