"""Forms of the Execution section: they validate and normalise; services decide."""

from __future__ import annotations

from django import forms

from campaigns.models import Brand, Campaign
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
