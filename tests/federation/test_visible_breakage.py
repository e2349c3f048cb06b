"""The visible breakage a visitor found on a phone (issue 12, item 5), page by page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.visitor_data import build_visitor_portal, every_public_page

pytestmark = pytest.mark.django_db

LITERAL_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")


class VisibleText(HTMLParser):
    """The text a visitor sees (and the share description), headings in order, lead images."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.meta: dict[str, str] = {}
        self.headings: list[int] = []
        self.images: list[dict] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template"):
            self._skip += 1
        if tag == "meta" and (attrs.get("name") or attrs.get("property")):
            self.meta[attrs.get("name") or attrs.get("property")] = attrs.get("content") or ""
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "img":
            self.images.append(attrs)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def parse(client, path) -> VisibleText:
    response = client.get(path)
    assert response.status_code == 200, path
    parser = VisibleText()
    parser.feed(response.content.decode())
    return parser


def test_no_public_page_shows_a_literal_html_tag(client):
    build_visitor_portal()
    for path in every_public_page():
        page = parse(client, path)
        text = "".join(page.text)
        assert not LITERAL_TAG.search(text), (path, LITERAL_TAG.search(text).group())
        for name in ("description", "og:description", "og:title"):
            assert not LITERAL_TAG.search(page.meta.get(name, "")), (path, name)


def test_the_pasted_story_reads_as_paragraphs_and_its_share_text_as_plain_text(client):
    data = build_visitor_portal()
    page = parse(client, data["exemplar"].get_absolute_url())
    assert "她立足岗位、勇于创新" in "".join(page.text)
    assert page.meta["og:description"].startswith(
        "她立足岗位、勇于创新，在“巾帼建功行动”中表现突出。"
    )
    html = client.get(data["exemplar"].get_absolute_url()).content.decode()
    assert "<p>她立足岗位、勇于创新，在“巾帼建功行动”中表现突出。</p>" in html


def test_headings_never_skip_a_level(client):
    build_visitor_portal()
    for path in every_public_page():
        levels = parse(client, path).headings
        assert levels[0] == 1, path
        for before, after in zip(levels, levels[1:], strict=False):
            assert after <= before + 1, (path, levels)


def test_brand_units_come_from_the_brand(client):
    data = build_visitor_portal()
    love = client.get(data["love"].get_absolute_url()).content.decode()
    assert "第112场" in love and "第112期" not in love
    assert "场次" in love
    children = client.get(data["children"].get_absolute_url()).content.decode()
    assert "第40期" in children and "期数" in children
    listing = client.get("/brands/").content.decode()
    assert "已举办 112 场" in listing and "已举办 40 期" in listing


def test_session_history_is_grouped_by_year_with_the_latest_year_open(client):
    data = build_visitor_portal()
    html = client.get(data["love"].get_absolute_url()).content.decode()
    groups = re.findall(
        r'<details class="year"( open)?>\s*<summary><h3 class="year-title">(\d+)年', html
    )
    assert groups[0] == (" open", "2025")
    assert [open_ for open_, _year in groups[1:]] == [""] * 9
    assert [year for _open, year in groups] == [str(y) for y in range(2025, 2015, -1)]
    assert "<table" not in html.split('id="brand-sessions"')[1].split("</details>\n</div>")[0]


def test_enterprises_summed_over_sessions_are_labelled_as_visits(client):
    data = build_visitor_portal()
    html = client.get(data["children"].get_absolute_url()).content.decode()
    assert "480" in html and "受惠企业（家次）" in html  # 40 sessions × 12, the same firms again
    stats = client.get("/stats/").content.decode()
    assert "受惠企业（家次）" in stats


def test_the_statistics_show_no_brand_without_sessions(client):
    build_visitor_portal()
    from tests.factories import BrandFactory

    BrandFactory(name="有你泰好", slug="youni-taihao")
    response = client.get("/stats/")
    names = [b.name for b in response.context["brand_outcomes"]]
    assert sorted(names) == ["为爱而来", "泰达儿童之家"]
    assert 'id="brand-outcomes"' in response.content.decode()
    assert "有你泰好</a></h3>" not in response.content.decode()


def test_favicon_and_touch_icons(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    html = client.get("/").content.decode()
    assert 'rel="apple-touch-icon"' in html and 'rel="icon"' in html


def test_the_article_lead_picture_loads_at_once_the_gallery_lazily(client, png_bytes):
    from django.core.files.base import ContentFile

    from tests.factories import ArticleFactory, PhotoFactory

    article = ArticleFactory()
    photos = [
        PhotoFactory(article=article, image=ContentFile(png_bytes(800, 600), name=f"p{index}.png"))
        for index in range(3)
    ]
    article.cover_photo = photos[1]
    article.save()
    page = parse(client, article.get_absolute_url())
    pictures = [img for img in page.images if img.get("srcset")]
    assert len(pictures) == 3  # the chosen cover as lead, then the two others in the gallery
    assert "loading" not in pictures[0] and pictures[0]["fetchpriority"] == "high"
    assert [img.get("loading") for img in pictures[1:]] == ["lazy"] * 2


def test_a_media_account_named_like_its_handle_is_not_repeated(client):
    from organizations.models import MediaAccount
    from tests.factories import MediaAccountFactory

    MediaAccountFactory(name="滨城女性", handle="滨城女性", platform=MediaAccount.Platform.WECHAT)
    MediaAccountFactory(name="泰达妇联", handle="teda_women", platform=MediaAccount.Platform.WECHAT)
    html = client.get("/").content.decode()
    assert "滨城女性（滨城女性）" not in html and "· 滨城女性</span>" in html
    assert "泰达妇联（teda_women）" in html
