"""Loading the plan: create what is missing, never change what exists."""

from __future__ import annotations

import datetime
import enum
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import OuterRef, Subquery, Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from activities.models import Activity, Article, ArticleTransition, Exemplar, Photo, Series
from brands.models import Brand, BrandSession
from federation.core import roles, search_index
from federation.core.pinyin import fill_pinyin
from federation.demo.helpers import local_time
from federation.demo.history import demo_history, followed_by
from federation.demo.photos import photo_bytes
from federation.demo.plan import build_plan
from federation.demo.registrations import demo_activities, demo_registrations_seed
from federation.demo.vocabulary import (
    CHANGE_REASON,
    CHILDREN_HOME_SLUG,
    DEMO_ACCOUNTS,
    DISTRICT_NAME,
    DRIVERS_NAME,
    MATCHMAKING_SLUG,
    NEEDS,
    PARK_NAME,
)
from federation.web.cache import public_cache_invalidate
from organizations.models import (
    Enterprise,
    Federation,
    MediaAccount,
    Need,
    OpeningHours,
    ServiceSite,
)


# --- Loading ------------------------------------------------------------------------------------
@dataclass
class SeedReport:
    anchor: datetime.date | None = None
    created: Counter = field(default_factory=Counter)
    files_written: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)


def _create_missing(
    model: type[models.Model],
    key: str | tuple[str, ...],
    objs: list[models.Model],
    report: SeedReport,
) -> list:
    """Create the objects whose natural key is not in the table yet (with history where tracked)."""
    fields = (key,) if isinstance(key, str) else key
    existing = set(model._default_manager.values_list(*fields))
    new, seen = [], set()
    for obj in objs:
        # Choices are enums whose hash differs from their value's: compare plain values.
        value = tuple(_plain(getattr(obj, f)) for f in fields)
        if value not in existing and value not in seen:
            seen.add(value)
            new.append(obj)
    if new:
        for obj in new:
            fill_pinyin(obj)  # bulk_create sends no pre_save
        if hasattr(model, "history"):
            bulk_create_with_history(
                new, model, batch_size=500, default_change_reason=CHANGE_REASON
            )
        else:
            model._default_manager.bulk_create(new, batch_size=500)
        search_index.index_objects(new)  # nor post_save
    report.created[model._meta.label] += len(new)
    return new


def _plain(value):
    return value.value if isinstance(value, enum.Enum) else value


def demo_accounts_ensure(*, report: SeedReport) -> None:
    """Create the demo accounts that are missing; an existing account is left as it is."""
    User = get_user_model()
    federations = dict(
        Federation.objects.filter(name__in=[PARK_NAME, DRIVERS_NAME]).values_list("name", "pk")
    )
    groups = {g.name: g for g in Group.objects.filter(name__in=roles.ROLES)}
    for username, password, role, federation_name, display_name in DEMO_ACCOUNTS:
        report.accounts.append((username, password, str(roles.ROLE_LABELS[role])))
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            display_name=display_name,
            is_staff=True,
            is_superuser=username == "admin",
            federation_id=federations.get(federation_name),
        )
        user.set_password(password)
        user.save()
        user.groups.add(groups[role])
        report.created[User._meta.label] += 1


