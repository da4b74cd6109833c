"""The agency's knowledge base, retrospectives and insights."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("kaizen:article", args=[self.slug])
