"""List filters of the staff pages, as forms (django-filter); labels are ours, in Chinese."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Article, Registration
from activities.tickets import normalise_code
from federation.core import privacy
from federation.core.scoping import own_federations
from organizations.models import Enterprise, Need, ServiceSite

ANY = _("全部")


def _federations(request):
    return own_federations(request.user if request else None)


class TextSearchFilter(django_filters.CharFilter):
    """Plain ``contains`` over several fields (Chinese has no word boundaries)."""

    def __init__(self, *args, fields=(), **kwargs):
        self.search_fields = fields
        kwargs.setdefault("label", _("关键词"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        query = Q()
        for name in self.search_fields:
            query |= Q(**{f"{name}__contains": value.strip()})
        return qs.filter(query)


class ArticleFilter(django_filters.FilterSet):
    q = TextSearchFilter(fields=("title", "summary", "body"))
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=Article.Status.choices, empty_label=ANY
    )
    federation = django_filters.ModelChoiceFilter(
        label=_("所属妇联"), queryset=_federations, empty_label=ANY
    )

    class Meta:
        model = Article
        fields = ["q", "status", "federation"]


class ActivityFilter(django_filters.FilterSet):
    q = TextSearchFilter(fields=("title", "description", "location"))
    category = django_filters.ChoiceFilter(
        label=_("活动类别"), choices=Activity.Category.choices, empty_label=ANY
    )
    organizer = django_filters.ModelChoiceFilter(
        label=_("主办妇联"), queryset=_federations, empty_label=ANY
    )
    without_news = django_filters.BooleanFilter(
        label=_("只看没有新闻的活动"),
        method="filter_without_news",
        widget=forms.CheckboxInput,  # django-filter's own Yes/No labels are not in zh-hans
    )

    class Meta:
        model = Activity
        fields = ["q", "category", "organizer"]

    def filter_without_news(self, qs, name, value):
        return qs.filter(articles__isnull=True) if value else qs


class ServiceSiteFilter(django_filters.FilterSet):
    q = TextSearchFilter(fields=("name", "address", "services"))
    kind = django_filters.ChoiceFilter(
        label=_("类型"), choices=ServiceSite.Kind.choices, empty_label=ANY
    )
    federation = django_filters.ModelChoiceFilter(
        label=_("主办妇联"), queryset=_federations, empty_label=ANY
    )
    incomplete = django_filters.BooleanFilter(
        label=_("只看缺坐标或开放时间的"),
        method="filter_incomplete",
        widget=forms.CheckboxInput,  # django-filter's own Yes/No labels are not in zh-hans
    )

    class Meta:
        model = ServiceSite
        fields = ["q", "kind", "federation"]

    def filter_incomplete(self, qs, name, value):
        if not value:
            return qs
        from federation.staff.selectors import incomplete_sites

        return incomplete_sites(qs)


class RegistrationFilter(django_filters.FilterSet):
    """A sign-up list: by status, check-in, and a search that reaches names and mobiles only for
    roles allowed to see them (masked values may not be searched either: that would reveal them)."""

    q = django_filters.CharFilter(label=_("报名码/姓名/手机号"), method="filter_q")
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=Registration.Status.choices, empty_label=ANY
    )
    checked_in = django_filters.BooleanFilter(
        label=_("只看已签到"), method="filter_checked_in", widget=forms.CheckboxInput
    )

    class Meta:
        model = Registration
        fields = ["q", "status"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None and not privacy.can_view_contact(request.user):
            self.filters["q"].label = _("报名码")
            self.form.fields["q"].label = _("报名码")

    def filter_q(self, qs, name, value):
        value = (value or "").strip()
        if not value:
            return qs
        query = Q(code=normalise_code(value)) if normalise_code(value) else Q(pk__in=[])
        if self.request is not None and privacy.can_view_contact(self.request.user):
            query |= Q(participant_name__contains=value) | Q(mobile__contains=value)
        return qs.filter(query)

    def filter_checked_in(self, qs, name, value):
        return qs.filter(checked_in_at__isnull=False) if value else qs


class CoverageFilter(django_filters.FilterSet):
    """The coverage worklist's filters (every field here is visible to every district role)."""

    q = TextSearchFilter(fields=("name",), label=_("企业名称"))
    area = django_filters.ChoiceFilter(label=_("片区"), choices=(), empty_label=ANY)
    building = django_filters.CharFilter(label=_("楼宇或园区"), lookup_expr="contains")
    sector = django_filters.ChoiceFilter(
        label=_("所属领域"), choices=Enterprise.Sector.choices, empty_label=ANY
    )
    industry = django_filters.CharFilter(label=_("行业"), lookup_expr="contains")
    female_min = django_filters.NumberFilter(
        label=_("女职工不少于"), field_name="female_employees", lookup_expr="gte", min_value=0
    )
    need = django_filters.ModelChoiceFilter(
        label=_("迫切需求"), field_name="needs", queryset=Need.objects.all(), empty_label=ANY
    )
    party = django_filters.ChoiceFilter(
        label=_("党组织"),
        field_name="has_party_org",
        choices=(("1", _("已建立")), ("0", _("未建立"))),
        empty_label=ANY,
        method="filter_party",
    )
    state = django_filters.ChoiceFilter(
        label=_("跟进情况"),
        choices=(
            ("unassigned", _("未分派")),
            ("assigned", _("已分派跟进")),
            ("confirm", _("待确认覆盖")),
        ),
        empty_label=ANY,
        method="filter_state",
    )

    class Meta:
        model = Enterprise
        fields = ["q", "area", "building", "sector", "industry", "female_min", "need", "party"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        areas = Enterprise.objects.exclude(area="").order_by("area").values_list("area", flat=True)
        self.filters["area"].extra["choices"] = [(a, a) for a in areas.distinct()]
        self.form.fields["area"].choices = [("", ANY), *self.filters["area"].extra["choices"]]

    def filter_party(self, qs, name, value):
        return qs.filter(has_party_org=value == "1") if value in ("0", "1") else qs

    def filter_state(self, qs, name, value):
        from organizations.selectors import awaiting_confirmation

        if value == "unassigned":
            return qs.filter(followed_by__isnull=True)
        if value == "assigned":
            return qs.filter(followed_by__isnull=False)
        if value == "confirm":
            return awaiting_confirmation(qs)
        return qs
