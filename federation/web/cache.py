"""The public page cache: anonymous GET pages served from the configured cache.

Each page is one entry per path, query string, language and host, holding the page and the
*generation* it was rendered for. Saving or deleting any public model bumps the generation, so
the page is re-rendered after content changes. A page is fresh for no longer than the next
scheduled article's publish time (so a scheduled article appears on time) nor past local midnight
(the "as of" date and "this year").

Stampede protection (stale-while-revalidate): when a page is not fresh, the first request takes a
short lock (``cache.add``, atomic on Redis and locmem) and renders it; while the lock is held, the
other visitors get the previous copy instead of rendering it too. Without a previous copy they
render as well: nobody waits or fails. The lock expires after ``PUBLIC_CACHE_LOCK_TIMEOUT``
seconds, so a stale copy is served no longer than that past the first request that found it
outdated.

Privacy: stale copies live under an *epoch*. A change is "soft" only when the saved object is
still public afterwards (a published article or brand, a consented exemplar, a public activity,
an active federation or site); every delete, every save that leaves the object hidden, every save of a
model without such a rule and every explicit :func:`public_cache_invalidate` is "hard" and starts
a new epoch, which makes every earlier copy unreachable (each copy records its epoch and is
served under no other). So a stale page can only show objects
that are still public (at worst their previous wording); an unpublished article, a withdrawn
exemplar or a deleted site disappears from every page at once. Each bump is repeated once the
transaction commits, so a page rendered from the old rows in between is never kept as current.

Bulk writes (``QuerySet.update``, ``bulk_create``) send no signals: code doing them must call
:func:`public_cache_invalidate` itself.

Cache-busting: the key holds only the query parameters the page declares
(``public_page(query=...)``, see :mod:`federation.web.querykeys`), with valid values; anything
else (tracking parameters, random strings) gets the canonical page from the cache. At most
``PUBLIC_CACHE_MAX_VARIANTS`` query variants of one path are stored per epoch, and renders
(misses) are limited per client address (``PUBLIC_CACHE_MISS_RATE``): over the limit a visitor
gets the previous copy if there is one, else a 429 page.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache, wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.urls import Resolver404, get_resolver, get_urlconf
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from federation.core import registry
from federation.web.querykeys import QuerySpec, canonical_query
from federation.web.ratelimits import retry_after, too_many_requests
from federation.web.wechat import in_wechat

GENERATION_KEY = "public:generation"
EPOCH_KEY = "public:epoch"
NEXT_PUBLISH_KEY = "public:next-publish:%s"
VARIANTS_KEY = "public:variants:%s:%s"
MISSES_THROTTLED_MESSAGE = _("您打开新页面的速度过快。")


def _setting(name: str, default):
    return getattr(settings, name, default)


def _new_token() -> str:
    # Only ever compared for equality: unique is enough, no clock ordering needed.
    return f"{time.time_ns()}-{uuid.uuid4().hex[:8]}"


def _get_or_create(key: str) -> str:
    value = cache.get(key)
    if value is None:
        # add(): two processes racing here agree on one value.
        cache.add(key, _new_token(), timeout=None)
        value = cache.get(key) or _new_token()
    return str(value)


# The (epoch, generation) pair a request renders under, read once per request (a page asked for
# it once per figure: a Redis round trip each). A list while a request runs (empty until read),
# None outside requests (a task worker reads it each time); this process's own bumps empty it.
_request_state: ContextVar[list | None] = ContextVar("public_cache_state", default=None)


def _request_started(**_kwargs) -> None:
    _request_state.set([])


def _request_finished(**_kwargs) -> None:
    _request_state.set(None)


def _remember_state(state: tuple[str, str]) -> None:
    memo = _request_state.get()
    if memo is not None and not memo:
        memo.append(state)


def current_state() -> tuple[str, str]:
    """The (epoch, generation) pair, read together (one MGET on Redis), once per request."""
    memo = _request_state.get()
    if memo:
        return memo[0]
    values = cache.get_many([EPOCH_KEY, GENERATION_KEY])
    epoch, generation = values.get(EPOCH_KEY), values.get(GENERATION_KEY)
    if epoch is None:
        epoch = _get_or_create(EPOCH_KEY)
    if generation is None:
        generation = _get_or_create(GENERATION_KEY)
    state = (str(epoch), str(generation))
    _remember_state(state)
    return state


def current_generation() -> str:
    return current_state()[1]


def _bump(*, hard: bool) -> None:
    memo = _request_state.get()
    if memo:
        memo.clear()  # this request renders what it saved from now on
    if hard:
        # The epoch first: a page rendered before this point is then never served again.
        cache.set(EPOCH_KEY, _new_token(), timeout=None)
    cache.set(GENERATION_KEY, _new_token(), timeout=None)


def _bump_now_and_on_commit(*, hard: bool) -> None:
    _bump(hard=hard)
    # Inside a transaction, a request may render the old rows between the bump and the commit.
    transaction.on_commit(lambda: _bump(hard=hard))


def public_cache_refresh() -> None:
    """Re-render public pages whose figures changed while every object stays public (a check-in
    changes an activity's participant count): a soft change, so stampede protection still works."""
    _bump_now_and_on_commit(hard=False)


def public_cache_invalidate(**_kwargs) -> None:
    """Forget every cached public page, current and stale (nothing old is served again)."""
    _bump(hard=True)


def _next_scheduled() -> datetime.datetime | None:
    """The earliest moment a scheduled object becomes public, over the registered models."""
    moments = []
    for entry in registry.entries():
        if entry.scheduled:
            moment = getattr(entry.model._default_manager, entry.scheduled)()
            if moment is not None:
                moments.append(moment)
    return min(moments, default=None)


def _seconds_until_next_publish(generation: str) -> int | None:
    """Seconds until the next scheduled object (an article) goes public (None: none scheduled)."""
    key = NEXT_PUBLISH_KEY % generation
    cached = cache.get(key)
    if cached and cached <= time.time():
        cached = None  # that article is public now: look for the one after it
    if cached is None:
        upcoming = _next_scheduled()
        cached = upcoming.timestamp() if upcoming else 0
        cache.set(key, cached, timeout=_setting("PUBLIC_CACHE_TIMEOUT", 300))
    if not cached:
        return None
    return max(0, int(cached - time.time()))


def computed_once(name: str, compute, *, timeout: int | None = None):
    """``compute()`` once per content change, local day and language, shared by every process.

    For what a page derives from whole tables (headline counts, charts by form or kind, the news
    years): on each render it was most of an uncached /stats/, and it grew with the network. Any
    save of a public model starts a new generation, so the value is never older than the data; a
    scheduled article going public ends it too (:func:`page_timeout`). It is kept no longer than a
    page (PUBLIC_CACHE_TIMEOUT), so a write that sends no signal is not seen later than a page.
    """
    generation = current_generation()
    key = f"public:computed:{name}:{generation}:{timezone.localdate()}:{get_language()}"
    stored = cache.get(key)
    # The end of its freshness is kept with it and checked on this clock (as a page's is): the
    # cache's own expiry runs on the cache server's clock.
    if stored is not None and stored[0] > time.time():
        return stored[1]
    value = _plain(compute())
    lifetime = page_timeout(generation, timeout)
    cache.set(key, (time.time() + lifetime, value), lifetime)
    return value


def _plain(value):
    """Lazy translations as the strings they are now (the key holds the language): unpickling a
    lazy object costs a hundred times a string's, and a chart holds hundreds of labels."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, tuple) and type(value) is tuple:
        return tuple(_plain(item) for item in value)
    return value


def count_once(paginator, name: str, request, fields, *, count=None, timeout=None) -> None:
    """Make ``paginator`` count its list once per content change (see computed_once) for each
    value of the query parameters ``fields`` that filter it (the page number does not count):
    a COUNT over a growing table on every render was a query of its own on every list page.
    A list that moves with the clock too ("open now") puts the moment in ``name`` and keeps the
    count no longer than that moment (``timeout``). ``count``: how to count, if not the list's
    own COUNT."""
    raw = "&".join(f"{field}={request.GET.getlist(field)}" for field in sorted(fields))
    digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    count = count or paginator.object_list.count
    # Paginator.count is a cached_property: the value is taken as it.
    paginator.__dict__["count"] = computed_once(f"{name}:{digest}", count, timeout=timeout)


def _seconds_until_midnight() -> int:
    now = timezone.localtime()
    tomorrow = datetime.datetime.combine(
        now.date() + datetime.timedelta(days=1), datetime.time.min, tzinfo=now.tzinfo
    )
    return max(1, int((tomorrow - now).total_seconds()))


def page_timeout(generation: str, maximum: int | None = None) -> int:
    """Seconds a page rendered now stays fresh."""
    timeout = maximum or _setting("PUBLIC_CACHE_TIMEOUT", 300)
    timeout = min(timeout, _seconds_until_midnight())
    until_publish = _seconds_until_next_publish(generation)
    if until_publish is not None:
        timeout = min(timeout, until_publish)
    return timeout


def page_digest(request) -> str:
    # The scheme too: a page stored from HTTPS carries HSTS, which plain HTTP must not get.
    raw = f"{request.get_full_path()}|{get_language()}|{request.get_host()}|{request.scheme}"
    if in_wechat(request):
        raw += "|wechat"  # WeChat's copy loads the JS-SDK (and its CSP allows it)
    return hashlib.sha256(raw.encode()).hexdigest()


def _path_digest(request) -> str:
    raw = f"{request.path}|{get_language()}|{request.get_host()}"
    return hashlib.sha256(raw.encode()).hexdigest()


def use_canonical_query(request, spec: QuerySpec | None) -> None:
    """Leave only the page's own parameters (valid values) in the request (see querykeys)."""
    query = canonical_query(request.GET, spec)
    encoded = query.urlencode()
    if encoded != request.META.get("QUERY_STRING", ""):
        request.GET = query
        request.META["QUERY_STRING"] = encoded


def _may_store_variant(request, epoch: str) -> bool:
    """Counts a new stored variant of this path; False once the path has too many."""
    if not request.META.get("QUERY_STRING"):
        return True  # the plain page always
    key = VARIANTS_KEY % (epoch, _path_digest(request))
    keep_for = _setting("PUBLIC_CACHE_TIMEOUT", 300) + _setting("PUBLIC_CACHE_STALE_TIMEOUT", 3600)
    cache.add(key, 0, keep_for)
    try:
        count = cache.incr(key)
    except ValueError:  # the counter expired in between
        return True
    return count is None or count <= _setting("PUBLIC_CACHE_MAX_VARIANTS", 200)


def page_key(request) -> str:
    # Not under the epoch: the entry says which epoch it belongs to, so one MGET reads the
    # epoch, the generation and the page together (a cache hit is one round trip).
    return f"public:page:{page_digest(request)}"


def lock_key(request, generation: str) -> str:
    return f"public:lock:{generation}:{page_digest(request)}"


def cacheable_request(request) -> bool:
    if not _setting("PUBLIC_CACHE_ENABLED", True):
        return False
    if request.method not in ("GET", "HEAD"):
        return False
    # A pending flash message (after a form) must be shown by a fresh render.
    if request.COOKIES.get(MESSAGES_COOKIE):
        return False
    # Logged-in users see their own state (and staff links): never a shared page.
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


MESSAGES_COOKIE = "messages"
REDIRECT_OR_GONE = (301, 302, 303, 307, 308, 404, 410)
# Headers that belong to one response, never to the stored page.
_NOT_STORED = {"set-cookie", "x-page-cache", "content-length", "content-encoding"}


@dataclass(frozen=True)
class PageRule:
    """What ``public_page`` declared for a view: its query parameters and its longest freshness."""

    query: QuerySpec | None = None
    timeout: int | None = None


@dataclass
class PageLookup:
    """One request's look at the page cache, from the lookup to storing what was rendered."""

    rule: PageRule
    key: str
    epoch: str
    generation: str
    entry: dict | None
    lock: str
    token: str
    holds_lock: bool
    throttled: int | None = None  # seconds to wait: this address renders too many pages

    def release(self) -> None:
        if self.holds_lock and cache.get(self.lock) == self.token:
            cache.delete(self.lock)
        self.holds_lock = False

    def finish(self, request, response):
        """The final response (after every inner middleware): store it, or forget the old copy."""
        try:
            if (
                response.status_code == 200
                and not response.cookies
                and not response.streaming
                and not {"private", "no-store"}
                & set(re.split(r"[\s,]+", response.get("Cache-Control", "")))
                and (self.entry is not None or _may_store_variant(request, self.epoch))
            ):
                fresh_for = page_timeout(self.generation, self.rule.timeout)
                keep_for = fresh_for + _setting("PUBLIC_CACHE_STALE_TIMEOUT", 3600)
                entry = _entry(response, self.epoch, self.generation, fresh_for)
                cache.set(self.key, entry, keep_for)
            elif self.entry is not None and response.status_code in REDIRECT_OR_GONE:
                # The page is gone (404, redirect…): its old copy must not be served either.
                cache.delete(self.key)
        finally:
            self.release()
        response["X-Page-Cache"] = "miss"
        return response


def _entry(response, epoch: str, generation: str, fresh_for: int) -> dict:
    """The page as it is sent: status, headers and body, plus the body gzipped once (nginx
    passes a compressed response on instead of compressing it for every visitor)."""
    patch_vary_headers(response, ["Accept-Encoding"])
    body = response.content
    headers = [(k, v) for k, v in response.items() if k.lower() not in _NOT_STORED]
    return {
        "epoch": epoch,
        "generation": generation,
        "fresh_until": time.time() + fresh_for,
        "status": response.status_code,
        "headers": headers,
        "body": body,
        "gzip": gzip.compress(body, compresslevel=6, mtime=0) if len(body) > 512 else None,
        # The page's own CSP allowances (WeChat's SDK host), applied by the outer CSP middleware.
        "csp_update": getattr(response, "_csp_update", None),
        # Stored after the outermost middleware: the headers are all of them (see fastpath).
        "complete": True,
    }


_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def entry_response(entry: dict, request, state: str) -> HttpResponse:
    compressed = entry["gzip"]
    if compressed is not None and _ACCEPTS_GZIP.search(
        request.META.get("HTTP_ACCEPT_ENCODING", "")
    ):
        response = HttpResponse(compressed, status=entry["status"])
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(entry["body"], status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    response["Content-Length"] = str(len(response.content))
    response["X-Page-Cache"] = state
    if entry.get("csp_update"):
        response._csp_update = entry["csp_update"]
    return response


def look_up(request, rule: PageRule) -> tuple[PageLookup, HttpResponse | None]:
    """The cached page if it is fresh (or stale while someone else re-renders it); otherwise the
    state to render under (the render lock, the miss rate limit)."""
    key = page_key(request)
    values = cache.get_many([EPOCH_KEY, GENERATION_KEY, key])
    epoch, generation = values.get(EPOCH_KEY), values.get(GENERATION_KEY)
    if epoch is None or generation is None:
        epoch, generation = current_state()
    epoch, generation = str(epoch), str(generation)
    _remember_state((epoch, generation))
    entry = values.get(key)
    if entry is not None and entry.get("epoch") != epoch:
        entry = None  # from before a hard change (or an older release): never served
    if (
        entry is not None
        and entry["generation"] == generation
        and entry["fresh_until"] > time.time()
    ):
        return None, entry_response(entry, request, "hit")
    lock = lock_key(request, generation)
    token = uuid.uuid4().hex
    holds_lock = cache.add(lock, token, timeout=_setting("PUBLIC_CACHE_LOCK_TIMEOUT", 5))
    if not holds_lock and entry is not None:
        # Someone is re-rendering this page: the previous copy until they are done.
        return None, entry_response(entry, request, "stale")
    state = PageLookup(rule, key, epoch, generation, entry, lock, token, holds_lock)
    wait = retry_after(request, group="public-miss", rate=_setting("PUBLIC_CACHE_MISS_RATE", None))
    if wait is not None:
        # Too many renders from this address: the previous copy if there is one.
        state.release()
        if entry is not None:
            return None, entry_response(entry, request, "stale")
        state.throttled = wait
    return state, None


def public_page(view=None, *, timeout: int | None = None, query: QuerySpec | None = None):
    """Decorate a public view: anonymous GET responses come from and go to the page cache.

    ``query`` names the query parameters the page uses and how to clean each
    (:mod:`federation.web.querykeys`); every other parameter is dropped before the view runs.
    Requests without a session are answered by :class:`PageCacheMiddleware` before the session,
    auth, locale, messages and CSRF middleware run; the others (an anonymous visitor with a
    session) are looked up here. Either way the middleware stores what was rendered, after every
    inner middleware has added its headers.
    """

    def decorator(view_func):
        rule = PageRule(query=query, timeout=timeout)

        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            use_canonical_query(request, query)
            request.public_page = rule  # its pieces may be kept (federation.web.fragments)
            state = getattr(request, "page_cache", None)
            if state is None and cacheable_request(request):
                state, cached = look_up(request, rule)
                if cached is not None:
                    return cached
                request.page_cache = state
            if state is None:
                response = view_func(request, *args, **kwargs)
                patch_vary_headers(response, ["Cookie"])
                if request.method in ("GET", "HEAD") and getattr(request, "user", None):
                    patch_cache_control(response, private=True)
                return response
            if state.throttled is not None:
                state.release()
                request.page_cache = None
                return too_many_requests(request, state.throttled, MISSES_THROTTLED_MESSAGE)
            response = view_func(request, *args, **kwargs)
            patch_vary_headers(response, ["Cookie", "Accept-Language"])
            return response

        wrapper.public_page_rule = rule
        return wrapper

    if view is not None:
        return decorator(view)
    return decorator


def page_rule(request) -> PageRule | None:
    """The ``public_page`` rule of the view this path resolves to (None: not a public page)."""
    return _rule_for_path(get_resolver(get_urlconf()), request.path_info)


@lru_cache(maxsize=4096)
def _rule_for_path(resolver, path: str) -> PageRule | None:
    # Resolving walks the URLconf (a quarter of a cache hit's own cost); the answer depends
    # only on the URLconf (a new resolver object after clear_url_caches()) and the path.
    try:
        match = resolver.resolve(path)
    except Resolver404:
        return None
    view_class = getattr(match.func, "view_class", None)
    # method_decorator copies the wrapper's attributes onto the decorated dispatch.
    func = view_class.dispatch if view_class is not None else match.func
    return getattr(func, "public_page_rule", None)


def fresh_entry(request) -> dict | None:
    """The stored page for this request if it can be sent as it is: fresh, of the current epoch
    and generation, with every header. No lock, no counter: anything else is for the full stack.
    The caller has made the query canonical and activated the visitor's language."""
    key = page_key(request)
    values = cache.get_many([EPOCH_KEY, GENERATION_KEY, key])
    entry = values.get(key)
    if (
        entry is not None
        and entry.get("complete")
        and entry.get("epoch") == str(values.get(EPOCH_KEY))
        and entry.get("generation") == str(values.get(GENERATION_KEY))
        and entry["fresh_until"] > time.time()
    ):
        return entry
    return None


def may_answer_first(request) -> bool:
    """A GET or HEAD without a session or a waiting message: a cached page may answer it before
    the session, locale, CSRF, auth and messages middleware."""
    return (
        request.method in ("GET", "HEAD")
        and _setting("PUBLIC_CACHE_ENABLED", True)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.COOKIES.get(MESSAGES_COOKIE)
    )


class PageCacheStoreMiddleware:
    """Outermost: stores each page rendered for the cache once every middleware has added its
    headers (security, CSP, Permissions-Policy), so a stored page can be sent as it is, even
    before Django's handler (:mod:`federation.web.fastpath`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        state = getattr(request, "page_cache", None)
        if state is not None:
            request.page_cache = None
            return state.finish(request, response)
        return response


class PageCacheMiddleware:
    """A cached public page answers first: for a visitor without a session (nearly every
    visitor), before the session, locale, CSRF, auth and messages middleware, which a cached page
    does not need. The outer middleware (security headers, CSP, Permissions-Policy) still applies.

    Storing is :class:`PageCacheStoreMiddleware`'s job, outside every other middleware. In
    production most hits do not even get here: :mod:`federation.web.fastpath` sends them first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if may_answer_first(request):
            rule = page_rule(request)
            if rule is not None:
                try:
                    cached = self._look_up(request, rule)
                except DisallowedHost:
                    cached = None  # the full stack answers it (400)
                if cached is not None:
                    return cached
        return self.get_response(request)

    @staticmethod
    def _look_up(request, rule: PageRule):
        use_canonical_query(request, rule.query)
        # The language LocaleMiddleware will choose (the key holds it).
        with translation.override(translation.get_language_from_request(request)):
            state, cached = look_up(request, rule)
        if cached is None:
            request.page_cache = state
        return cached


def change_is_soft(sender, instance) -> bool:
    """True when the saved object is public after the save (old copies may be served briefly)."""
    public = registry.public_queryset(sender)
    if public is None or instance.pk is None:
        return False
    return public.filter(pk=instance.pk).exists()


def _on_save(sender, instance, **_kwargs) -> None:
    if _is_public_model(sender):
        _bump_now_and_on_commit(hard=not change_is_soft(sender, instance))


def _on_delete(sender, instance, **_kwargs) -> None:
    if _is_public_model(sender):
        _bump_now_and_on_commit(hard=True)


def _is_public_model(sender) -> bool:
    entry = registry.entry(sender)
    return entry is not None and entry.cached


def connect_signals() -> None:
    """Every save or delete of a public model refreshes the cached pages.

    Connected for all senders: the apps register their models in their own ready(), which runs
    after this one; the handlers look the sender up in the registry.
    """
    post_save.connect(_on_save, dispatch_uid="public-cache:save")
    post_delete.connect(_on_delete, dispatch_uid="public-cache:delete")
    request_started.connect(_request_started, dispatch_uid="public-cache:request-started")
    request_finished.connect(_request_finished, dispatch_uid="public-cache:request-finished")
