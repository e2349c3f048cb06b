"""A small but complete public data set, scalable, for page, privacy and query-count tests."""

from __future__ import annotations

import datetime

from django.utils import timezone

from activities.models import Activity, Article
from brands.models import Brand
from organizations.models import Enterprise, Federation, ServiceSite
from tests import factories as f


def build_portal(scale: int = 1, *, photos: bool = True) -> dict:
    """``scale`` units of every public record, plus private ones that must never show."""
    now = timezone.now()
    district = f.DistrictFactory()
    existing = Brand.objects.filter(slug="children-home").first()
    if existing:  # a second call adds records to the same network
        brand = existing
        matchmaking = Brand.objects.get(slug="for-love")
    else:
        brand = f.BrandFactory(name="泰达儿童之家", slug="children-home", tagline="职工子女托管")
        matchmaking = f.BrandFactory(
            name="为爱而来", slug="for-love", focus=Brand.Focus.MATCHMAKING, is_matchmaking=True
        )
        f.BrandFactory(name="隐藏品牌", slug="hidden", is_published=False)
        f.MediaAccountFactory(name="滨城女性")
    data = {"district": district, "brand": brand, "matchmaking": matchmaking, "articles": []}
    for i in range(scale):
        federation = f.FederationFactory(
            kind=Federation.Kind.JOINT if i % 2 else Federation.Kind.SINGLE,
            contact_name="王秘密",
            contact_phone="13800138000",
            description="泰达中小企业园联合妇联",
        )
        f.WomenGroupFactory(parent=federation)
        for j in range(2):
            f.EnterpriseFactory(
                federation=federation,
                surveyed_on=datetime.date(2024, 5, 1),
                sector=Enterprise.Sector.NEW_ECONOMIC if j else Enterprise.Sector.NEW_SOCIAL,
                contact_name="赵联系",
                contact_phone="13900139000",
            )
        f.EnterpriseFactory(surveyed_on=datetime.date(2024, 5, 1))
        site = f.ServiceSiteFactory(
            federation=federation,
            kind=ServiceSite.Kind.CHILDREN_HOME if i % 2 else ServiceSite.Kind.WOMEN_HOME,
            services="暑期托管\n亲子阅读",
            latitude="39.040000",
            longitude="117.710000",
            public_phone="022-66200000",
        )
        for day in range(7):
            f.OpeningHoursFactory(site=site, weekday=day)
        f.ServiceSiteFactory(
            federation=federation, is_active=False, name=f"已关闭阵地{federation.pk}"
        )
        session = f.BrandSessionFactory(
            brand=brand,
            site=site,
            federation=federation,
            participants=30,
            families=20,
            enterprises=3,
            classes_incubated=1,
        )
        f.BrandSessionFactory(
            brand=matchmaking, couples=5, participants=40, summary="张三与李四牵手"
        )
        past = f.ActivityFactory(
            organizer=federation,
            site=site,
            brand=brand,
            brand_session=session,
            category=Activity.Category.URGENT_NEEDS,
        )
        f.ActivityFactory(
            organizer=federation,
            site=site,
            starts_at=now + datetime.timedelta(days=7 + i),
            title=f"即将举行的托管班开班{i}",
        )
        f.ActivityFactory(organizer=federation, is_public=False, title=f"内部会议{i}")
        article = f.ArticleFactory(
            federation=federation,
            activity=past,
            brand=brand,
            title=f"妇联托管班开班{i}",
            publish_at=now - datetime.timedelta(hours=i + 1),
        )
        if photos:
            cover = f.PhotoFactory(article=article, image__width=320, image__height=240)
            f.PhotoFactory(article=article, image__width=320, image__height=240)
            Article.objects.filter(pk=article.pk).update(cover_photo=cover)  # chosen, as staff do
        data["articles"].append(article)
        f.ArticleFactory(federation=federation, status=Article.Status.DRAFT, title=f"草稿新闻{i}")
        f.ArticleFactory(
            federation=federation, status=Article.Status.SUBMITTED, title=f"待审新闻{i}"
        )
        f.ArticleFactory(
            federation=federation, status=Article.Status.UNPUBLISHED, title=f"撤回新闻{i}"
        )
        f.ArticleFactory(
            federation=federation,
            title=f"定时新闻{i}",
            publish_at=now + datetime.timedelta(days=1),
        )
        f.ExemplarFactory(federation=federation, name=f"公开典型{i}", story="扎根一线")
        f.ExemplarFactory(
            federation=federation,
            name=f"未同意典型{i}",
            consent_to_publish=False,
            consent_recorded_on=None,
        )
    data["federation"] = federation
    data["site"] = site
    return data
