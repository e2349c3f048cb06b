from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from federation import privacy
from federation.admin_scoping import ScopedAdminMixin
from federation.models import PersonalDataAccess, User
from federation.services import personal_data_access_log


@admin.register(User)
class UserAdmin(ScopedAdminMixin, BaseUserAdmin):
    list_display = ["username", "display_name", "federation", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["username", "display_name", "email", "federation__name"]
    autocomplete_fields = ["federation"]
    list_select_related = ["federation"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("所属妇联"), {"fields": ["display_name", "federation"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("所属妇联"), {"fields": ["display_name", "federation"]}),
    ]


class ContactMaskingAdminMixin:
    """Contact fields masked for users without ``organizations.view_contact``; every display of
    the unmasked values to the others is logged."""

    # field name → masking function
    masked_fields = {"contact_name": privacy.mask_name, "contact_phone": privacy.mask_phone}

    def _masked_name(self, field: str) -> str:
        return f"{field}_masked"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if privacy.can_view_contact(request.user):
            return fieldsets
        masked = []
        for name, options in fieldsets:
            fields = [
                self._masked_name(f) if f in self.masked_fields else f for f in options["fields"]
            ]
            masked.append((name, {**options, "fields": fields}))
        return masked

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not privacy.can_view_contact(request.user):
            readonly += [self._masked_name(f) for f in self.masked_fields]
        return readonly

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and privacy.can_view_contact(request.user):
            shown = [f for f in self.masked_fields if getattr(obj, f, "")]
            if shown:
                personal_data_access_log(
                    user=request.user, model=type(obj), obj=obj, fields=shown, request=request
                )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """The history list shows old → new values: mask them too, or log who saw them."""
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        by_label = {
            capfirst(self.model._meta.get_field(field).verbose_name): (field, mask)
            for field, mask in self.masked_fields.items()
        }
        allowed = privacy.can_view_contact(request.user)
        shown: set[str] = set()
        for record in historical_records:
            for change in getattr(record, "history_delta_changes", None) or []:
                if str(change["field"]) not in by_label:
                    continue
                field, mask = by_label[str(change["field"])]
                if allowed:
                    shown.add(field)
                else:
                    change["old"] = mask(str(change["old"] or ""))
                    change["new"] = mask(str(change["new"] or ""))
        if shown and historical_records:
            obj = historical_records[0].instance
            personal_data_access_log(
                user=request.user, model=self.model, obj=obj, fields=sorted(shown), request=request
            )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        response = super().history_form_view(request, object_id, version_id, extra_context)
        if response.status_code == 200 and privacy.can_view_contact(request.user):
            record = self.model.history.filter(history_id=version_id).first()
            shown = [f for f in self.masked_fields if record and getattr(record, f, "")]
            if shown:
                personal_data_access_log(
                    user=request.user, model=self.model, obj=record.instance, fields=shown,
                    request=request,
                )
        return response

    @admin.display(description=_("联系人"))
    def contact_name_masked(self, obj):
        return privacy.mask_name(obj.contact_name) if obj is not None else ""

    @admin.display(description=_("联系电话"))
    def contact_phone_masked(self, obj):
        return privacy.mask_phone(obj.contact_phone) if obj is not None else ""


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "kind", "content_type", "object_repr", "object_count", "fields", "ip_address"]
    list_filter = ["kind", "content_type"]
    search_fields = ["username", "object_repr", "object_id"]
    date_hierarchy = "at"

    # An audit trail: read-only for everyone.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
