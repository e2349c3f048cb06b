"""One admin mixin that applies the user's scope at every admin entry point.

Add :class:`ScopedAdminMixin` first in the bases of every ModelAdmin and inline. It scopes:
changelists and actions (``get_queryset``), change/delete/history views (another federation's
object is a 404, exactly like a missing one), foreign-key and many-to-many choices (and so the
autocomplete results, which come from the related admin's ``get_queryset``), and what may be
saved (a record must stay inside the user's scope). Versioned models get optimistic locking.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from federation.core.locking import VersionedFormMixin, is_versioned, save_versioned
from federation.core.scoping import can_write_in_scope, has_network_scope, scope_queryset

OUT_OF_SCOPE_MESSAGE = _("只能在本妇联及其妇女小组的范围内保存记录，请检查所属妇联或上级组织。")
NOT_FOUND_MESSAGE = _("记录不存在，或不在您的管理范围内。")


class ScopeCheckFormMixin(forms.BaseForm):
    """Refuses to save a record that would leave (or be created outside) the user's scope."""

    scope_user = None

    def _post_clean(self):
        super()._post_clean()
        if self.scope_user is not None and not can_write_in_scope(self.instance, self.scope_user):
            self.add_error(None, ValidationError(OUT_OF_SCOPE_MESSAGE, code="out_of_scope"))


class ScopedAdminMixin:
    """Scope every admin entry point by :mod:`federation.core.scoping`; see the module docstring."""

    #: Fields that users without network scope may see but never change (e.g. a federation's
    #: level, parent and kind on its own profile).
    scope_locked_fields: tuple[str, ...] = ()

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
        if obj is not None and not has_network_scope(request.user):
            fields += [f for f in self.scope_locked_fields if f not in fields]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = kwargs.get("form")
        if base is None:
            # UserAdmin builds its add page from ``add_form``; keep that choice.
            base = getattr(self, "add_form", None) if obj is None else None
            base = base or self.form
        bases = [ScopeCheckFormMixin]
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

    def save_model(self, request, obj, form, change):
        if change and is_versioned(self.model):
            save_versioned(obj, expected_version=form.cleaned_data.get("version_token"))
        else:
            super().save_model(request, obj, form, change)
