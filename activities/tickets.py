"""Ticket codes, the signed QR tickets and the rotating check-in code of an activity.

A registration's *code* (8 characters from an alphabet without look-alikes: no 0/O, 1/I/L) is the
person's secret: with it they see their ticket and may cancel. The QR ticket carries the activity,
the code and a signature, so a QR that our server did not make is refused at the door, and one
for another activity is recognised as such. The rotating 签到码 shown on the staff phone is a
timestamped signature of the activity: a participant who scans it may check in for a short
while only, so a photo of it sent home soon stops working.
"""

from __future__ import annotations

import io
import re
import secrets

import segno
from django.core import signing

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
TICKET_PREFIX = "YNTH1"
TICKET_SALT = "activities.ticket"
CHECKIN_SALT = "activities.checkin-code"
# A new 签到码 every ROTATE seconds; one stays valid for VALID seconds after it was shown.
CHECKIN_CODE_ROTATE_SECONDS = 30
CHECKIN_CODE_VALID_SECONDS = 180

_CODE_RE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a person types (``abcd-2345``, with spaces) → the stored form, or "" if it cannot be one."""
    cleaned = re.sub(r"[\s\-－—_]", "", (text or "")).upper()
    return cleaned if _CODE_RE.match(cleaned) else ""


def ticket_payload(*, activity_id: int, code: str) -> str:
    """The text inside the QR ticket."""
    return signing.Signer(salt=TICKET_SALT).sign(f"{TICKET_PREFIX}:{activity_id}:{code}")


class BadTicket(Exception):
    """A scanned text that is no ticket of ours."""


def read_ticket(text: str) -> tuple[int, str]:
    """(activity id, code) from a scanned QR ticket; :class:`BadTicket` if forged or malformed."""
    try:
        value = signing.Signer(salt=TICKET_SALT).unsign((text or "").strip())
    except signing.BadSignature as exc:
        raise BadTicket from exc
    prefix, _sep, rest = value.partition(":")
    activity_id, _sep, code = rest.partition(":")
    if prefix != TICKET_PREFIX or not activity_id.isdigit() or not _CODE_RE.match(code):
        raise BadTicket
    return int(activity_id), code


def checkin_code(activity_id: int, *, now: float) -> str:
    """The current rotating 签到码 token (the same one for a whole rotation period)."""
    slot = int(now) // CHECKIN_CODE_ROTATE_SECONDS
    return signing.dumps({"a": activity_id, "s": slot}, salt=CHECKIN_SALT, compress=False)


def checkin_code_valid(token: str, activity_id: int, *, now: float) -> bool:
    try:
        data = signing.loads(token or "", salt=CHECKIN_SALT)
    except signing.BadSignature:
        return False
    if (
        not isinstance(data, dict)
        or data.get("a") != activity_id
        or not isinstance(data.get("s"), int)
    ):
        return False
    shown_at = data["s"] * CHECKIN_CODE_ROTATE_SECONDS
    return (
        shown_at - CHECKIN_CODE_ROTATE_SECONDS
        <= now
        <= shown_at + CHECKIN_CODE_ROTATE_SECONDS + CHECKIN_CODE_VALID_SECONDS
    )


def qr_svg(text: str, *, scale: int = 6) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", scale=scale, border=2, xmldecl=True)
    return buffer.getvalue()


def qr_png(text: str, *, scale: int = 8) -> bytes:
    """A PNG of the QR ticket, to save to the phone's photos."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=3)
    return buffer.getvalue()
