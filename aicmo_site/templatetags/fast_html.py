"""Tags for long <select>s, shared by the list pages' filter forms.

A filter form's campaign select holds one <option> per campaign (hundreds): Django's Select
widget renders each option through two template files, which cost more than everything else on
those pages. `quick_select` renders the same markup in Python through the field's own BoundField
(id, name, required, aria attributes, the selected value and the choices are Django's);
`option_tags` writes the <option>s of a hand-written <select>; `select_option` selects one in
<option>s that option_tags wrote and a page cached. `quick_input` does the same as quick_select
for a plain <input> (text, search, date...), whose two template files cost more than the
filters' own work on a list page.
"""

from __future__ import annotations

import copy
from types import MethodType

from django import forms, template
from django.forms.boundfield import BoundField
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from aicmo_site.form_renderer import input_tag
from aicmo_site.html import escape, option_tags, select_option

register = template.Library()
register.simple_tag(option_tags)
register.simple_tag(select_option)


class QuickSelect(forms.Select):
    """A single-choice select rendered without templates; flat choices only (no optgroups)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        selected = set(self.format_value(value))
        prepared = getattr(self.choices, "option_tags", None)
        if prepared is not None:  # choices that keep their markup (campaigns.library's)
            options = prepared(selected)
        else:
            options = "\n".join(self._option(str(option), label, selected)
                                for option, label in self.choices)
        attrs = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>\n{}\n</select>', name, flatatt(attrs),
                           mark_safe(options))  # noqa: S308 (each part escaped)

    @staticmethod
    def _option(option: str, label, selected: set[str]) -> str:
        return (
            f'<option value="{escape(option)}"{" selected" if option in selected else ""}>'
            f"{label.__html__() if hasattr(label, '__html__') else escape(str(label))}</option>"
        )


def _flat(choices) -> bool:
    # A ModelChoiceIterator is flat, and so are choices that keep their markup; a plain list
    # may hold optgroups (a label and a list).
    if isinstance(choices, forms.models.ModelChoiceIterator) or hasattr(choices, "option_tags"):
        return True
    return not any(
        isinstance(label, (list, tuple)) for _, label in choices
    )


# Django's widgets whose template is input.html alone (django/forms/widgets/<type>.html includes
# it), by exact class: a subclass may add to its context or use a template of its own.
PLAIN_INPUTS = (forms.TextInput, forms.NumberInput, forms.EmailInput, forms.URLInput,
                forms.DateInput, forms.DateTimeInput, forms.TimeInput,
                *(getattr(forms, name) for name in ("SearchInput", "TelInput", "ColorInput")
                  if hasattr(forms, name)))


def _render_input(widget: forms.Input, name, value, attrs=None, renderer=None) -> SafeString:
    """What input.html and attrs.html write for this widget (aicmo_site.form_renderer)."""
    return mark_safe(input_tag(widget.get_context(name, value, attrs)["widget"]))  # noqa: S308 (escaped there)


@register.simple_tag
def quick_input(field: BoundField) -> SafeString:
    """`{{ field }}`, with a plain <input> rendered in Python; other widgets as usual."""
    widget = field.field.widget
    if type(widget) not in PLAIN_INPUTS:
        return field.as_widget()
    quick = copy.copy(widget)  # the field's own widget (type, format, attrs), written in Python
    quick.render = MethodType(_render_input, quick)
    return field.as_widget(widget=quick)


@register.simple_tag
def quick_select(field: BoundField) -> SafeString:
    """`{{ field }}`, with a single-choice select (or a plain <input>, as quick_input) rendered
    in Python; other widgets as usual."""
    widget = field.field.widget
    if type(widget) in PLAIN_INPUTS:
        return quick_input(field)
    if type(widget) is not forms.Select or not _flat(widget.choices):
        return field.as_widget()
    quick = QuickSelect(attrs=widget.attrs)
    quick.choices = widget.choices
    quick.is_required = widget.is_required
    return field.as_widget(widget=quick)
