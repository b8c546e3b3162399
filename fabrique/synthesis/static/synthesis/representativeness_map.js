// The representativeness map: a circle per commune, at the average position of the
// contributions placed in it, coloured by its representation index. The table on the page
// gives the same figures; without this script or the background tiles, nothing is lost.
(function () {
  "use strict";
  var COLOURS = { under: "#b35806", balanced: "#1b7a4c", over: "#1d4e89", "": "#4b5563" };
  function text(tag, content) {
    var el = document.createElement(tag);
    el.textContent = content;
    return el;
  }
  function start() {
    var el = document.getElementById("representativeness-map");
    var data = document.getElementById("representativeness-points");
    if (!el || !data || typeof L === "undefined" || !window.FabriqueMap) return;
    var points = JSON.parse(data.textContent);
    var map = window.FabriqueMap.create(el);
    var biggest = 1;
    points.forEach(function (p) { biggest = Math.max(biggest, p.contributions); });
    var circles = points.map(function (p) {
      var box = document.createElement("div");
      box.appendChild(text("strong", p.name));
      box.appendChild(text("p", el.dataset.index + " " + p.index));
      box.appendChild(text("p", p.participant_share + " / " + p.population_share));
      return L.circleMarker([p.latitude, p.longitude], {
        radius: 6 + 14 * Math.sqrt(p.contributions / biggest),
        color: "#fff",
        weight: 2,
        fillColor: COLOURS[p.level] || COLOURS[""],
        fillOpacity: 0.85
      }).bindPopup(box).bindTooltip(p.name + " — " + p.index);
    });
    var group = L.featureGroup(circles).addTo(map);
    if (circles.length > 1) map.fitBounds(group.getBounds().pad(0.25));
    else if (circles.length === 1) map.setView(circles[0].getLatLng(), 12);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
