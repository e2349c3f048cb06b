"""Turning one spreadsheet cell into one Python value, the way a person reading the sheet would.

Each parser takes the raw cell (str, int, float, date, datetime, bool or None) and returns the
value to store, or raises :class:`CellError` with a Chinese message for the person who typed it.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from federation.core.names import normalize_name
from organizations.validators import (
    looks_like_resident_id,
    normalize_credit_code,
    unverified_code_hint,
    validate_credit_code,
)


class CellError(Exception):
    def __init__(self, message: str, *, redact: bool = False):
        super().__init__(message)
        self.message = message
        # The cell holds personal data that must not be kept (in the job, its error sheet).
        self.redact = redact


class Unverified(str):
    """A value the strict rule refuses but that may be genuine: a warning the admin can accept
    (the record is then stored with its ``Column.unverified_field`` set)."""

    hint: str

    def __new__(cls, value: str, hint: str):
        obj = super().__new__(cls, value)
        obj.hint = hint
        return obj


EXCEL_ERRORS = {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!"}
# Export escapes a leading = + - @ with an apostrophe; import takes it off again (round trip).
_ESCAPED_RE = re.compile(r"^'[=+\-@\t\r]")
# Excel's display of a number as text: 9.14403E+17, 9E+17 (a "+" or a decimal point). A code
# such as 91231281E686154767 has neither, so it is a code, not a number.
_SCIENTIFIC_RE = re.compile(r"^[0-9]+(\.[0-9]+E\+?|E\+)[0-9]{1,3}$", re.IGNORECASE)
_THOUSANDS_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


# The one way to clear a stored value: an empty cell keeps it (a list with some columns blank is
# the common case, not a request to erase them). Compared after NFKC, so （清空） and (清空) match.
CLEAR_MARKERS = {"(清空)", "(clear)"}
CLEAR_MARKER = "（清空）"


def is_clear_marker(value: Any) -> bool:
    if type(value) is not str or len(value) > 20:
        return False
    return unicodedata.normalize("NFKC", value).replace(" ", "").lower() in CLEAR_MARKERS


def is_empty(value: Any) -> bool:
    if value is None or value == "":
        return True
    return type(value) is str and not value.strip()


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def text(value: Any) -> str:
    """A free-text cell: trimmed; numbers as typed (no trailing .0); dates as YYYY-MM-DD."""
    if type(value) is str:  # the common case first: most cells are plain text
        result = value.strip()
        if not result or result[0] not in "#'":
            return result
    elif value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, int | float):
        return _number_text(value)
    if isinstance(value, datetime.datetime):
        return (
            value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat(" ")
        )
    if isinstance(value, datetime.date):
        return value.isoformat()
    result = str(value).strip()
    if result in EXCEL_ERRORS:
        raise CellError(
            _("单元格是 Excel 的错误值 %(value)s（公式出错），请改为实际内容。") % {"value": result}
        )
    if _ESCAPED_RE.match(result):
        result = result[1:]
    return result


def name(value: Any) -> str:
    """A name (of a federation, site, enterprise or person): like the record's NameField, without
    zero-width or bidi characters, NFKC, spaces collapsed (so look-alikes match the record)."""
    return normalize_name(text(value))


def code_text(value: Any) -> str:
    """Codes and numbers typed as text (phones): full-width folded to half-width."""
    return unicodedata.normalize("NFKC", text(value)).strip()


def credit_code(value: Any) -> str:
    if is_empty(value):
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(
            _(
                "统一社会信用代码被 Excel 存成了数字（%(value)s），超过 15 位的数字已被 Excel 改掉，"
                "原来的代码无法恢复。请把该列设为“文本”格式，重新录入完整的 18 位代码。"
            )
            % {"value": f"{value:.14E}" if value >= 1e15 else _number_text(value)}
        )
    raw = code_text(value)
    if _SCIENTIFIC_RE.match(raw.replace(" ", "")):
        raise CellError(
            _(
                "统一社会信用代码“%(value)s”是 Excel 的科学计数法：后几位数字已经丢失，无法恢复。"
                "请把该列设为“文本”格式，重新录入完整的 18 位代码。"
            )
            % {"value": raw}
        )
    code = normalize_credit_code(raw)
    if looks_like_resident_id(code):
        raise CellError(
            _(
                "该值的格式像居民身份证号（个人信息），不是统一社会信用代码：已拒绝，导入记录和错误表中都不保留该值。"
                "请填写企业的统一社会信用代码。"
            ),
            redact=True,
        )
    try:
        validate_credit_code(code)
    except ValidationError as exc:
        hint = unverified_code_hint(code)
        if hint:
            return Unverified(code, hint)
        raise CellError(exc.messages[0]) from None
    return code


def integer(value: Any) -> int | None:
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise CellError(_("应为整数。"))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError(_("应为整数，不能是 %(value)s。") % {"value": value})
    raw = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    raw = raw.removesuffix("人")
    if _THOUSANDS_RE.match(raw):
        raw = raw.replace(",", "")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise CellError(
            _("应为整数，“%(value)s”不是数字。") % {"value": str(value).strip()}
        ) from None
    if not number.is_finite() or number != number.to_integral_value():
        raise CellError(_("应为整数，不能是 %(value)s。") % {"value": str(value).strip()})
    return int(number)


def decimal(value: Any) -> Decimal | None:
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise CellError(_("应为数字。"))
    raw = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise CellError(
            _("应为数字，“%(value)s”不是数字。") % {"value": str(value).strip()}
        ) from None
    if not number.is_finite():
        raise CellError(_("应为数字。"))
    return number.quantize(Decimal("0.000001"))


_TRUE = {"是", "有", "已建立", "已建", "y", "yes", "true", "1", "√", "✓", "t"}
_FALSE = {"否", "无", "没有", "未建立", "未建", "n", "no", "false", "0", "×", "f"}


def boolean(value: Any, *, default: bool = False) -> bool:
    if is_empty(value):
        return default
    if isinstance(value, bool):
        return value
    raw = unicodedata.normalize("NFKC", text(value)).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise CellError(_("应填“是”或“否”，不能是“%(value)s”。") % {"value": text(value)})


def date(value: Any) -> datetime.date | None:
    if is_empty(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # An Excel serial number left unformatted (xls, or a number-formatted xlsx cell).
        if 1 <= value < 2958466:
            return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))
        raise CellError(_("日期“%(value)s”无法识别。") % {"value": value})
    raw = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE_RE.match(raw.split(" ")[0] if " " in raw and "年" not in raw else raw)
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise CellError(
        _("日期“%(value)s”无法识别，请写成 2024-03-08 或 2024年3月8日。")
        % {"value": str(value).strip()}
    )


def choice(choices_cls):
    """A TextChoices cell: its Chinese label or its stored value (either way round)."""
    cache: dict[str, dict[str, str]] = {}

    def lookup() -> dict[str, str]:
        language = get_language() or "zh-hans"
        if language not in cache:
            by_text: dict[str, str] = {}
            for stored, label in choices_cls.choices:
                with override("zh-hans"):
                    by_text[str(label)] = stored
                by_text[str(label)] = stored
                by_text[stored.lower()] = stored
            cache[language] = by_text
        return cache[language]

    def parse(value: Any) -> str:
        if is_empty(value):
            return ""
        raw = text(value)
        by_text = lookup()
        found = by_text.get(raw) or by_text.get(raw.lower())
        if found is None:
            raise CellError(
                _("“%(value)s”不是可选值；可填：%(allowed)s。")
                % {
                    "value": raw,
                    "allowed": "、".join(str(label) for _v, label in choices_cls.choices),
                }
            )
        return found

    return parse
