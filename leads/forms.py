"""Forms for Intake and Lead Gen: they validate and normalise, services write."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.functional import cached_property

from aicmo_site.form_renderer import QUICK_RENDERER
from aicmo_site.params import MAX_ID, positive_id
from leads.importing import IMPORT_FIELDS
from leads.models import (
    NUMERIC_SCORING_FIELDS,
    ActivityKind,
    ScoringCondition,
    ScoringField,
    ScoringRule,
)
from leads.statuses import LeadStatus, normalise_status


class StatusField(forms.CharField):
    """Any incoming status, legacy spellings and all; cleaned to itself (normalised later by the
    service, which also keeps an unknown value in a note rather than refusing it)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 60)
        kwargs.setdefault(
            "widget", forms.Select(choices=[("", "—"), *LeadStatus.choices])
        )
        super().__init__(**kwargs)


class LeadForm(forms.Form):
    default_renderer = QUICK_RENDERER  # Intake shows it on every visit

    email = forms.EmailField(max_length=254)
    name = forms.CharField(max_length=200, required=False)
    phone = forms.CharField(max_length=50, required=False)
    company = forms.CharField(max_length=200, required=False)
    company_size = forms.IntegerField(min_value=0, required=False)
    title = forms.CharField(label="Job title", max_length=200, required=False)
    website = forms.URLField(max_length=300, required=False, assume_scheme="https")
    source = forms.CharField(max_length=60, required=False, initial="manual")
    status = forms.CharField(
        max_length=60, required=False,
        help_text="Older names are converted (Engaged → Replied); anything unknown goes to "
        "Manual review with your text kept in the notes.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def clean_status(self) -> str:
        return self.cleaned_data["status"].strip()

    def contact_values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in
                ("name", "phone", "company", "company_size", "title", "website")}


class UploadForm(forms.Form):
    default_renderer = QUICK_RENDERER

    file = forms.FileField(label="CSV file")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.LEADS_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size // 1_000_000} MB; the limit is {limit // 1_000_000} MB."
            )
        return upload


FIELD_CHOICES = [("", "(ignore)"), *((name, label) for name, (label, _) in IMPORT_FIELDS.items())]


class MappingForm(forms.Form):
    """One select per column of the file, preset to the guessed lead field."""

    def __init__(self, *args, headers: list[str], mapping: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header or f"Column {index + 1}", choices=FIELD_CHOICES, required=False,
                initial=mapping.get(str(index), ""),
            )

    def clean(self):
        cleaned = super().clean()
        chosen = [value for key, value in cleaned.items() if key.startswith("col_") and value]
        if "email" not in chosen:
            raise forms.ValidationError("Choose the column that holds the email address.")
        repeated = sorted({value for value in chosen if chosen.count(value) > 1})
        if repeated:
            labels = ", ".join(IMPORT_FIELDS[name][0] for name in repeated)
            raise forms.ValidationError(f"Each field may come from one column only: {labels}.")
        return cleaned

    def mapping(self) -> dict[str, str]:
        return {
            key.removeprefix("col_"): value
            for key, value in self.cleaned_data.items()
            if key.startswith("col_") and value
        }

    def columns(self):
        return [(header, self[f"col_{index}"]) for index, header in enumerate(self.headers)]


class PublicLeadForm(forms.Form):
    """The embeddable form. `fax_number` is a honeypot: hidden from people, filled by bots."""

    name = forms.CharField(max_length=200)
    email = forms.EmailField(max_length=254)
    company = forms.CharField(max_length=200, required=False)
    title = forms.CharField(label="Job title", max_length=200, required=False)
    phone = forms.CharField(max_length=50, required=False)
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              max_length=2000)
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": "Please agree to be contacted so we can reply."},
    )
    fax_number = forms.CharField(required=False, label="Leave this field empty")
    utm_source = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)
    utm_campaign = forms.CharField(max_length=180, required=False, widget=forms.HiddenInput)
    utm_content = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)

    def is_bot(self) -> bool:
        return bool(self.data.get("fax_number", "").strip())


class LeadFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    status = forms.CharField(required=False, max_length=60)
    min_score = forms.IntegerField(label="Score from", required=False)
    max_score = forms.IntegerField(label="to", required=False)
    source = forms.CharField(required=False, max_length=60)
    owner = forms.CharField(required=False, max_length=20)
    campaign = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)

    def clean_status(self) -> str:
        raw = self.cleaned_data["status"]
        if not raw.strip():
            return ""
        status, known = normalise_status(raw)
        return status if known else LeadStatus.MANUAL_REVIEW

    def clean_owner(self) -> str:
        owner = self.cleaned_data["owner"].strip()
        if owner and owner != "none" and positive_id(owner) is None:
            raise forms.ValidationError("Choose an owner from the list.")
        return owner

    @cached_property
    def chosen(self) -> dict[str, str]:
        """What each filter <select> shows as chosen: the status as understood (a legacy name
        selects its canonical status), the source, owner and campaign as typed."""
        chosen = {"status": getattr(self, "cleaned_data", {}).get("status") or ""}
        for name in ("source", "owner", "campaign"):
            value = self[name].value()
            chosen[name] = "" if value is None else str(value)
        return chosen


class BulkForm(forms.Form):
    ACTIONS = [("status", "Set status"), ("owner", "Set owner"), ("export", "Export CSV")]
    action = forms.ChoiceField(choices=ACTIONS)
    leads = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True, error_messages={
        "required": "Select at least one lead first."})
    status = forms.CharField(required=False, max_length=60)
    owner = forms.CharField(required=False, max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is acceptable here; the service filters to leads that exist.
        self.fields["leads"].valid_value = lambda value: str(value).isdigit()

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == "status" and not cleaned.get("status", "").strip():
            self.add_error("status", "Choose the status to set.")
        if action == "owner":
            owner = cleaned.get("owner", "").strip()
            if owner == "none":
                cleaned["owner_user"] = None
            elif owner.isdigit():
                user = get_user_model().objects.filter(pk=int(owner), is_active=True).first()
                if user is None:
                    self.add_error("owner", "That user does not exist.")
                cleaned["owner_user"] = user
            else:
                self.add_error("owner", "Choose the owner to set.")
        return cleaned


class StatusChangeForm(forms.Form):
    status = StatusField()
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def clean_status(self) -> str:
        value = self.cleaned_data["status"].strip()
        if not value:
            raise forms.ValidationError("Choose a status.")
        return value


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(ActivityKind.NOTE, "Note"), (ActivityKind.TOUCH, "Touch (call, email, meeting)")]
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class OwnerForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=None, required=False, empty_label="(nobody)")

    def __init__(self, *args, **kwargs):
        from leads.selectors import lead_owners

        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = lead_owners()


class RoutingForm(forms.Form):
    threshold = forms.IntegerField(label="Minimum score", initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["threshold"].initial = settings.LEADS_ROUTING_THRESHOLD


class ScoringRuleForm(forms.ModelForm):
    class Meta:
        model = ScoringRule
        fields = ["field", "condition", "value", "points", "active"]

    def clean(self):
        cleaned = super().clean()
        field, condition = cleaned.get("field"), cleaned.get("condition")
        value = (cleaned.get("value") or "").strip()
        if not field or not condition:
            return cleaned
        numeric = field in NUMERIC_SCORING_FIELDS
        if numeric:
            if condition == ScoringCondition.CONTAINS:
                self.add_error("condition", "A number can be compared, not searched: use is, "
                                            "is at least or is at most.")
            if not value.lstrip("-").isdigit():
                self.add_error("value", "Enter a whole number.")
        else:
            if condition in (ScoringCondition.AT_LEAST, ScoringCondition.AT_MOST):
                self.add_error("condition", "Text can be matched with contains or is.")
            if field == ScoringField.STATUS:
                status, known = normalise_status(value)
                if not known or not value:
                    self.add_error("value", "Enter a status, e.g. REPLIED.")
                value = status
        cleaned["value"] = value
        return cleaned
