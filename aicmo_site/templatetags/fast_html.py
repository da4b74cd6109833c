"""Tags for long <select>s, shared by the list pages' filter forms.

A filter form's campaign select holds one <option> per campaign (hundreds): Django's Select
widget renders each option through two template files, which cost more than everything else on
those pages. `quick_select` renders the same markup in Python through the field's own BoundField
(id, name, required, aria attributes, the selected value and the choices are Django's);
`option_tags` writes the <option>s of a hand-written <select>.
"""

from __future__ import annotations

from django import forms, template
from django.forms.boundfield import BoundField
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from aicmo_site.html import escape, option_tags

register = template.Library()
register.simple_tag(option_tags)


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


@register.simple_tag
def quick_select(field: BoundField) -> SafeString:
    """`{{ field }}`, with a single-choice select rendered in Python; other widgets as usual."""
    widget = field.field.widget
    if type(widget) is not forms.Select or not _flat(widget.choices):
        return field.as_widget()
    quick = QuickSelect(attrs=widget.attrs)
    quick.choices = widget.choices
    quick.is_required = widget.is_required
    return field.as_widget(widget=quick)
