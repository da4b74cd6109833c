"""Forms of the Monitoring section: the filters, figures entered by hand, and the CSV upload."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from aicmo_site.form_renderer import QUICK_RENDERER
from campaigns.metrics import FIGURES, MetricFilters
from campaigns.models import Brand, Campaign
from campaigns.publishing.platforms import PLATFORM_CHOICES


class CampaignChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Campaign) -> str:
        return f"{obj.brand.name} · {obj.name}"


class MetricFilterForm(forms.Form):
    default_renderer = QUICK_RENDERER  # the Monitoring page renders this form on every visit

    campaigns = CampaignChoiceField(
        queryset=Campaign.objects.select_related("brand").order_by("brand__name", "name"),
        required=False, label="Campaigns",
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    brand = forms.ModelChoiceField(
        queryset=Brand.objects.order_by("name"), required=False, empty_label="All brands"
    )
    platform = forms.ChoiceField(
        choices=[("", "All platforms"), *PLATFORM_CHOICES], required=False
    )
    date_from = forms.DateField(
        required=False, label="Published from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="Published until", widget=forms.DateInput(attrs={"type": "date"})
    )
    simulated = forms.BooleanField(
        required=False, label="Include simulated figures",
        widget=forms.CheckboxInput(attrs={"role": "switch"}),
    )
    # Present once the form has been submitted: an unticked switch then means "leave out",
    # while a first visit lets the data decide.
    applied = forms.BooleanField(required=False, widget=forms.HiddenInput, initial=True)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def filters(self) -> MetricFilters:
        data = self.cleaned_data if self.is_valid() else {}
        campaigns = data.get("campaigns")
        # No choice cleans to queryset.none(): evaluating it (even for `or`) compiles its
        # SQL only to find it empty (~0.3 ms on every filtered visit to the page).
        if campaigns is None or campaigns.query.is_empty():
            campaigns = ()
        return MetricFilters(
            campaigns=tuple(campaign.pk for campaign in campaigns),
            brand=data["brand"].pk if data.get("brand") else None,
            platform=data.get("platform") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            include_simulated=bool(data.get("simulated")) if data.get("applied") else None,
        )


def _count_field(label: str, required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=0, required=required,
        error_messages={"min_value": f"{label} cannot be negative.",
                        "invalid": f"{label} must be a whole number."},
        widget=forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
    )


class SnapshotForm(forms.Form):
    """Figures read off the platform's insights; impressions are needed, a blank count keeps
    the previous snapshot's value (0 for the first)."""

    captured_at = forms.DateTimeField(
        label="Captured at", required=False,
        help_text="When you read the figures; leave blank for now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    impressions = _count_field("Impressions", required=True)
    reach = _count_field("Reach")
    likes = _count_field("Likes")
    comments = _count_field("Comments")
    shares = _count_field("Shares")
    saves = _count_field("Saves")
    clicks = _count_field("Clicks")
    video_views = _count_field("Video views")

    def figures(self) -> dict[str, int | None]:
        return {name: self.cleaned_data.get(name) for name in FIGURES}

    def clean_captured_at(self):
        moment = self.cleaned_data.get("captured_at")
        if moment and timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment


class MetricImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="One row per post: url, impressions, and any of reach, likes, comments, "
                  "shares, saves, clicks, video_views, captured_at.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
