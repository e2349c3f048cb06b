"""Planning an import (read, validate, compare) and applying a plan, all or nothing.

The plan is computed from the file and the database without writing anything; it is what the
preview shows. Applying re-plans from the same stored file, checks that the plan is still the
one that was previewed (same digest), locks the rows it updates, and writes everything in one
transaction with simple_history's bulk helpers so the audit trail stays whole.
"""

from __future__ import annotations

import hashlib
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

from federation.core import registry
from federation.core.pinyin import fill_pinyin
from federation.core.scoping import federation_ids, network_fields_message
from federation.web.cache import public_cache_invalidate
from organizations.importing import cells
from organizations.importing.readers import FileRejected, Table, open_table
from organizations.importing.specs import Column, ListSpec, normalize_header

NEW, UPDATE, UNCHANGED, INVALID = "new", "update", "unchanged", "invalid"
ACTION_LABELS = {
    NEW: _lazy("新增"),
    UPDATE: _lazy("更新"),
    UNCHANGED: _lazy("未变化"),
    INVALID: _lazy("有错误"),
}
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


@dataclass
class Plan:
    spec: ListSpec
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

    @property
    def fields(self) -> list[str]:
        return [column.field for _i, column in self.columns]

    @property
    def counts(self) -> dict[str, int]:
        result = {NEW: 0, UPDATE: 0, UNCHANGED: 0, INVALID: 0}
        for row in self.rows:
            result[row.action] += 1
        return result

    @property
    def errors(self) -> list[RowError]:
        return self.file_errors + [error for row in self.rows for error in row.errors]

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and not any(row.errors for row in self.rows)


def _user_can_see_contacts(user) -> bool:
    return user is None or user.has_perm("organizations.view_contact")


def _is_blank_row(values: list[Any]) -> bool:
    return all(cells.is_empty(value) for value in values)


def _map_header(plan: Plan, header: list[Any], user) -> None:
    spec = plan.spec
    lookup = {name: column for column in spec.columns for name in column.all_names()}
    seen: dict[str, int] = {}
    for index, raw in enumerate(header):
        label = cells.text(raw) if not isinstance(raw, str) else raw.strip().lstrip("\ufeff")
        if not label:
            continue
        column = lookup.get(normalize_header(label))
        if column is None:
            plan.ignored.append(label)
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
    missing = [str(c.header) for c in spec.columns if c.required and c.field not in seen]
    if missing:
        plan.file_errors.append(
            RowError(
                0,
                "",
                _("缺少必填列：%(columns)s。请下载导入模板，按模板的表头填写。")
                % {"columns": "、".join(missing)},
            )
        )


def _looks_like_header(values: list[Any], spec: ListSpec) -> bool:
    names = {name for column in spec.columns for name in column.all_names()}
    found = {normalize_header(v) for v in values if isinstance(v, str)} & names
    key_names = spec.key_column.all_names()
    return bool(found & key_names) or len(found) >= 2


def read_plan_rows(plan: Plan, rows: Iterable[tuple[int, list[Any]]], user, formula_cells) -> None:
    """Find the header, map the columns and parse every data row into ``plan.rows``."""
    spec = plan.spec
    iterator = iter(rows)
    skipped_above = []
    for number, values in iterator:
        if _is_blank_row(values):
            continue
        if _looks_like_header(values, spec):
            plan.header_row = number
            _map_header(plan, values, user)
            break
        skipped_above.append(number)
        if len(skipped_above) >= HEADER_SEARCH_ROWS:
            break
    if not plan.header_row:
        plan.file_errors.append(
            RowError(
                0,
                "",
                _("找不到表头：表格的第一行应是列名，如“%(key)s”。请下载导入模板对照填写。")
                % {"key": spec.key_column.header},
            )
        )
        return
    if skipped_above:
        plan.notices.append(
            _("表头在第 %(row)d 行；其上方的第 %(rows)s 行（标题等）未导入。")
            % {"row": plan.header_row, "rows": "、".join(str(n) for n in skipped_above)}
        )
    if plan.file_errors:
        return
    for number, values in iterator:
        if _is_blank_row(values):
            continue
        parsed: dict[str, Any] = {}
        row = RowPlan(row=number, values=parsed)
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
            try:
                parsed[column.field] = column.parse(raw)
            except cells.CellError as exc:
                row.errors.append(RowError(number, str(column.header), exc.message))
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
) -> Plan:
    """Read ``stream`` and decide, row by row, what an import would do. Writes nothing."""
    try:
        table = open_table(stream, file_name, sheet)
    except FileRejected as exc:
        return rejected_plan(spec, exc)
    return plan_table(spec, table, user=user, progress=progress)


def plan_table(
    spec: ListSpec, table: Table, *, user=None, progress: Callable[[int, int], None] | None = None
) -> Plan:
    """Plan from an opened table, whose rows are read once; the table is closed afterwards."""
    plan = Plan(spec=spec)
    try:
        plan.format, plan.sheet_name = table.format, table.sheet_name
        plan.notices.extend(table.notices)
        read_plan_rows(plan, table.rows(), user, table.formula_cells)
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
    _validate_rows(plan, user, progress)
    plan.digest = _digest(plan)
    return plan


def _validate_rows(plan: Plan, user, progress) -> None:
    spec = plan.spec
    model = spec.model
    key_column = str(spec.key_column.header)

    # A key that appears twice in one file is an error on every row that carries it.
    by_key: dict[str, list[RowPlan]] = defaultdict(list)
    for row in plan.rows:
        if row.key:
            by_key[row.key].append(row)
    for key, rows in by_key.items():
        if len(rows) > 1:
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
        in_file = {row.key: row for row in plan.rows if row.key and row.key not in existing}

    scope = federation_ids(user) if user is not None else None
    fields = plan.fields
    excludes: dict[frozenset, list[str]] = {}
    total = len(plan.rows)
    for done, row in enumerate(plan.rows, start=1):
        if progress and done % 1000 == 0:
            progress(done, total)
        _plan_row(plan, row, existing, refs, in_file, scope, fields, ref_columns, excludes)
    if progress:
        progress(total, total)


def _plan_row(plan, row, existing, refs, in_file, scope, fields, ref_columns, excludes) -> None:
    spec = plan.spec
    model = spec.model
    values = dict(row.values)
    pending_parent = None
    for column in ref_columns:
        name = values.get(column.field) or ""
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
    if scope is not None:
        _check_scope(spec, row, current, values, scope, pending_parent)
    if row.errors:
        row.action = INVALID
        return

    # Only the fields the file sets are validated: the others keep valid defaults or stored values.
    names = frozenset(values)
    exclude = excludes.get(names)
    if exclude is None:
        exclude = excludes[names] = [
            f.name for f in model._meta.concrete_fields if f.name not in values
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
        obj._pending_parent_row = pending_parent
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


def _digest(plan: Plan) -> str:
    digest = hashlib.sha256()
    for row in plan.rows:
        digest.update(f"{row.row}|{row.action}|{row.key}|".encode())
        if row.action in (NEW, UPDATE):
            for name in plan.fields:
                value = row.values.get(name)
                digest.update(f"{name}={value!r};".encode())
            for name, old, _new in row.changes:
                digest.update(f"{name}<{_comparable(old)!r};".encode())
        for error in row.errors:
            digest.update(str(error).encode())
    return digest.hexdigest()


# --- applying ----------------------------------------------------------------------------------


def apply_plan(
    plan: Plan, *, user=None, job=None, expected_digest: str | None = None
) -> dict[str, int]:
    """Write a valid plan in one transaction; refuse if the database moved since the preview."""
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
