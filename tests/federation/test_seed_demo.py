"""seed_demo reproduces the seed's figures exactly, and a second run changes nothing.

The seed is the slow part, so it runs once per module (twice, to prove idempotence) in a
module-scoped fixture; the database is flushed afterwards, as TransactionTestCase does.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections import Counter
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q, Sum
from django.test import Client, override_settings
from django.utils import timezone
from PIL import Image

from activities.models import Activity, Article, Exemplar, Photo, Series
from brands.models import Brand, BrandSession
from federation import demo
from federation.core import roles
from organizations.models import Enterprise, Federation, MediaAccount, Need, ServiceSite
from organizations.validators import validate_credit_code

pytestmark = pytest.mark.slow


def _snapshot(media_root: Path) -> dict:
    """Row count and a digest of every field of every table, and every media file's digest."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label == "sessions.Session":
            continue
        fields = [f.attname for f in model._meta.concrete_fields]
        digest = hashlib.sha256()
        count = 0
        for row in (
            model._default_manager.order_by("pk").values_list(*fields).iterator(chunk_size=2000)
        ):
            digest.update(repr(row).encode())
            count += 1
        tables[model._meta.label] = (count, digest.hexdigest())
    files = {
        str(path.relative_to(media_root)): (
            path.stat().st_mtime_ns,
            hashlib.sha256(path.read_bytes()).hexdigest(),
        )
        for path in sorted(media_root.rglob("*"))
        if path.is_file()
    }
    return {"tables": tables, "files": files}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    media_root = tmp_path_factory.mktemp("seed-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root, DEBUG=True):
        try:
            first_output, second_output = StringIO(), StringIO()
            Client().get("/")  # the empty portal's home page, now in the page cache
            call_command("seed_demo", stdout=first_output)
            home_after_seeding = Client().get("/")
            first = _snapshot(media_root)
            call_command("seed_demo", stdout=second_output)
            second = _snapshot(media_root)
            yield SimpleNamespace(
                media_root=media_root,
                first=first,
                second=second,
                first_output=first_output.getvalue(),
                second_output=second_output.getvalue(),
                home_after_seeding=home_after_seeding,
            )
        finally:
            call_command("flush", interactive=False, verbosity=0)


def test_the_public_pages_show_the_demo_data_at_once(seeded, db):
    """The loader writes in bulk (no signals): it refreshes the page cache itself."""
    home = seeded.home_after_seeding
    assert home["X-Page-Cache"] == "miss"
    assert "741" in home.content.decode()


def test_the_network_has_the_seeds_figures(seeded, db):
    assert Federation.objects.district().get().name == demo.DISTRICT_NAME == "天津经开区妇联"
    assert Federation.objects.grassroots().count() == demo.GRASSROOTS_FEDERATIONS == 741
    assert Federation.objects.groups().count() == demo.PARK_GROUPS == 45
    park = Federation.objects.get(name="泰达中小企业园妇联")
    assert park.kind == Federation.Kind.PARK
    assert set(Federation.objects.groups().values_list("parent", flat=True)) == {park.pk}
    assert Federation.objects.get(name="网约车司机妇联").kind == Federation.Kind.INDUSTRY
    assert Federation.objects.get(name="抖音直播生态产业基地妇联").kind == Federation.Kind.PARK
    for name in ("凯莱英医药集团妇联", "深之蓝海洋科技妇联", "云圣智能妇联"):
        assert Federation.objects.get(name=name).kind == Federation.Kind.SINGLE
    kinds = set(Federation.objects.grassroots().values_list("kind", flat=True))
    assert kinds == set(Federation.Kind.values)
    online = Federation.objects.filter(kind=Federation.Kind.ONLINE)
    assert online.exists()
    assert not online.filter(Q(channel="") | ~Q(address="")).exists()
    assert Federation.objects.filter(is_active=True).count() == 1 + 741 + 45


def test_enterprises_surveyed_covered_and_valid(seeded, db):
    assert Enterprise.objects.surveyed().count() == demo.SURVEYED_ENTERPRISES >= 4000
    assert Enterprise.objects.covered().count() == demo.COVERED_ENTERPRISES >= 2000
    assert Enterprise.objects.covered().filter(surveyed_on__isnull=True).count() == 0
    for code in Enterprise.objects.values_list("credit_code", flat=True):
        validate_credit_code(code)
    assert set(Enterprise.objects.values_list("sector", flat=True)) == set(Enterprise.Sector.values)
    assert not Enterprise.objects.filter(female_employees__gt=F("employees")).exists()

    company = Enterprise.objects.get(name="橙意家人科技（天津）有限公司")
    assert company.is_covered and company.has_party_org and company.party_org_formed_on
    assert company.party_org_formed_on > company.covered_since

    # Joint, building and park federations each cover many enterprises.
    for kind in (Federation.Kind.JOINT, Federation.Kind.BUILDING, Federation.Kind.PARK):
        smallest = (
            Federation.objects.filter(kind=kind)
            .annotate(n=Count("enterprises"))
            .order_by("n")
            .first()
            .n
        )
        assert smallest >= 3, kind
    assert Need.objects.filter(code="childcare", name="托育/子女托管").exists()
    assert Enterprise.objects.filter(needs__isnull=False).distinct().count() > 1000


def test_service_sites_of_every_kind_inside_teda(seeded, db):
    assert ServiceSite.objects.count() == demo.SERVICE_SITES == 336
    assert set(ServiceSite.objects.values_list("kind", flat=True)) == set(ServiceSite.Kind.values)
    placed = ServiceSite.objects.filter(latitude__isnull=False)
    assert not placed.filter(
        Q(latitude__lt=38.95)
        | Q(latitude__gt=39.10)
        | Q(longitude__lt=117.60)
        | Q(longitude__gt=117.80)
    ).exists()
    cloud = ServiceSite.objects.filter(kind=ServiceSite.Kind.CLOUD_STATION)
    assert cloud.exists() and not cloud.filter(Q(is_online=False) | ~Q(address="")).exists()
    assert not ServiceSite.objects.filter(
        kind=ServiceSite.Kind.MOBILE_MICRO_HOME, is_mobile=False
    ).exists()
    offline = ServiceSite.objects.filter(is_online=False)
    assert not offline.annotate(n=Count("hours")).filter(n=0).exists()
    assert ServiceSite.objects.exclude(hours_note="").exists()


def test_activities_and_news_with_real_photos(seeded, db):
    heart = Series.objects.get(slug="heart-to-party")
    assert Activity.objects.filter(series=heart).count() == demo.HEART_TO_PARTY_ACTIVITIES >= 100
    assert Activity.objects.filter(
        series__slug="cloud-class", format=Activity.Format.ONLINE
    ).exists()
    assert Activity.objects.filter(starts_at__gt=timezone.now()).exists()

    public = Article.objects.published()
    assert public.filter(activity__isnull=False).count() >= 100
    assert public.filter(brand__isnull=False).count() >= demo.BRAND_ARTICLES
    assert not public.exclude(source="滨城女性").exists()
    assert not public.filter(Q(editor="") | Q(proofreader="")).exists()
    assert not public.annotate(n=Count("photos")).filter(Q(n__lt=1) | Q(n__gt=4)).exists()
    statuses = Counter(Article.objects.values_list("status", flat=True))
    assert statuses[Article.Status.DRAFT] and statuses[Article.Status.SUBMITTED]
    assert statuses[Article.Status.UNPUBLISHED]
    scheduled = Article.objects.filter(
        status=Article.Status.PUBLISHED, publish_at__gt=timezone.now()
    )
    assert scheduled.count() == 1 and not public.filter(pk=scheduled.get().pk).exists()
    assert Article.objects.filter(
        federation__name="泰达中小企业园妇联", status=Article.Status.DRAFT
    ).exists()

    for photo in Photo.objects.all():
        path = seeded.media_root / photo.image.name
        assert path.is_file(), photo.image.name
        # A random name like a real upload: a draft's photo cannot be found by guessing.
        assert re.fullmatch(r"photos/demo/[0-9a-f]{32}\.jpg", photo.image.name), photo.image.name
    sample = Photo.objects.order_by("pk").first()
    with Image.open(seeded.media_root / sample.image.name) as image:
        assert image.format == "JPEG" and image.size == (1200, 800) == (sample.width, sample.height)
    assert max(p.stat().st_size for p in (seeded.media_root / "photos").rglob("*.jpg")) < 300_000


def test_exemplars_counted_but_only_consented_ones_public(seeded, db):
    assert Exemplar.objects.count() == demo.EXEMPLARS == 224
    assert Exemplar.objects.published().count() == 224 - demo.EXEMPLARS_WITHOUT_CONSENT
    assert Exemplar.objects.filter(consent_to_publish=False).exists()
    assert not Exemplar.objects.filter(
        consent_to_publish=True, consent_recorded_on__isnull=True
    ).exists()
    assert len(set(Exemplar.objects.values_list("honour", flat=True))) == len(Exemplar.Honour)
    assert Exemplar.objects.values("year").distinct().count() >= 3


def test_brands_and_their_outcomes(seeded, db):
    master = Brand.objects.get(name="有你泰好")
    names = {
        "泰达儿童之家",
        "为爱而来",
        "巾帼科创营",
        "女职工健康安全岛",
        "泰达女子排球训练营",
        "巾帼创新工作室",
        "心悦驿站",
    }
    assert set(master.sub_brands.values_list("name", flat=True)) == names
    assert all(slug.isascii() for slug in Brand.objects.values_list("slug", flat=True))

    children = Brand.objects.get(slug="children-home", name="泰达儿童之家")
    totals = children.sessions.aggregate(
        n=Count("pk"),
        classes=Sum("classes_incubated"),
        families=Sum("families"),
        companies=Sum("enterprises"),
    )
    assert totals == {
        "n": 21,
        "classes": 3,
        "families": demo.CHILDREN_HOME_FAMILIES,
        "companies": demo.CHILDREN_HOME_ENTERPRISES,
    }
    assert totals["families"] >= 1000 and totals["companies"] >= 100
    assert list(children.sessions.values_list("number", flat=True)) == list(range(1, 22))

    love = Brand.objects.get(name="为爱而来")
    assert love.is_matchmaking
    love_totals = love.sessions.aggregate(n=Count("pk"), couples=Sum("couples"))
    assert love_totals == {"n": demo.MATCHMAKING_EVENTS, "couples": demo.MATCHMAKING_COUPLES}
    assert love_totals["n"] >= 100 and love_totals["couples"] >= 600
    for slug in (
        "sci-tech-camp",
        "health-island",
        "volleyball-camp",
        "innovation-studio",
        "heart-station",
    ):
        assert BrandSession.objects.filter(brand__slug=slug).count() >= 3
    assert MediaAccount.objects.filter(
        name="滨城女性", platform=MediaAccount.Platform.WECHAT
    ).exists()


def test_demo_accounts_one_per_role(seeded, db):
    User = get_user_model()
    expected = {
        "admin": ("teda-admin-2024", roles.DISTRICT_ADMIN, None),
        "editor": ("teda-editor-2024", roles.DISTRICT_EDITOR, None),
        "staff_park": ("teda-staff-2024", roles.FEDERATION_STAFF, "泰达中小企业园妇联"),
        "staff_drivers": ("teda-staff-2024", roles.FEDERATION_STAFF, "网约车司机妇联"),
        "viewer": ("teda-viewer-2024", roles.VIEWER, None),
    }
    assert set(User.objects.values_list("username", flat=True)) == set(expected)
    for username, (password, role, federation) in expected.items():
        user = User.objects.get(username=username)
        assert user.check_password(password) and user.is_staff
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert (user.federation.name if user.federation else None) == federation
        assert f"{username}" in seeded.first_output and password in seeded.first_output
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.filter(is_superuser=True).exclude(username="admin").exists()


def test_a_second_run_changes_nothing(seeded, db):
    assert seeded.second["tables"] == seeded.first["tables"]
    assert seeded.second["files"] == seeded.first["files"]
    history = {label: v for label, v in seeded.second["tables"].items() if ".Historical" in label}
    # One row per enterprise, and a second one for each covered enterprise: the day the coverage
    # drive recorded it (the demo's past, federation/demo/history.py).
    assert (
        history["organizations.HistoricalEnterprise"][0]
        == demo.ENTERPRISES + demo.COVERED_ENTERPRISES
    )
    assert "nothing changed" in seeded.second_output


def test_refuses_demo_accounts_when_debug_is_off(seeded, db):
    with override_settings(DEBUG=False, MEDIA_ROOT=seeded.media_root):
        with pytest.raises(CommandError, match="DEBUG.*--no-accounts"):
            call_command("seed_demo", stdout=StringIO())
        # The data alone may load without DEBUG; here it is all there, so nothing changes.
        call_command("seed_demo", "--no-accounts", stdout=StringIO())
    assert _snapshot(seeded.media_root) == seeded.first


def test_a_run_on_a_later_day_changes_nothing(seeded, db):
    later = timezone.localdate() + datetime.timedelta(days=40)
    with override_settings(MEDIA_ROOT=seeded.media_root):
        report = demo.demo_seed(create_accounts=True, today=later)
    assert report.anchor == timezone.localdate()
    assert sum(report.created.values()) == 0 and report.files_written == 0
    assert _snapshot(seeded.media_root) == seeded.first


def test_the_demo_has_a_past_that_snapshots_and_the_cockpit_read(seeded, db):
    """Coverage grew month by month over two years; follow-up visits in every state."""
    from organizations.models import CoverageSnapshot, FollowUpVisit

    today = timezone.localdate()
    snapshots = list(CoverageSnapshot.objects.order_by("on"))
    assert len(snapshots) >= 24
    assert snapshots[-1].on == (today.replace(day=1) - datetime.timedelta(days=1))
    rates = [s.coverage_rate or 0 for s in snapshots]
    assert rates == sorted(rates)  # never falls
    year_ago = next(s for s in reversed(snapshots) if s.on <= today - datetime.timedelta(days=365))
    assert year_ago.coverage_rate < 30 < snapshots[-1].coverage_rate
    assert snapshots[-1].surveyed_enterprises > year_ago.surveyed_enterprises
    assert snapshots[-1].by_area and sum(v[0] for v in snapshots[-1].by_area.values()) == (
        snapshots[-1].surveyed_enterprises
    )
    outcomes = set(FollowUpVisit.objects.values_list("outcome", flat=True))
    assert outcomes == set(FollowUpVisit.Outcome.values)
    staff = set(
        Enterprise.objects.filter(followed_by__isnull=False).values_list(
            "followed_by__name", flat=True
        )
    )
    assert staff == {demo.PARK_NAME, "网约车司机妇联"}
    page = Client().get("/stats/", {"as_of": year_ago.on.isoformat()}).content.decode()
    figure = f"{year_ago.covered_of_surveyed} / {year_ago.surveyed_enterprises}"
    assert figure in page.replace(",", "")


def test_every_demo_row_is_in_the_search_index(seeded, db, client):
    """The loader writes in bulk (no post_save): it indexes what it writes itself."""
    from federation.core import search_index
    from federation.models import SearchGram

    def pieces():
        return set(SearchGram.objects.values_list("model", "gram", "key"))

    written = pieces()
    search_index.rebuild()
    assert pieces() == written and len(written) > 10000
    sections = dict(client.get("/search/", {"q": "网约车"}).context["sections"])
    assert any("网约车" in o.name for o in sections["federations"]["items"])
