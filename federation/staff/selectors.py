"""Reads of the staff dashboard, all within the user's scope."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from itertools import chain

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from activities.models import Activity, Article
from federation.core import privacy, registry
from federation.core.scoping import scope_queryset
from federation.core.textdiff import html_diff, text_diff
from organizations import selectors as org_selectors
from organizations.models import Enterprise, Federation, ServiceSite


def history_models() -> dict:
    """Models whose history the staff pages show, by the key used in their URLs (registered by
    their apps)."""
    return registry.history_models()


def incomplete_sites(sites: QuerySet) -> QuerySet:
    """Open sites without coordinates (offline ones) or without any opening hours."""
    return (
        sites.active()
        .annotate(_hours=Count("hours"))
        .filter(
            Q(latitude__isnull=True, is_online=False, is_mobile=False) | Q(_hours=0, hours_note="")
        )
    )


def federations_without_contact(federations: QuerySet) -> QuerySet:
    return federations.active().filter(Q(contact_name="") | Q(contact_phone=""))


def dormant_federations(federations: QuerySet) -> QuerySet:
    """Active grassroots federations that organised no activity in the last DORMANT_DAYS."""
    return org_selectors.dormant_federations(federations).order_by("name")


def dormant_sites(sites: QuerySet) -> QuerySet:
    """Open sites where no activity took place in the last DORMANT_DAYS."""
    return org_selectors.dormant_sites(sites).order_by("name")


def activities_without_news(activities: QuerySet) -> QuerySet:
    return activities.filter(starts_at__lte=timezone.now(), articles__isnull=True)


@dataclass(frozen=True)
class ScopeFigures:
    federations: int
    women_groups: int
    sites: int
    enterprises: int
    activities_this_year: int
    participants_this_year: int
    articles_published: int
    articles_submitted: int
    articles_draft: int


def scope_figures(user) -> ScopeFigures:
    year = timezone.localdate().year
    federations = scope_queryset(Federation.objects.active(), user)
    activities = scope_queryset(Activity.objects.filter(starts_at__year=year), user)
    articles = scope_queryset(Article.objects.all(), user)
    by_status = dict(articles.values_list("status").annotate(n=Count("pk")).order_by())
    return ScopeFigures(
        federations=federations.exclude(level=Federation.Level.GROUP).count(),
        women_groups=federations.filter(level=Federation.Level.GROUP).count(),
        sites=scope_queryset(ServiceSite.objects.active(), user).count(),
        enterprises=scope_queryset(Enterprise.objects.covered(), user).count(),
        activities_this_year=activities.count(),
        participants_this_year=activities.aggregate(n=Sum("participants"))["n"] or 0,
        # Scheduled articles are not public yet: not counted as published.
        articles_published=articles.filter(pk__in=Article.objects.published()).count(),
        articles_submitted=by_status.get(Article.Status.SUBMITTED, 0),
        articles_draft=by_status.get(Article.Status.DRAFT, 0),
    )


def recent_changes_by(user, limit: int = 10) -> list:
    """The user's latest saves across the tracked models, newest first."""
    models = history_models()
    keys = {model: key for key, model in models.items()}
    records = chain.from_iterable(
        model.history.filter(history_user=user).order_by("-history_date")[:limit]
        for model in models.values()
    )
    latest = sorted(records, key=lambda r: r.history_date, reverse=True)[:limit]
    for record in latest:
        record.model_key = keys[record.instance_type]
        record.model_verbose_name = record.instance_type._meta.verbose_name
    return latest


def history_with_changes(obj, user) -> tuple[list, list[str]]:
    """The object's history, newest first, each record with its field-by-field changes, and
    the personal fields whose full values those changes show.

    Personal values are masked for users who may not see them (``federation.core.privacy``).
    """
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    model = type(obj)
    revealed: set[str] = set()
    for newer, older in zip(records, [*records[1:], None]):
        newer.changes = []
        if older is None:
            continue
        delta, shown = privacy.history_delta(
            newer.diff_against(older, excluded_fields=["version"]), user, model
        )
        revealed.update(shown)
        for change in delta.changes:
            if _same_text(change.old, change.new):
                continue  # CRLF vs LF from an earlier browser save: not a change anyone made
            field = model._meta.get_field(change.field)
            newer.changes.append(
                {
                    "field": field.verbose_name,
                    "old": _display(field, change.old),
                    "new": _display(field, change.new),
                    # HTML bodies are compared as the text a reader sees, not as markup.
                    "diff": html_diff(change.old or "", change.new or "")
                    if field.name == "body"
                    else None,
                }
            )
    return records, sorted(revealed)


