"""Reads of activities that more than one page needs: article cards with their covers, what the
activities app contributes to the pages of federations, sites and brands, the state of a sign-up,
the registrations a user may see."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from activities.models import (
    Activity,
    Article,
    ArticleTransition,
    Photo,
    Registration,
    RegistrationSettings,
)
from activities.renditions import pictures_for
from brands.models import Brand
from federation.core.scoping import scope_queryset
from federation.web.keyed import keyed


class _Covers:
    """The cover pictures of one list of items, read on the first ``item.cover`` asked for.

    A card taken from the fragment store (federation.web.fragments) never asks: a list page whose
    cards are all stored reads no photo at all. When one is asked, all of them are read at once:
    two queries for any number."""

    def __init__(self, items):
        self.items = items
        self.pictures = None

    def of(self, item):
        if self.pictures is None:
            self.pictures = self._load()
        return self.pictures.get(id(item))

    def _load(self) -> dict:
        wanted = {}  # photo id -> [(item, the article the photo must belong to, or None)]
        for item in self.items:
            photo_id, owner = _cover_photo(item)
            if photo_id:
                wanted.setdefault(photo_id, []).append((item, owner))
        if not wanted:
            return {}
        photos = {photo.pk: photo for photo in public_photos().filter(pk__in=wanted)}
        pictures = pictures_for(photos.values())
        found = {}
        for photo_id, photo in photos.items():
            for item, owner in wanted[photo_id]:
                if photo_id in pictures and owner in (None, photo.article_id):
                    found[id(item)] = pictures[photo_id]
        return found


def _cover_photo(item) -> tuple[int | None, int | None]:
    """The photo to show on ``item``'s card and the article it must belong to (None: checked).

    Annotated ``cover_id`` (brand cards, the lead story: cover_annotation() checked it in SQL), or
    an article's chosen cover (设为封面): one of its own photos that public_photos() allows."""
    photo_id = getattr(item, "cover_id", None)
    if photo_id is not None:
        return photo_id, None
    if isinstance(item, Article):
        return item.cover_photo_id, item.pk
    return None, None


def with_covers(items) -> list:
    """Attach ``cover`` (a Picture, or None: no silent default) to each article or brand, read
    when first shown (see _Covers)."""
    items = list(items)
    covers = _Covers(items)
    for item in items:
        item.cover = SimpleLazyObject(functools.partial(covers.of, item))
    return items


def public_photos():
    """Photos a public page may show: none of a sensitive or matchmaking activity's or brand's
    articles, whose photos would show its participants."""
    return Photo.objects.exclude(private_article_q("article__"))


def cover_annotation():
    """The article's chosen cover (设为封面) when a public page may show it; no silent default."""
    return _cover_subquery()


@functools.cache
def _cover_subquery():
    # Built once per process: the privacy exclusion joins four tables, and building it was a
    # tenth of an uncached list page. Safe to share: annotate() resolves a copy each time.
    cover = public_photos().filter(article=OuterRef("pk"), pk=OuterRef("cover_photo_id"))
    # order_by(): one photo at most (its key), so the photos' default order is only a sort.
    return Subquery(cover.order_by().values("pk")[:1])


# What an article card (includes/article_item.html, the home page's lead story) shows: loading
# only these keeps the rows small and the SQL quick to build.
CARD_FIELDS = (
    "pk",
    "title",
    "summary",
    "publish_at",
    "cover_photo_id",
    "federation_id",
    "federation__name",
    "federation__short_name",
)


def card_rows(articles):
    """``articles`` with what a card shows: the federation's names, the chosen cover's id (whether
    the public may see that photo is checked when covers are read, see with_covers)."""
    return articles.select_related("federation").only(*CARD_FIELDS)


def with_cover_ids(articles):
    """``articles`` annotated with ``cover_id``, the public cover, to filter on it in SQL."""
    return articles.annotate(cover_id=cover_annotation())


def article_cards(articles, limit: int = 10) -> list:
    """The newest of ``articles`` as cards: federation and cover picture included."""
    return with_covers(card_rows(articles)[:limit])


def activities_of(federation, limit: int = 10) -> list:
    """The latest public activities ``federation`` organised (for its public page)."""
    return list(
        Activity.objects.public()
        .filter(organizer=federation)
        .select_related("site", "organizer")
        .order_by("-starts_at")[:limit]
    )


def articles_of(federation, limit: int = 10) -> list:
    return list(Article.objects.published().filter(federation=federation)[:limit])


def upcoming_at(site, limit: int = 10) -> list:
    """Public activities still to come at ``site``, soonest first."""
    return list(
        Activity.objects.public()
        .filter(site=site, starts_at__gte=timezone.now())
        .order_by("starts_at")[:limit]
    )


