"""The query parameters each public page uses, with their valid values.

The page cache keys a page on these alone (``public_page(query=...)``): any other parameter
(``utm_*``, ``from``, ``isappinstalled`` that WeChat adds, a random cache-buster) is dropped, and
so is an invalid value, so such requests get the canonical page from the cache. The view sees
the same cleaned query, so what is stored under a key is exactly what that key means.

A spec maps a parameter name to a function that returns the value's canonical form, or ``None``
(or ``""``) when the value is invalid or means "all" (then the parameter is left out).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping

from django.http import QueryDict

Clean = Callable[[str], str | None]
QuerySpec = Mapping[str, Clean]

_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")


def one_of(choices: Iterable) -> Clean:
    """A value of ``choices`` (a TextChoices class or ``(value, label)`` pairs)."""
    values = getattr(choices, "values", None) or [value for value, _label in choices]
    allowed = frozenset(str(v) for v in values)
    return lambda value: value if value in allowed else None


def number(minimum: int = 1, maximum: int = 2**31 - 1) -> Clean:
    def clean(value: str) -> str | None:
        if not value.isascii() or not value.isdigit() or len(value) > 10:
            return None
        n = int(value)
        return str(n) if minimum <= n <= maximum else None

    return clean


def page(value: str) -> str | None:
    """A page number; page 1 is the page without the parameter."""
    if value == "last":
        return value
    cleaned = number(1, 100_000)(value)
    return None if cleaned == "1" else cleaned


def slug(value: str) -> str | None:
    return value if _SLUG.fullmatch(value) else None


def flag(value: str) -> str | None:
    """A checkbox: ``on`` when set (Django's BooleanField reads "false" and "0" as unset)."""
    return "on" if value.strip().lower() not in ("", "false", "0", "off") else None


def text(max_length: int) -> Clean:
    """Free text: no control characters, spaces collapsed, at most ``max_length`` characters."""

    def clean(value: str) -> str | None:
        value = "".join(ch for ch in value if unicodedata.category(ch) not in ("Cc", "Cf"))
        return " ".join(value.split())[:max_length] or None

    return clean


YEAR = number(1949, 2100)


def canonical_query(query: QueryDict, spec: QuerySpec | None) -> QueryDict:
    """Only the parameters of ``spec`` with valid values, in a fixed order (the last value wins,
    as with ``QueryDict.get``)."""
    result = QueryDict(mutable=True)
    for name in sorted(spec or ()):
        values = query.getlist(name)
        if values:
            cleaned = spec[name](values[-1])
            if cleaned:
                result[name] = cleaned
    result._mutable = False
    return result
