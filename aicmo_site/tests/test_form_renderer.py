"""QuickFormRenderer writes what Django's widget templates write, byte for byte."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import get_default_renderer
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from aicmo_site.form_renderer import QUICK_RENDERER

GROUPED = [
    ("", "—"),
    ("Social", [("x", "X <the> app"), ("li", "LinkedIn")]),
    ("Mail & more", [("nl", "Newsletter")]),
    (3, 1234),
]


class CustomOption(forms.RadioSelect):
    option_template_name = "django/forms/widgets/checkbox_option.html"  # not radio's own


class UnwrappedOptions(forms.CheckboxSelectMultiple):
    def create_option(self, *args, **kwargs):
        return {**super().create_option(*args, **kwargs), "wrap_label": False}


class EveryWidget(forms.Form):
    text = forms.CharField(max_length=20, widget=forms.TextInput(attrs={
        "class": "wide", "placeholder": 'say "<hi>" & go', "autofocus": True, "readonly": False,
        "data-safe": mark_safe("<b>"), "data-n": 7,
    }))
    email = forms.EmailField(required=False, help_text="We write rarely.")
    number = forms.IntegerField(min_value=0, max_value=1000, initial=5)
    decimal = forms.DecimalField(required=False, decimal_places=2)
    url = forms.URLField(required=False, assume_scheme="https")
    time = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    secret = forms.CharField(required=False, widget=forms.PasswordInput)
    hidden = forms.CharField(required=False, widget=forms.HiddenInput, initial="h&1")
    upload = forms.FileField(required=False)
    required_upload = forms.FileField(label="CSV file")
    agree = forms.BooleanField(required=False, label=gettext_lazy("I agree"))
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    level = forms.ChoiceField(choices=[("off", "Off"), ("on", "On & up")], initial="on")
    grouped = forms.ChoiceField(choices=GROUPED, required=False)
    many = forms.MultipleChoiceField(choices=GROUPED, required=False)
    boxes = forms.MultipleChoiceField(
        choices=GROUPED, required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "boxes"}),
    )
    flat_boxes = forms.MultipleChoiceField(
        choices=[("a", "A"), ("b", "<B>")], required=False, widget=forms.CheckboxSelectMultiple,
    )
    unwrapped = forms.MultipleChoiceField(choices=[("a", "A")], widget=UnwrappedOptions,
                                          required=False)
    radio = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect,
                              required=False)
    custom = forms.ChoiceField(choices=[("a", "A")], widget=CustomOption, required=False)

    def clean(self):
        raise forms.ValidationError("Something is off as a whole <really>.")


FILLED = {
    "text": "a <b> & c", "email": "not-an-email", "number": "2000", "decimal": "1.5",
    "url": "example.com", "time": "25:00", "date": "2026-12-01", "secret": "s3",
    "hidden": "x\"y", "agree": "on", "notes": "<script>alert(1)</script>\nline two",
    "level": "nope", "grouped": "li", "many": ["x", "nl"], "boxes": ["li", "3"],
    "flat_boxes": ["b"], "radio": "b", "custom": "a",
}


def _pair(**kwargs):
    return (EveryWidget(renderer=QUICK_RENDERER, **kwargs),
            EveryWidget(renderer=get_default_renderer(), **kwargs))


@pytest.mark.embedded
@pytest.mark.parametrize("kwargs", [{}, {"data": FILLED}, {"data": {}}, {"auto_id": False},
                                    {"initial": {"many": ["x"], "boxes": ["nl"], "agree": True}}],
                         ids=["unbound", "filled-in", "empty", "no-ids", "initial"])
def test_quick_renderer_writes_what_the_templates_write(kwargs):
    quick, stock = _pair(**kwargs)
    quick.is_valid(), stock.is_valid()
    for name in EveryWidget.base_fields:
        assert str(quick[name]) == str(stock[name]), name
        assert str(quick[name].errors) == str(stock[name].errors), name
    assert str(quick.non_field_errors()) == str(stock.non_field_errors())
    assert quick.as_div() == stock.as_div()


@pytest.mark.embedded
def test_quick_renderer_escapes_what_the_data_says():
    quick, _ = _pair(data=FILLED)
    assert "&lt;script&gt;" in str(quick["notes"])
    assert 'value="a &lt;b&gt; &amp; c"' in str(quick["text"])
