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
_CHARSET_INDEX = {char: index for index, char in enumerate(CREDIT_CODE_CHARSET)}


def normalize_credit_code(value: object) -> str:
    """Strip every space, fold full-width characters to half-width and upper-case."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return _SPACES_RE.sub("", text).upper()


def credit_code_check_char(first17: str) -> str:
    """The check character (position 18) for the first 17 characters of a credit code."""
    total = sum(
        _CHARSET_INDEX[char] * weight
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


# The old 15-digit business registration number (注册号), issued before the unified codes.
REGISTRATION_NUMBER_PATTERN = r"^[0-9]{15}$"
_REGISTRATION_NUMBER_RE = re.compile(REGISTRATION_NUMBER_PATTERN)
# A mainland resident ID number: area, birth date (19xx/20xx), sequence, check (digit or X).
_RESIDENT_ID_RE = re.compile(
    r"^[1-8][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9X]$"
)
# Early pilot codes (e.g. 9135xxxxM0000…, issued before GB 32100 applied) carry an M at position 9.
_PILOT_RE = re.compile(r"^[159][0-9A-Y][0-9]{6}M[0-9A-Y]{9}$")


def looks_like_resident_id(code: str) -> bool:
    """An 18-character value shaped like a resident ID number that is not a valid credit code."""
    return bool(_RESIDENT_ID_RE.match(code)) and not _is_valid(code)


def _is_valid(code: str) -> bool:
    return bool(_CREDIT_CODE_RE.match(code)) and code[17] == credit_code_check_char(code[:17])


def unverified_code_hint(value: str) -> str:
    """Why a code that the strict check refuses may still be genuine, or "" when it cannot be.

    A 15-digit old registration number, or 18 allowed characters whose check character fails
    (early pilot codes, or a typing error): an admin may store such a code as unverified.
    """
    code = normalize_credit_code(value)
    if _REGISTRATION_NUMBER_RE.match(code):
        return str(
            _(
                "这是 15 位数字，可能是 2015 年以前的工商注册号，不是统一社会信用代码；"
                "请核对营业执照上的 18 位代码。"
            )
        )
    if not _CREDIT_CODE_RE.match(code) or _is_valid(code) or _RESIDENT_ID_RE.match(code):
        return ""
    expected = credit_code_check_char(code[:17])
    if _PILOT_RE.match(code):
        return str(
            _(
                "校验位不符（按 GB 32100 第18位应为 %(expected)s），格式像早期试点代码"
                "（GB 32100 实施前颁发）；请与营业执照核对。"
            )
            % {"expected": expected}
        )
    return str(
        _(
            "校验位不符：按 GB 32100 第18位应为 %(expected)s，实际为 %(actual)s；"
            "可能是录入错误，也可能是早期颁发的代码，请与营业执照核对。"
        )
        % {"expected": expected, "actual": code[17]}
    )


def validate_credit_code_shape(value: str) -> None:
    """The weakest rule any stored code obeys: a valid code, or an unverified one (see
    :func:`unverified_code_hint`); never a resident ID number."""
    code = normalize_credit_code(value)
    if looks_like_resident_id(code):
        raise ValidationError(
            _("该值的格式像居民身份证号（个人信息），不是统一社会信用代码，不能保存。"),
            code="credit_code_resident_id",
        )
    if _REGISTRATION_NUMBER_RE.match(code):
        return
    if len(code) == 18 and _CREDIT_CODE_RE.match(code):
        return
    validate_credit_code(code)


def validate_latitude(value) -> None:
    if value is not None and not -90 <= value <= 90:
        raise ValidationError(_("纬度应在 -90 到 90 之间。"), code="latitude_range")


def validate_longitude(value) -> None:
    if value is not None and not -180 <= value <= 180:
        raise ValidationError(_("经度应在 -180 到 180 之间。"), code="longitude_range")
