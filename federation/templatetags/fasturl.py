"""``{% url %}`` that reverses each address once per process instead of once per render.

Loaded as a builtin (settings.TEMPLATES), so it replaces Django's tag everywhere. A page's
header, footer and lists hold 20–60 ``{% url %}`` tags whose answer never changes while the
URLconf stays the same; Django walks the resolver for each one (a tenth of a millisecond).
The answer is kept per URLconf (a new resolver object after ``clear_url_caches()``), script
prefix, language and current app, so it is the one ``reverse()`` would give.
"""

from __future__ import annotations

from django import template
from django.template.defaulttags import URLNode, url
from django.utils.html import conditional_escape

from federation.core.links import cached_reverse

register = template.Library()


class CachedURLNode(URLNode):
    def render(self, context):
        from django.urls import NoReverseMatch

        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        address = ""
        try:
            address = cached_reverse(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = address
            return ""
        return conditional_escape(address) if context.autoescape else address


@register.tag("url")
def cached_url(parser, token):
    node = url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
