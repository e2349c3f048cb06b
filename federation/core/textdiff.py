"""A readable diff of two texts (or of the text of two HTML bodies) for reviewers.

Chinese has no spaces between words, so the comparison is per character; the result is a list
of ``(kind, text)`` pieces, kind being ``"same"``, ``"del"`` or ``"ins"``, which templates show
with <del> and <ins>.
"""

from __future__ import annotations

import difflib
import html
import re

BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|figcaption|tr|div)>|<br\s*/?>|<hr\s*/?>", re.I)
TAG = re.compile(r"<[^>]+>")


def html_to_text(body: str) -> str:
    """The text a reader sees, one line per paragraph, heading or list item."""
    text = TAG.sub("", BLOCK_END.sub("\n", body or ""))
    lines = (" ".join(line.split()) for line in html.unescape(text).splitlines())
    return "\n".join(line for line in lines if line)


def text_diff(old: str, new: str) -> list[tuple[str, str]]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("same", old[i1:i2]))
            continue
        if i2 > i1:
            pieces.append(("del", old[i1:i2]))
        if j2 > j1:
            pieces.append(("ins", new[j1:j2]))
    return pieces


def html_diff(old_html: str, new_html: str) -> list[tuple[str, str]]:
    return text_diff(html_to_text(old_html), html_to_text(new_html))
