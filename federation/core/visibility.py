"""Public visibility of related records, from each model's one registered rule.

A public page links to a related record (an article's federation, an activity's site or brand)
only when that record is public itself. Templates never test the fields (``is_active``,
``is_published``…): the query annotates ``<relation>_is_public`` from the related model's rule
(``registry.public_queryset``), inside the same SELECT, so it costs no extra query.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from federation.core import registry


def public_of(model) -> QuerySet:
    """The public objects of ``model`` (all of them when it registered no rule)."""
    public = registry.public_queryset(model)
    return public if public is not None else model._default_manager.all()


def with_public_flags(queryset: QuerySet, *relations: str) -> QuerySet:
    """Annotate ``<relation>_is_public`` for each forward foreign key in ``relations``."""
    annotations = {}
    for relation in relations:
        related = queryset.model._meta.get_field(relation).related_model
        annotations[f"{relation}_is_public"] = Exists(
            public_of(related).filter(pk=OuterRef(relation))
        )
    return queryset.annotate(**annotations)


def count_public(model, field: str):
    """A subquery counting the public ``model`` rows whose ``field`` points at the outer row."""
    counted = (
        public_of(model)
        .filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)
