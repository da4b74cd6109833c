"""A form renderer for filter forms on hot pages: Django's, except that <input> widgets are
written in Python.

Each `{{ form.field }}` of a text, date, hidden or checkbox input renders three template files
(the widget's, input.html and attrs.html), ~50 µs apiece on a warm request, to write one tag.
The widget still builds its context (name, value, attrs, checked) the Django way; only the
markup of input.html and attrs.html is written here, escaped as the templates escape it.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates

from aicmo_site.html import escape

# The widget templates that are only {% include "django/forms/widgets/input.html" %}.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{kind}.html"
    for kind in ("input", "text", "date", "datetime", "time", "email", "number", "url",
                 "password", "search", "tel", "color", "hidden", "checkbox")
)


def input_tag(widget: dict) -> str:
    """input.html and attrs.html for a widget context."""
    value = widget["value"]
    shown = "" if value is None else f' value="{escape(value)}"'
    attrs = "".join(
        f" {escape(name)}" if attr is True else f' {escape(name)}="{escape(attr)}"'
        for name, attr in widget["attrs"].items()
        if attr is not False
    )
    return f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{shown}{attrs}>'


class QuickInputRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name in INPUT_TEMPLATES:
            return input_tag(context["widget"])
        return super().render(template_name, context, request=request)


# One instance, so its template engine (and the templates it caches) is built once.
quick_inputs = QuickInputRenderer()
