"""WeChat share cards: the JS-SDK's signed configuration for public pages opened inside WeChat.

WeChat ignores og tags; a custom card needs its JS-SDK (``jweixin``) configured with a signature
made from the 公众号's jsapi_ticket, then ``updateAppMessageShareData`` /
``updateTimelineShareData``. With ``WECHAT_APP_ID`` and ``WECHAT_APP_SECRET`` set:

- :class:`WeChatShareMiddleware` marks public pages requested by WeChat's browser (User-Agent
  ``MicroMessenger``): the page then loads the SDK and ``static/js/wechat-share.js``, and only
  that page's CSP allows the SDK's host. The page cache keeps WeChat's copy apart
  (``federation.web.cache.page_digest``) along with its CSP allowance.
- The signature depends on the exact address in the phone (WeChat appends ``from=…``) and on the
  time, so it is never part of a cached page: the script asks :func:`jssdk_config_view`
  (``no-store``) for it.
- The access token and the ticket come from WeChat's API (``WECHAT_API_BASE``), fetched by one
  process at a time (a ``cache.add`` lock), kept in the shared cache until they expire and
  refreshed ``WECHAT_REFRESH_MARGIN`` seconds before. A failure of that API is logged and
  remembered for ``WECHAT_FAILURE_BACKOFF`` seconds; pages never depend on it.

The HTTP client is the standard library's ``urllib``: two GET requests answering JSON need no
further dependency.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, JsonResponse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _

from federation.web.ratelimits import retry_after

logger = logging.getLogger(__name__)

SDK_URL = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js"
SDK_ORIGIN = "https://res.wx.qq.com"
JS_API_LIST = ("updateAppMessageShareData", "updateTimelineShareData")
# errcodes meaning "this access_token is no good": fetch a new one and try once more.
TOKEN_REJECTED = {40001, 40014, 42001}
MAX_RESPONSE_BYTES = 64 * 1024


class WeChatError(Exception):
    """WeChat's API answered with an error code, or not as documented."""

    def __init__(self, errcode: int, errmsg: str):
        super().__init__(f"{errcode} {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


def _setting(name: str, default):
    return getattr(settings, name, default)


def enabled() -> bool:
    return bool(_setting("WECHAT_APP_ID", "") and _setting("WECHAT_APP_SECRET", ""))


def in_wechat(request) -> bool:
    """True when share cards are configured and the page is opened in WeChat's browser."""
    return enabled() and "MicroMessenger" in request.META.get("HTTP_USER_AGENT", "")


def signature(*, ticket: str, noncestr: str, timestamp: int, url: str) -> str:
    """WeChat's published algorithm: SHA-1 of the four fields in this order (JS-SDK appendix 1)."""
    raw = f"jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={url}"
    return hashlib.sha1(raw.encode()).hexdigest()  # noqa: S324 (the protocol mandates SHA-1)


# --- The API client: access token and jsapi_ticket -------------------------------------------


def _keys() -> dict[str, str]:
    app = _setting("WECHAT_APP_ID", "")
    return {
        "token": f"wechat:access-token:{app}",
        "ticket": f"wechat:jsapi-ticket:{app}",
        "lock": f"wechat:refresh-lock:{app}",
        "failed": f"wechat:failed:{app}",
    }


def _get_json(path: str, params: dict) -> dict:
    base = _setting("WECHAT_API_BASE", "https://api.weixin.qq.com").rstrip("/")
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=_setting("WECHAT_API_TIMEOUT", 3)) as response:
        body = response.read(MAX_RESPONSE_BYTES + 1)
    if len(body) > MAX_RESPONSE_BYTES:
        raise WeChatError(-2, "response too large")
    try:
        data = json.loads(body)
    except ValueError as error:
        raise WeChatError(-2, "not JSON") from error
    if not isinstance(data, dict):
        raise WeChatError(-2, "not a JSON object")
    errcode = data.get("errcode", 0)
    if errcode:
        raise WeChatError(int(errcode), str(data.get("errmsg", "")))
    return data


def _valid(data: dict, field: str) -> tuple[str, int]:
    value, expires_in = data.get(field), data.get("expires_in")
    if not isinstance(value, str) or not value or not isinstance(expires_in, int):
        raise WeChatError(-2, f"no {field}")
    return value, expires_in


def _store(key: str, value: str, expires_in: int) -> dict:
    entry = {"value": value, "expires_at": time.time() + expires_in}
    cache.set(key, entry, timeout=max(1, expires_in))
    return entry


def _fresh(entry: dict | None) -> bool:
    margin = _setting("WECHAT_REFRESH_MARGIN", 600)
    return bool(entry) and entry["expires_at"] - margin > time.time()


def _usable(entry: dict | None) -> bool:
    return bool(entry) and entry["expires_at"] > time.time()


