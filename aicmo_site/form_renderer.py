"""A form renderer that writes Django's plain widgets in Python.

Each `{{ form.field }}` renders the widget's template and the one or two it includes, and each
`{{ form.field.errors }}` another two, even when there is no error: ~60 µs a field, ~1 ms for a
form of a dozen fields, more than the rest of the page it sits on. `QuickFormRenderer` writes the
same markup as Django's templates, byte for byte (aicmo_site/tests/test_form_renderer.py compares
them), for the inputs (file inputs without a stored file too), textareas, selects, checkbox and radio lists and empty error lists; any
other template (and any option with a template of its own) goes to the default renderer. A form
opts in with `default_renderer = QUICK_RENDERER`.
"""

from __future__ import annotations

from django.forms.renderers import BaseRenderer, get_default_renderer
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData

_WIDGETS = "django/forms/widgets/"
_INPUT_KINDS = ("checkbox", "color", "date", "datetime", "email", "file", "hidden", "number",
                "password", "search", "tel", "text", "time", "url")
_OPTION_TEMPLATES = {
    "select": {f"{_WIDGETS}select_option.html"},
    "multiple_input": {f"{_WIDGETS}checkbox_option.html", f"{_WIDGETS}radio_option.html"},
}
_ERROR_LISTS = ("django/forms/errors/list/default.html", "django/forms/errors/list/ul.html")


def _out(value) -> str:
    """What `{{ value }}` writes: localized, then escaped unless already safe."""
    value = localize(value)
    if not issubclass(type(value), str):
        value = str(value)
    return conditional_escape(value)


def _formatted(value) -> str:
    """What `{{ value|stringformat:'s' }}` writes."""
    text = str(value)
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {_out(name)}" if value is True else f' {_out(name)}="{_formatted(value)}"'
        for name, value in attrs.items() if value is not False
    )


def _input(widget: dict) -> str:
    """django/forms/widgets/input.html, with the newline that ends the file."""
    value = widget["value"]
    shown = "" if value == None else f' value="{_formatted(value)}"'  # noqa: E711 (as the template compares)
    return (f'<input type="{_out(widget["type"])}" name="{_out(widget["name"])}"{shown}'
            f'{_attrs(widget["attrs"])}>\n')


def input_tag(widget: dict) -> str:
    """One <input> as input.html writes it for a widget's context (without the file's newline)."""
    return _input(widget).strip()


def _input_option(option: dict) -> str:
    """checkbox_option.html / radio_option.html, which include input_option.html."""
    if not option["wrap_label"]:
        return _input(option) + "\n\n"
    option_id = option["attrs"].get("id")
    label_for = f' for="{_out(option_id)}"' if option_id else ""
    return f"<label{label_for}>{_input(option)} {_out(option['label'])}</label>\n\n"


def _select(widget: dict) -> str:
    parts = [f'<select name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_out(group_name)}">')
        parts.extend(
            f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
            f'{_out(option["label"])}</option>\n'
            for option in options
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _multiple_input(widget: dict) -> str:
    attrs = widget["attrs"]
    parts = ["<div"]
    if attrs.get("id"):
        parts.append(f' id="{_out(attrs["id"])}"')
    if attrs.get("class"):
        parts.append(f' class="{_out(attrs["class"])}"')
    parts.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_out(group)}</label>")
        parts.extend(f"<div>\n    {_input_option(option)}</div>" for option in options)
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


def _textarea(widget: dict) -> str:
    value = _out(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _markup(template_name: str, context: dict) -> str | None:
    """What this template writes for this context, or None where the template must render."""
    if template_name in _ERROR_LISTS:
        return None if context["errors"] else ""
    if not template_name.startswith(_WIDGETS):
        return None
    kind, widget = template_name[len(_WIDGETS):].removesuffix(".html"), context["widget"]
    if kind in _INPUT_KINDS:
        return _input(widget)
    if kind == "textarea":
        return _textarea(widget)
    if kind == "clearable_file_input" and not widget["is_initial"]:
        # Without a stored file the template writes only the input, and never a value.
        return f'<input type="{_out(widget["type"])}" name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>'
    family = {"select": "select", "checkbox_select": "multiple_input", "radio": "multiple_input"}
    if kind not in family or any(
        option["template_name"] not in _OPTION_TEMPLATES[family[kind]]
        for _, options, _ in widget["optgroups"] for option in options
    ):
        return None
    return _select(widget) if kind == "select" else _multiple_input(widget)


class QuickFormRenderer(BaseRenderer):
    def get_template(self, template_name):
        return get_default_renderer().get_template(template_name)

    def render(self, template_name, context, request=None):
        markup = _markup(template_name, context)
        if markup is None:
            return get_default_renderer().render(template_name, context, request=request)
        return markup.strip()


QUICK_RENDERER = QuickFormRenderer()