def demo_loaded_on() -> datetime.date | None:
    """The day the demo data were first loaded (from their history rows), if they were."""
    # The district federation's row: the others are dated back to their founding (demo history).
    first = (
        Federation.history.filter(history_change_reason=CHANGE_REASON, name=DISTRICT_NAME)
        .order_by("history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    return timezone.localdate(first) if first else None


@transaction.atomic(durable=True)
def demo_seed(*, create_accounts: bool, today: datetime.date | None = None) -> SeedReport:
    """Load the demo data set (idempotent); create the demo accounts when asked.

    Dates are planned relative to the day of the first load, so a run on a later day plans the
    very same records (and therefore creates nothing) instead of a shifted copy.

    The bulk loader of a demo network (tens of thousands of rows): like the spreadsheet import,
    it writes in bulk with one history record per row (``CHANGE_REASON``) instead of record by
    record through the services, and refreshes the public pages once it is committed.
    """
    today = demo_loaded_on() or today or timezone.localdate()
    plan = build_plan(today)
    report = SeedReport(anchor=today)
    roles.ensure_roles()

    # Federations: the district one, the grassroots ones, then the women's groups.
    feds = plan.federations
    _create_missing(Federation, "name", [_federation(feds[0], None)], report)
    district_pk = Federation.objects.get(name=DISTRICT_NAME).pk
    new_federations = _create_missing(
        Federation, "name", [_federation(f, district_pk) for f in feds[1:]], report
    )
    fed_pk = dict(Federation.objects.values_list("name", "pk"))
    new_federations += _create_missing(
        Federation,
        "name",
        [
            Federation(
                level=Federation.Level.GROUP, kind="", parent_id=fed_pk[g.pop("parent")], **g
            )
            for g in plan.groups
        ],
        report,
    )
    if create_accounts:
        demo_accounts_ensure(report=report)
    users = dict(
        get_user_model()
        .objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS])
        .values_list("username", "pk")
    )

    # Needs and enterprises.
    _create_missing(
        Need,
        "code",
        [Need(code=c, name=n, position=i) for i, (c, n) in enumerate(NEEDS, 1)],
        report,
    )
    need_pk = dict(Need.objects.values_list("code", "pk"))
    enterprise_objs = []
    followed = followed_by(plan.enterprises)
    for e in plan.enterprises:
        enterprise_objs.append(
            Enterprise(
                credit_code=e["credit_code"],
                name=e["name"],
                sector=e["sector"],
                industry=e["industry"],
                area=e["area"],
                address=e["address"],
                building=e["building"],
                employees=e["employees"],
                female_employees=e["female_employees"],
                has_party_org=e["has_party_org"],
                party_org_formed_on=e["party_org_formed_on"],
                federation_id=fed_pk[e["federation"]] if e["federation"] else None,
                covered_since=e["covered_since"],
                followed_by_id=fed_pk[followed[e["credit_code"]]]
                if e["credit_code"] in followed
                else None,
                surveyed_on=e["surveyed_on"],
                contact_name=e["contact_name"],
                contact_phone=e["contact_phone"],
                note=e["note"],
            )
        )
    created = _create_missing(Enterprise, "credit_code", enterprise_objs, report)
    new_enterprise_codes = [obj.credit_code for obj in created]
    if created:
        needs_of = {e["credit_code"]: e["needs"] for e in plan.enterprises}
        codes = [obj.credit_code for obj in created]
        pks = {}
        for start in range(0, len(codes), 900):
            pks.update(
                Enterprise.objects.filter(credit_code__in=codes[start : start + 900]).values_list(
                    "credit_code", "pk"
                )
            )
        through = Enterprise.needs.through
        rows = [
            through(enterprise_id=pks[code], need_id=need_pk[n])
            for code in codes
            for n in needs_of[code]
        ]
        through.objects.bulk_create(rows, batch_size=900)
        report.created["organizations.Enterprise_needs"] += len(rows)

    # Service sites and their opening hours.
    site_objs = []
    for s in plan.sites:
        data = {k: v for k, v in s.items() if k not in ("hours", "federation")}
        site_objs.append(ServiceSite(federation_id=fed_pk[s["federation"]], **data))
    created = _create_missing(ServiceSite, "name", site_objs, report)
    new_site_names = [obj.name for obj in created]
    site_pk = dict(ServiceSite.objects.values_list("name", "pk"))
    new_sites = {obj.name for obj in created}
    hours = [
        OpeningHours(site_id=site_pk[s["name"]], weekday=w, opens=o, closes=c)
        for s in plan.sites
        if s["name"] in new_sites
        for (w, o, c) in s["hours"]
    ]
    OpeningHours.objects.bulk_create(hours, batch_size=900)
    report.created["organizations.OpeningHours"] += len(hours)

    _create_missing(
        MediaAccount, ("name", "platform"), [MediaAccount(**m) for m in plan.media_accounts], report
    )

    # Brands (the master brand first) and their sessions.
    brand_data = [dict(b) for b in plan.brands]
    _create_missing(
        Brand,
        "slug",
        [Brand(**{**brand_data[0], "parent": None}, organizer_id=district_pk)],
        report,
    )
    master_pk = Brand.objects.get(slug=brand_data[0]["slug"]).pk
    _create_missing(
        Brand,
        "slug",
        [
            Brand(**{**b, "parent": None}, parent_id=master_pk, organizer_id=district_pk)
            for b in brand_data[1:]
        ],
        report,
    )
    brand_pk = dict(Brand.objects.values_list("slug", "pk"))
    _create_missing(
        BrandSession,
        ("brand_id", "number"),
        [
            BrandSession(
                **{k: v for k, v in s.items() if k not in ("brand", "site", "federation")},
                brand_id=brand_pk[s["brand"]],
                site_id=site_pk.get(s["site"]),
                federation_id=fed_pk[s["federation"]],
            )
            for s in plan.sessions
        ],
        report,
    )
    session_pk = {
        (slug, number): pk
        for pk, slug, number in BrandSession.objects.values_list("pk", "brand__slug", "number")
    }

    # Series, activities, news with photos and workflow records, exemplars.
    _create_missing(Series, "slug", [Series(**s) for s in plan.series], report)
    series_pk = dict(Series.objects.values_list("slug", "pk"))
    created_activities = _create_missing(
        Activity,
        "title",
        [
            Activity(
                title=a["title"],
                category=a["category"],
                format=a["format"],
                series_id=series_pk.get(a["series"]),
                organizer_id=fed_pk[a["organizer"]],
                site_id=site_pk.get(a["site"]),
                brand_id=brand_pk.get(a["brand"]),
                brand_session_id=session_pk.get(a["brand_session"]),
                location=a["location"],
                starts_at=a["starts_at"],
                ends_at=a["ends_at"],
                participants=a["participants"],
                description=a["description"],
                created_by_id=users.get("editor"),
            )
            for a in plan.activities
        ],
        report,
    )
    created_activities += _create_missing(
        Activity, "title", demo_activities(today, fed_pk, brand_pk, site_pk), report
    )
    activity_pk = dict(Activity.objects.values_list("title", "pk"))
    article_objs = []
    for a in plan.articles:
        author = (
            users.get("staff_park" if a["federation"] == PARK_NAME else "staff_drivers")
            if a["staff"]
            else users.get("editor")
        )
        published = a["status"] in (Article.Status.PUBLISHED, Article.Status.UNPUBLISHED)
        article_objs.append(
            Article(
                title=a["title"],
                summary=a["summary"],
                body=a["body"],
                status=a["status"],
                publish_at=a["publish_at"],
                federation_id=fed_pk[a["federation"]],
                activity_id=activity_pk.get(a["activity"]),
                brand_id=brand_pk.get(a["brand"]),
                source=a["source"],
                editor=a["editor"],
                proofreader=a["proofreader"],
                author_id=author,
                submitted_at=(
                    min(
                        a["publish_at"] - datetime.timedelta(hours=6),
                        local_time(today - datetime.timedelta(days=1), 16),
                    )
                    if published
                    else local_time(today - datetime.timedelta(days=1), 16)
                    if a["status"] == Article.Status.SUBMITTED
                    else None
                ),
                submitted_by_id=author if a["status"] != Article.Status.DRAFT else None,
                published_by_id=users.get("editor") if published else None,
            )
        )
    created = _create_missing(Article, "title", article_objs, report)
    article_pk = dict(Article.objects.values_list("title", "pk"))
    new_titles = {obj.title for obj in created}
    photos, transitions = [], []
    for a, obj in zip(plan.articles, article_objs):
        if a["title"] not in new_titles:
            continue
        pk = article_pk[a["title"]]
        for p in a["photos"]:
            # A random file name like a real upload (/media/ is served without a check, and a
            # draft's photo must not be found by guessing); the plan's name only seeds the drawing.
            name = f"photos/demo/{uuid.uuid4().hex}.jpg"
            photos.append(
                Photo(
                    article_id=pk,
                    image=name,
                    width=1200,
                    height=800,
                    caption=p["caption"],
                    position=p["position"],
                )
            )
        steps = []
        if obj.submitted_at:
            steps.append(
                (
                    Article.Status.DRAFT,
                    Article.Status.SUBMITTED,
                    obj.submitted_by_id,
                    obj.submitted_at,
                )
            )
        if obj.published_by_id or a["status"] in (
            Article.Status.PUBLISHED,
            Article.Status.UNPUBLISHED,
        ):
            at = min(obj.publish_at, obj.submitted_at + datetime.timedelta(hours=3))
            steps.append(
                (Article.Status.SUBMITTED, Article.Status.PUBLISHED, obj.published_by_id, at)
            )
        if a["status"] == Article.Status.UNPUBLISHED:
            steps.append(
                (
                    Article.Status.PUBLISHED,
                    Article.Status.UNPUBLISHED,
                    obj.published_by_id,
                    obj.publish_at + datetime.timedelta(hours=5),
                )
            )
        for from_status, to_status, user, at in steps:
            transitions.append(
                ArticleTransition(
                    article_id=pk,
                    from_status=from_status,
                    to_status=to_status,
                    user_id=user,
                    at=at,
                    note="信息有误，撤回修改。" if to_status == Article.Status.UNPUBLISHED else "",
                )
            )
    Photo.objects.bulk_create(photos, batch_size=500)
    # Each demo article's first photo is its chosen cover (an explicit choice, as staff make it).
    first = Photo.objects.filter(article=OuterRef("pk")).order_by("position", "pk").values("pk")
    Article.objects.filter(pk__in={p.article_id for p in photos}, cover_photo__isnull=True).update(
        cover_photo=Subquery(first[:1])
    )
    ArticleTransition.objects.bulk_create(transitions, batch_size=500)
    report.created["activities.Photo"] += len(photos)
    report.created["activities.ArticleTransition"] += len(transitions)
    stored = {
        (title, position): name
        for title, position, name in Photo.objects.filter(
            image__startswith="photos/demo/"
        ).values_list("article__title", "position", "image")
    }
    missing = [
        (stored[key], p["name"])
        for a in plan.articles
        for p in a["photos"]
        if (key := (a["title"], p["position"])) in stored
        and not default_storage.exists(stored[key])
    ]
    # Drawing and JPEG encoding release the GIL for the most part: two threads halve the wait.
    with ThreadPoolExecutor(max_workers=2) as pool:
        for (name, _seed), data in zip(
            missing, pool.map(photo_bytes, [seed for _name, seed in missing])
        ):
            default_storage.save(name, ContentFile(data))
            report.files_written += 1

    _create_missing(
        Exemplar,
        ("name", "honour", "year"),
        [
            Exemplar(
                **{k: v for k, v in x.items() if k != "federation"},
                federation_id=fed_pk[x["federation"]],
            )
            for x in plan.exemplars
        ],
        report,
    )
    # A past for the new records: dated history, follow-up visits, monthly snapshots.
    demo_history(
        anchor=today,
        enterprise_codes=new_enterprise_codes,
        federation_names=[f.name for f in new_federations],
        site_names=new_site_names,
        followed=followed,
        report=report,
    )
    if sum(report.created.values()):
        search_index.analyze()  # the index's statistics, after its bulk fill
        transaction.on_commit(public_cache_invalidate)  # bulk writes send no signals
    # Sign-ups and check-ins, only with the activities this run created (issue 13).
    demo_registrations_seed(
        today=today,
        created_titles={a.title for a in created_activities},
        editor_pk=users.get("editor"),
        report=report,
    )
    return report


