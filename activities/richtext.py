"""Article bodies: the editor's HTML in, sanitised HTML out (the only HTML the public ever sees).

The allow-list covers everything the rich-text editor (``static/js/article-editor.js``) writes, so
a body saved from the editor comes back unchanged when it is reopened.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from urllib.parse import urlsplit

import nh3
from django.conf import settings

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
    # data-photo: the id of the article's own photo the editor inserted (图文混排); the public
    # page shows that photo's current rendition, whatever src says.
    "img": {"src", "alt", "title", "width", "height", "data-photo"},
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


# --- images in the body ------------------------------------------------------------------------
# Bodies come out of nh3, which writes every attribute as name="value": these patterns read them.
_IMG = re.compile(r"<img\b[^>]*>")
_ATTR = re.compile(r'\s([a-zA-Z-]+)="([^"]*)"')


def _attrs(tag: str) -> dict[str, str]:
    return {name.lower(): html_lib.unescape(value) for name, value in _ATTR.findall(tag)}


def is_own_media(src: str) -> bool:
    """Whether ``src`` is a file of this portal's own media (a relative /media/ address)."""
    parts = urlsplit(src or "")
    return not parts.scheme and not parts.netloc and parts.path.startswith(settings.MEDIA_URL)


def photo_ids_in(body: str) -> list[int]:
    """The ids of the article photos inserted in ``body``, in the order they appear."""
    ids = []
    for tag in _IMG.findall(body or ""):
        value = _attrs(tag).get("data-photo", "")
        if value.isdigit() and int(value) not in ids:
            ids.append(int(value))
    return ids


def foreign_images(body: str) -> list[str]:
    """Addresses of the images in ``body`` that live on another host (a pasted 公众号 article's
    mmbiz.qpic.cn pictures): never shown to the public, they must be uploaded instead."""
    found = []
    for tag in _IMG.findall(body or ""):
        attrs = _attrs(tag)
        if not attrs.get("data-photo", "").isdigit() and not is_own_media(attrs.get("src", "")):
            found.append(attrs.get("src", ""))
    return found


def resolve_images(body: str, render: Callable[[int], str | None]) -> str:
    """``body`` (already sanitised) with each inserted photo replaced by ``render(photo_id)``
    (its current rendition; None drops it: not a public photo of this article) and every other
    image dropped unless it is our own media: nothing is hot-linked from another host."""

    def replace(match: re.Match) -> str:
        attrs = _attrs(match.group(0))
        photo = attrs.get("data-photo", "")
        if photo.isdigit():
            return render(int(photo)) or ""
        return match.group(0) if is_own_media(attrs.get("src", "")) else ""

    return _IMG.sub(replace, body or "")
