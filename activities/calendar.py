"""iCalendar (RFC 5545) of public activities, written out by hand: it is small and exact.

Phone calendars are strict: lines end in CRLF, long lines are folded at 75 octets (never inside a
UTF-8 character), every event has a UID and a DTSTAMP, and times are given in UTC ("Z"), which
every client converts to the phone's own time zone.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from federation.core.links import object_url

DEFAULT_DURATION = datetime.timedelta(hours=2)

# What an event is written from: plain rows (``QuerySet.values``), since a calendar of a hundred
# events built three model instances each (activity, site, organiser), most of its cost.
FIELDS = (
    "pk",
    "title",
    "starts_at",
    "ends_at",
    "updated_at",
    "location",
    "description",
    "join_url",
    "join_info",
    "site__name",
    "site__address",
    "organizer__name",
)


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, continuation lines start with a space."""
    encoded_limit = 75
    if len(line) * 4 <= encoded_limit or len(line.encode("utf-8")) <= encoded_limit:
        return line  # most lines: no need to walk them character by character
    parts: list[str] = []
    current = ""
    current_len = 0
    for char in line:
        size = len(char.encode("utf-8"))
        limit = encoded_limit if not parts else encoded_limit - 1  # the leading space counts
        if current_len + size > limit:
            parts.append(current)
            current, current_len = "", 0
        current += char
        current_len += size
    parts.append(current)
    return "\r\n ".join(parts)


def utc_stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def activities_calendar(activities, *, request, now: datetime.datetime | None = None) -> str:
    """The calendar of ``activities``: rows of FIELDS."""
    now = now or timezone.now()
    host = request.get_host().split(":")[0] or "localhost"
    origin = request.build_absolute_uri("/")[:-1]  # once, not per event
    stamp = utc_stamp(now)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//TEDA Women's Federation//Portal//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(str(settings.PORTAL_NAME))} {escape_text(str(settings.PORTAL_OWNER))}",
        f"X-WR-TIMEZONE:{settings.TIME_ZONE}",
    ]
    for activity in activities:
        ends_at = activity["ends_at"] or activity["starts_at"] + DEFAULT_DURATION
        site = f"{activity['site__name'] or ''} {activity['site__address'] or ''}".strip()
        location = activity["location"] or site
        url = object_url("activities:activity_detail", activity["pk"])
        lines += [
            "BEGIN:VEVENT",
            f"UID:activity-{activity['pk']}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{utc_stamp(activity['starts_at'])}",
            f"DTEND:{utc_stamp(ends_at)}",
            f"LAST-MODIFIED:{utc_stamp(activity['updated_at'])}",
            f"SUMMARY:{escape_text(activity['title'])}",
            f"URL:{origin}{url}",
        ]
        if location:
            lines.append(f"LOCATION:{escape_text(location)}")
        description = activity["description"].strip()
        if activity["organizer__name"]:
            description = f"{activity['organizer__name']}\n{description}".strip()
        if activity["join_url"]:
            description = f"{description}\n{activity['join_info']}\n{activity['join_url']}".strip()
        if description:
            lines.append(f"DESCRIPTION:{escape_text(description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
