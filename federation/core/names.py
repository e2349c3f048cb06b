"""Names as one canonical text, so that look-alike duplicates meet the unique constraints.

A name copied from a web page or a chat can carry invisible characters: a zero-width space
makes "泰达\u200b妇女之家" a second site next to "泰达妇女之家", and a right-to-left override
(U+202E) turns the displayed text around. :func:`normalize_name` applies NFKC (full-width letters
and digits become their plain forms; in a Chinese name brackets end full-width), removes control and format characters (zero-width
spaces and joiners, bidi marks and overrides, the BOM, soft hyphens) and collapses runs of
whitespace to one space. :class:`NameField` does this on every save, bulk insert, form and lookup;
the spreadsheet import parses name cells with the same function.
"""

from __future__ import annotations

import unicodedata

from django.db import models

# Cc: control characters; Cf: format characters (zero-width, bidi controls, BOM, soft hyphen).
_INVISIBLE = frozenset({"Cc", "Cf"})


def normalize_name(value):
    if not isinstance(value, str) or not value:
        return value
    text = unicodedata.normalize("NFKC", value)
    # The common case costs no per-character loop (a bulk import normalises each name four
    # times): printable text has no control, format or odd space characters left to remove.
    if not text.isprintable() or "  " in text or text[0] == " " or text[-1] == " ":
        # Keep tabs and newlines until the split below turns them into single spaces.
        text = "".join(
            ch for ch in text if ch in "\t\n\r" or unicodedata.category(ch) not in _INVISIBLE
        )
        text = " ".join(text.split())
    if ("(" in text or ")" in text) and _has_cjk(text):
        # Chinese names take full-width brackets (as registered: 某某（天津）有限公司); NFKC made
        # them plain, so both spellings end as the same canonical text.
        text = text.replace("(", "（").replace(")", "）")
    return text


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


class NameField(models.CharField):
    """A ``CharField`` holding a normalised name (migrations see a plain ``CharField``)."""

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs

    def to_python(self, value):
        return normalize_name(super().to_python(value))

    def get_prep_value(self, value):
        return normalize_name(super().get_prep_value(value))

    def pre_save(self, model_instance, add):
        value = normalize_name(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value
