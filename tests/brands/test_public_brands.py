"""Brand programmes: sessions numbered 第N期, outcomes summed from the sessions, news."""

from __future__ import annotations

import pytest

from activities.models import Article
from brands.models import Brand
from tests.factories import ArticleFactory, BrandFactory, BrandSessionFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_brand_list_shows_published_brands_only(client):
    BrandFactory(name="巾帼科创营", slug="sci-camp")
    hidden = BrandFactory(name="筹备中的品牌", slug="pending", is_published=False)
    page = text(client.get("/brands/"))
    assert "巾帼科创营" in page and "筹备中的品牌" not in page
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_brand_page_numbers_sessions_and_sums_outcomes(client):
    brand = BrandFactory(name="泰达儿童之家", slug="children-home")
    for number, families in ((1, 40), (2, 60), (3, 50)):
        BrandSessionFactory(
            brand=brand,
            number=number,
            families=families,
            enterprises=5,
            classes_incubated=1,
            participants=30,
        )
    ArticleFactory(title="第三期托管班结业", brand=brand)
    ArticleFactory(title="未发布的品牌稿", brand=brand, status=Article.Status.DRAFT)
    response = client.get("/brands/children-home/")
    page = text(response)
    assert "第1期" in page and "第2期" in page and "第3期" in page
    assert response.context["totals"] == {
        "participants": 90,
        "families": 150,
        "enterprises": 15,
        "classes_incubated": 3,
        "couples": 0,
    }
    assert ">150<" in page and ">15<" in page
    assert "第三期托管班结业" in page and "未发布的品牌稿" not in page


def test_matchmaking_brand_never_shows_participants(client):
    brand = BrandFactory(
        name="为爱而来", slug="for-love", focus=Brand.Focus.MATCHMAKING, is_matchmaking=True
    )
    BrandSessionFactory(brand=brand, couples=12, participants=80, summary="王小明和李小红牵手成功")
    page = text(client.get(brand.get_absolute_url()))
    assert ">12<" in page  # the outcome, a number
    assert "王小明" not in page and "李小红" not in page


@pytest.mark.parametrize("kind", ["focus", "parent"])
def test_matchmaking_without_the_tick_still_hides_participants(client, kind):
    """A brand whose focus is 婚恋交友, or a sub-brand of a matchmaking brand, is matchmaking
    even when the editor forgot the is_matchmaking box."""
    if kind == "focus":
        brand = BrandFactory(focus=Brand.Focus.MATCHMAKING, is_matchmaking=False)
    else:
        parent = BrandFactory(focus=Brand.Focus.MATCHMAKING, is_matchmaking=True)
        brand = BrandFactory(parent=parent, focus=Brand.Focus.OTHER, is_matchmaking=False)
    BrandSessionFactory(brand=brand, couples=3, summary="王小明和李小红牵手成功")
    page = text(client.get(brand.get_absolute_url()))
    assert "王小明" not in page and "李小红" not in page
