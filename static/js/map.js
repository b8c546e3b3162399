// The site's maps. FabriqueMap.create(el) makes a Leaflet map framed on the territory
// (data-bounds) over the background tiles (data-tiles), and shows the page's note when the
// tiles cannot load; other scripts (workshops, representativeness) draw on it.
// Here too: maps of contributions (data-points: points of the current filters) and the point
// picker of the form (data-picker). Pages work without them: the list and the coordinate
// fields are always there.
(function () {
  "use strict";
  function bounds(el) {
    var b = (el.dataset.bounds || "").split(",").map(Number);
    return b.length === 4 ? [[b[0], b[1]], [b[2], b[3]]] : null;
  }
  function baseLayer(map, el) {
    if (!el.dataset.tiles) return;
    var layer = L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: "© OpenStreetMap" });
    var failed = 0;
    layer.on("tileerror", function () {
      failed += 1;
      var note = el.parentNode.querySelector(".map-fallback");
      if (failed === 1 && note) note.hidden = false;
    });
    layer.addTo(map);
  }
  // Points close together are grouped (the cluster library); when too many match for the
  // part of the map in view, the server sends counts per area, asked again on each move.
  function countIcon(count) {
    var size = count < 100 ? 34 : count < 1000 ? 42 : 50;
    return L.divIcon({
      html: "<span>" + count + "</span>",
      className: "map-count",
      iconSize: [size, size]
    });
  }
  function create(el, options) {
    var map = L.map(el, options || { scrollWheelZoom: false });
    map.fitBounds(bounds(el));
    baseLayer(map, el);
    return map;
  }
  window.FabriqueMap = { create: create };
  function pointsMap(el) {
    var map = create(el);
    var layer = L.markerClusterGroup ? L.markerClusterGroup({ showCoverageOnHover: false }) : L.layerGroup();
    layer.addTo(map);
    var status = el.parentNode.querySelector(".map-status");
    var pending = null;
    var base = el.dataset.points;
    function load() {
      var b = map.getBounds();
      var box = [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()].map(function (x) {
        return x.toFixed(4);
      }).join(",");
      var url = base + (base.indexOf("?") < 0 ? "?" : "&") + "bbox=" + box;
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          layer.clearLayers();
          var total = 0;
          data.features.forEach(function (f) {
            var c = f.geometry.coordinates;
            var p = f.properties;
            if (p.count) {
              total += p.count;
              L.marker([c[1], c[0]], { icon: countIcon(p.count), keyboard: false })
                .on("click", function () { map.setView([c[1], c[0]], map.getZoom() + 2); })
                .addTo(layer);
            } else {
              total += 1;
              var link = document.createElement("a");
              link.href = p.url;
              link.textContent = p.title;
              L.circleMarker([c[1], c[0]], { radius: 7, weight: 2 }).bindPopup(link).addTo(layer);
            }
          });
          if (status) status.textContent = status.dataset.template.replace("#", total);
        });
    }
    map.on("moveend", function () {
      clearTimeout(pending);
      pending = setTimeout(load, 250);
    });
    load();
    // Filters change the list through htmx: follow them on the map.
    document.body.addEventListener("htmx:afterSwap", function () {
      base = el.dataset.points.split("?")[0] + window.location.search;
      load();
    });
  }
  function pickerMap(el) {
    var lat = document.getElementById("id_latitude");
    var lon = document.getElementById("id_longitude");
    var map = create(el, {});
    var marker = null;
    function place(latlng) {
      if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng).addTo(map);
    }
    if (lat.value && lon.value) place([Number(lat.value), Number(lon.value)]);
    map.on("click", function (e) {
      place(e.latlng);
      lat.value = e.latlng.lat.toFixed(6);
      lon.value = e.latlng.lng.toFixed(6);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") return;
    document.querySelectorAll(".map[data-picker]").forEach(pickerMap);
    document.querySelectorAll(".map[data-points]").forEach(pointsMap);
  });
})();
