"""Admin changelist filters that cannot crash: a bad lookup from the address bar is a 400.

Part of :class:`federation.core.admin_scoping.ScopedAdminMixin`, hence of every ModelAdmin.
Regular-expression and range lookups (``?name__regex=(``) are refused for everybody: nobody needs them
from the admin, an invalid pattern made a 500, and they are the tool of choice for bisecting a
value one character at a time. A value the database rejects only when the query runs (a number
too large, a malformed date on PostgreSQL) is a 400 with a Chinese message instead of a 500.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.db import DataError
from django.utils.translation import gettext as _

# ``range`` too: the admin passes its value as one string, which became a 500 or, for a
# two-character value, ``BETWEEN 'a' AND 'b'``.
REFUSED_LOOKUPS = frozenset({"regex", "iregex", "range"})


class SafeLookupsAdminMixin:
    def lookup_allowed(self, lookup, value, request):
        if REFUSED_LOOKUPS.intersection(lookup.split("__")):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_changelist_instance(self, request):
        # The changelist counts and fetches its rows while it is built.
        try:
            return super().get_changelist_instance(request)
        except (DataError, OverflowError) as exc:
            raise BadRequest(_("筛选条件无效，请检查链接中的参数。")) from exc
