"""Validation of what a person types when signing up (shared by the form and the services)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
MAX_CHILDREN = 5
CHILD_AGE_RANGE = (1, 17)


def normalise_mobile(text: str) -> str:
    """``+86 138-1234-5678`` → ``13812345678`` (full-width digits too); unchanged if not digits."""
    value = (text or "").translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    value = re.sub(r"[\s\-()（）]", "", value)
    for prefix in ("+86", "0086", "86"):
        if value.startswith(prefix) and len(value) == len(prefix) + 11:
            value = value[len(prefix) :]
    return value


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(value or ""):
        raise ValidationError(
            _("请填写11位中国大陆手机号码（以1开头，如 138 1234 5678）。"), code="mobile"
        )


def parse_children_ages(text: str, count: int | None) -> list[int]:
    """``"6, 9"`` / ``"6岁 9岁"`` / ``"6、9"`` → [6, 9]; the number of ages must equal ``count``."""
    parts = [p for p in re.split(r"[\s,，、;；/岁]+", (text or "").strip()) if p]
    low, high = CHILD_AGE_RANGE
    ages = []
    for part in parts:
        if not part.isdigit() or not low <= int(part) <= high:
            raise ValidationError(
                _("子女年龄请填写 %(low)d 到 %(high)d 之间的整数，用逗号或空格分开，如“6, 9”。")
                % {"low": low, "high": high},
                code="children_ages",
            )
        ages.append(int(part))
    if count is not None and len(ages) != count:
        raise ValidationError(
            _("填写了 %(ages)d 个年龄，但子女人数为 %(count)d，请核对。")
            % {"ages": len(ages), "count": count},
            code="children_ages",
        )
    return ages
