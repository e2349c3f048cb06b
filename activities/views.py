"""Public pages of activities, activity news and exemplars; the news feed and the calendar."""

from __future__ import annotations

import calendar
import datetime
import io
import re
import time
from functools import wraps

import segno
from django.conf import settings as django_settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, DateTimeField, Func, Q
from django.db.models.functions import TruncDate
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView

from activities import abuse, preview, selectors, services, tickets
from activities import calendar as ics
from activities.calendar import activities_calendar
from activities.filters import ActivityFilter, ArticleFilter, ExemplarFilter
from activities.forms import CodeForm, SignupForm
from activities.layout import article_layout
from activities.models import Activity, Article, Exemplar, Registration, RegistrationSettings
from activities.selectors import article_cards, card_rows, with_covers
from activities.tickets import normalise_code
from federation.core.visibility import with_public_flags
from federation.ops.db_router import pin_to_primary
from federation.web import querykeys
from federation.web.cache import computed_once, count_once, public_page
from federation.web.keyed import keyed, rows_by_keys
from organizations.hours import WEEKDAYS

UPCOMING_LIMIT = 30
# The feed a phone subscribes to: what is on now and what starts from now to the end of the local
# day CALENDAR_DAYS days ahead, at most CALENDAR_LIMIT events (the soonest). Bounded both ways so
# that it costs the same however many activities the network plans.
CALENDAR_DAYS = 90
CALENDAR_LIMIT = 100


# The query parameters of each list (the page cache keys on these alone).
ARTICLE_QUERY = {
    "category": querykeys.one_of(Activity.Category),
    "brand": querykeys.slug,
    "federation": querykeys.number(),
    "year": querykeys.YEAR,
    "page": querykeys.page,
}


def month_key(value: str) -> str | None:
    """``2026-12``: a month of the calendar."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if not match or not (2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12):
        return None
    return value


def day_key(value: str) -> str | None:
    """``2026-12-05``: one day of the calendar."""
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return None
    return day.isoformat() if 2000 <= day.year <= 2100 and len(value) == 10 else None


ACTIVITY_QUERY = {
    "category": querykeys.one_of(Activity.Category),
    "month": month_key,
    "day": day_key,
    "page": querykeys.page,
}
EXEMPLAR_QUERY = {
    "honour": querykeys.one_of(Exemplar.Honour),
    "year": querykeys.YEAR,
    "page": querykeys.page,
}


def ongoing_or_upcoming(now):
    return Q(starts_at__gte=now) | Q(ends_at__gte=now)


class Unindexed(Func):
    """A column as a plain value, which keeps the planner from walking that column's index in
    the ORDER BY's order: for "ongoing or upcoming", SQLite (no statistics) and PostgreSQL (it
    takes the rows as spread evenly over the index) both walked starts_at from the oldest
    activity and read every past one first, a cost that grew with the years of activities.
    Without it they read the two ranges (starts_at, ends_at) from their indexes and sort those.
    The same value and order: on SQLite ``+column``, on PostgreSQL the column plus zero seconds;
    other databases get the column itself."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="(%(expressions)s + INTERVAL '0 seconds')", **extra
        )


def past(now):
    """Exactly what ongoing_or_upcoming leaves out, written as a range of starts_at that its
    index serves in the list's order (the negated form made the database skip every upcoming
    activity first)."""
    return Q(starts_at__lt=now) & (Q(ends_at__isnull=True) | Q(ends_at__lt=now))


@method_decorator(public_page(query=ARTICLE_QUERY), name="dispatch")
class ArticleListView(ListView):
    template_name = "activities/article_list.html"
    paginate_by = 20

    def get_queryset(self):
        self.filterset = ArticleFilter(
            self.request.GET or None,
            # Only what a card shows: bodies are the bulk of the rows.
            queryset=card_rows(Article.objects.published()),
        )
        return self.filterset.qs

    def get_paginator(self, queryset, *args, **kwargs):
        paginator = super().get_paginator(queryset, *args, **kwargs)
        count_once(paginator, "news-count", self.request, self.filterset.filters)
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        # Each card is kept (fragments), by its key and cover: the rows only for a card not kept.
        page = keyed(context["page_obj"].object_list, also=("cover_photo_id",))
        context["object_list"] = with_covers(page)
        # The whole list is kept too, by what its cards vary on: one lookup instead of 20.
        context["card_keys"] = tuple((article.pk, article.cover_photo_id) for article in page)
        federation_id = (
            self.filterset.form.cleaned_data.get("federation") if self.filterset.is_bound else None
        )
        context["filtered"] = self.filterset.is_bound and any(
            self.filterset.form.cleaned_data.get(name) for name in self.filterset.filters
        )
        if federation_id:
            from organizations.models import Federation

            context["filter_federation"] = (
                Federation.objects.active().filter(pk=federation_id).first()
            )
        return context


