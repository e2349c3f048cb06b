"""Error pages: a database outage or a full disk is a Chinese 503, anything else a 500 without
the database."""

from __future__ import annotations

import errno
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader

# A database that is down or unreachable raises these; anything else is a bug (500).
DATABASE_DOWN_ERRORS = (OperationalError, InterfaceError)
# The media disk (or the quota) is full: the upload was not kept, trying later can work.
STORAGE_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)


def server_error(request, template_name="500.html"):
    """handler500: a database outage becomes a Chinese 503 page rendered without the database."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_DOWN_ERRORS):
        return service_unavailable(request)
    if isinstance(exc, OSError) and exc.errno in STORAGE_FULL_ERRNOS:
        return service_unavailable(request, storage_full=True)
    # No request context: the context processors might need the database that just failed.
    return HttpResponseServerError(loader.get_template(template_name).render())


def service_unavailable(request, *, storage_full=False):
    page = loader.get_template("503.html").render({"storage_full": storage_full})
    response = HttpResponse(page, status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response