def _federation(record: dict, parent_pk: int | None) -> Federation:
    data = {k: v for k, v in record.items() if k not in ("covers", "building")}
    return Federation(parent_id=parent_pk, **data)


def demo_counts() -> dict[str, int]:
    """The figures the seed states, computed from the records (for the command's summary)."""
    children = BrandSession.objects.filter(brand__slug=CHILDREN_HOME_SLUG)
    love = BrandSession.objects.filter(brand__slug=MATCHMAKING_SLUG)
    sums = children.aggregate(
        families=Sum("families"),
        enterprises=Sum("enterprises"),
        classes_incubated=Sum("classes_incubated"),
    )
    return {
        "基层妇联组织 grassroots federations": Federation.objects.grassroots().count(),
        "妇女小组 women's groups": Federation.objects.groups().count(),
        "摸排企业 surveyed enterprises": Enterprise.objects.surveyed().count(),
        "覆盖企业 covered enterprises": Enterprise.objects.covered().count(),
        "服务阵地 service sites": ServiceSite.objects.count(),
        "活动 activities": Activity.objects.count(),
        "“巾帼心向党”活动": Activity.objects.filter(series__slug="heart-to-party").count(),
        "公开新闻 public articles": Article.objects.published().count(),
        "图片 photos": Photo.objects.count(),
        "先进典型 exemplars": Exemplar.objects.count(),
        "泰达儿童之家 期数 sessions": children.count(),
        "泰达儿童之家 孵化托管班 classes": sums["classes_incubated"],
        "泰达儿童之家 帮助家庭 families": sums["families"],
        "泰达儿童之家 受惠企业 enterprises": sums["enterprises"],
        "为爱而来 活动 events": love.count(),
        "为爱而来 牵手 couples": love.aggregate(total=Sum("couples"))["total"],
    }
