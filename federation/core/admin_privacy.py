"""The admin side of :mod:`federation.core.privacy`: personal fields masked or logged on every page.

Put :class:`PersonalDataAdminMixin` before ``ScopedAdminMixin`` in the bases of the admin of any
model with personal fields (``tests/production/test_privacy.py`` checks that none is missing).
For users without ``organizations.view_contact`` the change page (and a past version's page)
shows masked read-only values and offers no input for them, the changelist shows masked
columns and the history list masks old → new values. For the others each of these pages logs
which unmasked values it showed.

Masking a value is not enough: a filter such as ``?contact_phone__startswith=022-0`` answers
"1 result" or "0 results" and bisects a phone in a few dozen requests. So for users without the
permission every lookup on a personal field (in the changelist, its export, through a relation)
is refused with a 400, and the search leaves personal fields out (also in autocomplete). For the
others such a filter or search is logged as an access to those fields.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from federation.core import privacy

MASKED_SUFFIX = "_masked"


def _masked(field: str) -> str:
    return field + MASKED_SUFFIX


class PersonalDataAdminMixin:
    """See the module docstring."""

    def personal_fields(self) -> list[str]:
        return privacy.personal_fields(self.model)

    def _masks(self, request) -> bool:
        return bool(self.personal_fields()) and not privacy.can_view_contact(request.user)

    def _swap(self, names):
        personal = set(self.personal_fields())
        swapped = []
        for name in names:
            if isinstance(name, (list, tuple)):
                swapped.append(type(name)(self._swap(name)))
            else:
                swapped.append(_masked(name) if name in personal else name)
        return swapped

    # --- change page and a past version's page -------------------------------------------------
    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self._masks(request):
            return fieldsets
        return [
            (title, {**opts, "fields": self._swap(opts["fields"])}) for title, opts in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if self._masks(request):
            readonly += [_masked(field) for field in self.personal_fields()]
        return readonly

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or ())
        if self._masks(request):
            exclude += self.personal_fields()
        return exclude or None

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not self._masks(request):
            privacy.log_unmasked_view(
                request=request,
                model=self.model,
                obj=obj,
                fields=privacy.filled(obj, self.personal_fields()),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        response = super().history_form_view(request, object_id, version_id, extra_context)
        if response.status_code == 200 and not self._masks(request):
            record = self.model.history.filter(history_id=version_id).first()
            if record is not None:
                privacy.log_unmasked_view(
                    request=request,
                    model=self.model,
                    obj=record.instance,
                    fields=privacy.filled(record, self.personal_fields()),
                )
        return response

    # --- changelist -----------------------------------------------------------------------------
    def get_list_display(self, request):
        list_display = super().get_list_display(request)
        return self._swap(list_display) if self._masks(request) else list_display

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        shown = [f for f in self.personal_fields() if f in self.get_list_display(request)]
        cl = getattr(response, "context_data", None) and response.context_data.get("cl")
        if shown and cl is not None and not self._masks(request):
            rows = [row for row in cl.result_list if privacy.filled(row, shown)]
            revealed = [f for f in shown if any(getattr(row, f) for row in rows)]
            if len(rows) == 1:
                privacy.log_unmasked_view(
                    request=request, model=self.model, obj=rows[0], fields=revealed
                )
            elif rows:
                privacy.log_unmasked_view(
                    request=request, model=self.model, fields=revealed, object_count=len(rows)
                )
        return response

    # --- filters and search: refused on masked fields, logged otherwise ---------------------------
    def lookup_allowed(self, lookup, value, request):
        personal = privacy.personal_fields_in_path(self.model, lookup)
        if personal:
            if not privacy.can_view_contact(request.user):
                return False  # the changelist answers DisallowedModelAdminLookup: a 400
            # Logged once the filtered queryset is known (get_search_results).
            request._personal_lookups = {*getattr(request, "_personal_lookups", ()), *personal}
        return super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if privacy.can_view_contact(request.user):
            return fields
        return [f for f in fields if not privacy.personal_fields_in_path(self.model, f)]

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if privacy.can_view_contact(request.user):
            used = set(getattr(request, "_personal_lookups", ()))
            request._personal_lookups = set()  # logged once per request
            personal_search = [
                name
                for name in self.get_search_fields(request)
                if privacy.personal_fields_in_path(self.model, name)
            ]
            words = search_term.split()
            if words and personal_search:
                # Logged only for the personal fields the term matched.
                for name in personal_search:
                    condition = Q(*[Q(**{f"{name.lstrip('^=@')}__icontains": w}) for w in words])
                    if queryset.filter(condition).exists():
                        used.update(privacy.personal_fields_in_path(self.model, name))
            if used:
                privacy.log_unmasked_view(
                    request=request,
                    model=self.model,
                    fields=sorted(used),
                    object_count=found.count(),
                )
        return found, may_have_duplicates

    # --- history list: old → new values -----------------------------------------------------------
    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        revealed: set[str] = set()
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(current, foreign_keys_are_objs=foreign_keys_are_objs)
                delta, shown = privacy.history_delta(delta, request.user, self.model)
                revealed.update(shown)
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current
        if revealed:
            privacy.log_unmasked_view(
                request=request,
                model=self.model,
                obj=historical_records[0].instance,
                fields=sorted(revealed),
            )

    # --- the masked values ------------------------------------------------------------------------
    @admin.display(description=_("联系人"))
    def contact_name_masked(self, obj):
        return privacy.mask(self.model, "contact_name", obj.contact_name) if obj is not None else ""

    @admin.display(description=_("联系电话"))
    def contact_phone_masked(self, obj):
        return (
            privacy.mask(self.model, "contact_phone", obj.contact_phone) if obj is not None else ""
        )

    @admin.display(description=_("姓名"))
    def participant_name_masked(self, obj):
        if obj is None:
            return ""
        return privacy.mask(self.model, "participant_name", obj.participant_name)

    @admin.display(description=_("手机号"))
    def mobile_masked(self, obj):
        return privacy.mask(self.model, "mobile", obj.mobile) if obj is not None else ""
