// The map of workshops (list and workshop pages), on the site's map (js/map.js); the pages
// work without it.
(function () {
  "use strict";
  function start() {
    var el = document.getElementById("workshop-map");
    var data = document.getElementById("workshop-points");
    if (!el || !data || typeof L === "undefined" || !window.FabriqueMap) return;
    var points = JSON.parse(data.textContent);
    var map = window.FabriqueMap.create(el);
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
