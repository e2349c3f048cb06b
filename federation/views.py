import datetime
import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache
from django.views.generic import TemplateView

from federation import selectors


class HomeView(TemplateView):
    template_name = "federation/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figures"] = selectors.headline_figures()
        return context


# --- Production: error pages, security.txt, bench reference view (issue #6) ---


logger = logging.getLogger(__name__)

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


@cache_control(public=True, max_age=86400)
def security_txt(request):
    """RFC 9116: whom to tell about a vulnerability; expires six months ahead, renewed daily."""
    expires = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0) + datetime.timedelta(
        days=180
    )
    contact = settings.SECURITY_CONTACT or f"mailto:security@{request.get_host().split(':')[0]}"
    lines = [
        f"Contact: {contact}",
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: zh, en",
        f"Canonical: https://{request.get_host()}/.well-known/security.txt",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@never_cache
def bench_trivial(request):
    """The load benchmark's reference: the full middleware stack, a constant body, never served
    from the page cache (so it measures the stack, not the cache)."""
    return HttpResponse("ok", content_type="text/plain")
