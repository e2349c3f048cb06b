"""One admin mixin that applies the user's scope at every admin entry point.

Add :class:`ScopedAdminMixin` first in the bases of every ModelAdmin and inline. It scopes:
changelists and actions (``get_queryset``), change/delete/history views (another federation's
object is a 404, exactly like a missing one), foreign-key and many-to-many choices (and so the
autocomplete results, which come from the related admin's ``get_queryset``), and what may be
saved (a record must stay inside the user's scope; the network-only fields an app registered
are read-only for other users). Versioned models' forms carry their version (optimistic locking).

The mixin writes nothing itself: each ModelAdmin's ``save_model``, ``delete_model`` and
``save_formset`` call its app's services (:mod:`federation.core.writes`), which check the scope and
the version again, so the admin and every other entry point give the same answer. The "delete
selected" action deletes one record at a time through ``delete_model``.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from federation.core import registry
from federation.core.admin_lookups import SafeLookupsAdminMixin
from federation.core.forms import LineEndingsFormMixin
from federation.core.locking import VersionedFormMixin, is_versioned
from federation.core.scoping import (
    can_write_in_scope,
    has_network_scope,
    network_field_changes,
    network_fields_message,
    scope_queryset,
)

OUT_OF_SCOPE_MESSAGE = _("只能在本妇联及其妇女小组的范围内保存记录，请检查所属妇联或上级组织。")
NOT_FOUND_MESSAGE = _("记录不存在，或不在您的管理范围内。")


class ScopeCheckFormMixin(forms.BaseForm):
    """Refuses to save a record that would leave (or be created outside) the user's scope, or
    whose network-only fields the user may not change: a form error, the input kept."""

    scope_user = None
    #: Inline rows of a parent not saved yet have no owner to check: the service checks them.
    check_owner = True

    def _post_clean(self):
        super()._post_clean()
        user = self.scope_user
        if user is None:
            return
        if self.check_owner and not can_write_in_scope(self.instance, user):
            self.add_error(None, ValidationError(OUT_OF_SCOPE_MESSAGE, code="out_of_scope"))
        changed = network_field_changes(self.instance, user)
        if changed:
            message = network_fields_message(type(self.instance), changed)
            for name in changed:
                self.add_error(name if name in self.fields else None, message)


class ScopedAdminMixin(SafeLookupsAdminMixin):
    """Scope every admin entry point by :mod:`federation.core.scoping`; see the module docstring.

    It also refuses unsafe or invalid changelist lookups (:mod:`federation.core.admin_lookups`).
    """

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user)

    # --- foreign keys and many-to-many choices -------------------------------------------------
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and getattr(field, "queryset", None) is not None:
            field.queryset = scope_queryset(field.queryset, request.user)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and getattr(field, "queryset", None) is not None:
            field.queryset = scope_queryset(field.queryset, request.user)
        return field

    # --- objects: out of scope is a 404 like a missing object -----------------------------------
    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(NOT_FOUND_MESSAGE)
        return obj

    def _require_in_scope(self, request, object_id):
        if has_network_scope(request.user):
            return  # district roles may also read the history of deleted records
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404(NOT_FOUND_MESSAGE)

    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    # --- forms: scope check and optimistic locking -----------------------------------------------
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if (
            obj is not None
            and not has_network_scope(request.user)
            and not isinstance(self, InlineModelAdmin)
        ):
            fields += [f for f in registry.network_fields(self.model) if f not in fields]
        return fields

    def get_formset(self, request, obj=None, **kwargs):
        """Inline rows get the network-fields check of the main form (inlines only)."""
        base = kwargs.get("form") or self.form
        kwargs["form"] = type(
            base.__name__,
            (LineEndingsFormMixin, ScopeCheckFormMixin, base),
            {"scope_user": request.user, "check_owner": False},
        )
        return super().get_formset(request, obj, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = kwargs.get("form")
        if base is None:
            # UserAdmin builds its add page from ``add_form``; keep that choice.
            base = getattr(self, "add_form", None) if obj is None else None
            base = base or self.form
        bases = [LineEndingsFormMixin, ScopeCheckFormMixin]
        if obj is not None and is_versioned(self.model):
            bases.insert(0, VersionedFormMixin)
        kwargs["form"] = type(base.__name__, (*bases, base), {"scope_user": request.user})
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if isinstance(self, InlineModelAdmin):
            return fieldsets
        if obj is None or not is_versioned(self.model) or not fieldsets:
            return fieldsets
        names = {
            name
            for _title, opts in fieldsets
            for line in opts["fields"]
            for name in (line if isinstance(line, (list, tuple)) else [line])
        }
        if "version_token" in names:
            return fieldsets
        (title, opts), *rest = fieldsets
        return [(title, {**opts, "fields": [*opts["fields"], "version_token"]}), *rest]

    # --- writes: through the services ------------------------------------------------------------
    @staticmethod
    def expected_version(form, change) -> int | None:
        """The version the change form was rendered with (for the service's locking check)."""
        return form.cleaned_data.get("version_token") if change else None

    def delete_queryset(self, request, queryset):
        # One at a time, so each deletion goes through delete_model (and so the service).
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset_with(self, request, formset, *, save, delete) -> None:
        """Save an inline formset row by row through ``save(obj)`` and ``delete(obj)``."""
        saved = formset.save(commit=False)  # builds the rows and the change message; writes nothing
        for obj in formset.deleted_objects:
            delete(obj)
        for obj in saved:
            save(obj)
        formset.save_m2m()
