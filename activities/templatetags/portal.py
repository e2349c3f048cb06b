"""Template filters of the public pages."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from activities.richtext import sanitize_html

register = template.Library()


@register.filter
def clean_html(value: str) -> str:
    """Article bodies are cleaned on save; clean again on output so a bad row can do no harm."""
    # The same rules as on save (inline styles go too: a strict CSP would block them anyway).
    return mark_safe(sanitize_html(value, lazy_images=True))  # noqa: S308


@register.filter
def percent_of(value, total) -> int:
    try:
        return round(100 * int(value) / int(total)) if int(total) else 0
    except (TypeError, ValueError):
        return 0
