"""Template filters of the public pages."""

from __future__ import annotations

import re

from django import template
from django.template.defaultfilters import linebreaks_filter
from django.utils.safestring import mark_safe

from activities.richtext import sanitize_html

register = template.Library()


@register.filter
def clean_html(value: str) -> str:
    """Article bodies are cleaned on save; clean again on output so a bad row can do no harm."""
    # The same rules as on save (inline styles go too: a strict CSP would block them anyway).
    return mark_safe(sanitize_html(value, lazy_images=True))  # noqa: S308


# A stored text that holds markup (stories and descriptions pasted from the 公众号 editor).
_MARKUP = re.compile(
    r"</?(?:p|br|div|span|strong|b|em|i|u|h[1-6]|ul|ol|li|a|img|section)\b[^>]*>", re.I
)


@register.filter
def rich_text(value: str) -> str:
    """A plain-text field that may hold pasted HTML: cleaned HTML when it has markup, else its
    lines as paragraphs. Never the tags as visible text."""
    if value and _MARKUP.search(value):
        return mark_safe(sanitize_html(value, lazy_images=True))  # noqa: S308
    return linebreaks_filter(value, autoescape=True)


@register.filter
def percent_of(value, total) -> int:
    try:
        return round(100 * int(value) / int(total)) if int(total) else 0
    except (TypeError, ValueError):
        return 0
