"""Addresses reversed once: per pattern for model pages (:func:`object_url`), per arguments for
``{% url %}`` (:func:`cached_reverse`, used by federation/templatetags/fasturl.py).

A list page links 20–300 objects; ``reverse()`` walks the resolver each time (about a tenth of
a millisecond), which made URL building a tenth of an uncached page's cost. The address of
pattern *name* for any key is the same text around the key, so it is reversed once with a
sentinel and the key is put in its place. The resolver and script prefix, which a request
does not change, are read once per request: each read goes through an asgiref Local (a few
microseconds), which was most of the cost of a sitemap page of a thousand addresses.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar

from django.core.signals import request_finished, request_started
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

_SENTINEL = "7071727374757677"  # digits, so int and slug converters both accept it


@functools.lru_cache(maxsize=128)
def _around(resolver, prefix: str, viewname: str) -> tuple[str, str]:
    # ``resolver`` (a new object after clear_url_caches()) and ``prefix`` only key the cache.
    url = reverse(viewname, args=[_SENTINEL])
    head, found, tail = url.partition(_SENTINEL)
    if not found:  # pragma: no cover - a converter changed the key; never cache a wrong address
        raise ValueError(f"{viewname} does not keep its key in the address")
    return head, tail


# Per request: the resolver and prefix, and each pattern's text around its key.
_request_memo: ContextVar[dict | None] = ContextVar("links_request_memo", default=None)


def _request_started(**_kwargs) -> None:
    _request_memo.set({})


def _request_finished(**_kwargs) -> None:
    _request_memo.set(None)


# The handler sets the script prefix before request_started; the URLconf is the project's.
request_started.connect(_request_started, dispatch_uid="links:request-started")
request_finished.connect(_request_finished, dispatch_uid="links:request-finished")


def _base(memo: dict | None) -> tuple:
    base = memo.get(None) if memo is not None else None
    if base is None:
        base = (get_resolver(get_urlconf()), get_script_prefix())
        if memo is not None:
            memo[None] = base
    return base


def object_url(viewname: str, key) -> str:
    """``reverse(viewname, args=[key])`` for a pattern whose only argument is an int or slug."""
    memo = _request_memo.get()
    around = memo.get(viewname) if memo is not None else None
    if around is None:
        around = _around(*_base(memo), viewname)
        if memo is not None:
            memo[viewname] = around
    head, tail = around
    return f"{head}{key}{tail}"


@functools.lru_cache(maxsize=4096)
def _reverse(resolver, prefix, language, view_name, args, kwargs, current_app) -> str:
    # resolver, prefix and language only key the cache (reverse() reads them itself).
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


def cached_reverse(view_name, args=(), kwargs=None, current_app=None) -> str:
    kwargs = tuple(sorted((kwargs or {}).items()))
    if not all(isinstance(v, (str, int)) for v in (*args, *(v for _k, v in kwargs))):
        return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)
    return _reverse(
        *_base(_request_memo.get()),
        get_language(),
        view_name,
        tuple(args),
        kwargs,
        current_app,
    )
