"""fast_html's quick_input writes exactly what Django's input templates write."""

from __future__ import annotations

import pytest
from django import forms
from django.utils.safestring import mark_safe

from aicmo_site.templatetags.fast_html import quick_input, quick_select

pytestmark = pytest.mark.embedded


class _Inputs(forms.Form):
    q = forms.CharField(required=False, max_length=20, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": 'Say "<hi>" & more', "autofocus": True,
               "disabled": False, "data-safe": mark_safe("<b>")}))
    name = forms.CharField(label="Name")
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    when = forms.DateTimeField(required=False, widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    count = forms.IntegerField(required=False, min_value=1)
    email = forms.EmailField(required=False)
    site = forms.URLField(required=False)
    secret = forms.CharField(required=False, widget=forms.PasswordInput)
    note = forms.CharField(required=False, widget=forms.Textarea)
    kind = forms.ChoiceField(required=False, choices=[("", "Any"), ("a", "A & <b>"), ("b", "B")])


@pytest.mark.parametrize("data", [
    None,
    {},
    {"q": '"<x>" & y', "name": "", "day": "2026-11-18", "when": "2026-11-18T09:30",
     "count": "0", "email": "nope", "site": "x", "secret": "s", "note": "<n>", "kind": "a"},
    {"day": "not a day", "count": "3", "kind": "zzz", "name": "Ann"},
])
def test_quick_input_writes_what_the_widgets_write(data):
    form = _Inputs(data)
    if data is not None:
        form.is_valid()
    for field in form:
        assert quick_input(field) == field.as_widget(), field.name
        if field.name != "kind":  # quick_select writes its selects itself, inputs as quick_input
            assert quick_select(field) == field.as_widget(), field.name


def test_initial_values_are_formatted_as_the_widgets_format_them():
    import datetime

    form = _Inputs(initial={"day": datetime.date(2026, 1, 2), "count": 5,
                            "when": datetime.datetime(2026, 1, 2, 3, 4)})
    for field in form:
        assert quick_input(field) == field.as_widget(), field.name


@pytest.mark.parametrize("text", [
    "", "short and plain", "x" * 70, "x" * 71, "café " * 20, "cafe\u0301 court",
    "e\u0301" * 40, "<b>tags & more</b> " * 6,
])
@pytest.mark.parametrize("limit", [1, 15, 70])
def test_truncate_chars_writes_what_truncatechars_writes(text, limit):
    from django.template.defaultfilters import truncatechars

    from aicmo_site.html import truncate_chars

    assert truncate_chars(text, limit) == truncatechars(text, limit)
