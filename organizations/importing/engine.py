"""Planning an import (read, validate, compare) and applying a plan, all or nothing.

The plan is computed from the file and the database without writing anything; it is what the
preview shows. Applying re-plans from the same stored file, checks that the plan is still the
one that was previewed (same digest), locks the rows it updates, and writes everything in one
transaction with simple_history's bulk helpers so the audit trail stays whole.
"""

from __future__ import annotations

import hashlib
import itertools
import pickle
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from federation.core import registry, search_index
from federation.core.pinyin import fill_pinyin
from federation.core.scoping import federation_ids, network_fields_message
from federation.web.cache import public_cache_invalidate
from organizations.importing import cells
from organizations.importing.readers import FileRejected, Table, open_table
from organizations.importing.specs import Column, ListSpec, normalize_header

NEW, UPDATE, UNCHANGED, INVALID = "new", "update", "unchanged", "invalid"
# A row left out on request (仅导入无误的行, or a repeated code's other occurrences): its
# reasons go to the error sheet; the other rows are applied.
SKIPPED = "skipped"
ACTION_LABELS = {
    NEW: _lazy("新增"),
    UPDATE: _lazy("更新"),
    UNCHANGED: _lazy("未变化"),
    INVALID: _lazy("有错误"),
    SKIPPED: _lazy("跳过"),
}
# What to do with a key that appears in several rows of one file.
REFUSE, KEEP_FIRST, KEEP_LAST = "refuse", "first", "last"
HEADER_SEARCH_ROWS = 20
CHUNK = 900  # below SQLite's bound-parameter limit
WRITE_SLICE = 2000


class StalePlan(Exception):
    """The database changed between the preview and the confirmation."""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        if self.row:
            where = _("第 %(row)d 行") % {"row": self.row}
            if self.column:
                where += _("，“%(column)s”列") % {"column": self.column}
            return f"{where}：{self.message}"
        return self.message


@dataclass(slots=True)
class RowPlan:
    row: int
    values: dict[str, Any]
    key: str = ""
    action: str = NEW
    instance: models.Model | None = None
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Values stored only if the admin accepts them (unverified credit codes).
    warnings: list[RowError] = field(default_factory=list)
    # The row's cells as read (pickled), kept only while the row may go to the error sheet
    # (no second read of the file); dropped once the row is known valid.
    raw: bytes | None = None
    # The digest of the parsed values (the plan's digest uses it: the values need not be kept).
    values_digest: bytes = b""
    # The row of the same file that creates this row's parent (federations), if any.
    pending_parent: RowPlan | None = None


