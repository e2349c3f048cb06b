"""Records shaped like the ones that broke the phone layout (issue 12): a long activity title in
an article's tag, stories and descriptions pasted with HTML, a brand with a hundred events."""

from __future__ import annotations

import datetime

from activities.models import Article, Exemplar
from brands.models import Brand
from organizations.models import Federation, ServiceSite
from tests import factories as f

LONG_ACTIVITY = "“巾帼心向党”｜南港海港路沿线岛屿式妇联开展巾帼微党课活动暨“三新”领域女性座谈会"
PASTED_STORY = (
    "<p>她立足岗位、勇于创新，在“巾帼建功行动”中表现突出。</p><p>2024年获评“巾帼建功标兵”。</p>"
)


def build_visitor_portal() -> dict:
    district = f.DistrictFactory()
    federation = f.FederationFactory(
        name="南港海港路沿线岛屿式妇联",
        parent=district,
        description="<p>覆盖沿线 12 家企业。</p>",
    )
    site = f.ServiceSiteFactory(
        federation=federation,
        name="中区一街沿线儿童之家",
        kind=ServiceSite.Kind.CHILDREN_HOME,
        description="<p>寒暑假职工子女托管。</p>",
        latitude="39.040000",
        longitude="117.710000",
    )
    activity = f.ActivityFactory(organizer=federation, site=site, title=LONG_ACTIVITY)
    children = f.BrandFactory(
        name="泰达儿童之家", slug="children-home", description="<p>托管班</p>"
    )
    love = f.BrandFactory(
        name="为爱而来",
        slug="for-love",
        focus=Brand.Focus.MATCHMAKING,
        is_matchmaking=True,
        session_unit=Brand.Unit.EVENT,
    )
    for number in range(1, 41):
        f.BrandSessionFactory(
            brand=children,
            number=number,
            starts_on=datetime.date(2005 + number // 2, 7 if number % 2 else 1, 8),
            ends_on=datetime.date(2005 + number // 2, 8 if number % 2 else 2, 20),
            title=f"第{number}期职工子女托管班",
            site=site,
            federation=federation,
            participants=50,
            enterprises=12,
        )
    for number in range(1, 113):
        f.BrandSessionFactory(
            brand=love,
            number=number,
            starts_on=datetime.date(2016 + number // 12, 1 + number % 12, 10),
            participants=60,
            couples=5,
        )
    articles = [
        f.ArticleFactory(federation=federation, activity=activity, title=LONG_ACTIVITY),
        f.ArticleFactory(federation=federation, brand=love, title="为爱而来第112场"),
        f.ArticleFactory(federation=federation, title="草稿", status=Article.Status.DRAFT),
    ]
    exemplar = f.ExemplarFactory(
        federation=federation, name="于娜晨", story=PASTED_STORY, honour=Exemplar.Honour.MERIT_STAR
    )
    return {
        "district": district,
        "federation": federation,
        "site": site,
        "activity": activity,
        "children": children,
        "love": love,
        "articles": articles,
        "exemplar": exemplar,
    }


def every_public_page() -> list[str]:
    """Every published article, brand, exemplar, site and federation page, and the lists."""
    from activities.models import Article, Exemplar

    paths = ["/", "/news/", "/activities/", "/sites/", "/federations/", "/brands/"]
    paths += ["/exemplars/", "/stats/", "/about/", "/search/?q=妇联"]
    paths += [a.get_absolute_url() for a in Article.objects.published()]
    paths += [b.get_absolute_url() for b in Brand.objects.published()]
    paths += [e.get_absolute_url() for e in Exemplar.objects.published()]
    paths += [s.get_absolute_url() for s in ServiceSite.objects.active()]
    paths += [x.get_absolute_url() for x in Federation.objects.active()]
    return paths
