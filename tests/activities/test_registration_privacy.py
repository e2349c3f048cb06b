"""Registrants' data: erased after REGISTRATION_KEEP_DAYS (counts kept); sensitive programmes'
participants never on any public page; no overbooking under concurrent sign-ups (PostgreSQL)."""

from __future__ import annotations

import datetime
import re
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Count
from django.utils import timezone

from activities import services
from activities.models import Article, Registration, RegistrationSettings
from tests.factories import ActivityFactory, ArticleFactory, BrandFactory, PhotoFactory


def _register(activity, name, mobile, *, now=None):
    return services.registration_create(
        activity=activity,
        participant_name=name,
        mobile=mobile,
        consent=True,
        answer="",
        now=now,
    )


@pytest.mark.django_db
def test_personal_data_is_erased_after_the_keep_days_and_the_counts_stay(settings, world):
    settings.REGISTRATION_KEEP_DAYS = 180
    now = timezone.now()
    old = ActivityFactory(organizer=world.fed_a, starts_at=now - datetime.timedelta(days=181))
    recent = ActivityFactory(organizer=world.fed_a, starts_at=now - datetime.timedelta(days=179))
    for activity in (old, recent):
        RegistrationSettings.objects.create(
            activity=activity, capacity=5, closes_at=activity.starts_at
        )
        registration = _register(
            activity, "韩梅梅", "13812345678", now=activity.starts_at - datetime.timedelta(days=2)
        )
        services.registration_check_in(
            activity=activity, user=world.staff_a, code=registration.code
        )

    out = StringIO()
    call_command("registrations_erase", stdout=out)
    assert "已删除 1 条报名的个人信息" in out.getvalue()
    erased = Registration.objects.get(activity=old)
    kept = Registration.objects.get(activity=recent)
    assert (erased.participant_name, erased.mobile, erased.ip_address) == ("", "", None)
    assert erased.erased_at is not None and erased.checked_in_at is not None
    assert (kept.participant_name, kept.mobile) == ("韩梅梅", "13812345678")
    old.refresh_from_db()
    assert old.participants == 1  # still counted
    # Nothing personal in the registration's history either.
    history_fields = {f.name for f in Registration.history.model._meta.fields}
    assert not history_fields & {"participant_name", "mobile", "answer", "ip_address", "workplace"}
    # A second run finds nothing more.
    out = StringIO()
    call_command("registrations_erase", stdout=out)
    assert "已删除 0 条" in out.getvalue()


def _crawl(client, start: list[str]) -> dict[str, str]:
    pages, queue = {}, list(start)
    while queue and len(pages) < 400:
        url = queue.pop()
        if url in pages:
            continue
        response = client.get(url)
        body = response.content.decode(errors="replace") if response.status_code == 200 else ""
        pages[url] = body
        for link in re.findall(r'href="(/[^"#]*)"', body):
            if not link.startswith(
                ("/static/", "/media/", "/language/", "/admin/", "/staff/", "/accounts/")
            ):
                queue.append(link.replace("&amp;", "&"))
    return pages


@pytest.mark.django_db
def test_no_public_page_shows_a_participant_or_a_photo_of_a_sensitive_programme(client, world):
    love = BrandFactory(name="为爱而来", slug="for-love", is_matchmaking=True)
    counselling = ActivityFactory(
        title="心悦驿站团体辅导",
        organizer=world.fed_a,
        is_sensitive=True,
        starts_at=timezone.now() + datetime.timedelta(days=3),
    )
    match_event = ActivityFactory(
        title="为爱而来第113场",
        organizer=world.fed_a,
        brand=love,
        starts_at=timezone.now() + datetime.timedelta(days=4),
    )
    ordinary = ActivityFactory(
        title="巾帼心向党读书会",
        organizer=world.fed_a,
        starts_at=timezone.now() + datetime.timedelta(days=5),
    )
    for activity in (counselling, match_event, ordinary):
        RegistrationSettings.objects.create(activity=activity, capacity=10)
    _register(counselling, "欧阳秘密", "13811112222")
    _register(match_event, "上官单身", "13933334444")
    _register(ordinary, "司马普通", "13755556666")
    secret_photo = PhotoFactory(
        article=ArticleFactory(
            title="为爱而来活动回顾", federation=world.fed_a, activity=match_event
        ),
    )
    brand_photo = PhotoFactory(
        article=ArticleFactory(title="为爱而来品牌资讯", federation=world.fed_a, brand=love)
    )
    public_photo = PhotoFactory(
        article=ArticleFactory(title="读书会回顾", federation=world.fed_a, activity=ordinary)
    )
    # Each chosen as its article's cover: the sensitive ones still never show.
    for photo in (secret_photo, brand_photo, public_photo):
        Article.objects.filter(pk=photo.article_id).update(cover_photo=photo)

    pages = _crawl(
        client,
        [
            "/",
            "/activities/",
            "/news/",
            "/brands/",
            "/brands/for-love/",
            "/stats/",
            "/search/?q=为爱",
            f"/activities/{match_event.pk}/signup/",
            f"/activities/{counselling.pk}/signup/",
            "/feeds/news/",
            "/sitemap.xml",
            "/sitemap-news.xml",
            "/sitemap-activities.xml",
            "/sitemap-brands.xml",
        ],
    )
    everything = "\n".join(pages.values())
    assert f"/activities/{match_event.pk}/" in pages and "为爱而来活动回顾" in everything
    for secret in (
        "欧阳秘密",
        "上官单身",
        "司马普通",
        "13811112222",
        "13933334444",
        "13755556666",
        "138****2222",
        "欧**",
    ):
        assert secret not in everything, secret
    # Photos: the ordinary article's are shown, those of the sensitive programme's nowhere.
    assert "<picture" in client.get(public_photo.article.get_absolute_url()).content.decode()
    for photo in (secret_photo, brand_photo):
        body = client.get(photo.article.get_absolute_url()).content.decode()
        assert photo.article.title in body and "<picture" not in body
    assert client.get("/news/").content.decode().count("<picture") == 1
    # The sign-up page of a sensitive programme says who sees the list.
    assert "经专门授权的少数工作人员" in pages[f"/activities/{match_event.pk}/signup/"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_never_exceed_the_capacity():
    """Real concurrent connections on PostgreSQL: 60 sign-ups at once for 20 places."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers (IMMEDIATE transactions) anyway")
    activity = ActivityFactory(starts_at=timezone.now() + datetime.timedelta(days=3))
    RegistrationSettings.objects.create(activity=activity, capacity=20, waitlist=True)
    barrier = threading.Barrier(60)
    errors: list[BaseException] = []

    def sign_up(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            _register(activity, f"并发{n}", f"138{n:08d}")
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    counts = dict(Registration.objects.values_list("status").annotate(n=Count("pk")).order_by())
    assert counts == {"confirmed": 20, "waitlisted": 40}
    positions = sorted(
        r.waitlist_position() for r in Registration.objects.filter(status="waitlisted")
    )
    assert positions == list(range(1, 41))
