"""Article bodies: Markdown or HTML in, sanitised HTML out (the only HTML the public ever sees)."""

from __future__ import annotations

import markdown
import nh3
from django.db import models
from django.utils.translation import gettext_lazy as _


class BodyFormat(models.TextChoices):
    MARKDOWN = "markdown", _("Markdown（推荐，手机上也好写）")
    HTML = "html", _("HTML 富文本")


ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "figure",
    "figcaption",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "pre",
    "span",
    "div",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
# No javascript:, data: or vbscript: links; relative URLs stay allowed.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitize_html(html: str, *, lazy_images: bool = False) -> str:
    """Drop scripts, event handlers, styles and dangerous URLs; keep ordinary formatting.

    ``lazy_images`` (used on output) makes every image load lazily.
    """
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        set_tag_attribute_values=(
            {"img": {"loading": "lazy", "decoding": "async"}} if lazy_images else None
        ),
    ).strip()


def render_body(source: str, body_format: str = BodyFormat.HTML) -> str:
    """Render an article body to safe HTML from Markdown or from (untrusted) HTML."""
    if body_format == BodyFormat.MARKDOWN:
        source = markdown.markdown(source or "", extensions=["extra", "sane_lists", "nl2br"])
    return sanitize_html(source)
