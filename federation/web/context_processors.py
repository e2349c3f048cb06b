from django.utils.functional import SimpleLazyObject

from federation import portal


def site(request):
    """Names every template needs (the portal's brand and owner) and its official face (the
    emblem, 备案 numbers, contacts, QR codes), read only by the pages that show them."""
    current = SimpleLazyObject(portal.current)
    return {
        "PORTAL_NAME": SimpleLazyObject(lambda: portal.names(current)[0]),
        "PORTAL_OWNER": SimpleLazyObject(lambda: portal.names(current)[1]),
        "portal": current,
    }
