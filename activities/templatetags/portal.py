"""Template filters of the public pages."""

from __future__ import annotations

import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def clean_html(value: str) -> str:
    """Article bodies are cleaned on save; clean again on output so a bad row can do no harm."""
    # Inline styles go too (a strict CSP would block them anyway); images load lazily.
    cleaned = nh3.clean(
        value or "",
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"img": {"loading": "lazy", "decoding": "async"}},
    )
    return mark_safe(cleaned)  # noqa: S308


@register.filter
def percent_of(value, total) -> int:
    try:
        return round(100 * int(value) / int(total)) if int(total) else 0
    except (TypeError, ValueError):
        return 0
