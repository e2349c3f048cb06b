from django.conf import settings


def site(request):
    """Names every template needs (the portal's brand and owner)."""
    return {"PORTAL_NAME": settings.PORTAL_NAME, "PORTAL_OWNER": settings.PORTAL_OWNER}
