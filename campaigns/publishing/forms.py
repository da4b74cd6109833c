"""Forms of the Execution section: they validate and normalise; services decide."""

from __future__ import annotations

import json

from django import forms

from campaigns.models import AdapterKind, Brand, Campaign
from campaigns.publishing.platforms import PLATFORM_CHOICES

WHEN_CHOICES = [
    ("", "Any time"),
    ("overdue", "Overdue"),
    ("today", "Due today"),
    ("upcoming", "Upcoming"),
]


class QueueFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(
        Campaign.objects.select_related("brand").order_by("brand__name", "name"),
        required=False, empty_label="All campaigns",
    )
    brand = forms.ModelChoiceField(Brand.objects.order_by("name"), required=False,
                                   empty_label="All brands")
    platform = forms.ChoiceField(choices=[("", "All platforms"), *PLATFORM_CHOICES],
                                 required=False)
    when = forms.ChoiceField(choices=WHEN_CHOICES, required=False, label="Due")
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                           label="On")


class PostUrlForm(forms.Form):
    url = forms.CharField(
        label="The post's link", max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://…", "autocomplete": "off"}),
    )
    session = forms.BooleanField(required=False, widget=forms.HiddenInput)


class SkipForm(forms.Form):
    reason = forms.CharField(
        label="Why skip this post?", max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "e.g. the event was cancelled"}),
    )
    session = forms.BooleanField(required=False, widget=forms.HiddenInput)


class SessionForm(forms.Form):
    """The hidden "walking through a posting session" flag of proof and live actions."""

    session = forms.BooleanField(required=False, widget=forms.HiddenInput)


class CredentialForm(forms.Form):
    """A brand's live adapter for one platform. The secret is write-only."""

    brand = forms.ModelChoiceField(Brand.objects.order_by("name"))
    platform = forms.ChoiceField(choices=PLATFORM_CHOICES)
    adapter = forms.ChoiceField(choices=AdapterKind.choices)
    config = forms.CharField(
        label="Configuration (JSON)", required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false",
                                     "placeholder": '{"url": "https://hooks.zapier.com/…"}'}),
        help_text='Webhook: {"url": …}. Mastodon: {} or {"api_base": …}. '
                  'Bluesky: {"handle": …, "service": "https://bsky.social"}.',
    )
    secret = forms.CharField(
        required=False, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Signing secret, access token or app password. Never shown again; leave "
                  "blank to keep the stored one.",
    )
    enabled = forms.BooleanField(required=False, initial=True)

    def clean_config(self) -> dict:
        raw = self.cleaned_data["config"].strip() or "{}"
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc.args[0]}") from exc
        if not isinstance(value, dict):
            raise forms.ValidationError("The configuration must be a JSON object: {…}.")
        return value
