"""The official column set of each list: template headers, English aliases, parsers, export."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

from organizations.importing import cells
from organizations.models import (
    COORDINATES_HELP,
    Enterprise,
    Federation,
    ImportJob,
    ServiceSite,
)


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    parse: Callable[[Any], Any] = cells.text
    # Personal data: read and written only by users with organizations.view_contact.
    personal: bool = False
    # The cell names a record of this model by its exact ``name`` (resolved for the whole file at once).
    ref: type[models.Model] | None = None
    help: Any = ""
    options: tuple[str, ...] = ()
    # The parser enforces the field's own rules, so the model's field validation is skipped.
    checked: bool = False
    # The boolean field set on a record whose value the parser returned as cells.Unverified.
    unverified_field: str = ""

    def all_names(self) -> set[str]:
        # The header in every language of the site: the Chinese template imports the same when
        # the uploader's pages are in English, and the English template does in Chinese.
        names = {normalize_header(alias) for alias in self.aliases}
        for code, _name in settings.LANGUAGES:
            with override(code):
                names.add(normalize_header(self.header))
        return names


_HEADER_JUNK = re.compile(r"[\s*＊_\-:：()（）]+")


def normalize_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).replace("\ufeff", "")
    return _HEADER_JUNK.sub("", text).lower()


@dataclass(frozen=True)
class ListSpec:
    kind: str
    model: type[models.Model]
    key: str
    title: Any
    columns: tuple[Column, ...]
    sheet_title: Any
    # Field through which a record belongs to a federation (for scoping); "" = a federation itself,
    # in scope through its ``parent_field``.
    scope_field: str = "federation"
    # A ref column that may also name a record created by an earlier row of the same file.
    parent_field: str = ""
    # For such a row: what is wrong with it and its in-file parent (their parsed values), or "".
    check_file_parent: Callable[[dict, dict], str] | None = None
    # New records are created in batches of ascending order, so that parents exist first.
    create_order: Callable[[models.Model], int] | None = None

    @property
    def key_column(self) -> Column:
        return next(c for c in self.columns if c.field == self.key)

    def column_for(self, field_name: str) -> Column | None:
        return next((c for c in self.columns if c.field == field_name), None)


ENTERPRISE = ListSpec(
    kind=ImportJob.Kind.ENTERPRISE,
    model=Enterprise,
    key="credit_code",
    title=_("企业名单"),
    sheet_title=_("企业名单"),
    columns=(
        Column(
            "credit_code",
            _("统一社会信用代码"),
            (
                "credit code",
                "credit_code",
                "unified social credit code",
                "USCC",
                "信用代码",
                "社会信用代码",
                "统一代码",
                "纳税人识别号",
                "统一社会信用代码/纳税人识别号",
                "社会统一信用代码",
                "代码",
            ),
            required=True,
            parse=cells.credit_code,
            checked=True,
            unverified_field="credit_code_unverified",
            help=_("18位，GB 32100-2015；请把此列设为“文本”格式，否则 Excel 会改掉后几位。"),
        ),
        Column(
            "name",
            _("企业名称"),
            (
                "name",
                "enterprise name",
                "company name",
                "名称",
                "纳税人名称",
                "单位名称",
                "企业（单位）名称",
                "公司名称",
                "企业全称",
            ),
            required=True,
            parse=cells.name,
            help=_("营业执照上的全称。"),
        ),
        Column(
            "sector",
            _("所属领域"),
            ("sector", "field"),
            parse=cells.choice(Enterprise.Sector),
            help=_("新经济组织 / 新社会组织 / 新就业群体"),
            options=("新经济组织", "新社会组织", "新就业群体"),
        ),
        Column("industry", _("行业"), ("industry", "所属行业", "行业类别", "行业门类")),
        Column(
            "address",
            _("地址"),
            ("address", "注册地址", "经营地址", "住所", "企业地址", "生产经营地址", "注册地"),
        ),
        Column(
            "building",
            _("所在楼宇或园区"),
            ("building", "park", "building or park", "楼宇", "园区"),
        ),
        Column(
            "employees",
            _("职工人数"),
            ("employees", "staff", "headcount", "从业人数", "员工人数", "从业人员"),
            parse=cells.integer,
            help=_("整数，可写 1,200。"),
        ),
        Column(
            "female_employees",
            _("女职工人数"),
            ("female employees", "women employees", "female_employees"),
            parse=cells.integer,
            help=_("整数，不能大于职工人数。"),
        ),
        Column(
            "has_party_org",
            _("是否建立党组织"),
            (
                "party organisation",
                "party organization",
                "has party org",
                "has_party_org",
                "已建立党组织",
            ),
            parse=cells.boolean,
            help=_("是 / 否"),
            options=("是", "否"),
        ),
        Column(
            "federation",
            _("覆盖妇联"),
            ("federation", "covering federation"),
            ref=Federation,
            parse=cells.name,
            help=_("与系统中的妇联名称完全一致；新企业留空表示尚未覆盖，已有企业留空则不变。"),
        ),
        Column(
            "contact_name",
            _("联系人"),
            ("contact", "contact name", "contact person", "contact_name", "联系人姓名"),
            parse=cells.name,
            personal=True,
            help=_("个人信息：仅有权限的工作人员可导入和导出。"),
        ),
        Column(
            "contact_phone",
            _("联系电话"),
            ("phone", "contact phone", "telephone", "contact_phone", "电话", "手机", "联系方式"),
            parse=cells.code_text,
            personal=True,
            help=_("个人信息：仅有权限的工作人员可导入和导出。"),
        ),
    ),
)

_LEVEL_ORDER = {
    Federation.Level.DISTRICT: 0,
    Federation.Level.GRASSROOTS: 1,
    Federation.Level.GROUP: 2,
}
_PARENT_LEVEL = {
    Federation.Level.GRASSROOTS: Federation.Level.DISTRICT,
    Federation.Level.GROUP: Federation.Level.GRASSROOTS,
}


def _federation_file_parent(values: dict, parent: dict) -> str:
    # Federation.clean()'s rule on the parent's level, for a parent that does not exist yet.
    level = values.get("level")
    if level == Federation.Level.DISTRICT:
        return gettext("区妇联没有上级组织。")
    expected = _PARENT_LEVEL.get(level)
    if expected and parent.get("level") != expected:
        return gettext("上级组织“%(name)s”的层级不符合要求。") % {"name": parent.get("name", "")}
    return ""


def _federation_create_order(federation: Federation) -> int:
    return _LEVEL_ORDER.get(federation.level, 9)


FEDERATION = ListSpec(
    kind=ImportJob.Kind.FEDERATION,
    model=Federation,
    key="name",
    title=_("妇联组织名单"),
    sheet_title=_("妇联组织名单"),
    scope_field="",
    parent_field="parent",
    check_file_parent=_federation_file_parent,
    create_order=_federation_create_order,
    columns=(
        Column(
            "name",
            _("名称"),
            ("name", "federation name", "妇联名称", "组织名称"),
            required=True,
            parse=cells.name,
            help=_("妇联组织的全称，用来识别已有记录。"),
        ),
        Column("short_name", _("简称"), ("short name", "short_name"), parse=cells.name),
        Column(
            "level",
            _("层级"),
            ("level",),
            required=True,
            parse=cells.choice(Federation.Level),
            help=_("区妇联 / 基层妇联 / 妇女小组"),
            options=("区妇联", "基层妇联", "妇女小组"),
        ),
        Column(
            "kind",
            _("组建形式"),
            ("kind", "form"),
            parse=cells.choice(Federation.Kind),
            help=_("基层妇联必填：单建妇联、联合妇联、楼宇妇联、网上妇联……"),
            options=tuple(str(label) for _v, label in Federation.Kind.choices),
        ),
        Column(
            "parent",
            _("上级组织"),
            ("parent", "parent federation"),
            ref=Federation,
            parse=cells.name,
            help=_("上级妇联的全称，可以是本表中前面的行。"),
        ),
        Column("area", _("所在片区"), ("area", "片区")),
        Column("address", _("地址"), ("address",)),
        Column("channel", _("线上渠道"), ("channel", "online channel"), help=_("网上妇联必填。")),
        Column(
            "established_on",
            _("成立日期"),
            ("established", "established on", "established_on"),
            parse=cells.date,
            help=_("如 2024-03-08。"),
        ),
        Column("chair_name", _("主席"), ("chair", "chair name"), parse=cells.name),
        Column(
            "contact_name",
            _("联系人"),
            ("contact", "contact name", "contact person"),
            parse=cells.name,
            personal=True,
        ),
        Column(
            "contact_phone",
            _("联系电话"),
            ("phone", "contact phone", "telephone"),
            parse=cells.code_text,
            personal=True,
        ),
        Column("member_count", _("会员人数"), ("members", "member count"), parse=cells.integer),
        Column("description", _("简介"), ("description",)),
        Column(
            "is_active",
            _("有效"),
            ("active", "is active", "is_active"),
            parse=lambda v: cells.boolean(v, default=True),
            help=_("是 / 否；新记录留空为“是”。"),
            options=("是", "否"),
        ),
    ),
)

SITE = ListSpec(
    kind=ImportJob.Kind.SITE,
    model=ServiceSite,
    key="name",
    title=_("服务阵地名单"),
    sheet_title=_("服务阵地名单"),
    columns=(
        Column(
            "name",
            _("名称"),
            ("name", "site name", "阵地名称"),
            required=True,
            parse=cells.name,
            help=_("阵地全称，用来识别已有记录。"),
        ),
        Column(
            "kind",
            _("类型"),
            ("kind", "type"),
            required=True,
            parse=cells.choice(ServiceSite.Kind),
            help=_("妇女之家、儿童之家、妇女微家、温馨驿站……"),
            options=tuple(str(label) for _v, label in ServiceSite.Kind.choices),
        ),
        Column(
            "federation",
            _("主办妇联"),
            ("federation", "host federation"),
            required=True,
            ref=Federation,
            parse=cells.name,
            help=_("与系统中的妇联名称完全一致。"),
        ),
        Column("area", _("所在片区"), ("area",)),
        Column("address", _("地址"), ("address",), help=_("线下阵地必填。")),
        Column(
            "latitude", _("纬度"), ("latitude", "lat"), parse=cells.decimal, help=COORDINATES_HELP
        ),
        Column(
            "longitude",
            _("经度"),
            ("longitude", "lng", "lon"),
            parse=cells.decimal,
            help=COORDINATES_HELP,
        ),
        Column("hours_note", _("开放时间说明"), ("hours", "opening hours")),
        Column("services", _("服务内容"), ("services",), help=_("多项服务用换行分隔。")),
        Column(
            "is_online",
            _("线上阵地"),
            ("online", "is online"),
            parse=cells.boolean,
            options=("是", "否"),
        ),
        Column(
            "is_mobile",
            _("流动/移动阵地"),
            ("mobile", "is mobile", "流动阵地"),
            parse=cells.boolean,
            options=("是", "否"),
        ),
        Column("online_url", _("线上入口"), ("url", "online url")),
        Column(
            "public_phone",
            _("对外服务电话"),
            ("public phone", "phone", "服务电话"),
            parse=cells.code_text,
        ),
        Column(
            "established_on", _("建立日期"), ("established", "established on"), parse=cells.date
        ),
        Column("description", _("简介"), ("description",)),
        Column(
            "is_active",
            _("开放中"),
            ("active", "is active"),
            parse=lambda v: cells.boolean(v, default=True),
            options=("是", "否"),
        ),
    ),
)

SPECS = {spec.kind: spec for spec in (ENTERPRISE, FEDERATION, SITE)}


def model_kind(model: type[models.Model]) -> str:
    return next(kind for kind, spec in SPECS.items() if spec.model is model)


def export_value(spec: ListSpec, column: Column, obj: models.Model) -> Any:
    """The cell written on export: the same text the import reads back."""
    if column.ref:
        related = getattr(obj, column.field)
        return related.name if related is not None else ""
    value = getattr(obj, column.field)
    if spec.model._meta.get_field(column.field).choices:
        return str(getattr(obj, f"get_{column.field}_display")()) if value else ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return ""
    return value
