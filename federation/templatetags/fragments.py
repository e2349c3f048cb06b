"""``{% fragment "name" var … %}…{% endfragment %}``: the enclosed markup rendered once per content
change, local day, language and values of the vars, then taken from :mod:`federation.web.fragments`.

Like Django's ``{% cache %}``, without its timeout argument and cache round trip: the key holds the
content generation, so an edit shows on the very next render. Kept only on the pages the page
cache serves (``public_page`` views: never a signed preview or a staff page) for a visitor who
is not signed in; rendered normally otherwise, and when PUBLIC_CACHE_TIMEOUT is 0.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from federation.web import fragments

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist, name: str, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        request = context.get("request")
        vary = tuple(var.resolve(context) for var in self.vary_on)
        value = fragments.kept(request, self.name, vary, lambda: self.nodelist.render(context))
        return mark_safe(value)  # noqa: S308 - rendered (and escaped) by the template above


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
