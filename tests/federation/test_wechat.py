"""WeChat share cards (issue 12, item 2): the signature, the token and ticket against a local fake
of WeChat's API, the CSP allowance only on WeChat's pages, and pages that never depend on WeChat."""

from __future__ import annotations

import datetime
import hashlib
import threading
import urllib.parse

import pytest
from django.core.cache import cache
from PIL import Image

from federation.web import wechat
from tests import factories as f
from tests.fake_wechat import APP_ID, APP_SECRET, FakeWeChat

WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN"
)
SAFARI_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
SDK = '<script src="https://res.wx.qq.com/open/js/jweixin-1.6.0.js" defer></script>'


@pytest.fixture
def fake():
    server = FakeWeChat().start()
    yield server
    server.stop()


@pytest.fixture
def configured(settings, fake):
    settings.WECHAT_APP_ID = APP_ID
    settings.WECHAT_APP_SECRET = APP_SECRET
    settings.WECHAT_API_BASE = fake.base
    settings.WECHAT_REFRESH_MARGIN = 600
    settings.WECHAT_FAILURE_BACKOFF = 60
    return fake


def test_signature_matches_the_example_in_wechats_documentation():
    # JS-SDK documentation, appendix 1 (签名算法).
    assert (
        wechat.signature(
            ticket="sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
            noncestr="Wm3WZYTPz0wzccnW",
            timestamp=1414587457,
            url="http://mp.weixin.qq.com?params=value",
        )
        == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
    )


def test_token_and_ticket_are_fetched_once_and_reused(configured):
    assert wechat.jsapi_ticket() == "ticket-for-token-1"
    assert wechat.jsapi_ticket() == "ticket-for-token-1"
    assert configured.paths() == ["/cgi-bin/token", "/cgi-bin/ticket/getticket"]
    token_call, ticket_call = (params for _, params in configured.calls)
    assert token_call == {"grant_type": "client_credential", "appid": APP_ID, "secret": APP_SECRET}
    assert ticket_call == {"access_token": "token-1", "type": "jsapi"}


def test_ticket_is_refreshed_before_it_expires(configured, time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 2, 10, 0, tzinfo=datetime.UTC), tick=False)
    assert wechat.jsapi_ticket() == "ticket-for-token-1"
    # 7200 s valid, renewed from 600 s before the end: at 6500 s still the same one…
    time_machine.shift(6500)
    assert wechat.jsapi_ticket() == "ticket-for-token-1"
    assert len(configured.calls) == 2
    # …at 6700 s (still valid for 500 s) a new token and ticket.
    time_machine.shift(200)
    assert wechat.jsapi_ticket() == "ticket-for-token-2"
    assert configured.paths() == ["/cgi-bin/token", "/cgi-bin/ticket/getticket"] * 2


def test_while_another_process_refreshes_the_still_valid_ticket_is_used(configured, time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 2, 10, 0, tzinfo=datetime.UTC), tick=False)
    wechat.jsapi_ticket()
    time_machine.shift(6700)
    assert cache.add(wechat._keys()["lock"], "another-process", timeout=10)
    assert wechat.jsapi_ticket() == "ticket-for-token-1"
    assert len(configured.calls) == 2  # nobody but the lock holder asks WeChat


def test_only_one_of_many_simultaneous_requests_asks_wechat(configured):
    configured.delay = 0.3  # WeChat's API answering slowly
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(wechat.jsapi_ticket())) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["ticket-for-token-1"] * 8
    assert configured.paths() == ["/cgi-bin/token", "/cgi-bin/ticket/getticket"]


def test_a_revoked_access_token_is_renewed_once(configured):
    wechat.jsapi_ticket()
    cache.delete(wechat._keys()["ticket"])
    configured.revoke_tokens()  # another server of the 公众号 took a new token: 40001 for ours
    assert wechat.jsapi_ticket() == "ticket-for-token-2"
    assert configured.paths() == [
        "/cgi-bin/token",
        "/cgi-bin/ticket/getticket",
        "/cgi-bin/ticket/getticket",  # 40001
        "/cgi-bin/token",
        "/cgi-bin/ticket/getticket",
    ]


@pytest.mark.parametrize(
    "failure",
    [
        {"token_error": {"errcode": 40164, "errmsg": "invalid ip 1.2.3.4, not in whitelist"}},
        {"token_error": {"errcode": -1, "errmsg": "system error"}},
        {"ticket_error": {"errcode": 45009, "errmsg": "reach max api daily quota limit"}},
        {"status": 500},
    ],
)
def test_an_api_error_gives_no_ticket_and_is_not_retried_at_once(configured, failure):
    for name, value in failure.items():
        setattr(configured, name, value)
    assert wechat.jsapi_ticket() is None
    calls = len(configured.calls)
    assert wechat.jsapi_ticket() is None
    assert len(configured.calls) == calls  # backing off for WECHAT_FAILURE_BACKOFF seconds


def test_wrong_secret_is_wechats_40001_and_gives_no_ticket(configured, settings):
    settings.WECHAT_APP_SECRET = "not-the-secret"
    assert wechat.jsapi_ticket() is None
    assert configured.paths() == ["/cgi-bin/token"]


def test_an_unreachable_api_gives_no_ticket(configured, settings):
    configured.stop()
    settings.WECHAT_API_TIMEOUT = 1
    assert wechat.jsapi_ticket() is None


# --- The page side ------------------------------------------------------------------------------


