"""The interactive site map: vendored Leaflet (static/vendor/leaflet) with 天地图 tiles.

Only with ``TIANDITU_KEY`` set (a browser key of 天地图, bound to the portal's domain in its
console): the site pages then load Leaflet and ``static/js/site-map.js``, and only their CSP
allows the tile hosts ``t0``–``t7.tianditu.gov.cn``. Without a key nothing of this is on any page:
the server-drawn SVG map stays and the browser makes no outside request.

天地图 serves CGCS2000 tiles in Web Mercator (``TILEMATRIXSET=w``); CGCS2000 and WGS-84 differ by
centimetres, so the stored coordinates go on the map as they are (no GCJ-02 shift, unlike 高德).
The list stays the primary view: the map is an extra under it, and the SVG remains for a browser
without JavaScript.
"""

from __future__ import annotations

import json

from django.conf import settings

TIANDITU_HOSTS = tuple(f"https://t{n}.tianditu.gov.cn" for n in range(8))


def tianditu_key() -> str:
    return getattr(settings, "TIANDITU_KEY", "")


def tile_map(points, here=None) -> dict | None:
    """What the template's map container needs (None without a key or without a located site).
    ``points``: (lat, lng, name, url)."""
    key = tianditu_key()
    located = [
        [float(lat), float(lng), name, url]
        for lat, lng, name, url in points
        if lat is not None and lng is not None
    ]
    if not key or not located:
        return None
    return {
        "key": key,
        "points": json.dumps(located, ensure_ascii=False),
        "here": json.dumps(list(here)) if here else "",
    }


class TileMapMixin:
    """Lets a page that shows the tile map load 天地图's tiles (its CSP only, only with a key).
    The allowance travels with the cached page (federation.web.cache keeps ``_csp_update``)."""

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if context.get("tile_map"):
            update = dict(getattr(response, "_csp_update", None) or {})
            update["img-src"] = [*update.get("img-src", []), *TIANDITU_HOSTS]
            response._csp_update = update
        return response
