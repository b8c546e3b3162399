// The map of workshops on the list page; the list itself works without it.
(function () {
  "use strict";
  function start() {
    var el = document.getElementById("workshop-map");
    var data = document.getElementById("workshop-points");
    if (!el || !data || typeof L === "undefined") return;
    var points = JSON.parse(data.textContent);
    var b = (el.dataset.bounds || "").split(",").map(Number);
    var map = L.map(el, { scrollWheelZoom: false });
    map.fitBounds([[b[0], b[1]], [b[2], b[3]]]);
    if (el.dataset.tiles) {
      var failed = false;
      var layer = L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: "© OpenStreetMap" });
      layer.on("tileerror", function () {
        if (failed) return;
        failed = true;
        var note = el.parentNode.querySelector(".map-fallback");
        if (note) note.hidden = false;
      });
      layer.addTo(map);
    }
    var markers = points.map(function (p) {
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.title;
      var box = document.createElement("div");
      box.appendChild(link);
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(p.when));
      return L.marker([p.lat, p.lon], { title: p.title, alt: p.title }).bindPopup(box);
    });
    var group = L.featureGroup(markers).addTo(map);
    if (markers.length > 1) map.fitBounds(group.getBounds().pad(0.2));
    else if (markers.length === 1) map.setView(markers[0].getLatLng(), 13);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
