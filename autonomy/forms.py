from __future__ import annotations

from django import forms

from aicmo_site.form_renderer import QUICK_RENDERER
from autonomy.models import AutonomyPolicy
from autonomy.policy import DEFAULT_DAILY_LIMITS, KIND_LEVELS
from campaigns.publishing.platforms import PLATFORM_CHOICES

KIND_LABELS = {
    "generate_drafts": "Generate drafts",
    "rescore_leads": "Rescore leads",
    "route_leads": "Route leads",
    "prepare_posting_session": "Prepare posting sessions",
    "approve_creative": "Approve creatives",
    "publish_creative": "Publish posts",
}


class PolicyForm(forms.ModelForm):
    default_renderer = QUICK_RENDERER  # a dozen widgets on the Autonomy page

    live_platforms = forms.MultipleChoiceField(
        choices=PLATFORM_CHOICES, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Platforms the worker may post to live at the Autonomous level.",
    )

    class Meta:
        model = AutonomyPolicy
        fields = ["level", "quiet_hours_start", "quiet_hours_end", "live_platforms"]
        widgets = {
            "quiet_hours_start": forms.TimeInput(attrs={"type": "time"}),
            "quiet_hours_end": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits = (self.instance.daily_limits or {}) if self.instance else {}
        for kind in KIND_LEVELS:
            self.fields[f"limit_{kind}"] = forms.IntegerField(
                label=f"{KIND_LABELS[kind]} per day", min_value=0, max_value=1000,
                initial=limits.get(kind, DEFAULT_DAILY_LIMITS[kind]),
            )

    def limit_fields(self):
        return [self[f"limit_{kind}"] for kind in KIND_LEVELS]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("quiet_hours_start"), cleaned.get("quiet_hours_end")
        if (start is None) != (end is None):
            raise forms.ValidationError("Give both ends of the quiet hours, or neither.")
        return cleaned

    def save(self, commit=True):
        policy = super().save(commit=False)
        policy.daily_limits = {kind: self.cleaned_data[f"limit_{kind}"] for kind in KIND_LEVELS}
        if commit:
            policy.save()
        return policy


class KillSwitchForm(forms.Form):
    on = forms.BooleanField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        required=False, max_length=500, widget=forms.TextInput(attrs={"placeholder": "Why?"})
    )
