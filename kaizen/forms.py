"""Input validation for Learn / Kaizen: forms turn what was typed into domain values."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import get_user_model

from campaigns.models import Brand

TAG_PATTERN = re.compile(r"[^a-z0-9-]+")
MAX_TAGS = 12


def normalise_tags(raw: str) -> list[str]:
    """'SEO, Launch  checklist,#seo' → ['seo', 'launch-checklist']: lower case, hyphens, unique."""
    tags: list[str] = []
    for part in raw.split(","):
        tag = TAG_PATTERN.sub("-", part.strip().lstrip("#").lower()).strip("-")
        if tag and tag not in tags:
            tags.append(tag[:40])
    return tags


class ArticleForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 16}), help_text="Markdown.")
    tags = forms.CharField(
        required=False, max_length=500, help_text="Comma-separated, e.g. launch, linkedin."
    )
    brand = forms.ModelChoiceField(
        queryset=Brand.objects.order_by("name"), required=False, empty_label="All brands"
    )

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError("Give the article a title.")
        return title

    def clean_body(self) -> str:
        # Control characters have no place in prose and would confuse search highlighting.
        body = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", self.cleaned_data["body"])
        if not body.strip():
            raise forms.ValidationError("Write something in the body.")
        return body.replace("\r\n", "\n")

    def clean_tags(self) -> list[str]:
        tags = normalise_tags(self.cleaned_data["tags"])
        if len(tags) > MAX_TAGS:
            raise forms.ValidationError(f"Use at most {MAX_TAGS} tags.")
        return tags


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    tag = forms.CharField(required=False, max_length=40)
    brand = forms.ModelChoiceField(
        queryset=Brand.objects.order_by("name"), required=False, empty_label="All brands",
        to_field_name="slug",
    )

    def clean_tag(self) -> str:
        tags = normalise_tags(self.cleaned_data["tag"])
        return tags[0] if tags else ""


class RetrospectiveForm(forms.Form):
    what_worked = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5}), label="What worked"
    )
    what_did_not = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5}), label="What did not work"
    )


class ActionItemForm(forms.Form):
    description = forms.CharField(max_length=300, label="Action")
    owner = forms.ModelChoiceField(queryset=get_user_model().objects.none(), empty_label=None)
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Due")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            get_user_model().objects.filter(is_active=True, groups__name__in=["Operator", "Approver"])
            .distinct().order_by("first_name", "username")
        )
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username

    def clean_description(self) -> str:
        text = " ".join(self.cleaned_data["description"].split())
        if not text:
            raise forms.ValidationError("Say what should be done.")
        return text


class InsightsFilterForm(forms.Form):
    brand = forms.ModelChoiceField(
        queryset=Brand.objects.order_by("name"), required=False, empty_label="All brands",
        to_field_name="slug",
    )
