"""List filters of the staff pages, as forms (django-filter); labels are ours, in Chinese."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Article
from federation.core.scoping import own_federations
from organizations.models import ServiceSite

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
