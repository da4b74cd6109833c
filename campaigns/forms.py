"""Input for the campaigns wizard and the approval queue: validated and normalised here."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from campaigns.models import Brand, Campaign, PostingMode
from campaigns.publishing.platforms import PLATFORM_CHOICES
from campaigns.validation import normalise_hashtags, post_problems


class CampaignForm(forms.Form):
    brand = forms.ModelChoiceField(queryset=Brand.objects.order_by("name"), empty_label="Choose a brand")
    name = forms.CharField(max_length=160)
    objectives = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the campaign must achieve, one per line (e.g. grow newsletter sign-ups).",
    )
    platforms = forms.MultipleChoiceField(
        choices=PLATFORM_CHOICES, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one platform."},
    )
    cadence = forms.IntegerField(
        label="Posts per week", min_value=1, max_value=21, initial=3,
        help_text="Per platform: between 1 and 21.",
    )
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the campaign a name.")
        return name

    def clean(self):
        cleaned = super().clean()
        brand, name = cleaned.get("brand"), cleaned.get("name")
        if brand and name and Campaign.objects.filter(brand=brand, name__iexact=name).exists():
            self.add_error("name", f"{brand.name} already has a campaign called “{name}”.")
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date cannot be before the start date.")
        return cleaned


class DecisionForm(forms.Form):
    """The version the reviewer saw goes with every decision: a double click or a stale page
    can never decide a newer version."""

    version = forms.IntegerField(min_value=1)


class RejectForm(DecisionForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
        error_messages={"required": "Say why the post is rejected, so it can be revised."},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why the post is rejected, so it can be revised.")
        return reason


class ReviseForm(forms.Form):
    caption = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}))
    hashtags = forms.CharField(required=False, help_text="Separated by spaces or commas; # optional.")
    link = forms.URLField(required=False, max_length=500, assume_scheme="https")
    call_to_action = forms.CharField(required=False, max_length=200)
    scheduled_at = forms.DateTimeField(
        label="Scheduled for", widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                          format="%Y-%m-%dT%H:%M"),
    )
    image_alt = forms.CharField(label="Image alt text", required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, creative, **kwargs):
        self.creative = creative
        kwargs.setdefault("initial", {
            "caption": creative.caption,
            "hashtags": " ".join(f"#{tag}" for tag in creative.hashtags),
            "link": creative.link,
            "call_to_action": creative.call_to_action,
            "scheduled_at": timezone.localtime(creative.scheduled_at),
            "image_alt": creative.image_alt,
        })
        super().__init__(*args, **kwargs)

    def clean_hashtags(self) -> list[str]:
        return normalise_hashtags(self.cleaned_data.get("hashtags") or "")

    def clean(self):
        cleaned = super().clean()
        if {"caption", "hashtags", "link"} <= cleaned.keys():
            for problem in post_problems(platform=self.creative.platform,
                                         caption=cleaned["caption"],
                                         hashtags=cleaned["hashtags"], link=cleaned["link"]):
                field = "hashtags" if "hashtag" in problem else "caption"
                self.add_error(field, problem)
        return cleaned


class PostingModeForm(forms.Form):
    posting_mode = forms.ChoiceField(
        label="Posting mode", choices=PostingMode.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose how the approved posts go out."},
    )
