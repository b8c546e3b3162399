// The attendance list: names filter as they are typed (the search button does it without
// JavaScript, on the server).
(function () {
  var input = document.getElementById("checkin-q");
  var list = document.getElementById("checkin-list");
  var none = document.getElementById("checkin-none");
  if (!input || !list) return;
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function filter() {
    var wanted = fold(input.value.trim());
    var shown = 0;
    list.querySelectorAll(".checkin-row").forEach(function (row) {
      var match = !wanted || fold(row.dataset.name || "").indexOf(wanted) !== -1;
      row.hidden = !match;
      if (match) shown += 1;
    });
    if (none && list.querySelector(".checkin-row")) none.hidden = shown > 0;
  }
  input.addEventListener("input", filter);
  document.body.addEventListener("htmx:afterSwap", filter);
})();
