"""The portal's roles: Django groups plus each user's federation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

DISTRICT_ADMIN = "district_admin"
DISTRICT_EDITOR = "district_editor"
FEDERATION_STAFF = "federation_staff"
VIEWER = "viewer"

ROLE_LABELS = {
    DISTRICT_ADMIN: _("区妇联管理员"),
    DISTRICT_EDITOR: _("区妇联编辑"),
    FEDERATION_STAFF: _("基层妇联工作人员"),
    VIEWER: _("只读用户"),
}
ROLES = tuple(ROLE_LABELS)
