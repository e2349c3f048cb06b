"""Filters of the public lists (django-filter forms used by the pages)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Article, Exemplar
from brands.models import Brand
from federation.web.cache import computed_once


def _published_years() -> list[int]:
    dates = Article.objects.published().dates("publish_at", "year", order="DESC")
    return [d.year for d in dates]


def _news_years():
    """The years that have news, once per content change and day (a DISTINCT over every article
    on each render was a good part of an uncached /news/)."""
    return [(year, str(year)) for year in computed_once("news-years", _published_years)]


class ArticleFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(
        label=_("类别"),
        field_name="activity__category",
        choices=Activity.Category.choices,
        empty_label=_("全部类别"),
    )
    brand = django_filters.ModelChoiceFilter(
        label=_("品牌"),
        queryset=Brand.objects.published(),
        to_field_name="slug",
        empty_label=_("全部品牌"),
    )
    federation = django_filters.NumberFilter(label=_("妇联"), field_name="federation_id")
    year = django_filters.ChoiceFilter(
        label=_("年份"), field_name="publish_at", lookup_expr="year", empty_label=_("全部年份")
    )

    class Meta:
        model = Article
        fields = ["category", "brand", "federation", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = _news_years


def _exemplar_years() -> list[int]:
    return list(
        Exemplar.objects.published().order_by("-year").values_list("year", flat=True).distinct()
    )


def _exemplar_year_choices():
    """The years that have public exemplars, once per content change and day (as the news
    years: a DISTINCT over every exemplar on each render)."""
    return [(year, str(year)) for year in computed_once("exemplar-years", _exemplar_years)]


class ExemplarFilter(django_filters.FilterSet):
    honour = django_filters.ChoiceFilter(
        label=_("荣誉"), choices=Exemplar.Honour.choices, empty_label=_("全部荣誉")
    )
    year = django_filters.ChoiceFilter(label=_("年度"), empty_label=_("全部年度"))

    class Meta:
        model = Exemplar
        fields = ["honour", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = _exemplar_year_choices


class ActivityFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(
        label=_("类别"), choices=Activity.Category.choices, empty_label=_("全部类别")
    )

    class Meta:
        model = Activity
        fields = ["category"]
