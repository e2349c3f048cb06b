"""Query helpers with no model of their own."""

from __future__ import annotations

from django.db import connection


def count_many(**querysets) -> dict[str, int]:
    """Count several querysets in ONE database round trip (a SELECT of scalar subqueries)."""
    parts, params = [], []
    for name, queryset in querysets.items():
        if not name.isidentifier():
            raise ValueError(name)
        sql, sub_params = queryset.order_by().values("pk").query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS count_{name}) AS {name}")
        params.extend(sub_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return dict(zip(querysets, (int(value) for value in row), strict=True))
