"""Validators shared by model fields, forms, the admin and the spreadsheet import."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: the 31 characters allowed (no I, O, S, V, Z) and the weights of positions 1-17.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_PATTERN = r"^[0-9A-HJ-NP-RTUW-Y]{18}$"
_CREDIT_CODE_RE = re.compile(CREDIT_CODE_PATTERN)
_SPACES_RE = re.compile(r"\s+")


def normalize_credit_code(value: object) -> str:
    """Strip every space, fold full-width characters to half-width and upper-case."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return _SPACES_RE.sub("", text).upper()


def credit_code_check_char(first17: str) -> str:
    """The check character (position 18) for the first 17 characters of a credit code."""
    total = sum(
        CREDIT_CODE_CHARSET.index(char) * weight
        for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """Raise ValidationError unless ``value`` (already normalised) is a valid credit code."""
    code = normalize_credit_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(length)d位。"),
            code="credit_code_length",
            params={"length": len(code)},
        )
    if not _CREDIT_CODE_RE.match(code):
        bad = sorted({char for char in code if char not in CREDIT_CODE_CHARSET})
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、S、V、Z）。"),
            code="credit_code_charset",
            params={"chars": "、".join(bad)},
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误：第18位应为 %(expected)s，实际为 %(actual)s。"),
            code="credit_code_check",
            params={"expected": expected, "actual": code[17]},
        )


def validate_latitude(value) -> None:
    if value is not None and not -90 <= value <= 90:
        raise ValidationError(_("纬度应在 -90 到 90 之间。"), code="latitude_range")


def validate_longitude(value) -> None:
    if value is not None and not -180 <= value <= 180:
        raise ValidationError(_("经度应在 -180 到 180 之间。"), code="longitude_range")
