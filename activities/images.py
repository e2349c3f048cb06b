"""The one photo validator: every upload (staff pages and admin) is decoded, checked and re-encoded.

Checks happen from cheapest to dearest: byte size, then the header (format and pixel count, read
without decoding the pixels, so a 17 KB 12000×12000 PNG is refused before it costs ~700 MB), then
a full decode (truncated files fail here), then re-encoding, which applies the EXIF orientation and
drops every metadata block (GPS included) and anything appended after the image data.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def max_bytes() -> int:
    return getattr(settings, "PHOTO_MAX_BYTES", 10 * 1024 * 1024)


def max_pixels() -> int:
    return getattr(settings, "PHOTO_MAX_PIXELS", 40_000_000)


def max_files_per_request() -> int:
    return getattr(settings, "PHOTO_MAX_FILES_PER_REQUEST", 20)


def max_pixels_per_request() -> int:
    return getattr(settings, "PHOTO_MAX_PIXELS_PER_REQUEST", 200_000_000)


@dataclass(frozen=True)
class CleanImage:
    """A validated, re-encoded image ready to be stored."""

    file: ContentFile
    width: int
    height: int
    format: str


def _read(upload) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes():
        raise ValidationError(
            _("图片太大（%(size)s），单张不能超过 %(limit)s。")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes())},
            code="too_large",
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise ValidationError(
            _("图片太大，单张不能超过 %(limit)s。") % {"limit": filesizeformat(max_bytes())},
            code="too_large",
        )
    if not data:
        raise ValidationError(_("上传的文件是空的。"), code="empty")
    return data


def image_size(upload) -> tuple[int, int]:
    """Width and height from the file's header, nothing decoded: the byte limit, the format and
    the per-image pixel limit are checked here (ValidationError in Chinese)."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes():
        raise ValidationError(
            _("图片太大（%(size)s），单张不能超过 %(limit)s。")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes())},
            code="too_large",
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Reading the header is harmless: compare the size below and say what it is
            # (Pillow itself refuses only beyond twice its limit).
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload, formats=list(ALLOWED_FORMATS)) as image:
                width, height = image.size
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except Exception:
        raise _wrong_type() from None
    finally:
        if hasattr(upload, "seek"):
            upload.seek(0)
    if width * height > max_pixels():
        raise _too_many_pixels(width, height)
    return width, height


def _wrong_type() -> ValidationError:
    return ValidationError(
        _("只能上传 JPEG、PNG 或 WebP 格式的照片（按文件内容判断，不看文件名）。"),
        code="wrong_type",
    )


@dataclass
class UploadBatch:
    """The photos of one request: those accepted (validated, re-encoded) and those refused, each
    by its file name, in the order they were chosen."""

    accepted: list[tuple[str, CleanImage]]
    refused: list[tuple[str, str]]


def clean_images(uploads) -> UploadBatch:
    """Validate the photos of one request within its bounds: at most
    ``PHOTO_MAX_FILES_PER_REQUEST`` files and ``PHOTO_MAX_PIXELS_PER_REQUEST`` pixels in all,
    both counted from the headers before anything is decoded, so that no request can make a
    worker decode more than that (twenty 170 KB 6300×6300 PNGs are 800 Mpx). A file over a bound
    is refused by name, never the whole request."""
    batch = UploadBatch(accepted=[], refused=[])
    budget = max_pixels_per_request()
    for index, upload in enumerate(uploads):
        name = getattr(upload, "name", "") or "?"
        if index >= max_files_per_request():
            batch.refused.append(
                (
                    name,
                    str(
                        _("一次最多上传 %(limit)d 张照片，这张没有处理，请保存后再添加。")
                        % {"limit": max_files_per_request()}
                    ),
                )
            )
            continue
        try:
            width, height = image_size(upload)
            if width * height > budget:
                raise ValidationError(
                    _(
                        "本次上传的照片合计超过 %(limit)d 万像素，这张没有处理，"
                        "请保存后再添加（或先缩小照片）。"
                    )
                    % {"limit": max_pixels_per_request() // 10_000},
                    code="request_pixels",
                )
            budget -= width * height
            batch.accepted.append((name, clean_image(upload)))
        except ValidationError as exc:
            batch.refused.append((name, "；".join(exc.messages)))
    return batch


def clean_image(upload) -> CleanImage:
    """Validate an uploaded photo and return it re-encoded; raise ValidationError in Chinese."""
    data = _read(upload)
    wrong_type = _wrong_type()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # formats= makes Pillow treat anything else (GIF, BMP, SVG, HTML …) as unidentified.
            image = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except Exception:
        raise wrong_type from None

    width, height = image.size
    if width * height > max_pixels():
        raise _too_many_pixels(width, height)
    if width < 1 or height < 1:
        raise wrong_type
    if getattr(image, "is_animated", False) or getattr(image, "n_frames", 1) > 1:
        raise ValidationError(_("不支持动图，请上传静态照片。"), code="animated")

    image_format = image.format
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            image = ImageOps.exif_transpose(image)
    except Exception:
        raise ValidationError(
            _("图片文件不完整或已损坏，无法读取，请重新导出后再上传。"), code="corrupt"
        ) from None

    out = io.BytesIO()
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=88, optimize=True)
    elif image_format == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=85)
    name = f"{uuid.uuid4().hex}.{ALLOWED_FORMATS[image_format]}"
    return CleanImage(
        file=ContentFile(out.getvalue(), name=name),
        width=image.width,
        height=image.height,
        format=image_format,
    )


def _too_many_pixels(width: int | None = None, height: int | None = None) -> ValidationError:
    limit = max_pixels() // 10_000
    if width is None:
        message = _("图片像素过多，可能是恶意文件；请缩小到 %(limit)d 万像素以内再上传。") % {
            "limit": limit
        }
    else:
        message = _(
            "图片像素过多（%(width)d×%(height)d），可能是恶意文件；"
            "请缩小到 %(limit)d 万像素以内再上传。"
        ) % {"width": width, "height": height, "limit": limit}
    return ValidationError(message, code="too_many_pixels")


class PixelBudget:
    """What is left of one request's pixel allowance (shared by the rows of an admin inline)."""

    def __init__(self):
        self.left = max_pixels_per_request()

    def spend(self, width: int, height: int) -> None:
        if width * height > self.left:
            raise ValidationError(
                _("本次上传的照片合计超过 %(limit)d 万像素，请分批上传。")
                % {"limit": max_pixels_per_request() // 10_000},
                code="request_pixels",
            )
        self.left -= width * height


class PhotoFileValidationMixin:
    """Form mixin: run :func:`clean_image` on the ``image`` field (staff form and admin inline).

    ``pixel_budget`` (a :class:`PixelBudget` shared by the forms of one request) bounds the
    request's total, checked from the header before decoding."""

    pixel_budget: PixelBudget | None = None

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if upload and not isinstance(upload, str) and hasattr(upload, "content_type"):
            if self.pixel_budget is not None:
                self.pixel_budget.spend(*image_size(upload))
            self.clean_image_result = clean_image(upload)
            return self.clean_image_result.file
        return upload
