"""Exports of activities: an activity's sign-up list as xlsx."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, Registration
from federation.core import privacy
from organizations.importing.writers import xlsx_bytes


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def registrations_xlsx(
    activity: Activity, registrations: list[Registration], *, masked: bool
) -> bytes:
    """One row per registration; names and mobiles masked when ``masked`` (the role may not see
    contacts). Erased registrations appear without personal data, so the counts still add up."""
    headers = [
        _("报名码"),
        _("状态"),
        _("来源"),
        _("姓名"),
        _("手机号"),
        _("所在企业/工作单位"),
        _("子女人数"),
        _("子女年龄"),
        _("回答"),
        _("报名时间"),
        _("签到时间"),
        _("签到方式"),
    ]
    rows = []
    for r in registrations:
        name, mobile = r.participant_name, r.mobile
        if masked:
            name, mobile = privacy.mask_name(name), privacy.mask_phone(mobile)
        rows.append(
            [
                r.display_code,
                r.get_status_display(),
                r.get_source_display(),
                name,
                mobile,
                r.enterprise.name if r.enterprise_id else r.workplace,
                r.children_count,
                r.children_ages,
                r.answer,
                _when(r.created_at),
                _when(r.checked_in_at),
                r.get_checkin_method_display() if r.checkin_method else "",
            ]
        )
    return xlsx_bytes(_("报名名单"), headers, rows)  # strings are written as text cells
