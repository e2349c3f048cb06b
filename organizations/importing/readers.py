"""Reading the spreadsheets people really have: xlsx, old xls and CSV in any Chinese encoding.

Every reader yields ``(row_number, values)`` where ``row_number`` is the number the spreadsheet
itself shows (1-based), so that errors point at the row a person sees. Problems with the file
as a whole raise :class:`FileRejected` with a Chinese message; nothing is parsed half-way.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import io
import re
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Files people upload by mistake: PDF, PNG, JPEG, GIF, RAR, 7z, gzip.
_OTHER_MAGICS = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")


class FileRejected(Exception):
    """The file as a whole cannot be read; the message says why, in Chinese."""


@dataclass
class Table:
    """An opened sheet: its rows are read lazily, once, by :meth:`rows`."""

    format: str
    sheet_name: str
    sheet_names: list[str]
    estimated_rows: int
    _rows: Iterator[tuple[int, list[Any]]]
    notices: list[str] = field(default_factory=list)
    # (row_number, column_index) of formula cells that have no cached value.
    formula_cells: set[tuple[int, int]] = field(default_factory=set)
    _closer: Any = None

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        return self._rows

    def close(self) -> None:
        if self._closer is not None:
            self._closer()
            self._closer = None


def detect_format(head: bytes, file_name: str) -> str:
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    if head.startswith(XLS_MAGIC):
        return "xls"
    lowered = file_name.lower()
    if lowered.endswith((".xlsx", ".xlsm", ".xls")):
        raise FileRejected(
            _("文件“%(name)s”不是有效的 Excel 文件（内容与扩展名不符），请重新导出后再上传。")
            % {"name": file_name}
        )
    binary = head.startswith(_OTHER_MAGICS) or (
        b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    )
    if binary:
        raise FileRejected(
            _("文件“%(name)s”不是表格文件：请上传 xlsx、xls 或 CSV 文件。") % {"name": file_name}
        )
    return "csv"


def open_table(stream: IO[bytes], file_name: str, sheet: str | None = None) -> Table:
    """Open ``stream`` (a seekable binary file) as a table, detecting its format from its bytes.

    Its rows are bounded while they stream: more than ``IMPORT_MAX_ROWS`` non-blank rows, or
    more than ``IMPORT_MAX_CELL_BYTES`` of cell text, stop the reading with :class:`FileRejected`.
    """
    head = stream.read(4096)
    stream.seek(0)
    if not head:
        raise FileRejected(_("文件是空的。"))
    kind = detect_format(head, file_name)
    if kind == "xlsx":
        table = _open_xlsx(stream, sheet)
    elif kind == "xls":
        table = _open_xls(stream, sheet)
    else:
        table = _open_csv(stream, file_name)
    check_row_estimate(table.estimated_rows)
    table._rows = bounded_rows(table._rows)
    return table


def _too_many_rows(limit: int) -> FileRejected:
    return FileRejected(
        _("表格超过 %(limit)d 行的上限，已停止读取，未做任何修改。请拆分成多个文件分批导入。")
        % {"limit": limit}
    )


def check_row_estimate(estimated: int) -> None:
    """Refuse before parsing a file whose counted rows are far above the limit (header and
    title rows aside: the exact limit applies to the non-blank rows while they stream)."""
    limit = settings.IMPORT_MAX_ROWS
    if estimated > limit + ROW_LIMIT_SLACK:
        raise _too_many_rows(limit)


# Rows above the data (titles, the header) and blank rows an estimate counts but the limit does not.
ROW_LIMIT_SLACK = 1000


def bounded_rows(rows: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    """The rows, stopped at the row limit and the cell-text limit instead of growing."""
    max_rows = settings.IMPORT_MAX_ROWS + 1  # the header row
    max_bytes = settings.IMPORT_MAX_CELL_BYTES
    counted = 0
    total = 0
    for number, values in rows:
        size = 0
        filled = False
        for value in values:
            if value is None:
                continue
            if type(value) is str:
                if not value:
                    continue
                size += len(value) if value.isascii() else len(value.encode("utf-8", "replace"))
            filled = True
        if not filled:
            yield number, values
            continue
        counted += 1
        total += size
        if counted > max_rows:
            raise _too_many_rows(settings.IMPORT_MAX_ROWS)
        if total > max_bytes:
            raise FileRejected(
                _(
                    "表格内容超过 %(limit)d MB 的上限（读到第 %(row)d 行时），已停止读取，"
                    "未做任何修改。请拆分成多个文件分批导入。"
                )
                % {"limit": max_bytes // (1024 * 1024), "row": number}
            )
        yield number, values


# --- xlsx ------------------------------------------------------------------------------------

_MERGE_RE = re.compile(rb'<mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
# Every row element (with or without a namespace prefix), counted by streaming: the sheet's
# <dimension> may lie or be missing (openpyxl's write-only mode writes none).
_ROW_TAG_RE = re.compile(rb"<(?:\w+:)?row[\s>/]")
# A cell holding a formula but no cached <v> value (written by a script, never opened in Excel).
_FORMULA_NO_VALUE_RE = re.compile(
    rb'<c\s+r="([A-Z]+)(\d+)"[^>]*>\s*<f(?:\s[^>]*)?(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v></v>)?\s*</c>'
)


def _col_index(letters: bytes) -> int:
    index = 0
    for char in letters.decode():
        index = index * 26 + (ord(char) - 64)
    return index - 1


def check_zip_bomb(archive: zipfile.ZipFile, compressed_size: int) -> None:
    """Refuse an archive whose unpacked size is out of proportion, before any XML is parsed."""
    total = sum(info.file_size for info in archive.infolist())
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    ratio = settings.IMPORT_MAX_COMPRESSION_RATIO
    if total > limit or (total > 10 * 1024 * 1024 and total > ratio * max(compressed_size, 1)):
        raise FileRejected(
            _(
                "文件解压后大小异常（%(size)d MB，压缩前 %(packed).1f MB），可能是“压缩炸弹”，已拒绝。"
                "请确认文件来源，或把数据另存为新的 xlsx 后再上传。"
            )
            % {"size": total // (1024 * 1024), "packed": compressed_size / (1024 * 1024)}
        )


def _scan_sheet_xml(archive: zipfile.ZipFile, path: str):
    """Merged ranges and formula cells without a cached value, found by one pass over the XML."""
    merges: list[tuple[int, int, int, int]] = []
    formulas: set[tuple[int, int]] = set()
    row_count = 0
    tail = b""
    with archive.open(path) as raw:
        while chunk := raw.read(1 << 20):
            data = tail + chunk
            # Keep an overlap so that a tag split between two chunks is still seen.
            cut = max(0, len(data) - 4096)
            row_count += len(_ROW_TAG_RE.findall(data, 0, cut))
            for m in _FORMULA_NO_VALUE_RE.finditer(data, 0, cut):
                formulas.add((int(m.group(2)), _col_index(m.group(1))))
            for m in _MERGE_RE.finditer(data, 0, cut):
                merges.append(
                    (
                        int(m.group(2)),
                        _col_index(m.group(1)),
                        int(m.group(4)),
                        _col_index(m.group(3)),
                    )
                )
            tail = data[cut:]
    row_count += len(_ROW_TAG_RE.findall(tail))
    for m in _FORMULA_NO_VALUE_RE.finditer(tail):
        formulas.add((int(m.group(2)), _col_index(m.group(1))))
    for m in _MERGE_RE.finditer(tail):
        merges.append(
            (int(m.group(2)), _col_index(m.group(1)), int(m.group(4)), _col_index(m.group(3)))
        )
    return sorted(set(merges)), formulas, row_count


def _pick_sheet(names: list[str], sheet: str | None) -> str:
    if not sheet:
        return names[0]
    if sheet in names:
        return sheet
    stripped = {name.strip(): name for name in names}
    if sheet.strip() in stripped:
        return stripped[sheet.strip()]
    raise FileRejected(
        _("找不到工作表“%(sheet)s”。文件中的工作表有：%(names)s。")
        % {"sheet": sheet, "names": "、".join(names)}
    )


def _cell_name(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


_SIZES_LOCK = threading.Lock()


@contextlib.contextmanager
def _sheet_sizes_unread():
    """Open a workbook without openpyxl reading every sheet's size.

    Read-only openpyxl looks for each sheet's <dimension> when it opens the workbook; a sheet
    without one (openpyxl's write-only mode, the portal's own export) is parsed whole just to
    find that out, for every sheet. The size is not used here (the dimensions are reset and
    the rows counted by streaming), so that pass is skipped: a third less xlsx parsing. The
    class attribute is replaced only while the workbook opens, under a lock (gthread workers).
    """
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    with _SIZES_LOCK:
        original = ReadOnlyWorksheet.__dict__["_get_size"]
        ReadOnlyWorksheet._get_size = lambda self: None
        try:
            yield
        finally:
            ReadOnlyWorksheet._get_size = original


def _open_xlsx(stream: IO[bytes], sheet: str | None) -> Table:
    import openpyxl

    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile as exc:
        raise FileRejected(_("文件已损坏或不是 xlsx 文件。")) from exc
    check_zip_bomb(archive, size)
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise FileRejected(_("这是一个压缩包，但不是 Excel（xlsx）文件。"))
    stream.seek(0)
    try:
        with _sheet_sizes_unread():
            workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise FileRejected(_("无法读取 xlsx 文件：%(error)s") % {"error": exc}) from exc
    sheet_names = list(workbook.sheetnames)
    chosen = _pick_sheet(sheet_names, sheet)
    worksheet = workbook[chosen]
    sheet_path = getattr(worksheet, "_worksheet_path", "")
    sheet_path = sheet_path.lstrip("/")
    # Without the sheet's part (an unusual package) there is no estimate: the streaming
    # limits below still bound the reading.
    merges, formulas, row_count = (
        _scan_sheet_xml(archive, sheet_path) if sheet_path in names else ([], set(), 0)
    )
    # Never trust <dimension>: a lying one would drop rows, a missing one gives no estimate.
    worksheet.reset_dimensions()
    notices = []
    fills: dict[tuple[int, int], tuple[int, int]] = {}
    for r1, c1, r2, c2 in merges:
        if (r2 - r1 + 1) * (c2 - c1 + 1) > 100_000:
            raise FileRejected(
                _("合并单元格 %(range)s 过大，请取消合并后再上传。")
                % {"range": f"{_cell_name(r1, c1)}:{_cell_name(r2, c2)}"}
            )
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    fills[(r, c)] = (r1, c1)
        notices.append(
            _("合并单元格 %(range)s：按 Excel 的显示，每一格都取左上角的值。")
            % {"range": f"{_cell_name(r1, c1)}:{_cell_name(r2, c2)}"}
        )
    estimated = row_count

    by_row: dict[int, list[tuple[int, tuple[int, int]]]] = {}
    for (r, c), anchor in fills.items():
        by_row.setdefault(r, []).append((c, anchor))
    wanted = set(fills.values())

    def rows() -> Iterator[tuple[int, list[Any]]]:
        anchors: dict[tuple[int, int], Any] = {}
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            values = list(values)
            if fills:
                for col, value in enumerate(values):
                    if (number, col) in wanted:
                        anchors[(number, col)] = value
                for c, anchor in by_row.get(number, ()):
                    while len(values) <= c:
                        values.append(None)
                    if values[c] is None:
                        values[c] = anchors.get(anchor)
            yield number, values

    return Table(
        format="xlsx",
        sheet_name=chosen,
        sheet_names=sheet_names,
        estimated_rows=estimated,
        _rows=rows(),
        notices=notices,
        formula_cells=formulas,
        _closer=workbook.close,
    )


# --- xls -------------------------------------------------------------------------------------


def _open_xls(stream: IO[bytes], sheet: str | None) -> Table:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=stream.read(), formatting_info=True, on_demand=True)
    except Exception as exc:  # xlrd raises XLRDError, struct errors, …
        raise FileRejected(_("无法读取 xls 文件：%(error)s") % {"error": exc}) from exc
    sheet_names = book.sheet_names()
    chosen = _pick_sheet(sheet_names, sheet)
    worksheet = book.sheet_by_name(chosen)
    fills: dict[tuple[int, int], tuple[int, int]] = {}
    notices = []
    for rlo, rhi, clo, chi in worksheet.merged_cells:
        for r in range(rlo, rhi):
            for c in range(clo, chi):
                if (r, c) != (rlo, clo):
                    fills[(r, c)] = (rlo, clo)
        notices.append(
            _("合并单元格 %(range)s：按 Excel 的显示，每一格都取左上角的值。")
            % {"range": f"{_cell_name(rlo + 1, clo)}:{_cell_name(rhi, chi - 1)}"}
        )

    def value(r: int, c: int):
        cell = worksheet.cell(r, c)
        if cell.ctype == xlrd.XL_CELL_DATE:
            moment = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
            return moment.date() if moment.time() == datetime.time(0) else moment
        if cell.ctype == xlrd.XL_CELL_NUMBER:
            # xls stores every number as a float: 13812345678.0 is the phone 13812345678.
            return int(cell.value) if float(cell.value).is_integer() else cell.value
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return bool(cell.value)
        if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
            return None
        return cell.value

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for r in range(worksheet.nrows):
            values = []
            for c in range(worksheet.ncols):
                source = fills.get((r, c), (r, c))
                values.append(value(*source))
            yield r + 1, values

    return Table(
        format="xls",
        sheet_name=chosen,
        sheet_names=sheet_names,
        estimated_rows=worksheet.nrows,
        _rows=rows(),
        notices=notices,
        _closer=book.release_resources,
    )


# --- CSV -------------------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes without asking: UTF-8 (with or without BOM), else GB18030 (⊃ GBK)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise FileRejected(
                    _("文件编码损坏（%(encoding)s）。") % {"encoding": encoding}
                ) from exc
    # Strict UTF-8 almost never succeeds on GBK bytes, so trying it first is safe.
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 1 << 20]).best()
    if best is not None:
        try:
            return data.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    raise FileRejected(_("无法识别 CSV 文件的编码：请另存为“CSV UTF-8”或 xlsx 后再上传。"))


def _open_csv(stream: IO[bytes], file_name: str) -> Table:
    data = stream.read()
    text, encoding = decode_text(data)
    del data
    if "\x00" in text:
        raise FileRejected(
            _("文件“%(name)s”不是表格文件：请上传 xlsx、xls 或 CSV 文件。") % {"name": file_name}
        )
    # The delimiter is the one the first line uses most (Excel writes "," or, for some locales, ";"
    # or a tab); sniffing the whole sample is fooled by commas inside Chinese addresses.
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count) if first_line else ","
    dialect = csv.excel_tab if delimiter == "\t" else csv.excel
    if delimiter == ";":

        class dialect(csv.excel):  # noqa: N801 - a csv dialect is a class
            delimiter = ";"

    estimated = text.count("\n") + (0 if text.endswith("\n") else 1)
    # The reader's buffer is the one copy of the text kept while the rows stream.
    buffer = io.StringIO(text)
    del text

    def rows() -> Iterator[tuple[int, list[Any]]]:
        reader = csv.reader(buffer, dialect)
        try:
            # Excel shows one CSV record per row, so the record number is the row number.
            yield from enumerate(reader, start=1)
        except csv.Error as exc:
            raise FileRejected(
                _("CSV 文件第 %(line)d 行格式错误：%(error)s")
                % {"line": reader.line_num, "error": exc}
            ) from exc

    label = {"utf-8-sig": "UTF-8（带 BOM）", "utf-8": "UTF-8", "gb18030": "GBK/GB18030"}.get(
        encoding, encoding
    )
    return Table(
        format="csv",
        sheet_name="",
        sheet_names=[],
        estimated_rows=estimated,
        _rows=rows(),
        notices=[_("CSV 文件编码：%(encoding)s。") % {"encoding": label}],
    )
