"""``{% fragment "name" var … %}…{% endfragment %}``: the enclosed markup rendered once per content
change, local day, language and values of the vars, then taken from :mod:`federation.web.fragments`.

Like Django's ``{% cache %}``, without its timeout argument and cache round trip: the key holds the
content generation, so an edit shows on the very next render. Kept only on the pages the page
cache serves (``public_page`` views: never a signed preview or a staff page) for a visitor who
is not signed in; rendered normally otherwise, and when PUBLIC_CACHE_TIMEOUT is 0.
"""

from __future__ import annotations

from django import template
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from federation.web import fragments
from federation.web.cache import current_generation, page_timeout

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist, name: str, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        request = context.get("request")
        timeout = fragments.timeout()
        if (
            request is None
            or timeout <= 0
            or getattr(request, "public_page", None) is None
            or _signed_in(request)
        ):
            return self.nodelist.render(context)
        base = getattr(request, "_fragment_base", None)
        if base is None:
            # The local day too: a piece may hold "this year" (a filter's years).
            # current_generation(): read once per request (the page cache's lookup read it).
            base = request._fragment_base = (current_generation(), timezone.localdate())
        key = (
            self.name,
            *base,
            translation.get_language(),
            *(var.resolve(context) for var in self.vary_on),
        )
        value = fragments.store.get(key)
        if value is None:
            value = self.nodelist.render(context)
            fragments.store.set(key, value, _lifetime(request, base[0], timeout))
        return mark_safe(value)  # noqa: S308 - rendered (and escaped) by the template above


def _lifetime(request, generation: str, maximum: int) -> int:
    # A page's lifetime (federation.web.cache.page_timeout): no later than local midnight or
    # the next scheduled article's publish time, which change pages without a save.
    lifetime = getattr(request, "_fragment_lifetime", None)
    if lifetime is None:
        lifetime = request._fragment_lifetime = page_timeout(generation, maximum)
    return lifetime


def _signed_in(request) -> bool:
    # Staff see the database itself (like the page cache, which never serves them), a write
    # that sent no signal included.
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


@register.tag
def fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError(
            "'fragment' takes a quoted name, then the variables the markup varies on."
        )
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, bits[1][1:-1], [parser.compile_filter(b) for b in bits[2:]])
