"""Article bodies: the editor's HTML in, sanitised HTML out (the only HTML the public ever sees).

The allow-list covers everything the rich-text editor (``static/js/article-editor.js``) writes, so
a body saved from the editor comes back unchanged when it is reopened.
"""

from __future__ import annotations

import nh3

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
    # The editor's colour highlight for key sentences.
    "mark",
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


def render_body(source: str) -> str:
    """The body as stored: the (untrusted) HTML from the editor, the admin or a script, sanitised."""
    return sanitize_html(source)
