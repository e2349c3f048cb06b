"""The portal's official face (:class:`federation.models.PortalSettings`) as pages read it.

Every page's header and footer show it, so :func:`current` keeps it in the shared cache: one
query when the cache is cold, none after. A save (admin) deletes that copy and, being a cached
model of the registry without a visibility rule, starts a new page-cache epoch: no page with
the old footer is served again. A lead story unpublished or deleted later needs nothing: the
home page reads it through ``Article.objects.published()`` and falls back to the newest one.
"""

from __future__ import annotations

import contextlib
import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from PIL import Image

from federation.models import PortalSettings

CACHE_KEY = "portal:settings:v1"
EMBLEM_MAX_PX = 192
QR_MAX_PX = 360
MIIT_BEIAN_URL = "https://beian.miit.gov.cn/"
MPS_BEIAN_URL = "https://beian.mps.gov.cn/#/query/webSearch?code=%s"


@dataclass(frozen=True)
class QRCode:
    title: str
    url: str
    width: int
    height: int


@dataclass(frozen=True)
class Portal:
    """What templates need; plain values, so the cached copy holds no model instance."""

    name: str
    owner: str
    emblem_url: str
    icp_number: str
    police_number: str
    police_url: str
    contact_address: str
    contact_phone: str
    contact_email: str
    qr_codes: tuple[QRCode, ...]
    lead_article_id: int | None

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_address or self.contact_phone or self.contact_email)

    icp_url = MIIT_BEIAN_URL


def _image(field) -> tuple[str, int, int]:
    if not field:
        return "", 0, 0
    width = height = 0
    with contextlib.suppress(OSError, ValueError):  # a missing file: shown without its size
        width, height = field.width, field.height
    return field.url, width, height


def _build(row: PortalSettings | None) -> Portal:
    row = row or PortalSettings()
    qr_codes = []
    for slot in PortalSettings.QR_SLOTS:
        field = getattr(row, f"qr_{slot}")
        if field:
            url, width, height = _image(field)
            qr_codes.append(QRCode(getattr(row, f"qr_{slot}_title"), url, width, height))
    return Portal(
        name=row.name,
        owner=row.owner,
        emblem_url=_image(row.emblem)[0],
        icp_number=row.icp_number,
        police_number=row.police_number,
        police_url=MPS_BEIAN_URL % row.police_code if row.police_number else "",
        contact_address=row.contact_address,
        contact_phone=row.contact_phone,
        contact_email=row.contact_email,
        qr_codes=tuple(qr_codes),
        lead_article_id=row.lead_article_id,
    )


def current() -> Portal:
    portal = cache.get(CACHE_KEY)
    if portal is None:
        portal = _build(PortalSettings.objects.filter(pk=PortalSettings.SINGLETON_PK).first())
        cache.set(CACHE_KEY, portal, timeout=None)
    return portal


def names(portal: Portal) -> tuple[str, str]:
    """The portal's name and owner: as set by the admins, else the translated defaults."""
    return portal.name or settings.PORTAL_NAME, portal.owner or settings.PORTAL_OWNER


def shrink_upload(clean, max_px: int, *, sharp: bool = False) -> ContentFile:
    """A validated upload (``activities.images.clean_image``) scaled to fit ``max_px``; a QR
    code is scaled without smoothing so that its modules stay sharp."""
    with Image.open(clean.file) as image:
        image.load()
        if max(image.size) > max_px:
            image.thumbnail(
                (max_px, max_px),
                Image.Resampling.NEAREST if sharp else Image.Resampling.LANCZOS,
            )
        out = io.BytesIO()
        fmt = clean.format
        if fmt == "JPEG":
            image.save(out, "JPEG", quality=85, optimize=True)
        elif fmt == "WEBP":
            image.save(out, "WEBP", quality=85)
        else:
            image.save(out, "PNG", optimize=True)
    extension = {"JPEG": "jpg", "WEBP": "webp"}.get(fmt, "png")
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


def _forget(**_kwargs) -> None:
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def connect_signals() -> None:
    post_save.connect(_forget, sender=PortalSettings, dispatch_uid="portal:saved")
    post_delete.connect(_forget, sender=PortalSettings, dispatch_uid="portal:deleted")