@dataclass
class Plan:
    spec: ListSpec
    skip_invalid: bool = False
    duplicates: str = REFUSE
    format: str = ""
    sheet_name: str = ""
    header_row: int = 0
    columns: list[tuple[int, Column]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    file_errors: list[RowError] = field(default_factory=list)
    rows: list[RowPlan] = field(default_factory=list)
    digest: str = ""
    # pk -> the values of the planned fields as read at planning time (checked under lock).
    snapshot: dict[int, tuple] = field(default_factory=dict)
    # (row, column index) of cells holding personal data that must not be kept (error sheet).
    redacted: set[tuple[int, int]] = field(default_factory=set)
    # The file's own header: (column index, label); the field chosen for each label ("" ignored).
    header: list[tuple[int, str]] = field(default_factory=list)
    # The header row's cells as read (the error sheet repeats them).
    header_cells: list[Any] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    signature: str = ""

    @property
    def fields(self) -> list[str]:
        return [column.field for _i, column in self.columns]

    @property
    def counts(self) -> dict[str, int]:
        result = {NEW: 0, UPDATE: 0, UNCHANGED: 0, INVALID: 0, SKIPPED: 0}
        for row in self.rows:
            result[row.action] += 1
        return result

    @property
    def errors(self) -> list[RowError]:
        return self.file_errors + [error for row in self.rows for error in row.errors]

    @property
    def warnings(self) -> list[RowError]:
        return [warning for row in self.rows if not row.errors for warning in row.warnings]

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and not any(
            row.errors for row in self.rows if row.action != SKIPPED
        )


def _user_can_see_contacts(user) -> bool:
    return user is None or user.has_perm("organizations.view_contact")


def _is_blank_row(values: list[Any]) -> bool:
    return all(cells.is_empty(value) for value in values)


IGNORE = ""  # a mapping's value for a column the admin chose to ignore
# The two columns the error sheet puts before the original cells: read back, they are skipped.
ERROR_SHEET_HEADERS = (_lazy("原行号"), _lazy("错误原因"))


def _error_sheet_names() -> set[str]:
    from django.conf import settings
    from django.utils.translation import override

    names = set()
    for code, _name in settings.LANGUAGES:
        with override(code):
            names.update(normalize_header(str(label)) for label in ERROR_SHEET_HEADERS)
    return names


CONTENT_SAMPLE_ROWS = 50


def header_label(raw: Any) -> str:
    return cells.text(raw) if not isinstance(raw, str) else raw.strip().lstrip("\ufeff")


def header_signature(labels: list[str]) -> str:
    """The same header row (in any order of spaces and case) gives the same signature."""
    names = "|".join(normalize_header(label) for label in labels)
    return hashlib.sha256(names.encode()).hexdigest()[:40]


def _map_header(
    plan: Plan, header: list[Any], user, mapping: dict[str, str], sample: list[list[Any]]
) -> None:
    """Choose a field for every column: the admin's choice, else the header (with synonyms),
    else, for the key column, the column whose contents pass the key's check."""
    spec = plan.spec
    lookup = {name: column for column in spec.columns for name in column.all_names()}
    chosen = {normalize_header(label): field for label, field in mapping.items()}
    seen: dict[str, int] = {}
    plan.header = []
    unmapped: list[tuple[int, str]] = []
    sheet_columns = _error_sheet_names()
    for index, raw in enumerate(header):
        label = header_label(raw)
        if not label or normalize_header(label) in sheet_columns:
            continue
        plan.header.append((index, label))
        key = normalize_header(label)
        if key in chosen:
            column = spec.column_for(chosen[key]) if chosen[key] else None
            if column is None:
                plan.ignored.append(label)
                continue
        else:
            column = lookup.get(key)
        if column is None:
            unmapped.append((index, label))
            continue
        if column.personal and not _user_can_see_contacts(user):
            plan.ignored.append(_("%(label)s（个人信息，您没有导入权限）") % {"label": label})
            continue
        if column.field in seen:
            plan.file_errors.append(
                RowError(
                    plan.header_row,
                    label,
                    _("与第 %(col)d 列重复：同一列只能出现一次。")
                    % {"col": seen[column.field] + 1},
                )
            )
            continue
        seen[column.field] = index
        plan.columns.append((index, column))
    key_column = spec.key_column
    if key_column.field not in seen and key_column.parse is cells.credit_code:
        found = _column_by_content(unmapped, sample)
        if found is not None:
            index, label = found
            unmapped.remove(found)
            seen[key_column.field] = index
            plan.columns.append((index, key_column))
            plan.notices.append(
                _("“%(label)s”列的内容是%(key)s：按该列导入（可在“列的对应”中修改）。")
                % {"label": label, "key": key_column.header}
            )
    plan.ignored.extend(label for _index, label in unmapped)
    plan.columns.sort(key=lambda pair: pair[0])
    plan.mapping = {label: "" for _i, label in plan.header}
    for index, column in plan.columns:
        plan.mapping[dict(plan.header)[index]] = column.field
    missing = [str(c.header) for c in spec.columns if c.required and c.field not in seen]
    if missing:
        seen_labels = "、".join(label for _i, label in plan.header) or _("（无）")
        plan.file_errors.append(
            RowError(
                0,
                "",
                _(
                    "缺少必填列：%(columns)s。第 %(row)d 行的列名是：%(labels)s。"
                    "请在“列的对应”中选择对应的列，或下载导入模板对照填写。"
                )
                % {"columns": "、".join(missing), "row": plan.header_row, "labels": seen_labels},
            )
        )


def _column_by_content(
    candidates: list[tuple[int, str]], sample: list[list[Any]]
) -> tuple[int, str] | None:
    """The column most of whose sampled values are credit codes (valid or unverified)."""
    from organizations.validators import unverified_code_hint, validate_credit_code

    best, best_share = None, 0.8
    for index, label in candidates:
        values = [
            row[index] for row in sample if index < len(row) and not cells.is_empty(row[index])
        ]
        if not values:
            continue
        good = 0
        for value in values:
            code = cells.code_text(value).replace(" ", "").upper()
            try:
                validate_credit_code(code)
                good += 1
            except ValidationError:
                good += bool(unverified_code_hint(code))
        share = good / len(values)
        if share >= best_share:
            best, best_share = (index, label), share
    return best


def _looks_like_header(values: list[Any], spec: ListSpec) -> bool:
    names = {name for column in spec.columns for name in column.all_names()}
    found = {normalize_header(v) for v in values if isinstance(v, str)} & names
    key_names = spec.key_column.all_names()
    texts = sum(1 for v in values if isinstance(v, str) and v.strip())
    # One known name among other labels is a header too (the others are mapped by hand or by
    # content); a lone title cell is not.
    return bool(found & key_names) or len(found) >= 2 or (len(found) == 1 and texts >= 3)


def read_plan_rows(
    plan: Plan,
    rows: Iterable[tuple[int, list[Any]]],
    user,
    formula_cells,
    *,
    mapping: dict[str, str] | None = None,
    header_row: int | None = None,
    remembered: Callable[[str], dict[str, str] | None] | None = None,
) -> None:
    """Find the header, map the columns and parse every data row into ``plan.rows``.

    ``header_row`` is the sheet's row the admin chose as the header; ``mapping`` maps header
    labels to fields ("" ignores a column); ``remembered`` gives the mapping chosen last time
    for a header signature.
    """
    spec = plan.spec
    iterator = iter(rows)
    skipped_above = []
    header: list[Any] | None = None
    chosen_names = {normalize_header(label) for label in (mapping or {})}
    for number, values in iterator:
        if header_row:
            if number == header_row:
                header = values
                break
            if number > header_row:
                break
            continue
        if _is_blank_row(values):
            continue
        labels = {normalize_header(v) for v in values if isinstance(v, str)}
        if _looks_like_header(values, spec) or (chosen_names and chosen_names <= labels):
            header = values
            plan.header_row = number
            break
        skipped_above.append(number)
        if len(skipped_above) >= HEADER_SEARCH_ROWS:
            break
    if header_row and header is not None:
        plan.header_row = header_row
    if header is not None:
        plan.header_cells = list(header)
    if header is None:
        if header_row:
            message = _("第 %(row)d 行不存在或是空行，不能作为表头。") % {"row": header_row}
        else:
            message = _(
                "找不到表头：前 %(n)d 行中没有认得的列名（如“%(key)s”）。"
                "请在“列的对应”中指定表头所在的行，或下载导入模板对照填写。"
            ) % {"n": HEADER_SEARCH_ROWS, "key": spec.key_column.header}
        plan.file_errors.append(RowError(0, "", message))
        return
    if skipped_above and not header_row:
        plan.notices.append(
            _("表头在第 %(row)d 行；其上方的第 %(rows)s 行（标题等）未导入。")
            % {"row": plan.header_row, "rows": "、".join(str(n) for n in skipped_above)}
        )
    # A few data rows are read ahead for the content detection, then parsed like the rest.
    ahead: list[tuple[int, list[Any]]] = []
    for item in iterator:
        ahead.append(item)
        if len(ahead) >= CONTENT_SAMPLE_ROWS:
            break
    sheet_columns = _error_sheet_names()
    labels = [
        header_label(v)
        for v in header
        if header_label(v) and normalize_header(header_label(v)) not in sheet_columns
    ]
    plan.signature = header_signature(labels)
    if mapping is None and remembered is not None:
        mapping = remembered(plan.signature)
        if mapping:
            plan.notices.append(_("已按上次为同样表头选择的列对应读取。"))
    _map_header(plan, header, user, mapping or {}, [values for _n, values in ahead])
    if plan.file_errors:
        return
    _parse_rows(plan, itertools.chain(ahead, iterator), formula_cells)


def _parse_rows(plan: Plan, iterator, formula_cells) -> None:
    spec = plan.spec
    for number, values in iterator:
        if _is_blank_row(values):
            continue
        parsed: dict[str, Any] = {}
        # Pickled: one compact object instead of a list and its cells (a third of the plan's
        # memory otherwise), read back only for the rows that end in the error sheet.
        row = RowPlan(row=number, values=parsed, raw=pickle.dumps(values, pickle.HIGHEST_PROTOCOL))
        for index, column in plan.columns:
            raw = values[index] if index < len(values) else None
            if (number, index) in formula_cells:
                row.errors.append(
                    RowError(
                        number,
                        str(column.header),
                        _(
                            "公式没有计算结果（文件由程序生成、未在 Excel 中保存过）。请在 Excel 中打开并保存，或填入数值。"
                        ),
                    )
                )
                continue
            if cells.is_empty(raw):
                # A blank cell keeps the stored value (a new record gets the field's default).
                continue
            if cells.is_clear_marker(raw):
                if column.required:
                    row.errors.append(RowError(number, str(column.header), _("必填列不能清空。")))
                else:
                    parsed[column.field] = column.parse(None)
                continue
            try:
                value = column.parse(raw)
            except cells.CellError as exc:
                row.errors.append(RowError(number, str(column.header), exc.message))
                if exc.redact:
                    plan.redacted.add((number, index))
                continue
            if isinstance(value, cells.Unverified):
                row.warnings.append(RowError(number, str(column.header), value.hint))
                parsed[column.unverified_field] = True
                value = str(value)
            parsed[column.field] = value
        row.key = parsed.get(spec.key, "") or ""
        if not row.key and not any(e.column == str(spec.key_column.header) for e in row.errors):
            row.errors.append(RowError(number, str(spec.key_column.header), _("必填，不能为空。")))
        plan.rows.append(row)


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _resolve_refs(model: type[models.Model], names: set[str]) -> dict[str, models.Model]:
    found: dict[str, models.Model] = {}
    for chunk in _chunks(sorted(names)):
        for obj in model._default_manager.filter(name__in=chunk):
            found[obj.name] = obj
    return found


def _comparable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    return value


def _field_errors(spec: ListSpec, row: int, exc: ValidationError) -> list[RowError]:
    errors = []
    for field_name, messages in exc.message_dict.items():
        column = spec.column_for(field_name)
        if column is not None:
            label = str(column.header)
        elif field_name == "__all__":
            label = ""
        else:
            label = str(spec.model._meta.get_field(field_name).verbose_name)
        errors.extend(RowError(row, label, str(message)) for message in messages)
    return errors


def _snapshot(obj: models.Model, fields: list[str]) -> tuple:
    return tuple(_comparable(getattr(obj, spec_field_attname(obj, f))) for f in fields)


def spec_field_attname(obj: models.Model, name: str) -> str:
    return obj._meta.get_field(name).attname


def rejected_plan(spec: ListSpec, exc: FileRejected) -> Plan:
    """The plan of a file that cannot be read at all: one error, no rows."""
    plan = Plan(spec=spec)
    plan.file_errors.append(RowError(0, "", str(exc)))
    return plan


def plan_import(
    spec: ListSpec,
    stream: IO[bytes],
    file_name: str,
    *,
    user=None,
    sheet: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    **reading: Any,
) -> Plan:
    """Read ``stream`` and decide, row by row, what an import would do. Writes nothing."""
    try:
        table = open_table(stream, file_name, sheet)
    except FileRejected as exc:
        return rejected_plan(spec, exc)
    return plan_table(spec, table, user=user, progress=progress, **reading)


def plan_table(
    spec: ListSpec,
    table: Table,
    *,
    user=None,
    progress: Callable[[int, int], None] | None = None,
    skip_invalid: bool = False,
    duplicates: str = REFUSE,
    keep_instances: bool = True,
    keep_values: bool = True,
    **reading: Any,
) -> Plan:
    """Plan from an opened table, whose rows are read once; the table is closed afterwards.

    ``reading`` is passed to :func:`read_plan_rows` (mapping, header_row, remembered).
    ``skip_invalid`` leaves the rows with errors out (SKIPPED) instead of refusing the file;
    ``duplicates`` keeps the first or last row of a repeated key (the others SKIPPED).
    ``keep_instances=False`` (a preview, which writes nothing) drops each row's model instance
    once the row is checked: the memory then holds the parsed values, not every record;
    ``keep_values=False`` (an apply that records no preview) drops the parsed values instead,
    once digested: the instances hold them."""
    plan = Plan(spec=spec, skip_invalid=skip_invalid, duplicates=duplicates)
    try:
        plan.format, plan.sheet_name = table.format, table.sheet_name
        plan.notices.extend(table.notices)
        read_plan_rows(plan, table.rows(), user, table.formula_cells, **reading)
    except FileRejected as exc:
        plan.file_errors.append(RowError(0, "", str(exc)))
        return plan
    finally:
        table.close()
    if plan.file_errors:
        return plan
    if not plan.rows:
        plan.file_errors.append(RowError(0, "", _("表格中没有数据行。")))
        return plan
    _validate_rows(plan, user, progress, keep_instances, keep_values)
    plan.digest = _digest(plan)
    for row in plan.rows:
        if not row.errors:
            row.raw = None
    return plan


def _validate_rows(
    plan: Plan, user, progress, keep_instances: bool = True, keep_values: bool = True
) -> None:
    spec = plan.spec
    model = spec.model
    key_column = str(spec.key_column.header)

    by_key: dict[str, list[RowPlan]] = defaultdict(list)
    for row in plan.rows:
        if row.key:
            by_key[row.key].append(row)
    repeated = {key: rows for key, rows in by_key.items() if len(rows) > 1}
    if plan.duplicates in (KEEP_FIRST, KEEP_LAST):
        for key, rows in repeated.items():
            kept = rows[0] if plan.duplicates == KEEP_FIRST else rows[-1]
            for row in rows:
                if row is not kept:
                    row.action = SKIPPED
                    row.errors.append(
                        RowError(
                            row.row,
                            key_column,
                            _("“%(key)s”在文件中重复出现：按选择只导入第 %(kept)d 行，此行未导入。")
                            % {"key": key, "kept": kept.row},
                        )
                    )
        repeated = {}
    planned = [row for row in plan.rows if row.action != SKIPPED]

    existing: dict[str, models.Model] = {}
    keys = list(by_key)
    related = [c.field for _i, c in plan.columns if c.ref]
    for chunk in _chunks(keys):
        queryset = model._default_manager.filter(**{f"{spec.key}__in": chunk})
        for obj in queryset.select_related(*related):
            existing[getattr(obj, spec.key)] = obj

    ref_columns = [column for _i, column in plan.columns if column.ref]
    refs = {
        column.field: _resolve_refs(
            column.ref, {row.values.get(column.field) for row in plan.rows} - {"", None}
        )
        for column in ref_columns
    }
    # The parent column may name a record created by an earlier row of the same file.
    in_file: dict[str, RowPlan] = {}
    if spec.parent_field:
        in_file = {row.key: row for row in planned if row.key and row.key not in existing}

    scope = federation_ids(user) if user is not None else None
    fields = plan.fields
    excludes: dict[frozenset, list[str]] = {}
    total = len(plan.rows)
    for done, row in enumerate(planned, start=1):
        if progress and done % 1000 == 0:
            progress(done, total)
        _plan_row(plan, row, existing, refs, in_file, scope, fields, ref_columns, excludes)
        row.values_digest = _values_digest(fields, row.values)
        if not keep_instances:
            row.instance = None  # a preview: the values are shown, the records are not needed
        if not keep_values and not spec.parent_field:
            row.values = {}  # an apply: the instance holds the values (no later row reads them)
    # A key repeated in the file (refused): an error on every row that carries it, added after
    # each row was checked, so that the rows' other errors are reported in the same round.
    for key, rows in repeated.items():
        numbers = "、".join(str(r.row) for r in rows)
        for row in rows:
            row.errors.append(
                RowError(
                    row.row,
                    key_column,
                    _("“%(key)s”在文件中重复出现（第 %(rows)s 行）：每条记录只能出现一次。")
                    % {"key": key, "rows": numbers},
                )
            )
            row.action, row.instance = INVALID, None
    if plan.skip_invalid:
        for row in plan.rows:
            if row.errors:
                row.action, row.instance = SKIPPED, None
        _skip_orphans(plan)
    if progress:
        progress(total, total)


def _skip_orphans(plan: Plan) -> None:
    """A row whose parent is created by a skipped row of the same file is skipped too."""
    changed = True
    while changed:
        changed = False
        for row in plan.rows:
            parent = row.pending_parent
            if row.action == NEW and parent is not None and parent.action == SKIPPED:
                column = plan.spec.column_for(plan.spec.parent_field)
                row.errors.append(
                    RowError(
                        row.row,
                        str(column.header),
                        _("上级组织所在的第 %(row)d 行未导入，此行也未导入。")
                        % {"row": parent.row},
                    )
                )
                row.action, row.instance = SKIPPED, None
                changed = True


def _plan_row(plan, row, existing, refs, in_file, scope, fields, ref_columns, excludes) -> None:
    spec = plan.spec
    model = spec.model
    values = dict(row.values)
    pending_parent = None
    for column in ref_columns:
        if column.field not in values:
            continue
        name = values[column.field] or ""
        if not name:
            values[column.field] = None
            continue
        if name in refs[column.field]:
            values[column.field] = refs[column.field][name]
        elif column.field == spec.parent_field and name in in_file and name != row.key:
            pending_parent = in_file[name]
            values[column.field] = None
        else:
            row.errors.append(
                RowError(
                    row.row,
                    str(column.header),
                    _("妇联“%(name)s”不存在：须与系统中的妇联名称完全一致。") % {"name": name},
                )
            )
            values.pop(column.field, None)

    current = existing.get(row.key)
    if current is not None and row.warnings:
        # A code already stored as unverified was accepted before: no new warning.
        for _i, column in plan.columns:
            if column.unverified_field and getattr(current, column.unverified_field, False):
                header = str(column.header)
                row.warnings = [w for w in row.warnings if w.column != header]
    if current is None:
        # Blank cells are skipped: a new record still needs every required column filled.
        for _index, column in plan.columns:
            if (
                column.required
                and column.field not in row.values
                and not any(e.column == str(column.header) for e in row.errors)
            ):
                row.errors.append(RowError(row.row, str(column.header), _("必填，不能为空。")))
    if scope is not None:
        _check_scope(spec, row, current, values, scope, pending_parent)
    if row.errors:
        row.action = INVALID
        return

    # Only the fields the file sets are validated: the others keep valid defaults or stored values.
    names = frozenset(values)
    exclude = excludes.get(names)
    if exclude is None:
        checked = {c.field for _i, c in plan.columns if c.checked}
        exclude = excludes[names] = [
            f.name for f in model._meta.concrete_fields if f.name not in values or f.name in checked
        ]
    if current is None:
        obj = model(**values)
        if pending_parent is not None:
            setattr(obj, spec.parent_field, None)
    else:
        obj = current
        plan.snapshot[obj.pk] = _snapshot(obj, fields)
        for name, value in values.items():
            attname = model._meta.get_field(name).attname
            if getattr(obj, attname) != _comparable(value):
                row.changes.append((name, getattr(obj, name), value))
            setattr(obj, name, value)

    try:
        obj.clean_fields(exclude=exclude)
    except ValidationError as exc:
        row.errors.extend(_field_errors(spec, row.row, exc))
    try:
        obj.clean()
    except ValidationError as exc:
        errors = _field_errors(spec, row.row, exc)
        if pending_parent is not None:
            parent_header = str(spec.column_for(spec.parent_field).header)
            errors = [e for e in errors if e.column != parent_header]
            errors.extend(_pending_parent_errors(spec, row, values, pending_parent))
        row.errors.extend(errors)
    else:
        if pending_parent is not None:
            row.errors.extend(_pending_parent_errors(spec, row, values, pending_parent))

    if row.errors:
        row.action = INVALID
        return
    row.instance = obj
    if pending_parent is not None:
        obj._pending_parent_row = row.pending_parent = pending_parent
    if current is None:
        row.action = NEW
    elif row.changes:
        row.action = UPDATE
    else:
        row.action = UNCHANGED
        row.instance = None


def _pending_parent_errors(spec, row, values, parent_row) -> list[RowError]:
    message = spec.check_file_parent(values, parent_row.values) if spec.check_file_parent else ""
    if not message:
        return []
    return [RowError(row.row, str(spec.column_for(spec.parent_field).header), message)]


def _network_field_errors(spec, row, current, values, pending_parent) -> bool:
    """The same rule as every other write path (federation.core.scoping.require_write_scope):
    without network scope, the fields the app registered as network-only stay as stored."""
    changed = []
    for name in registry.network_fields(spec.model):
        if name not in values:
            continue
        attname = spec.model._meta.get_field(name).attname
        moved = name == spec.parent_field and pending_parent is not None
        if moved or getattr(current, attname) != _comparable(values[name]):
            changed.append(name)
    if changed:
        column = spec.column_for(changed[0])
        header = str(column.header) if column is not None else ""
        row.errors.append(RowError(row.row, header, network_fields_message(spec.model, changed)))
    return bool(changed)


def _check_scope(spec, row, current, values, scope: set[int], pending_parent) -> None:
    """Federation staff may touch only records of their own federation (and its groups)."""
    out_of_scope = _(
        "该记录已登记在其他妇联名下（或尚未覆盖），不在您的管理范围内，不能通过导入修改；请联系区妇联。"
    )
    if spec.scope_field == "":
        if current is not None and current.pk not in scope:
            row.errors.append(RowError(row.row, str(spec.key_column.header), out_of_scope))
            return
        if current is not None and _network_field_errors(
            spec, row, current, values, pending_parent
        ):
            return
        parent = values.get(spec.parent_field)
        target = parent.pk if parent is not None else None
        if (
            current is not None
            and current.pk in scope
            and getattr(current, f"{spec.parent_field}_id") == target
        ):
            return
        if pending_parent is None and target not in scope:
            column = spec.column_for(spec.parent_field)
            row.errors.append(
                RowError(
                    row.row,
                    str(column.header),
                    _("您只能在本妇联之下新建或调整组织（上级组织须为本妇联）。"),
                )
            )
        return
    if current is not None and getattr(current, f"{spec.scope_field}_id") not in scope:
        row.errors.append(RowError(row.row, str(spec.key_column.header), out_of_scope))
        return
    column = spec.column_for(spec.scope_field)
    if spec.scope_field in values or current is None:
        target = values.get(spec.scope_field)
        if target is None or target.pk not in scope:
            row.errors.append(
                RowError(
                    row.row,
                    str(column.header),
                    _("须填写本妇联或其下属妇女小组的名称：您只能导入本妇联覆盖的记录。"),
                )
            )


def _values_digest(fields: list[str], values: dict[str, Any]) -> bytes:
    digest = hashlib.sha256()
    for name in fields:
        # A blank cell (kept value) and a cleared one digest differently.
        if name in values:
            digest.update(f"{name}={values[name]!r};".encode())
        else:
            digest.update(f"{name}~;".encode())
    return digest.digest()


def _digest(plan: Plan) -> str:
    digest = hashlib.sha256()
    for row in plan.rows:
        digest.update(f"{row.row}|{row.action}|{row.key}|".encode())
        if row.action in (NEW, UPDATE):
            digest.update(row.values_digest)
            for name, old, _new in row.changes:
                digest.update(f"{name}<{_comparable(old)!r};".encode())
        for error in row.errors:
            digest.update(str(error).encode())
    return digest.hexdigest()


# --- applying ----------------------------------------------------------------------------------


def apply_plan(
    plan: Plan,
    *,
    user=None,
    job=None,
    expected_digest: str | None = None,
    progress: Callable[[int], None] | None = None,
    before_commit: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Write a valid plan in one transaction; refuse if the database moved since the preview.

    ``progress`` is told the number of rows written after every slice (it may raise to abort:
    everything is rolled back); ``before_commit`` runs last inside the transaction.
    """
    written = 0

    def wrote(count: int) -> None:
        nonlocal written
        written += count
        if progress is not None:
            progress(written)

    if not plan.is_valid:
        raise ValueError("an invalid plan cannot be applied")
    if expected_digest is not None and plan.digest != expected_digest:
        raise StalePlan(_("预览之后，文件或数据库中的数据已发生变化：请重新上传并预览。"))
    spec = plan.spec
    model = spec.model
    reason = _("表格导入 #%(job)s") % {"job": job.pk} if job is not None else _("表格导入")
    now = timezone.now()
    creates = [row.instance for row in plan.rows if row.action == NEW]
    updates = [row for row in plan.rows if row.action == UPDATE]
    has_last_import = any(f.name == "last_import" for f in model._meta.concrete_fields)
    # Bulk writes send no pre_save: the pinyin search keys are kept in step here.
    for row in plan.rows:
        if row.action in (NEW, UPDATE):
            fill_pinyin(row.instance)
    has_pinyin = hasattr(model, "PINYIN_SOURCES")
    try:
        with transaction.atomic():
            _check_snapshot(plan, [row.instance.pk for row in updates])
            if has_last_import and job is not None:
                for obj in creates:
                    obj.last_import = job
            if spec.create_order is not None:
                for order in sorted({spec.create_order(obj) for obj in creates}):
                    batch = [obj for obj in creates if spec.create_order(obj) == order]
                    for obj in batch:
                        pending = getattr(obj, "_pending_parent_row", None)
                        if pending is not None:
                            # Created by an earlier batch, so it has its primary key now.
                            setattr(obj, spec.parent_field, pending.instance)
                    bulk_create_with_history(
                        batch,
                        model,
                        batch_size=500,
                        default_user=user,
                        default_change_reason=reason,
                        default_date=now,
                    )
                    wrote(len(batch))
            else:
                # In slices, so that the historical rows built for one slice are freed before the next.
                for start in range(0, len(creates), WRITE_SLICE):
                    bulk_create_with_history(
                        creates[start : start + WRITE_SLICE],
                        model,
                        batch_size=500,
                        default_user=user,
                        default_change_reason=reason,
                        default_date=now,
                    )
                    wrote(len(creates[start : start + WRITE_SLICE]))
            if updates:
                changed = sorted({name for row in updates for name, _old, _new in row.changes})
                objs = []
                for row in updates:
                    obj = row.instance
                    obj.version = (obj.version or 0) + 1
                    obj.updated_at = now
                    if has_last_import and job is not None:
                        obj.last_import = job
                    objs.append(obj)
                extra = (
                    ["version", "updated_at"]
                    + (["last_import"] if has_last_import and job else [])
                    + (["search_pinyin"] if has_pinyin else [])
                )
                for start in range(0, len(objs), WRITE_SLICE):
                    bulk_update_with_history(
                        objs[start : start + WRITE_SLICE],
                        model,
                        fields=changed + extra,
                        batch_size=500,
                        default_user=user,
                        default_change_reason=reason,
                        default_date=now,
                    )
                    wrote(len(objs[start : start + WRITE_SLICE]))
            # Bulk writes send no signals: the search index is kept in step in this transaction.
            search_index.index_objects(creates + [row.instance for row in updates])
            if before_commit is not None:
                before_commit()
            # Bulk writes send no signals: refresh the public pages once the import is committed.
            if creates or updates:
                transaction.on_commit(public_cache_invalidate)
    except IntegrityError as exc:
        raise StalePlan(
            _("写入时与数据库中的数据冲突（%(error)s），未做任何修改：请重新预览。")
            % {"error": exc}
        ) from exc
    return plan.counts


def _check_snapshot(plan: Plan, pks: list[int]) -> None:
    """Lock the rows to update and make sure nobody changed them since they were planned."""
    model = plan.spec.model
    attnames = [model._meta.get_field(name).attname for name in plan.fields]
    for chunk in _chunks(pks):
        rows = (
            model._default_manager.select_for_update()
            .filter(pk__in=chunk)
            .values_list("pk", *attnames)
        )
        found = 0
        for pk, *current in rows:
            found += 1
            if tuple(current) != plan.snapshot.get(pk):
                raise StalePlan(_("预览之后，有记录已被其他人修改：请重新预览。"))
        if found != len(chunk):
            raise StalePlan(_("预览之后，有记录已被删除：请重新预览。"))
