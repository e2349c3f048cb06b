"""The one staff-view mixin: login, the permission a page needs, and the user's scope."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin

from federation.core.scoping import scope_queryset


class StaffMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Anonymous → login page; missing permission → 403; another scope's object → 404.

    Views declare ``permission_required`` and ``model`` (or ``base_queryset()``); every object is
    fetched through :func:`federation.core.scoping.scope_queryset`.
    """

    model = None

    def handle_no_permission(self):
        # Authenticated users without the permission get 403; anonymous ones the login page.
        self.raise_exception = self.request.user.is_authenticated
        return super().handle_no_permission()

    def base_queryset(self):
        return self.model._default_manager.all()

    def get_queryset(self):
        return scope_queryset(self.base_queryset(), self.request.user)
