from django.utils.functional import SimpleLazyObject

from federation import portal

# The header's sections: (path prefix, name); the statistics page is one page, not a prefix.
NAV_SECTIONS = (
    ("/news/", "news"),
    ("/activities/", "activities"),
    ("/sites/", "sites"),
    ("/federations/", "federations"),
    ("/brands/", "brands"),
    ("/exemplars/", "exemplars"),
)


def nav_section(path: str) -> str:
    if path == "/stats/":
        return "stats"
    for prefix, name in NAV_SECTIONS:
        if path.startswith(prefix):
            return name
    return ""


def site(request):
    """Names every template needs (the portal's brand and owner) and its official face (the
    emblem, 备案 numbers, contacts, QR codes), read only by the pages that show them."""
    current = SimpleLazyObject(portal.current)
    return {
        "PORTAL_NAME": SimpleLazyObject(lambda: portal.names(current)[0]),
        "PORTAL_OWNER": SimpleLazyObject(lambda: portal.names(current)[1]),
        "portal": current,
        "nav_section": nav_section(request.path),  # which header link is aria-current
    }