def _same_text(old, new) -> bool:
    if isinstance(old, str) and isinstance(new, str):
        return old.replace("\r\n", "\n") == new.replace("\r\n", "\n")
    return False


def _display(field, value):
    if value in (None, ""):
        return "—"
    if isinstance(value, datetime.datetime):
        # "时间为北京时间": the portal's zone, to the minute (never UTC with microseconds).
        return timezone.localtime(value, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M")
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related else value
    return value


def changes_since_published(article) -> dict | None:
    """For the reviewer: the title and the text of the body compared with the last published
    version (None when the article was never published or nothing changed)."""
    published = (
        article.history.filter(status="published").order_by("-history_date", "-history_id").first()
    )
    if published is None:
        return None
    if (published.title, published.body) == (article.title, article.body):
        return {"since": published.history_date, "title": None, "body": None}
    return {
        "since": published.history_date,
        "title": text_diff(published.title, article.title)
        if published.title != article.title
        else None,
        "body": html_diff(published.body, article.body) if published.body != article.body else None,
    }


# --- the completeness to-do list ------------------------------------------------------------
COMPLETENESS_LISTED = 20


@dataclass
class FederationTodo:
    """What one federation still has to complete (each item becomes a link to fix it)."""

    federation: Federation
    no_contact: bool = False
    sites_without_hours: list = field(default_factory=list)
    sites_without_coordinates: list = field(default_factory=list)
    idle_this_quarter: bool = False
    articles_without_cover: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return (
            self.no_contact
            + len(self.sites_without_hours)
            + len(self.sites_without_coordinates)
            + self.idle_this_quarter
            + len(self.articles_without_cover)
        )


def quarter_start(today: datetime.date) -> datetime.datetime:
    """00:00 Beijing time (the portal's time zone) of the first day of today's quarter."""
    first = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return datetime.datetime.combine(
        first, datetime.time.min, tzinfo=timezone.get_current_timezone()
    )


def completeness(federations: QuerySet, today: datetime.date | None = None) -> tuple[int, list]:
    """The to-do list of every active federation in ``federations`` (the user's scope) that has
    something to complete: how many such federations, and the first COMPLETENESS_LISTED by name.

    Five reads whatever the number of federations: the federations, their incomplete sites, the
    organisers active this quarter, and their published articles without a cover photo.
    """
    today = today or timezone.localdate()
    federations = federations.active().exclude(level=Federation.Level.DISTRICT).order_by("name")
    todos = {f.pk: FederationTodo(f) for f in federations}
    ids = set(todos)
    for todo in todos.values():
        f = todo.federation
        todo.no_contact = not (f.contact_name and f.contact_phone)
    sites = (
        ServiceSite.objects.active()
        .filter(federation__in=ids)
        .annotate(_hours=Count("hours"))
        .order_by("name")
    )
    for site in sites.filter(Q(_hours=0, hours_note="")):
        todos[site.federation_id].sites_without_hours.append(site)
    for site in sites.filter(latitude__isnull=True, is_online=False, is_mobile=False):
        todos[site.federation_id].sites_without_coordinates.append(site)
    active = set(
        Activity.objects.filter(
            organizer__in=ids, starts_at__gte=quarter_start(today), starts_at__lte=timezone.now()
        ).values_list("organizer", flat=True)
    )
    for pk, todo in todos.items():
        todo.idle_this_quarter = pk not in active
    for article in (
        Article.objects.published()
        .filter(federation__in=ids, cover_photo__isnull=True)
        .order_by("-publish_at")
    ):
        todos[article.federation_id].articles_without_cover.append(article)
    open_items = [todo for todo in todos.values() if todo.count]
    return len(open_items), open_items[:COMPLETENESS_LISTED]
