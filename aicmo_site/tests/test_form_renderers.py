"""The quick form renderer (aicmo_site.form_renderer) writes the same fields as Django's
templates for the Monitoring filter form's kinds of widget."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms

from aicmo_site.form_renderer import QUICK_RENDERER


class _Sample(forms.Form):
    text = forms.CharField(required=False, widget=forms.TextInput(attrs={"placeholder": 'a "b" <c>'}))
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    hidden = forms.BooleanField(required=False, widget=forms.HiddenInput, initial=True)
    switch = forms.BooleanField(required=False, widget=forms.CheckboxInput(attrs={"role": "switch"}))
    count = forms.IntegerField(required=True, widget=forms.NumberInput(attrs={"min": 0, "step": 1}))
    note = forms.CharField(required=False, widget=forms.Textarea)
    kind = forms.ChoiceField(required=False, choices=[("", "Any"), ("a", "A & B")])


@pytest.mark.embedded
@pytest.mark.parametrize("data", [
    None,
    {"text": "<script>&amp;", "day": "2025-01-02", "hidden": "True", "switch": "on", "count": "3",
     "note": "x<y", "kind": "a"},
    {"text": "", "day": "not a date", "count": "", "kind": "zzz"},
])
def test_quick_inputs_render_as_django_renders(data):
    initial = {"day": date(2024, 5, 6), "text": "'quoted'"}
    django_form = _Sample(data, initial=initial)
    quick_form = _Sample(data, initial=initial, renderer=QUICK_RENDERER)
    for name in django_form.fields:
        assert str(quick_form[name]) == str(django_form[name]), name
        assert str(quick_form[name].errors) == str(django_form[name].errors), name
