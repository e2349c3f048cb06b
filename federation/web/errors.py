"""Error pages: a database outage is a Chinese 503, anything else a 500 without the database."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader

# A database that is down or unreachable raises these; anything else is a bug (500).
DATABASE_DOWN_ERRORS = (OperationalError, InterfaceError)


def server_error(request, template_name="500.html"):
    """handler500: a database outage becomes a Chinese 503 page rendered without the database."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_DOWN_ERRORS):
        return service_unavailable(request)
    # No request context: the context processors might need the database that just failed.
    return HttpResponseServerError(loader.get_template(template_name).render())


def service_unavailable(request):
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response