def brand_news(brand, limit: int = 10) -> list:
    return article_cards(Article.objects.published().filter(brand=brand), limit)


def brand_upcoming(brand, limit: int = 10) -> list:
    """Public activities of ``brand`` still to come, soonest first: keyed rows, since each is
    shown as a kept activity card (read only for a card not kept)."""
    return keyed(
        Activity.objects.public()
        .filter(brand=brand, starts_at__gte=timezone.now())
        .select_related("site", "organizer")
        .order_by("starts_at")[:limit]
    )


# --- sign-up (issue 13) --------------------------------------------------------------------------
@dataclass(frozen=True)
class SignupState:
    """Where an activity's sign-up stands at one moment (for the sign-up and staff pages)."""

    enabled: bool
    not_yet: bool
    closed: bool
    opens_at: datetime.datetime | None
    closes_at: datetime.datetime
    capacity: int
    taken: int
    waiting: int
    waitlist: bool

    @property
    def is_open(self) -> bool:
        return self.enabled and not self.not_yet and not self.closed

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.taken)

    @property
    def full(self) -> bool:
        return self.free == 0 or self.waiting > 0

    @property
    def accepting(self) -> bool:
        """Open and still taking someone (a place or the waitlist)."""
        return self.is_open and (not self.full or self.waitlist)


def signup_state(activity: Activity, config: RegistrationSettings, now) -> SignupState:
    counts = dict(
        Registration.objects.filter(activity_id=activity.pk)
        .exclude(source=Registration.Source.WALK_IN)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    closes = config.closes_at or activity.starts_at
    return SignupState(
        enabled=config.is_enabled,
        not_yet=bool(config.opens_at and now < config.opens_at),
        closed=now >= closes,
        opens_at=config.opens_at,
        closes_at=closes,
        capacity=config.capacity,
        taken=counts.get(Registration.Status.CONFIRMED, 0),
        waiting=counts.get(Registration.Status.WAITLISTED, 0),
        waitlist=config.waitlist,
    )


def sensitive_activity_q(prefix: str = "") -> Q:
    """Activities whose participants are private: marked sensitive, or of a matchmaking brand
    (by the tick or the focus, on the brand or a brand above it: the hierarchy is two deep)."""
    return Q(**{f"{prefix}is_sensitive": True}) | private_brand_q(f"{prefix}brand__")


def private_brand_q(prefix: str = "") -> Q:
    """Brands that keep participants private (``Brand.keeps_participants_private`` as a query)."""
    q = Q()
    for level in ("", "parent__", "parent__parent__"):
        q |= Q(**{f"{prefix}{level}is_matchmaking": True})
        q |= Q(**{f"{prefix}{level}focus": Brand.Focus.MATCHMAKING})
    return q


def private_article_q(prefix: str = "") -> Q:
    """Articles about a private activity or brand: their photos show participants."""
    return sensitive_activity_q(f"{prefix}activity__") | private_brand_q(f"{prefix}brand__")


def may_see_sensitive(user) -> bool:
    return user.has_perm("activities.view_sensitive_registration")


def registrations_for(user):
    """The registrations ``user`` may see: in their scope, and sensitive programmes' ones only
    with the separate permission."""
    registrations = scope_queryset(Registration.objects.all(), user)
    if not may_see_sensitive(user):
        registrations = registrations.exclude(sensitive_activity_q("activity__"))
    return registrations


def may_see_registrations_of(user, activity: Activity) -> bool:
    if not user.has_perm("activities.view_registration"):
        return False
    return may_see_sensitive(user) or not activity.keeps_participants_private


def attendance_label(counted: bool) -> str:
    return _("签到统计") if counted else _("填报")


# --- the review loop ----------------------------------------------------------------------------
def _latest_step(field: str):
    steps = ArticleTransition.objects.filter(article=OuterRef("pk")).order_by("-at", "-pk")
    return Subquery(steps.values(field)[:1])


def with_send_back_reasons(articles):
    """Drafts annotated with ``send_back_reason``: the editor's reason when the last step sent the
    article back from review (empty otherwise)."""
    return articles.annotate(
        last_from_status=_latest_step("from_status"), last_note=_latest_step("note")
    ).annotate(
        send_back_reason=Case(
            When(
                status=Article.Status.DRAFT,
                last_from_status=Article.Status.SUBMITTED,
                then=F("last_note"),
            ),
            default=Value(""),
        )
    )


def send_back_reason(article: Article) -> str:
    if article.status != Article.Status.DRAFT:
        return ""
    step = article.transitions.order_by("-at", "-pk").first()
    if step and step.from_status == Article.Status.SUBMITTED:
        return step.note
    return ""
