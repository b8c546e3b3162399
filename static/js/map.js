// Maps of contributions: points of the current filters, or a point picker on the form.
// The page works without them: the list and the coordinate fields are always there.
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
  function pointsMap(el) {
    var map = L.map(el, { scrollWheelZoom: false });
    map.fitBounds(bounds(el));
    baseLayer(map, el);
    var layer = L.layerGroup().addTo(map);
    function load(url) {
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          layer.clearLayers();
          data.features.forEach(function (f) {
            var c = f.geometry.coordinates;
            var link = document.createElement("a");
            link.href = f.properties.url;
            link.textContent = f.properties.title;
            L.circleMarker([c[1], c[0]], { radius: 7, weight: 2 }).bindPopup(link).addTo(layer);
          });
        });
    }
    load(el.dataset.points);
    // Filters change the list through htmx: follow them on the map.
    document.body.addEventListener("htmx:afterSwap", function () {
      load(el.dataset.points.split("?")[0] + window.location.search);
    });
  }
  function pickerMap(el) {
    var lat = document.getElementById("id_latitude");
    var lon = document.getElementById("id_longitude");
    var map = L.map(el);
    map.fitBounds(bounds(el));
    baseLayer(map, el);
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
    document.querySelectorAll(".map").forEach(function (el) {
      if (el.dataset.picker) pickerMap(el); else pointsMap(el);
    });
  });
})();
