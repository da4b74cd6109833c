"""Forms of the Strategy and Creatives sections: they validate input and normalise it to domain
values (lists of pillars, hashtags without #, aware datetimes, a re-encoded image)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from campaigns.images import clean_creative_image
from campaigns.library import set_filter_choices
from campaigns.models import Brand, Campaign, Creative, CreativeStatus
from campaigns.planning import MONTH, WEEK
from campaigns.publishing.platforms import PLATFORM_CHOICES, platform_rules
from campaigns.validation import normalise_hashtags, post_problems


def _lines(value: str) -> list[str]:
    return [line.strip(" -•\t") for line in value.splitlines() if line.strip(" -•\t")]


class PlanForm(forms.Form):
    pillars = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="One content pillar per line."
    )
    audience = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    key_messages = forms.CharField(
        label="Key messages", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One message per line.",
    )
    rationale = forms.CharField(
        label="What changed and why", required=False, widget=forms.Textarea(attrs={"rows": 2}),
    )

    @classmethod
    def for_plan(cls, plan) -> PlanForm:
        if plan is None:
            return cls()
        return cls(initial={
            "pillars": "\n".join(plan.pillars),
            "audience": plan.audience,
            "key_messages": "\n".join(plan.key_messages),
        })

    def clean_pillars(self) -> list[str]:
        pillars = _lines(self.cleaned_data["pillars"])
        if not pillars:
            raise ValidationError("Name at least one content pillar.")
        return pillars

    def clean_key_messages(self) -> list[str]:
        messages = _lines(self.cleaned_data["key_messages"])
        if not messages:
            raise ValidationError("Write at least one key message.")
        return messages


class CalendarForm(forms.Form):
    view = forms.ChoiceField(choices=[(MONTH, "Month"), (WEEK, "Week")], required=False)
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    brand = forms.ModelChoiceField(
        queryset=Brand.objects.only("pk", "name").order_by("name"), required=False,
        empty_label="All brands",
    )
    platform = forms.ChoiceField(choices=[("", "All platforms"), *PLATFORM_CHOICES], required=False)

    def value(self, name: str):
        """The cleaned value, or the empty value when that field was invalid."""
        return self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None


class LibraryFilterForm(forms.Form):
    q = forms.CharField(
        label="Search", required=False, max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Words in the post, a hashtag, a brand…"}),
    )
    brand = forms.ModelChoiceField(
        queryset=Brand.objects.order_by("name"), required=False, empty_label="All brands"
    )
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.select_related("brand").order_by("brand__name", "name"),
        required=False, empty_label="All campaigns",
    )
    platform = forms.ChoiceField(choices=[("", "All platforms"), *PLATFORM_CHOICES], required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *CreativeStatus.choices], required=False
    )
    date_from = forms.DateField(
        label="Scheduled from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="Scheduled to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, stamp: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        set_filter_choices(self, stamp)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
            data.pop("date_to", None)
        return data


class CreativeEditForm(forms.Form):
    caption = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}))
    hashtags = forms.CharField(
        required=False, help_text="Separated by spaces or commas; the # is optional."
    )
    link = forms.URLField(required=False, max_length=500, assume_scheme="https")
    call_to_action = forms.CharField(label="Call to action", required=False, max_length=200)
    scheduled_at = forms.DateTimeField(
        label="Scheduled for",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    image = forms.FileField(
        required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
        help_text="JPEG, PNG, GIF or WebP. Location data is removed.",
    )
    image_alt = forms.CharField(
        label="Image alt text", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What the image shows, for people who cannot see it.",
    )

    def __init__(self, *args, creative: Creative, **kwargs):
        self.creative = creative
        kwargs.setdefault("initial", {
            "caption": creative.caption,
            "hashtags": " ".join(f"#{tag}" for tag in creative.hashtags),
            "link": creative.link,
            "call_to_action": creative.call_to_action,
            "scheduled_at": creative.scheduled_at,
            "image_alt": creative.image_alt,
        })
        super().__init__(*args, **kwargs)

    @property
    def rules(self):
        return platform_rules(self.creative.platform)

    def clean_hashtags(self) -> list[str]:
        return normalise_hashtags(self.cleaned_data["hashtags"])

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if not upload:
            return None  # keep the current image (clearing is not offered)
        return clean_creative_image(upload, self.rules)

    def clean_image_alt(self) -> str:
        alt = self.cleaned_data["image_alt"].strip()
        limit = self.rules.alt_text_limit
        if limit and len(alt) > limit:
            raise ValidationError(f"{self.rules.name} takes alt text of at most {limit:,} characters.")
        return alt

    def clean(self):
        data = super().clean()
        has_image = bool(data.get("image")) or bool(self.creative.image)
        if has_image and "image_alt" in data and not data["image_alt"]:
            self.add_error("image_alt", "Describe the image for people who cannot see it.")
        if "caption" in data and "hashtags" in data and "link" in data:
            for problem in post_problems(
                platform=self.creative.platform, caption=data["caption"],
                hashtags=data["hashtags"], link=data["link"],
            ):
                self.add_error(None, problem)
        return data

    def changes(self) -> dict:
        """The fields that differ from the creative, for creative_revise."""
        data = self.cleaned_data
        current = {
            field: getattr(self.creative, field)
            for field in ("caption", "hashtags", "link", "call_to_action", "image_alt")
        }
        # The form shows the time to the minute: seconds alone are not a reschedule.
        current["scheduled_at"] = self.creative.scheduled_at.replace(second=0, microsecond=0)
        changes = {field: data[field] for field, value in current.items() if data[field] != value}
        if data.get("image"):
            changes["image"] = data["image"]
        return changes


class AdaptForm(forms.Form):
    platform = forms.ChoiceField(label="Platform")

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = choices