def config_for(client, url, **headers):
    return client.get("/wechat/jssdk-config/", {"url": url}, **headers)


@pytest.mark.django_db
def test_config_endpoint_signs_the_address_the_phone_has(client, configured):
    url = "http://testserver/news/?from=singlemessage&isappinstalled=0"
    response = config_for(client, url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    config = response.json()
    assert config["appId"] == APP_ID
    assert config["jsApiList"] == ["updateAppMessageShareData", "updateTimelineShareData"]
    raw = (
        f"jsapi_ticket=ticket-for-token-1&noncestr={config['nonceStr']}"
        f"&timestamp={config['timestamp']}&url={url}"
    )
    assert config["signature"] == hashlib.sha1(raw.encode()).hexdigest()
    # A second page: the cached ticket, a new nonce.
    again = config_for(client, "http://testserver/sites/").json()
    assert again["nonceStr"] != config["nonceStr"]
    assert len(configured.calls) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example/news/",
        "javascript:alert(1)",
        "http://testserver/news/#top",
        "",
        "http://testserver/" + "a" * 2000,
    ],
)
def test_config_endpoint_signs_only_our_own_pages(client, configured, url):
    response = config_for(client, url)
    assert response.status_code == 400
    assert response.json() == {"error": "只能为本站的页面地址签名。"}
    assert configured.calls == []


@pytest.mark.django_db
def test_config_endpoint_says_so_when_wechat_fails(client, configured):
    configured.token_error = {"errcode": 40164, "errmsg": "invalid ip"}
    response = config_for(client, "http://testserver/")
    assert response.status_code == 503
    assert response.json() == {"error": "微信接口暂时不可用。"}


@pytest.mark.django_db
def test_config_endpoint_is_absent_without_an_app(client, settings):
    settings.WECHAT_APP_ID = ""
    assert config_for(client, "http://testserver/").status_code == 404


def csp(response) -> str:
    return response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("app", "user_agent", "path", "sdk"),
    [
        (True, WECHAT_UA, "/", True),
        (True, WECHAT_UA, "/news/", True),
        (True, WECHAT_UA, "/sites/", True),
        (True, SAFARI_UA, "/", False),
        (True, SAFARI_UA, "/news/", False),
        (False, WECHAT_UA, "/", False),
        (True, WECHAT_UA, "/accounts/login/", False),  # not a public page: nothing to share
        (True, WECHAT_UA, "/activities/calendar.ics", False),
    ],
)
def test_the_sdk_and_its_csp_host_only_on_public_pages_in_wechat(
    client, configured, settings, app, user_agent, path, sdk
):
    f.DistrictFactory()
    if not app:
        settings.WECHAT_APP_ID = ""
    for _visit in ("render", "cache"):
        response = client.get(path, HTTP_USER_AGENT=user_agent)
        assert response.status_code == 200
        assert ("https://res.wx.qq.com" in csp(response)) is sdk
        assert (SDK in response.content.decode()) is sdk
    assert configured.calls == []  # a page never calls WeChat's API itself


@pytest.mark.django_db
def test_wechat_and_other_browsers_get_their_own_cached_copy(client, configured):
    f.DistrictFactory()
    first = client.get("/", HTTP_USER_AGENT=WECHAT_UA)
    assert first["X-Page-Cache"] == "miss"
    other = client.get("/", HTTP_USER_AGENT=SAFARI_UA)
    assert other["X-Page-Cache"] == "miss"
    assert SDK not in other.content.decode()
    assert "res.wx.qq.com" not in csp(other)
    again = client.get("/", HTTP_USER_AGENT=WECHAT_UA)
    assert again["X-Page-Cache"] == "hit"
    assert SDK in again.content.decode()
    assert csp(again) == csp(first)
    assert "script-src 'self' https://res.wx.qq.com" in csp(again)
    assert "User-Agent" in again["Vary"]


@pytest.mark.django_db
def test_a_failing_wechat_api_never_breaks_a_page(client, configured):
    configured.token_error = {"errcode": 40001, "errmsg": "invalid credential"}
    f.DistrictFactory()
    response = client.get("/", HTTP_USER_AGENT=WECHAT_UA)
    assert response.status_code == 200
    assert SDK in response.content.decode()  # the script then leaves the plain link card
    assert config_for(client, "http://testserver/").status_code == 503


@pytest.mark.django_db
def test_an_article_shares_its_lead_photo_as_a_square_cover(client, configured, settings):
    article = f.ArticleFactory(title="巾帼微党课走进园区")
    f.CoverPhotoFactory(article=article)
    response = client.get(article.get_absolute_url(), HTTP_USER_AGENT=WECHAT_UA)
    html = response.content.decode()
    marker = 'data-image="http://testserver'
    start = html.index(marker) + len(marker)
    cover = html[start : html.index('"', start)]
    assert cover.startswith(settings.MEDIA_URL) and cover.endswith("-s480-jpeg.jpg")
    path = settings.MEDIA_ROOT / urllib.parse.unquote(cover.removeprefix(settings.MEDIA_URL))
    with Image.open(path) as image:
        assert (image.format, image.size) == ("JPEG", (480, 480))


@pytest.mark.django_db
def test_a_page_without_a_photo_shares_the_default_square_image(client, configured):
    f.DistrictFactory()
    html = client.get("/sites/", HTTP_USER_AGENT=WECHAT_UA).content.decode()
    assert 'data-image="http://testserver/static/img/og-default.png"' in html
