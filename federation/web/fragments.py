"""Rendered pieces of public pages (an article's card, the navigation), kept in each process until
the content changes.

A list page renders the same 20–50 cards on every miss: the card of one article is the same on
/news/, the home page and a brand's page, for every visitor, until something public is saved.
Each piece is kept under the content *generation* (see :mod:`federation.web.cache`: any save of a
public model starts a new one), the local day, the language and what the piece varies on, for
as long as a page rendered now would be fresh (at most PUBLIC_CACHE_TIMEOUT seconds, and no later
than the next scheduled article's publish time: a write that sends no signal, or an article
going public on schedule, is seen no later than on a cached page). In process memory, not Redis: a hit must cost less than rendering the card (microseconds),
and a round trip per card would not.

Only for what is the same for every visitor: never a form with a CSRF token, a user's name or
anything that depends on the time of day (a site's "open now").
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone, translation

from federation.web.cache import current_generation, page_timeout


class FragmentStore:
    """A bounded least-recently-used map with expiry (thread-safe; a hit is a dict lookup)."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            expires, value = item
            if expires <= time.time():
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return value

    def set(self, key, value, timeout: float) -> None:
        with self._lock:
            self._data[key] = (time.time() + timeout, value)
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


store = FragmentStore(getattr(settings, "PUBLIC_FRAGMENT_MAX_ENTRIES", 5000))


def timeout() -> int:
    return getattr(settings, "PUBLIC_CACHE_TIMEOUT", 300)


def kept(request, name: str, vary: tuple, render: Callable[[], str]) -> str:
    """The piece ``name`` for ``vary``: from the store, or rendered by ``render()`` and kept.

    Rendered each time (never kept) outside a public page, for a signed-in user, or when
    PUBLIC_CACHE_TIMEOUT is 0. Used by ``{% fragment %}`` and by views that write text without a
    template (the news feed's descriptions)."""
    return kept_many(request, name, [vary], lambda _missing: [render()])[0]


def kept_many(request, name: str, varies: list[tuple], render: Callable[[list[int]], list]) -> list:
    """``kept()`` for a list of pieces whose misses are cheapest rendered together:
    ``render(indices)`` gets the positions in ``varies`` not kept and returns their values."""
    maximum = timeout()
    if (
        request is None
        or maximum <= 0
        or getattr(request, "public_page", None) is None
        or _signed_in(request)
    ):
        return render(list(range(len(varies))))
    base = getattr(request, "_fragment_base", None)
    if base is None:
        # The local day too: a piece may hold "this year" (a filter's years).
        # current_generation(): read once per request (the page cache's lookup read it).
        base = request._fragment_base = (current_generation(), timezone.localdate())
    language = translation.get_language()
    keys = [(name, *base, language, *vary) for vary in varies]
    values = [store.get(key) for key in keys]
    missing = [i for i, value in enumerate(values) if value is None]
    if missing:
        lifetime = _lifetime(request, base[0], maximum)
        for i, value in zip(missing, render(missing), strict=True):
            values[i] = value
            store.set(keys[i], value, lifetime)
    return values


def _lifetime(request, generation: str, maximum: int) -> int:
    # A page's lifetime (federation.web.cache.page_timeout): no later than local midnight or
    # the next scheduled article's publish time, which change pages without a save.
    lifetime = getattr(request, "_fragment_lifetime", None)
    if lifetime is None:
        lifetime = request._fragment_lifetime = page_timeout(generation, maximum)
    return lifetime


def _signed_in(request) -> bool:
    # Staff see the database itself (like the page cache, which never serves them), a write
    # that sent no signal included.
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated
