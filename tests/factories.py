"""factory_boy factories for the whole domain; valid credit codes are computed, not typed."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from activities.models import Activity, Article, Exemplar, Photo, Series
from brands.models import Brand, BrandSession
from organizations.models import Enterprise, Federation, MediaAccount, OpeningHours, ServiceSite
from organizations.validators import credit_code_check_char


def make_credit_code(n: int) -> str:
    first17 = f"91120116{n:09d}"
    return first17 + credit_code_check_char(first17)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Federation
        django_get_or_create = ("name",)

    name = "天津经开区妇联"
    level = Federation.Level.DISTRICT
    kind = ""


class FederationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Federation

    name = factory.Sequence(lambda n: f"测试企业{n}妇联")
    level = Federation.Level.GRASSROOTS
    kind = Federation.Kind.SINGLE
    parent = factory.SubFactory(DistrictFactory)
    area = "泰达街"
    address = factory.Sequence(lambda n: f"天津经开区第{n}大街{n}号")


class WomenGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Federation

    name = factory.Sequence(lambda n: f"第{n}妇女小组")
    level = Federation.Level.GROUP
    kind = ""
    parent = factory.SubFactory(FederationFactory)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    credit_code = factory.Sequence(make_credit_code)
    name = factory.Sequence(lambda n: f"泰达测试科技{n}有限公司")
    sector = Enterprise.Sector.NEW_ECONOMIC
    employees = 100
    female_employees = 40


class ServiceSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceSite

    name = factory.Sequence(lambda n: f"测试妇女之家{n}")
    kind = ServiceSite.Kind.WOMEN_HOME
    federation = factory.SubFactory(FederationFactory)
    area = "泰达街"
    address = factory.Sequence(lambda n: f"天津经开区第三大街{n}号")


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series
        django_get_or_create = ("slug",)

    name = "巾帼心向党"
    slug = "heart-to-party"


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"测试品牌{n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")


class BrandSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BrandSession

    brand = factory.SubFactory(BrandFactory)
    number = factory.Sequence(lambda n: n + 1)
    starts_on = datetime.date(2024, 3, 1)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    title = factory.Sequence(lambda n: f"巾帼心向党主题活动{n}")
    category = Activity.Category.GUIDANCE
    organizer = factory.SubFactory(FederationFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=3))


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"妇联活动新闻{n}")
    body = "<p>活动现场气氛热烈。</p>"
    federation = factory.SubFactory(FederationFactory)
    status = Article.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))
    source = "滨城女性"
    editor = "木南"
    proofreader = "梅朵"


class ExemplarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exemplar

    name = factory.Sequence(lambda n: f"李{n}")
    honour = Exemplar.Honour.MERIT_STAR
    year = 2024
    consent_to_publish = True
    consent_recorded_on = datetime.date(2024, 3, 1)


# --- Added for the admin and seed tests -----------------------------------------------------------
class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "organizations.Need"

    code = factory.Sequence(lambda n: f"need-{n}")
    name = factory.Sequence(lambda n: f"需求{n}")


class MediaAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediaAccount

    name = "滨城女性"
    platform = MediaAccount.Platform.WECHAT
    handle = factory.Sequence(lambda n: f"teda_women_{n}")


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    site = factory.SubFactory(ServiceSiteFactory)
    weekday = 0
    opens = datetime.time(9, 0)
    closes = datetime.time(17, 0)


class PhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Photo

    article = factory.SubFactory(ArticleFactory)
    image = factory.django.ImageField(width=1200, height=800, color="#c8102e", format="JPEG")
    caption = factory.Sequence(lambda n: f"活动现场{n}")
    position = factory.Sequence(lambda n: n)


class CoverPhotoFactory(PhotoFactory):
    """A photo its article takes as cover (设为封面) unless it has one: covers are chosen,
    never the first photo by default."""

    @factory.post_generation
    def as_cover(self, create, extracted, **kwargs):
        if create and self.article.cover_photo_id is None:
            type(self.article).objects.filter(pk=self.article_id).update(cover_photo=self)
            self.article.cover_photo = self


# --- Staff workbench (issue 4): accounts with a role ---
class UserFactory(factory.django.DjangoModelFactory):
    """An account; pass ``role=`` (a federation.core.roles name) to put it in that role's group."""

    class Meta:
        model = "federation.User"
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"工作人员{n}")
    is_staff = True
    password = factory.django.Password("泰达妇联-测试口令-2024")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            from django.contrib.auth.models import Group

            self.groups.add(Group.objects.get(name=extracted))
