"""Template helpers of the design system (``{% load ui %}``), used by components/field.html.

One id scheme for every form on the site, the one Django itself uses: the hint of a field is
``<auto_id>_helptext`` and its error list ``<auto_id>_error``. The input points at both with
``aria-describedby`` and carries ``aria-invalid="true"`` while it has an error. The partial,
not the form class, decides these attributes, so a form that sets its own (older) ids cannot
leave the input pointing at an element that does not exist.
"""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def field_describedby(field: BoundField, hint: object = "") -> str:
    """The ids that describe ``field``: its hint (if any) and its errors (if any)."""
    if not field.auto_id or field.is_hidden:
        return ""
    ids = []
    if hint:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return " ".join(ids)


@register.simple_tag
def field_control(field: BoundField, hint: object = "") -> SafeString:
    """The field's widget with ``aria-describedby`` and ``aria-invalid`` set from the partial's
    view of it. Groups (radios, checkbox lists) are described on their ``<fieldset>`` instead."""
    described = "" if field.use_fieldset else field_describedby(field, hint)
    # False drops the attribute, including one a form class put on its widget.
    attrs: dict[str, str | bool] = {"aria-describedby": described or False}
    if field.errors and not field.is_hidden:
        attrs["aria-invalid"] = "true"
    return SafeString(field.as_widget(attrs=attrs))