def neighbour(article, *, newer: bool):
    """The next newer (or older) published article by (publish_at, pk), the list's own order."""
    after, order = ("gt", ("publish_at", "pk")) if newer else ("lt", ("-publish_at", "-pk"))
    return (
        Article.objects.published()
        .only("pk", "title", "publish_at")
        .filter(
            Q(**{f"publish_at__{after}": article.publish_at})
            | Q(publish_at=article.publish_at, **{f"pk__{after}": article.pk})
        )
        .order_by(*order)
        .first()
    )


@method_decorator(public_page, name="dispatch")
class ArticleDetailView(DetailView):
    template_name = "activities/article_detail.html"

    def get_object(self, queryset=None):
        """The article if it is public: its key, title and time now (what the page shows outside
        its kept pieces), the rest (joins and the public flags) when a piece is rendered."""
        pk = self.kwargs["pk"]
        row = Article.objects.published().filter(pk=pk).values_list("title", "publish_at").first()
        if row is None:
            raise Http404  # not published (or not yet): as for any unknown address
        (article,) = rows_by_keys(
            self.get_queryset, [pk], [{"title": row[0], "publish_at": row[1]}], model=Article
        )
        return article

    def get_queryset(self):
        return with_public_flags(
            Article.objects.published().select_related("federation", "activity", "brand"),
            "federation",
            "brand",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        # Each read when first shown: the template keeps the article, its photos and its
        # neighbours as fragments (federation.web.fragments), so a kept page reads none of them.
        layout = SimpleLazyObject(lambda: article_layout(article))
        context["layout"] = layout
        context["newer"] = SimpleLazyObject(lambda: neighbour(article, newer=True))
        context["older"] = SimpleLazyObject(lambda: neighbour(article, newer=False))
        context["og_image"] = SimpleLazyObject(lambda: layout.lead.largest if layout.lead else None)
        # WeChat's card: the lead photo as a square (the default image otherwise).
        context["share_image"] = SimpleLazyObject(
            lambda: layout.lead.square if layout.lead else None
        )
        return context


class ArticleSharedPreviewView(DetailView):
    """A draft in the public article layout, by a signed link (activities/preview.py): what the
    public will see, photos included, at any width. Never cached, never indexed."""

    template_name = "activities/article_detail.html"

    def get_object(self, queryset=None):
        pk = preview.article_id_from(self.kwargs["token"])
        article = (
            with_public_flags(
                Article.objects.select_related("federation", "activity", "brand"),
                "federation",
                "brand",
            )
            .filter(pk=pk)
            .first()
            if pk
            else None
        )
        if article is None:
            raise Http404(_("预览链接无效或已过期，请在工作台重新生成。"))
        return article

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["layout"] = article_layout(self.object)
        context["preview"] = True
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        response["X-Robots-Tag"] = "noindex, nofollow"
        # The staff preview page shows it in a phone-sized frame: framed by this site only.
        response._csp_replace = {"frame-ancestors": ["'self'"]}
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response


ACTIVITY_LIST_FIELDS = (
    "title",
    "starts_at",
    "ends_at",
    "location",
    "category",
    "format",
    "site__name",
    "organizer__name",
    "organizer__short_name",
)


@method_decorator(public_page(query=ACTIVITY_QUERY), name="dispatch")
class ActivityListView(ListView):
    """Upcoming activities first (all of them, bounded), then past ones, paginated."""

    template_name = "activities/activity_list.html"
    paginate_by = 20

    def get_queryset(self):
        self.now = timezone.now()
        self.filterset = ActivityFilter(
            self.request.GET or None,
            # Only what the list shows: 40 rows of four joined models were 450 datetime
            # conversions per render.
            queryset=Activity.objects.public()
            .select_related("organizer", "site")
            .only(*ACTIVITY_LIST_FIELDS),
        )
        return self.filterset.qs.filter(past(self.now)).order_by("-starts_at")

    def get_paginator(self, queryset, *args, **kwargs):
        """Past activities are counted as all public ones (counted once per content change)
        less the ongoing and upcoming ones (read from the indexes): the same number as a
        COUNT over every past activity, without one."""
        paginator = super().get_paginator(queryset, *args, **kwargs)
        data = self.filterset.form.cleaned_data if self.filterset.is_valid() else {}
        every = computed_once(
            f"activities-public:{data.get('category') or ''}", self.filterset.qs.count
        )
        # The ongoing and upcoming ones are the list shown above the past ones: counted by it
        # when it is not cut at UPCOMING_LIMIT (no second query), else by the indexes.
        self.upcoming = keyed(
            self.filterset.qs.filter(ongoing_or_upcoming(self.now)).order_by(
                Unindexed("starts_at", output_field=DateTimeField())
            )[:UPCOMING_LIMIT]
        )
        if len(self.upcoming) < UPCOMING_LIMIT:
            current = len(self.upcoming)
        else:
            current = self.filterset.qs.filter(ongoing_or_upcoming(self.now)).count()
        paginator.__dict__["count"] = every - current  # Paginator.count is a cached_property
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        # Each card is kept (fragments): the keys now, the rows only for a card not kept.
        context["object_list"] = keyed(context["page_obj"].object_list)
        context["upcoming"] = self.upcoming
        # Each whole list is kept too, by its cards' keys: one lookup instead of one per card.
        context["upcoming_keys"] = tuple(activity.pk for activity in self.upcoming)
        context["past_keys"] = tuple(activity.pk for activity in context["object_list"])
        context.update(self.month_calendar())
        return context

    def month_calendar(self) -> dict:
        """A month grid (Monday first), today marked, each day with activities a link."""
        today = timezone.localdate(self.now)
        day = self.request.GET.get("day")
        chosen = datetime.date.fromisoformat(day) if day else None
        month = self.request.GET.get("month")
        if month:
            first = datetime.date(int(month[:4]), int(month[5:7]), 1)
        else:
            first = (chosen or today).replace(day=1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
        end = datetime.datetime.combine(
            last + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )
        in_month = self.filterset.qs.filter(starts_at__gte=start, starts_at__lt=end)
        # The grid needs only the dates; whole activities only for the chosen day. Counted by the
        # database per local day, once per month and category and content change (a busy month
        # is hundreds of activities, and the counts do not depend on the time of day).
        data = self.filterset.form.cleaned_data if self.filterset.is_valid() else {}
        per_day: dict[datetime.date, int] = computed_once(
            f"activity-days:{data.get('category') or ''}:{first:%Y-%m}",
            lambda: dict(
                in_month.order_by()
                .annotate(day=TruncDate("starts_at", tzinfo=zone))
                .values("day")
                .annotate(n=Count("pk"))
                .values_list("day", "n")
            ),
        )
        day_activities = []
        if chosen and chosen.month == first.month and per_day.get(chosen):
            day_start = datetime.datetime.combine(chosen, datetime.time.min, tzinfo=zone)
            # Not read here: the template reads it only when the grid's fragment is not kept.
            day_activities = self.filterset.qs.filter(
                starts_at__gte=day_start,
                starts_at__lt=day_start + datetime.timedelta(days=1),
            ).order_by("starts_at")
        weeks = [
            [
                {
                    "date": date,
                    "in_month": date.month == first.month,
                    "today": date == today,
                    "chosen": date == chosen,
                    "count": per_day.get(date, 0) if date.month == first.month else 0,
                }
                for date in week
            ]
            for week in calendar.Calendar(firstweekday=0).monthdatescalendar(
                first.year, first.month
            )
        ]
        previous = (first - datetime.timedelta(days=1)).replace(day=1)
        following = last + datetime.timedelta(days=1)
        return {
            "month": first,
            "weeks": weeks,
            "previous_month": f"{previous:%Y-%m}",
            "next_month": f"{following:%Y-%m}",
            "chosen_day": chosen,
            "day_activities": day_activities,
            "weekday_names": [_(name) for name in WEEKDAYS],
        }


@method_decorator(public_page, name="dispatch")
class ActivityDetailView(DetailView):
    template_name = "activities/activity_detail.html"

    def get_queryset(self):
        return with_public_flags(
            Activity.objects.public().select_related(
                "organizer", "site", "brand", "brand_session", "series"
            ),
            "organizer",
            "site",
            "brand",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["articles"] = article_cards(
            Article.objects.published().filter(activity=self.object)
        )
        now = timezone.now()
        context["is_upcoming"] = self.object.starts_at >= now
        # Sign-up: the window and the places only. The page is cached and shared, so it shows no
        # live count and nothing about any visitor; the sign-up page itself is never cached.
        config = RegistrationSettings.objects.filter(activity=self.object).first()
        if config is not None and config.is_enabled:
            context["signup"] = selectors.signup_state(self.object, config, now)
        context["private"] = self.object.keeps_participants_private
        return context


@method_decorator(public_page(query=EXEMPLAR_QUERY), name="dispatch")
class ExemplarListView(ListView):
    template_name = "activities/exemplar_list.html"
    paginate_by = 30

    def get_queryset(self):
        self.filterset = ExemplarFilter(
            self.request.GET or None,
            # What a card shows (the story and the photo are the detail page's).
            queryset=Exemplar.objects.published().only(
                "pk", "name", "honour", "year", "kind", "workplace"
            ),
        )
        return self.filterset.qs

    def get_paginator(self, queryset, *args, **kwargs):
        paginator = super().get_paginator(queryset, *args, **kwargs)
        count_once(paginator, "exemplar-count", self.request, self.filterset.filters)
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        return context


@method_decorator(public_page, name="dispatch")
class ExemplarDetailView(DetailView):
    template_name = "activities/exemplar_detail.html"

    def get_queryset(self):
        return with_public_flags(
            Exemplar.objects.published().select_related("federation"), "federation"
        )


def calendar_window_end(now: datetime.datetime) -> datetime.datetime:
    """Local midnight after the CALENDAR_DAYS-th day from today (Beijing time)."""
    last_day = timezone.localdate(now) + datetime.timedelta(days=CALENDAR_DAYS)
    return datetime.datetime.combine(
        last_day + datetime.timedelta(days=1),
        datetime.time.min,
        tzinfo=timezone.get_current_timezone(),
    )


@require_GET
@public_page
def calendar_ics(request):
    """iCalendar feed of ongoing and upcoming public activities, for phone calendars: those
    starting before the end of the local day CALENDAR_DAYS days ahead, the first CALENDAR_LIMIT."""
    now = timezone.now()
    public = Activity.objects.public()
    starts = Unindexed("starts_at", output_field=DateTimeField())
    # Two index ranges, each read in order: what started before now and is still on (ends_at),
    # then what starts from now to the window's end (starts_at).
    ongoing = (
        public.alias(started=starts)
        .filter(started__lt=now, ends_at__gte=now)
        .order_by(starts, "pk")
        .values(*ics.FIELDS)[:CALENDAR_LIMIT]
    )
    upcoming = (
        public.filter(starts_at__gte=now, starts_at__lt=calendar_window_end(now))
        .order_by("starts_at", "pk")
        .values(*ics.FIELDS)[:CALENDAR_LIMIT]
    )
    events = [*ongoing, *upcoming][:CALENDAR_LIMIT]
    body = activities_calendar(events, request=request, now=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="teda-activities.ics"'
    return response


@require_GET
@public_page
def activity_ics(request, pk: int):
    """加入日历: this one activity as an iCalendar file (with the page's link in it)."""
    event = Activity.objects.public().filter(pk=pk).values(*ics.FIELDS).first()
    if event is None:
        raise Http404
    body = activities_calendar([event], request=request)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="activity-{pk}.ics"'
    return response


@require_GET
@public_page
def join_qr(request, pk: int):
    """The QR code of an online activity's join link (scan it from a second screen)."""
    activity = get_object_or_404(
        Activity.objects.public().exclude(join_url="").only("pk", "join_url"), pk=pk
    )
    buffer = io.BytesIO()
    segno.make(activity.join_url, error="m").save(buffer, kind="svg", scale=6, border=4)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


# --- sign-up, ticket, cancel, self check-in (issue 13) ----------------------------------------------
# None of these pages is ever cached or shared: each answers one visitor (never_cache, and the
# page cache only wraps the views above). They read from the primary: a ticket must be found the
# moment after its sign-up was written, whatever a replica has replayed.
TICKET_COOKIE = "ynth_tickets"
TICKET_COOKIE_SALT = "activities.ticket-cookie"
TICKET_COOKIE_MAX = 10
TICKET_COOKIE_AGE = 120 * 24 * 3600


def _registration_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        pin_to_primary()
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def _public_activity(pk: int) -> Activity:
    return get_object_or_404(
        Activity.objects.public().select_related("organizer", "site", "brand", "brand__parent"),
        pk=pk,
    )


def _tickets_on_phone(request) -> list[tuple[int, str]]:
    raw = request.get_signed_cookie(TICKET_COOKIE, default="", salt=TICKET_COOKIE_SALT)
    pairs = []
    for item in raw.split(","):
        activity_id, _sep, code = item.partition(":")
        if activity_id.isdigit() and normalise_code(code):
            pairs.append((int(activity_id), code))
    return pairs


def _remember_ticket(request, response, registration: Registration) -> None:
    """Keep the code on this phone, so that scanning the venue's 签到码 is enough to check in."""
    pairs = [
        p for p in _tickets_on_phone(request) if p != (registration.activity_id, registration.code)
    ]
    pairs = [(registration.activity_id, registration.code), *pairs][:TICKET_COOKIE_MAX]
    response.set_signed_cookie(
        TICKET_COOKIE,
        ",".join(f"{a}:{c}" for a, c in pairs),
        salt=TICKET_COOKIE_SALT,
        max_age=TICKET_COOKIE_AGE,
        path="/activities/",
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def _too_many(request, template: str, context: dict, usage) -> HttpResponse:
    context["error"] = _("提交过于频繁，请 %(minutes)d 分钟后再试。您填写的内容仍保留在下方。") % {
        "minutes": usage.minutes_left
    }
    return render(request, template, context, status=429)


@_registration_page
def signup(request, pk: int):
    activity = _public_activity(pk)
    config = RegistrationSettings.objects.filter(activity=activity).first()
    if config is None or not config.is_enabled:
        raise Http404(_("本活动不开放在线报名。"))
    now = timezone.now()
    context = {
        "activity": activity,
        "config": config,
        "state": selectors.signup_state(activity, config, now),
        "private": activity.keeps_participants_private,
        "keep_days": django_settings.REGISTRATION_KEEP_DAYS,
    }
    template = "activities/signup.html"
    if request.method != "POST":
        context["form"] = SignupForm(
            activity=activity, config=config, with_captcha=abuse.captcha_needed(request)
        )
        return render(request, template, context)

    # Decide on the CAPTCHA from the submissions before this one, then count this one.
    with_captcha = abuse.captcha_needed(request)
    by_address = abuse.signup_address(request, increment=True)
    form = SignupForm(request.POST, activity=activity, config=config, with_captcha=with_captcha)
    context["form"] = form
    if by_address.limited:
        return _too_many(request, template, context, by_address)
    if form.honeypot_filled:
        context["error"] = _("提交未通过校验，请刷新页面后重新填写。")
        return render(request, template, context, status=400)
    if not form.is_valid():
        return render(request, template, context, status=400)
    by_mobile = abuse.signup_mobile(request, form.cleaned_data["mobile"])
    if by_mobile.limited:
        return _too_many(request, template, context, by_mobile)
    try:
        registration = services.registration_create(
            activity=activity,
            participant_name=form.cleaned_data["participant_name"],
            mobile=form.cleaned_data["mobile"],
            consent=form.cleaned_data["consent"],
            enterprise=form.enterprise(),
            workplace=form.cleaned_data.get("workplace", ""),
            children_count=form.cleaned_data.get("children_count"),
            children_ages=form.cleaned_data.get("children_ages", ""),
            answer=form.cleaned_data.get("answer", ""),
            ip_address=abuse.client_ip(request),
            now=now,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        context["state"] = selectors.signup_state(activity, config, timezone.now())
        return render(
            request, template, context, status=409 if exc.code in ("full", "duplicate") else 400
        )
    response = HttpResponseRedirect(
        reverse("activities:ticket", args=[activity.pk, registration.code]) + "?new=1"
    )
    _remember_ticket(request, response, registration)
    return response


@_registration_page
@require_GET
def ticket(request, pk: int, code: str):
    activity = _public_activity(pk)
    registration = services.registration_by_code(activity=activity, code=code)
    if registration is None:
        raise Http404(_("没有找到这个报名，请核对报名链接或报名码。"))
    config = RegistrationSettings.objects.filter(activity=activity).first()
    context = {
        "activity": activity,
        "registration": registration,
        "config": config,
        "is_new": request.GET.get("new") == "1",
        "position": registration.waitlist_position(),
        "can_cancel": registration.status != Registration.Status.CANCELLED
        and not registration.checked_in_at
        and timezone.now() < activity.starts_at,
    }
    response = render(request, "activities/ticket.html", context)
    if registration.status != Registration.Status.CANCELLED and not registration.is_erased:
        _remember_ticket(request, response, registration)
    return response


@_registration_page
@require_GET
def ticket_qr(request, pk: int, code: str, fmt: str):
    if fmt not in ("svg", "png"):
        raise Http404
    activity = _public_activity(pk)
    registration = services.registration_by_code(activity=activity, code=code)
    if (
        registration is None
        or registration.status != Registration.Status.CONFIRMED
        or registration.is_erased
    ):
        raise Http404
    payload = tickets.ticket_payload(activity_id=activity.pk, code=registration.code)
    if fmt == "png":
        response = HttpResponse(tickets.qr_png(payload), content_type="image/png")
        response["Content-Disposition"] = f'attachment; filename="ticket-{registration.code}.png"'
        return response
    return HttpResponse(tickets.qr_svg(payload), content_type="image/svg+xml")


@_registration_page
def cancel(request, pk: int):
    """Cancel with the code (the ticket page links here with it filled in)."""
    activity = _public_activity(pk)
    template = "activities/cancel.html"
    if request.method != "POST":
        form = CodeForm(initial={"code": request.GET.get("code", "")})
        return render(request, template, {"activity": activity, "form": form})
    form = CodeForm(request.POST)
    context = {"activity": activity, "form": form}
    attempt = abuse.code_attempt(request)
    if attempt.limited:
        return _too_many(request, template, context, attempt)
    if not form.is_valid():
        return render(request, template, context, status=400)
    registration = services.registration_by_code(activity=activity, code=form.cleaned_data["code"])
    if registration is None:
        form.add_error("code", _("报名码不正确，没有找到本活动的这个报名，请核对后重新输入。"))
        return render(request, template, context, status=400)
    try:
        services.registration_cancel(registration=registration)
    except ValidationError as exc:
        form.add_error(None, exc)
        return render(request, template, context, status=409)
    messages.success(request, _("已取消报名。名额已释放给其他报名者。"))
    return HttpResponseRedirect(reverse("activities:ticket", args=[activity.pk, registration.code]))


@_registration_page
def self_check_in(request, pk: int):
    """Opened by scanning the rotating 签到码 at the venue: check in with the ticket kept on this
    phone, or with a typed code."""
    activity = _public_activity(pk)
    token = request.POST.get("k") if request.method == "POST" else request.GET.get("k", "")
    context = {"activity": activity, "token": token}
    template = "activities/self_checkin.html"
    if not tickets.checkin_code_valid(token, activity.pk, now=time.time()):
        context["expired"] = True
        return render(request, template, context, status=400 if token else 200)
    on_phone = [
        code for activity_id, code in _tickets_on_phone(request) if activity_id == activity.pk
    ]
    if request.method != "POST":
        context["form"] = CodeForm(initial={"code": on_phone[0] if on_phone else ""})
        context["on_phone"] = bool(on_phone)
        return render(request, template, context)
    form = CodeForm(request.POST)
    context["form"] = form
    attempt = abuse.code_attempt(request)
    if attempt.limited:
        return _too_many(request, template, context, attempt)
    if not form.is_valid():
        return render(request, template, context, status=400)
    try:
        result = services.registration_self_check_in(
            activity=activity, code=form.cleaned_data["code"]
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return render(request, template, context, status=400)
    context["checked_in"] = result
    return render(request, template, context)
