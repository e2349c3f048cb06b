"""The share card inside WeChat (issue 12, item 2), at 375 px: the page loads WeChat's JS-SDK
(answered here by a stand-in that records what the page asks of ``wx``, since the real one cannot
be fetched), our script gets the signature from the portal, which got the ticket from the local
fake of WeChat's API, and the card has the article's title, summary, link and square cover."""

from __future__ import annotations

import hashlib

import pytest

from tests import factories as f
from tests.browser.conftest import PHONE
from tests.fake_wechat import APP_ID, APP_SECRET, FakeWeChat
from tests.federation.test_wechat import WECHAT_UA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What jweixin exposes, recording the calls (wx.ready runs once configured, as in WeChat).
RECORDING_SDK = """
window.__wx = {calls: []};
window.wx = {
  config: function (c) { window.__wx.calls.push(["config", c]); },
  ready: function (fn) { window.__wx.calls.push(["ready"]); fn(); },
  updateAppMessageShareData: function (d) { window.__wx.calls.push(["friends", d]); },
  updateTimelineShareData: function (d) { window.__wx.calls.push(["moments", d]); }
};
"""


@pytest.fixture
def wechat_api(settings):
    server = FakeWeChat().start()
    settings.WECHAT_APP_ID = APP_ID
    settings.WECHAT_APP_SECRET = APP_SECRET
    settings.WECHAT_API_BASE = server.base
    yield server
    server.stop()


def open_in_wechat(browser, url):
    context = browser.new_context(**{**PHONE, "user_agent": WECHAT_UA})
    page = context.new_page()
    problems = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.route(
        "https://res.wx.qq.com/open/js/jweixin-1.6.0.js",
        lambda route: route.fulfill(body=RECORDING_SDK, content_type="application/javascript"),
    )
    with page.expect_response(lambda r: "/wechat/jssdk-config/" in r.url) as signed:
        page.goto(url)
    return context, page, problems, signed.value


def test_an_article_opened_in_wechat_sets_its_share_card(live_server, browser, wechat_api):
    article = f.ArticleFactory(title="巾帼微党课走进园区", summary="园区女职工共上一堂微党课。")
    f.CoverPhotoFactory(article=article)
    url = f"{live_server.url}{article.get_absolute_url()}?from=singlemessage&isappinstalled=0"
    context, page, problems, signed = open_in_wechat(browser, url)
    assert signed.status == 200
    page.wait_for_function("window.__wx && window.__wx.calls.length === 4")
    calls = page.evaluate("window.__wx.calls")
    assert [c[0] for c in calls] == ["config", "ready", "friends", "moments"]
    config, friends, moments = calls[0][1], calls[2][1], calls[3][1]
    # Signed for the address the phone has (with WeChat's from=…), with the fake API's ticket.
    raw = (
        f"jsapi_ticket=ticket-for-token-1&noncestr={config['nonceStr']}"
        f"&timestamp={config['timestamp']}&url={url}"
    )
    assert config["appId"] == APP_ID
    assert config["signature"] == hashlib.sha1(raw.encode()).hexdigest()
    assert config["jsApiList"] == ["updateAppMessageShareData", "updateTimelineShareData"]
    assert friends["title"] == "巾帼微党课走进园区"
    assert friends["desc"] == "园区女职工共上一堂微党课。"
    assert friends["link"] == f"{live_server.url}{article.get_absolute_url()}"
    assert friends["imgUrl"].endswith("-s480-jpeg.jpg")
    assert moments == {k: friends[k] for k in ("title", "link", "imgUrl")}
    size = page.evaluate(
        """async (src) => { const i = new Image(); i.src = src; await i.decode();
        return [i.naturalWidth, i.naturalHeight]; }""",
        friends["imgUrl"],
    )
    assert size == [480, 480]
    assert problems == []
    assert wechat_api.paths() == ["/cgi-bin/token", "/cgi-bin/ticket/getticket"]
    context.close()


def test_when_wechats_api_fails_the_page_works_without_a_card(live_server, browser, wechat_api):
    wechat_api.token_error = {"errcode": 40164, "errmsg": "invalid ip, not in whitelist"}
    f.DistrictFactory()
    context, page, problems, signed = open_in_wechat(browser, live_server.url + "/news/")
    assert signed.status == 503
    assert page.locator("h1").first.inner_text() == "活动资讯"
    page.wait_for_timeout(300)
    assert page.evaluate("window.__wx.calls") == []  # no wx.config: WeChat's plain link card
    assert problems == []
    context.close()
