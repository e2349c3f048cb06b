// The site map with 天地图 tiles (only on pages rendered with TIANDITU_KEY, see
// organizations/tilemap.py). Coordinates are stored as WGS-84/CGCS2000, which is what 天地图's
// Web Mercator tiles use: no shift. The server-drawn SVG map is the fallback: hidden once the
// interactive map is up.
(function () {
  "use strict";
  var box = document.getElementById("tile-map");
  if (!box || !window.L) return;
  var points = JSON.parse(box.dataset.points || "[]");
  if (!points.length) return;

  function tiandituLayer(layer, attribution) {
    return window.L.tileLayer(
      "https://t{s}.tianditu.gov.cn/" + layer + "_w/wmts?SERVICE=WMTS&REQUEST=GetTile" +
        "&VERSION=1.0.0&LAYER=" + layer + "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles" +
        "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=" + encodeURIComponent(box.dataset.key),
      { subdomains: "01234567", maxZoom: 18, minZoom: 3, attribution: attribution || "" }
    );
  }

  var map = window.L.map(box, { scrollWheelZoom: false });
  map.attributionControl.setPrefix(false);
  tiandituLayer("vec", box.dataset.attribution).addTo(map);
  // Place names: Chinese, or English labels on English pages.
  tiandituLayer(box.dataset.lang === "en" ? "eva" : "cva").addTo(map);

  var bounds = [];
  points.forEach(function (point) {
    var link = document.createElement("a");
    link.href = point[3];
    link.textContent = point[2]; // a name is text, never HTML
    window.L.circleMarker([point[0], point[1]], {
      radius: 7,
      color: "#fff",
      weight: 2,
      fillColor: "#c8102e",
      fillOpacity: 1,
    })
      .bindPopup(link)
      .bindTooltip(point[2])
      .addTo(map);
    bounds.push([point[0], point[1]]);
  });
  if (box.dataset.here) {
    var here = JSON.parse(box.dataset.here);
    window.L.circleMarker(here, { radius: 8, color: "#fff", weight: 2, fillColor: "#1a73e8", fillOpacity: 1 })
      .bindTooltip(box.dataset.hereLabel)
      .addTo(map);
    bounds.push(here);
  }
  if (bounds.length === 1) {
    map.setView(bounds[0], 16);
  } else {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
  }
  box.classList.add("is-live");
  var svg = box.parentNode.querySelector("svg.site-map");
  if (svg) svg.classList.add("is-replaced");
})();
