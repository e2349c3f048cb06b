"""Masking of personal data for roles that do not need the full value.

``138****5678`` for phones, ``张*`` for names. Whoever sees the unmasked value is logged by
``federation.services.personal_data_access_log``.
"""

from __future__ import annotations

CONTACT_PERMISSION = "organizations.view_contact"
MASK = "*"


def mask_phone(value: str | None) -> str:
    """Keep the first three and last four characters: 13812345678 → 138****5678."""
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) >= 8:
        return text[:3] + MASK * (len(text) - 7) + text[-4:]
    if len(text) >= 5:
        return text[:1] + MASK * (len(text) - 3) + text[-2:]
    return MASK * len(text)


def mask_name(value: str | None) -> str:
    """Keep the first character (the surname): 张三 → 张*, 欧阳娜娜 → 欧***."""
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) == 1:
        return MASK
    return text[0] + MASK * (len(text) - 1)


def mask_email(value: str | None) -> str:
    text = (value or "").strip()
    local, at, domain = text.partition("@")
    if not at:
        return mask_name(text)
    return mask_name(local) + "@" + domain


def can_view_contact(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(CONTACT_PERMISSION))