def _access_token(keys: dict, *, renew: bool = False) -> str:
    entry = None if renew else cache.get(keys["token"])
    if _fresh(entry):
        return entry["value"]
    data = _get_json(
        "/cgi-bin/token",
        {
            "grant_type": "client_credential",
            "appid": _setting("WECHAT_APP_ID", ""),
            "secret": _setting("WECHAT_APP_SECRET", ""),
        },
    )
    return _store(keys["token"], *_valid(data, "access_token"))["value"]


def _refresh_ticket(keys: dict) -> dict:
    token = _access_token(keys)
    try:
        data = _get_json("/cgi-bin/ticket/getticket", {"access_token": token, "type": "jsapi"})
    except WeChatError as error:
        if error.errcode not in TOKEN_REJECTED:
            raise
        # The token was revoked or renewed elsewhere (another server using the same 公众号).
        token = _access_token(keys, renew=True)
        data = _get_json("/cgi-bin/ticket/getticket", {"access_token": token, "type": "jsapi"})
    return _store(keys["ticket"], *_valid(data, "ticket"))


def jsapi_ticket() -> str | None:
    """The current jsapi_ticket, or None when WeChat's API cannot give one now."""
    keys = _keys()
    entry = cache.get(keys["ticket"])
    if _fresh(entry):
        return entry["value"]
    if cache.get(keys["failed"]):
        return entry["value"] if _usable(entry) else None
    owner = uuid.uuid4().hex
    lock_timeout = _setting("WECHAT_LOCK_TIMEOUT", 10)
    if cache.add(keys["lock"], owner, timeout=lock_timeout):
        try:
            return _refresh_ticket(keys)["value"]
        except (WeChatError, OSError) as error:  # URLError and timeouts are OSErrors
            logger.warning("WeChat API: no jsapi_ticket (%s)", error)
            cache.set(keys["failed"], 1, timeout=_setting("WECHAT_FAILURE_BACKOFF", 60))
            return entry["value"] if _usable(entry) else None
        finally:
            if cache.get(keys["lock"]) == owner:
                cache.delete(keys["lock"])
    # Another process is refreshing: the current ticket is still valid, or wait briefly for theirs.
    if _usable(entry):
        return entry["value"]
    deadline = time.monotonic() + _setting("WECHAT_WAIT_SECONDS", 3)
    while time.monotonic() < deadline:
        time.sleep(0.05)
        entry = cache.get(keys["ticket"])
        if _usable(entry):
            return entry["value"]
        if not cache.get(keys["lock"]):
            break  # they gave up
    return None


def share_config(url: str) -> dict | None:
    """What ``wx.config`` needs for the page at ``url`` (None: WeChat's API is unavailable)."""
    ticket = jsapi_ticket()
    if ticket is None:
        return None
    noncestr = secrets.token_hex(8)
    timestamp = int(time.time())
    return {
        "appId": _setting("WECHAT_APP_ID", ""),
        "timestamp": timestamp,
        "nonceStr": noncestr,
        "signature": signature(ticket=ticket, noncestr=noncestr, timestamp=timestamp, url=url),
        "jsApiList": list(JS_API_LIST),
    }


# --- The page side ------------------------------------------------------------------------------


def jssdk_config_view(request):
    """``GET /wechat/jssdk-config/?url=<the page's address without #…>``: the signed
    configuration as JSON, never stored. Only our own pages are signed."""
    if not enabled():
        raise Http404
    if retry_after(request, group="wechat-config", rate=_setting("WECHAT_CONFIG_RATE", None)):
        return _json({"error": _("访问过于频繁。")}, status=429)
    url = request.GET.get("url", "")
    parts = urllib.parse.urlsplit(url)
    if (
        len(url) > 2000
        or parts.scheme not in ("http", "https")
        or parts.netloc != request.get_host()
        or parts.fragment
    ):
        return _json({"error": _("只能为本站的页面地址签名。")}, status=400)
    config = share_config(url)
    if config is None:
        return _json({"error": _("微信接口暂时不可用。")}, status=503)
    return _json(config)


def _json(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store"
    return response


class WeChatShareMiddleware:
    """Marks public pages opened in WeChat (``request.wechat_share``, read by the base template)
    and lets their CSP load the JS-SDK; every other page keeps the strict policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.wechat_share = False
        response = self.get_response(request)
        if request.wechat_share and response.get("Content-Type", "").startswith("text/html"):
            # Added to the page's own allowances (the site map's tile hosts), not replacing them.
            update = dict(getattr(response, "_csp_update", None) or {})
            update["script-src"] = [*update.get("script-src", []), SDK_ORIGIN]
            response._csp_update = update
        if request.wechat_share or (enabled() and _is_public_page(request)):
            # WeChat's copy differs (scripts and CSP): shared caches must keep them apart.
            patch_vary_headers(response, ["User-Agent"])
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.wechat_share = in_wechat(request) and _is_public_page(request)


def _is_public_page(request) -> bool:
    """The view is a ``public_page`` (federation.web.cache): the pages a visitor shares."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    view_class = getattr(match.func, "view_class", None)
    func = view_class.dispatch if view_class is not None else match.func
    return getattr(func, "public_page_rule", None) is not None
